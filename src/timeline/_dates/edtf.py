"""A strict reader for EDTF (Library of Congress, 2019), Levels 0 and 1.

Hand-written rather than one large regular expression so that an error can
say what was expected and at which position of the text.
"""

from __future__ import annotations

import functools
from typing import Final

from timeline._dates import End, Point, Qualifier, UncertainDate
from timeline.exceptions import InvalidDateError

__all__ = ["parse_edtf"]

_QUALIFIERS: Final = {q.value: q for q in Qualifier if q.value}
_DIGITS: Final = frozenset("0123456789")


class _Reader:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str, pos: int | None = None) -> InvalidDateError:
        where = self.pos if pos is None else pos
        found = self.text[where : where + 1]
        found = repr(found) if found else "the end of the text"
        return InvalidDateError(self.text, f"{expected}, found {found}", where)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def digits(self, count: int, what: str) -> int:
        chunk = self.text[self.pos : self.pos + count]
        for i, ch in enumerate(chunk):
            if ch not in _DIGITS:
                raise self.fail(what, self.pos + i)
        if len(chunk) < count:
            raise self.fail(what, self.pos + len(chunk))
        self.pos += count
        return int(chunk)

    def point(self) -> Point:
        start = self.pos
        long_year = self.peek() == "Y"
        year, unspecified = self.year()
        month: int | None = None
        day: int | None = None
        month_x = day_x = False
        time: str | None = None
        if self.peek() == "-" and long_year:
            raise self.fail("the end of the date: a Y-year is a year, without a month")
        if self.peek() == "-" and not unspecified:
            self.pos += 1
            if self.peek(2) == "XX":
                self.pos += 2
                month_x = True
            else:
                month = self.digits(2, "a two-digit month (01-12, 21-24) or XX")
            if self.peek() == "-":
                self.pos += 1
                if self.peek(2) == "XX":
                    self.pos += 2
                    day_x = True
                elif month_x:
                    raise self.fail("XX: a day after an unspecified month is XX")
                else:
                    day = self.digits(2, "a two-digit day or XX")
            if self.peek() == "T" and day is not None:
                self.pos += 1
                time = self.time()
        qualifier = _QUALIFIERS.get(self.peek(), Qualifier.NONE)
        if qualifier is not Qualifier.NONE:
            self.pos += 1
        try:
            return Point(
                year,
                month,
                day,
                qualifier,
                unspecified_year_digits=unspecified,
                month_unspecified=month_x,
                day_unspecified=day_x,
                time=time,
            )
        except InvalidDateError as error:
            raise InvalidDateError(self.text, error.expected, start) from None

    def year(self) -> tuple[int, int]:
        if self.peek() == "Y":
            self.pos += 1
            sign = 1
            if self.peek() == "-":
                sign = -1
                self.pos += 1
            begin = self.pos
            while self.text[self.pos : self.pos + 1] in _DIGITS:
                self.pos += 1
            digits = self.text[begin : self.pos]
            if len(digits) < 5 or digits[0] == "0":
                raise self.fail(
                    "a year of five or more digits, without leading zeros, "
                    "after 'Y' (shorter years are written without it)",
                    begin,
                )
            if len(digits) > 15:
                raise self.fail("a year of at most 15 digits", begin + 15)
            return sign * int(digits), 0
        negative = self.peek() == "-"
        if negative:
            self.pos += 1
        text, begin = self.text, self.pos
        i = begin
        while i < begin + 4 and text[i : i + 1] in _DIGITS:
            i += 1
        known = i - begin
        while i < begin + 4 and text[i : i + 1] == "X":
            i += 1
        unspecified = i - begin - known
        if i < begin + 4 or known == 0:
            raise self.fail(
                "a four-digit year (digits, optionally ending in X for "
                "unspecified digits, e.g. 2025, 201X, 19XX)",
                i if known else begin,
            )
        self.pos += 4
        year = int(text[begin : begin + known]) * 10**unspecified
        if negative and unspecified:
            # -199X covers -1999 to -1990: held by its first year, -1999.
            return -year - 10**unspecified + 1, unspecified
        if negative:
            if year == 0:
                raise self.fail(
                    "a year other than -0000 (year zero is 0000)", begin - 1
                )
            year = -year
        return year, unspecified

    def time(self) -> str:
        hour = self.digits(2, "a two-digit hour")
        self.expect(":", "':' between hour and minute")
        minute = self.digits(2, "two-digit minutes")
        self.expect(":", "':' between minutes and seconds")
        second = self.digits(2, "two-digit seconds")
        if hour > 23 or minute > 59 or second > 59:
            raise self.fail("a time from 00:00:00 to 23:59:59", self.pos - 8)
        text = f"{hour:02d}:{minute:02d}:{second:02d}"
        sign = self.peek()
        if sign == "Z":
            self.pos += 1
            return text + "Z"
        if sign in ("+", "-"):
            self.pos += 1
            offset_at = self.pos
            offset_hours = self.digits(2, "a two-digit offset hour")
            offset_minutes = 0
            if self.peek() == ":":
                self.pos += 1
                offset_minutes = self.digits(2, "two-digit offset minutes")
            if offset_hours > 23 or offset_minutes > 59:
                raise self.fail("an offset from 00:00 to 23:59", offset_at)
            if sign == "-" and offset_hours == offset_minutes == 0:
                raise self.fail(
                    "a zero offset written Z or +00:00, not -00:00", offset_at - 1
                )
            return f"{text}{sign}{offset_hours:02d}:{offset_minutes:02d}"
        return text

    def expect(self, literal: str, what: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise self.fail(what)
        self.pos += len(literal)

    def end(self) -> Point | End:
        """An interval end: a date, '..' (open) or nothing (unknown)."""
        if self.text.startswith("..", self.pos):
            self.pos += 2
            return End.OPEN
        if self.pos == len(self.text) or self.peek() == "/":
            return End.UNKNOWN
        return self.point()


def parse_edtf(text: str) -> UncertainDate:
    """Read a strict EDTF (Levels 0 and 1) date or interval.

    Results are cached: dates are immutable, so a log of a million events
    shares one object per distinct date text (less memory, and loading a
    log parses each distinct date once).

    >>> parse_edtf("2024-06-19")
    UncertainDate('2024-06-19')
    >>> d = parse_edtf("2004-02-01/2005")
    >>> d.earliest, d.latest
    (datetime.date(2004, 2, 1), datetime.date(2005, 12, 31))
    >>> parse_edtf("2023-02-29")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    timeline.exceptions.InvalidDateError: invalid date '2023-02-29' ...: expected ...
    """
    if not isinstance(text, str):
        raise InvalidDateError(text, f"a str, not {type(text).__name__}")
    return _parse_cached(text)


@functools.lru_cache(maxsize=1 << 16)
def _parse_cached(text: str) -> UncertainDate:
    reader = _Reader(text)
    if "/" in text:
        start = reader.end()
        reader.expect("/", "'/' after the start of the interval")
        end = reader.end()
        if reader.pos != len(text):
            raise reader.fail("the end of the interval")
        if not isinstance(start, Point) and not isinstance(end, Point):
            raise InvalidDateError(text, "a date on at least one side of '/'", 0)
        try:
            return UncertainDate(start, end, is_interval=True)
        except InvalidDateError as error:
            raise InvalidDateError(text, error.expected, 0) from None
    if not text:
        raise InvalidDateError(text, "a date, found an empty text", 0)
    point = reader.point()
    if reader.pos != len(text):
        raise reader.fail(
            "the end of the date"
            + ("" if point.qualifier.value else " or a qualifier ? ~ %")
        )
    return UncertainDate.from_point(point)
