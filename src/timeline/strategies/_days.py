""":func:`as_of_days` and :func:`known_at_days`: query days where answers change."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from timeline._events import Event, recorded_key

# ---------------------------------------------------------------------------
# Query days.


def _check_dates(
    min_value: object, max_value: object
) -> tuple[datetime.date, datetime.date]:
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise InvalidArgument(
                f"{name}={value!r} must be a datetime.date (a query day)"
            )
    assert isinstance(min_value, datetime.date)
    assert isinstance(max_value, datetime.date)
    if min_value > max_value:
        raise InvalidArgument(
            f"min_value={min_value!r} must not be after max_value={max_value!r}"
        )
    return min_value, max_value


def _check_log(value: object, where: str) -> tuple[Event, ...]:
    if value is None:
        return ()
    message = (
        f"{where}: log={value!r} must be a timeline.Log, an iterable of events, or None"
    )
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgument(message)
    found = tuple(value)
    if not all(isinstance(item, Event) for item in found):
        raise InvalidArgument(message)
    return found


def _days_near(
    days: Iterable[int], lo: datetime.date, hi: datetime.date
) -> st.SearchStrategy[datetime.date]:
    """Mostly ``days`` (day numbers) inside [lo, hi], else any day there."""
    anywhere = st.dates(lo, hi)
    first, last = lo.toordinal(), hi.toordinal()
    inside = sorted({day for day in days if first <= day <= last})
    if not inside:
        return anywhere
    near = st.sampled_from([datetime.date.fromordinal(day) for day in inside])
    return _mostly(near, anywhere)


@st.composite
def _mostly(
    draw: st.DrawFn, common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]
) -> Any:
    """A value of ``common`` three times in four, else of ``rare``; values
    shrink to ``common``."""
    return draw(rare) if draw(st.integers(0, 3)) == 3 else draw(common)


def as_of_days(
    min_value: datetime.date = datetime.date.min,
    max_value: datetime.date = datetime.date.max,
    *,
    log: Iterable[Event] | None = None,
) -> st.SearchStrategy[datetime.date]:
    """Days to ask :meth:`timeline.Log.state` about (``as_of``), between
    ``min_value`` and ``max_value`` inclusive.

    Given a ``log`` (or any iterable of events), three draws in four are a
    day where an answer changes: an event's earliest or latest possible
    day, or the day before or after it; the rest are any day.  Values shrink
    toward the first of those days.

    >>> strategy = as_of_days(log=[])
    """
    lo, hi = _check_dates(min_value, max_value)
    days: list[int] = []
    for event in _check_log(log, "as_of_days()"):
        for bound in (event.occurred.earliest_day, event.occurred.latest_day):
            if bound is not None:
                days += (bound - 1, bound, bound + 1)
    return _days_near(days, lo, hi)


def known_at_days(
    min_value: datetime.date = datetime.date.min,
    max_value: datetime.date = datetime.date.max,
    *,
    log: Iterable[Event] | None = None,
) -> st.SearchStrategy[datetime.date]:
    """Days to give :meth:`timeline.Log.state` as ``known_at``, between
    ``min_value`` and ``max_value`` inclusive.

    Given a ``log`` (or any iterable of events), three draws in four are the
    day an event was recorded (its UTC day, for an aware datetime), or the
    day before or after it; the rest are any day.  For "the whole log", draw
    None as well: ``st.none() | known_at_days(log=log)``.

    >>> strategy = st.none() | known_at_days(log=[])
    """
    lo, hi = _check_dates(min_value, max_value)
    days: list[int] = []
    for event in _check_log(log, "known_at_days()"):
        day, _ = recorded_key(event.recorded)
        days += (day - 1, day, day + 1)
    return _days_near(days, lo, hi)
