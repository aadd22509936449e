"""Estimates as the state holds them: one series per measure and author.

A figure of one author replaces that author's earlier figure of the same
measure (a revision), never another author's: when NIS says 4,700 and the UK
Ministry of Defence later says "more than 6,000", both stand, and the state
shows the range between them with the author and date of each end.  So a
count never goes backwards because someone else published a lower one.

>>> from timeline import parse_edtf
>>> from timeline.dataset.events import Estimate
>>> def fig(n, by, day):
...     e = Estimate(measure="kp-casualties-total", low=n, unit="soldiers",
...                  by=by, qualifier="at_least")
...     return Figure(estimate=e, date=parse_edtf(day), event=f"{by}-{day}")
>>> held = put_figure((), fig(6000, "UK MoD", "2025-06-15"))
>>> held = put_figure(held, fig(4700, "NIS", "2025-04-30"))
>>> [str(f.estimate) for f in held]
['at least 4,700 soldiers (NIS)', 'at least 6,000 soldiers (UK MoD)']
>>> (spread,) = spreads(held)
>>> spread.low_value, spread.low.estimate.by, spread.high_value, spread.high.estimate.by
(4700, 'NIS', 6000, 'UK MoD')
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from timeline import UncertainDate
from timeline.dataset.events import Estimate

__all__ = ["Figure", "Spread", "latest", "put_figure", "spreads"]


@attrs.frozen(kw_only=True)
class Figure:
    """An estimate as the state holds it: the estimate, the date of the
    event that made it, and that event's id."""

    estimate: Estimate
    date: UncertainDate
    event: str

    @property
    def series(self) -> tuple[str, str]:
        """The series the figure belongs to: (measure, author)."""
        return (self.estimate.measure, self.estimate.by)

    @property
    def low_value(self) -> int:
        """The lower end of what the figure says (its only bound if one)."""
        e = self.estimate
        value = e.low if e.low is not None else e.high
        assert value is not None  # an Estimate has low, high or both
        return value

    @property
    def high_value(self) -> int:
        """The upper end of what the figure says (its only bound if one)."""
        e = self.estimate
        value = e.high if e.high is not None else e.low
        assert value is not None
        return value


@attrs.frozen(kw_only=True)
class Spread:
    """The range of the current figures of one measure across authors:
    ``low`` and ``high`` are the figures at either end (with their author,
    date and event), ``figures`` every author's current figure."""

    measure: str
    low: Figure
    high: Figure
    figures: tuple[Figure, ...]

    @property
    def low_value(self) -> int:
        return self.low.low_value

    @property
    def high_value(self) -> int:
        return self.high.high_value

    @property
    def authors(self) -> tuple[str, ...]:
        return tuple(f.estimate.by for f in self.figures)


def _start(date: UncertainDate) -> float:
    day = date.earliest_day
    return float("-inf") if day is None else day


def _end(date: UncertainDate) -> float:
    day = date.latest_day
    return float("inf") if day is None else day


def put_figure(
    figures: tuple[Figure, ...], figure: Figure
) -> tuple[Figure, ...] | None:
    """The figures with ``figure`` replacing the one of its series (same
    measure and author), kept sorted by series; or None if the held one
    stays.

    Events come in fold order, so the new figure is never certainly older;
    but if its date reaches further back than the held one's (a coarse
    "before 2025-07-14" against a precise "2025-07-13"), it may be older,
    and an imprecise date does not displace a precise later one.
    """
    held = next((f for f in figures if f.series == figure.series), None)
    if held is not None and _start(figure.date) < _start(held.date):
        return None
    kept = [f for f in figures if f.series != figure.series]
    kept.append(figure)
    return tuple(sorted(kept, key=lambda f: f.series))


def spreads(figures: Iterable[Figure]) -> tuple[Spread, ...]:
    """One :class:`Spread` per measure among ``figures``, by measure."""
    by_measure: dict[str, list[Figure]] = {}
    for figure in figures:
        by_measure.setdefault(figure.estimate.measure, []).append(figure)
    out = []
    for measure in sorted(by_measure):
        group = sorted(by_measure[measure], key=lambda f: (_start(f.date), f.event))
        low = min(group, key=lambda f: f.low_value)
        high = max(group, key=lambda f: f.high_value)
        out.append(Spread(measure=measure, low=low, high=high, figures=tuple(group)))
    return tuple(out)


def latest(figures: Iterable[Figure]) -> dict[str, Figure]:
    """Per measure, the most recent figure of any author (by date, then
    event id): the one-figure-per-measure view of the JSON output."""
    out: dict[str, Figure] = {}
    for figure in sorted(
        figures, key=lambda f: (_end(f.date), _start(f.date), f.event)
    ):
        out[figure.estimate.measure] = figure
    return out
