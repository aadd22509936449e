"""parse_date: EDTF, then Japanese, then English free text."""

from __future__ import annotations

import calendar
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
    ("from 1985 to an unknown date", "1985/"),
    ("from an unknown date to June 1985", "/1985-06"),
    ("不明〜1985年", "/1985"),
    ("1985年6月〜不明", "1985-06/"),
    # decades, centuries, millennia
    ("1850s", "185X"),
    ("the 1850s", "185X"),
    ("The 1850's", "185X"),
    ("1850年代", "185X"),
    ("19th century", "18XX"),
    ("the nineteenth century", "18XX"),
    ("the 19th-century", "18XX"),
    ("XIX century", "18XX"),
    ("the twenty-first century", "20XX"),
    ("the 1st century", "00XX"),
    ("19世紀", "18XX"),
    ("第19世紀", "18XX"),
    ("the 2nd millennium", "1XXX"),
    ("2千年紀", "1XXX"),
    ("about the 1850s", "185X~"),
    ("1850年代頃", "185X~"),
    ("the 19th century?", "18XX?"),
    ("before the 1850s", "../185X"),
    ("1850s–1870s", "185X/187X"),
    ("19世紀以降", "18XX/.."),
    # seasons
    ("Spring 1923", "1923-21"),
    ("summer of 1923", "1923-22"),
    ("the autumn of 1923", "1923-23"),
    ("fall 1923", "1923-23"),
    ("winter 1923–24", "1923-24"),
    ("winter 1923/24", "1923-24"),
    ("winter 1923-1924", "1923-24"),
    ("winter 1999–2000", "1999-24"),
    ("1923年春", "1923-21"),
    ("1923年の秋", "1923-23"),
    ("昭和50年夏", "1975-22"),
    ("1923/24年冬", "1923-24"),
    ("about spring 1923", "1923-21~"),
    ("from spring 1923 to autumn 1924", "1923-21/1924-23"),
    # year ranges
    ("1923-1925", "1923/1925"),
    ("1923–1925", "1923/1925"),
    ("1923 – 1925", "1923/1925"),
    ("1923–25", "1923/1925"),
    ("1923 to 1925", "1923/1925"),
    ("1923〜1925年", "1923/1925"),
    ("1923〜25年", "1923/1925"),
    ("1923から1925年まで", "1923/1925"),
    ("１９２３〜１９２５年", "1923/1925"),
    # early, mid, late; halves; 上旬, 中旬, 下旬
    ("early 1923", "1923-01/1923-04"),
    ("mid-1923", "1923-05/1923-08"),
    ("mid 1923", "1923-05/1923-08"),
    ("late 1923", "1923-09/1923-12"),
    ("the first half of 1923", "1923-01/1923-06"),
    ("second half of 1923", "1923-07/1923-12"),
    ("early June 1923", "1923-06-01/1923-06-10"),
    ("mid-June 1923", "1923-06-11/1923-06-20"),
    ("late June 1923", "1923-06-21/1923-06-30"),
    ("late Feb. 2024", "2024-02-21/2024-02-29"),
    ("early 1990s", "1990/1992"),
    ("the mid-1990s", "1993/1996"),
    ("the late 1990s", "1997/1999"),
    ("the first half of the 1990s", "1990/1994"),
    ("the early 19th century", "1800/1832"),
    ("the mid-nineteenth century", "1833/1866"),
    ("the late 19th century", "1867/1899"),
    ("the second half of the 19th century", "1850/1899"),
    ("1923年前半", "1923-01/1923-06"),
    ("1923年の後半", "1923-07/1923-12"),
    ("1923年初め", "1923-01/1923-04"),
    ("1923年半ば", "1923-05/1923-08"),
    ("1923年終わり", "1923-09/1923-12"),
    ("1923年6月上旬", "1923-06-01/1923-06-10"),
    ("1923年6月中旬", "1923-06-11/1923-06-20"),
    ("1923年6月下旬", "1923-06-21/1923-06-30"),
    ("令和5年2月下旬", "2023-02-21/2023-02-28"),
    ("1990年代前半", "1990/1994"),
    ("1990年代後半", "1995/1999"),
    ("1990年代半ば", "1993/1996"),
    ("19世紀前半", "1800/1849"),
    ("19世紀後期", "1867/1899"),
    ("19世紀末", "1867/1899"),
    ("19世紀初頭", "1800/1832"),
    # the spellings a user types beside the (acceptance round)
    ("ca. 1850", "1850~"),
    ("ca 1850", "1850~"),
    ("c. 1850s", "185X~"),
    ("the early 1850s", "1850/1852"),
    ("Mid-1923", "1923-05/1923-08"),
    ("mid 19th century", "1833/1866"),
    ("the 19th c.", "18XX"),
    ("late 19th c.", "1867/1899"),
    ("the 18th cent.", "17XX"),
    ("Spring, 1923", "1923-21"),
    ("mid-June, 1923", "1923-06-11/1923-06-20"),
    ("Autumn of 1923", "1923-23"),
    ("1920s-30s", "192X/193X"),
    ("the 1920s–30s", "192X/193X"),
    ("1920s-1930s", "192X/193X"),
    ("1850s to 1870s", "185X/187X"),
    ("19th–20th century", "18XX/19XX"),
    ("the 19th-20th centuries", "18XX/19XX"),
    ("the 19th and 20th centuries", "18XX/19XX"),
    ("1920〜30年代", "192X/193X"),
    ("19〜20世紀", "18XX/19XX"),
    ("十九世紀", "18XX"),
    ("二十一世紀", "20XX"),
    ("十九世紀末", "1867/1899"),
    ("一八五〇年代", "185X"),
    ("一九二三年六月上旬", "1923-06-01/1923-06-10"),
    ("昭和五十年秋", "1975-23"),
    ("二千年紀", "1XXX"),
    ("19世紀初期", "1800/1832"),
    ("19世紀中葉", "1833/1866"),
    ("19世紀末期", "1867/1899"),
    # dashes a word processor types: hyphens are hyphens, bars are en dashes
    ("1923\u20101925", "1923/1925"),
    ("1923\u20111925", "1923/1925"),
    ("1923\u20121925", "1923/1925"),
    ("1923\u201225", "1923/1925"),
    ("1923\u20151925", "1923/1925"),
    ("winter 1923\u201224", "1923-24"),
    ("1920s\u201230s", "192X/193X"),
    ("\u22120044", "-0044"),
    # ranges that write the shared year (and month) once
    ("June–August 1923", "1923-06/1923-08"),
    ("June-August 1923", "1923-06/1923-08"),
    ("from June to August 1923", "1923-06/1923-08"),
    ("12–15 June 1923", "1923-06-12/1923-06-15"),
    ("June 12–15, 1923", "1923-06-12/1923-06-15"),
    ("12 June–3 July 1923", "1923-06-12/1923-07-03"),
    ("spring–summer 1923", "1923-21/1923-22"),
    ("1923年6月〜8月", "1923-06/1923-08"),
    ("1923年6〜8月", "1923-06/1923-08"),
    ("1923年6月12日〜15日", "1923-06-12/1923-06-15"),
    ("1923年6月12日から7月3日まで", "1923-06-12/1923-07-03"),
    ("1923年春〜夏", "1923-21/1923-22"),
    ("昭和50年6月〜8月", "1975-06/1975-08"),
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
    "2024 BC",
    "2024-25",
    # historians' forms, refused when ambiguous or malformed
    "the 1900s",  # a decade or a century?
    "early 1800s",
    "2000年代",
    "the 60s",  # which century?
    "60年代",
    "winter 1923",  # which winter?
    "1923年冬",
    "spring 1923–24",  # only a winter spans two years
    "winter 1923–25",
    "1923-25",  # 1923-12 is December 1923: a range takes an en dash
    "1925-1923",
    "1923–22",
    "1998–02",
    "19st century",
    "the XIXth century",
    "xix century",
    "the 0th century",
    "the 101st century",
    "0th millennium",
    "about early 1923",  # an interval cannot be qualified
    "1923年6月頃上旬",
    "first half of June 1923",  # a month has no halves here
    "1923年末",  # the end of December, or late 1923?
    "1923年6月前半",
    "1990年代上旬",
    "0850s",
    "明治5年春",  # a lunisolar season
    "from early 1923 to 1925",
    "December–February 1924",  # December 1923 or 1924? the end before the start
    "1923年12月〜2月",
    "winter–spring 1924",  # which winter?
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
@settings(deadline=None, max_examples=300)
def test_edtf_comes_first(d: UncertainDate) -> None:
    assert parse_date(d.to_edtf()) == d


@settings(deadline=None)
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


@settings(deadline=None)
@given(FREE_TEXT_DAYS, st.booleans())
def test_english_months(d: D, short: bool) -> None:
    name = MONTHS[d.month - 1][:3] if short else MONTHS[d.month - 1]
    assert parse_date(f"{name} {d.year:04d}") == month(d)


@settings(deadline=None)
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


@settings(deadline=None)
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


@settings(deadline=None)
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


@settings(deadline=None)
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


# -- historians' forms: the text a day gives, read back around that day ------

ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
    "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth", "twentieth", "twenty-first",
]  # fmt: skip
SEASON_NAMES = {21: ("spring", "春"), 22: ("summer", "夏"), 23: ("autumn", "秋")}
HISTORIANS_DAYS = st.dates(D(1000, 1, 1), D(9998, 12, 31))


def roman(n: int) -> str:
    """Roman numerals, the textbook way."""
    out = ""
    for value, letters in zip(
        [100, 90, 50, 40, 10, 9, 5, 4, 1],
        ["C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"],
        strict=True,
    ):
        while n >= value:
            out, n = out + letters, n - value
    return out


def nth(n: int) -> str:
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


KANJI_DIGITS = "〇一二三四五六七八九"


def kanji_positional(n: int) -> str:
    """1850 as 一八五〇 (as years are written vertically)."""
    return "".join(KANJI_DIGITS[int(c)] for c in str(n))


def kanji_tens(n: int) -> str:
    """19 as 十九, 21 as 二十一, 100 as 百 (1 <= n <= 100)."""
    if n == 100:
        return "百"
    tens, ones = divmod(n, 10)
    out = "" if tens == 0 else ("" if tens == 1 else KANJI_DIGITS[tens]) + "十"
    return out + (KANJI_DIGITS[ones] if ones else "")


def read_around(text: str, d: D) -> UncertainDate:
    """The date of ``text``, which must hold ``d`` and round-trip as EDTF."""
    date = parse_date(text)
    assert date.earliest_day is not None
    assert date.latest_day is not None
    assert date.earliest_day <= d.toordinal() <= date.latest_day, (text, str(date))
    assert parse_edtf(date.to_edtf()) == date
    return date


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.integers(0, 4))
@example(D(1850, 1, 1), 0)
@example(D(1850, 1, 1), 4)  # 一八五〇年代
@example(D(1909, 12, 31), 0)  # the 1900s are refused: not generated
def test_decades(d: D, style: int) -> None:
    decade = d.year - d.year % 10
    if decade % 100 == 0:
        with pytest.raises(InvalidDateError, match="a decade or a century"):
            parse_date(f"the {decade}s")
        return
    text = [
        f"{decade}s",
        f"the {decade}s",
        f"The {decade}'s",
        f"{decade}年代",
        f"{kanji_positional(decade)}年代",
    ][style]
    assert str(read_around(text, d)) == f"{decade // 10}X"


@settings(deadline=None)
@given(st.dates(D(1, 1, 1)), st.integers(0, 6))
@example(D(1, 1, 1), 0)
@example(D(1850, 1, 1), 4)  # 十九世紀
@example(D(2000, 1, 1), 4)  # 二十一世紀
@example(D(9999, 1, 1), 4)  # 百世紀
@example(D(9999, 12, 31), 2)
@example(D(1899, 12, 31), 3)
def test_centuries(d: D, style: int) -> None:
    n = d.year // 100 + 1  # the 19th century: 1800-1899 (18XX)
    texts = [
        f"{nth(n)} century",
        f"the {roman(n)} century",
        f"{n}世紀",
        f"第{n}世紀",
        f"{kanji_tens(n)}世紀",
        f"the {nth(n)} c.",
    ]
    if n <= len(ORDINAL_WORDS):
        texts.append(f"the {ORDINAL_WORDS[n - 1]} century")
    text = texts[style % len(texts)]
    assert str(read_around(text, d)) == f"{n - 1:02d}XX"


@settings(deadline=None)
@given(st.dates(D(1, 1, 1)), st.booleans())
def test_millennia(d: D, japanese: bool) -> None:
    n = d.year // 1000 + 1
    text = f"{n}千年紀" if japanese else f"the {nth(n)} millennium"
    assert str(read_around(text, d)) == f"{n - 1}XXX"


@settings(deadline=None)
@given(st.dates(D(1, 3, 1), D(9999, 11, 30)), st.integers(0, 3))
@example(D(2024, 2, 29), 0)
@example(D(1999, 12, 31), 1)  # winter 1999–2000
@example(D(2000, 1, 1), 2)
@example(D(900, 1, 1), 0)  # winter 0899–0900
def test_seasons(d: D, style: int) -> None:
    """Meteorological seasons: December to February is the winter of the
    December's year."""
    if d.month in (12, 1, 2):
        year = d.year if d.month == 12 else d.year - 1
        after = f"{(year + 1) % 100:02d}" if (year + 1) % 100 else f"{year + 1:04d}"
        texts = [
            f"winter {year:04d}–{after}",
            f"Winter {year:04d}/{year + 1:04d}",
            f"winter of {year:04d}-{year + 1:04d}",
            f"{year:04d}/{after}年冬",
        ]
        code = 24
    else:
        year, code = d.year, 21 + (d.month - 3) // 3
        english, japanese = SEASON_NAMES[code]
        texts = [
            f"{english} {year:04d}",
            f"{english.title()} of {year:04d}",
            f"{year:04d}年{japanese}",
            f"{year:04d}年の{japanese}",
        ]
    assert str(read_around(texts[style], d)) == f"{year:04d}-{code}"


@settings(deadline=None)
@given(st.integers(1000, 9999), st.integers(0, 200), st.data(), st.integers(0, 6))
@example(1998, 4, None, 2)  # 1998–02 would wrap: written in full
@example(1923, 2, None, 2)
def test_year_ranges(
    first: int, length: int, data: st.DataObject | None, style: int
) -> None:
    last = min(first + length, 9999)
    year = first if data is None else data.draw(st.integers(first, last))
    d = D(year, 6, 15)
    texts = [
        f"{first}-{last}",
        f"{first}–{last}",
        f"{first} – {last}",
        f"{first} to {last}",
        f"{first}〜{last}年",
        f"{first}から{last}年まで",
    ]
    if last // 100 == first // 100 and last > first:
        texts.append(f"{first}–{last % 100:02d}")
    text = texts[style % len(texts)]
    assert str(read_around(text, d)) == f"{first}/{last}"
    if last > first:
        with pytest.raises(InvalidDateError, match="not before its start"):
            parse_date(f"{last}-{first}")


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.integers(0, 5), st.integers(1, 9), st.data())
@example(D(1925, 6, 1), 0, 1, None)  # the 1920s-30s
def test_ranges_of_decades(
    d: D, style: int, more: int, data: st.DataObject | None
) -> None:
    """From the decade of ``d`` to one ``more`` decades on, in the same
    century (short forms) or not."""
    first = d.year - d.year % 10
    last = first + 10 * more
    if first % 100 == 0 or last % 100 == 0 or last > 9990:
        return  # the 1900s may be a century: refused (test_ambiguous_forms_say_why)
    short = last // 100 == first // 100
    texts = [
        f"{first}s–{last}s",
        f"the {first}s and {last}s" if more == 1 else f"the {first}s to the {last}s",
        f"{first}年代〜{last}年代",
        f"{first}s-{last % 100:02d}s" if short else f"{first}s-{last}s",
        f"the {first}s–{last % 100:02d}s" if short else f"the {first}s–{last}s",
        f"{first}〜{last % 100:02d}年代" if short else f"{first}〜{last}年代",
    ]
    year = first if data is None else data.draw(st.integers(first, last + 9))
    date = read_around(texts[style], D(year, d.month, d.day))
    assert str(date) == f"{first // 10}X/{last // 10}X"


@settings(deadline=None)
@given(st.integers(1, 99), st.integers(1, 99), st.integers(0, 5), st.integers(0, 99))
@example(19, 1, 0, 0)
@example(20, 1, 5, 99)  # 二十〜二十一世紀
def test_ranges_of_centuries(n: int, more: int, style: int, offset: int) -> None:
    last = min(n + more, 100)
    if last == n:
        return
    texts = [
        f"the {nth(n)}–{nth(last)} century",
        f"{nth(n)}-{nth(last)} centuries",
        f"the {nth(n)} and {nth(last)} centuries"
        if last == n + 1
        else f"the {nth(n)} to the {nth(last)} century",
        f"{n}〜{last}世紀",
        f"{n}世紀〜{last}世紀",
        f"{kanji_tens(n)}〜{kanji_tens(last)}世紀",
    ]
    years = (n - 1) * 100, (last - 1) * 100 + 99
    d = D(max(1, years[0] + offset * (years[1] - years[0]) // 99), 6, 1)
    assert str(read_around(texts[style], d)) == f"{n - 1:02d}XX/{last - 1:02d}XX"


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.integers(0, 11), st.integers(0, 11), st.integers(0, 3))
@example(D(1923, 6, 1), 5, 7, 0)
def test_ranges_of_months_in_one_year(d: D, m1: int, m2: int, style: int) -> None:
    first, last = sorted((m1, m2))
    year = d.year
    texts = [
        f"{MONTHS[first]}–{MONTHS[last]} {year}",
        f"from {MONTHS[first]} to {MONTHS[last]} {year}",
        f"{year}年{first + 1}月〜{last + 1}月",
        f"{year}年{first + 1}〜{last + 1}月",
    ]
    inside = D(year, first + 1 + (d.month - 1) % (last - first + 1), 1)
    date = read_around(texts[style], inside)
    assert str(date) == f"{year}-{first + 1:02d}/{year}-{last + 1:02d}"


# The conventions of docs/dates.md, written out: (first, last) sub-units.
THIRDS_OF_A_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
HALVES_OF_A_YEAR = {"first": (1, 6), "second": (7, 12)}
THIRDS_OF_A_DECADE = {"early": (0, 2), "mid": (3, 6), "late": (7, 9)}
HALVES_OF_A_DECADE = {"first": (0, 4), "second": (5, 9)}
THIRDS_OF_A_CENTURY = {"early": (0, 32), "mid": (33, 66), "late": (67, 99)}
HALVES_OF_A_CENTURY = {"first": (0, 49), "second": (50, 99)}
JA_THIRDS = {"early": "初め", "mid": "半ば", "late": "終わり"}
JA_ERA_THIRDS = {"early": "前期", "mid": "中期", "late": "後期"}
JA_OTHER_THIRDS = {"early": "初期", "mid": "中葉", "late": "末期"}
JA_HALVES = {"first": "前半", "second": "後半"}


def part_of(sub: int, spans: dict[str, tuple[int, int]]) -> tuple[str, int, int]:
    for name, (lo, hi) in spans.items():
        if lo <= sub <= hi:
            return name, lo, hi
    raise AssertionError(sub)


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.integers(0, 3))
@example(D(1923, 4, 30), 0)
@example(D(1923, 5, 1), 0)
@example(D(1923, 6, 30), 2)
@example(D(1923, 7, 1), 3)
def test_parts_of_a_year(d: D, style: int) -> None:
    if style < 2:
        name, lo, hi = part_of(d.month, THIRDS_OF_A_YEAR)
        english = f"mid-{d.year}" if name == "mid" else f"{name} {d.year}"
        text = english if style == 0 else f"{d.year}年{JA_THIRDS[name]}"
    else:
        name, lo, hi = part_of(d.month, HALVES_OF_A_YEAR)
        english = f"the {name} half of {d.year}"
        text = english if style == 2 else f"{d.year}年{JA_HALVES[name]}"
    date = read_around(text, d)
    assert (date.earliest, date.latest) == (
        D(d.year, lo, 1),
        D(d.year, hi, calendar.monthrange(d.year, hi)[1]),
    )


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.booleans())
@example(D(2024, 2, 29), False)
@example(D(2023, 2, 28), True)
@example(D(1923, 6, 10), False)
@example(D(1923, 6, 11), True)
@example(D(1923, 6, 21), False)
def test_parts_of_a_month(d: D, japanese: bool) -> None:
    """上旬, 中旬, 下旬: days 1-10, 11-20, 21 to the end."""
    name, lo, hi = part_of(d.day, {"early": (1, 10), "mid": (11, 20), "late": (21, 31)})
    if japanese:
        word = {"early": "上旬", "mid": "中旬", "late": "下旬"}[name]
        text = f"{d.year}年{d.month}月{word}"
    else:
        text = f"{name}{'-' if name == 'mid' else ' '}{MONTHS[d.month - 1]} {d.year}"
    date = read_around(text, d)
    last = min(hi, calendar.monthrange(d.year, d.month)[1])
    assert (date.earliest, date.latest) == (
        D(d.year, d.month, lo),
        D(d.year, d.month, last),
    )


def check_part_of_years(
    d: D, style: int, size: int, english: str, japanese: str
) -> None:
    """A part of the decade or century (``size`` years) holding ``d``, named
    in ``style``: English, Japanese, Japanese 前期/中期/後期, 初期/中葉/末期
    (thirds); English, Japanese (halves).  ``english`` and ``japanese``
    name the whole."""
    first = d.year - d.year % size
    thirds, halves = {
        10: (THIRDS_OF_A_DECADE, HALVES_OF_A_DECADE),
        100: (THIRDS_OF_A_CENTURY, HALVES_OF_A_CENTURY),
    }[size]
    if style < 4:
        name, lo, hi = part_of(d.year - first, thirds)
        text = [
            f"the {name}{'-' if name == 'mid' else ' '}{english}",
            f"{japanese}{JA_THIRDS[name]}",
            f"{japanese}{JA_ERA_THIRDS[name]}",
            f"{japanese}{JA_OTHER_THIRDS[name]}",
        ][style]
    else:
        name, lo, hi = part_of(d.year - first, halves)
        text = [
            f"the {name} half of the {english}",
            f"{japanese}{JA_HALVES[name]}",
        ][style - 4]
    date = read_around(text, d)
    assert str(date) == f"{first + lo:04d}/{first + hi:04d}"


@settings(deadline=None)
@given(HISTORIANS_DAYS, st.integers(0, 5))
@example(D(1992, 12, 31), 0)
@example(D(1993, 1, 1), 0)
@example(D(1994, 6, 1), 4)
def test_parts_of_a_decade(d: D, style: int) -> None:
    decade = d.year - d.year % 10
    if decade % 100 == 0:
        return  # the 1900s are ambiguous (test_ambiguous_forms_say_why)
    check_part_of_years(d, style, 10, f"{decade}s", f"{decade}年代")


@settings(deadline=None)
@given(st.dates(D(100, 1, 1)), st.integers(0, 5))
@example(D(1832, 12, 31), 0)
@example(D(1833, 1, 1), 1)
@example(D(1867, 1, 1), 2)
@example(D(1899, 12, 31), 3)
@example(D(1850, 1, 1), 4)
def test_parts_of_a_century(d: D, style: int) -> None:
    n = d.year // 100 + 1
    check_part_of_years(d, style, 100, f"{nth(n)} century", f"{n}世紀")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the 1900s", "190X or 1900–1909 for the decade, 19XX or the 20th century"),
        ("1800年代", "180X or 1800–1809 for the decade"),
        ("late 1900s", "a decade or a century"),
        ("the '60s", "a decade written with its four digits"),
        ("winter 1923", "winter 1923–24 or 1923/24年冬"),
        ("1923年の冬", "the two years a winter spans"),
        ("1923-25", "1923–25 (an en dash) or 1923-1925"),
        ("1925-1923", "not before its start"),
        ("1998–02", "a two-digit end after the start"),
        # acceptance round: every refusal says why
        ("1923年末", "1923年12月下旬"),
        ("1923年前期", "前半 or 後半"),
        ("1923年6月前半", "上旬, 中旬 or 下旬"),
        ("1990年代上旬", "parts of a month"),
        ("first half of June 1923", "early, mid- or late June 1923"),
        ("about early 1923", "EDTF cannot qualify an interval"),
        ("early 1923?", "1923-01?/1923-04?"),
        ("1850年代前半頃", "1850~/1854~"),
        ("from early 1923 to 1925", "one end of another"),
        (
            "before the late 19th century",
            "'the late 19th century' is the interval 1867/1899",
        ),
        ("44 BC", "-0043"),
        ("紀元前5世紀", "astronomical"),
        ("1923/24", "winter 1923/24"),
        ("the end of 1923", "late 1923"),
        ("the turn of the century", "early, mid- or late"),
        ("xix century", "XIX century"),
        ("the XIXth century", "XIX century"),
        ("the 101st century", "from the 1st to the 100th"),
        ("the 1850s and 1870s", "the 1850s–1870s"),
        ("the 19th and 21st centuries", "the 19th–21st century"),
        ("昭和初期", "a part of an era"),
        ("明治末期", "1868〜1912年"),
        ("the sixties", "a decade written with its four digits"),
        ("1923\u201125", "1923–25 (an en dash)"),
        ("December–February 1924", "'December 1924' is after 'February 1924'"),
        ("850s", "085X"),
        ("the early 1850s?", "'the early 1850s' is the interval 1850/1852"),
        ("the 0850s", "085X"),
        ("明治5年春", "明治6年"),
        ("明治5年12月", "明治6年"),
        ("平成32年", "平成"),
    ],
)
def test_ambiguous_forms_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidDateError) as raised:
        parse_date(text)
    assert reason in str(raised.value)
    assert str(raised.value).startswith(f"invalid date {text!r}: expected ")


# -- fuzzing --------------------------------------------------------------

WORDS = st.sampled_from(
    [
        *"0123456789 -/.,:?~",
        *["June", "Jun", "19", "2024", "0900", "31", "about", "before", "after"],
        *["between", " and ", "from", " to ", "Monday", "T10:00", "Z", "EST"],
        *["年", "月", "日", "令和", "平成", "元", "頃", "から", "まで", "〜", "以前"],
        *["２", "０", "－", "ー", "..", "X", "%", "BC", "st", "of", "the"],
        *["1850", "s", "'s", "century", "th", "XIX", "millennium", "spring"],
        *["winter", "early", "mid", "late", "half", "first", "年代", "世紀"],
        *["千年紀", "春", "冬", "前半", "初め", "末", "上旬", "下旬", "–", "〜"],
        *["unknown", "不明", "1900", "24", "1923", "2nd"],
        *["十", "九", "一", "〇", "千", "百", "二", "s–", "centuries", "c.", "末期"],
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
@settings(deadline=None, max_examples=300)
def test_fuzz_any_text(text: str) -> None:
    check_parse(text)


@given(st.lists(WORDS, max_size=10).map("".join))
@settings(deadline=None, max_examples=1000)
@example("0A1AA")  # dateutil's UnknownTimezoneWarning used to escape
@example("2Monday 2024")  # dateutil picked "the next Monday"
@example("2 7 122")  # an ambiguous month and day
def test_fuzz_date_like_text(text: str) -> None:
    check_parse(text)


def test_full_width_and_compatibility_forms_are_normalized() -> None:
    text = "２０２４年６月"
    assert unicodedata.normalize("NFKC", text) == "2024年6月"
    assert parse_date(text) == parse_date("2024年6月")
