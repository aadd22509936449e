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
_ERAS: Final = {
    "令和": datetime.date(2019, 5, 1),
    "平成": datetime.date(1989, 1, 8),
    "昭和": datetime.date(1926, 12, 25),
    "大正": datetime.date(1912, 7, 30),
    "明治": datetime.date(1868, 10, 23),
}
_JAPANESE: Final = re.compile(
    r"(?P<era>令和|平成|昭和|大正|明治)?(?P<year>元|\d{1,4})年"
    r"(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?"
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
_JA_BETWEEN: Final = re.compile(r"^(.+?)(?:から|〜|~|－|–)(.+?)(?:まで)?$")
_NUMERIC: Final = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_DEFAULTS: Final = (datetime.datetime(4, 1, 1), datetime.datetime(8, 2, 2))


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
        (_JA_BETWEEN, None),
    ):
        match = pattern.match(text)
        if match is None:
            continue
        parts = [g for g in match.groups() if g is not None]
        dates = [_single(part.strip()) for part in parts]
        if any(d is None for d in dates):
            continue
        if make == "before":
            return UncertainDate.between(End.OPEN, _last(dates))
        if make == "after":
            return UncertainDate.between(_last(dates), End.OPEN)
        if len(dates) == 2 and dates[0] is not None and dates[1] is not None:
            try:
                return UncertainDate.between(dates[0], dates[1])
            except InvalidDateError:
                return None
    return _single(text)


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
        return UncertainDate.from_point(_requalify(date.start, qualifier))
    found = _japanese(stripped) or _english(stripped)
    if found is None:
        return None
    return UncertainDate.from_point(_requalify(found, qualifier))


def _requalify(point: Point, qualifier: Qualifier) -> Point:
    if qualifier is Qualifier.NONE or point.time is not None:
        return point
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
    else:
        year = int(year_text)
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if era is not None:
        began = _ERAS[era]
        year += began.year - 1
    try:
        point = Point(year, month, day)
    except InvalidDateError:
        return None
    if era is not None and point.last_day < _ERAS[era].toordinal():
        return None
    if month is not None and month > 12:
        return None
    return point


def _english(text: str) -> Point | None:
    if not any(ch.isdigit() for ch in text):
        return None
    numeric = _NUMERIC.match(text)
    if numeric is not None:
        first, second = int(numeric[1]), int(numeric[2])
        if first <= 12 and second <= 12 and first != second:
            return None  # 04/06/2024: April or June?  We do not guess.
    from dateutil import parser  # deferred: see the module docstring

    try:
        one = parser.parse(text, default=_DEFAULTS[0])
        two = parser.parse(text, default=_DEFAULTS[1])
    except (ValueError, OverflowError):
        return None
    if one.year != two.year or one.month != two.month:
        return None  # no year, or a day without a month
    # A two-digit year ("19 June 24") would be completed from today's century.
    if not re.search(rf"(?<!\d){one.year}(?!\d)", text):
        return None
    day = one.day if one.day == two.day else None
    try:
        return Point(one.year, one.month, day)
    except InvalidDateError:
        return None
