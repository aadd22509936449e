"""The ``timeline`` command (also ``python -m timeline``).

Each group of subcommands lives in its own module with an ``add_commands``
function; this module assembles them, and is the one place where a failure
becomes what the user sees: one line on stderr naming the file and the
cause, never a traceback.  Exit status: 0 done, 1 a log failed
verification (``verify``, ``repair``, ``convert``), 2 unusable input (a
wrong option, module, projection, date, path or file, or a file the system
could not read or write).  ``TIMELINE_TRACEBACK=1`` also prints the
traceback, for a bug report.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sqlite3
import sys
import traceback
from collections.abc import Sequence

from timeline.cli import _date, _exchange, _explore, _render, _storage
from timeline.cli._text import error, flush
from timeline.exceptions import TimelineError

__all__ = ["DISTRIBUTION", "main", "version"]

DISTRIBUTION = "timeline-ledger"
"""The name the package is published and installed under (``pip install
timeline-ledger``); the import name is ``timeline``."""


def version() -> str:
    """The installed version of the distribution (``timeline --version``)."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e . in a checkout)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="timeline",
        description="Explore event-sourced timelines.",
        epilog="Without --log the commands read the bundled North Korea-Russia "
        "timeline. For your own: --log PATH (.jsonl, .sqlite or a postgresql:// "
        "URL), --import MODULE (the module declaring your event types; "
        "repeatable; the current folder is importable) on every command that "
        "reads events, and --projection MODULE:ATTR on state, diff and render; "
        "or a timeline.toml (or [tool.timeline] in pyproject.toml) naming log, "
        "import and projection. 'timeline COMMAND --help' for each command.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"timeline ({DISTRIBUTION}) {version()}",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    for module in (_date, _storage, _explore, _exchange, _render):
        module.add_commands(commands)
    return parser


# The options that name the files a command reads or writes, in the order
# a message names them.
_FILES = ("path", "source", "target", "log", "out", "from_file")


def _files(args: argparse.Namespace) -> str:
    named = [str(v) for k in _FILES if (v := getattr(args, k, None)) not in (None, "-")]
    return " -> ".join(named) if named else "the bundled log"


def describe_error(exc: BaseException, args: argparse.Namespace) -> str:
    """One line saying what went wrong, naming the file when the error
    itself does not."""
    if isinstance(exc, TimelineError):
        return str(exc)
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "not found"
    if isinstance(exc, OSError):
        if exc.filename is not None and exc.strerror:
            return f"{exc.filename}: {exc.strerror}"
        if exc.strerror:
            return f"{_files(args)}: {exc.strerror}"
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"{_files(args)}: SQLite: {exc}"
    if isinstance(exc, MemoryError):
        return (
            f"{_files(args)}: out of memory (the log does not fit in the memory "
            "this process may use)"
        )
    if isinstance(exc, UnicodeError | RecursionError | ValueError):
        return f"{_files(args)}: {type(exc).__name__}: {exc}"
    return (
        f"{type(exc).__name__}: {exc} (unexpected: please report it; "
        "TIMELINE_TRACEBACK=1 shows where it happened)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
        # Flush here, not at exit, so that a closed pipe is caught below.
        flush()
    except BrokenPipeError:
        # The reader went away (`timeline state ... | head`): not an error.
        # Point stdout at /dev/null so that flushing it at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        error("timeline: interrupted")
        return 130
    except Exception as exc:  # every failure: one line, exit 2
        error(f"timeline: error: {describe_error(exc, args)}")
        if os.environ.get("TIMELINE_TRACEBACK"):
            traceback.print_exc()
        return 2
    return status
