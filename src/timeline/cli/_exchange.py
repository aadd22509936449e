"""``timeline append | export``: events in from CSV or JSON Lines, and out to
CSV, JSON Lines, a TimelineJS spreadsheet or Linked Places JSON.

The conversions are the library's (:mod:`timeline._exchange`, public as
:func:`timeline.read_events` and :func:`timeline.write_events`); this module
only reads the options.  ``append`` is all or nothing: the whole file is
read and checked before the log is opened, and the log appends the batch
atomically, so a refused append leaves the log byte for byte as it was (and
creates no file).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import timeline
from timeline._exchange import (
    at_line,
    linked_places,
    read_numbered,
    timelinejs_rows,
    write_events,
)
from timeline._render.layout import title
from timeline._render.timelinejs import timelinejs
from timeline._render.values import escape, safe_json_text
from timeline._render.words import Lang, event_label
from timeline.cli._project import (
    LOG_AS_OPTION,
    UsageError,
    add_import,
    add_log,
    is_url,
    log_given_once,
    open_any,
    prepare,
)
from timeline.cli._text import line, print_json, write
from timeline.exceptions import InvalidEventError

__all__ = ["add_commands"]

_SIDE = ("-wal", "-shm", "-journal")


def _cmd_append(args: argparse.Namespace) -> int:
    log_given_once(args)
    prepare(args)
    if args.log is None:
        raise UsageError("append: name the log (or set log = ... in timeline.toml)")
    source = args.from_file
    if source in (None, "-"):
        if args.format is None:
            raise UsageError(
                "append: reading events from standard input needs --format csv "
                "or --format jsonl (or give --from FILE)"
            )
        stream = io.StringIO(sys.stdin.read())
        stream.name = "<stdin>"
        where, numbered = read_numbered(
            stream, format=args.format, recorded=args.recorded, default_type=args.type
        )
    else:
        if not Path(source).is_file():
            what = "a folder, not a file" if Path(source).is_dir() else "no such file"
            raise UsageError(f"--from {source!r}: {what}")
        where, numbered = read_numbered(
            source, format=args.format, recorded=args.recorded, default_type=args.type
        )
    events = [event for _, event in numbered]
    if not events:
        line(f"nothing to append: {source or '<stdin>'} holds no events")
        return 0
    # A file path, or a PostgreSQL URL (which a Path would spoil: "postgresql:/").
    target: str | Path = args.log if is_url(args.log) else Path(args.log)
    existed = isinstance(target, str) or target.exists()
    try:
        with timeline.open_log(target) as log:
            last = log.append(*events)
            shown = log.path  # (a URL without its password)
    except BaseException as error:
        if not existed:  # leave no new, empty log behind
            for path in (target, *(Path(f"{target}{s}") for s in _SIDE)):
                Path(path).unlink(missing_ok=True)
        if isinstance(error, InvalidEventError):
            # The log names the event by its place in the batch: say the row.
            raise InvalidEventError(at_line(error, where, numbered)) from None
        raise
    first = last - len(events) + 1
    if first == last:
        line(f"appended 1 event to {shown} (seq {last})")
    else:
        line(f"appended {len(events)} events to {shown} (seq {first}-{last})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    log_given_once(args)
    prepare(args)
    log = open_any(args.log)
    lang: Lang = args.lang
    name = title(None if args.log is None else Path(args.log).name, lang)
    out = io.StringIO(newline="")
    if args.format in ("csv", "jsonl"):
        everything = [
            log.at(seq) for seq in range(1, log.count_known_at(args.known_at) + 1)
        ]
        write_events(everything, out, format=args.format)
    elif args.format == "timelinejs":
        slides = timelinejs(log, known_at=args.known_at, lang=lang, title=name)
        rows = timelinejs_rows(slides["events"])
        writer = csv.DictWriter(out, list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        data = linked_places(
            log.timeline(args.known_at),
            lambda event: event_label(event, lang, short=False),
            name,
            lang,
        )
        if args.out in (None, "-"):
            print_json(data)
            return 0
        import json

        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    text = out.getvalue()
    if args.out in (None, "-"):
        write(_shown(text, args.format))
        return 0
    Path(args.out).write_text(text, encoding="utf-8", newline="")
    line(f"wrote {args.out} ({args.format}, {len(text.splitlines())} lines)")
    return 0


def _shown(text: str, fmt: str) -> str:
    """An export on standard output, where a record's control characters
    must not reach a terminal raw: JSON Lines with them as ``\\u`` escapes
    (the same values); CSV, which has no escapes, exact when it goes to a
    file or a pipe and with every cell escaped (:func:`escape`) on a
    terminal, as ``ls`` shows odd file names."""
    if fmt == "jsonl":
        return safe_json_text(text)
    if fmt not in ("csv", "timelinejs") or not sys.stdout.isatty():
        return text
    rows = csv.reader(io.StringIO(text, newline=""))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(
        [escape(cell) for cell in row] for row in rows
    )
    return out.getvalue()


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    append = commands.add_parser(
        "append",
        help="append events from a CSV or JSON Lines file, all or nothing",
        description="Append the events of a CSV file (one event a row, a column "
        "per field) or a JSON Lines file (one event an object) to a log, "
        "creating it if needed. Dates are read as people write them ('about "
        "1856', 'between 1884 and 1886', 'before 1914'). All or nothing: a bad "
        "row names its line and column, and the log is left as it was. "
        "Columns: id, type (or --type), occurred; optionally recorded (default: "
        "now), summary, tags and supersedes (';'-separated), source.title, "
        "source.url, source.publisher, source.published, source.confidence; "
        "then one per payload field of the types --import registers.",
    )
    append.add_argument(
        "log", nargs="?", help="the log (.jsonl or .sqlite; default: the project's)"
    )
    add_log(append, dest="log_named", text=LOG_AS_OPTION)
    append.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="the events: FILE.csv or FILE.jsonl ('-' or nothing: standard input)",
    )
    append.add_argument(
        "--format",
        choices=("csv", "jsonl"),
        help="the input's format (default: its suffix)",
    )
    append.add_argument(
        "--type", metavar="NAME", help="the event type of rows that name none"
    )
    append.add_argument(
        "--recorded",
        metavar="WHEN",
        help="when the log learned of rows that say nothing (ISO 8601; default: now)",
    )
    add_import(append)
    append.set_defaults(run=_cmd_append)

    export = commands.add_parser(
        "export",
        help="write a log's events as CSV, JSON Lines, a TimelineJS sheet or "
        "Linked Places JSON",
        description="Write the events of a log: csv (a column per field, with "
        "earliest/latest bounds; `timeline append` reads it back as the same "
        "events), jsonl, timelinejs (TimelineJS's spreadsheet columns) or "
        "linked-places (a Linked Places FeatureCollection, dates as 'when').",
    )
    export.add_argument(
        "log", nargs="?", help="the log (default: the project's, else the bundled one)"
    )
    add_log(export, dest="log_named", text=LOG_AS_OPTION)
    export.add_argument(
        "--format",
        choices=("csv", "jsonl", "timelinejs", "linked-places"),
        default="csv",
        help="what to write (default: csv)",
    )
    export.add_argument(
        "-o", "--output", dest="out", metavar="OUT", help="the file (default: stdout)"
    )
    export.add_argument(
        "--known-at",
        metavar="DAY",
        help="only what the log knew on DAY (default: the whole log)",
    )
    export.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of labels"
    )
    add_import(export)
    export.set_defaults(run=_cmd_export)
