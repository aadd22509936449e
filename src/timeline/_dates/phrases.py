"""Dates as historians write them, in English and Japanese: decades,
centuries, millennia, seasons, year ranges, and the early, middle or late
part (or a half) of a year, month, decade or century.

:func:`read_point` and :func:`read_interval` are the readers
:func:`timeline.parse_date` calls; the conventions for the parts
(:func:`part_interval`, :func:`find_part`) are defined here once, for the
reader and for :meth:`timeline.UncertainDate.describe`, which gives a part
back in words when an interval is exactly one.  Ambiguous forms ("the
1900s", "winter 1923", "1923-25") are refused, and :func:`explain` says why.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Final

from timeline._dates import Point, Precision, Qualifier, UncertainDate
from timeline.exceptions import InvalidDateError

__all__ = [
    "ERAS",
    "JAPAN_GREGORIAN",
    "Part",
    "Unit",
    "arabic",
    "explain",
    "find_part",
    "japanese_year",
    "ordinal",
    "part_interval",
    "read_interval",
    "read_point",
]

# Japanese era names: the first and last day of each (used to convert era
# years and to reject days outside the era: 平成32年 never existed).
ERAS: Final = {
    "令和": (datetime.date(2019, 5, 1), datetime.date.max),
    "平成": (datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    "昭和": (datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    "大正": (datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    "明治": (datetime.date(1868, 10, 23), datetime.date(1912, 7, 29)),
}
# Japan kept the lunisolar calendar until 明治5年12月2日; the next day was
# 1 January 1873 (明治6年).  Earlier months and days are not Gregorian ones.
JAPAN_GREGORIAN: Final = datetime.date(1873, 1, 1)


def japanese_year(era: str | None, year_text: str) -> int | None:
    """The year of ``令和6`` or ``2024`` (a year in ``年``); None for a
    two-digit year without an era (24年: 2024, 令和24年 or 平成24年?)."""
    if year_text == "元":
        return None if era is None else ERAS[era][0].year
    if era is None:
        return int(year_text) if len(year_text) >= 3 else None
    return int(year_text) + ERAS[era][0].year - 1


def in_era(
    era: str | None, first_day: int, last_day: int, *, within_year: bool
) -> bool:
    """Whether days written with ``era`` can be meant: they touch the era,
    and a month, season or part of a year is a Gregorian one (1873 on)."""
    if era is None:
        return True
    began, ended = ERAS[era]
    if last_day < began.toordinal() or first_day > ended.toordinal():
        return False
    return not within_year or first_day >= JAPAN_GREGORIAN.toordinal()


_KANJI_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_TENS: Final = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER: Final = re.compile(r"[〇一二三四五六七八九十百千]+")


def _kanji_value(run: str) -> str | None:
    """The digits of a number in kanji: positional (一八五〇, 一九二三) or
    with 十, 百, 千 (十九, 二十一, 五十, 千九百二十三); None if malformed."""
    if not any(c in _KANJI_TENS for c in run):
        return "".join(str(_KANJI_DIGITS[c]) for c in run)
    total, digit, last = 0, None, 10_000
    for c in run:
        if c in _KANJI_DIGITS:
            if digit is not None:
                return None  # 一二十
            digit = _KANJI_DIGITS[c]
        else:
            unit = _KANJI_TENS[c]
            if unit >= last or digit == 0:
                return None  # 十百, 〇十
            total += (1 if digit is None else digit) * unit
            digit, last = None, unit
    return str(total + (digit or 0))


def arabic(text: str) -> str:
    """``text`` with its numbers in kanji written in digits (十九世紀 is
    19世紀, 一九二三年六月 1923年6月); the 千 of 千年紀 stays."""

    def digits(match: re.Match[str]) -> str:
        run = match[0]
        keep = ""
        if run.endswith("千") and text.startswith("年紀", match.end()):
            run, keep = run[:-1], "千"
        if not run:
            return keep
        value = _kanji_value(run)
        return match[0] if value is None else value + keep

    return _KANJI_NUMBER.sub(digits, text)


# -- the parts of a year, month, decade or century ----------------------------


class Unit(enum.Enum):
    """What a part is a part of."""

    YEAR = 12  # months
    MONTH = 0  # days, by the 上旬/中旬/下旬 convention
    DECADE = 10  # years
    CENTURY = 100  # years


class Part(enum.Enum):
    """Early, mid, late: thirds; first and second half: halves."""

    EARLY = "early"
    MID = "mid"
    LATE = "late"
    FIRST_HALF = "first half"
    SECOND_HALF = "second half"


def _spans(unit: Unit, part: Part, month_length: int = 0) -> tuple[int, int]:
    """The first and last sub-unit (0-based) of ``part``: thirds split at
    round(n/3) and round(2n/3) (a year: months 1-4, 5-8, 9-12; a decade:
    years 0-2, 3-6, 7-9; a century: 0-32, 33-66, 67-99); a month splits at
    its 11th and 21st day (上旬, 中旬, 下旬)."""
    if unit is Unit.MONTH:
        a, b, n = 10, 20, month_length
    else:
        n = unit.value
        a, b = round(n / 3), round(2 * n / 3)
    return {
        Part.EARLY: (0, a - 1),
        Part.MID: (a, b - 1),
        Part.LATE: (b, n - 1),
        Part.FIRST_HALF: (0, n // 2 - 1),
        Part.SECOND_HALF: (n // 2, n - 1),
    }[part]


def part_interval(
    unit: Unit, part: Part, year: int, month: int | None = None
) -> UncertainDate:
    """The interval a part stands for, written at the precision of its
    sub-units: ``early 1923`` is ``1923-01/1923-04``, ``early June 1923``
    ``1923-06-01/1923-06-10``, ``the early 1990s`` ``1990/1992``.

    ``year`` is the first year of a decade or century.  A month has no
    halves.
    """
    if unit is Unit.MONTH:
        assert month is not None
        if part in (Part.FIRST_HALF, Part.SECOND_HALF):
            raise InvalidDateError(
                f"{part.value} of {year:04d}-{month:02d}", "no half of a month"
            )
        length = Point(year, month).last_day - Point(year, month).first_day + 1
        first, last = _spans(unit, part, length)
        return UncertainDate.between(
            UncertainDate.from_ymd(year, month, first + 1),
            UncertainDate.from_ymd(year, month, last + 1),
        )
    first, last = _spans(unit, part)
    if unit is Unit.YEAR:
        return UncertainDate.between(
            UncertainDate.from_ymd(year, first + 1),
            UncertainDate.from_ymd(year, last + 1),
        )
    return UncertainDate.between(
        UncertainDate.from_ymd(year + first), UncertainDate.from_ymd(year + last)
    )


def _plain(point: Point) -> bool:
    return (
        point.qualifier is Qualifier.NONE
        and not point.unspecified_year_digits
        and not point.month_unspecified
        and not point.day_unspecified
        and point.time is None
    )


def find_part(date: UncertainDate) -> tuple[Unit, Part, int, int | None] | None:
    """(unit, part, year, month) when ``date`` is written exactly as
    :func:`part_interval` writes a part that :func:`read_interval` reads."""
    start, end = date.start, date.end
    if not (
        date.is_interval
        and isinstance(start, Point)
        and isinstance(end, Point)
        and _plain(start)
        and _plain(end)
        and start.precision is end.precision
        and 0 <= start.year <= 9999
    ):
        return None
    precision = start.precision
    month, length = None, 0
    if precision is Precision.MONTH and start.year == end.year:
        assert start.month is not None
        assert end.month is not None
        unit, year = Unit.YEAR, start.year
        subs = (start.month - 1, end.month - 1)
    elif precision is Precision.DAY and (start.year, start.month) == (
        end.year,
        end.month,
    ):
        assert start.month is not None
        assert start.day is not None
        assert end.day is not None
        unit, year, month = Unit.MONTH, start.year, start.month
        whole = Point(year, month)
        length = whole.last_day - whole.first_day + 1
        subs = (start.day - 1, end.day - 1)
    elif precision is Precision.YEAR:
        unit = Unit.DECADE if end.year - start.year < 5 else Unit.CENTURY
        year = start.year - start.year % unit.value
        subs = (start.year - year, end.year - year)
        if unit is Unit.DECADE and not _decade_in_words(year):
            return None
    else:
        return None
    for part in Part:
        if unit is Unit.MONTH and part in (Part.FIRST_HALF, Part.SECOND_HALF):
            continue
        if _spans(unit, part, length) == subs:
            return unit, part, year, month
    return None


def _decade_in_words(year: int) -> bool:
    """A decade "the 1850s" names without doubt: four digits, and not a
    hundred's (the 1900s may be 1900-1909 or 1900-1999)."""
    return 1000 <= year <= 9990 and year % 100 != 0


# -- ordinals -------------------------------------------------------------

_ORDINAL_WORDS: Final[dict[str, int]] = {}
_ONES: Final = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth",
]  # fmt: skip
_TEENS: Final = [
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
]  # fmt: skip
for _i, _word in enumerate(_ONES + _TEENS, start=1):
    _ORDINAL_WORDS[_word] = _i
for _i, _word in enumerate(_ONES, start=21):
    _ORDINAL_WORDS[f"twenty-{_word}"] = _i
_ROMAN: Final = (
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


_ROMAN_NUMBERS: Final = {_roman(n): n for n in range(1, 101)}


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``, ``21st``."""
    suffix = (
        "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    )
    return f"{n}{suffix}"


def _ordinal_value(token: str) -> int | None:
    """The number of ``19th``, ``nineteenth``, ``twenty-first`` or ``XIX``."""
    if token[:1].isdigit():
        digits = token.rstrip("stndrhSTNDRH")
        if not digits.isdigit() or ordinal(int(digits)) != token.lower():
            return None
        return int(digits)
    if token.isupper() and token in _ROMAN_NUMBERS:
        return _ROMAN_NUMBERS[token]
    return _ORDINAL_WORDS.get(token.lower().replace(" ", "-"))


# -- reading ----------------------------------------------------------------

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"),
            ("april", "apr"), ("may",), ("june", "jun"), ("july", "jul"),
            ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_SEASONS: Final = {
    "spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24,
    "春": 21, "夏": 22, "秋": 23, "冬": 24,
}  # fmt: skip
_THE: Final = r"(?:the\s+)?"
_ORDINAL: Final = r"(?P<n>[0-9]{1,3}[a-z]{2}|[a-z]+(?:[- ][a-z]+)?)"
_DECADE_EN: Final = r"(?P<decade>[1-9][0-9]{2}0)['’]?s"
_CENTURY_EN: Final = _ORDINAL + r"(?:[\s-]+century|\s+c\.|\s+cent\.)"
_DECADE_JA: Final = r"(?P<decade>[1-9][0-9]{2}0)\s*年代"
_CENTURY_JA: Final = r"第?\s*(?P<c>[0-9]{1,3})\s*世紀"
_YEAR_JA: Final = r"(?P<era>令和|平成|昭和|大正|明治)?\s*(?P<year>元|[0-9]{1,4})\s*年"

_POINT_EN: Final = re.compile(
    _THE
    + r"(?:"
    + _DECADE_EN
    + r"|"
    + _CENTURY_EN
    + r"|(?P<m>[0-9]{1,2}[a-z]{2}|[a-z]+(?:[- ][a-z]+)?)[\s-]+millennium"
    + r"|(?P<season>spring|summer|autumn|fall|winter)(?:\s+of)?,?\s+(?P<sy>[0-9]{4})"
    + r"(?:\s*[-–—/]\s*(?P<sy2>[0-9]{4}|[0-9]{2}))?)",
    re.I,
)
_POINT_JA: Final = re.compile(
    _DECADE_JA
    + r"|"
    + _CENTURY_JA
    + r"|第?\s*(?P<m>[0-9]{1,2})\s*千年紀"
    + r"|"
    + _YEAR_JA
    + r"\s*の?\s*(?P<season>春|夏|秋)"
    + r"|(?P<sy>[0-9]{4})\s*[-–—/〜~]\s*(?P<sy2>[0-9]{4}|[0-9]{2})\s*年\s*の?\s*冬"
)
_PART_EN: Final = re.compile(
    _THE
    + r"(?:(?P<part>early|mid|late)(?:\s*-\s*|\s+)"
    + r"|(?P<half>first|second|1st|2nd)\s+half\s+of\s+(?:the\s+)?)"
    + r"(?:(?P<month>[a-z]+)\.?,?\s+(?P<my>[0-9]{4})|(?P<y>[0-9]{4})(?![0-9'’s])|"
    + _DECADE_EN
    + r"|"
    + _CENTURY_EN
    + r")",
    re.I,
)
_PART_JA: Final = re.compile(
    r"(?:"
    + _YEAR_JA
    + r"(?:\s*(?P<month>[0-9]{1,2})\s*月)?|"
    + _DECADE_JA
    + r"|"
    + _CENTURY_JA
    + r")\s*の?\s*(?P<part>前半|後半|初め|初頭|初期|前期|半ば|中頃|中期|中葉|終わり"
    + r"|末期|末|後期"
    + r"|上旬|中旬|下旬)"
)
_PARTS_JA: Final = {
    "前半": Part.FIRST_HALF, "後半": Part.SECOND_HALF,
    "初め": Part.EARLY, "初頭": Part.EARLY, "初期": Part.EARLY,
    "前期": Part.EARLY,
    "半ば": Part.MID, "中頃": Part.MID, "中期": Part.MID, "中葉": Part.MID,
    "終わり": Part.LATE, "末": Part.LATE, "末期": Part.LATE, "後期": Part.LATE,
    "上旬": Part.EARLY, "中旬": Part.MID, "下旬": Part.LATE,
}  # fmt: skip
_PART_JA_WORDS: Final = tuple(_PARTS_JA)
# Which parts each unit takes in Japanese: 上旬/中旬/下旬 only of a month;
# 初頭, 末, 前期, 後期 ... only of a decade or century (1923年末 is the end
# of December, 1923年前期 may be a fiscal half).
_JA_MONTH_PARTS: Final = frozenset({"上旬", "中旬", "下旬"})
_JA_YEAR_PARTS: Final = frozenset({"前半", "後半", "初め", "半ば", "終わり"})
_YEAR_RANGE: Final = re.compile(
    r"(?P<a>[0-9]{4})\s*(?P<sep>-|–|—|~|〜|to|から)\s*(?P<b>[0-9]{4}|[0-9]{2})"
    r"(?:\s*年)?(?:\s*まで)?",
    re.I,
)


_TO: Final = r"\s*(?:-|–|—|〜|~|to|(?P<{}>and))\s*"
_ORDINAL_PAIR: Final = r"[0-9]{1,3}[a-z]{2}|[A-Z]+|[a-z]+(?:-[a-z]+)?"
_SPANS: Final = re.compile(
    # the 1920s–30s, 1920s to 1930s; 1920〜30年代
    _THE
    + r"(?P<a>[1-9][0-9]{2}0)['’]?s"
    + _TO.format("and1")
    + _THE
    + r"(?P<b>(?:[1-9][0-9])?[0-9]0)['’]?s"
    + r"|(?P<ja>[1-9][0-9]{2}0)\s*(?:年代)?\s*[-–—〜~]\s*"
    + r"(?P<jb>(?:[1-9][0-9])?[0-9]0)\s*年代"
    # the 19th–20th century, the 19th and 20th centuries; 19〜20世紀
    + r"|"
    + _THE
    + f"(?P<o1>{_ORDINAL_PAIR})"
    + r"(?:[\s-]+century)?"
    + _TO.format("and2")
    + _THE
    + f"(?P<o2>{_ORDINAL_PAIR})"
    + r"[\s-]+centur(?:y|ies)"
    + r"|第?\s*(?P<c1>[0-9]{1,3})\s*(?:世紀)?\s*[-–—〜~]\s*"
    + r"第?\s*(?P<c2>[0-9]{1,3})\s*世紀",
    re.I,
)
_SPAN_HINTS: Final = ("s", "S", "年代", "centur", "Centur", "世紀")


def _spans_of(match: re.Match[str]) -> UncertainDate | None:
    """A range of decades or centuries, from the earlier to the later."""
    if match["a"] or match["ja"]:
        first = int(match["a"] or match["ja"])
        second = match["b"] or match["jb"]
        last = int(second) if len(second) == 4 else first - first % 100 + int(second)
        if last <= first or not (_decade_in_words(first) and _decade_in_words(last)):
            return None
        if match["and1"] and last != first + 10:
            return None  # the 1850s and 1870s: two decades, not one period
        return UncertainDate.between(
            UncertainDate.from_point(Point(first, unspecified_year_digits=1)),
            UncertainDate.from_point(Point(last, unspecified_year_digits=1)),
        )
    if match["c1"]:
        numbers: tuple[int | None, ...] = (int(match["c1"]), int(match["c2"]))
    else:
        numbers = (_ordinal_value(match["o1"]), _ordinal_value(match["o2"]))
    n1, n2 = numbers
    if n1 is None or n2 is None or not 1 <= n1 < n2 <= 100:
        return None
    if match["and2"] and n2 != n1 + 1:
        return None  # the 19th and 21st centuries: not one period
    return UncertainDate.between(
        UncertainDate.from_point(Point((n1 - 1) * 100, unspecified_year_digits=2)),
        UncertainDate.from_point(Point((n2 - 1) * 100, unspecified_year_digits=2)),
    )


# What may follow the first year of a range: " ", a dash, a tilde, "to", "から".
_AFTER_RANGE_START: Final = frozenset(" -–—~〜tTか")


def _winter_end(year: int, second: str) -> bool:
    """Whether ``second`` (two or four digits) is the year after ``year``."""
    if len(second) == 2:
        return (year + 1) % 100 == int(second) and (year + 1) // 100 == year // 100
    return int(second) == year + 1


def read_point(text: str) -> Point | None:
    """A decade, century, millennium or season in words, or None."""
    match = _POINT_EN.fullmatch(text) or _POINT_JA.fullmatch(text)
    if match is None:
        return None
    groups = match.groupdict()
    if groups["decade"] is not None:
        year = int(groups["decade"])
        return (
            Point(year, unspecified_year_digits=1) if _decade_in_words(year) else None
        )
    for key, digits, largest in (("n", 2, 100), ("c", 2, 100), ("m", 3, 10)):
        token = groups.get(key)
        if token is None:
            continue
        number = int(token) if key == "c" or token.isdigit() else _ordinal_value(token)
        if number is None or not 1 <= number <= largest:
            return None
        return Point((number - 1) * 10**digits, unspecified_year_digits=digits)
    season = _SEASONS[groups["season"].lower()] if groups["season"] else 24
    if groups.get("era") is not None or groups.get("year") is not None:
        year_or_none = japanese_year(groups["era"], groups["year"])
        if year_or_none is None:
            return None
        point = Point(year_or_none, season)
        if not in_era(groups["era"], point.first_day, point.last_day, within_year=True):
            return None
        return point
    year = int(groups["sy"])
    second = groups["sy2"]
    if (season == 24) != (second is not None):
        return None  # winter spans two years: both are written, and only then
    if second is not None and not _winter_end(year, second):
        return None
    return Point(year, season)


def read_interval(text: str) -> UncertainDate | None:
    """A part of a year, month, decade or century, or a range of years."""
    # Cheap tests first: parse_date tries this on every free text, and the
    # common ones (June 2024, 2024年6月) are none of these.
    if any(hint in text for hint in _SPAN_HINTS):
        match = _SPANS.fullmatch(text)
        spans = None if match is None else _spans_of(match)
        if spans is not None:
            return spans  # else perhaps a part: the mid-nineteenth century
    if text[:4].isdigit():
        if text[4:5] in _AFTER_RANGE_START:
            match = _YEAR_RANGE.fullmatch(text)
            if match is not None:
                return _year_range(match)
        if text.endswith(_PART_JA_WORDS):
            match = _PART_JA.fullmatch(text)
            return None if match is None else _part_ja(match)
        return None
    if text.endswith(_PART_JA_WORDS):
        match = _PART_JA.fullmatch(text)
        return None if match is None else _part_ja(match)
    match = _PART_EN.fullmatch(text)
    return None if match is None else _part_en(match)


def _year_range(match: re.Match[str]) -> UncertainDate | None:
    first, second = int(match["a"]), match["b"]
    if len(second) == 2:
        if match["sep"] == "-":
            return None  # 1923-12 is December 1923: a range takes an en dash
        last = first - first % 100 + int(second)
        if last <= first:
            return None  # 1998–02: write 1998–2002
    else:
        last = int(second)
    if last < first:
        return None
    return UncertainDate.between(
        UncertainDate.from_ymd(first), UncertainDate.from_ymd(last)
    )


def _part_en(match: re.Match[str]) -> UncertainDate | None:
    if match["part"] is not None:
        part = Part(match["part"].lower())
    else:
        part = Part.FIRST_HALF if match["half"][0] in "f1F" else Part.SECOND_HALF
    if match["month"] is not None:
        month = _MONTHS.get(match["month"].lower())
        if month is None or part in (Part.FIRST_HALF, Part.SECOND_HALF):
            return None
        return part_interval(Unit.MONTH, part, int(match["my"]), month)
    if match["y"] is not None:
        return part_interval(Unit.YEAR, part, int(match["y"]))
    if match["decade"] is not None:
        year = int(match["decade"])
        return (
            part_interval(Unit.DECADE, part, year) if _decade_in_words(year) else None
        )
    number = _ordinal_value(match["n"])
    if number is None or not 1 <= number <= 100:
        return None
    return part_interval(Unit.CENTURY, part, (number - 1) * 100)


def _part_ja(match: re.Match[str]) -> UncertainDate | None:
    word = match["part"]
    part = _PARTS_JA[word]
    if match["decade"] is not None or match["c"] is not None:
        if word in _JA_MONTH_PARTS:
            return None
        if match["decade"] is not None:
            year = int(match["decade"])
            if not _decade_in_words(year):
                return None
            return part_interval(Unit.DECADE, part, year)
        number = int(match["c"])
        if not 1 <= number <= 100:
            return None
        return part_interval(Unit.CENTURY, part, (number - 1) * 100)
    written = japanese_year(match["era"], match["year"])
    if written is None:
        return None
    month = match["month"]
    if month is None:
        if word not in _JA_YEAR_PARTS:
            return None
        date = part_interval(Unit.YEAR, part, written)
    else:
        if word not in _JA_MONTH_PARTS or not 1 <= int(month) <= 12:
            return None
        date = part_interval(Unit.MONTH, part, written, int(month))
    assert date.earliest_day is not None
    assert date.latest_day is not None
    if not in_era(match["era"], date.earliest_day, date.latest_day, within_year=True):
        return None
    return date


# -- why a text was refused -------------------------------------------------

_HUNDREDS: Final = re.compile(r"(?<![0-9])([1-9][0-9])00(?:['’]?s|\s*年代)", re.I)
_SHORT_DECADE: Final = re.compile(
    r"(?<![0-9])['’]?[0-9]0(?:['’]?s|\s*年代)"
    r"|(?<![^\W\d_])(?:twen|thir|for|fif|six|seven|eigh|nine)ties(?![^\W\d_])",
    re.I,
)
_LONE_WINTER: Final = re.compile(
    r"(?:winter(?:\s+of)?\s+[0-9]{4}|[0-9]{4}\s*年\s*の?\s*冬)$", re.I
)
_SHORT_RANGE: Final = re.compile(
    r"([0-9]{4})\s*(-|–|—|~|〜|to|から)\s*([0-9]{2}|[0-9]{4})(?:\s*年)?"
)


_BCE: Final = re.compile(r"(?<![^\W\d_])B\.?C\.?(?:E\.?)?(?![^\W\d_])|紀元前", re.I)
_SHORT_SLASH: Final = re.compile(r"([0-9]{4})\s*/\s*([0-9]{2})")
_PART_OF: Final = re.compile(
    r"(?<![^\W\d_])(beginning|start|middle|end|turn)\s+of(?![^\W\d_])", re.I
)
_CENTURY_WORDS: Final = re.compile(r"centur|millenni|世紀|千年紀", re.I)
_EARLY_DECADE: Final = re.compile(r"(?<![0-9])0*([1-9][0-9]?0)['’]?s(?![a-z])", re.I)
_ERA_YEAR: Final = re.compile(r"(令和|平成|昭和|大正|明治)\s*(元|[0-9]{1,4})\s*年(.*)")


def explain(text: str) -> str | None:
    """What was expected instead of a form refused as ambiguous or
    unreadable; None if the text is none of those."""
    if _BCE.search(text):
        return (
            "a year of the common era: BCE years are written in EDTF, numbered "
            "astronomically (1 BC is 0000, 44 BC -0043, the 5th century BC -04XX)"
        )
    match = _HUNDREDS.search(text)
    if match is not None:
        c = int(match[1])
        return (
            f"a decade or a century, not {match[0]!r}, which may be either: "
            f"{c}0X or {c}00–{c}09 for the decade, {c}XX or the "
            f"{ordinal(c + 1)} century for the century"
        )
    reason = _explain_part(text) or _explain_era(text)
    if reason is not None:
        return reason
    if _SHORT_DECADE.search(text):
        return "a decade written with its four digits (1960s, 1960年代)"
    if _LONE_WINTER.search(text):
        return (
            "the two years a winter spans (winter 1923–24 or 1923/24年冬 is "
            "December 1923 to February 1924; EDTF 1923-24)"
        )
    match = _SHORT_RANGE.fullmatch(text)
    if match is not None:
        first, sep, second = int(match[1]), match[2], match[3]
        if len(match[3]) == 2 and sep == "-":
            return (
                f"a range of years written {first}–{second} (an en dash) or "
                f"{first}-{first - first % 100 + int(second)}: with a hyphen, "
                f"{first}-12 is EDTF for December {first} and {first}-21 to "
                f"{first}-24 its seasons"
            )
        last = first - first % 100 + int(second) if len(second) == 2 else int(second)
        if last <= first and len(second) == 2:
            return (
                f"a two-digit end after the start ({first}–{first + 4}, not {text!r})"
            )
        if last < first:
            return "a range of years whose end is not before its start"
    return _explain_words(text)


def _explain_part(text: str) -> str | None:
    """A part written where it cannot be: of the wrong unit, qualified, or
    as an end of a range."""
    match = _PART_JA.fullmatch(text)
    if match is not None:
        word = match["part"]
        if match["decade"] is not None or match["c"] is not None:
            if word in _JA_MONTH_PARTS:
                return (
                    "上旬, 中旬 and 下旬 are parts of a month (1923年6月上旬); of a "
                    "decade or a century write 初め (初頭), 半ば (中頃) or 終わり (末)"
                )
        elif match["month"] is not None:
            if word not in _JA_MONTH_PARTS:
                return (
                    "a part of a month: 上旬, 中旬 or 下旬 (days 1–10, 11–20, 21 "
                    "to the end)"
                )
        elif word not in _JA_YEAR_PARTS:
            year = match["year"]
            doubt = {
                "末": "the end of December or late in the year",
                "末期": "the end of December or late in the year",
                "前期": "a fiscal half",
                "後期": "a fiscal half",
            }.get(word, "a part of a decade or a century only")
            return (
                f"a part of a year, not {word!r} ({doubt}?): write {year}年初め, "
                f"半ば or 終わり (months 1–4, 5–8, 9–12), 前半 or 後半, or a "
                f"month's 上旬/中旬/下旬 ({year}年12月下旬)"
            )
    match = _PART_EN.fullmatch(text)
    if match is not None and match["half"] is not None and match["month"] is not None:
        name, year = match["month"].title(), match["my"]
        return (
            f"a part of a month without halves: early, mid- or late {name} "
            f"{year} (days 1–10, 11–20, 21 to the end)"
        )
    for pattern in (_PART_EN, _PART_JA):
        for found in pattern.finditer(text):
            after = text[found.end() : found.end() + 1]
            if found[0] == text or (after.isascii() and after.isalnum()):
                continue  # late 1900s holds late 1900
            part = read_interval(found[0])
            if part is None:
                continue
            a, b = (p.to_edtf() for p in (part.start, part.end))  # type: ignore[union-attr]
            return (
                f"a date or a range of dates: {found[0]!r} is the interval "
                f"{a}/{b}, and EDTF cannot qualify an interval or take it as "
                f"one end of another; write its ends as you mean them "
                f"({a}~/{b}~, {a}?/{b}?, or {a}/ and a later end)"
            )
    return None


_ERA_PART: Final = re.compile(
    r"(令和|平成|昭和|大正|明治)\s*の?\s*(?:前半|後半|初め|初頭|初期|前期|半ば|中頃|中期"
    r"|中葉|終わり|末期|末|後期)"
)


def _explain_era(text: str) -> str | None:
    match = _ERA_PART.search(text)
    if match is not None:
        era = match[1]
        began, ended = ERAS[era]
        last = "" if ended == datetime.date.max else f"{ended.year}"
        return (
            f"a year, a month or a part of a decade or century, not a part of "
            f"an era (eras differ in length, and no convention splits them): "
            f"{era} is {began.year}〜{last}年; write the years meant "
            f"({era}元年〜{era}10年, 1926〜1935年)"
        )
    match = _ERA_YEAR.search(text)
    if match is None:
        return None
    era, written, rest = match[1], match[2], match[3].strip()
    year = japanese_year(era, written)
    began, ended = ERAS[era]
    if year is not None and not began.year <= year <= ended.year:
        end = "" if ended == datetime.date.max else f" to {ended.isoformat()}"
        return f"a year of {era}, which ran from {began.isoformat()}{end}"
    if era == "明治" and year is not None and year < JAPAN_GREGORIAN.year and rest:
        return (
            "a Gregorian month or season: Japan kept its lunisolar calendar "
            "until 明治5年12月2日, so months, seasons and days are read from "
            "明治6年 (1873) on; write an earlier date in the Gregorian calendar "
            "(1872-06)"
        )
    return None


def _explain_words(text: str) -> str | None:
    match = _SPANS.fullmatch(text)
    if match is not None and (match["and1"] or match["and2"]):
        if match["a"]:
            span = f"the {match['a']}s–{match['b']}s"
        else:
            span = f"the {match['o1']}–{match['o2']} century"
        return (
            f"one period: 'and' joins two neighbouring decades or centuries "
            f"(the 1920s and 1930s); for the whole span from one to the other "
            f"write {span}"
        )
    match = _SHORT_SLASH.fullmatch(text)
    if match is not None:
        first, second = match[1], match[2]
        full = int(first) - int(first) % 100 + int(second)
        return (
            f"{first}/{second} may be a winter, a fiscal or school year, or the "
            f"years {first}–{full}: write winter {first}/{second}, {first}–"
            f"{second} or {first}-{full}"
        )
    match = _PART_OF.search(text)
    if match is not None:
        return (
            f"early, mid- or late (early 1923, mid-1923, late 1923, the late "
            f"19th century: the thirds of docs/dates.md), not {match[0]!r}, "
            f"which may be a few days or a third"
        )
    match = _EARLY_DECADE.search(text)
    if match is not None:
        year = int(match[1])
        return (
            f"a decade written with four digits (the 1850s); earlier decades "
            f"are written in EDTF: {year // 10:03d}X for {year}–{year + 9}"
        )
    if _CENTURY_WORDS.search(text):
        return (
            "a century written 19th century, the nineteenth century, XIX century "
            "(Roman numerals in capitals, no suffix) or 19世紀, from the 1st to "
            "the 100th; a millennium from the 1st to the 10th (2nd millennium, "
            "2千年紀)"
        )
    return None
