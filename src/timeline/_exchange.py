"""Events in and out of a log as people keep them: CSV (one event a row, a
column per field) and JSON Lines (one event an object), with dates as people
write them; and, for publishing, a TimelineJS spreadsheet and Linked Places
``when`` objects.

:func:`read_events` reads all of a file or none of it: the first bad row
raises :class:`~timeline.InvalidEventError` naming the file, the line and
the column.  :func:`write_events` writes what :func:`read_events` reads
back as the same events.

The columns of a CSV file (any order; a JSON Lines object has the same keys):

- ``id``, ``type`` (the registered name, such as ``brewery.founded``),
  ``occurred`` (read with :func:`timeline.parse_date`: "about 1856",
  "between 1884 and 1886", "before 1914", EDTF), ``recorded`` (ISO 8601;
  default: the ``recorded`` argument);
- ``summary`` (or ``summary.en``, ``summary.ja``, ... per language);
  ``source`` (a title) or ``source.title``, ``source.url``,
  ``source.publisher``, ``source.published``, ``source.language``,
  ``source.quote``, ``source.confidence``; ``supersedes`` and ``tags`` (items
  separated by ``;``, or a JSON array);
- one column per payload field, read by the field's type: text, integers,
  floats, ``true``/``false``, dates (through parse_date), enums (by value or
  name), tuples of these (``;``-separated or a JSON array), and JSON for
  anything else (a record, a mapping).  An empty cell is ``None`` when the
  field may be None, else its default, else empty text; a text cell that
  starts with ``"`` is read as a JSON string (how :func:`write_events`
  writes an empty text where empty means None, or a text starting with a
  quote);
- ``earliest`` and ``latest`` (the date's bounds, written by
  :func:`write_events`) are ignored: ``occurred`` says it all.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import json
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal, TextIO

import attrs

from timeline._dates import UncertainDate, from_day_number
from timeline._dates.freetext import parse_date
from timeline._events import (
    Event,
    Source,
    Text,
    fields_of,
    lookup_event_type,
    payload_fields,
)
from timeline.exceptions import InvalidEventError, TimelineError

__all__ = [
    "EventFormat",
    "at_line",
    "linked_places",
    "read_events",
    "read_numbered",
    "timelinejs_rows",
    "write_events",
]

EventFormat = Literal["csv", "jsonl"]
_SOURCE_FIELDS: Final = (
    "title",
    "url",
    "publisher",
    "published",
    "language",
    "quote",
    "confidence",
)
_ENVELOPE: Final = ("id", "type", "occurred", "recorded")
_DERIVED: Final = ("earliest", "latest")
_LISTS: Final = ("supersedes", "tags")


def _format_of(path: Path, fmt: str | None) -> EventFormat:
    wanted = fmt or path.suffix.lower().lstrip(".")
    if wanted == "csv":
        return "csv"
    if wanted in ("jsonl", "ndjson"):
        return "jsonl"
    raise InvalidEventError(
        f"{str(path)!r}: expected a .csv or .jsonl file of events (or say which "
        "with format='csv' / 'jsonl')"
    )


class _Bad(Exception):
    """A cell that cannot be read; the caller adds the line."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r}: {message}")


# -- reading one value by its type --------------------------------------------


def _hints(kind: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(kind)
    except Exception:
        return {}


def _optional(hint: Any) -> tuple[Any, bool]:
    """The type inside ``X | None``, and whether None is allowed."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        allows = len(args) < len(typing.get_args(hint))
        if len(args) == 1:
            return args[0], allows
        return Any, allows
    return hint, hint is None or hint is type(None)


_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})


def _scalar(text: str, hint: Any, column: str) -> Any:
    """A text as the JSON value the log format holds for ``hint``; None
    when ``hint`` is not a scalar type."""
    if hint is str:
        return text
    if hint is bool:
        low = text.strip().lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE
        raise _Bad(column, f"expected true or false, not {text!r}")
    if hint is int:
        try:
            return int(text.strip())
        except ValueError:
            raise _Bad(column, f"expected an integer, not {text!r}") from None
    if hint is float:
        try:
            return float(text.strip())
        except ValueError:
            raise _Bad(column, f"expected a number, not {text!r}") from None
    if hint is UncertainDate:
        return _date_text(text, column)
    if hint is datetime.datetime:
        try:
            return datetime.datetime.fromisoformat(text.strip()).isoformat()
        except ValueError:
            raise _Bad(
                column, f"expected an ISO 8601 date-time, not {text!r}"
            ) from None
    if hint is datetime.date:
        date = parse_date(text) if text.strip() else None
        if date is None or not date.is_exact_day or date.earliest is None:
            raise _Bad(column, f"expected one calendar day, not {text!r}")
        return date.earliest.isoformat()
    if typing.get_origin(hint) is Literal:
        for option in typing.get_args(hint):
            if text == str(option):
                return option
        choices = ", ".join(str(o) for o in typing.get_args(hint))
        raise _Bad(column, f"expected one of {choices}, not {text!r}")
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        for member in hint:
            if text == str(member.value) or text.upper() == member.name:
                return member.value
        choices = ", ".join(str(m.value) for m in hint)
        raise _Bad(column, f"expected one of {choices}, not {text!r}")
    return None


def _date_text(text: str, column: str) -> str:
    try:
        return parse_date(text).to_edtf()
    except TimelineError as error:
        raise _Bad(column, str(error)) from None


def _items(text: str, column: str) -> list[Any]:
    if text.lstrip().startswith("["):
        try:
            value = json.loads(text)
        except ValueError as error:
            raise _Bad(column, f"not a JSON array: {error}") from None
        if not isinstance(value, list):
            raise _Bad(column, "expected a JSON array")
        return value
    return [item.strip() for item in text.split(";") if item.strip()]


def _cell(text: str, hint: Any, column: str) -> Any:
    """The JSON value of a non-empty cell for a field typed ``hint``."""
    inner, _ = _optional(hint)
    if inner is str and text.startswith('"'):
        # Text that a plain cell cannot hold (empty where empty means None,
        # or starting with a quote) is written as a JSON string.
        try:
            quoted = json.loads(text)
        except ValueError:
            return text
        return quoted if isinstance(quoted, str) else text
    scalar = _scalar(text, inner, column)
    if scalar is not None:
        return scalar
    origin = typing.get_origin(inner)
    if origin in (tuple, list, frozenset, set):
        args = [a for a in typing.get_args(inner) if a is not Ellipsis]
        element = args[0] if len(args) == 1 else Any
        return [_json_item(item, element, column) for item in _items(text, column)]
    try:
        return json.loads(text)
    except ValueError:
        if inner is Any or inner is object:
            return text
        raise _Bad(
            column,
            f"expected JSON for a {getattr(inner, '__name__', inner)}, not {text!r}",
        ) from None


def _json_item(item: Any, hint: Any, column: str) -> Any:
    if isinstance(item, str):
        scalar = _scalar(item, _optional(hint)[0], column)
        if scalar is not None:
            return scalar
    return item


# -- building an event --------------------------------------------------------


def _text_of(row: dict[str, Any]) -> Any:
    by_lang = {
        key.removeprefix("summary."): value
        for key, value in row.items()
        if key.startswith("summary.") and value not in (None, "")
    }
    plain = _json_object(row.get("summary"))
    if isinstance(plain, dict):
        return plain or None
    if plain not in (None, ""):
        if by_lang:
            raise _Bad("summary", "give summary or summary.LANG columns, not both")
        return {"und": plain} if isinstance(plain, str) else plain
    return by_lang or None


def _source_of(row: dict[str, Any]) -> Any:
    whole = _json_object(row.get("source"))
    if isinstance(whole, dict):
        return whole
    parts = {
        name: row.get(f"source.{name}")
        for name in _SOURCE_FIELDS
        if row.get(f"source.{name}") not in (None, "")
    }
    if whole not in (None, ""):
        if "title" in parts:
            raise _Bad("source", "give source or source.title, not both")
        parts["title"] = whole
    if not parts:
        return None
    if "title" not in parts:
        raise _Bad("source.title", "a source needs a title")
    published = parts.get("published")
    if isinstance(published, str):
        parts["published"] = _date_text(published, "source.published")
    return {name: parts.get(name) for name in _SOURCE_FIELDS}


def _json_object(value: Any) -> Any:
    """A cell holding a JSON object (as :func:`write_events` writes a
    summary or source that plain cells cannot hold) as that object."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, dict):
            return parsed
    return value


def _plain(text: Any) -> bool:
    """Does a text survive as a plain cell (not empty, not read as JSON)?"""
    return isinstance(text, str) and text != "" and not text.startswith(("{", "["))


def _list_of(row: dict[str, Any], name: str) -> list[Any]:
    value = row.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return _items(value, name)
    raise _Bad(name, f"expected a list of strings, not {value!r}")


def _event_of(
    row: dict[str, Any],
    *,
    recorded: str,
    default_type: str | None,
    from_text: bool,
) -> Event:
    """The event a row (cells as text, or JSON values) describes."""
    name = row.get("type") or default_type
    if not name:
        raise _Bad("type", "every event needs a type (a registered name)")
    if not isinstance(name, str):
        raise _Bad("type", f"expected a type name, not {name!r}")
    kind = lookup_event_type(name)
    hints = _hints(kind)
    defaults = {a.name: a.default is not attrs.NOTHING for a in fields_of(kind)}
    payload: dict[str, Any] = {}
    allowed = set(payload_fields(kind))
    for column, value in row.items():
        if column in allowed:
            hint = hints.get(column, Any)
            inner, optional = _optional(hint)
            if value is None and not from_text:
                payload[column] = None
            elif value == "" and from_text:
                # An empty cell: None if the field may be None, else its
                # default, else empty text; a number, say, must be given.
                if optional:
                    payload[column] = None
                elif typing.get_origin(inner) in (tuple, list, frozenset, set):
                    payload[column] = []
                elif not defaults[column]:
                    if inner is not str and inner is not Any:
                        raise _Bad(column, f"{name} needs a value here")
                    payload[column] = ""
            elif isinstance(value, str) and (from_text or inner is not str):
                payload[column] = _cell(value, hint, column)
            else:
                payload[column] = value
        elif column == "payload" and isinstance(value, dict):
            payload.update(value)
        elif not _known_column(column) and value not in (None, ""):
            fields = ", ".join(sorted(allowed)) or "none"
            raise _Bad(column, f"is not a field of {name} (its fields: {fields})")
    occurred = row.get("occurred")
    if occurred in (None, ""):
        raise _Bad("occurred", "every event needs a date")
    event_id = row.get("id")
    if event_id in (None, ""):
        raise _Bad("id", "every event needs an id")
    when = row.get("recorded") or recorded
    if not isinstance(when, str):
        raise _Bad("recorded", f"expected ISO 8601 text, not {when!r}")
    from timeline._storage.codec import CodecError, _field_decoders

    decoders = _field_decoders(kind)
    kwargs: dict[str, Any] = {}
    for field, value in payload.items():
        try:
            kwargs[field] = decoders[field](value, field)
        except CodecError as error:
            raise _Bad(field, str(error).split(": ", 1)[-1]) from None
    missing = [f for f in payload_fields(kind) if f not in kwargs and not defaults[f]]
    if missing:
        raise _Bad(missing[0], f"{name} needs a value here (the row gives none)")
    source = _source_of(row)
    envelope: dict[str, Any] = {
        "id": event_id,
        "occurred": _date_text(occurred, "occurred")
        if isinstance(occurred, str)
        else occurred,
        "recorded": when,
        "source": None if source is None else Source(**source),
        "summary": _text_of(row),
        "supersedes": tuple(_list_of(row, "supersedes")),
        "tags": tuple(_list_of(row, "tags")),
    }
    try:
        return kind(**envelope, **kwargs)
    except TimelineError as error:
        raise _Bad(_column_in(str(error), row), str(error)) from None
    except (TypeError, ValueError) as error:
        raise _Bad("payload", f"{type(error).__name__}: {error}") from None


def _column_in(message: str, row: dict[str, Any]) -> str:
    """The column a codec message is about (it names the field first)."""
    head = message.lstrip(": .").split(":", 1)[0]
    name = head.split(".", 1)[0].strip()
    return name if name in row else "payload"


def _known_column(column: str) -> bool:
    return (
        column in _ENVELOPE
        or column in _DERIVED
        or column in _LISTS
        or column in ("summary", "source", "payload")
        or column.startswith(("summary.", "source."))
    )


# -- reading a file -----------------------------------------------------------


def _breaks(cell: Any) -> int:
    """The line breaks inside a cell (CRLF, CR or LF), as the reader counts
    lines."""
    if isinstance(cell, list):  # (the extra cells of a long row)
        return sum(_breaks(c) for c in cell)
    text = cell or ""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _csv_rows(text: str, where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a CSV file, each with the line it starts on (a quoted
    cell may hold line breaks)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = reader.fieldnames or []
    if not header:
        raise InvalidEventError(f"{where}: line 1: expected a header row of columns")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InvalidEventError(
            f"{where}: line 1: column {repeated[0]!r} appears twice"
        )
    end = reader.line_num  # the last line read
    try:
        for row in reader:
            start = reader.line_num - sum(_breaks(v) for v in row.values())
            end = reader.line_num
            if None in row:
                raise InvalidEventError(
                    f"{where}: line {start}: more cells than columns"
                )
            if not any((v or "").strip() for v in row.values()):
                continue  # a blank line
            yield start, {k: (v or "") for k, v in row.items()}
    except csv.Error as error:
        problem = str(error)
        if "end of data" in problem or '"' in problem:
            problem = f"{problem}: is a quoted cell not closed?"
        raise InvalidEventError(f"{where}: line {end + 1}: {problem}") from None


def _jsonl_rows(text: str, where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidEventError(
                f"{where}: line {number}: not JSON at character {error.colno}: "
                f"{error.msg}"
            ) from None
        except ValueError as error:
            raise InvalidEventError(
                f"{where}: line {number}: not JSON: {error}"
            ) from None
        if not isinstance(value, dict):
            raise InvalidEventError(
                f"{where}: line {number}: expected a JSON object, got {value!r}"
            )
        yield number, value


def read_events(
    source: str | os.PathLike[str] | TextIO,
    *,
    format: EventFormat | None = None,
    recorded: datetime.date | str | None = None,
    default_type: str | None = None,
) -> list[Event]:
    """The events of a CSV or JSON Lines file (``format``: by default from
    the file name), all of them or an error naming the line and column.

    ``recorded`` is the recorded time of rows that give none (default: now,
    in UTC); ``default_type`` the type of rows that give none.

    >>> import io, timeline
    >>> @timeline.event_type("doc.brewed")
    ... class Brewed(timeline.Event):
    ...     beer: str
    ...     litres: int
    >>> rows = io.StringIO("id,type,occurred,recorded,beer,litres\\n"
    ...                    "b1,doc.brewed,about 1856,2024-01-01,Helles,300\\n")
    >>> [event] = read_events(rows, format="csv")
    >>> event.occurred, event.litres
    (UncertainDate('1856~'), 300)
    """
    _, numbered = read_numbered(
        source, format=format, recorded=recorded, default_type=default_type
    )
    return [event for _, event in numbered]


def read_numbered(
    source: str | os.PathLike[str] | TextIO,
    *,
    format: EventFormat | None = None,
    recorded: datetime.date | str | None = None,
    default_type: str | None = None,
) -> tuple[str, list[tuple[int, Event]]]:
    """:func:`read_events`, with the name of the source and each event's
    line number in it, for messages about an event the log refuses."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        fmt = _format_of(path, format)
        try:
            # newline="": a CR inside a quoted CSV cell is data, kept as is.
            with path.open(encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        except UnicodeDecodeError as error:
            raise InvalidEventError(f"{str(path)!r}: not UTF-8 text: {error}") from None
        where = str(path)
    else:
        if format is None:
            raise InvalidEventError("read_events: give format='csv' or 'jsonl'")
        fmt, text, where = format, source.read(), getattr(source, "name", "<events>")
        where = str(where)
    if recorded is None:
        when = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    elif isinstance(recorded, datetime.date):
        when = recorded.isoformat()
    else:
        when = recorded
    rows = _csv_rows(text, where) if fmt == "csv" else _jsonl_rows(text, where)
    events: list[tuple[int, Event]] = []
    for number, row in rows:
        try:
            event = _event_of(
                row, recorded=when, default_type=default_type, from_text=fmt == "csv"
            )
        except (_Bad, TimelineError) as error:
            raise InvalidEventError(f"{where}: line {number}: {error}") from None
        events.append((number, event))
    return where, events


# The log's rules name an event by its place in the batch; the column of the
# row they are about, by the start of the reason.
_IN_BATCH: Final = re.compile(
    r"event (\d+) of the batch(?: \((?:'[^']*'|\"[^\"]*\")\))?: (.*)", re.DOTALL
)
_RULE_COLUMNS: Final = (
    ("the id ", "id"),
    ("supersedes ", "supersedes"),
    ("recorded ", "recorded"),
)


def at_line(
    error: TimelineError, where: str, numbered: Sequence[tuple[int, Event]]
) -> str:
    """The message of an error the log raised on a batch read from a file
    (``event 3 of the batch ('x'): ...``), saying the file, the line and,
    where the reason is about one, the column instead; else the message."""
    found = _IN_BATCH.match(str(error))
    if found is None or not 1 <= int(found[1]) <= len(numbered):
        return str(error)
    number, event = numbered[int(found[1]) - 1]
    reason = found[2]
    column = next((c for start, c in _RULE_COLUMNS if reason.startswith(start)), None)
    if column is None:
        return f"{where}: line {number}: event {event.id!r}: {reason}"
    return f"{where}: line {number}: column {column!r}: event {event.id!r}: {reason}"


# -- writing ------------------------------------------------------------------


def _record(event: Event) -> dict[str, Any]:
    """The event as the log format writes it (a parsed record)."""
    from timeline._storage.codec import encode_event

    data: dict[str, Any] = json.loads(encode_event(event, 1))
    return data


def _bound(day: int | None) -> str:
    if day is None:
        return ""
    try:
        return from_day_number(day).isoformat()
    except TimelineError:
        return str(day)


def _text_cell(value: Any) -> str:
    """A JSON value of the log format as a cell that reads back as it."""
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    if (
        isinstance(value, list)
        and all(
            isinstance(item, str)
            and item
            and ";" not in item
            and item == item.strip()
            and not item.startswith("[")
            for item in value
        )
        and value
        and not value[0].startswith("[")
    ):
        return "; ".join(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rows(events: Sequence[Event]) -> tuple[list[str], list[dict[str, str]]]:
    records = [(event, _record(event)) for event in events]
    languages: dict[str, None] = {}
    payload_columns: dict[str, None] = {}
    sources: dict[str, None] = {}
    for _, record in records:
        for lang in record["summary"] or {}:
            languages[lang] = None
        for name in record["payload"]:
            payload_columns[name] = None
        for name, value in (record["source"] or {}).items():
            if value is not None:
                sources[name] = None
    # Plain columns where every value survives them; else the whole summary
    # or source as a JSON object in one column, which reads back the same.
    summaries = [r["summary"] for _, r in records if r["summary"]]
    plain_languages = all(
        lang and "." not in lang and all(_plain(t) for t in s.values())
        for s in summaries
        for lang in s
    )
    # Columns keep one order of languages: each summary must follow it.
    plain_languages = plain_languages and all(
        list(s) == [lang for lang in languages if lang in s] for s in summaries
    )
    plain_summary = plain_languages and list(languages) == ["und"]
    json_summary = not plain_languages
    json_source = not all(
        all(v is None or _plain(v) for v in r["source"].values())
        for _, r in records
        if r["source"]
    )
    header = ["id", "type", "occurred", "earliest", "latest", "recorded"]
    if json_summary or plain_summary:
        header.append("summary")
    else:
        header += [f"summary.{x}" for x in languages]
    if json_source:
        header.append("source")
    else:
        header += [f"source.{name}" for name in _SOURCE_FIELDS if name in sources]
    header += ["supersedes", "tags", *payload_columns]
    rows = []
    for event, record in records:
        row = {
            "id": record["id"],
            "type": record["type"],
            "occurred": record["occurred"],
            "earliest": _bound(event.occurred.earliest_day),
            "latest": _bound(event.occurred.latest_day),
            "recorded": record["recorded"],
            "supersedes": _text_cell(record["supersedes"]),
            "tags": _text_cell(record["tags"]),
        }
        summary, source = record["summary"], record["source"]
        if json_summary and summary:
            row["summary"] = json.dumps(summary, ensure_ascii=False)
        else:
            for lang, text in (summary or {}).items():
                row["summary" if plain_summary else f"summary.{lang}"] = text
        if json_source and source:
            row["source"] = json.dumps(source, ensure_ascii=False)
        else:
            for name, value in (source or {}).items():
                if name in sources:
                    row[f"source.{name}"] = _text_cell(value)
        kind = type(event)
        hints = _hints(kind)
        defaults = {a.name: a.default is not attrs.NOTHING for a in fields_of(kind)}
        for name, value in record["payload"].items():
            row[name] = _payload_cell(
                value, hints.get(name, Any), defaults.get(name, False)
            )
        rows.append(row)
    return header, rows


def _payload_cell(value: Any, hint: Any, has_default: bool) -> str:
    inner, optional = _optional(hint)
    if isinstance(value, str) and inner is str:
        if value.startswith('"') or (value == "" and (optional or has_default)):
            return json.dumps(value, ensure_ascii=False)
        return value
    if isinstance(value, str) and inner not in (str, Any, object):
        return value  # a date, an enum value: text as the reader takes it
    if isinstance(value, str) and inner is not str:
        # Any-typed text that would read back as JSON: write it as JSON.
        try:
            json.loads(value)
        except ValueError:
            return value
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list) and typing.get_origin(inner) in (
        tuple,
        list,
        frozenset,
        set,
    ):
        return _text_cell(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _text_cell(value)


def write_events(
    events: Iterable[Event],
    target: str | os.PathLike[str] | TextIO,
    *,
    format: EventFormat | None = None,
) -> None:
    """Write events as :func:`read_events` reads them: CSV with a column per
    field (and ``earliest``/``latest`` bounds columns for spreadsheets), or
    JSON Lines (one object per event, the log format's values)."""
    batch = list(events)
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        fmt = _format_of(path, format)
        with path.open("w", encoding="utf-8", newline="") as out:
            _write(batch, out, fmt)
        return
    if format is None:
        raise InvalidEventError("write_events: give format='csv' or 'jsonl'")
    _write(batch, target, format)


def _write(events: Sequence[Event], out: TextIO, fmt: EventFormat) -> None:
    if fmt == "jsonl":
        for event in events:
            record = _record(event)
            record.pop("seq")
            record.pop("v")
            record.pop("hash", None)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    header, rows = _rows(events)
    writer = csv.DictWriter(out, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


# -- publishing formats -------------------------------------------------------

TIMELINEJS_COLUMNS: Final = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)


def timelinejs_rows(slides: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """TimelineJS's Google Sheets template, a row per slide of its JSON
    format (``unique_id`` is dropped: the sheet has no column for it)."""
    rows = []
    for slide in slides:
        start = slide.get("start_date", {})
        end = slide.get("end_date", {})
        text = slide.get("text", {})
        row = dict.fromkeys(TIMELINEJS_COLUMNS, "")
        for prefix, date in (("", start), ("End ", end)):
            for part in ("year", "month", "day"):
                if part in date:
                    row[f"{prefix}{part.capitalize()}"] = str(date[part])
        row["Display Date"] = slide.get("display_date", "")
        row["Headline"] = text.get("headline", "")
        row["Text"] = text.get("text", "")
        row["Group"] = slide.get("group", "")
        rows.append(row)
    return rows


def _when(date: UncertainDate, label: str) -> dict[str, Any]:
    """A Linked Places ``when``: the event took place on one day between its
    earliest and latest day, so its start and its end both lie there."""
    bounds: dict[str, str] = {}
    if date.earliest_day is not None:
        bounds["earliest"] = _bound(date.earliest_day)
    if date.latest_day is not None:
        bounds["latest"] = _bound(date.latest_day)
    return {
        "timespans": [{"start": dict(bounds), "end": dict(bounds)}],
        "label": label,
    }


def linked_places(
    events: Iterable[Event],
    label: Callable[[Event], str],
    title: str,
    lang: Literal["en", "ja"] = "en",
) -> dict[str, Any]:
    """The events as a Linked Places (LPF v1.1) FeatureCollection: one
    feature per event, with no geometry (events here have no place) and its
    date as a ``when`` object labelled in words (``describe(lang)``); the
    EDTF is kept in ``properties.edtf``."""
    features = []
    for event in events:
        summary = event.summary.get() if isinstance(event.summary, Text) else None
        features.append(
            {
                "type": "Feature",
                "@id": event.id,
                "properties": {
                    "title": label(event),
                    "type": type(event).type_name,
                    "edtf": event.occurred.to_edtf(),
                    "summary": summary,
                },
                "geometry": None,
                "when": _when(event.occurred, event.occurred.describe(lang)),
            }
        )
    return {
        "type": "FeatureCollection",
        "@context": "https://raw.githubusercontent.com/LinkedPasts/linked-places/"
        "master/linkedplaces-context-v1.1.jsonld",
        "name": title,
        "features": features,
    }
