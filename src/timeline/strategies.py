"""Hypothesis strategies for :mod:`timeline`'s values.

This is the only module of :mod:`timeline` that imports hypothesis, which
comes with the ``testing`` extra (``pip install 'timeline[testing]'``).  The
strategies follow hypothesis' own conventions: plural nouns, ``min_value`` and
``max_value`` first, every other option keyword-only, every argument checked
when the strategy is built (an invalid one raises
:class:`hypothesis.errors.InvalidArgument` naming it), the widest valid range
by default, and values that shrink toward simple ones.

Installing :mod:`timeline` registers :func:`uncertain_dates` with hypothesis
through its ``hypothesis`` entry point, so ``st.from_type(UncertainDate)``
works without importing this module.

>>> from hypothesis import given
>>> @given(uncertain_dates())
... def test_round_trip(d):
...     assert timeline.parse_edtf(d.to_edtf()) == d
>>> test_round_trip()
"""

from __future__ import annotations

import calendar
import datetime
import enum
from collections.abc import Collection
from typing import Final, TypeVar

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "timeline.strategies needs hypothesis, which comes with the 'testing' "
        "extra: pip install 'timeline[testing]'"
    ) from error

import timeline
from timeline._dates import (
    MAX_YEAR,
    End,
    Point,
    Precision,
    Qualifier,
    UncertainDate,
    day_number,
)

__all__ = ["uncertain_dates"]

_E = TypeVar("_E", bound=enum.Enum)

# ---------------------------------------------------------------------------
# Argument checking, shared by every strategy of this module.


def _check_bool(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, bool):
        expected = "True, False or None" if optional else "True or False"
        raise InvalidArgument(f"{name}={value!r} must be {expected}")


def _check_members(value: object, name: str, kind: type[_E]) -> tuple[_E, ...]:
    """All of ``kind`` for None, else the members of a non-empty collection of
    ``kind``'s members, in definition order (so the first ones shrink best)."""
    members = list(kind)
    if value is None:
        return tuple(members)
    if isinstance(value, str | bytes | enum.Enum) or not isinstance(value, Collection):
        raise InvalidArgument(
            f"{name}={value!r} must be None or a collection of {kind.__name__} "
            f"members, e.g. [{kind.__name__}.{members[-1].name}]"
        )
    wrong = [v for v in value if not isinstance(v, kind)]
    if wrong:
        raise InvalidArgument(
            f"{name}={value!r} must hold only {kind.__name__} members, not {wrong[0]!r}"
        )
    if not value:
        raise InvalidArgument(
            f"{name}={value!r} must hold at least one {kind.__name__} "
            "(None stands for all of them)"
        )
    return tuple(m for m in members if m in value)


# ---------------------------------------------------------------------------
# Day numbers and the calendar (for every year, as in timeline._dates).

# The first and last day numbers any date can have.
_MIN_DAY: Final = day_number(-MAX_YEAR)
_MAX_DAY: Final = day_number(MAX_YEAR, 12, 31)
_DATE_MIN: Final = datetime.date.min.toordinal()
_SHORT_YEARS: Final = (-9999, 9999)  # years written with four digits
_ANCHOR_YEAR: Final = 2000  # what values shrink toward: a plain, recent year


def _check_day(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(
        value, datetime.date | int
    ):
        raise InvalidArgument(
            f"{name}={value!r} must be a datetime.date, a day number (an int, "
            "see timeline.day_number) or None"
        )
    if isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be a date or an int, not bool")
    if isinstance(value, datetime.date):
        return value.toordinal()
    if not _MIN_DAY <= value <= _MAX_DAY:
        raise InvalidArgument(
            f"{name}={value!r} must be a day number from {_MIN_DAY} to {_MAX_DAY} "
            f"(the years -{MAX_YEAR} to {MAX_YEAR})"
        )
    return value


def _ymd(number: int) -> tuple[int, int, int]:
    """The calendar day of a day number, for every year."""
    cycles, rest = divmod(number - _DATE_MIN, 146097)  # 400 Gregorian years
    d = datetime.date.fromordinal(_DATE_MIN + rest)
    return d.year + 400 * cycles, d.month, d.day


def _month_length(year: int, month: int) -> int:
    # The Gregorian calendar repeats every 400 years.
    return calendar.monthrange(2000 + year % 400, month)[1]


def _clamp(value: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value))


def _near(lo: int, hi: int, anchor: int) -> st.SearchStrategy[int]:
    """Integers from lo to hi that shrink toward ``anchor`` (clamped)."""
    a = _clamp(anchor, lo, hi)
    return st.integers(lo - a, hi - a).map(lambda offset: a + offset)


# ---------------------------------------------------------------------------
# Uncertain dates.
#
# A date of each precision is a *unit*, numbered consecutively: a day by its
# day number, a month by 12 * year + month - 1, a season by 4 * year +
# (season - 21) (season j covers the months 3j+2 to 3j+4), a year by itself,
# a decade, century or millennium by year // 10**k.  Each precision's units
# that lie wholly inside [lo, hi] are an interval of unit numbers, so a date
# is drawn as one integer (shrinking toward the year 2000) and a written form.


# Precisions in the order values shrink: a plain year first, then a day.
_SHRINK_ORDER: Final = (
    Precision.YEAR,
    Precision.DAY,
    Precision.MONTH,
    Precision.SEASON,
    Precision.DECADE,
    Precision.CENTURY,
    Precision.MILLENNIUM,
)


def _unspecified_digits(precision: Precision) -> int:
    """1 for a decade (201X), 2 for a century (19XX), 3 for a millennium."""
    return int(Precision.DECADE) - int(precision) + 1


class _Units:
    """The unit numbers of each precision that fit in the days [lo, hi]."""

    def __init__(self, lo: int, hi: int) -> None:
        y0, m0, d0 = _ymd(lo)
        y1, m1, d1 = _ymd(hi)
        # Whole months and years inside [lo, hi].
        month_lo = y0 * 12 + m0 - 1 + (d0 > 1)
        month_hi = y1 * 12 + m1 - 1 - (d1 < _month_length(y1, m1))
        year_lo = y0 + ((m0, d0) != (1, 1))
        year_hi = y1 - ((m1, d1) != (12, 31))
        short_lo, short_hi = _SHORT_YEARS
        day_lo = max(lo, day_number(short_lo))
        day_hi = min(hi, day_number(short_hi, 12, 31))
        self.ranges: dict[Precision, tuple[int, int]] = {
            Precision.DAY: (day_lo, day_hi),
            Precision.MONTH: (
                max(month_lo, short_lo * 12),
                min(month_hi, short_hi * 12 + 11),
            ),
            Precision.SEASON: (
                max(-((2 - month_lo) // 3), short_lo * 4),
                min((month_hi - 4) // 3, short_hi * 4 + 3),
            ),
            Precision.YEAR: (year_lo, year_hi),
        }
        for k, precision in enumerate(
            (Precision.DECADE, Precision.CENTURY, Precision.MILLENNIUM), start=1
        ):
            size = 10**k
            self.ranges[precision] = (
                max(-(-year_lo // size), 0),
                min((year_hi + 1) // size - 1, 10000 // size - 1),
            )

    def fits(self, precision: Precision) -> bool:
        first, last = self.ranges[precision]
        return first <= last

    def anchor(self, precision: Precision) -> int:
        if precision is Precision.DAY:
            return day_number(_ANCHOR_YEAR)
        if precision is Precision.MONTH:
            return _ANCHOR_YEAR * 12
        if precision is Precision.SEASON:
            return _ANCHOR_YEAR * 4
        if precision is Precision.YEAR:
            return _ANCHOR_YEAR
        return _ANCHOR_YEAR // (10, 100, 1000)[_unspecified_digits(precision) - 1]

    def interesting_years(self) -> list[int]:
        """Years where calendars and formats change, when they fit."""
        first, last = self.ranges[Precision.YEAR]
        years = [0, -1, 1, 1582, 1900, 2024, 9999, -9999, 10000, -10000]
        years += [MAX_YEAR, -MAX_YEAR, first, last]
        return sorted({y for y in years if first <= y <= last}, key=years.index)


def _point(
    draw: st.DrawFn,
    units: _Units,
    precision: Precision,
    qualifier: Qualifier,
    *,
    with_time: bool,
) -> Point:
    first, last = units.ranges[precision]
    if precision is Precision.DAY:
        # A month, then a day of it: days then shrink to the 1st, and month
        # ends (28, 29, 30, 31) are drawn as often as hypothesis tries bounds.
        y0, m0, _ = _ymd(first)
        y1, m1, _ = _ymd(last)
        month = draw(
            _near(y0 * 12 + m0 - 1, y1 * 12 + m1 - 1, units.anchor(Precision.MONTH))
        )
        year, month0 = divmod(month, 12)
        start = Point(year, month0 + 1)
        day = draw(
            st.integers(
                max(first, start.first_day) - start.first_day + 1,
                min(last, start.last_day) - start.first_day + 1,
            )
        )
        time = draw(_times()) if with_time else None
        return Point(year, month0 + 1, day, qualifier, time=time)
    unit = units.anchor(precision)
    if precision is Precision.YEAR:
        interesting = units.interesting_years()
        unit = draw(_near(first, last, unit) | st.sampled_from(interesting))
        short = _SHORT_YEARS[0] <= unit <= _SHORT_YEARS[1]
        form = draw(st.sampled_from(("", "-XX", "-XX-XX") if short else ("",)))
        return Point(
            unit,
            qualifier=qualifier,
            month_unspecified=bool(form),
            day_unspecified=form == "-XX-XX",
        )
    unit = draw(_near(first, last, unit))
    if precision is Precision.MONTH:
        year, month0 = divmod(unit, 12)
        day_x = draw(st.booleans())
        return Point(year, month0 + 1, qualifier=qualifier, day_unspecified=day_x)
    if precision is Precision.SEASON:
        year, season = divmod(unit, 4)
        return Point(year, 21 + season, qualifier=qualifier)
    digits = _unspecified_digits(precision)
    return Point(unit * 10**digits, qualifier=qualifier, unspecified_year_digits=digits)


def _times() -> st.SearchStrategy[str]:
    """A time of day: hh:mm:ss, then nothing, Z or an offset (not -00:00)."""
    clock = st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
    offset = st.tuples(st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59))
    zones = (
        st.just("")
        | st.just("Z")
        | offset.filter(lambda o: o != ("-", 0, 0)).map(
            lambda o: f"{o[0]}{o[1]:02d}:{o[2]:02d}"
        )
    )
    return st.builds(
        lambda hms, zone: "{:02d}:{:02d}:{:02d}".format(*hms) + zone, clock, zones
    )


def uncertain_dates(
    min_value: datetime.date | int | None = datetime.date.min,
    max_value: datetime.date | int | None = datetime.date.max,
    *,
    precisions: Collection[Precision] | None = None,
    qualifiers: Collection[Qualifier] | None = None,
    intervals: bool = True,
    open_ends: bool | None = None,
    times: bool | None = None,
) -> st.SearchStrategy[UncertainDate]:
    """Valid :class:`~timeline.UncertainDate` values of every kind.

    Every date written in a value lies between ``min_value`` and
    ``max_value`` (inclusive): ``earliest_day >= min_value`` and
    ``latest_day <= max_value`` whenever they are not None.  Each may be a
    :class:`datetime.date`, a *day number* (an int, see
    :func:`timeline.day_number`) to reach beyond the years 1-9999 that
    ``datetime.date`` holds, or None for no limit (the years
    -999999999999999 to 999999999999999).  The default, the years 1-9999,
    is the widest range where ``.earliest`` and ``.latest`` are dates;
    negative years, year 0 and long ``Y`` years come with day numbers.

    - ``precisions``: the precisions each written date may have (default:
      all of them, as far as they fit in the range: a millennium needs
      ``1XXX`` or the like wholly inside it).
    - ``qualifiers``: the qualifiers each written date may carry (default:
      all, including :attr:`Qualifier.NONE`).
    - ``intervals``: also generate intervals (``2004-02-01/2005``), not only
      single dates.
    - ``open_ends``: intervals may have an open (``..``) or unknown (empty)
      end; defaults to ``intervals``.
    - ``times``: single days may have a time of day (``T23:20:30Z``); these
      need :attr:`Precision.DAY` and :attr:`Qualifier.NONE`, and default
      to whether both are allowed.

    Values shrink toward a plain year (``2000``, or the year in range
    nearest it), then a plain day, then intervals.

    >>> import datetime
    >>> strategy = uncertain_dates(datetime.date(1900, 1, 1), intervals=False)
    """
    lo = _check_day(min_value, "min_value")
    hi = _check_day(max_value, "max_value")
    lo = _MIN_DAY if lo is None else lo
    hi = _MAX_DAY if hi is None else hi
    if lo > hi:
        raise InvalidArgument(
            f"min_value={min_value!r} must not be after max_value={max_value!r}"
        )
    allowed = _check_members(precisions, "precisions", Precision)
    quals = _check_members(qualifiers, "qualifiers", Qualifier)
    _check_bool(intervals, "intervals")
    _check_bool(open_ends, "open_ends", optional=True)
    _check_bool(times, "times", optional=True)
    if open_ends and not intervals:
        raise InvalidArgument(
            f"open_ends={open_ends!r} needs intervals=True, not intervals={intervals!r}"
        )

    units = _Units(lo, hi)
    fitting = [p for p in _SHRINK_ORDER if p in allowed and units.fits(p)]
    if precisions is not None and len(fitting) < len(allowed):
        missing = [p.name for p in allowed if p not in fitting]
        raise InvalidArgument(
            f"precisions={precisions!r}: no date of precision "
            f"{', '.join(missing)} lies wholly between min_value={min_value!r} "
            f"and max_value={max_value!r}"
        )
    if not fitting:
        raise InvalidArgument(
            f"no date lies wholly between min_value={min_value!r} and "
            f"max_value={max_value!r} (a year beyond -9999 to 9999 must fit "
            "entirely, as it has no month or day)"
        )
    can_time = Precision.DAY in fitting and Qualifier.NONE in quals
    if times and not can_time:
        raise InvalidArgument(
            f"times={times!r} needs Precision.DAY within the range and "
            "Qualifier.NONE among the qualifiers"
        )
    with_times = can_time if times is None else times
    open_ends = intervals if open_ends is None else open_ends

    @st.composite
    def points(draw: st.DrawFn, *, single: bool) -> Point:
        precision = draw(st.sampled_from(fitting))
        qualifier = draw(st.sampled_from(quals))
        with_time = (
            single
            and with_times
            and precision is Precision.DAY
            and qualifier is Qualifier.NONE
            and draw(st.booleans())
        )
        return _point(draw, units, precision, qualifier, with_time=with_time)

    @st.composite
    def closed(draw: st.DrawFn) -> UncertainDate:
        start, end = draw(points(single=False)), draw(points(single=False))
        if end.last_day < start.first_day:
            start, end = end, start
        return UncertainDate(start, end, is_interval=True)

    @st.composite
    def one_open(draw: st.DrawFn) -> UncertainDate:
        point = draw(points(single=False))
        end = draw(st.sampled_from(End))
        if draw(st.booleans()):
            return UncertainDate(end, point, is_interval=True)
        return UncertainDate(point, end, is_interval=True)

    kinds = [points(single=True).map(UncertainDate.from_point)]
    if intervals:
        kinds.append(closed())
    if open_ends:
        kinds.append(one_open())
    return st.one_of(kinds)


# ---------------------------------------------------------------------------
# Registration with hypothesis (the ``hypothesis`` entry point in
# pyproject.toml names this function; hypothesis calls it on import).


def _hypothesis_setup_hook() -> None:
    st.register_type_strategy(timeline.UncertainDate, uncertain_dates())
