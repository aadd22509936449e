"""docs/dates.md's tables say what the code does: each table is read here
and every row checked against parse_date and describe."""

from __future__ import annotations

import calendar
import datetime
import re
from pathlib import Path

import pytest

from timeline import InvalidDateError, parse_date, parse_edtf

DOC = (Path(__file__).resolve().parent.parent / "docs" / "dates.md").read_text(
    encoding="utf-8"
)
D = datetime.date
# The words of the generic refusal: a refusal that says why has others.
GENERIC = "EDTF (2024-06-19"


def table_after(heading: str) -> list[list[str]]:
    """The cells of the first table after ``heading``, header row left out."""
    start = DOC.index(heading)
    rows = []
    for line in DOC[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    assert len(rows) > 2, heading
    assert set(rows[1][0]) <= set("-:"), rows[1]  # the separator row
    return rows[2:]


def quoted(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_table_of_historians_forms() -> None:
    """Every text of the "written" column reads as one of the EDTF column's
    dates, and the days column gives the bounds of the first one."""
    rows = table_after("## Dates as historians write them")
    for written, edtf, _days in rows:
        expected = quoted(edtf)
        assert expected, edtf
        for text in quoted(written):
            assert str(parse_date(text)) in expected, (text, expected)


def bounds(text: str) -> tuple[D, D]:
    date = parse_date(text)
    return date.earliest, date.latest


# The English words of each row of the parts table, applied to a year, a
# month, a decade and a century.
PHRASES = {
    "early": ("early {}", "the early {}"),
    "mid": ("mid-{}", "the mid-{}"),
    "late": ("late {}", "the late {}"),
    "first half": ("the first half of {}", "the first half of the {}"),
    "second half": ("the second half of {}", "the second half of the {}"),
}


def span(cell: str) -> tuple[int, int | None] | None:
    """(first, last) of "1–4 (...)", "21 to the end (下旬)"; None for "—"."""
    match = re.match(r"(\d+)(?:–(\d+)| to the end)", cell)
    if match is None:
        assert cell == "—", cell
        return None
    return int(match[1]), None if match[2] is None else int(match[2])


def test_the_table_of_parts() -> None:
    rows = table_after("### Early, mid, late; halves")
    assert len(rows) == len(PHRASES)
    for name, year, month, decade, century in rows:
        english, japanese = (word.strip() for word in name.split(","))
        alone, of_the = PHRASES[english]
        months = span(year)
        assert months is not None
        assert months[1] is not None
        assert bounds(alone.format("1923")) == (
            D(1923, months[0], 1),
            D(1923, months[1], calendar.monthrange(1923, months[1])[1]),
        )
        assert bounds(f"1923年{japanese}") == bounds(alone.format("1923"))
        for example in quoted(year):
            assert str(parse_date(alone.format("1923"))) == example
        days = span(month)
        if days is not None:
            last = days[1] if days[1] is not None else 28  # February 2023
            assert bounds(alone.format("February 2023")) == (
                D(2023, 2, days[0]),
                D(2023, 2, last),
            )
        for cell, whole, first in (
            (decade, "1990s", 1990),
            (century, "19th century", 1800),
        ):
            years = span(cell)
            assert years is not None
            assert years[1] is not None
            assert bounds(of_the.format(whole)) == (
                D(first + years[0], 1, 1),
                D(first + years[1], 12, 31),
            )
            for example in quoted(cell):
                assert str(parse_date(of_the.format(whole))) == example


def test_every_ambiguous_form_of_the_table_is_refused_saying_why() -> None:
    rows = table_after("### Refused, saying why")
    texts = [text for text, _why in rows for text in quoted(text)]
    assert len(texts) >= 10
    for text in texts:
        with pytest.raises(InvalidDateError) as raised:
            parse_date(text)
        message = str(raised.value)
        assert message.startswith(f"invalid date {text!r}: expected "), message
        assert GENERIC not in message, message


def test_the_table_of_describe() -> None:
    """Rows whose cells list as many words as dates: each date in words."""
    rows = table_after("## Dates in words: `describe`")
    checked = 0
    for dates, english, japanese in rows:
        edtf = quoted(dates)
        en = [w.strip() for w in english.split(", ")]
        ja = [w.strip() for w in japanese.split(", ")]
        if "(" in english or english.startswith("in EDTF") or len(en) != len(edtf):
            continue
        for text, words_en, words_ja in zip(edtf, en, ja, strict=True):
            date = parse_edtf(text)
            assert (date.describe("en"), date.describe("ja")) == (words_en, words_ja)
            checked += 1
    assert checked >= 20
