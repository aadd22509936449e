"""Pointing the command at a user's own code: ``--import``, ``--projection``,
the project file, and opening the log.

A *project file* saves typing the same options: ``timeline.toml``, or a
``[tool.timeline]`` table in ``pyproject.toml``, found in the current folder
or the nearest parent folder that has one (as git, ruff and pytest find
theirs).  Its keys::

    log = "history.sqlite"          # relative to the file's folder
    import = ["brewery"]            # modules declaring the event types
    projection = "brewery:history"  # MODULE:ATTR (or MODULE, if it has one)
    lanes = "type"                  # the chart's lanes: type, tag or MODULE:FUNC

Options on the command line win: ``--log`` and ``--projection`` replace the
file's, ``--import`` adds modules to its list.  Modules are imported with the
current folder (and the project file's) first on ``sys.path``, as
``python -m`` does, so a ``brewery.py`` next to the log imports as
``--import brewery`` with no PYTHONPATH.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import attrs

import timeline
from timeline import dataset
from timeline._storage.relational import RelationalLog
from timeline.dataset import Relationship
from timeline.exceptions import InvalidDateError, TimelineError, UnknownEventTypeError

__all__ = [
    "LOG_AS_OPTION",
    "PROJECT_FILES",
    "AnyLog",
    "Project",
    "UsageError",
    "add_import",
    "add_log",
    "add_projection",
    "argument_name",
    "bundled_projection",
    "find_project",
    "import_module",
    "import_modules",
    "in_fold_order",
    "known_count",
    "log_given_once",
    "open_any",
    "opened",
    "prepare",
    "read_day",
    "resolve_projection",
]

PROJECT_FILES: Final = ("timeline.toml", "pyproject.toml")
_KEYS: Final = ("log", "import", "projection", "lanes")
_SQLITE: Final = (".sqlite", ".sqlite3", ".db")
_IMPORT_HINT: Final = "--import MODULE (or import = [...] in timeline.toml)"

#: A log a read-only command queries: in memory (the bundled or a JSON Lines
#: log) or in its database (SQLite, PostgreSQL), with the same query API.
AnyLog = timeline.Log | RelationalLog


class UsageError(TimelineError, ValueError):
    """A command-line argument or project file that is not usable (one
    line, exit status 2)."""


@attrs.frozen
class Project:
    """The settings of a project file (all None or empty without one)."""

    file: Path | None = None
    log: str | None = None
    imports: tuple[str, ...] = ()
    projection: str | None = None
    lanes: str | None = None

    @property
    def folder(self) -> Path | None:
        return None if self.file is None else self.file.parent


def _table(path: Path) -> dict[str, Any] | None:
    """The settings in ``path``: a timeline.toml whole, or pyproject.toml's
    ``[tool.timeline]`` (None when it has none)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not UTF-8 text: {error}") from None
    if path.name == "timeline.toml":
        return data
    tool = data.get("tool")
    table = tool.get("timeline") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.timeline] must be a table")
    return table


def _read_project(path: Path, table: dict[str, Any]) -> Project:
    where = (
        path.name if path.name == "timeline.toml" else f"{path.name} [tool.timeline]"
    )
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise UsageError(
            f"{path}: unknown key {unknown[0]!r} in {where} (known: {', '.join(_KEYS)})"
        )

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        raise UsageError(f"{path}: {key} must be a non-empty string, not {value!r}")

    imports = table.get("import", [])
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, list) or not all(
        isinstance(name, str) and name.strip() for name in imports
    ):
        raise UsageError(
            f"{path}: import must be a module name or a list of them, not {imports!r}"
        )
    log = text("log")
    if log is not None and "://" not in log:  # a server's URL stays as is
        log = str(path.parent / log)
    return Project(
        file=path,
        log=log,
        imports=tuple(imports),
        projection=text("projection"),
        lanes=text("lanes"),
    )


def find_project(start: Path | None = None) -> Project:
    """The project file of ``start`` (default: the current folder) or of its
    nearest parent folder that has one; in one folder ``timeline.toml``
    wins over ``pyproject.toml``, which counts only with [tool.timeline]."""
    folder = (Path.cwd() if start is None else start).resolve()
    for candidate in (folder, *folder.parents):
        for name in PROJECT_FILES:
            path = candidate / name
            if not path.is_file():
                continue
            table = _table(path)
            if table is not None:
                return _read_project(path, table)
    return Project()


# -- imports ----------------------------------------------------------------


def _importable(folders: Iterable[Path]) -> None:
    """Put ``folders`` first on sys.path (the current folder first), as
    ``python -m`` puts the current folder."""
    for folder in reversed(list(dict.fromkeys(folders))):
        entry = str(folder)
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


def import_module(name: str, option: str) -> Any:
    """Import a user's module, every failure one line naming it."""
    if name.endswith(".py") or os.sep in name:
        stem = Path(name).stem
        raise UsageError(
            f"{option} {name}: expected a module name, such as {stem!r} for "
            f"{Path(name).name} in the current folder"
        )
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and name.split(".")[0] != error.name.split(".")[0]:
            # The module is there, but something it imports is not.
            raise UsageError(
                f"{option} {name}: importing it failed: no module named {error.name!r}"
            ) from None
        raise UsageError(
            f"{option} {name}: no module named {name!r} in the current folder "
            f"({Path.cwd()}) or the installed packages"
        ) from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the user's code may raise anything
        raise UsageError(
            f"{option} {name}: importing it raised {type(error).__name__}: {error}"
        ) from None


def import_modules(names: Iterable[str], project: Project) -> None:
    """Import the modules that declare a log's event types."""
    folders = [Path.cwd()]
    if project.folder is not None:
        folders.append(project.folder)
    _importable(folders)
    for name in dict.fromkeys(names):
        import_module(name, "--import")


# -- projections ------------------------------------------------------------


def _projections_in(module: Any) -> dict[str, timeline.Projection[Any]]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, timeline.Projection) and not name.startswith("_")
    }


def resolve_projection(spec: str) -> timeline.Projection[Any]:
    """The projection ``MODULE:ATTR`` names (``ATTR`` may be dotted), or the
    one projection ``MODULE`` defines."""
    option = f"--projection {spec}"
    module_name, sep, attr = spec.partition(":")
    if not module_name or (sep and not attr) or " " in spec:
        raise UsageError(f"{option}: expected MODULE:ATTR, such as brewery:history")
    module = import_module(module_name, "--projection")
    found = _projections_in(module)
    if not attr:
        if len(found) == 1:
            return next(iter(found.values()))
        if not found:
            raise UsageError(
                f"{option}: module {module_name!r} defines no timeline.Projection"
            )
        raise UsageError(
            f"{option}: module {module_name!r} defines several projections "
            f"({', '.join(sorted(found))}): name one, as {module_name}:NAME"
        )
    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            known = f" (its projections: {', '.join(sorted(found))})" if found else ""
            raise UsageError(
                f"{option}: module {module_name!r} has no attribute {attr!r}{known}"
            ) from None
    if not isinstance(value, timeline.Projection):
        kind = "a class" if isinstance(value, type) else f"a {type(value).__name__}"
        raise UsageError(
            f"{option}: expected a timeline.Projection, but {attr} is {kind}"
        )
    return value


def _is_bundled(kind: type[timeline.Event]) -> bool:
    return kind.__module__.startswith("timeline.dataset") or kind is timeline.Retraction


def bundled_projection(log: AnyLog, where: str) -> timeline.Projection[Any]:
    """The bundled Relationship, when every event of ``log`` is of the
    bundled timeline's types; otherwise a usage error asking for a
    projection."""
    foreign = sorted({type(e).type_name for e in log if not _is_bundled(type(e))})
    if foreign:
        shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
        raise UsageError(
            f"{where} has event types the bundled Relationship projection does "
            f"not handle ({shown}): name your projection with --projection "
            "MODULE:ATTR, or projection = ... in timeline.toml"
        )
    return Relationship


# -- days ---------------------------------------------------------------------


_DAY_OPTIONS: Final = {
    "as_of": "--as-of",
    "known_at": "--known-at",
    "day1": "DAY1",
    "day2": "DAY2",
}


def parse_option_date(text: str, option: str) -> timeline.UncertainDate:
    """:func:`timeline.parse_date` of an option's value; an error names the
    option (``--as-of: invalid date '19x5': ...``)."""
    try:
        return timeline.parse_date(text)
    except InvalidDateError as error:
        raise UsageError(f"{option}: {error}") from None


def read_day(text: str, option: str) -> datetime.date:
    """A day given on the command line: a day, or a year, season or month
    standing for its last day (``--as-of 1900``: as of the end of 1900;
    the report prints the day used).  A range or an uncertain date is
    refused: which day it means would be a guess."""
    date = parse_option_date(text, option)
    unplain = date.is_interval or date.qualifier is not timeline.Qualifier.NONE
    if unplain or date.latest_day is None:
        raise UsageError(
            f"{option} {text!r}: expected a day (2024-06-19), or a month, season "
            f"or year standing for its last day, not {date.to_edtf()!r}"
        )
    return timeline.from_day_number(date.latest_day)


# -- the log ------------------------------------------------------------------


def is_url(path: str) -> bool:
    """Whether a log's name is a database URL rather than a file path."""
    return path.lower().startswith(("postgresql://", "postgres://"))


def _missing(path: str, target: Path) -> None:
    if not target.is_file():
        if target.is_dir():
            raise IsADirectoryError(f"{path!r} is a directory, not a log")
        raise FileNotFoundError(f"no log file at {path!r}")


def _unknown_types(error: TimelineError) -> TimelineError:
    if "no event type is registered" in str(error):
        return UnknownEventTypeError(f"{error}; use {_IMPORT_HINT}")
    return error


def _kind(path: str) -> str:
    """ "url", ".jsonl" or ".sqlite"; a usage error for anything else."""
    if is_url(path):
        return "url"
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        return suffix
    if suffix in _SQLITE:
        return ".sqlite"
    raise UsageError(
        f"--log {path!r}: expected a .jsonl or {'/'.join(_SQLITE)} log file"
    )


def open_any(path: str | None) -> timeline.Log:
    """The bundled log (``path`` None), a JSON Lines log read without
    writing, or a SQLite or PostgreSQL log, as an in-memory :class:`timeline.Log`
    (a copy: for the commands that need one; :func:`opened` queries a
    database where it is)."""
    if path is None:
        return dataset.open_bundled()
    target = Path(path)
    kind = _kind(path)
    try:
        if kind == ".jsonl":
            try:
                data = target.read_bytes()
            except FileNotFoundError:
                raise FileNotFoundError(f"no log file at {path!r}") from None
            except IsADirectoryError:
                raise IsADirectoryError(f"{path!r} is a directory, not a log") from None
            return dataset.load_log(data, path)
        if kind == ".sqlite":
            _missing(path, target)
        with timeline.open_log(path, create=False) as stored:
            return timeline.Log(stored, clock=None)  # (recorded already)
    except TimelineError as error:
        raise _unknown_types(error) from None


@contextmanager
def opened(path: str | None) -> Iterator[AnyLog]:
    """The log of a read-only command: as :func:`open_any`, but a SQLite or
    PostgreSQL log is queried in its database (memory bounded, not a copy),
    open for the command and closed after it."""
    if path is None or _kind(path) == ".jsonl":
        yield open_any(path)
        return
    if not is_url(path):
        _missing(path, Path(path))
    try:
        stored = timeline.open_log(path, create=False, clock=None)  # (read only)
    except TimelineError as error:
        raise _unknown_types(error) from None
    assert isinstance(stored, RelationalLog)
    try:
        yield stored
    except TimelineError as error:
        raise _unknown_types(error) from None
    finally:
        stored.close()


def in_fold_order(
    log: AnyLog, known_at: datetime.date | None
) -> Iterator[timeline.Event]:
    """The events counted as known on ``known_at``, in fold order, as
    ``log.timeline(known_at)`` has them; from a database a page at a time."""
    if isinstance(log, timeline.Log):
        yield from log.timeline(known_at)
        return
    log._sync()
    for _, event in log._counted(log.count_known_at(known_at), cache=False):
        yield event


def known_count(log: AnyLog, known_at: datetime.date | None) -> int:
    """``len(log.timeline(known_at))``, counted in the database there."""
    if isinstance(log, timeline.Log):
        return len(log.timeline(known_at))
    log._sync()
    n = log.count_known_at(known_at)
    return sum(len(rows) for rows in log._counted_rows(n, "TRUE", None, None))


# -- options --------------------------------------------------------------------


def add_log(
    parser: argparse.ArgumentParser,
    *,
    dest: str = "log",
    text: str = "the log to read (.jsonl, .sqlite or a postgresql:// URL); default: "
    "the project file's log, else the bundled timeline",
) -> None:
    parser.add_argument("--log", dest=dest, metavar="PATH", help=text)


#: The help of ``--log`` on the commands that take the log as an argument.
LOG_AS_OPTION: Final = "the log, as the other commands take it (the same as LOG)"


def argument_name(attr: str) -> str:
    """How usage names the argument of the log: LOG, or SOURCE (convert)."""
    return "LOG" if attr in ("log", "path") else attr.upper()


def log_given_once(args: argparse.Namespace, attr: str = "log") -> None:
    """The commands that take the log as their first argument (``append``,
    ``export``, ``verify``, ``repair``, ``convert``) take it, as every other
    command does, as ``--log LOG`` too (``args.log_named``): moved to
    ``args.<attr>``; a usage error when both name it."""
    named, given = args.log_named, getattr(args, attr)
    if named is None:
        return
    if given is not None:
        raise UsageError(
            f"{args.command}: name the log once, as {argument_name(attr)} or as "
            f"--log, not both ({given!r} and {named!r})"
        )
    setattr(args, attr, named)


def add_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--import",
        dest="imports",
        metavar="MODULE",
        action="append",
        default=[],
        help="import MODULE first, to register the event types the log uses "
        "(repeatable; the current folder is importable)",
    )


def add_projection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--projection",
        metavar="MODULE:ATTR",
        help="the projection to fold the events with (default: the project "
        "file's, else the bundled Relationship for the bundled timeline)",
    )


def prepare(args: argparse.Namespace, *, log_attr: str = "log") -> Project:
    """Read the project file, apply it under the command-line options, and
    import the modules; returns the project."""
    project = find_project()
    args.project = project
    if getattr(args, log_attr, None) is None and project.log is not None:
        setattr(args, log_attr, project.log)
    if getattr(args, "projection", None) is None and project.projection is not None:
        args.projection = project.projection
    if getattr(args, "lanes", None) is None and project.lanes is not None:
        args.lanes = project.lanes
    for name, option in _DAY_OPTIONS.items():
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, read_day(value, option))
    imports = [*project.imports, *getattr(args, "imports", [])]
    lanes = getattr(args, "lanes", None)
    if imports or getattr(args, "projection", None) or (lanes and ":" in lanes):
        import_modules(imports, project)
    return project
