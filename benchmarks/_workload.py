"""Synthetic, deterministic workloads for the timeline benchmarks.

A workload is a list of :class:`Spec` rows (plain tuples, cheap to keep),
turned into events on demand, so that building the events can itself be
measured.  Uses only the public API of ``timeline``.

The shape (per event, drawn with ``random.Random(seed)``):

- ``recorded`` days run from 2000-01-01 over 26 years, non-decreasing with
  the sequence number (about 1 event a day at 10^4, 100 a day at 10^6);
- the valid time is anchored a few days to weeks before ``recorded``
  (exponential lag, mean 30 days), except for *late arrivals* (5%), anchored
  1 to 20 years earlier: their fold position is behind most of the log;
- precisions: exact day 50%, month 20%, year 10%, season 4%, approximate
  (``~``) day, month or year 3%, closed interval 11% (day or month ends,
  days to years wide), open start ``../X`` 0.5%, open end ``X/..`` 0.5%
  (1% left to the corrections' own dates);
- corrections (2%): an event that supersedes an earlier one (60% among the
  last 1,000 events, 40% anywhere; never the same target twice), dated more
  precisely inside the target's bounds.
"""

from __future__ import annotations

import datetime
import operator
import random
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import timeline
from timeline import Event, Projection, UncertainDate

__all__ = [
    "FIRST_RECORDED",
    "Observed",
    "Reported",
    "Spec",
    "Tick",
    "Workload",
    "count_handler",
    "count_reported",
    "counting_projection",
    "dispatching_projection",
    "late_event",
    "make_realistic",
    "make_workload",
    "tiny_events",
]

FIRST_RECORDED = datetime.date(2000, 1, 1).toordinal()
RECORDED_SPAN = 26 * 365  # days


@timeline.event_type("bench.observed")
class Observed(Event):
    """The benchmark's domain event: a small payload (one int)."""

    value: int = 0


@timeline.event_type("bench.reported")
class Reported(Observed):
    """A second event type (a third of the realistic workload), so that a
    projection with a handler per type takes the dispatching fold."""


@timeline.event_type("bench.tick")
class Tick(Event):
    """No payload at all: the envelope alone (for bytes per event)."""


def count_handler(state: int, event: Event) -> int:
    return state + 1


def count_reported(state: int, event: Event) -> int:
    return state + 1


def counting_projection() -> Projection[int]:
    """A fresh counting projection (fresh: no checkpoints anywhere yet)."""
    projection: Projection[int] = Projection(initial=0, name="count")
    projection.on(Event)(count_handler)
    return projection


def merging_projection() -> Projection[int]:
    """Counts, declaring ``merge`` (a count does not depend on the order of
    the events): past versions combine per-block states (issue 15 item 3)."""
    projection: Projection[int] = Projection(
        initial=0, name="count, merge declared", merge=operator.add
    )
    projection.on(Event)(count_handler)
    return projection


def dispatching_projection() -> Projection[int]:
    """Counts too, with one handler per event type (two functions): every
    event is dispatched on its type, as in most real projections."""
    projection: Projection[int] = Projection(initial=0, name="count by type")
    projection.on(Observed)(count_handler)
    projection.on(Reported)(count_reported)
    return projection


class Spec(NamedTuple):
    id: str
    occurred: str  # EDTF text
    recorded: int  # day number (date.toordinal())
    value: int
    supersedes: str | None
    late: bool
    kind: int = 0  # 1: a Reported event (the realistic workload)


_KINDS = (
    (0.50, "day"),
    (0.70, "month"),
    (0.80, "year"),
    (0.84, "season"),
    (0.87, "approx"),
    (0.98, "interval"),
    (0.985, "open_start"),
    (0.99, "open_end"),
    (1.00, "day"),
)


def _day(n: int) -> str:
    return datetime.date.fromordinal(n).isoformat()


def _season(d: datetime.date) -> str:
    if d.month in (12, 1, 2):
        year = d.year if d.month == 12 else d.year - 1
        return f"{year:04d}-24"
    code = {3: 21, 4: 21, 5: 21, 6: 22, 7: 22, 8: 22}.get(d.month, 23)
    return f"{d.year:04d}-{code}"


def _date_text(rng: random.Random, anchor: int) -> str:
    d = datetime.date.fromordinal(anchor)
    u = rng.random()
    kind = next(name for limit, name in _KINDS if u < limit)
    if kind == "day":
        return d.isoformat()
    if kind == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if kind == "year":
        return f"{d.year:04d}"
    if kind == "season":
        return _season(d)
    if kind == "approx":
        return (
            rng.choice((d.isoformat(), f"{d.year:04d}-{d.month:02d}", f"{d.year}"))
            + "~"
        )
    if kind == "interval":
        width = 1 + int(rng.expovariate(1 / 120))
        end = datetime.date.fromordinal(anchor + width)
        if rng.random() < 0.5:
            return f"{d.isoformat()}/{end.isoformat()}"
        return f"{d.year:04d}-{d.month:02d}/{end.year:04d}-{end.month:02d}"
    if kind == "open_start":
        return f"../{d.isoformat()}"
    return f"{d.isoformat()}/.."


def _refine(rng: random.Random, target: UncertainDate, fallback: int) -> str:
    """A more precise date inside the target's bounds (a correction)."""
    lo, hi = target.earliest_day, target.latest_day
    if lo is None and hi is None:
        return _day(fallback)
    if lo is None:
        lo = hi - 365  # type: ignore[operator]
    if hi is None:
        hi = lo + 365
    return _day(rng.randint(lo, hi))


class Workload:
    """The specs of one synthetic log, with the parsed dates they share."""

    def __init__(self, specs: list[Spec], dates: dict[str, UncertainDate]) -> None:
        self.specs = specs
        self.dates = dates
        self.recorded = {
            r: datetime.date.fromordinal(r) for r in {s.recorded for s in specs}
        }

    def __len__(self) -> int:
        return len(self.specs)

    def event(self, spec: Spec, kind: type[Event] = Observed) -> Event:
        if kind is Observed and spec.kind:
            kind = Reported
        extra = {"value": spec.value} if issubclass(kind, Observed) else {}
        return kind(
            id=spec.id,
            occurred=self.dates[spec.occurred],
            recorded=self.recorded[spec.recorded],
            supersedes=(spec.supersedes,) if spec.supersedes else (),
            **extra,
        )

    def events(self, start: int = 0, stop: int | None = None) -> list[Event]:
        make = self.event
        return [make(spec) for spec in self.specs[start:stop]]

    def batches(self, size: int = 1000) -> Iterator[list[Event]]:
        for start in range(0, len(self.specs), size):
            yield self.events(start, start + size)

    def exact_days(self) -> Workload:
        """The same log with every date made one exact day (its latest day,
        or its earliest for an open end): nothing is ever pending."""
        specs = []
        dates: dict[str, UncertainDate] = {}
        for spec in self.specs:
            date = self.dates[spec.occurred]
            day = date.latest_day if date.latest_day is not None else date.earliest_day
            assert day is not None
            text = _day(day)
            if text not in dates:
                dates[text] = timeline.parse_edtf(text)
            specs.append(spec._replace(occurred=text))
        return Workload(specs, dates)

    @property
    def last_recorded(self) -> int:
        return self.specs[-1].recorded

    def valid_span(self) -> tuple[int, int]:
        """The days a query may fall on: the finite bounds of the log, padded."""
        los = [d.earliest_day for d in self.dates.values() if d.earliest_day]
        his = [d.latest_day for d in self.dates.values() if d.latest_day]
        return min(los) - 30, max(his) + 30


def make_workload(n: int, seed: int = 7) -> Workload:
    rng = random.Random(seed * 1_000_003 + n)
    specs: list[Spec] = []
    dates: dict[str, UncertainDate] = {}
    parse = timeline.parse_edtf
    corrected: set[int] = set()
    for i in range(n):
        recorded = FIRST_RECORDED + (i * RECORDED_SPAN) // n
        late = rng.random() < 0.05
        if late:
            anchor = recorded - rng.randint(365, 20 * 365)
        else:
            anchor = recorded - int(rng.expovariate(1 / 30))
        supersedes = None
        text = None
        if i > 10 and rng.random() < 0.02:
            if rng.random() < 0.6:
                target = rng.randint(max(0, i - 1000), i - 1)
            else:
                target = rng.randint(0, i - 1)
            if target not in corrected:
                corrected.add(target)
                old = specs[target]
                supersedes = old.id
                text = _refine(rng, dates[old.occurred], anchor)
        if text is None:
            text = _date_text(rng, anchor)
        if text not in dates:
            dates[text] = parse(text)
        specs.append(Spec(f"e{i}", text, recorded, i, supersedes, late))
    return Workload(specs, dates)


_REALISTIC = (
    (0.40, "day"),
    (0.70, "month"),
    (0.90, "year"),
    (1.00, "open_start"),
)


def _realistic_text(rng: random.Random, anchor: int) -> str:
    d = datetime.date.fromordinal(anchor)
    u = rng.random()
    kind = next(name for limit, name in _REALISTIC if u < limit)
    if kind == "day":
        return d.isoformat()
    if kind == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if kind == "year":
        return f"{d.year:04d}"
    return f"../{d.isoformat()}"


def make_realistic(n: int, seed: int = 7) -> Workload:
    """The realistic workload of issue 15: 40% exact days, 30% months, 20%
    years, 10% open starts (``../2025-07-14``: pending at every day before
    their end), 2% corrections (a more precise date inside the old one's
    bounds), and late arrivals (5%, 1 to 20 years back) as in
    :func:`make_workload`; ``recorded`` runs over 26 years the same way.  A
    third of the events are :class:`Reported` (a subclass of Observed)."""
    rng = random.Random(seed * 1_000_033 + n)
    specs: list[Spec] = []
    dates: dict[str, UncertainDate] = {}
    parse = timeline.parse_edtf
    corrected: set[int] = set()
    for i in range(n):
        recorded = FIRST_RECORDED + (i * RECORDED_SPAN) // n
        late = rng.random() < 0.05
        if late:
            anchor = recorded - rng.randint(365, 20 * 365)
        else:
            anchor = recorded - int(rng.expovariate(1 / 30))
        supersedes = None
        text = None
        if i > 10 and rng.random() < 0.02:
            if rng.random() < 0.6:
                target = rng.randint(max(0, i - 1000), i - 1)
            else:
                target = rng.randint(0, i - 1)
            if target not in corrected:
                corrected.add(target)
                old = specs[target]
                supersedes = old.id
                text = _refine(rng, dates[old.occurred], anchor)
        if text is None:
            text = _realistic_text(rng, anchor)
        if text not in dates:
            dates[text] = parse(text)
        kind = int(rng.random() < 1 / 3)
        specs.append(Spec(f"e{i}", text, recorded, i, supersedes, late, kind))
    return Workload(specs, dates)


def late_event(
    workload: Workload, index: int, recorded: datetime.date, rng: random.Random
) -> Event:
    """An event that arrives now but happened years ago (fold position early)."""
    lo, hi = workload.valid_span()
    day = rng.randint(lo + 30, lo + (hi - lo) // 2)
    return Observed(
        id=f"late{index}",
        occurred=UncertainDate.from_date(datetime.date.fromordinal(day)),
        recorded=recorded,
        value=index,
    )


def tiny_events(n: int, recorded: datetime.date | None = None) -> list[Event]:
    """``n`` payload-free events with short ids, one exact day each (shared
    date objects: the envelope alone)."""
    day = recorded or datetime.date(2024, 1, 1)
    occurred = [
        UncertainDate.from_date(day - datetime.timedelta(days=k)) for k in range(366)
    ]
    return [
        Tick(id=f"t{i}", occurred=occurred[i % 366], recorded=day) for i in range(n)
    ]


def fold_keys(events: Sequence[Event]) -> list[tuple[float, float, int]]:
    """Fold keys from public attributes: (latest, earliest, seq)."""
    inf = float("inf")
    out = []
    for seq, event in enumerate(events, 1):
        lo, hi = event.occurred.earliest_day, event.occurred.latest_day
        out.append((inf if hi is None else hi, -inf if lo is None else lo, seq))
    return out
