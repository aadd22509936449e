"""The calendar, and :func:`~timeline.strategies.uncertain_dates`."""

from __future__ import annotations

import calendar
import datetime
import enum
from collections.abc import Collection
from typing import Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from timeline._dates import (
    MAX_YEAR,
    End,
    Point,
    Precision,
    Qualifier,
    UncertainDate,
    day_number,
)
from timeline.strategies._checks import _check_bool, _check_members

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


class _Near:
    """Integers from lo to hi that shrink toward ``anchor`` (clamped): drawn as
    an offset from it, as hypothesis shrinks integers toward 0."""

    def __init__(self, lo: int, hi: int, anchor: int) -> None:
        self.anchor = _clamp(anchor, lo, hi)
        self.offsets = st.integers(lo - self.anchor, hi - self.anchor)

    def draw(self, draw: st.DrawFn) -> int:
        return self.anchor + draw(self.offsets)


# ---------------------------------------------------------------------------
# Uncertain dates.
#
# A written date is drawn as four choices: its precision, its form (1985,
# 1985-XX, 1985-XX-XX or a special year for the precision YEAR, and so on),
# its qualifier, and one integer, the *unit*:
# a year, a month (12 * year + month - 1), a season (4 * year + season - 21;
# season j covers the months 3j+2 to 3j+4), a decade, century or millennium
# (see _unit_year; negative ones such as -199X too).  A day takes one more
# choice, the day of its month.  The units of each form that lie wholly
# inside [lo, hi] are a range of integers, drawn to shrink toward the year
# 2000.  Hypothesis shrinks toward fewer and smaller choices, so a plain
# year (the first precision and form, four choices) is the simplest value,
# and a day the next simplest.


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


class _Form(enum.Enum):
    """How a date is written; within a precision, in the order values shrink."""

    YEAR = "1985"
    DAY = "1985-04-12"
    MONTH = "1985-04"
    SEASON = "2001-21"
    DECADE = "201X"
    CENTURY = "19XX"
    MILLENNIUM = "1XXX"
    YEAR_XX = "1985-XX"
    YEAR_XX_XX = "1985-XX-XX"
    MONTH_XX = "1985-04-XX"
    EDGE_YEAR = "a year where calendars or formats change: 0000, Y10000, ..."

    @property
    def precision(self) -> Precision:
        return _PRECISION_OF[self]


_PRECISION_OF: Final = {
    _Form.YEAR: Precision.YEAR,
    _Form.DAY: Precision.DAY,
    _Form.MONTH: Precision.MONTH,
    _Form.SEASON: Precision.SEASON,
    _Form.DECADE: Precision.DECADE,
    _Form.CENTURY: Precision.CENTURY,
    _Form.MILLENNIUM: Precision.MILLENNIUM,
    _Form.YEAR_XX: Precision.YEAR,
    _Form.YEAR_XX_XX: Precision.YEAR,
    _Form.MONTH_XX: Precision.MONTH,
    _Form.EDGE_YEAR: Precision.YEAR,
}
_UNIT_YEARS: Final = {_Form.DECADE: 10, _Form.CENTURY: 100, _Form.MILLENNIUM: 1000}
_EDGE_YEARS: Final = (0, -1, 1, 4, 100, 1582, 1900, 2000, 9999, -9999, 10000, -10000)


class _Units:
    """For each form, the units that lie wholly inside the days [lo, hi]."""

    def __init__(self, lo: int, hi: int) -> None:
        y0, m0, d0 = _ymd(lo)
        y1, m1, d1 = _ymd(hi)
        # Whole months and years inside [lo, hi]; months, seasons and days
        # only in the years written with four digits.
        short_lo, short_hi = _SHORT_YEARS
        month_lo = max(y0 * 12 + m0 - 1 + (d0 > 1), short_lo * 12)
        month_hi = min(
            y1 * 12 + m1 - 1 - (d1 < _month_length(y1, m1)), short_hi * 12 + 11
        )
        year_lo = y0 + ((m0, d0) != (1, 1))
        year_hi = y1 - ((m1, d1) != (12, 31))
        self.days = (
            max(lo, day_number(short_lo)),
            min(hi, day_number(short_hi, 12, 31)),
        )
        # Non-negative years first, then negative ones, each nearest zero
        # first: a condition on negative years holds on one run of indexes,
        # which the shrinker searches down to -1.
        self.edge_years = sorted(
            {y for y in (*_EDGE_YEARS, MAX_YEAR, -MAX_YEAR) if year_lo <= y <= year_hi},
            key=lambda y: (y < 0, abs(y)),
        )
        short_years = (max(year_lo, short_lo), min(year_hi, short_hi))
        self.ranges: dict[_Form, tuple[int, int]] = {
            _Form.YEAR: (year_lo, year_hi),
            # A day: the months that hold at least one day of the range.
            _Form.DAY: (_month_of(self.days[0]), _month_of(self.days[1])),
            _Form.MONTH: (month_lo, month_hi),
            _Form.SEASON: (-((2 - month_lo) // 3), (month_hi - 4) // 3),
            _Form.YEAR_XX: short_years,
            _Form.YEAR_XX_XX: short_years,
            _Form.MONTH_XX: (month_lo, month_hi),
            _Form.EDGE_YEAR: (0, len(self.edge_years) - 1),
        }
        if self.days[0] > self.days[1]:
            self.ranges[_Form.DAY] = (1, 0)
        for form, size in _UNIT_YEARS.items():
            self.ranges[form] = (
                max(_first_unit(year_lo, size), -(10000 // size)),
                min(_last_unit(year_hi, size), 10000 // size - 1),
            )
        # Strategies are built once here, not in every draw (building one
        # costs more than drawing from it).
        self._units: dict[_Form, _Near] = {}
        for form, (first, last) in self.ranges.items():
            if form in (_Form.DAY, _Form.MONTH, _Form.MONTH_XX):
                anchor = _ANCHOR_YEAR * 12
            elif form is _Form.SEASON:
                anchor = _ANCHOR_YEAR * 4
            elif form is _Form.EDGE_YEAR:
                anchor = 0
            else:
                anchor = _ANCHOR_YEAR // _UNIT_YEARS.get(form, 1)
            if first <= last:
                self._units[form] = _Near(first, last, anchor)

    def fits(self, form: _Form) -> bool:
        first, last = self.ranges[form]
        return first <= last

    def draw(self, draw: st.DrawFn, form: _Form) -> int:
        unit = self._units[form].draw(draw)
        return self.edge_years[unit] if form is _Form.EDGE_YEAR else unit


# Decades, centuries and millennia are numbered so that each unit's years
# follow the last's: unit u >= 0 is written with the known digits u (201X is
# unit 201, the years 2010-2019), unit u < 0 is the negative range with the
# known digits -u - 1 (-000X is unit -1, the years -9 to 0; -001X is unit -2,
# the years -19 to -10).  A unit's first year is _unit_year(u, size).


def _unit_year(unit: int, size: int) -> int:
    return unit * size if unit >= 0 else unit * size + 1


def _first_unit(year_lo: int, size: int) -> int:
    """The first unit whose years all lie at or after ``year_lo``."""
    if year_lo > 0:
        return -(-year_lo // size)
    return min(-((1 - year_lo) // size), 0)


def _last_unit(year_hi: int, size: int) -> int:
    """The last unit whose years all lie at or before ``year_hi``."""
    if year_hi >= size - 1:
        return (year_hi + 1) // size - 1
    return year_hi // size - 1


def _month_of(number: int) -> int:
    year, month, _ = _ymd(number)
    return year * 12 + month - 1


def _point(
    draw: st.DrawFn, units: _Units, form: _Form, qualifier: Qualifier, *, times: bool
) -> Point:
    unit = units.draw(draw, form)
    if form is _Form.DAY:
        # A day of the month drawn: days shrink to the 1st, and month ends
        # (28, 29, 30, 31) come up as often as hypothesis tries bounds.
        year, month0 = divmod(unit, 12)
        first = day_number(year, month0 + 1)
        length = _month_length(year, month0 + 1)
        day = draw(
            st.integers(
                max(units.days[0] - first + 1, 1),
                min(units.days[1] - first + 1, length),
            )
        )
        # Always draw whether to add a time, so that every day takes as many
        # choices and the shrinker prefers Qualifier.NONE over a qualifier.
        timed = draw(st.booleans())
        time = draw(_TIMES) if times and timed else None
        return Point(year, month0 + 1, day, qualifier, time=time)
    if form in (_Form.MONTH, _Form.MONTH_XX):
        year, month0 = divmod(unit, 12)
        return Point(
            year,
            month0 + 1,
            qualifier=qualifier,
            day_unspecified=form is _Form.MONTH_XX,
        )
    if form is _Form.SEASON:
        year, season = divmod(unit, 4)
        return Point(year, 21 + season, qualifier=qualifier)
    if form in _UNIT_YEARS:
        size = _UNIT_YEARS[form]
        digits = len(str(size)) - 1
        return Point(
            _unit_year(unit, size),
            qualifier=qualifier,
            unspecified_year_digits=digits,
        )
    return Point(
        unit,
        qualifier=qualifier,
        month_unspecified=form in (_Form.YEAR_XX, _Form.YEAR_XX_XX),
        day_unspecified=form is _Form.YEAR_XX_XX,
    )


def _offset(sign: str, hours: int, minutes: int) -> str:
    if sign == "-" and hours == minutes == 0:
        sign = "+"  # a zero offset is +00:00, never -00:00
    return f"{sign}{hours:02d}:{minutes:02d}"


# A time of day: hh:mm:ss, then nothing, Z or an offset.
_TIMES: Final = st.builds(
    lambda h, m, s, zone: f"{h:02d}:{m:02d}:{s:02d}{zone}",
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.just("")
    | st.just("Z")
    | st.builds(_offset, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)),
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
    forms = {
        p: [f for f in _Form if f.precision is p and units.fits(f)] for p in allowed
    }
    fitting = [p for p in _SHRINK_ORDER if forms.get(p)]
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

    precision_choices = st.sampled_from(fitting)
    form_choices = {p: st.integers(0, len(forms[p]) - 1) for p in fitting}
    qualifier_choices = st.sampled_from(quals)

    @st.composite
    def points(draw: st.DrawFn, *, single: bool) -> Point:
        # The precision, then how it is written: a choice each, even when
        # there is only one way, so that every date takes as many choices.
        precision = draw(precision_choices)
        form = forms[precision][draw(form_choices[precision])]
        qualifier = draw(qualifier_choices)
        timed = single and with_times and qualifier is Qualifier.NONE
        return _point(draw, units, form, qualifier, times=timed)

    # Each end of an interval is a date, or (with open_ends) open or unknown.
    # Both dates are drawn either way, so that every interval takes as many
    # choices and the shrinker prefers a closed interval to an open one.
    end_kinds = st.sampled_from([None, End.OPEN, End.UNKNOWN] if open_ends else [None])

    interval_ends = points(single=False)

    @st.composite
    def interval(draw: st.DrawFn) -> UncertainDate:
        start_kind = draw(end_kinds)
        start = draw(interval_ends)
        end_kind = draw(end_kinds)
        end = draw(interval_ends)
        if start_kind is None and end_kind is None:
            if end.last_day < start.first_day:
                start, end = end, start
            return UncertainDate(start, end, is_interval=True)
        if start_kind is not None and end_kind is not None:
            end_kind = None  # at least one end is a date
        return UncertainDate(
            start if start_kind is None else start_kind,
            end if end_kind is None else end_kind,
            is_interval=True,
        )

    kinds = [points(single=True).map(UncertainDate.from_point)]
    if intervals:
        kinds.append(interval())
    return st.one_of(kinds)
