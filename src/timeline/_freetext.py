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
from timeline._edtf import parse_edtf
from timeline.exceptions import InvalidDateError

__all__ = ["parse_date"]

# Japanese era names and the day each began (used to convert era years and to
# reject days before an era began).
# Japanese era names: the first and last day of each (used to convert era
# years and to reject days outside the era: 平成32年 never existed).
_ERAS: Final = {
    "令和": (datetime.date(2019, 5, 1), datetime.date.max),
    "平成": (datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    "昭和": (datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    "大正": (datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    "明治": (datetime.date(1868, 10, 23), datetime.date(1912, 7, 29)),
}
# Japan kept the lunisolar calendar until 明治5年12月2日; the next day was
# 1 January 1873 (明治6年).  Earlier months and days are not Gregorian ones.
_JAPAN_GREGORIAN: Final = datetime.date(1873, 1, 1)
_JAPANESE: Final = re.compile(
    r"(?P<era>令和|平成|昭和|大正|明治)? ?(?P<year>元|[0-9]{1,4}) ?年"
    r"(?: ?(?P<month>[0-9]{1,2}) ?月(?: ?(?P<day>[0-9]{1,2}) ?日)?)?"
)
_APPROX_PREFIX: Final = re.compile(
    r"^(?:about|around|approximately|approx\.?|circa|c\.|ca\.|~|約)\s*", re.I
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

    >>> parse_date("June 2024")
    UncertainDate('2024-06')
    >>> parse_date("about 2023")
    UncertainDate('2023~')
    >>> parse_date("before 2025-07-14")
    UncertainDate('../2025-07-14')
    >>> parse_date("2024年6月19日")
    UncertainDate('2024-06-19')
    """
    if not isinstance(text, str):
        raise InvalidDateError(text, f"a str, not {type(text).__name__}")
    try:
        return parse_edtf(text)
    except InvalidDateError as error:
        edtf_error = error
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not cleaned:
        raise InvalidDateError(text, "a date, found only white space", 0)
    result = _ranges(cleaned)
    if result is None:
        raise InvalidDateError(
            text,
            "EDTF (2024-06-19, 2024-06, 2025, 2024~, ../2025-07-14), English "
            "(19 June 2024, June 2024, about 2023, before 2025) or Japanese "
            "(2024年6月19日, 令和6年) text",
            edtf_error.position if _looks_like_edtf(text) else None,
        )
    return result


def _looks_like_edtf(text: str) -> bool:
    return bool(text) and all(c in "0123456789-XYT:Z+?~%" for c in text)


def _ranges(text: str) -> UncertainDate | None:
    for pattern, make in (
        (_BETWEEN, None),
        (_BEFORE, "before"),
        (_AFTER, "after"),
        (_JA_BEFORE, "before"),
        (_JA_AFTER, "after"),
    ):
        match = pattern.match(text)
        if match is None:
            continue
        parts = [g for g in match.groups() if g is not None]
        dates = [_single(part.strip()) for part in parts]
        if any(d is None for d in dates):
            continue
        try:
            if make == "before":
                return UncertainDate.between(End.OPEN, _last(dates))
            if make == "after":
                return UncertainDate.between(_last(dates), End.OPEN)
            if len(dates) == 2 and dates[0] is not None and dates[1] is not None:
                return UncertainDate.between(dates[0], dates[1])
        except InvalidDateError:
            # An end that is itself an interval or has a time of day, or an
            # end before the start: not a range we can express.
            continue
    return _japanese_between(text) or _single(text)


def _japanese_between(text: str) -> UncertainDate | None:
    body = text.removesuffix("まで").rstrip()
    for separator in _JA_BETWEEN.finditer(body):
        first = _single(body[: separator.start()].strip())
        second = _single(body[separator.end() :].strip())
        if first is None or second is None:
            continue
        try:
            return UncertainDate.between(first, second)
        except InvalidDateError:
            continue
    return None


def _last(dates: list[UncertainDate | None]) -> UncertainDate:
    date = dates[-1]
    assert date is not None
    return date


def _single(text: str) -> UncertainDate | None:
    """One date, perhaps approximate; None if the text is not one."""
    qualifier = Qualifier.NONE
    stripped = _APPROX_PREFIX.sub("", text)
    stripped = _APPROX_SUFFIX.sub("", stripped)
    if stripped != text:
        qualifier = Qualifier.APPROXIMATE
    if stripped.endswith("?"):
        stripped = stripped[:-1].rstrip()
        qualifier = (
            Qualifier.UNCERTAIN_APPROXIMATE
            if qualifier is Qualifier.APPROXIMATE
            else Qualifier.UNCERTAIN
        )
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
        found = _japanese(stripped) or _english(stripped)
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
    era, year_text = match["era"], match["year"]
    if year_text == "元":
        if era is None:
            return None
        year = 1
    elif era is None and len(year_text) < 3:
        return None  # 24年: 2024, 令和24年 or 平成24年?  We do not guess.
    else:
        year = int(year_text)
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        return None
    if era is not None:
        began, ended = _ERAS[era]
        year += began.year - 1
    try:
        point = Point(year, month, day)
    except InvalidDateError:
        return None
    if era is not None and (
        point.last_day < began.toordinal() or point.first_day > ended.toordinal()
    ):
        return None
    if (
        month is not None
        and era is not None
        and point.first_day < _JAPAN_GREGORIAN.toordinal()
    ):
        return None  # a lunisolar month, not a Gregorian one
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
