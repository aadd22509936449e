"""Hypothesis strategies for :mod:`timeline`'s values.

- :func:`uncertain_dates`: every kind of :class:`~timeline.UncertainDate`;
- :func:`events`: events of one event type, the payload derived from its
  fields' annotations;
- :func:`logs`: valid logs of such events, with late arrivals, corrections
  and retractions;
- :func:`as_of_days`, :func:`known_at_days`: query days where answers
  change.

This is the only module of :mod:`timeline` that imports hypothesis, which
comes with the ``testing`` extra (``pip install 'timeline[testing]'``);
:mod:`timeline.testing` reaches it through this module.  The strategies
follow hypothesis' own conventions: plural nouns, ``min_value`` and
``max_value`` first, every other option keyword-only, every argument checked
when the strategy is built (an invalid one raises
:class:`hypothesis.errors.InvalidArgument` naming it), the widest valid range
by default, and values that shrink toward simple ones.

Installing :mod:`timeline` registers strategies with hypothesis through its
``hypothesis`` entry point, so ``st.from_type(UncertainDate)`` works without
importing this module, and ``st.from_type(Event)`` draws events of every
registered event type.

>>> import timeline
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
import functools
import inspect
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final, TypeVar

import attrs

from timeline._dates import (
    MAX_YEAR,
    UNBOUNDED_ABOVE,
    UNBOUNDED_BELOW,
    End,
    Point,
    Precision,
    Qualifier,
    UncertainDate,
    day_number,
)
from timeline._events import (
    CONFIDENCE_LEVELS,
    Event,
    Retraction,
    Source,
    Text,
    event_types,
    fields_of,
    lookup_event_type,
    recorded_key,
)
from timeline._log import Log
from timeline._storage.codec import _type_hints
from timeline.exceptions import UnknownEventTypeError


def _hypothesis_setup_hook() -> None:
    """Called by hypothesis when it is imported (the ``hypothesis`` entry
    point in pyproject.toml names this function).

    Loading it imported this module, whose last lines register its
    strategies, so there is nothing left to do.  It is defined before this
    module imports hypothesis: a program that imports this module first
    imports hypothesis from here, and hypothesis then loads its entry points,
    this function among them, from the half-imported module.
    """


# After the hook, for the reason above.
try:
    import hypothesis
    from hypothesis import strategies as st
    from hypothesis.errors import (
        Flaky,
        InvalidArgument,
        ResolutionFailed,
    )
except ImportError as error:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "timeline.strategies needs hypothesis, which comes with the 'testing' "
        "extra: pip install 'timeline[testing]'"
    ) from error

__all__ = ["as_of_days", "events", "known_at_days", "logs", "uncertain_dates"]

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
# (year // 10**k).  A day takes one more choice, the day of its month.  The
# units of each form that lie wholly inside [lo, hi] are a range of integers,
# drawn to shrink toward the year 2000.  Hypothesis shrinks toward fewer and
# smaller choices, so a plain year (the first precision and form, four
# choices) is the simplest value, and a day the next simplest.


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
        self.edge_years = sorted(
            {y for y in (*_EDGE_YEARS, MAX_YEAR, -MAX_YEAR) if year_lo <= y <= year_hi},
            key=abs,
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
                max(-(-year_lo // size), 0),
                min((year_hi + 1) // size - 1, 10000 // size - 1),
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
        digits = len(str(_UNIT_YEARS[form])) - 1
        return Point(
            unit * _UNIT_YEARS[form],
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


# ---------------------------------------------------------------------------
# Events.
#
# An event is drawn as its envelope and its payload.  The envelope fields have
# fixed strategies; a payload field's strategy is derived from its annotation
# (the same annotation the log format reads the field back by), unless the
# caller gives one.  Every value drawn is one the log format can carry, so an
# event that does not survive a round trip is the event type's fault.

# Text the log format can carry: any string without lone surrogates (UTF-8
# cannot encode them).
_CHARACTERS: Final = st.characters(codec="utf-8")
_TEXTS: Final = st.text(_CHARACTERS)
_IDS: Final = st.text(_CHARACTERS, min_size=1).map(str.strip).filter(bool)
_SUMMARIES: Final = st.dictionaries(_TEXTS, _TEXTS, min_size=1, max_size=3).map(Text.of)


@st.composite
def _rarely(
    draw: st.DrawFn, strategy: st.SearchStrategy[Any], otherwise: Any = None
) -> Any:
    """``otherwise`` three times in four, else a value of ``strategy``: for
    the parts of an envelope that take many choices to draw and matter
    little to a projection (fewer choices, faster shrinking)."""
    return draw(strategy) if draw(st.integers(0, 3)) == 3 else otherwise


_TAGS: Final = _rarely(
    st.lists(st.text(_CHARACTERS, min_size=1), min_size=1, max_size=3).map(tuple), ()
)
# Aware datetimes with a fixed offset in whole minutes, which ISO 8601 text
# keeps exactly; a day away from the ends of datetime's range, so that their
# UTC instant (what orders recorded times) exists.
_OFFSETS: Final = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
_DATETIMES: Final = st.one_of(
    st.datetimes(),
    st.datetimes(
        datetime.datetime(1, 1, 2),
        datetime.datetime(9999, 12, 30, 23, 59, 59, 999999),
        timezones=_OFFSETS,
    ),
)


@st.composite
def _recorded_times(draw: st.DrawFn) -> datetime.date:
    """Mostly a date, else a datetime (naive, or with a fixed offset)."""
    return draw(_rarely(_DATETIMES, None)) or draw(st.dates())


_RECORDED: Final = _recorded_times()


@functools.cache
def _any_dates() -> st.SearchStrategy[UncertainDate]:
    # Built on first use, not on import: hypothesis imports this module.
    return uncertain_dates()


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@functools.cache
def _sources() -> st.SearchStrategy[Source]:
    return st.builds(
        Source,
        title=_TEXTS,
        url=_optional(_TEXTS),
        publisher=_optional(_TEXTS),
        published=_optional(_any_dates()),
        language=_optional(_TEXTS),
        quote=_optional(_TEXTS),
        confidence=_optional(st.sampled_from(CONFIDENCE_LEVELS)),
    )


def _envelope(cls: type[Event]) -> dict[str, st.SearchStrategy[Any]]:
    """The strategies of the envelope fields (``supersedes`` is empty: a lone
    event has nothing to supersede; :func:`logs` fills it in)."""
    supersedes: st.SearchStrategy[Any] = st.just(())
    if issubclass(cls, Retraction):  # a retraction names what it retracts
        supersedes = st.lists(_IDS, min_size=1, max_size=3, unique=True).map(tuple)
    return {
        "id": _IDS,
        "occurred": _any_dates(),
        "recorded": _RECORDED,
        "source": _rarely(_sources()),
        "summary": _rarely(_SUMMARIES),
        "supersedes": supersedes,
        "tags": _TAGS,
    }


class _Underivable(Exception):
    """No strategy follows from a type annotation; the message says why."""


def _instances(
    cls: type, fields: Mapping[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` from a strategy per init argument; values the
    class refuses (a validator raising ValueError or TypeError) are filtered
    out."""
    return _built(cls, st.fixed_dictionaries(dict(fields)))


@st.composite
def _built(
    draw: st.DrawFn, cls: type, arguments: st.SearchStrategy[dict[str, Any]]
) -> Any:
    # A composite, not .map(cls): hypothesis shows the value's own repr in a
    # falsifying example, not the call that built it.
    value: Any = _REFUSED
    for _ in range(_ATTEMPTS):
        try:
            value = cls(**draw(arguments))
            break
        except (TypeError, ValueError):  # attrs validators, InvalidEventError
            continue
    hypothesis.assume(value is not _REFUSED)
    return value


_REFUSED: Final = object()  # no value the class accepted was drawn
# Draws of arguments before giving up on a class whose validators refuse
# many values (a log gives up if one of its events does).
_ATTEMPTS: Final = 10


def _alias(attribute: attrs.Attribute[Any]) -> str:
    return getattr(attribute, "alias", None) or attribute.name.lstrip("_")


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


_Building = dict[type, "st.SearchStrategy[Any] | None"]


def _derive(hint: Any, building: _Building) -> st.SearchStrategy[Any]:
    """The values of a type annotation, as the log format reads them back.

    ``building`` holds the attrs classes being derived (for recursive types).
    """
    if hint is Any or hint is object:
        raise _Underivable(f"{_type_name(hint)} says nothing about the values")
    if hint is None or hint is type(None):
        return st.none()
    simple: dict[Any, Callable[[], st.SearchStrategy[Any]]] = {
        bool: st.booleans,
        int: st.integers,
        float: lambda: st.floats(allow_nan=False, allow_infinity=False),
        str: lambda: _TEXTS,
        UncertainDate: _any_dates,
        datetime.datetime: lambda: _DATETIMES,
        datetime.date: st.dates,
        Text: lambda: _SUMMARIES,
        Source: _sources,
    }
    if isinstance(hint, type) and hint in simple:
        return simple[hint]()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = list(hint)
        if not members:
            raise _Underivable(f"the enum {hint.__qualname__} has no members")
        return st.sampled_from(members)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        # None first: values shrink to it.
        arms = [st.none()] if type(None) in args else []
        arms += [_derive(arm, building) for arm in args if arm is not type(None)]
        return st.one_of(arms)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_derive(args[0], building)).map(tuple)
        return st.tuples(*(_derive(arg, building) for arg in args))
    if origin in (list, set, frozenset) and len(args) == 1:
        item = _derive(args[0], building)
        if origin is list:
            return st.lists(item)
        return st.sets(item) if origin is set else st.frozensets(item)
    if origin in (dict, Mapping) and len(args) == 2:
        return st.dictionaries(_derive(args[0], building), _derive(args[1], building))
    if isinstance(hint, type) and attrs.has(hint):
        return _attrs_instances(hint, building)
    # Anything else: what hypothesis builds for the type, if it can.
    strategy = st.from_type(hint)
    try:
        strategy.validate()
    except (ResolutionFailed, InvalidArgument) as error:
        raise _Underivable(
            f"hypothesis cannot build a {_type_name(hint)}: {error}"
        ) from None
    return strategy


def _attrs_instances(cls: type, building: _Building) -> st.SearchStrategy[Any]:
    if cls in building:  # a recursive type: the strategy being built
        return st.deferred(lambda: typing.cast(Any, building[cls]))
    building[cls] = None
    hints = _type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for attribute in attrs.fields(cls):
        if not attribute.init:
            continue
        try:
            fields[_alias(attribute)] = _derive(
                hints.get(attribute.name, Any), building
            )
        except _Underivable as why:
            raise _Underivable(f"{cls.__qualname__}.{attribute.name}: {why}") from None
    strategy = _instances(cls, fields)
    building[cls] = strategy
    return strategy


def _annotation(attribute: attrs.Attribute[Any]) -> str:
    written = attribute.type
    return written if isinstance(written, str) else _type_name(written)


def _check_event_type(value: object, where: str) -> type[Event]:
    if not (isinstance(value, type) and issubclass(value, Event)):
        raise InvalidArgument(
            f"{where}: event_type={value!r} must be an event type, a subclass "
            "of timeline.Event declared with @timeline.event_type(...)"
        )
    try:
        registered = lookup_event_type(value.type_name, value.schema_version)
    except UnknownEventTypeError:
        registered = None
    if registered is not value:
        what = (
            "the envelope every event carries, not an event type"
            if value is Event
            else "not declared with @timeline.event_type(...)"
        )
        raise InvalidArgument(
            f"{where}: event_type={value.__qualname__} is {what}, so no log "
            "accepts its events"
        )
    return value


_Ev = TypeVar("_Ev", bound=Event)


def events(
    event_type: type[_Ev], /, **field_strategies: st.SearchStrategy[Any]
) -> st.SearchStrategy[_Ev]:
    """Valid events of ``event_type``, with any value of each field that the
    log format can carry.

    - The envelope: ``id`` (a non-empty text without surrounding white
      space), ``occurred`` (:func:`uncertain_dates`), ``recorded`` (a date,
      a naive datetime or one with a fixed UTC offset), ``source`` and
      ``summary`` (None, or any :class:`~timeline.Source` or
      :class:`~timeline.Text`), ``tags``; ``supersedes`` is empty (a
      :class:`~timeline.Retraction` names some ids), as a lone event has
      nothing to supersede: :func:`logs` points it at earlier events.
    - The payload: from each field's type annotation, as the log format
      reads it back: ``bool``, ``int``, ``float`` (finite), ``str``,
      :class:`~timeline.UncertainDate`, ``date``, ``datetime``, enums,
      ``Literal``, ``tuple``, ``list``, ``set``, ``frozenset``, ``dict``,
      unions and ``X | None``, and nested attrs classes; any other type as
      ``st.from_type`` builds it (which the log format may not carry:
      :func:`timeline.testing.check_projection` then reports the field).

    ``field_strategies`` replace the strategy of any field, by name: this is
    how to give one for a field typed ``object`` or ``Any`` (which says
    nothing about its values) or to narrow one (``occurred=uncertain_dates(
    min_value=...)``).  A field whose values cannot be derived, and has no
    strategy given, is an :class:`~hypothesis.errors.InvalidArgument` naming
    it.  Values the class's own validators refuse are filtered out.

    Events shrink toward id ``"0"``, the date ``2000``, recorded on
    2000-01-01, no source, summary or tags, and the simplest payload.

    >>> import timeline
    >>> @timeline.event_type("doctest.counted")
    ... class Counted(timeline.Event):
    ...     by: int
    >>> strategy = events(Counted, by=st.integers(1, 10))
    """
    cls = _check_event_type(event_type, "events()")
    name = cls.__qualname__
    attributes = [a for a in fields_of(cls) if a.init]
    by_name: dict[str, attrs.Attribute[Any]] = {}
    for attribute in attributes:
        by_name[attribute.name] = by_name[_alias(attribute)] = attribute
    for key, value in field_strategies.items():
        if key not in by_name:
            raise InvalidArgument(
                f"events({name}, {key}=...): {name} has no field {key!r} "
                f"(its fields: {', '.join(a.name for a in attributes)})"
            )
        if not isinstance(value, st.SearchStrategy):
            raise InvalidArgument(
                f"events({name}, {key}={value!r}): {key} must be a hypothesis "
                f"strategy, such as st.just({value!r})"
            )
    given = {by_name[key].name: value for key, value in field_strategies.items()}
    envelope = _envelope(cls)
    hints = _type_hints(cls)
    building: _Building = {}
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for attribute in attributes:
        if attribute.name in given:
            strategy = given[attribute.name]
        elif attribute.name in envelope:
            strategy = envelope[attribute.name]
        else:
            try:
                strategy = _derive(hints.get(attribute.name, Any), building)
            except _Underivable as why:
                raise InvalidArgument(
                    f"events({name}): cannot derive values for the field "
                    f"{attribute.name!r} (annotated {_annotation(attribute)}): "
                    f"{why}; give a strategy for it: "
                    f"events({name}, {attribute.name}=...)"
                ) from None
        fields[_alias(attribute)] = strategy
    return typing.cast("st.SearchStrategy[_Ev]", _instances(cls, fields))


# ---------------------------------------------------------------------------
# Logs.


class _DrawnLog(Log):
    """A generated :class:`timeline.Log`, whose repr lists its events (it is
    what hypothesis prints in a falsifying example)."""

    def __repr__(self) -> str:
        lines = "".join(f"    {event!r},\n" for event in self)
        return f"Log([\n{lines}])" if lines else "Log([])"


def _fold_position(event: Event) -> tuple[int, int]:
    """Where an event falls in the fold order (before its sequence number)."""
    lo, hi = event.occurred.earliest_day, event.occurred.latest_day
    return (
        UNBOUNDED_ABOVE if hi is None else hi,
        UNBOUNDED_BELOW if lo is None else lo,
    )


def _check_drawn(value: object) -> Event:
    if not isinstance(value, Event):
        raise InvalidArgument(
            f"logs(): a strategy drew {value!r}, not a timeline.Event; pass "
            "strategies of events, such as events(MyEvent)"
        )
    kind = type(value)
    try:
        registered = lookup_event_type(kind.type_name, kind.schema_version)
    except UnknownEventTypeError:
        registered = None
    if registered is not kind:
        raise InvalidArgument(
            f"logs(): a strategy drew a {kind.__qualname__}, which is not "
            "declared with @timeline.event_type(...), so no log accepts it"
        )
    return value


# Each event of a log is drawn with how it relates to earlier events, in one
# slot, so that the shrinker deletes an event with its choices: mostly not at
# all; else it supersedes one or two of them, or it is replaced by a
# Retraction of them.  An earlier event is named by how far back it is (1:
# the one before; larger numbers wrap around), so that the choice stays
# valid wherever the event lands.  Events are appended in the order drawn,
# so that one drawn with an earlier valid time than those before it arrives
# late (shrinking their dates toward one year puts them in the fold order),
# or, without late arrivals, in the fold order.
_SUPERSEDES: Final = "supersedes"
_RETRACTS: Final = "retracts"
_CORRECTIONS: Final = st.sampled_from((None,) * 5 + (_SUPERSEDES,) * 2 + (_RETRACTS,))
_BACKS: Final = st.lists(
    st.integers(1, 3) | st.integers(4, 1 << 16), min_size=1, max_size=2
)


@attrs.frozen
class _Slot:
    event: Event
    correction: str | None
    backs: tuple[int, ...]
    reason: str | None


@st.composite
def _slots(
    draw: st.DrawFn, drawn_events: st.SearchStrategy[Any], *, corrections: bool
) -> _Slot:
    event = _check_drawn(draw(drawn_events))
    correction = draw(_CORRECTIONS) if corrections else None
    if isinstance(event, Retraction):
        if not corrections:
            raise InvalidArgument(
                "logs(corrections=False) cannot place a Retraction, which "
                "supersedes earlier events: pass corrections=True, or "
                "strategies of other events"
            )
        correction = _SUPERSEDES  # it must name what it retracts
    backs = tuple(draw(_BACKS)) if correction else ()
    reason = draw(_optional(_TEXTS)) if correction == _RETRACTS else None
    return _Slot(event, correction, backs, reason)


@st.composite
def _drawn_logs(
    draw: st.DrawFn,
    slots: st.SearchStrategy[list[_Slot]],
    *,
    late_arrivals: bool,
    checkpoint_every: int | None,
) -> Log:
    order = draw(slots)
    if not late_arrivals:
        order.sort(key=lambda slot: _fold_position(slot.event))
    # A retraction needs an earlier event to retract: the first event that
    # is not one goes first (in the fold order, that would be a late arrival).
    if order and isinstance(order[0].event, Retraction):
        first = next(
            (k for k, s in enumerate(order) if not isinstance(s.event, Retraction)),
            None,
        )
        hypothesis.assume(first is not None and late_arrivals)
        assert first is not None
        order.insert(0, order.pop(first))
    # The recorded times drawn, in order: knowledge is never back-dated.
    recorded = sorted((s.event.recorded for s in order), key=recorded_key)
    made: list[Event] = []
    for position, slot in enumerate(order):
        targets: tuple[str, ...] = ()
        if slot.correction and position:
            back = dict.fromkeys(position - 1 - (b - 1) % position for b in slot.backs)
            targets = tuple(made[k].id for k in back)
        envelope: dict[str, Any] = {
            "id": f"e{position + 1}",
            "recorded": recorded[position],
            "supersedes": targets,
        }
        if slot.correction == _RETRACTS and targets:
            made.append(
                Retraction(occurred=slot.event.occurred, reason=slot.reason, **envelope)
            )
        else:
            made.append(attrs.evolve(typing.cast(Any, slot.event), **envelope))
    if checkpoint_every is None:
        return _DrawnLog(made)
    return _DrawnLog(made, checkpoint_every=checkpoint_every)


def _check_size(value: object, name: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        expected = "an int >= 0 or None" if optional else "an int >= 0"
        raise InvalidArgument(f"{name}={value!r} must be {expected}")
    return value


def logs(
    *event_strategies: st.SearchStrategy[Event],
    min_size: int = 0,
    max_size: int | None = None,
    late_arrivals: bool = True,
    corrections: bool = True,
    checkpoint_every: int | None = None,
) -> st.SearchStrategy[Log]:
    """Valid in-memory :class:`timeline.Log` values, of events drawn from
    ``event_strategies`` (such as :func:`events`); iterate over one for its
    events in append order.

    Every log is one :meth:`timeline.Log.append` accepts: ids are unique
    (``e1``, ``e2``, ... in append order, replacing the ids drawn), the
    recorded times drawn are put in order (knowledge is never back-dated),
    and ``supersedes`` only names earlier events.

    - ``min_size``, ``max_size``: how many events (default: any number).
    - ``late_arrivals``: events may be appended after events with a later
      valid time (a fact learned late, which moves every checkpoint after
      it); with False, the append order is the fold order.
    - ``corrections``: some events supersede one or two earlier ones, and
      some are :class:`~timeline.Retraction` events; with False,
      ``supersedes`` is always empty.
    - ``checkpoint_every``: the log's checkpoint interval (default: the
      log's own; 1 saves a state after every event, so checkpoints are used
      the most).

    Logs shrink toward fewer events, with simpler dates (so, in the fold
    order), without corrections.

    >>> import timeline
    >>> @timeline.event_type("doctest.noted")
    ... class Noted(timeline.Event):
    ...     pass
    >>> strategy = logs(events(Noted), max_size=10, checkpoint_every=1)
    """
    if not event_strategies:
        raise InvalidArgument(
            "logs() needs at least one strategy of events, such as "
            "logs(events(MyEvent))"
        )
    for number, strategy in enumerate(event_strategies, 1):
        if not isinstance(strategy, st.SearchStrategy):
            hint = (
                f"events({strategy.__qualname__})"
                if isinstance(strategy, type)
                else "events(MyEvent)"
            )
            raise InvalidArgument(
                f"logs(): argument {number}, {strategy!r}, must be a strategy "
                f"of events, such as {hint}"
            )
    low = _check_size(min_size, "min_size")
    high = _check_size(max_size, "max_size", optional=True)
    if high is not None and low is not None and high < low:
        raise InvalidArgument(
            f"max_size={max_size!r} must not be less than min_size={min_size!r}"
        )
    _check_bool(late_arrivals, "late_arrivals")
    _check_bool(corrections, "corrections")
    if checkpoint_every is not None and (
        not isinstance(checkpoint_every, int)
        or isinstance(checkpoint_every, bool)
        or checkpoint_every < 1
    ):
        raise InvalidArgument(
            f"checkpoint_every={checkpoint_every!r} must be an int >= 1 or None"
        )
    slots = _slots(st.one_of(event_strategies), corrections=corrections)
    return _drawn_logs(
        st.lists(slots, min_size=min_size, max_size=high),
        late_arrivals=late_arrivals,
        checkpoint_every=checkpoint_every,
    )


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


# ---------------------------------------------------------------------------
# For timeline.testing, which reaches hypothesis only through this module.

_st = st
_Strategy = st.SearchStrategy
_InvalidArgument = InvalidArgument

_SETTING_NAMES: Final = tuple(
    name
    for name in inspect.signature(hypothesis.settings).parameters
    if name != "parent"
)


def _run(
    test: Callable[[Callable[..., Any]], None],
    options: Mapping[str, Any],
    *,
    key: str,
    where: str,
    defaults: Mapping[str, Any],
    flaky: Callable[[BaseException], BaseException],
) -> None:
    """Run ``test(draw)`` under hypothesis with ``options`` as its settings,
    over ``defaults``; ``key`` tells tests apart in the example database.
    A test that passes and fails on the same draws raises ``flaky(error)``."""
    unknown = [name for name in options if name not in _SETTING_NAMES]
    if unknown:
        raise InvalidArgument(
            f"{where}: {unknown[0]}={options[unknown[0]]!r} is not a hypothesis "
            f"setting (these are: {', '.join(_SETTING_NAMES)})"
        )
    suppressed = {hypothesis.HealthCheck.too_slow}
    merged = {"suppress_health_check": suppressed, **defaults, **options}
    chosen = hypothesis.settings(**merged)

    @chosen
    @hypothesis.given(st.data())
    def laws(data: st.DataObject) -> None:
        test(data.draw)

    inner: Any = laws.hypothesis.inner_test  # type: ignore[attr-defined]
    inner._hypothesis_internal_add_digest = key.encode("utf-8")
    try:
        laws()
    except Flaky as error:
        raise flaky(error) from error


# ---------------------------------------------------------------------------
# Registration with hypothesis, when this module is imported (by hypothesis
# itself, through its entry point, or by a test): ``st.from_type`` then
# knows UncertainDate and Event.


def _registered_events(thing: type) -> st.SearchStrategy[Event]:
    """``st.from_type(Event)``: events of every registered event type whose
    fields can be derived (looked up when first drawn)."""

    def every() -> st.SearchStrategy[Event]:
        found = []
        for kind in sorted(event_types(), key=lambda k: k.type_name):
            try:
                found.append(events(kind))
            except InvalidArgument:
                continue
        return st.one_of(found)

    return st.deferred(every)


st.register_type_strategy(UncertainDate, uncertain_dates())
st.register_type_strategy(Event, _registered_events)
