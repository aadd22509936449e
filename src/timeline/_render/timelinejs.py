"""Export to TimelineJS's JSON format (Knight Lab's TimelineJS3), for users
who already publish with it.

TimelineJS has dates of year, month or day precision and nothing to say
that a date is uncertain, so the uncertainty travels in ``display_date``
(:meth:`~timeline.UncertainDate.describe`: "June 2024", "before 14 July
2025"), and a correction's text names
the claim it corrects.  Needs no plotting library.

>>> from timeline.dataset import open_bundled
>>> data = timelinejs(open_bundled(), known_at="2025-07-14")
>>> slide = next(s for s in data["events"] if s["unique_id"] == "prog-treaty-in-force")
>>> slide["start_date"], slide["display_date"]
({'year': 2024, 'month': 12}, 'December 2024')
"""

from __future__ import annotations

import datetime
from typing import Any

import timeline
from timeline import Point, Precision, UncertainDate
from timeline._log import as_day
from timeline._render.layout import LaneOf, default_lanes, lane_label
from timeline._render.values import escape, escape_html
from timeline._render.words import Lang, event_label, say

__all__ = ["timelinejs"]


def _date_object(point: Point, *, end: bool = False) -> dict[str, Any]:
    """A TimelineJS date object of one EDTF date, at its precision; a
    season or a coarser date becomes its first (``end``: last) day."""
    precision = point.precision
    if precision in (Precision.DAY, Precision.MONTH, Precision.YEAR):
        out: dict[str, Any] = {"year": point.year}
        if point.month is not None and not point.month_unspecified:
            out["month"] = point.month
        if point.day is not None and not point.day_unspecified:
            out["day"] = point.day
        return out
    day = timeline.from_day_number(point.last_day if end else point.first_day)
    return {"year": day.year, "month": day.month, "day": day.day}


def _dates(date: UncertainDate) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``start_date`` and ``end_date`` (or None) of a slide."""
    start, end = date.start, date.end
    if not date.is_interval:
        assert isinstance(start, Point)
        if start.precision in (Precision.DAY, Precision.MONTH, Precision.YEAR):
            return _date_object(start), None
        return _date_object(start), _date_object(start, end=True)
    if isinstance(start, Point) and isinstance(end, Point):
        return _date_object(start), _date_object(end, end=True)
    # One open or unknown end: the known end is the date TimelineJS shows.
    known = end if isinstance(end, Point) else start
    assert isinstance(known, Point)
    return _date_object(known, end=known is end), None


def _text(event: timeline.Event, log: timeline.Log, lang: Lang, count: int) -> str:
    parts: list[str] = []
    if event.summary is not None:
        parts.append(escape_html(event.summary.get(lang)))
    source = event.source
    if source is not None:
        title = escape_html(source.title)
        if source.url:
            url = escape_html(source.url)
            title = f'<a href="{url}">{title}</a>'
        details = [source.publisher] if source.publisher else []
        if source.published is not None:
            details.append(source.published.describe(lang))
        extra = f" ({escape_html(', '.join(details))})" if details else ""
        parts.append(f"{say('source_h', lang)}: {title}{extra}")
    corrected = [
        log.get(i) for i in event.supersedes if i in log and log.seq(i) <= count
    ]
    for old in corrected:
        claim = old.summary.get(lang) if old.summary is not None else old.id
        when = old.occurred.describe(lang)
        recorded = say("recorded", lang, day=old.recorded.isoformat())
        word = "訂正前の主張" if lang == "ja" else "Corrects the earlier claim"
        parts.append(f"{word} ({recorded}, {escape_html(when)}): {escape_html(claim)}")
    return "<p>" + "</p><p>".join(parts) + "</p>"


def timelinejs(
    log: timeline.Log,
    *,
    known_at: datetime.date | str | None = None,
    lang: Lang = "en",
    title: str | None = None,
    lanes: LaneOf | None = None,
) -> dict[str, Any]:
    """The events known on ``known_at`` (default: the whole log, corrected)
    as a TimelineJS JSON object: one slide per event, grouped by lane."""
    known = None if known_at is None else as_day(known_at, "known_at")
    count = log.count_known_at(known)
    lane_of = default_lanes(log) if lanes is None else lanes
    slides: list[dict[str, Any]] = []
    for event in log.timeline(known):
        start, end = _dates(event.occurred)
        slide: dict[str, Any] = {
            "unique_id": event.id,
            "start_date": start,
            "display_date": event.occurred.describe(lang),
            "text": {
                "headline": escape_html(event_label(event, lang, short=False)),
                "text": _text(event, log, lang, count),
            },
            "group": escape(lane_label(lane_of(event), lang)),
        }
        if end is not None:
            slide["end_date"] = end
        slides.append(slide)
    record = say("current", lang) if known is None else say("known_on", lang, day=known)
    heading = title if title is not None else say("title_bundled", lang)
    return {
        "title": {
            "text": {
                "headline": escape_html(heading),
                "text": f"<p>{escape_html(record)}</p>",
            }
        },
        "events": slides,
        "scale": "human",
    }
