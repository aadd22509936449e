"""parse_edtf: the EDTF specification's examples, invalid inputs, round trips,
fuzzing, and a comparison with the `edtf` package (see docs/dates.md)."""

from __future__ import annotations

import contextlib
import datetime
import doctest
import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from timeline import (
    DateRangeError,
    End,
    InvalidDateError,
    Point,
    Precision,
    Qualifier,
    TimelineError,
    UncertainDate,
    day_number,
    parse_edtf,
)
from timeline.strategies import uncertain_dates

D = datetime.date
CYCLE_DAYS = 146097
EVERY_YEAR = uncertain_dates(None, None)


def ordinal(year: int, month: int = 1, day: int = 1) -> int:
    """The proleptic Gregorian day number of any year, from datetime alone."""
    base = 2000 + year % 400
    return D(base, month, day).toordinal() + (year - base) // 400 * CYCLE_DAYS


# -- the specification's examples ------------------------------------------
#
# Every example of Levels 0 and 1 of the Extended Date/Time Format (Library
# of Congress, 2019), with its first and last possible day worked out by hand.
# None is an open or unknown end.  Winter is December to February.

SPEC_EXAMPLES: list[tuple[str, D | None, D | None]] = [
    # Level 0: dates
    ("1985-04-12", D(1985, 4, 12), D(1985, 4, 12)),
    ("1985-04", D(1985, 4, 1), D(1985, 4, 30)),
    ("1985", D(1985, 1, 1), D(1985, 12, 31)),
    # Level 0: date and time (bounds by the calendar day written)
    ("1985-04-12T23:20:30", D(1985, 4, 12), D(1985, 4, 12)),
    ("1985-04-12T23:20:30Z", D(1985, 4, 12), D(1985, 4, 12)),
    ("1985-04-12T23:20:30-04", D(1985, 4, 12), D(1985, 4, 12)),
    ("1985-04-12T23:20:30+04:30", D(1985, 4, 12), D(1985, 4, 12)),
    # Level 0: time intervals
    ("1964/2008", D(1964, 1, 1), D(2008, 12, 31)),
    ("2004-06/2006-08", D(2004, 6, 1), D(2006, 8, 31)),
    ("2004-02-01/2005-02-08", D(2004, 2, 1), D(2005, 2, 8)),
    ("2004-02-01/2005-02", D(2004, 2, 1), D(2005, 2, 28)),
    ("2004-02-01/2005", D(2004, 2, 1), D(2005, 12, 31)),
    ("2005/2006-02", D(2005, 1, 1), D(2006, 2, 28)),
    # Level 1: seasons
    ("2001-21", D(2001, 3, 1), D(2001, 5, 31)),
    ("2001-22", D(2001, 6, 1), D(2001, 8, 31)),
    ("2001-23", D(2001, 9, 1), D(2001, 11, 30)),
    ("2001-24", D(2001, 12, 1), D(2002, 2, 28)),
    ("2003-24", D(2003, 12, 1), D(2004, 2, 29)),
    # Level 1: qualification of a date
    ("1984?", D(1984, 1, 1), D(1984, 12, 31)),
    ("2004-06~", D(2004, 6, 1), D(2004, 6, 30)),
    ("2004-06-11%", D(2004, 6, 11), D(2004, 6, 11)),
    # Level 1: unspecified digits from the right
    ("201X", D(2010, 1, 1), D(2019, 12, 31)),
    ("20XX", D(2000, 1, 1), D(2099, 12, 31)),
    ("2004-XX", D(2004, 1, 1), D(2004, 12, 31)),
    ("1985-04-XX", D(1985, 4, 1), D(1985, 4, 30)),
    ("1985-XX-XX", D(1985, 1, 1), D(1985, 12, 31)),
    # Level 1: extended intervals, open ends
    ("1985-04-12/..", D(1985, 4, 12), None),
    ("1985-04/..", D(1985, 4, 1), None),
    ("1985/..", D(1985, 1, 1), None),
    ("../1985-04-12", None, D(1985, 4, 12)),
    ("../1985-04", None, D(1985, 4, 30)),
    ("../1985", None, D(1985, 12, 31)),
    # Level 1: extended intervals, unknown ends
    ("1985-04-12/", D(1985, 4, 12), None),
    ("1985-04/", D(1985, 4, 1), None),
    ("1985/", D(1985, 1, 1), None),
    ("/1985-04-12", None, D(1985, 4, 12)),
    ("/1985-04", None, D(1985, 4, 30)),
    ("/1985", None, D(1985, 12, 31)),
    # Level 1: extended intervals, qualified ends
    ("1984~/2004-06", D(1984, 1, 1), D(2004, 6, 30)),
    ("1984/2004-06~", D(1984, 1, 1), D(2004, 6, 30)),
    ("1984~/2004~", D(1984, 1, 1), D(2004, 12, 31)),
    ("1984?/2004%", D(1984, 1, 1), D(2004, 12, 31)),
    ("1984-06?/2004-08?", D(1984, 6, 1), D(2004, 8, 31)),
    ("1984-06-02?/2004-08-08~", D(1984, 6, 2), D(2004, 8, 8)),
    ("1984-06-02?/..", D(1984, 6, 2), None),
    # Beyond the spec's examples, still Level 0/1
    ("1XXX", D(1000, 1, 1), D(1999, 12, 31)),
    ("2000-02-29", D(2000, 2, 29), D(2000, 2, 29)),
    ("0001-01-01", D(1, 1, 1), D(1, 1, 1)),
    ("9999-12-31", D(9999, 12, 31), D(9999, 12, 31)),
]

# Years that datetime.date cannot hold: bounds as day numbers.
SPEC_EXAMPLES_BEYOND: list[tuple[str, int | None, int | None]] = [
    # Level 1: letter-prefixed calendar years
    ("Y170000002", ordinal(170000002), ordinal(170000002, 12, 31)),
    ("Y-170000002", ordinal(-170000002), ordinal(-170000002, 12, 31)),
    # Level 1: negative calendar year; Level 0: year zero
    ("-1985", ordinal(-1985), ordinal(-1985, 12, 31)),
    ("0000", ordinal(0), ordinal(0, 12, 31)),
    ("0000-02-29", ordinal(0, 2, 29), ordinal(0, 2, 29)),  # 1 BCE was leap
    ("-0044-03-15", ordinal(-44, 3, 15), ordinal(-44, 3, 15)),
    ("0XXX", ordinal(0), ordinal(999, 12, 31)),
    ("9999-24", ordinal(9999, 12), ordinal(10000, 2, 29)),
    ("Y-170000002/-1985", ordinal(-170000002), ordinal(-1985, 12, 31)),
    ("../-1985", None, ordinal(-1985, 12, 31)),
    # Level 1 features compose: negative years with unspecified digits
    ("-199X", ordinal(-1999), ordinal(-1990, 12, 31)),
    ("-01XX", ordinal(-199), ordinal(-100, 12, 31)),
    ("-000X", ordinal(-9), ordinal(0, 12, 31)),
    ("-0XXX", ordinal(-999), ordinal(0, 12, 31)),
    ("-999X~", ordinal(-9999), ordinal(-9990, 12, 31)),
    ("-01XX/-0044-03-15", ordinal(-199), ordinal(-44, 3, 15)),
    ("Y999999999999999", ordinal(999999999999999), ordinal(999999999999999, 12, 31)),
]


@pytest.mark.parametrize(("text", "earliest", "latest"), SPEC_EXAMPLES)
def test_the_specification_examples(
    text: str, earliest: D | None, latest: D | None
) -> None:
    d = parse_edtf(text)
    assert (d.earliest, d.latest) == (earliest, latest)
    assert parse_edtf(d.to_edtf()) == d
    assert d.is_interval == ("/" in text)


@pytest.mark.parametrize(("text", "earliest", "latest"), SPEC_EXAMPLES_BEYOND)
def test_the_specification_examples_beyond_datetime(
    text: str, earliest: int | None, latest: int | None
) -> None:
    d = parse_edtf(text)
    assert (d.earliest_day, d.latest_day) == (earliest, latest)
    assert str(d) == text
    for number, bound in ((earliest, "earliest"), (latest, "latest")):
        if number is not None and not 1 <= number <= D.max.toordinal():
            with pytest.raises(DateRangeError):
                getattr(d, bound)


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("1985-04-12T23:20:30-04", "1985-04-12T23:20:30-04:00"),
        ("1985-04-12T23:20:30+00", "1985-04-12T23:20:30+00:00"),
    ],
)
def test_offsets_are_normalized_to_hours_and_minutes(
    text: str, normalized: str
) -> None:
    assert parse_edtf(text).to_edtf() == normalized
    assert parse_edtf(text) == parse_edtf(normalized)


def test_the_parts_of_a_date_are_kept() -> None:
    d = parse_edtf("2004-02-01/2005~")
    assert d.start == Point(2004, 2, 1)
    assert d.end == Point(2005, qualifier=Qualifier.APPROXIMATE)
    assert parse_edtf("201X").start == Point(2010, unspecified_year_digits=1)
    assert parse_edtf("1985-04-XX").start == Point(1985, 4, day_unspecified=True)
    assert parse_edtf("1985-04-12T23:20:30+04").start == Point(
        1985, 4, 12, time="23:20:30+04:00"
    )
    assert parse_edtf("1985/").end is End.UNKNOWN
    assert parse_edtf("../1985").start is End.OPEN


# -- invalid inputs -----------------------------------------------------------

INVALID: list[tuple[str, str]] = [
    # calendar
    ("2023-02-29", "a day 01-28 for 2023-02, not 29"),
    ("1900-02-29", "a day 01-28 for 1900-02, not 29"),
    ("-0001-02-29", "a day 01-28 for -0001-02"),
    ("2024-06-31", "a day 01-30 for 2024-06, not 31"),
    ("2024-04-00", "a day 01-30 for 2024-04, not 00"),
    ("2024-00", "a month 01-12 or a season 21-24, not 00"),
    ("2024-13", "a month 01-12 or a season 21-24, not 13"),
    ("2024-20", "not 20"),
    ("2024-25", "not 25"),
    ("2001-21-05", "no day or time after a season"),
    # intervals
    ("2005/2004", "end is not before its start"),
    ("2004-06-15/2004-06-14", "end is not before its start"),
    ("2005-01/2004", "end is not before its start"),
    ("../..", "a date on at least one side"),
    ("/..", "a date on at least one side"),
    ("../", "a date on at least one side"),
    ("/", "a date on at least one side"),
    ("1985/1986/1987", "the end of the interval"),
    ("1985//1986", "the end of the interval, found '/'"),
    ("1985-04-12T23:20:30Z/1986", "without a time of day"),
    ("..1985", "a four-digit year"),
    ("..1985/", "'/' after the start"),
    ("1985..", "the end of the date"),
    # years
    ("", "a date, found an empty text"),
    ("85", "a four-digit year"),
    ("198", "a four-digit year"),
    ("19850", "the end of the date"),
    ("Y2024", "five or more digits"),
    ("Y-2024", "five or more digits"),
    ("Y02024", "without leading zeros"),
    ("Y1000000000000000", "at most 15 digits"),
    ("Y" + "9" * 5000, "at most 15 digits"),
    ("Y20000-06", "a Y-year is a year"),
    ("y20000", "a four-digit year"),
    ("-0000", "a year other than -0000"),
    ("+1985", "a four-digit year"),
    ("XXXX", "a four-digit year"),
    ("-XXXX", "a four-digit year"),
    ("-19X5", "a four-digit year"),
    ("1X8X", "a four-digit year"),
    ("201x", "a four-digit year"),
    ("201X-05", "the end of the date"),
    ("２０２４", "a four-digit year"),
    # months and days
    ("1985-4-12", "a two-digit month"),
    ("1985-04-1", "a two-digit day"),
    ("1985-xx", "a two-digit month"),
    ("1985-XX-12", "XX: a day after an unspecified month is XX"),
    ("1985-X4", "a two-digit month"),
    ("1985-04-X2", "a two-digit day"),
    ("1985-21-XX", "no day or time after a season"),
    ("1985–04", "the end of the date"),  # an en dash
    # times
    ("1985-04-12T24:00:00", "a time from 00:00:00 to 23:59:59"),
    ("1985-04-12T23:60:00", "a time from 00:00:00 to 23:59:59"),
    ("1985-04-12T23:20:60", "a time from 00:00:00 to 23:59:59"),
    ("1985-04-12T23:20", "':' between minutes and seconds"),
    ("1985-04-12T23", "':' between hour and minute"),
    ("1985-04-12T", "a two-digit hour"),
    ("1985-04-12T23:20:30.5", "the end of the date"),
    ("1985-04-12T23:20:30z", "the end of the date"),
    ("1985-04-12t23:20:30", "the end of the date"),
    ("1985-04-12T23:20:30+24:00", "an offset from 00:00 to 23:59"),
    ("1985-04-12T23:20:30+04:60", "an offset from 00:00 to 23:59"),
    ("1985-04-12T23:20:30-00:00", "a zero offset written Z or +00:00"),
    ("1985-04-12T23:20:30-00", "a zero offset written Z or +00:00"),
    ("1985-04-12T23:20:30+0430", "the end of the date"),
    ("1985-04-12T23:20:30+4", "a two-digit offset hour"),
    ("1985-04-12T23:20:30Z?", "no qualifier on a date with a time of day"),
    ("1985-04T10:00:00", "the end of the date"),
    ("1985-04-XXT10:00:00", "the end of the date"),
    # qualifiers and trailing garbage
    ("1985??", "the end of the date, found '?'"),
    ("1985?~", "the end of the date, found '~'"),
    ("?1985", "a four-digit year"),
    ("1985-04-12x", "the end of the date or a qualifier"),
    ("1985 ", "the end of the date or a qualifier"),
    (" 1985", "a four-digit year"),
    ("1985\n", "the end of the date or a qualifier"),
    ("1985-", "a two-digit month"),
    ("1985-04-", "a two-digit day"),
    ("1985/2000 ", "the end of the interval"),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_inputs_are_refused_with_a_clear_message(
    text: str, expected: str
) -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_edtf(text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert isinstance(error, TimelineError)
    message = str(error)
    assert message.startswith(f"invalid date {text!r}")
    assert expected in message
    assert error.text == text
    assert error.position is None or 0 <= error.position <= len(text)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("1985-04-12x", 10),
        ("1985-4-12", 6),
        ("1985-04-12T25:00:00", 11),
        ("1985-04-12T23:20:30-00:00", 19),
        ("Y02024", 1),
        ("-0000", 0),
        ("1985/1986/1987", 9),
        ("2023-02-29", 0),
        ("1985/2023-02-29", 5),
        ("２０２４", 0),
    ],
)
def test_errors_say_where(text: str, position: int) -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_edtf(text)
    assert raised.value.position == position
    assert f"at position {position}:" in str(raised.value)


@pytest.mark.parametrize("value", [None, 1985, b"1985", datetime.date(1985, 1, 1)])
def test_only_text_is_read(value: Any) -> None:
    with pytest.raises(InvalidDateError, match="a str, not"):
        parse_edtf(value)


# -- round trips ----------------------------------------------------------


@given(EVERY_YEAR)
@settings(max_examples=500)
@example(parse_edtf("Y-999999999999999"))
@example(parse_edtf("0XXX~/.."))
@example(parse_edtf("-9999-24%"))
@example(parse_edtf("1985-04-12T23:20:30+23:59"))
def test_round_trip(d: UncertainDate) -> None:
    text = d.to_edtf()
    assert str(d) == text
    again = parse_edtf(text)
    assert again == d
    assert again.to_edtf() == text
    assert (again.earliest_day, again.latest_day) == (d.earliest_day, d.latest_day)
    assert (again.precision, again.qualifier) == (d.precision, d.qualifier)


# -- fuzzing --------------------------------------------------------------

EDTF_PIECES = st.sampled_from(
    [
        *"0123456789-/.XYTZ:+?~%",
        *["..", "XX", "19", "2004", "-04", "-12", "-21", "-24", "-29", "-31"],
        *["T23:20:30", "+04:30", "Y17000000"],
    ]
)
EDTF_LIKE = st.lists(EDTF_PIECES, max_size=14).map("".join)


def mutations(text: str) -> st.SearchStrategy[str]:
    """One edit of a valid EDTF text: an insertion, a deletion or a swap."""
    alphabet = st.sampled_from("0123456789-/.XYTZ:+?~% x")
    where = st.integers(0, len(text))
    return st.one_of(
        st.builds(lambda i, c: text[:i] + c + text[i:], where, alphabet),
        st.builds(lambda i: text[:i] + text[i + 1 :], where),
        st.builds(lambda i, c: text[:i] + c + text[i + 1 :], where, alphabet),
    )


def check_parse(text: str) -> UncertainDate | None:
    """parse_edtf either returns a date whose normal form is the text (up to
    the minutes of an offset) or raises InvalidDateError: nothing else."""
    try:
        d = parse_edtf(text)
    except InvalidDateError as error:
        refused = error
    else:
        assert isinstance(d, UncertainDate)
        assert d.to_edtf() == re.sub(r"(T[0-9:]{8}[+-][0-9]{2})$", r"\1:00", text)
        return d
    assert refused.text == text
    assert str(refused).startswith(f"invalid date {text!r}")
    return None


@given(st.text())
@settings(max_examples=300)
def test_fuzz_any_text(text: str) -> None:
    check_parse(text)


@given(EDTF_LIKE)
@settings(max_examples=1000)
@example("1985-04-12T23:20:30+04")
@example("Y-" + "1" * 16)
def test_fuzz_edtf_like_text(text: str) -> None:
    check_parse(text)


@given(EVERY_YEAR.map(str).flatmap(mutations))
@settings(max_examples=500)
def test_fuzz_one_edit_from_valid(text: str) -> None:
    check_parse(text)


# -- the `edtf` package -----------------------------------------------------
#
# Strict bounds are compared wherever `edtf` is correct.  Its known faults are
# left out here and pinned below (and listed in docs/dates.md).

edtf = pytest.importorskip("edtf")


def edtf_parse(text: str) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):  # it prints on some errors
        return edtf.parse_edtf(text)


def edtf_bound(value: Any) -> D | None:
    if isinstance(value, float):  # an open end: -inf or inf
        return None
    return edtf.struct_time_to_date(value)  # type: ignore[no-any-return]


def comparable(d: UncertainDate) -> bool:
    """Everything except the categories of documented differences."""
    points = [p for p in (d.start, d.end) if isinstance(p, Point)]
    if End.UNKNOWN in (d.start, d.end):
        return False  # edtf invents a bound ten years away
    for p in points:
        if p.month == 24 and (not d.is_interval or p is d.end):
            return False  # edtf ends winter on 31 December
        if p.month is not None and p.month > 12 and p.qualifier is not Qualifier.NONE:
            return False  # edtf refuses qualified seasons (2001-21?)
        if d.is_interval and (
            p.unspecified_year_digits or p.month_unspecified or p.day_unspecified
        ):
            return False  # edtf refuses or crashes on some (2004-XX/2005)
        if p.time is not None and re.search(r"[+-]00:00$|[+-](1[5-9]|2)", p.time):
            return False  # edtf takes offsets 00:01 to 14:00 only
        if p.time is not None and re.search(r"[+-]14:(?!00)", p.time):
            return False
    return True


@given(uncertain_dates())
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@example(parse_edtf("2004-02-01/2005"))
@example(parse_edtf("2001-23"))
@example(parse_edtf("1984?/2004%"))
@example(parse_edtf("1985/.."))
@example(parse_edtf("../1985-04-12"))
@example(parse_edtf("2000-02-29"))
def test_strict_bounds_agree_with_the_edtf_package(d: UncertainDate) -> None:
    assume(comparable(d))
    text = d.to_edtf()
    theirs = edtf_parse(text)
    assert str(theirs) == text
    assert edtf_bound(theirs.lower_strict()) == d.earliest
    assert edtf_bound(theirs.upper_strict()) == d.latest


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-29",  # not a day; edtf accepts it, then cannot give bounds
        "1900-02-29",  # (edtf takes any 29 February)
        "-0001-02-29",  # year -1 (2 BCE) is not a leap year
        "2005/2004",  # the end before the start
        "2004-06-15/2004-06-14",
        "../..",  # no date at all
    ],
)
def test_edtf_accepts_what_we_refuse(text: str) -> None:
    edtf_parse(text)
    with pytest.raises(InvalidDateError):
        parse_edtf(text)


@pytest.mark.parametrize(
    ("text", "their_earliest", "their_latest"),
    [
        # An unknown end: edtf invents one ten years away.
        ("1985-04-12/", D(1985, 4, 12), D(1995, 4, 12)),
        ("/1985", D(1975, 12, 31), D(1985, 12, 31)),
        # Winter: edtf ends it on 31 December of the same year.
        ("2001-24", D(2001, 12, 1), D(2001, 12, 31)),
    ],
)
def test_edtf_bounds_we_deliberately_differ_from(
    text: str, their_earliest: D, their_latest: D
) -> None:
    theirs = edtf_parse(text)
    assert edtf_bound(theirs.lower_strict()) == their_earliest
    assert edtf_bound(theirs.upper_strict()) == their_latest
    ours = parse_edtf(text)
    assert (ours.earliest, ours.latest) != (their_earliest, their_latest)


@pytest.mark.parametrize(
    "text",
    [
        "2001-21?",  # a qualified season
        "Y170000002?",  # a qualified long year
        "Y-170000002/2000",  # a long year in an interval
        "1985-04-12T10:00:00+00:00",  # a zero offset written +00:00
        "1985-04-12T10:00:00+15:00",  # an offset beyond 14:00
        "/201X",  # unspecified digits at an interval end
        "../1985-XX",
        "2004-XX/2005",  # an unspecified month in an interval (edtf crashes)
        "../014X",  # (edtf crashes)
    ],
)
def test_we_accept_what_edtf_refuses(text: str) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011  # edtf raises several kinds
        edtf_parse(text)
    assert str(parse_edtf(text)) == text


@given(
    uncertain_dates(
        day_number(-9999),
        day_number(0, 12, 31),
        precisions=[Precision.DECADE, Precision.CENTURY, Precision.MILLENNIUM],
        intervals=False,
    )
)
@example(parse_edtf("-199X"))
@example(parse_edtf("-000X"))
@example(parse_edtf("-0XXX"))
def test_negative_years_with_unspecified_digits_agree_with_edtf(
    d: UncertainDate,
) -> None:
    """edtf gives their bounds as struct_time tuples (not dates)."""
    theirs = edtf_parse(d.to_edtf())
    lo, hi = theirs.lower_strict()[:3], theirs.upper_strict()[:3]
    assert (d.earliest_day, d.latest_day) == (ordinal(*lo), ordinal(*hi))


def test_edtf_cannot_give_bounds_outside_datetime() -> None:
    for text in ("-1985", "0000", "Y170000002"):
        with pytest.raises(ValueError):  # noqa: PT011
            edtf_bound(edtf_parse(text).lower_strict())
        assert parse_edtf(text).earliest_day is not None
    assert parse_edtf("-1985").precision is Precision.YEAR


@pytest.mark.parametrize(
    ("text", "their_lo", "their_hi", "our_lo", "our_hi"),
    [
        ("2004-06~", D(2003, 5, 1), D(2005, 7, 30), D(2004, 5, 1), D(2004, 7, 31)),
        ("2004-06-11%", D(2002, 4, 9), D(2006, 8, 13), D(2004, 6, 10), D(2004, 6, 12)),
    ],
)
def test_fuzzy_bounds_differ_from_edtf(
    text: str, their_lo: D, their_hi: D, our_lo: D, our_hi: D
) -> None:
    theirs = edtf_parse(text)
    assert edtf_bound(theirs.lower_fuzzy()) == their_lo
    assert edtf_bound(theirs.upper_fuzzy()) == their_hi
    assert parse_edtf(text).fuzzy_bounds() == (our_lo, our_hi)


def test_edtf_also_refuses_what_we_refuse() -> None:
    for text in ("Y20000-06", "1985-04-12T23:20:30/1990", "1985-04-12T10:00:00-00:00"):
        with pytest.raises(Exception):  # noqa: B017, PT011
            edtf_parse(text)
        with pytest.raises(InvalidDateError):
            parse_edtf(text)


def test_the_examples_of_docs_dates_md_run() -> None:
    path = Path(__file__).resolve().parent.parent / "docs" / "dates.md"
    failures, tried = doctest.testfile(
        str(path), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried >= 5
    assert failures == 0
