"""Uncertain dates: the value type every event's valid time is made of.

A date is held as written (year, month or season, day, unspecified digits,
qualifier), so it round-trips through EDTF losslessly, and its strict bounds
are computed once, as *day numbers*: the proleptic Gregorian ordinal that
:meth:`datetime.date.toordinal` uses (0001-01-01 is day 1), extended to every
year with astronomical numbering (year 0 is 1 BCE, year -1 is 2 BCE).  Day
numbers are what the rest of the library compares; :class:`datetime.date`
appears only at the edges, for the years 1-9999 it can hold.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Final, Literal, TypeAlias

import attrs

from timeline._dates import allen as _allen
from timeline._dates.allen import AllenRelation
from timeline.exceptions import DateRangeError, InvalidDateError

__all__ = [
    "AllenRelation",
    "End",
    "Fuzz",
    "Point",
    "Precision",
    "Qualifier",
    "Truth",
    "UncertainDate",
    "day_number",
    "from_day_number",
]

# Years are limited to 15 digits: far beyond any use (the universe is about
# 1.4e10 years old), and it keeps every day number well inside a signed 64-bit
# integer and inside the UNBOUNDED_BELOW/UNBOUNDED_ABOVE sentinels.
MAX_YEAR: Final = 10**15 - 1
_TIME: Final = re.compile(
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:Z|\+(?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"|-(?!00:00)(?:[01][0-9]|2[0-3]):[0-5][0-9])?"
)
_MIN_ORDINAL: Final = datetime.date.min.toordinal()
_MAX_ORDINAL: Final = datetime.date.max.toordinal()
_DAYS_BEFORE_MONTH: Final = (0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)

# Seasons (EDTF Level 1 codes 21-24) use the meteorological seasons of the
# northern hemisphere.  Winter runs from 1 December into the next year and
# ends on the last day of February (the `edtf` package cuts it at 31 December).
_SEASON_MONTHS: Final = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}
SEASON_NAMES: Final = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def day_number(year: int, month: int = 1, day: int = 1) -> int:
    """The day number of a calendar day, for any year.

    Equal to ``datetime.date(year, month, day).toordinal()`` for the years
    1-9999, and continued with the same proleptic Gregorian rules beyond.

    >>> day_number(2024, 6, 19) == datetime.date(2024, 6, 19).toordinal()
    True
    >>> day_number(0, 12, 31)
    0
    """
    y = year - 1
    days = y * 365 + y // 4 - y // 100 + y // 400 + _DAYS_BEFORE_MONTH[month] + day
    if month > 2 and _is_leap(year):
        days += 1
    return days


def from_day_number(number: int) -> datetime.date:
    """The :class:`datetime.date` of a day number (years 1-9999 only)."""
    if not _MIN_ORDINAL <= number <= _MAX_ORDINAL:
        raise DateRangeError(
            f"day number {number} lies outside the years 1-9999 that "
            "datetime.date can hold; use the day number itself"
        )
    return datetime.date.fromordinal(number)


def _month_end(year: int, month: int) -> int:
    """Day number of the last day of ``month``; month 13, 14 spill into next year."""
    if month > 12:
        year, month = year + 1, month - 12
    return day_number(year, month, _month_length(year, month))


class Precision(enum.IntEnum):
    """How much of a date is known, from coarsest to finest."""

    MILLENNIUM = 1
    CENTURY = 2
    DECADE = 3
    YEAR = 4
    SEASON = 5
    MONTH = 6
    DAY = 7


class Qualifier(enum.Enum):
    """EDTF's qualifiers on a whole date."""

    NONE = ""
    UNCERTAIN = "?"
    APPROXIMATE = "~"
    UNCERTAIN_APPROXIMATE = "%"

    @property
    def is_uncertain(self) -> bool:
        return self in (Qualifier.UNCERTAIN, Qualifier.UNCERTAIN_APPROXIMATE)

    @property
    def is_approximate(self) -> bool:
        return self in (Qualifier.APPROXIMATE, Qualifier.UNCERTAIN_APPROXIMATE)


class Truth(enum.Enum):
    """A three-valued answer: a relation holds for every possible day (YES),
    for none (NO), or for some but not all (MAYBE).

    It deliberately refuses ``bool()``: ``if d.before(day):`` would silently
    read MAYBE as true.  Compare with a member instead.
    """

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self} is three-valued; compare it with Truth.YES, Truth.NO "
            "or Truth.MAYBE instead of using it as a bool"
        )

    def __invert__(self) -> Truth:
        return _NOT[self]

    @classmethod
    def from_range(cls, all_hold: bool, none_hold: bool) -> Truth:
        if all_hold:
            return cls.YES
        return cls.NO if none_hold else cls.MAYBE


_NOT: Final = {Truth.YES: Truth.NO, Truth.NO: Truth.YES, Truth.MAYBE: Truth.MAYBE}
_QUALIFIER_RANK: Final = {q: i for i, q in enumerate(Qualifier)}


class End(enum.Enum):
    """An interval end that is not a date: open (``..``) or unknown (empty)."""

    OPEN = ".."
    UNKNOWN = ""


@attrs.frozen(cache_hash=True)
class Point:
    """One EDTF date, as written: the building block of :class:`UncertainDate`.

    ``year`` is the first year the date may be, with unspecified digits
    counted in ``unspecified_year_digits``: ``201X`` is ``year=2010`` with
    one unspecified digit, and ``-199X`` (the years -1999 to -1990)
    ``year=-1999``.  ``month`` is 1-12, or 21-24 for a season.
    ``month_unspecified`` / ``day_unspecified`` stand for ``XX``.  ``time``
    is the normalized time of day with its offset (``"23:20:30Z"``), kept
    for round trips; bounds use the calendar day written.
    """

    year: int
    month: int | None = None
    day: int | None = None
    qualifier: Qualifier = Qualifier.NONE
    unspecified_year_digits: int = 0
    month_unspecified: bool = False
    day_unspecified: bool = False
    time: str | None = None
    _bounds: tuple[int, int] = attrs.field(
        init=False, eq=False, repr=False, hash=False, order=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_bounds", self._compute_bounds())

    def _compute_bounds(self) -> tuple[int, int]:
        year, month, day = self.year, self.month, self.day
        if not -MAX_YEAR <= year <= MAX_YEAR:
            raise InvalidDateError(self, "a year of at most 15 digits")
        if not -9999 <= year <= 9999 and (
            month is not None
            or self.month_unspecified
            or self.day_unspecified
            or self.unspecified_year_digits
        ):
            raise InvalidDateError(
                self, "a year alone beyond -9999 to 9999 (Y-years have no month)"
            )
        if self.time is not None and _TIME.fullmatch(self.time) is None:
            raise InvalidDateError(
                self,
                "a time of day hh:mm:ss, optionally followed by Z or an offset "
                "+hh:mm / -hh:mm (a zero offset is Z or +00:00)",
            )
        k = self.unspecified_year_digits
        if k:
            if not 1 <= k <= 3:
                raise InvalidDateError(self, "1 to 3 unspecified year digits")
            if (year if year >= 0 else year + 10**k - 1) % 10**k:
                raise InvalidDateError(
                    self,
                    "the first year of the range the unspecified digits cover: "
                    "201X is year 2010, -199X (the years -1999 to -1990) "
                    "year -1999",
                )
            if month is not None or day is not None or self.month_unspecified:
                raise InvalidDateError(
                    self, "no month or day after a year with unspecified digits"
                )
            return day_number(year), _month_end(year + 10**k - 1, 12)
        if self.month_unspecified:
            if month is not None or day is not None or self.time is not None:
                raise InvalidDateError(
                    self, "no month, day or time with an unspecified month"
                )
            return day_number(year), _month_end(year, 12)
        if month is None:
            if day is not None or self.day_unspecified or self.time is not None:
                raise InvalidDateError(self, "a month before a day or time")
            return day_number(year), _month_end(year, 12)
        if month in _SEASON_MONTHS:
            if day is not None or self.day_unspecified or self.time is not None:
                raise InvalidDateError(self, "no day or time after a season")
            first, last = _SEASON_MONTHS[month]
            return day_number(year, first), _month_end(year, last)
        if not 1 <= month <= 12:
            raise InvalidDateError(
                self, f"a month 01-12 or a season 21-24, not {month:02d}"
            )
        if self.day_unspecified:
            if day is not None or self.time is not None:
                raise InvalidDateError(self, "no day or time with an unspecified day")
            return day_number(year, month), _month_end(year, month)
        if day is None:
            if self.time is not None:
                raise InvalidDateError(self, "a day before a time of day")
            return day_number(year, month), _month_end(year, month)
        length = _month_length(year, month)
        if not 1 <= day <= length:
            raise InvalidDateError(
                self,
                f"a day 01-{length:02d} for {_format_year(year)}-{month:02d}, "
                f"not {day:02d}",
            )
        if self.time is not None and self.qualifier is not Qualifier.NONE:
            raise InvalidDateError(self, "no qualifier on a date with a time of day")
        number = day_number(year, month, day)
        return number, number

    @property
    def precision(self) -> Precision:
        k = self.unspecified_year_digits
        if k:
            return (Precision.DECADE, Precision.CENTURY, Precision.MILLENNIUM)[k - 1]
        if self.month is None or self.month_unspecified:
            return Precision.YEAR
        if self.month > 12:
            return Precision.SEASON
        if self.day is None or self.day_unspecified:
            return Precision.MONTH
        return Precision.DAY

    @property
    def first_day(self) -> int:
        """Day number of the first day this date may be."""
        return self._bounds[0]

    @property
    def last_day(self) -> int:
        """Day number of the last day this date may be."""
        return self._bounds[1]

    def to_edtf(self) -> str:
        k = self.unspecified_year_digits
        if k:
            # A negative range is written by its last year, the one nearest
            # zero: -199X covers -1999 to -1990, and -000X ends in year 0.
            last = self.year + 10**k - 1 if self.year < 0 else self.year
            known = abs(last) // 10**k
            text = "-" * (self.year < 0) + str(known).zfill(4 - k) + "X" * k
        else:
            text = _format_year(self.year)
        if self.month_unspecified:
            text += "-XX"
        elif self.month is not None:
            text += f"-{self.month:02d}"
        if self.day_unspecified:
            text += "-XX"
        elif self.day is not None:
            text += f"-{self.day:02d}"
        if self.time is not None:
            text += "T" + self.time
        return text + self.qualifier.value


def _format_year(year: int) -> str:
    if -9999 <= year <= 9999:
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return f"Y{year}"


@attrs.frozen(eq=False)
class Fuzz:
    """A policy for widening qualified dates ("fuzzy" bounds).

    Strict bounds (:attr:`UncertainDate.earliest`, :attr:`~UncertainDate.latest`)
    never move.  :meth:`UncertainDate.fuzzy_bounds` widens each end written
    with ``~`` (approximate) or ``?`` (uncertain) by this many units of its own
    precision: a day by days, a month by months, a season by three months, a
    year by years, a decade by ten years, and so on.  ``%`` takes the larger.
    """

    approximate: int = attrs.field(default=1, validator=attrs.validators.ge(0))
    uncertain: int = attrs.field(default=1, validator=attrs.validators.ge(0))

    def units(self, qualifier: Qualifier) -> int:
        units = 0
        if qualifier.is_approximate:
            units = self.approximate
        if qualifier.is_uncertain:
            units = max(units, self.uncertain)
        return units


_MONTHS_PER_UNIT: Final = {
    Precision.MILLENNIUM: 12000,
    Precision.CENTURY: 1200,
    Precision.DECADE: 120,
    Precision.YEAR: 12,
    Precision.SEASON: 3,
    Precision.MONTH: 1,
}


def _shift_months(number: int, months: int, *, to_end: bool) -> int:
    """Move a bound by whole months, landing on a month's first or last day."""
    date_year, date_month = _year_month_of(number)
    total = date_year * 12 + (date_month - 1) + months
    year, month0 = divmod(total, 12)
    if to_end:
        return _month_end(year, month0 + 1)
    return day_number(year, month0 + 1)


def _year_month_of(number: int) -> tuple[int, int]:
    # Day numbers repeat every 146097 days (400 Gregorian years); shift into
    # datetime's first 400 years to read the calendar, then shift the year back.
    cycles, rest = divmod(number - _MIN_ORDINAL, 146097)
    d = datetime.date.fromordinal(_MIN_ORDINAL + rest)
    return d.year + 400 * cycles, d.month


_START_RANK: Final[dict[Point | End, int]] = {End.OPEN: 0, End.UNKNOWN: 1}
_END_RANK: Final[dict[Point | End, int]] = {End.UNKNOWN: 1, End.OPEN: 2}
UNBOUNDED_BELOW: Final = -(2**62)
UNBOUNDED_ABOVE: Final = 2**62
DayLike: TypeAlias = "datetime.date | UncertainDate"


@attrs.frozen(cache_hash=True, repr=False)
class UncertainDate:
    """A date known to some precision: a day, a month, a season, a year, a
    decade, with EDTF's qualifiers and unspecified digits, or an interval
    between two such dates whose ends may be open or unknown.

    Build one with :func:`timeline.parse_edtf` or :func:`timeline.parse_date`,
    or from parts:

    >>> d = UncertainDate.from_ymd(2024, 6)
    >>> d.earliest, d.latest
    (datetime.date(2024, 6, 1), datetime.date(2024, 6, 30))
    >>> str(d), d.precision.name
    ('2024-06', 'MONTH')
    >>> d.on_or_before(datetime.date(2024, 6, 15))
    <Truth.MAYBE: 'maybe'>

    Bounds are exact and inclusive; an open (``..``) or unknown (empty)
    interval end has no bound (``None``), never an invented one.
    """

    start: Point | End
    end: Point | End
    is_interval: bool = False
    earliest_day: int | None = attrs.field(init=False, eq=False, hash=False)
    latest_day: int | None = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        start, end = self.start, self.end
        if not self.is_interval:
            if not isinstance(start, Point) or start != end:
                raise InvalidDateError(
                    self.start, "a single date has the same Point as start and end"
                )
        else:
            if not isinstance(start, Point) and not isinstance(end, Point):
                raise InvalidDateError(
                    f"{start.value}/{end.value}", "at least one end of an interval"
                )
            for point in (start, end):
                if isinstance(point, Point) and point.time is not None:
                    raise InvalidDateError(
                        f"{_end_text(start)}/{_end_text(end)}",
                        "interval ends without a time of day (EDTF excludes "
                        "times from intervals)",
                    )
        lo = start.first_day if isinstance(start, Point) else None
        hi = end.last_day if isinstance(end, Point) else None
        if (
            isinstance(start, Point)
            and isinstance(end, Point)
            and end.last_day < start.first_day
        ):
            raise InvalidDateError(
                f"{start.to_edtf()}/{end.to_edtf()}",
                "an interval whose end is not before its start",
            )
        object.__setattr__(self, "earliest_day", lo)
        object.__setattr__(self, "latest_day", hi)

    # -- construction -------------------------------------------------

    @classmethod
    def from_point(cls, point: Point) -> UncertainDate:
        return cls(point, point)

    @classmethod
    def from_ymd(
        cls,
        year: int,
        month: int | None = None,
        day: int | None = None,
        *,
        qualifier: Qualifier = Qualifier.NONE,
    ) -> UncertainDate:
        """A single date of year, month (or season 21-24) and day precision."""
        return cls.from_point(Point(year, month, day, qualifier))

    @classmethod
    def from_date(cls, day: datetime.date) -> UncertainDate:
        """The exact day of a :class:`datetime.date` (a datetime keeps its day)."""
        return cls.from_ymd(day.year, day.month, day.day)

    @classmethod
    def between(
        cls, start: UncertainDate | End, end: UncertainDate | End
    ) -> UncertainDate:
        """An interval from ``start`` to ``end`` (each a single date or an End)."""
        return cls(_as_end(start, "start"), _as_end(end, "end"), is_interval=True)

    # -- bounds -------------------------------------------------------

    @property
    def earliest(self) -> datetime.date | None:
        """The first day this date may be, or None for an open/unknown start."""
        return None if self.earliest_day is None else from_day_number(self.earliest_day)

    @property
    def latest(self) -> datetime.date | None:
        """The last day this date may be, or None for an open/unknown end."""
        return None if self.latest_day is None else from_day_number(self.latest_day)

    @property
    def precision(self) -> Precision:
        """The coarsest precision among the written dates."""
        points = [p for p in (self.start, self.end) if isinstance(p, Point)]
        return min(p.precision for p in points)

    @property
    def qualifier(self) -> Qualifier:
        """The qualifier of a single date; for an interval, of its start
        (or of its end if the start is open or unknown)."""
        point = self.start if isinstance(self.start, Point) else self.end
        assert isinstance(point, Point)
        return point.qualifier

    @property
    def is_exact_day(self) -> bool:
        """True when the date is one known calendar day."""
        return self.earliest_day is not None and self.earliest_day == self.latest_day

    def fuzzy_bounds(
        self, policy: Fuzz = Fuzz()
    ) -> tuple[datetime.date | None, datetime.date | None]:
        """Bounds widened for ``~``/``?``/``%`` under ``policy`` (see :class:`Fuzz`).

        >>> parse = __import__("timeline").parse_edtf
        >>> parse("2004-06~").fuzzy_bounds()
        (datetime.date(2004, 5, 1), datetime.date(2004, 7, 31))
        """
        lo, hi = self.fuzzy_days(policy)
        return (
            None if lo is None else from_day_number(lo),
            None if hi is None else from_day_number(hi),
        )

    def fuzzy_days(self, policy: Fuzz = Fuzz()) -> tuple[int | None, int | None]:
        """:meth:`fuzzy_bounds` as day numbers, for every year.

        >>> parse = __import__("timeline").parse_edtf
        >>> parse("-0100~").fuzzy_days() == (
        ...     parse("-0101").earliest_day, parse("-0099").latest_day)
        True
        """
        lo, hi = self.earliest_day, self.latest_day
        if isinstance(self.start, Point) and lo is not None:
            lo = _widen(self.start, lo, -policy.units(self.start.qualifier))
        if isinstance(self.end, Point) and hi is not None:
            hi = _widen(self.end, hi, policy.units(self.end.qualifier))
        return lo, hi

    # -- three-valued relations ---------------------------------------

    def _range(self) -> tuple[int, int]:
        lo, hi = self.earliest_day, self.latest_day
        return (
            UNBOUNDED_BELOW if lo is None else lo,
            UNBOUNDED_ABOVE if hi is None else hi,
        )

    def before(self, other: DayLike) -> Truth:
        """Is this date strictly before ``other``?"""
        lo, hi = self._range()
        olo, ohi = _range_of(other)
        return Truth.from_range(hi < olo, lo >= ohi)

    def on_or_before(self, other: DayLike) -> Truth:
        """Is this date on or before ``other``?  (Did it happen by then?)"""
        lo, hi = self._range()
        olo, ohi = _range_of(other)
        return Truth.from_range(hi <= olo, lo > ohi)

    def after(self, other: DayLike) -> Truth:
        """Is this date strictly after ``other``?"""
        return ~self.on_or_before(other)

    def on_or_after(self, other: DayLike) -> Truth:
        """Is this date on or after ``other``?"""
        return ~self.before(other)

    def overlaps(self, other: DayLike) -> Truth:
        """Do the two periods share at least one day?

        Read as periods (see :meth:`interval_relations`): a single date is
        the whole of its day, month, season, year, ...; an interval runs
        from a day of its start to a day of its end.  YES when they share a
        day however the ends fall, MAYBE when they may, NO when they cannot.

        >>> june = UncertainDate.from_ymd(2024, 6)
        >>> june.overlaps(datetime.date(2024, 6, 30))
        <Truth.YES: 'yes'>
        >>> june.overlaps(__import__("timeline").parse_edtf("2024/2025"))
        <Truth.MAYBE: 'maybe'>
        """
        return self._holds(other, _allen.SHARE_A_DAY)

    def contains(self, other: DayLike) -> Truth:
        """Does this period include every day of ``other``'s period?

        Periods as in :meth:`overlaps`; equal periods contain each other.

        >>> UncertainDate.from_ymd(2024).contains(UncertainDate.from_ymd(2024, 6))
        <Truth.YES: 'yes'>
        """
        return self._holds(other, _allen.INCLUDES)

    # -- Allen's interval relations -------------------------------------

    def _box(self) -> _allen.Box:
        """The days this date's period may start and end on."""
        if not self.is_interval:
            lo, hi = self._range()
            return lo, lo, hi, hi
        start, end = self.start, self.end
        s_lo, s_hi = (
            (start.first_day, start.last_day)
            if isinstance(start, Point)
            else (UNBOUNDED_BELOW, UNBOUNDED_ABOVE)
        )
        e_lo, e_hi = (
            (end.first_day, end.last_day)
            if isinstance(end, Point)
            else (UNBOUNDED_BELOW, UNBOUNDED_ABOVE)
        )
        return s_lo, s_hi, e_lo, e_hi

    def _holds(self, other: DayLike, atoms: tuple[tuple[int, int, int], ...]) -> Truth:
        all_hold, none_hold = _allen.Pair(self._box(), _box_of(other)).relation(atoms)
        return Truth.from_range(all_hold, none_hold)

    def interval_relation(self, other: DayLike, relation: AllenRelation) -> Truth:
        """Does Allen's ``relation`` hold between this period and ``other``'s?

        The method of that name (``interval_before``, ...) says the same.
        """
        return self._holds(other, _allen.atoms_of(relation))

    def interval_relations(self, other: DayLike) -> dict[AllenRelation, Truth]:
        """All thirteen of Allen's relations between the two periods.

        Each date is read as a period of whole days: a single date is the
        whole of what it names (``2024-06`` is 1-30 June 2024); an interval
        starts on a day of its start and ends on a day of its end
        (``1984/2004-06`` starts in 1984 and ends in June 2004), and an open
        or unknown end may be any day on its side.  A relation is YES when
        it holds however the ends fall, NO when it holds for no way they
        may fall, MAYBE otherwise.  For dates known to the day exactly one
        relation is YES; docs/dates.md has the table.

        >>> parse = __import__("timeline").parse_edtf
        >>> answers = parse("1850/1860").interval_relations(parse("1860/1870"))
        >>> sorted(r.name for r, t in answers.items() if t is not Truth.NO)
        ['BEFORE', 'MEETS', 'OVERLAPS']
        """
        pair = _allen.Pair(self._box(), _box_of(other))
        return {
            relation: Truth.from_range(*pair.relation(_allen.atoms_of(relation)))
            for relation in AllenRelation
        }

    def interval_before(self, other: DayLike) -> Truth:
        """Allen's *before*: this period ends at least a day before ``other`` starts."""
        return self.interval_relation(other, AllenRelation.BEFORE)

    def interval_meets(self, other: DayLike) -> Truth:
        """Allen's *meets*: ``other`` starts the day after this period ends."""
        return self.interval_relation(other, AllenRelation.MEETS)

    def interval_overlaps(self, other: DayLike) -> Truth:
        """Allen's *overlaps*: this starts first, ``other`` starts before this
        ends, and this ends first."""
        return self.interval_relation(other, AllenRelation.OVERLAPS)

    def interval_starts(self, other: DayLike) -> Truth:
        """Allen's *starts*: same first day, this ends first."""
        return self.interval_relation(other, AllenRelation.STARTS)

    def interval_during(self, other: DayLike) -> Truth:
        """Allen's *during*: this starts after and ends before ``other``."""
        return self.interval_relation(other, AllenRelation.DURING)

    def interval_finishes(self, other: DayLike) -> Truth:
        """Allen's *finishes*: same last day, this starts later."""
        return self.interval_relation(other, AllenRelation.FINISHES)

    def interval_equals(self, other: DayLike) -> Truth:
        """Allen's *equals*: same first and last day."""
        return self.interval_relation(other, AllenRelation.EQUALS)

    def interval_finished_by(self, other: DayLike) -> Truth:
        """Allen's *finished by*: same last day, this starts earlier."""
        return self.interval_relation(other, AllenRelation.FINISHED_BY)

    def interval_contains(self, other: DayLike) -> Truth:
        """Allen's *contains*: this starts before and ends after ``other``."""
        return self.interval_relation(other, AllenRelation.CONTAINS)

    def interval_started_by(self, other: DayLike) -> Truth:
        """Allen's *started by*: same first day, this ends later."""
        return self.interval_relation(other, AllenRelation.STARTED_BY)

    def interval_overlapped_by(self, other: DayLike) -> Truth:
        """Allen's *overlapped by*: ``other`` starts first, this starts
        before it ends, and it ends first."""
        return self.interval_relation(other, AllenRelation.OVERLAPPED_BY)

    def interval_met_by(self, other: DayLike) -> Truth:
        """Allen's *met by*: this starts the day after ``other`` ends."""
        return self.interval_relation(other, AllenRelation.MET_BY)

    def interval_after(self, other: DayLike) -> Truth:
        """Allen's *after*: this starts at least a day after ``other`` ends."""
        return self.interval_relation(other, AllenRelation.AFTER)

    # -- order ----------------------------------------------------------

    def sort_key(self) -> tuple[int, int, int, int, int, int, str]:
        """A total order for people who need one: ``sorted(dates,
        key=UncertainDate.sort_key)``.

        By earliest day (an open or unknown start first), then latest day
        (an open or unknown end last); for equal bounds an open start
        (``..``) before an unknown one and an unknown end before an open
        one, then by precision (coarser first), qualifier (none, ``?``,
        ``~``, ``%``) and the EDTF text, so that two different dates never
        tie and the order never depends on the input's.

        >>> parse = __import__("timeline").parse_edtf
        >>> [str(d) for d in sorted(map(parse, ["2024", "2024-06", "../2024-06",
        ...     "2024-06-01", "2023/.."]), key=UncertainDate.sort_key)]
        ['../2024-06', '2023/..', '2024', '2024-06-01', '2024-06']
        """
        lo, hi = self._range()
        return (
            lo,
            hi,
            _START_RANK.get(self.start, 2),
            _END_RANK.get(self.end, 0),
            self.precision,
            _QUALIFIER_RANK[self.qualifier],
            self.to_edtf(),
        )

    # -- text ---------------------------------------------------------

    def to_edtf(self) -> str:
        """Normalized EDTF: ``parse_edtf(d.to_edtf()) == d`` for every value."""
        if not self.is_interval:
            assert isinstance(self.start, Point)
            return self.start.to_edtf()
        return f"{_end_text(self.start)}/{_end_text(self.end)}"

    __str__ = to_edtf

    def describe(self, lang: Literal["en", "ja"] = "en") -> str:
        """This date in words, in English (``"en"``) or Japanese (``"ja"``).

        :func:`timeline.parse_date` reads the words back to the same bounds
        (and to the same date, where the words say everything written).  A
        part of a year, month, decade or century is said as one ("early
        1923") when an interval is exactly that part; what has no words (a
        negative or long year, a year before 100) is said in EDTF; a time of
        day is left out.

        >>> parse = __import__("timeline").parse_edtf
        >>> [parse(t).describe() for t in ["2024-06", "1850~", "../2025-07-14", "185X"]]
        ['June 2024', 'about 1850', 'before 14 July 2025', 'the 1850s']
        >>> [parse(t).describe("ja") for t in ["2024-06", "1850~", "18XX", "1923-21"]]
        ['2024年6月', '1850年頃', '19世紀', '1923年春']
        >>> [parse(t).describe() for t in ["1923-01/1923-04", "1923/1925", "2004-06/"]]
        ['early 1923', '1923–1925', 'from June 2004 to an unknown date']
        """
        from timeline._dates.describe import (
            describe,  # deferred: it imports this module
        )

        return describe(self, lang)

    def __repr__(self) -> str:
        return f"UncertainDate({self.to_edtf()!r})"


def _widen(point: Point, number: int, units: int) -> int:
    if units == 0:
        return number
    precision = point.precision
    if precision is Precision.DAY:
        return number + units
    return _shift_months(number, units * _MONTHS_PER_UNIT[precision], to_end=units > 0)


def _end_text(end: Point | End) -> str:
    return end.to_edtf() if isinstance(end, Point) else end.value


def _as_end(value: UncertainDate | End, which: str) -> Point | End:
    if isinstance(value, End):
        return value
    if value.is_interval:
        raise InvalidDateError(value.to_edtf(), f"a single date as the {which}")
    return value.start


def _box_of(other: DayLike) -> _allen.Box:
    if isinstance(other, UncertainDate):
        return other._box()
    lo, hi = _range_of(other)
    return lo, lo, hi, hi


def _range_of(other: DayLike) -> tuple[int, int]:
    if isinstance(other, UncertainDate):
        return other._range()
    if isinstance(other, datetime.date):
        number = other.toordinal()
        return number, number
    raise TypeError(
        f"expected a datetime.date or an UncertainDate, got {type(other).__name__}"
    )
