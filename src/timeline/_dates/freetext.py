"""Reading dates as people type them: EDTF, then Japanese, then English
free text through python-dateutil.

python-dateutil enters the library here and only here, and is imported on
first use (its parser costs about 15 ms to import).  It fills any field the
text leaves out from a default date; we parse twice with two different
defaults and treat a field that differs between the results as absent, so a
missing day gives a month, and a missing year is an error, never "this year".
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Final

from timeline._dates import End, Point, Qualifier, UncertainDate
from timeline._dates import phrases as _phrases
from timeline._dates.edtf import parse_edtf
from timeline._dates.phrases import in_era, japanese_year
from timeline.exceptions import InvalidDateError

__all__ = ["parse_date"]

_JAPANESE: Final = re.compile(
    r"(?P<era>令和|平成|昭和|大正|明治)? ?(?P<year>元|[0-9]{1,4}) ?年"
    r"(?: ?(?P<month>[0-9]{1,2}) ?月(?: ?(?P<day>[0-9]{1,2}) ?日)?)?"
)
_APPROX_PREFIX: Final = re.compile(
    r"^(?:about|around|approximately|approx\.?|circa|c\.|ca\.|ca(?= )|~|約)\s*", re.I
)
_APPROX_SUFFIX: Final = re.compile(r"\s*(?:頃|ごろ|前後)$")
_BEFORE: Final = re.compile(r"^(?:before|by|until|no later than)\s+(.+)$", re.I)
_AFTER: Final = re.compile(r"^(?:after|since|from|no earlier than)\s+(.+)$", re.I)
_BETWEEN: Final = re.compile(
    r"^(?:between\s+(.+?)\s+and\s+(.+)|from\s+(.+?)\s+(?:to|until)\s+(.+))$", re.I
)
_JA_BEFORE: Final = re.compile(r"^(.+?)(?:以前|まで)$")
_JA_AFTER: Final = re.compile(r"^(.+?)(?:以降|から)$")
# X から Y (まで), X〜Y, X~Y, X–Y.  "~" is also EDTF's qualifier (2004~), so
# every separator in the text is tried, not only the first.
_JA_BETWEEN: Final = re.compile(r"から|〜|~|–")
_QUALIFIERS: Final = {
    (False, False): Qualifier.NONE,
    (True, False): Qualifier.APPROXIMATE,
    (False, True): Qualifier.UNCERTAIN,
    (True, True): Qualifier.UNCERTAIN_APPROXIMATE,
}
# An interval end written as unknown ("from 1985 to an unknown date", 不明〜1985).
_UNKNOWN_END: Final = re.compile(r"an unknown date|unknown|不明", re.I)
# Dashes a word processor types: its hyphens and the minus sign are EDTF's
# hyphen-minus; a figure dash or a horizontal bar separates a range, as an
# en dash does.
_DASHES: Final = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2012": "–", "\u2015": "–"}
)
# Two defaults for the fields a text leaves out: every field differs, and the
# days are two weeks apart so that "the next Monday" differs too.
_DEFAULTS: Final = (datetime.datetime(4, 1, 1), datetime.datetime(8, 2, 15))


def parse_date(text: str) -> UncertainDate:
    """Read a date as a person writes it.

    Tried in order: strict EDTF (:func:`parse_edtf`); Japanese dates
    (``2024年6月19日``, ``2024年6月``, ``令和6年``); English free text through
    python-dateutil (``June 2024``, ``19 June 2024``, ``Jun 19, 2024``,
    ``2024/06/19``), with the precision the text gives.  Words for
    "about" (``about``, ``circa``, ``c.``, ``約``, ``頃``) make the date
    approximate; ``before X`` / ``X以前`` and ``after X`` / ``X以降`` give
    open intervals; ``between X and Y`` / ``X〜Y`` give closed ones.
    Historians' forms: decades (``the 1850s``, ``1850年代``), centuries
    (``19th century``, ``19世紀``), seasons (``spring 1923``, ``1923年春``,
    ``winter 1923–24``), ranges of years (``1923–25``, ``1923〜1925年``) and
    parts (``early 1923``, ``the late 19th century``, ``1990年代前半``,
    ``1923年6月上旬``), by the conventions of docs/dates.md.  Ambiguous
    text (``the 1900s``, ``winter 1923``, ``1923-25``) is refused, saying
    why.

    >>> parse_date("June 2024")
    UncertainDate('2024-06')
    >>> parse_date("about 2023")
    UncertainDate('2023~')
    >>> parse_date("before 2025-07-14")
    UncertainDate('../2025-07-14')
    >>> parse_date("2024年6月19日")
    UncertainDate('2024-06-19')
    >>> parse_date("the late 19th century")
    UncertainDate('1867/1899')
    """
    if not isinstance(text, str):
        raise InvalidDateError(text, f"a str, not {type(text).__name__}")
    try:
        return parse_edtf(text)
    except InvalidDateError as error:
        edtf_error = error
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not cleaned.isascii():  # kanji numbers and typographic dashes
        cleaned = _phrases.arabic(cleaned.translate(_DASHES))
    if not cleaned:
        raise InvalidDateError(text, "a date, found only white space", 0)
    result = _ranges(cleaned)
    if result is None:
        reason = _phrases.explain(cleaned) or _explain_shared(cleaned)
        if reason is not None:
            raise InvalidDateError(text, reason)
        raise InvalidDateError(
            text,
            "EDTF (2024-06-19, 2024-06, 2025, 2024~, ../2025-07-14), English "
            "(19 June 2024, June 2024, about 2023, before 2025, the 1850s, "
            "spring 1923) or Japanese (2024年6月19日, 令和6年, 19世紀) text",
            edtf_error.position if _looks_like_edtf(text) else None,
        )
    return result


def _looks_like_edtf(text: str) -> bool:
    return bool(text) and all(c in "0123456789-XYT:Z+?~%" for c in text)


def _ranges(text: str) -> UncertainDate | None:
    interval = _phrases.read_interval(text)
    if interval is not None:
        return interval
    for pattern, make in (
        (_BETWEEN, None),
        (_BEFORE, End.OPEN),
        (_AFTER, End.OPEN),
        (_JA_BEFORE, End.OPEN),
        (_JA_AFTER, End.OPEN),
    ):
        match = pattern.match(text)
        if match is None:
            continue
        parts = [g.strip() for g in match.groups() if g is not None]
        try:
            if make is None:
                first, second = _end(parts[0]), _end(parts[1])
                if first is not None and second is not None:
                    return UncertainDate.between(first, second)
                continue
            date = _single(parts[0])
            if date is None:
                continue
            if pattern in (_BEFORE, _JA_BEFORE):
                return UncertainDate.between(End.OPEN, date)
            return UncertainDate.between(date, End.OPEN)
        except InvalidDateError:
            # An end that is itself an interval or has a time of day, or an
            # end before the start: not a range we can express.
            continue
    return _japanese_between(text) or _single(text) or _shared_range(text)


# Ranges that write the year (and month) they share once: June–August 1923,
# 12–15 June 1923, June 12–15, 1923, spring–summer 1923; 1923年6月〜8月,
# 1923年6〜8月, 1923年6月12日〜15日, 1923年春〜夏.
_SHARED_EN: Final = re.compile(
    r"(?:from\s+)?(?P<a>[0-9]{1,2}|(?:[0-9]{1,2}\s+)?[a-z]+\.?)"
    r"\s*(?:-|–|—|to)\s*(?P<b>.+)",
    re.I,
)
_MONTH_DAYS_EN: Final = re.compile(
    r"(?P<m>[a-z]+\.?)\s+(?P<a>[0-9]{1,2})\s*(?:-|–|—|to)\s*(?P<b>[0-9]{1,2}),?\s+"
    r"(?P<y>[0-9]{4})",
    re.I,
)
_SHARED_JA: Final = re.compile(
    r"(?P<head>(?:(?:令和|平成|昭和|大正|明治)\s*)?(?:元|[0-9]{1,4})\s*年)\s*"
    r"(?P<a>(?P<am>[0-9]{1,2}\s*月)(?:\s*[0-9]{1,2}\s*日)?|[0-9]{1,2}|春|夏|秋)"
    r"\s*(?:〜|~|–|から)\s*"
    r"(?P<b>(?:[0-9]{1,2}\s*月)?(?:\s*[0-9]{1,2}\s*日)?|春|夏|秋|冬)\s*(?:まで)?"
)


def _shared_range(text: str) -> UncertainDate | None:
    """A range whose first end borrows the year (and month) of the second,
    or whose second end borrows them from the first (Japanese)."""
    pair = _shared_ends(text)
    if pair is None:
        return None
    first, second = (_single(end) for end in pair)
    if first is None or second is None:
        return None
    try:
        return UncertainDate.between(first, second)
    except InvalidDateError:
        return None  # December–February 1924: the end before the start


def _explain_shared(text: str) -> str | None:
    pair = _shared_ends(text)
    if pair is None or None in (_single(end) for end in pair):
        return None
    return (
        f"an end after the start: {pair[0]!r} is after {pair[1]!r}; write the "
        f"year of each end (December 1923–February 1924)"
    )


def _shared_ends(text: str) -> tuple[str, str] | None:
    match = _MONTH_DAYS_EN.fullmatch(text)
    if match is not None:
        month, year = match["m"], match["y"]
        return f"{match['a']} {month} {year}", f"{match['b']} {month} {year}"
    match = _SHARED_JA.fullmatch(text)
    if match is not None:
        head, a, b = match["head"], match["a"], match["b"]
        if not b:
            return None
        if a.isdigit():
            if not b.endswith("月"):
                return None
            a += "月"  # 1923年6〜8月
        elif b.endswith("日") and "月" not in b:
            if match["am"] is None:
                return None
            b = match["am"] + b  # 1923年6月12日〜15日
        return head + a, head + b
    match = _SHARED_EN.fullmatch(text)
    if match is None:
        return None
    if _looks_like_edtf(match["b"]):
        return None  # June -2024 is not June 2024 to 2024
    second = _single(match["b"])
    if second is None or second.is_interval:
        return None
    point = second.start
    assert isinstance(point, Point)
    if (
        not 100 <= point.year <= 9999
        or point.month is None
        or point.qualifier is not Qualifier.NONE
    ):
        return None  # the shared part is a year and more: June–August 1923
    a, year = match["a"], f"{point.year:04d}"
    if a.isdigit():
        if point.day is None or point.month is None:
            return None
        return f"{a} {_MONTH_NAMES[point.month - 1]} {year}", match["b"]
    return f"{a} {year}", match["b"]


_MONTH_NAMES: Final = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def _japanese_between(text: str) -> UncertainDate | None:
    body = text.removesuffix("まで").rstrip()
    for separator in _JA_BETWEEN.finditer(body):
        first = _end(body[: separator.start()].strip())
        second = _end(body[separator.end() :].strip())
        if first is None or second is None:
            continue
        try:
            return UncertainDate.between(first, second)
        except InvalidDateError:
            continue
    return None


def _end(text: str) -> UncertainDate | End | None:
    """An end of a closed interval: a date, or a word for an unknown one."""
    if _UNKNOWN_END.fullmatch(text):
        return End.UNKNOWN
    return _single(text)


def _single(text: str) -> UncertainDate | None:
    """One date, perhaps approximate; None if the text is not one."""
    # A trailing "?" first, so that both "about June 2024?" and "1850年頃?"
    # are approximate and uncertain.
    uncertain = text.endswith("?")
    unsure = text[:-1].rstrip() if uncertain else text
    stripped = _APPROX_SUFFIX.sub("", _APPROX_PREFIX.sub("", unsure))
    approximate = stripped != unsure
    qualifier = _QUALIFIERS[approximate, uncertain]
    if not stripped:
        return None
    try:
        date = parse_edtf(stripped)
    except InvalidDateError:
        date = None
    if date is not None:
        if qualifier is Qualifier.NONE:
            return date
        if date.is_interval or date.qualifier is not Qualifier.NONE:
            return None
        assert isinstance(date.start, Point)
        found: Point | None = date.start
    else:
        found = (
            _japanese(stripped) or _phrases.read_point(stripped) or _english(stripped)
        )
    if found is None:
        return None
    requalified = _requalify(found, qualifier)
    return None if requalified is None else UncertainDate.from_point(requalified)


def _requalify(point: Point, qualifier: Qualifier) -> Point | None:
    """The point with ``qualifier``; None for a date-time, which EDTF
    cannot qualify (dropping either the time or the "about" would lose
    what was written)."""
    if qualifier is Qualifier.NONE:
        return point
    if point.time is not None:
        return None
    return Point(
        point.year,
        point.month,
        point.day,
        qualifier,
        unspecified_year_digits=point.unspecified_year_digits,
        month_unspecified=point.month_unspecified,
        day_unspecified=point.day_unspecified,
    )


def _japanese(text: str) -> Point | None:
    match = _JAPANESE.fullmatch(text)
    if match is None:
        return None
    era = match["era"]
    year = japanese_year(era, match["year"])
    if year is None:
        return None
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        return None
    try:
        point = Point(year, month, day)
    except InvalidDateError:
        return None
    # A day outside its era (平成32年), or a lunisolar month (明治5年12月).
    if era is not None and not in_era(
        era, point.first_day, point.last_day, within_year=month is not None
    ):
        return None
    return point


def _english(text: str) -> Point | None:
    if not any(ch.isdigit() for ch in text):
        return None
    from dateutil import parser  # deferred: see the module docstring

    first_number = re.search(r"[0-9]+", text)
    year_first = first_number is not None and len(first_number[0]) == 4
    try:
        # ignoretz: the time zone is not needed for the day, and an unknown
        # name ("June 2024 XYZ") would otherwise raise UnknownTimezoneWarning.
        one, two = (
            parser.parse(text, default=default, yearfirst=year_first, ignoretz=True)
            for default in _DEFAULTS
        )
        # 04/06/2024: April or June?  We do not guess.  (A text that starts
        # with its four-digit year is read year, month, day: 2024/04/06.)
        # Only two numbers that could each be a month can be swapped.
        small = [n for n in re.findall(r"[0-9]+", text) if len(n) <= 2 and int(n) <= 12]
        if (
            not year_first
            and len(small) >= 2
            and one
            != parser.parse(text, default=_DEFAULTS[0], dayfirst=True, ignoretz=True)
        ):
            return None
    except (ValueError, OverflowError):
        return None
    if one.year != two.year or one.month != two.month:
        return None  # no year, or a day without a month
    # A two-digit year ("19 June 24") would be completed from today's century,
    # and "June -44" is not June 44 (BCE years are EDTF's: -0043-06).
    if not re.search(rf"(?<![0-9])0*{one.year}(?![0-9])", text) or re.search(
        rf"(?<![^\W_])-0*{one.year}(?![0-9])", text
    ):
        return None
    day = one.day if one.day == two.day else None
    # dateutil moves a weekday without a day to the next such day, and
    # ignores a weekday that contradicts the day: neither is what was written.
    info = parser.parserinfo()
    for word in re.findall(r"[^\W\d_]+", text):
        weekday = info.weekday(word)
        if weekday is not None and (day is None or weekday != one.weekday()):
            return None
    try:
        return Point(one.year, one.month, day)
    except InvalidDateError:
        return None
