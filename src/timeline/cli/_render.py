"""``timeline render``: draw the timeline as a chart (SVG, PNG), a
self-contained HTML page, or export it to TimelineJS JSON.

The chart and the page need matplotlib, the ``timeline-ledger[plot]`` extra;
without it the command says so in one line and exits with status 2.  The
TimelineJS export needs nothing more.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Final

from timeline._log import as_day
from timeline._render import FORMATS, Format, render
from timeline._render.layout import (
    LaneOf,
    by_tag,
    by_type,
    checked,
    default_as_of,
    is_bundled,
    lane_key,
    title,
)
from timeline._render.words import Lang, say
from timeline.cli._project import (
    UsageError,
    add_import,
    add_projection,
    import_module,
    open_any,
    prepare,
    resolve_projection,
)
from timeline.cli._text import flush, line, write
from timeline.dataset import PROGRAMME_DAY, Relationship

__all__ = ["add_commands"]

_SUFFIXES: Final[dict[str, Format]] = {
    ".svg": "svg",
    ".png": "png",
    ".html": "html",
    ".htm": "html",
    ".json": "timelinejs",
}


def _format(out: str, wanted: str | None) -> Format:
    if wanted is not None:
        for fmt in FORMATS:
            if fmt == wanted:
                return fmt
    suffix = Path(out).suffix.lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        raise UsageError(
            f"-o {out!r}: expected a file name ending in .svg, .png or .html "
            "(or --format timelinejs)"
        )
    return found


_LANES: Final[dict[str, LaneOf]] = {
    "type": by_type,
    "tag": by_tag,
    "facet": lane_key,
}


def _lanes(spec: str | None) -> LaneOf | None:
    """The lane function ``--lanes`` names: type, tag, facet (the bundled
    timeline's), or a function MODULE:FUNC taking an event."""
    if spec is None:
        return None
    known = _LANES.get(spec)
    if known is not None:
        return known
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(
            f"--lanes {spec!r}: expected type, tag, facet or MODULE:FUNC (a "
            "function taking an event and giving its lane's name)"
        )
    module = import_module(module_name, "--lanes")
    function = getattr(module, attr, None)
    if not callable(function):
        what = "nothing" if function is None else f"a {type(function).__name__}"
        raise UsageError(
            f"--lanes {spec}: expected a function of module {module_name!r}, "
            f"found {what}"
        )
    return checked(function)


def _cmd_render(args: argparse.Namespace) -> int:
    fmt = _format(args.out, args.format)
    if args.out == "-" and fmt == "png":
        raise UsageError("-o -: a PNG is written to a file, not to standard output")
    # The days are read first: a bad one is an error whatever the format.
    prepare(args)
    log = open_any(args.log)
    lang: Lang = args.lang
    as_of = args.as_of or default_as_of(log, args.known_at)
    bundled = args.log is None
    if args.known_at is not None:
        alt, alt_label = args.known_at, say("known_on", lang, day=args.known_at)
    elif bundled:
        alt, alt_label = PROGRAMME_DAY, say("programme", lang, day=PROGRAMME_DAY)
    else:
        # (the day of the first record: recorded values may be dates or
        # times, which do not compare)
        first = min((as_day(e.recorded, "recorded") for e in log), default=None)
        alt = PROGRAMME_DAY if first is None else first.isoformat()
        alt_label = say("known_on", lang, day=alt)
    lanes = _lanes(args.lanes)
    if fmt != "timelinejs":
        # matplotlib imports numpy, whose OpenBLAS starts a thread and a
        # buffer per core; a chart needs no linear algebra, and under a
        # memory limit (ulimit -v) OpenBLAS would abort the process with its
        # own message rather than fail an allocation.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.projection is not None:
        projection = resolve_projection(args.projection)
        bundled_page = projection is Relationship
    else:
        projection = None
        bundled_page = is_bundled(log)
    data = render(
        log,
        fmt,
        lanes=lanes,
        projection=projection,
        bundled=bundled_page,
        as_of=as_of,
        known_at=args.known_at,
        alt_known_at=alt,
        alt_label=alt_label,
        lang=lang,
        title=title(None if bundled else Path(args.log).name, lang),
    )
    if args.out == "-":
        write(data)
        flush()
        return 0
    target = Path(args.out)
    target.write_bytes(data)
    line(f"wrote {target} ({fmt}, {len(data):,} bytes)")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    render_cmd = commands.add_parser(
        "render",
        help="draw the timeline: SVG, PNG, a self-contained HTML page, TimelineJS",
        description="Draw the timeline with a lane per event type (per facet "
        "for the bundled timeline; --lanes), each event at its date with its "
        "uncertainty visible, superseded claims beside their correction and "
        "the as-of day as a line (.svg, .png); or write a self-contained HTML "
        "page with a date slider and the state of the projection (--projection; "
        "the bundled relationship for the bundled timeline) (.html); or export "
        "TimelineJS JSON (--format timelinejs).  Your own log: --log PATH "
        "--import MODULE.  SVG, PNG and HTML need: pip install "
        "'timeline-ledger[plot]'.",
    )
    render_cmd.add_argument(
        "-o",
        "--output",
        dest="out",
        metavar="OUT",
        required=True,
        help="the file to write: .svg, .png, .html (or .json with --format "
        "timelinejs; '-' for standard output)",
    )
    render_cmd.add_argument(
        "--as-of",
        metavar="DAY",
        help="the day drawn as a line, and the page's first day (default: the "
        "last day the record's dates reach)",
    )
    render_cmd.add_argument(
        "--known-at",
        metavar="DAY",
        help="draw the record as known on DAY; on the HTML page, the record "
        "the switch shows (default there: the programme's, 2025-07-14, for the "
        "bundled timeline; for your own log, the day of its first record)",
    )
    render_cmd.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="language of the labels (default: en)",
    )
    render_cmd.add_argument(
        "--format",
        choices=FORMATS,
        help="the output format (default: from OUT's suffix; timelinejs: "
        "TimelineJS JSON)",
    )
    render_cmd.add_argument(
        "--log",
        metavar="PATH",
        help="the log to read (.jsonl or .sqlite); default: the bundled timeline",
    )
    render_cmd.add_argument(
        "--lanes",
        metavar="BY",
        help="a lane per: type (event type; the default for your own log), tag "
        "(first tag), facet (the bundled timeline's facets; its default), or "
        "MODULE:FUNC, a function giving an event's lane",
    )
    add_import(render_cmd)
    add_projection(render_cmd)
    render_cmd.set_defaults(run=_cmd_render)
