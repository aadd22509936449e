"""UncertainDate.describe: dates in words that parse_date reads back."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from timeline import Point, UncertainDate, parse_date, parse_edtf
from timeline._dates.phrases import Part, Unit, find_part, part_interval
from timeline.strategies import uncertain_dates

D = datetime.date
LANGS = st.sampled_from(["en", "ja"])


def says_everything(d: UncertainDate) -> bool:
    """Whether words can say all that was written: no XX parts, no time of
    day, and not the 1900s decade (said as 1900–1909, an interval)."""
    for p in (d.start, d.end):
        if not isinstance(p, Point):
            continue
        if p.month_unspecified or p.day_unspecified or p.time is not None:
            return False
        if p.unspecified_year_digits == 1 and p.year % 100 == 0:
            return False
    return True


@given(uncertain_dates(None, None), LANGS)
@settings(deadline=None, max_examples=500)
@example(parse_edtf("9999-24"), "en")  # winter 9999 ends in 10000
@example(parse_edtf("0099-24"), "ja")  # winter 0099–0100
@example(parse_edtf("190X"), "en")  # the 1900s may be a century
@example(parse_edtf("190X~/2000"), "ja")
@example(parse_edtf("-01XX/-0044-03-15"), "en")
@example(parse_edtf("Y-170000002~/0050"), "ja")
@example(parse_edtf("0050-06-19"), "en")  # dateutil reads 0050 as 2050
@example(parse_edtf("1985-04-12T23:20:30+04:00"), "ja")
@example(parse_edtf("2000~/2000"), "ja")  # 2000年頃〜2000年: "~" is not the separator
def test_describe_reads_back_to_the_same_bounds(d: UncertainDate, lang: str) -> None:
    text = d.describe(lang)  # type: ignore[arg-type]
    again = parse_date(text)
    assert (again.earliest_day, again.latest_day) == (d.earliest_day, d.latest_day), (
        text
    )
    if says_everything(d):
        assert again == d, (text, str(again))


@given(uncertain_dates(D(1000, 1, 1), D(9998, 12, 31)), LANGS)
@settings(deadline=None, max_examples=300)
def test_describe_reads_back_in_the_years_of_history(
    d: UncertainDate, lang: str
) -> None:
    again = parse_date(d.describe(lang))  # type: ignore[arg-type]
    assert (again.earliest_day, again.latest_day) == (d.earliest_day, d.latest_day)
    if says_everything(d):
        assert again == d


DESCRIBED = [
    # (EDTF, English, Japanese)
    ("2024-06-19", "19 June 2024", "2024年6月19日"),
    ("2024-06", "June 2024", "2024年6月"),
    ("2024-06-XX", "June 2024", "2024年6月"),
    ("2024", "2024", "2024年"),
    ("1850~", "about 1850", "1850年頃"),
    ("1850?", "1850?", "1850年?"),
    ("1850%", "about 1850?", "1850年頃?"),
    ("0900-06", "June 0900", "0900年6月"),
    ("1923-21", "spring 1923", "1923年春"),
    ("1923-23", "autumn 1923", "1923年秋"),
    ("1923-24", "winter 1923–24", "1923/24年冬"),
    ("1999-24", "winter 1999–2000", "1999/2000年冬"),
    ("185X", "the 1850s", "1850年代"),
    ("185X~", "about the 1850s", "1850年代頃"),
    ("190X", "1900–1909", "1900〜1909年"),
    ("18XX", "the 19th century", "19世紀"),
    ("20XX", "the 21st century", "21世紀"),
    ("1XXX", "the 2nd millennium", "2千年紀"),
    ("../2025-07-14", "before 14 July 2025", "2025年7月14日以前"),
    ("2024-06/..", "after June 2024", "2024年6月以降"),
    ("/1985", "from an unknown date to 1985", "不明〜1985年"),
    ("1985-04-12/", "from 12 April 1985 to an unknown date", "1985年4月12日〜不明"),
    ("1923/1925", "1923–1925", "1923〜1925年"),
    ("1923-06/1924-08", "from June 1923 to August 1924", "1923年6月〜1924年8月"),
    ("1850~/186X", "from about 1850 to the 1860s", "1850年頃〜1860年代"),
    ("1923-01/1923-04", "early 1923", "1923年初め"),
    ("1923-05/1923-08", "mid-1923", "1923年半ば"),
    ("1923-09/1923-12", "late 1923", "1923年終わり"),
    ("1923-07/1923-12", "the second half of 1923", "1923年後半"),
    ("1923-06-01/1923-06-10", "early June 1923", "1923年6月上旬"),
    ("2024-02-21/2024-02-29", "late February 2024", "2024年2月下旬"),
    ("1990/1992", "the early 1990s", "1990年代初め"),
    ("1993/1996", "the mid-1990s", "1990年代半ば"),
    ("1990/1994", "the first half of the 1990s", "1990年代前半"),
    ("1867/1899", "the late 19th century", "19世紀終わり"),
    ("1850/1899", "the second half of the 19th century", "19世紀後半"),
    ("-0044-03-15", "-0044-03-15", "-0044-03-15"),
    ("Y170000002~", "Y170000002~", "Y170000002~"),
    ("-01XX", "-01XX", "-01XX"),
    ("1985-04-12T23:20:30Z", "12 April 1985", "1985年4月12日"),
]


@pytest.mark.parametrize(("edtf", "english", "japanese"), DESCRIBED)
def test_describe(edtf: str, english: str, japanese: str) -> None:
    d = parse_edtf(edtf)
    assert d.describe() == english
    assert d.describe("en") == english
    assert d.describe("ja") == japanese


@pytest.mark.parametrize(("edtf", "english", "japanese"), DESCRIBED)
def test_the_words_read_back(edtf: str, english: str, japanese: str) -> None:
    d = parse_edtf(edtf)
    for text in (english, japanese):
        again = parse_date(text)
        assert (again.earliest_day, again.latest_day) == (d.earliest_day, d.latest_day)


def test_an_interval_typed_as_a_part_is_said_as_the_part() -> None:
    """describe() keeps no field beside the EDTF (the log stores dates as
    EDTF): the same days, written as the convention writes a part, are that
    part in words; any other shape is not."""
    assert parse_date("between January 1923 and April 1923").describe() == "early 1923"
    assert parse_edtf("1923-01-01/1923-04-30").describe() == (
        "from 1 January 1923 to 30 April 1923"
    )
    assert parse_edtf("1923-01~/1923-04").describe() == (
        "from about January 1923 to April 1923"
    )


@pytest.mark.parametrize("lang", ["de", "", None, "EN"])
def test_describe_refuses_other_languages(lang: object) -> None:
    with pytest.raises(ValueError, match="expected 'en' or 'ja'"):
        parse_edtf("2024").describe(lang)  # type: ignore[arg-type]


# Every part parse_date reads (early/mid/late, halves, 上旬/中旬/下旬 of a
# year, month, decade or century): uncertain_dates draws intervals at random
# and almost never one of these exact shapes, so they are drawn here.
@st.composite
def parts(draw: st.DrawFn) -> UncertainDate:
    unit = draw(st.sampled_from(list(Unit)))
    choices = [p for p in Part if unit is not Unit.MONTH or p in THIRDS]
    part = draw(st.sampled_from(choices))
    if unit is Unit.CENTURY:
        year = 100 * draw(st.integers(1, 99))
    elif unit is Unit.DECADE:
        year = draw(st.integers(101, 999).filter(lambda n: n % 10)) * 10
    else:
        year = draw(st.integers(100, 9999))
    month = draw(st.integers(1, 12)) if unit is Unit.MONTH else None
    return part_interval(unit, part, year, month)


THIRDS = (Part.EARLY, Part.MID, Part.LATE)


@given(parts(), LANGS)
@settings(deadline=None)
@example(parse_edtf("1923-01/1923-04"), "en")
@example(parse_edtf("2024-02-21/2024-02-29"), "ja")
@example(parse_edtf("9967/9999"), "en")  # the late 100th century
@example(parse_edtf("0100/0132"), "ja")  # 2世紀初め
def test_every_part_is_said_as_a_part_and_read_back(
    d: UncertainDate, lang: str
) -> None:
    text = d.describe(lang)  # type: ignore[arg-type]
    assert text[:1] not in "0123456789" or "年" in text or "世紀" in text, text
    assert find_part(d) is not None, str(d)
    assert parse_date(text) == d, (text, str(parse_date(text)))
