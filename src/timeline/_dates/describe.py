"""Dates in words, English or Japanese: :meth:`UncertainDate.describe`.

Every phrase is one :func:`timeline.parse_date` reads back to the same
bounds, and to the same date where the words say all that was written
("June 2024", "about the 1850s", "early 1923").  What has no words here (a
negative or long year, a year before 100, a decade such as 1900-1909 inside
an interval) is said in EDTF, which parse_date reads first.  A time of day
is left out (``str(date)`` keeps it).
"""

from __future__ import annotations

from typing import Final, Literal

from timeline._dates import End, Point, Precision, Qualifier, UncertainDate
from timeline._dates.phrases import Part, Unit, find_part, ordinal

__all__ = ["describe"]

Lang = Literal["en", "ja"]

_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
_SEASONS: Final = {
    21: ("spring", "春"),
    22: ("summer", "夏"),
    23: ("autumn", "秋"),
    24: ("winter", "冬"),
}
_PARTS_EN: Final = {
    Part.EARLY: "early ",
    Part.MID: "mid-",
    Part.LATE: "late ",
    Part.FIRST_HALF: "the first half of ",
    Part.SECOND_HALF: "the second half of ",
}
_PARTS_JA: Final = {
    Part.EARLY: "初め",
    Part.MID: "半ば",
    Part.LATE: "終わり",
    Part.FIRST_HALF: "前半",
    Part.SECOND_HALF: "後半",
}
_TEN_DAYS_JA: Final = {Part.EARLY: "上旬", Part.MID: "中旬", Part.LATE: "下旬"}


def describe(date: UncertainDate, lang: Lang = "en") -> str:
    """See :meth:`UncertainDate.describe`."""
    if lang not in ("en", "ja"):
        raise ValueError(f"lang={lang!r}: expected 'en' or 'ja'")
    ja = lang == "ja"
    start, end = date.start, date.end
    if not date.is_interval:
        assert isinstance(start, Point)
        return _point(start, ja, alone=True)
    if isinstance(start, Point) and isinstance(end, Point):
        part = find_part(date)
        if part is not None:
            return _part(*part, ja=ja)
        if _plain_year(start) and _plain_year(end):
            return (
                f"{start.year:04d}〜{end.year:04d}年"
                if ja
                else (f"{start.year:04d}–{end.year:04d}")
            )
        first, last = _point(start, ja), _point(end, ja)
        return f"{first}〜{last}" if ja else f"from {first} to {last}"
    if isinstance(end, Point):
        last = _point(end, ja)
        if start is End.OPEN:
            return f"{last}以前" if ja else f"before {last}"
        return f"不明〜{last}" if ja else f"from an unknown date to {last}"
    assert isinstance(start, Point)
    first = _point(start, ja)
    if end is End.OPEN:
        return f"{first}以降" if ja else f"after {first}"
    return f"{first}〜不明" if ja else f"from {first} to an unknown date"


def _plain_year(point: Point) -> bool:
    return (
        point.precision is Precision.YEAR
        and point.month is None
        and not point.month_unspecified
        and point.qualifier is Qualifier.NONE
        and 0 <= point.year <= 9999
    )


def _point(point: Point, ja: bool, *, alone: bool = False) -> str:
    """One written date in words, with its qualifier; EDTF if it has none."""
    words = _words(point, ja, alone=alone)
    if words is None:
        return point.to_edtf()
    qualifier = point.qualifier
    if qualifier.is_approximate:
        words = f"{words}頃" if ja else f"about {words}"
    if qualifier.is_uncertain:
        words += "?"
    return words


def _words(point: Point, ja: bool, *, alone: bool) -> str | None:
    precision, year = point.precision, point.year
    if precision is Precision.DECADE:
        if 1000 <= year <= 9990 and year % 100:
            return f"{year}年代" if ja else f"the {year}s"
        if alone and 1000 <= year <= 9990 and point.qualifier is Qualifier.NONE:
            # The 1900s may be a century: say the years.
            return f"{year}〜{year + 9}年" if ja else f"{year}–{year + 9}"
        return None
    if precision in (Precision.CENTURY, Precision.MILLENNIUM):
        if year < 0:
            return None
        if precision is Precision.CENTURY:
            n = year // 100 + 1
            return f"{n}世紀" if ja else f"the {ordinal(n)} century"
        n = year // 1000 + 1
        return f"{n}千年紀" if ja else f"the {ordinal(n)} millennium"
    if not 100 <= year <= 9999:
        return None  # dateutil reads 0050 as 2050; BCE and long years are EDTF's
    y = f"{year:04d}"
    if precision is Precision.YEAR:
        return f"{y}年" if ja else y
    assert point.month is not None
    if precision is Precision.SEASON:
        english, japanese = _SEASONS[point.month]
        if point.month != 24:
            return f"{y}年{japanese}" if ja else f"{english} {y}"
        if year == 9999:
            return None  # winter 9999 ends in 10000
        after = f"{year + 1:04d}"
        if (year + 1) // 100 == year // 100:
            after = after[2:]
        return f"{y}/{after}年冬" if ja else f"winter {y}–{after}"
    if precision is Precision.MONTH:
        return f"{y}年{point.month}月" if ja else f"{_MONTHS[point.month - 1]} {y}"
    if ja:
        return f"{y}年{point.month}月{point.day}日"
    return f"{point.day} {_MONTHS[point.month - 1]} {y}"


def _part(unit: Unit, part: Part, year: int, month: int | None, *, ja: bool) -> str:
    if unit is Unit.MONTH:
        assert month is not None
        if ja:
            return f"{year:04d}年{month}月{_TEN_DAYS_JA[part]}"
        return f"{_PARTS_EN[part]}{_MONTHS[month - 1]} {year:04d}"
    if unit is Unit.YEAR:
        whole = f"{year:04d}年" if ja else f"{year:04d}"
    elif unit is Unit.DECADE:
        whole = f"{year}年代" if ja else f"the {year}s"
    else:
        n = year // 100 + 1
        whole = f"{n}世紀" if ja else f"the {ordinal(n)} century"
    if ja:
        return whole + _PARTS_JA[part]
    prefix = _PARTS_EN[part]
    if unit is not Unit.YEAR and part not in (Part.FIRST_HALF, Part.SECOND_HALF):
        # the early 1990s, the mid-19th century
        return f"the {prefix}{whole.removeprefix('the ')}"
    return prefix + whole
