"""parse_date: EDTF, then Japanese, then English free text."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from timeline import (
    End,
    InvalidDateError,
    Point,
    Qualifier,
    TimelineError,
    UncertainDate,
    parse_date,
    parse_edtf,
)
from timeline.strategies import uncertain_dates

D = datetime.date
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Japanese eras: name, first day (the facts, written out independently).
ERAS = [
    ("明治", D(1868, 10, 23)),
    ("大正", D(1912, 7, 30)),
    ("昭和", D(1926, 12, 25)),
    ("平成", D(1989, 1, 8)),
    ("令和", D(2019, 5, 1)),
]
# Free text reads the years 100-9999 (python-dateutil completes a year
# below 100 from the current century, even when written 0050: refused).
FREE_TEXT_DAYS = st.dates(D(100, 1, 1), D(9999, 12, 31))


def day(d: D) -> UncertainDate:
    return UncertainDate.from_ymd(d.year, d.month, d.day)


def month(d: D) -> UncertainDate:
    return UncertainDate.from_ymd(d.year, d.month)


# -- tables -----------------------------------------------------------------

READS = [
    # English, through python-dateutil
    ("June 2024", "2024-06"),
    ("19 June 2024", "2024-06-19"),
    ("Jun 19, 2024", "2024-06-19"),
    ("June 19th, 2024", "2024-06-19"),
    ("2024/06/19", "2024-06-19"),
    ("2024/04/06", "2024-04-06"),  # a leading four-digit year: Y/M/D
    ("2024.06.19", "2024-06-19"),
    ("19-June-2024", "2024-06-19"),
    ("13/06/2024", "2024-06-13"),  # 13 cannot be a month
    ("06/13/2024", "2024-06-13"),
    ("04/04/2024", "2024-04-04"),  # either way the same day
    ("Wednesday, 19 June 2024", "2024-06-19"),  # the right weekday
    ("JUNE 2024", "2024-06"),
    ("Sept 2023", "2023-09"),
    ("  June   2024 ", "2024-06"),
    ("June 0900", "0900-06"),
    ("December 31, 9999", "9999-12-31"),
    ("June 19, 2024 at 10:00", "2024-06-19"),  # the time of day is not kept
    # Japanese
    ("2024年6月19日", "2024-06-19"),
    ("2024年6月", "2024-06"),
    ("2025年", "2025"),
    ("2024年 6月 19日", "2024-06-19"),
    ("２０２４年６月１９日", "2024-06-19"),  # full-width digits
    ("令和6年", "2024"),
    ("令和６年", "2024"),
    ("令和元年", "2019"),
    ("令和元年5月1日", "2019-05-01"),
    ("平成31年4月30日", "2019-04-30"),  # the last day of Heisei
    ("平成元年", "1989"),
    ("昭和64年1月7日", "1989-01-07"),  # the last day of Showa
    ("大正15年", "1926"),
    ("明治6年1月1日", "1873-01-01"),  # Japan's first Gregorian day
    ("明治元年", "1868"),
    # EDTF first, also after trimming or full-width normalization
    ("2004-06~", "2004-06~"),
    ("1984?/2004%", "1984?/2004%"),
    (" 2024-06 ", "2024-06"),
    ("２０２４－０６", "2024-06"),
    # approximately
    ("about 2023", "2023~"),
    ("circa 1850", "1850~"),
    ("c. 1850", "1850~"),
    ("ca. 1850", "1850~"),
    ("approx. June 2024", "2024-06~"),
    ("around 19 June 2024", "2024-06-19~"),
    ("~2023", "2023~"),
    ("about 2024-06", "2024-06~"),
    ("2024年6月頃", "2024-06~"),
    ("2024年ごろ", "2024~"),
    ("約2024年", "2024~"),
    ("2024年6月19日頃", "2024-06-19~"),
    ("June 2024?", "2024-06?"),
    ("about June 2024?", "2024-06%"),
    # before, after, between
    ("before 2025-07-14", "../2025-07-14"),
    ("by June 2024", "../2024-06"),
    ("until 2024", "../2024"),
    ("no later than 2024", "../2024"),
    ("after June 2024", "2024-06/.."),
    ("since 2020", "2020/.."),
    ("no earlier than 2024", "2024/.."),
    ("before about 2024", "../2024~"),
    ("after c. 1850", "1850~/.."),
    ("between 2022 and 2023", "2022/2023"),
    ("BETWEEN 2022 AND 2023", "2022/2023"),
    ("from 2022 to 2023", "2022/2023"),
    ("from June 2022 until May 2023", "2022-06/2023-05"),
    ("between June 2024 and 2024", "2024-06/2024"),
    ("2024年以前", "../2024"),
    ("2024年まで", "../2024"),
    ("2024年6月以降", "2024-06/.."),
    ("2024年から", "2024/.."),
    ("2022年から2023年まで", "2022/2023"),
    ("2022年〜2023年", "2022/2023"),
]


@pytest.mark.parametrize(("text", "expected"), READS)
def test_reads(text: str, expected: str) -> None:
    assert parse_date(text).to_edtf() == expected


REFUSED = [
    # nothing to read
    "",
    "   ",
    "about",
    "before",
    "soon",
    # no year: never filled in from today
    "June",
    "19 June",
    "June 19",
    "Monday",
    "today",
    "tomorrow",
    "now",
    "年6月",
    "6月19日",
    # ambiguous or abbreviated
    "04/06/2024",
    "4.6.2024",
    "04-06-2024",
    "2 7 2024",
    "19 June 24",
    "6/19/24",
    "June '24",
    "24年6月",
    "元年",
    "1 January 0001",  # dateutil would read 2001
    # not on the calendar, or not what was written
    "31 June 2024",
    "29 Feb 2023",
    "2024年13月",
    "2024年2月30日",
    "平成32年",  # Heisei ended in its 31st year
    "令和元年4月",  # Reiwa began on 1 May
    "明治5年12月",  # a lunisolar month, not a Gregorian one
    "Monday June 2024",  # which Monday?
    "Monday, 19 June 2024",  # 19 June 2024 was a Wednesday
    "June -2024",
    "about 1985-04-12T23:20:30Z",  # EDTF cannot qualify a date-time
    "before 2024/2025",  # an interval as an end
    "between 2024 and 2023",  # the end before the start
    "about 2024~",
    # not dates
    "Summer 2024",
    "1990s",
    "2024 BC",
    "2024-25",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refuses(text: str) -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_date(text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert isinstance(error, TimelineError)
    assert str(error).startswith(f"invalid date {text!r}")
    assert "expected" in str(error)


def test_the_error_shows_what_is_accepted() -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_date("04/06/2024")
    message = str(raised.value)
    assert "EDTF (2024-06-19" in message
    assert "English (19 June 2024" in message
    assert "Japanese (2024年6月19日" in message
    assert raised.value.position is None


def test_an_edtf_looking_error_keeps_the_position() -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_date("2023-02-29")
    assert raised.value.position == 0


@pytest.mark.parametrize("value", [None, 2024, D(2024, 6, 19)])
def test_only_text_is_read(value: object) -> None:
    with pytest.raises(InvalidDateError, match="a str, not"):
        parse_date(value)  # type: ignore[arg-type]


# -- properties -------------------------------------------------------------


@given(uncertain_dates(None, None))
@settings(max_examples=300)
def test_edtf_comes_first(d: UncertainDate) -> None:
    assert parse_date(d.to_edtf()) == d


@given(FREE_TEXT_DAYS, st.sampled_from(range(7)))
@example(D(2024, 2, 29), 0)
@example(D(100, 1, 1), 1)
@example(D(9999, 12, 31), 2)
def test_english_days(d: D, style: int) -> None:
    name, year = MONTHS[d.month - 1], f"{d.year:04d}"
    text = [
        f"{d.day} {name} {year}",
        f"{name} {d.day}, {year}",
        f"{name[:3]} {d.day}, {year}",
        f"{year}/{d.month:02d}/{d.day:02d}",
        f"{WEEKDAYS[d.weekday()]}, {d.day} {name} {year}",
        f"{d.day}-{name}-{year}",
        f"{d.day:02d}.{d.month:02d}.{year}",
    ][style]
    ambiguous = style == 6 and d.day <= 12 and d.day != d.month
    if ambiguous:
        with pytest.raises(InvalidDateError):
            parse_date(text)
    else:
        assert parse_date(text) == day(d)


@given(FREE_TEXT_DAYS, st.booleans())
def test_english_months(d: D, short: bool) -> None:
    name = MONTHS[d.month - 1][:3] if short else MONTHS[d.month - 1]
    assert parse_date(f"{name} {d.year:04d}") == month(d)


@given(st.dates(D(1000, 1, 1)), st.integers(0, 2), st.booleans())
@example(D(2024, 2, 29), 0, True)
def test_japanese_western_years(d: D, precision: int, full_width: bool) -> None:
    text, expected = [
        (f"{d.year}年{d.month}月{d.day}日", day(d)),
        (f"{d.year}年{d.month}月", month(d)),
        (f"{d.year}年", UncertainDate.from_ymd(d.year)),
    ][precision]
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_date(text) == expected


@given(st.dates(D(1873, 1, 1), D(2200, 12, 31)))
@example(D(1989, 1, 7))
@example(D(1989, 1, 8))
@example(D(2019, 4, 30))
@example(D(2019, 5, 1))
def test_japanese_era_days(d: D) -> None:
    era, began = next((e, b) for e, b in reversed(ERAS) if b <= d)
    number = d.year - began.year + 1
    year = "元" if number == 1 else str(number)
    assert parse_date(f"{era}{year}年{d.month}月{d.day}日") == day(d)
    # The same day written in the era before is refused, as is the next era's
    # year before that era began.
    before = ERAS[[e for e, _ in ERAS].index(era) - 1]
    if era != "明治":
        stale = d.year - before[1].year + 1
        with pytest.raises(InvalidDateError):
            parse_date(f"{before[0]}{stale}年{d.month}月{d.day}日")


@given(uncertain_dates(D(100, 1, 1), intervals=False, times=False))
def test_qualifying_words(d: UncertainDate) -> None:
    assert isinstance(d.start, Point)
    plain = d.start.qualifier is Qualifier.NONE
    about = parse_date(f"about {d}") if plain else None
    if about is not None:
        assert about.to_edtf() == f"{d}~"
        assert (about.earliest_day, about.latest_day) == (d.earliest_day, d.latest_day)
    assert parse_date(f"before {d}") == UncertainDate.between(End.OPEN, d)
    assert parse_date(f"after {d}") == UncertainDate.between(d, End.OPEN)
    assert parse_date(f"{d}以前") == UncertainDate.between(End.OPEN, d)


@given(
    uncertain_dates(D(100, 1, 1), intervals=False, times=False),
    uncertain_dates(D(100, 1, 1), intervals=False, times=False),
)
@example(parse_edtf("2000~"), parse_edtf("2000"))  # "~" is not a separator here
@example(parse_edtf("2004-06~"), parse_edtf("2004-06~"))
def test_between(a: UncertainDate, b: UncertainDate) -> None:
    assert a.earliest_day is not None
    assert b.latest_day is not None
    if b.latest_day < a.earliest_day:
        a, b = b, a
    expected = UncertainDate.between(a, b)
    assert parse_date(f"between {a} and {b}") == expected
    assert parse_date(f"from {a} to {b}") == expected
    assert parse_date(f"{a}から{b}まで") == expected
    assert parse_date(f"{a}〜{b}") == expected
    if not str(a).endswith("~"):  # else "2000~~2000" has two readings
        assert parse_date(f"{a}~{b}") == expected


# -- fuzzing --------------------------------------------------------------

WORDS = st.sampled_from(
    [
        *"0123456789 -/.,:?~",
        *["June", "Jun", "19", "2024", "0900", "31", "about", "before", "after"],
        *["between", " and ", "from", " to ", "Monday", "T10:00", "Z", "EST"],
        *["年", "月", "日", "令和", "平成", "元", "頃", "から", "まで", "〜", "以前"],
        *["２", "０", "－", "ー", "..", "X", "%", "BC", "st", "of", "the"],
    ]
)


def check_parse(text: str) -> None:
    try:
        d = parse_date(text)
    except InvalidDateError as error:
        refused = error
    else:
        assert parse_edtf(d.to_edtf()) == d
        return
    assert str(refused).startswith(f"invalid date {text!r}")


@given(st.text())
@settings(max_examples=300)
def test_fuzz_any_text(text: str) -> None:
    check_parse(text)


@given(st.lists(WORDS, max_size=10).map("".join))
@settings(max_examples=1000)
@example("0A1AA")  # dateutil's UnknownTimezoneWarning used to escape
@example("2Monday 2024")  # dateutil picked "the next Monday"
@example("2 7 122")  # an ambiguous month and day
def test_fuzz_date_like_text(text: str) -> None:
    check_parse(text)


def test_full_width_and_compatibility_forms_are_normalized() -> None:
    text = "２０２４年６月"
    assert unicodedata.normalize("NFKC", text) == "2024年6月"
    assert parse_date(text) == parse_date("2024年6月")
