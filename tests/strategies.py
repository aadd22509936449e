"""Hypothesis strategies and a naive model for the event, log and replay tests.

Everything here is written from the spec (issue 3), not from the code:

- :func:`uncertain_dates` draws dates of every kind: exact days, months,
  seasons, years, decades, centuries, millennia, unspecified months and days,
  qualified dates, closed intervals of mixed precision, open and unknown
  starts (``../X``, ``/X``), open and unknown ends (``X/..``, ``X/``),
  day-to-day spans of widths around a month, season, year, decade and
  century, now and then a year far outside 1-9999, and now and then
  whatever :func:`timeline.strategies.uncertain_dates` draws.  Years
  cluster in a narrow window so that bounds collide and ties in the fold
  order are common.
- :func:`new_events` draws a valid continuation of a log: fresh ids,
  non-decreasing ``recorded``, late arrivals, supersessions and retractions
  pointing backwards.
- :func:`bad_batches` draws a batch the log must reject, with the one bad
  event anywhere in it.
- :func:`expected` is the naive definition of an as-of answer, computed from
  scratch: the oracle every indexed, checkpointed answer is compared with.
"""

from __future__ import annotations

import datetime
import enum
import itertools
import random
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

import timeline
from timeline import End, Event, Point, Projection, Qualifier, Retraction, UncertainDate
from timeline.strategies import uncertain_dates as library_dates

__all__ = [
    "BASE_RECORDED",
    "SELECTIVE",
    "TRACE",
    "Counted",
    "Expected",
    "Ignored",
    "Noted",
    "Special",
    "bad_batches",
    "check_state",
    "event_logs",
    "expected",
    "new_events",
    "queries",
    "random_batch",
    "recorded_day",
    "uncertain_dates",
]


# -- event types --------------------------------------------------------


@timeline.event_type("tests.noted")
class Noted(Event):
    """A plain domain event."""


@timeline.event_type("tests.counted")
class Counted(Event):
    by: int = 1


@timeline.event_type("tests.special")
class Special(Noted):
    """A registered subclass: dispatches to a ``Noted`` handler."""

    level: int = 0


@timeline.event_type("tests.ignored")
class Ignored(Event):
    """No projection below handles it (except through ``Event``)."""


# -- projections --------------------------------------------------------

#: Records the exact sequence of event ids it folded, so that a wrong set
#: of events or a wrong order shows.
TRACE: Projection[tuple[str, ...]] = Projection(initial=(), name="trace")


@TRACE.on(Event)
def _trace(state: tuple[str, ...], event: Event) -> tuple[str, ...]:
    return (*state, event.id)


#: Handles Noted (so Special, through its base) and Counted; ignores Ignored
#: and Retraction.  A Counted event with ``by == 0`` leaves the state as it is.
SELECTIVE: Projection[tuple[str, ...]] = Projection(initial=(), name="selective")


@SELECTIVE.on(Noted)
def _noted(state: tuple[str, ...], event: Noted) -> tuple[str, ...]:
    return (*state, event.id)


@SELECTIVE.on(Counted)
def _counted(state: tuple[str, ...], event: Counted) -> tuple[str, ...]:
    return state if event.by == 0 else (*state, event.id)


def selective_ids(events: Sequence[Event]) -> tuple[str, ...]:
    """What SELECTIVE folds to, computed without it."""
    return tuple(
        e.id
        for e in events
        if isinstance(e, Noted) or (isinstance(e, Counted) and e.by != 0)
    )


# -- uncertain dates ----------------------------------------------------

_MIN_DAY = datetime.date.min.toordinal()
_MAX_DAY = datetime.date.max.toordinal()
WINDOW = (1999, 2002)
_FAR_YEARS = (-44, 0, 1, 9999, 10000, 170000002)


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    first = datetime.date(year, month, 1)
    return (datetime.date(year, month + 1, 1) - first).days


class Kind(enum.Enum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    CENTURY = "century"
    MILLENNIUM = "millennium"
    MONTH_X = "month_x"
    DAY_X = "day_x"


@st.composite
def points(draw: st.DrawFn, *, with_time: bool = False) -> Point:
    """One written date of any precision, in the window (or, rarely, far out)."""
    far = draw(st.integers(0, 19)) == 0
    year = draw(st.sampled_from(_FAR_YEARS) if far else st.integers(*WINDOW))
    qualifier = draw(
        st.sampled_from(
            [Qualifier.NONE] * 3
            + [
                Qualifier.UNCERTAIN,
                Qualifier.APPROXIMATE,
                Qualifier.UNCERTAIN_APPROXIMATE,
            ]
        )
    )
    if not 1 <= year <= 9999:
        return Point(year, qualifier=qualifier)  # a year alone
    kind = draw(st.sampled_from(Kind))
    if kind is Kind.YEAR:
        return Point(year, qualifier=qualifier)
    if kind in (Kind.DECADE, Kind.CENTURY, Kind.MILLENNIUM):
        digits = {Kind.DECADE: 1, Kind.CENTURY: 2, Kind.MILLENNIUM: 3}[kind]
        return Point(
            year - year % 10**digits,
            qualifier=qualifier,
            unspecified_year_digits=digits,
        )
    if kind is Kind.MONTH_X:
        return Point(year, qualifier=qualifier, month_unspecified=True)
    if kind is Kind.SEASON:
        return Point(year, draw(st.integers(21, 24)), qualifier=qualifier)
    month = draw(st.integers(1, 12))
    if kind is Kind.MONTH:
        return Point(year, month, qualifier=qualifier)
    if kind is Kind.DAY_X:
        return Point(year, month, qualifier=qualifier, day_unspecified=True)
    length = _month_length(year, month)
    day = draw(st.one_of(st.sampled_from([1, 15, length]), st.integers(1, length)))
    if with_time and qualifier is Qualifier.NONE and draw(st.integers(0, 4)) == 0:
        return Point(year, month, day, time=draw(st.sampled_from(["10:00:00Z"])))
    return Point(year, month, day, qualifier=qualifier)


class Shape(enum.Enum):
    SINGLE = "X"
    CLOSED = "X/Y"
    OPEN_START = "../X"
    UNKNOWN_START = "/X"
    OPEN_END = "X/.."
    UNKNOWN_END = "X/"
    SPAN = "day/day+width"
    LIBRARY = "timeline.strategies.uncertain_dates"


#: Widths (latest minus earliest day) around those an implementation may
#: bucket by: a month, a season, a year, a decade, a century.
WIDTHS = (1, 30, 31, 32, 91, 92, 93, 365, 366, 367, 3652, 3653, 3654)
WIDTHS += (36524, 36525, 36526, 36527)


@st.composite
def uncertain_dates(draw: st.DrawFn) -> UncertainDate:
    """An UncertainDate of any kind (see the module docstring)."""
    shape = draw(
        st.sampled_from(
            [Shape.SINGLE] * 4
            + [Shape.CLOSED] * 2
            + [Shape.OPEN_START, Shape.UNKNOWN_START, Shape.OPEN_END]
            + [Shape.UNKNOWN_END, Shape.SPAN, Shape.LIBRARY]
        )
    )
    if shape is Shape.LIBRARY:
        # The library's own strategy, near the window or anywhere at all.
        near = (
            datetime.date(WINDOW[0] - 5, 1, 1),
            datetime.date(WINDOW[1] + 5, 12, 31),
        )
        return draw(library_dates(*near) | library_dates(None, None))
    if shape is Shape.SPAN:
        start = draw(
            st.dates(datetime.date(WINDOW[0], 1, 1), datetime.date(WINDOW[1], 12, 31))
        )
        end = start + datetime.timedelta(days=draw(st.sampled_from(WIDTHS)))
        return UncertainDate.between(
            UncertainDate.from_date(start), UncertainDate.from_date(end)
        )
    if shape is Shape.SINGLE:
        return UncertainDate.from_point(draw(points(with_time=True)))
    first = draw(points())
    if shape is Shape.CLOSED:
        second = draw(points())
        if second.last_day < first.first_day:
            first, second = second, first
        return UncertainDate(first, second, is_interval=True)
    if shape is Shape.OPEN_START:
        return UncertainDate(End.OPEN, first, is_interval=True)
    if shape is Shape.UNKNOWN_START:
        return UncertainDate(End.UNKNOWN, first, is_interval=True)
    if shape is Shape.OPEN_END:
        return UncertainDate(first, End.OPEN, is_interval=True)
    return UncertainDate(first, End.UNKNOWN, is_interval=True)


# -- recorded times -----------------------------------------------------

BASE_RECORDED = datetime.date(2024, 1, 1)


def recorded_day(event: Event) -> datetime.date:
    """The calendar day an event was recorded on."""
    value = event.recorded
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _recorded_key(value: datetime.date) -> tuple[datetime.date, datetime.time]:
    if isinstance(value, datetime.datetime):
        return value.date(), value.time()
    return value, datetime.time.min


@st.composite
def _next_recorded(draw: st.DrawFn, last: datetime.date | None) -> datetime.date:
    """A recorded time not earlier than ``last``: usually a date, at times a
    (naive) datetime; often the same day, so that known_at splits days."""
    if last is None:
        day, after = BASE_RECORDED, datetime.time.min
    else:
        day, after = _recorded_key(last)
    delta = draw(st.sampled_from([0, 0, 1, 1, 2, 5]))
    day += datetime.timedelta(days=delta)
    keep_time = delta == 0 and isinstance(last, datetime.datetime)
    if keep_time or draw(st.integers(0, 4)) == 0:
        floor = after.hour * 3600 + after.minute * 60 + after.second if keep_time else 0
        seconds = draw(st.integers(floor, min(floor + 7200, 86399)))
        return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
            seconds=seconds
        )
    return day


# -- events -------------------------------------------------------------


def _late_day(prior: Sequence[Event]) -> int | None:
    """A day number earlier than every day any prior event may be."""
    days = [
        e.occurred.earliest_day
        for e in prior
        if e.occurred.earliest_day is not None
        and 1000 < e.occurred.earliest_day <= _MAX_DAY
    ]
    return min(days) if days else None


_KINDS = ("noted", "noted", "counted", "counted", "special", "ignored", "retr")


@st.composite
def new_events(
    draw: st.DrawFn,
    prior: Sequence[Event] = (),
    *,
    min_size: int = 0,
    max_size: int = 8,
) -> list[Event]:
    """Valid events to append after ``prior`` (the log so far, in append order).

    Ids are fresh, ``recorded`` never goes back, some events arrive late
    (valid time before everything already logged), some supersede earlier
    events, and some are Retractions.
    """
    size = draw(st.integers(min_size, max_size))
    made: list[Event] = []
    last = prior[-1].recorded if prior else None
    taken = {e.id for e in prior}
    for _ in range(size):
        before = [*prior, *made]
        number = len(before) + 1
        while f"e{number}" in taken:
            number += 1
        event_id = f"e{number}"
        taken.add(event_id)
        recorded = draw(_next_recorded(last))
        last = recorded
        late = _late_day(before)
        if late is not None and draw(st.integers(0, 7)) == 0:
            occurred = UncertainDate.from_date(
                datetime.date.fromordinal(late - draw(st.integers(1, 400)))
            )
        else:
            occurred = draw(uncertain_dates())
        ids = [e.id for e in before]
        kind = draw(st.sampled_from(_KINDS))
        if kind == "retr" and not ids:
            kind = "noted"
        supersedes: tuple[str, ...] = ()
        if ids and (kind == "retr" or draw(st.integers(0, 3)) == 0):
            supersedes = tuple(
                draw(
                    st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)
                )
            )
        envelope: dict[str, Any] = {
            "id": event_id,
            "occurred": occurred,
            "recorded": recorded,
            "supersedes": supersedes,
        }
        event: Event
        if kind == "noted":
            event = Noted(**envelope)
        elif kind == "counted":
            event = Counted(**envelope, by=draw(st.integers(0, 3)))
        elif kind == "special":
            event = Special(**envelope, level=draw(st.integers(0, 3)))
        elif kind == "ignored":
            event = Ignored(**envelope)
        else:
            event = Retraction(**envelope, reason=draw(st.none() | st.just("wrong")))
        made.append(event)
    return made


def event_logs(
    *, min_size: int = 0, max_size: int = 12
) -> st.SearchStrategy[list[Event]]:
    """A whole valid log, in append order."""
    return new_events((), min_size=min_size, max_size=max_size)


@st.composite
def batches(draw: st.DrawFn, events: Sequence[Event]) -> list[list[Event]]:
    """``events`` cut into consecutive batches (some of them empty)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(events)), max_size=5)))
    bounds = [0, *cuts, len(events)]
    return [list(events[a:b]) for a, b in itertools.pairwise(bounds)]


def random_batch(
    rng: random.Random,
    pool: Sequence[UncertainDate],
    prior: Sequence[Event],
    size: int,
) -> list[Event]:
    """A large valid batch, cheaply: dates from ``pool``, the rest from ``rng``.

    For bulk appends (hundreds of events) drawing every field through
    hypothesis would be slow; the pool still comes from :func:`uncertain_dates`.
    """
    made: list[Event] = []
    taken = {e.id for e in prior}
    last = prior[-1].recorded if prior else BASE_RECORDED
    day, _ = _recorded_key(last)
    if isinstance(last, datetime.datetime):
        day += datetime.timedelta(days=1)
    for i in range(size):
        event_id = f"b{len(prior) + i}"
        while event_id in taken:
            event_id += "x"
        taken.add(event_id)
        if rng.random() < 0.2:
            day += datetime.timedelta(days=1)
        ids = [e.id for e in (*prior, *made)]
        supersedes: tuple[str, ...] = ()
        if ids and rng.random() < 0.15:
            supersedes = tuple(rng.sample(ids, k=min(len(ids), rng.randint(1, 2))))
        envelope: dict[str, Any] = {
            "id": event_id,
            "occurred": rng.choice(pool),
            "recorded": day,
            "supersedes": supersedes,
        }
        event: Event
        roll = rng.random()
        if supersedes and roll < 0.3:
            event = Retraction(**envelope)
        elif roll < 0.55:
            event = Noted(**envelope)
        elif roll < 0.8:
            event = Counted(**envelope, by=rng.randint(0, 2))
        elif roll < 0.9:
            event = Special(**envelope)
        else:
            event = Ignored(**envelope)
        made.append(event)
    return made


# -- batches the log must reject -----------------------------------------


@attrs.frozen
class Unregistered(Noted):
    """A subclass of a registered type, never declared with @event_type."""


class Bad(enum.Enum):
    ID_IN_LOG = "an id already in the log"
    ID_IN_BATCH = "an id twice in the batch"
    SUPERSEDES_UNKNOWN = "supersedes an id nowhere"
    SUPERSEDES_LATER = "supersedes an id later in the batch"
    BACK_DATED = "recorded earlier than the log's latest"
    NOT_AN_EVENT = "not an Event"
    UNREGISTERED = "an undeclared Event subclass"


@st.composite
def bad_batches(draw: st.DrawFn, prior: Sequence[Event]) -> tuple[list[Any], Bad, int]:
    """A batch to append after ``prior`` with exactly one bad item in it,
    at any position; returns (batch, what is wrong, index of the bad item)."""
    batch: list[Any] = draw(new_events(prior, min_size=1, max_size=5))
    index = draw(st.integers(0, len(batch) - 1))
    before = [*prior, *batch[:index]]
    possible = [Bad.SUPERSEDES_UNKNOWN, Bad.NOT_AN_EVENT, Bad.UNREGISTERED]
    if prior:
        possible.append(Bad.ID_IN_LOG)
    if index > 0:
        possible.append(Bad.ID_IN_BATCH)
    if index < len(batch) - 1:
        possible.append(Bad.SUPERSEDES_LATER)
    latest = max((_recorded_key(e.recorded) for e in before), default=None)
    if latest is not None and latest[0] > datetime.date(1, 1, 1):
        possible.append(Bad.BACK_DATED)
    bad = draw(st.sampled_from(possible))
    good = batch[index]
    envelope: dict[str, Any] = {
        "id": good.id,
        "occurred": good.occurred,
        "recorded": good.recorded,
    }
    item: Any
    if bad is Bad.ID_IN_LOG:
        item = Noted(**{**envelope, "id": draw(st.sampled_from([e.id for e in prior]))})
    elif bad is Bad.ID_IN_BATCH:
        item = Noted(
            **{**envelope, "id": draw(st.sampled_from([e.id for e in batch[:index]]))}
        )
    elif bad is Bad.SUPERSEDES_UNKNOWN:
        item = Noted(**envelope, supersedes=("no-such-event",))
    elif bad is Bad.SUPERSEDES_LATER:
        later = draw(st.sampled_from([e.id for e in batch[index + 1 :]]))
        item = Noted(**envelope, supersedes=(later,))
    elif bad is Bad.BACK_DATED:
        assert latest is not None
        item = Noted(**{**envelope, "recorded": latest[0] - datetime.timedelta(days=1)})
    elif bad is Bad.NOT_AN_EVENT:
        item = draw(st.sampled_from([None, "e1", envelope, good.occurred]))
    else:
        item = Unregistered(**envelope)
    batch[index] = item
    return batch, bad, index


# -- the naive model ------------------------------------------------------

_INF = float("inf")


def counted(events: Sequence[Event], known_at: datetime.date | None) -> list[Event]:
    """The events of a log (in append order) counted as known on ``known_at``:
    those recorded on or before that day, minus those superseded by one of them."""
    known = [e for e in events if known_at is None or recorded_day(e) <= known_at]
    superseded = {target for e in known for target in e.supersedes}
    return [e for e in known if e.id not in superseded]


def in_fold_order(events: Sequence[Event], order: Sequence[Event]) -> list[Event]:
    """``events`` sorted by latest day (open/unknown end last), then earliest
    day (open start first), then position in ``order`` (the append order)."""
    seq = {id(e): i for i, e in enumerate(order)}

    def key(e: Event) -> tuple[float, float, int]:
        lo, hi = e.occurred.earliest_day, e.occurred.latest_day
        return (_INF if hi is None else hi, -_INF if lo is None else lo, seq[id(e)])

    return sorted(events, key=key)


@attrs.frozen
class Expected:
    certain: list[Event]
    possible: list[Event]
    pending: list[Event]


def expected(
    events: Sequence[Event], as_of: datetime.date, known_at: datetime.date | None
) -> Expected:
    """The as-of answer by its definition, from scratch (no index, no checkpoint)."""
    day = as_of.toordinal()
    ordered = in_fold_order(counted(events, known_at), events)
    certain = [
        e
        for e in ordered
        if e.occurred.latest_day is not None and e.occurred.latest_day <= day
    ]
    possible = [
        e
        for e in ordered
        if e.occurred.earliest_day is None or e.occurred.earliest_day <= day
    ]
    in_certain = {id(e) for e in certain}
    pending = [e for e in possible if id(e) not in in_certain]
    return Expected(certain, possible, pending)


def ids(events: Sequence[Event]) -> tuple[str, ...]:
    return tuple(e.id for e in events)


def check_state(
    log: timeline.Log,
    events: Sequence[Event],
    as_of: datetime.date,
    known_at: datetime.date | None,
) -> None:
    """Assert that the log's answer is the naive fold, for TRACE and SELECTIVE."""
    want = expected(events, as_of, known_at)
    got = log.state(TRACE, as_of, known_at)
    context = f"as_of={as_of} known_at={known_at}"
    assert got.certain == ids(want.certain), context
    assert got.possible == ids(want.possible), context
    assert ids(got.pending) == ids(want.pending), context
    assert all(a is b for a, b in zip(got.pending, want.pending, strict=True))
    assert got.as_of == as_of
    sel = log.state(SELECTIVE, as_of, known_at)
    assert sel.certain == selective_ids(want.certain), context
    assert sel.possible == selective_ids(want.possible), context


# -- query days -----------------------------------------------------------


def _clip(day: int) -> datetime.date | None:
    return datetime.date.fromordinal(day) if _MIN_DAY <= day <= _MAX_DAY else None


@st.composite
def as_of_days(draw: st.DrawFn, events: Sequence[Event]) -> datetime.date:
    """A query day: often right at, before or after an event's bound."""
    edges: list[datetime.date] = []
    for e in events:
        for bound in (e.occurred.earliest_day, e.occurred.latest_day):
            if bound is not None:
                edges.extend(
                    d for d in (_clip(bound - 1), _clip(bound), _clip(bound + 1)) if d
                )
    window = st.dates(
        datetime.date(WINDOW[0] - 2, 1, 1), datetime.date(WINDOW[1] + 2, 12, 31)
    )
    extremes = st.sampled_from([datetime.date.min, datetime.date.max])
    if edges:
        return draw(
            st.one_of(st.sampled_from(edges), st.sampled_from(edges), window, extremes)
        )
    return draw(st.one_of(window, extremes))


@st.composite
def known_at_days(draw: st.DrawFn, events: Sequence[Event]) -> datetime.date | None:
    """None (the whole log), or a day around the days events were recorded."""
    days = {recorded_day(e) for e in events} | {BASE_RECORDED}
    around = sorted({d + datetime.timedelta(days=k) for d in days for k in (-1, 0, 1)})
    return draw(st.one_of(st.none(), st.sampled_from(around)))


@st.composite
def queries(
    draw: st.DrawFn, events: Sequence[Event]
) -> tuple[datetime.date, datetime.date | None]:
    return draw(as_of_days(events)), draw(known_at_days(events))
