"""Rendering timelines: a chart (SVG, PNG), a self-contained HTML page, and
a TimelineJS export.  Private: the command ``timeline render`` is the
interface (:mod:`timeline.cli._render`), and matplotlib (the
``timeline-ledger[plot]`` extra) is imported only when a chart is drawn.

- :mod:`~timeline._render.words`: dates, amounts and labels in English and
  Japanese;
- :mod:`~timeline._render.layout`: lanes, rows and marks (no drawing);
- :mod:`~timeline._render.chart`: the chart, drawn with matplotlib;
- :mod:`~timeline._render.html`: the page; :mod:`~timeline._render.facets`
  the state beside it;
- :mod:`~timeline._render.timelinejs`: the TimelineJS export.
"""

from __future__ import annotations

import datetime
from typing import Any, Final, Literal

import timeline
from timeline._render import chart
from timeline._render.layout import LaneOf, build_layout
from timeline._render.timelinejs import timelinejs
from timeline._render.values import safe_json
from timeline._render.words import Lang

__all__ = ["FORMATS", "Format", "render"]

Format = Literal["svg", "png", "html", "timelinejs"]
FORMATS: Final[tuple[Format, ...]] = ("svg", "png", "html", "timelinejs")


def render(
    log: timeline.Log,
    fmt: Format,
    *,
    as_of: datetime.date | str,
    known_at: datetime.date | str | None = None,
    alt_known_at: datetime.date | str | None = None,
    alt_label: str | None = None,
    lang: Lang = "en",
    title: str,
    lanes: LaneOf | None = None,
    projection: timeline.Projection[Any] | None = None,
    bundled: bool = True,
) -> bytes:
    """The rendering of ``log`` in ``fmt``, as bytes.

    ``known_at`` is the record drawn (SVG, PNG) or exported (TimelineJS);
    the HTML page shows the current record and switches to the one known on
    ``alt_known_at`` (named ``alt_label``), with the state of ``projection``
    beside it (the bundled relationship's own table when ``bundled``).
    ``lanes`` puts each event in its lane (default: the bundled facets for
    the bundled timeline's events, else a lane per event type)."""
    if fmt == "timelinejs":
        data = timelinejs(log, known_at=known_at, lang=lang, title=title, lanes=lanes)
        return (safe_json(data, indent=2) + "\n").encode("utf-8")
    chart.require_matplotlib()
    if fmt == "html":
        from timeline._render.html import bundled_panel, generic_panel, render_html

        if alt_known_at is None or alt_label is None:
            raise ValueError("the HTML page needs alt_known_at and alt_label")
        page = render_html(
            log,
            as_of=as_of,
            alt_known_at=alt_known_at,
            alt_label=alt_label,
            lang=lang,
            title=title,
            lanes=lanes,
            panel=bundled_panel(lang) if bundled else generic_panel(projection, lang),
        )
        return page.encode("utf-8")
    geometry = chart.DEFAULT_FRAME.geometry(lang)
    layout = build_layout(
        log, as_of=as_of, known_at=known_at, lang=lang, geometry=geometry, lanes=lanes
    )
    frame = chart.frame_of(layout)
    return chart.save(layout, frame, title, fmt)
