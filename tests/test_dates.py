"""UncertainDate and its day numbers: bounds, relations, fuzzy bounds.

The oracles here are independent of the code under test: day numbers come
from :meth:`datetime.date.toordinal` and the 400-year Gregorian cycle, and
three-valued answers are checked by enumerating the possible days.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import math
from collections.abc import Callable
from random import Random

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import timeline
from timeline import (
    AllenRelation,
    DateRangeError,
    End,
    Fuzz,
    InvalidDateError,
    Point,
    Precision,
    Qualifier,
    TimelineError,
    Truth,
    UncertainDate,
    _dates,
    day_number,
    from_day_number,
    parse_edtf,
)
from timeline._dates import allen as _allen
from timeline.strategies import uncertain_dates

D = datetime.date
CYCLE_DAYS = 146097  # days in 400 Gregorian years
FIRST_ORDINAL = D.min.toordinal()
LAST_ORDINAL = D.max.toordinal()
EVERY_YEAR = uncertain_dates(None, None)
# Small ranges, for enumerating every possible day (or pair of days).
NEAR_2000 = uncertain_dates(D(1999, 12, 1), D(2001, 2, 28))
TWO_MONTHS = uncertain_dates(D(2000, 1, 1), D(2000, 2, 29))
RANK = {Truth.NO: 0, Truth.MAYBE: 1, Truth.YES: 2}


def ordinal(year: int, month: int = 1, day: int = 1) -> int:
    """The proleptic Gregorian day number of any year, from datetime alone."""
    base = 2000 + year % 400
    return D(base, month, day).toordinal() + (year - base) // 400 * CYCLE_DAYS


def month_length(year: int, month: int) -> int:
    return calendar.monthrange(2000 + year % 400, month)[1]


def expected_bounds(point: Point) -> tuple[int, int]:
    """A written date's first and last day, from the EDTF definitions."""
    y, m, k = point.year, point.month, point.unspecified_year_digits
    if k:
        return ordinal(y), ordinal(y + 10**k - 1, 12, 31)
    if m is None or point.month_unspecified:
        return ordinal(y), ordinal(y, 12, 31)
    if m > 12:  # meteorological seasons; winter ends in February
        first, last = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}[m]
        last_year, last = (y + 1, last - 12) if last > 12 else (y, last)
        return ordinal(y, first), ordinal(
            last_year, last, month_length(last_year, last)
        )
    if point.day is None:
        return ordinal(y, m), ordinal(y, m, month_length(y, m))
    return ordinal(y, m, point.day), ordinal(y, m, point.day)


def possible_days(d: UncertainDate, window: tuple[int, int]) -> range:
    """The days ``d`` may be, an open or unknown end cut at the window's edge.

    Order relations between sets of days depend only on how they interleave,
    so cutting an unbounded side one day beyond every finite bound in play
    does not change any answer.
    """
    lo = window[0] if d.earliest_day is None else d.earliest_day
    hi = window[1] if d.latest_day is None else d.latest_day
    return range(lo, hi + 1)


def window_of(*dates: UncertainDate | int) -> tuple[int, int]:
    bounds: list[int] = []
    for d in dates:
        if isinstance(d, int):
            bounds.append(d)
        else:
            bounds += [b for b in (d.earliest_day, d.latest_day) if b is not None]
    return min(bounds) - 1, max(bounds) + 1


def truth_of(holds: list[bool]) -> Truth:
    if all(holds):
        return Truth.YES
    return Truth.NO if not any(holds) else Truth.MAYBE


# -- day numbers ------------------------------------------------------------


@given(st.dates())
@example(D.min)
@example(D.max)
@example(D(2000, 2, 29))
def test_day_number_is_the_ordinal_of_datetime(day: D) -> None:
    assert day_number(day.year, day.month, day.day) == day.toordinal()
    assert from_day_number(day.toordinal()) == day


@given(st.integers(-(10**15), 10**15), st.integers(1, 12), st.data())
@example(0, 2, None)  # year 0 is a leap year (1 BCE)
@example(-1, 12, None)
@example(-100, 2, None)  # not a leap year
def test_day_numbers_continue_the_calendar_to_every_year(
    year: int, month: int, data: st.DataObject | None
) -> None:
    length = month_length(year, month)
    day = length if data is None else data.draw(st.integers(1, length))
    number = day_number(year, month, day)
    assert number == ordinal(year, month, day)
    assert day_number(year + 400, month, day) == number + CYCLE_DAYS
    # Consecutive: the day after a month's last is the next month's first.
    if day == length:
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        assert day_number(next_year, next_month) == number + 1


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (1, 1, 1, 1),
        (0, 12, 31, 0),
        (0, 1, 1, -365),  # year 0 is a leap year: 366 days
        (-1, 12, 31, -366),
        (-1, 1, 1, -730),  # year -1 is not
        (9999, 12, 31, 3652059),
    ],
)
def test_day_numbers_around_year_zero(
    year: int, month: int, day: int, expected: int
) -> None:
    assert day_number(year, month, day) == expected


@pytest.mark.parametrize("number", [0, -1, LAST_ORDINAL + 1, -(10**12)])
def test_from_day_number_refuses_days_datetime_cannot_hold(number: int) -> None:
    with pytest.raises(DateRangeError, match=str(number)) as raised:
        from_day_number(number)
    assert isinstance(raised.value, OverflowError)
    assert isinstance(raised.value, TimelineError)


# -- bounds -----------------------------------------------------------------


@given(EVERY_YEAR)
@settings(max_examples=300)
@example(parse_edtf("Y-999999999999999/Y999999999999999"))
@example(parse_edtf("9999-24"))  # winter 9999 ends in 10000
@example(parse_edtf("0000-02-29"))
def test_bounds_are_those_of_the_written_ends(d: UncertainDate) -> None:
    start = expected_bounds(d.start)[0] if isinstance(d.start, Point) else None
    end = expected_bounds(d.end)[1] if isinstance(d.end, Point) else None
    assert (d.earliest_day, d.latest_day) == (start, end)
    if start is not None and end is not None:
        assert start <= end
    assert d.is_exact_day == (start is not None and start == end)


@given(EVERY_YEAR)
@example(parse_edtf("0001-01-01"))
@example(parse_edtf("0000-12-31"))
@example(parse_edtf("9999-12-31"))
@example(parse_edtf("9999-24"))
def test_dates_agree_with_day_numbers_and_refuse_other_years(
    d: UncertainDate,
) -> None:
    for number, bound in ((d.earliest_day, "earliest"), (d.latest_day, "latest")):
        if number is None:
            assert getattr(d, bound) is None
        elif FIRST_ORDINAL <= number <= LAST_ORDINAL:
            assert getattr(d, bound) == D.fromordinal(number)
        else:
            with pytest.raises(DateRangeError):
                getattr(d, bound)


def test_an_interval_takes_its_bounds_from_its_ends() -> None:
    d = UncertainDate.between(
        UncertainDate.from_ymd(2004, 2, 1), UncertainDate.from_ymd(2005)
    )
    assert (d.earliest, d.latest) == (D(2004, 2, 1), D(2005, 12, 31))
    assert d.precision is Precision.YEAR  # the coarsest end
    assert str(d) == "2004-02-01/2005"
    half_open = UncertainDate.between(End.UNKNOWN, UncertainDate.from_ymd(1985))
    assert (half_open.earliest, half_open.latest) == (None, D(1985, 12, 31))


@pytest.mark.parametrize(
    ("text", "precision", "qualifier"),
    [
        ("1985-04-12", Precision.DAY, Qualifier.NONE),
        ("1985-04-12T23:20:30Z", Precision.DAY, Qualifier.NONE),
        ("1985-04-XX", Precision.MONTH, Qualifier.NONE),
        ("1985-04~", Precision.MONTH, Qualifier.APPROXIMATE),
        ("2001-24?", Precision.SEASON, Qualifier.UNCERTAIN),
        ("1985-XX-XX", Precision.YEAR, Qualifier.NONE),
        ("Y-170000002%", Precision.YEAR, Qualifier.UNCERTAIN_APPROXIMATE),
        ("201X", Precision.DECADE, Qualifier.NONE),
        ("19XX", Precision.CENTURY, Qualifier.NONE),
        ("1XXX", Precision.MILLENNIUM, Qualifier.NONE),
        ("1985-04-12?/2004", Precision.YEAR, Qualifier.UNCERTAIN),
        ("../1985-04~", Precision.MONTH, Qualifier.APPROXIMATE),
    ],
)
def test_precision_and_qualifier(
    text: str, precision: Precision, qualifier: Qualifier
) -> None:
    d = parse_edtf(text)
    assert (d.precision, d.qualifier) == (precision, qualifier)


# -- three-valued relations ---------------------------------------------------


@given(NEAR_2000, st.dates(D(1999, 11, 1), D(2001, 3, 31)))
@settings(max_examples=300)
@example(parse_edtf("2000"), D(2000, 1, 1))
@example(parse_edtf("2000"), D(2000, 12, 31))
@example(parse_edtf("2000-02-29"), D(2000, 2, 29))
@example(parse_edtf("../2000-03"), D(2000, 3, 31))
@example(parse_edtf("2000-03/"), D(2000, 3, 1))
def test_relations_with_a_day_hold_for_all_some_or_none_of_the_days(
    d: UncertainDate, day: D
) -> None:
    q = day.toordinal()
    days = possible_days(d, window_of(d, q))
    assert d.before(day) is truth_of([x < q for x in days])
    assert d.on_or_before(day) is truth_of([x <= q for x in days])
    assert d.after(day) is truth_of([x > q for x in days])
    assert d.on_or_after(day) is truth_of([x >= q for x in days])
    # A datetime.date and the UncertainDate of that exact day are one query.
    exact = UncertainDate.from_date(day)
    for relation in ("before", "on_or_before", "after", "on_or_after"):
        assert getattr(d, relation)(exact) is getattr(d, relation)(day)


@given(TWO_MONTHS, TWO_MONTHS)
@settings(max_examples=200)
@example(parse_edtf("2000-01"), parse_edtf("2000-01-31"))
@example(parse_edtf("2000-01-31"), parse_edtf("2000-01-31"))
@example(parse_edtf("../2000-01-05"), parse_edtf("2000-01-05/.."))
@example(parse_edtf("2000-01/"), parse_edtf("/2000-02"))
def test_relations_between_dates_hold_for_all_some_or_no_pairs_of_days(
    a: UncertainDate, b: UncertainDate
) -> None:
    window = window_of(a, b)
    pairs = list(itertools.product(possible_days(a, window), possible_days(b, window)))
    assert a.before(b) is truth_of([x < y for x, y in pairs])
    assert a.on_or_before(b) is truth_of([x <= y for x, y in pairs])
    assert a.after(b) is truth_of([x > y for x, y in pairs])
    assert a.on_or_after(b) is truth_of([x >= y for x, y in pairs])


@given(uncertain_dates(day_number(-9998), day_number(9998, 12, 31)), st.data())
@settings(max_examples=200)
@example(parse_edtf("2000-06"), None)
@example(parse_edtf("../2000-06-15"), None)
def test_answers_move_one_way_as_the_query_day_grows(
    d: UncertainDate, data: st.DataObject | None
) -> None:
    """Sweeping the query day past a date: NO -> MAYBE -> YES for "on or before",
    and the reverse for "after", never back."""
    finite = [b for b in (d.earliest_day, d.latest_day) if b is not None]
    anchor = finite[-1] if data is None else data.draw(st.sampled_from(finite))
    queries = [_exact_day(n) for n in range(anchor - 3, anchor + 4)]
    for relation in ("before", "on_or_before"):
        ranks = [RANK[getattr(d, relation)(q)] for q in queries]
        assert ranks == sorted(ranks), (relation, ranks)
    for relation in ("after", "on_or_after"):
        ranks = [RANK[getattr(d, relation)(q)] for q in queries]
        assert ranks == sorted(ranks, reverse=True), (relation, ranks)
    assert len({RANK[d.on_or_before(q)] for q in queries}) >= 2


@given(uncertain_dates(), st.dates(), st.dates())
def test_answers_are_monotonic_in_datetime_queries(
    d: UncertainDate, q1: D, q2: D
) -> None:
    early, late = sorted((q1, q2))
    assert RANK[d.on_or_before(early)] <= RANK[d.on_or_before(late)]
    assert RANK[d.before(early)] <= RANK[d.before(late)]
    assert RANK[d.after(early)] >= RANK[d.after(late)]
    assert RANK[d.on_or_after(early)] >= RANK[d.on_or_after(late)]


def _exact_day(number: int) -> UncertainDate:
    """The UncertainDate of one day number, counted in 400-year cycles."""
    cycles, rest = divmod(number - ordinal(2000), CYCLE_DAYS)
    day = D.fromordinal(ordinal(2000) + rest)
    return UncertainDate.from_ymd(day.year + 400 * cycles, day.month, day.day)


@given(st.dates(D(1, 1, 1), D(9999, 12, 31)), st.dates(D(1, 1, 1), D(9999, 12, 31)))
def test_exact_days_answer_yes_or_no_like_date_comparison(q1: D, q2: D) -> None:
    d = UncertainDate.from_date(q1)
    assert d.before(q2) is (Truth.YES if q1 < q2 else Truth.NO)
    assert d.on_or_before(q2) is (Truth.YES if q1 <= q2 else Truth.NO)
    assert d.after(q2) is (Truth.YES if q1 > q2 else Truth.NO)
    assert d.on_or_after(q2) is (Truth.YES if q1 >= q2 else Truth.NO)


def test_relations_of_the_readme() -> None:
    june = parse_edtf("2024-06")
    assert june.on_or_before(D(2024, 6, 15)) is Truth.MAYBE
    assert june.on_or_before(D(2024, 6, 30)) is Truth.YES
    assert june.before(D(2024, 6, 30)) is Truth.MAYBE
    assert june.before(D(2024, 7, 1)) is Truth.YES
    assert june.after(D(2024, 5, 31)) is Truth.YES
    assert june.on_or_after(D(2024, 7, 1)) is Truth.NO
    assert parse_edtf("2025").before(parse_edtf("2025-03-01")) is Truth.MAYBE
    assert parse_edtf("-0044-03-15").before(D(1, 1, 1)) is Truth.YES
    # An open end never makes a relation certain on that side.
    assert parse_edtf("../1985").before(D(1, 1, 1)) is Truth.MAYBE
    assert parse_edtf("../1985").after(D(1985, 12, 31)) is Truth.NO
    assert parse_edtf("1985/").on_or_after(D(1985, 1, 1)) is Truth.YES


def test_the_widest_years_still_compare_with_open_ends() -> None:
    """Day numbers of the longest years stay inside the open-end sentinels."""
    deep = parse_edtf("Y-999999999999999")
    assert deep.before(parse_edtf("../1985")) is Truth.MAYBE
    assert deep.before(parse_edtf("1985/..")) is Truth.YES
    far = parse_edtf("Y999999999999999")
    assert far.after(parse_edtf("1985/..")) is Truth.MAYBE
    # The open start may be any day before 1985, earlier than the deep year
    # or not.
    assert parse_edtf("../1985").contains(deep) is Truth.MAYBE
    assert parse_edtf("../1985").interval_after(deep) is Truth.MAYBE
    assert deep.interval_before(parse_edtf("1985/..")) is Truth.YES


@pytest.mark.parametrize("truth", list(Truth))
def test_a_truth_is_not_a_bool(truth: Truth) -> None:
    with pytest.raises(TypeError, match="three-valued"):
        bool(truth)
    with pytest.raises(TypeError):
        _ = "yes" if truth else "no"
    assert ~~truth is truth
    assert (~truth is truth) == (truth is Truth.MAYBE)


def test_relations_refuse_what_is_not_a_day() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date or an UncertainDate"):
        parse_edtf("2024").before("2025")  # type: ignore[arg-type]


# -- overlap, containment and Allen's relations ------------------------------

# Allen's relations on real intervals [a1, a2) and [b1, b2), written from the
# 1983 paper; a run of days [s, e] is the interval [s, e + 1).
ALLEN: dict[AllenRelation, Callable[[int, int, int, int], bool]] = {
    AllenRelation.BEFORE: lambda a1, a2, b1, b2: a2 < b1,
    AllenRelation.MEETS: lambda a1, a2, b1, b2: a2 == b1,
    AllenRelation.OVERLAPS: lambda a1, a2, b1, b2: a1 < b1 < a2 < b2,
    AllenRelation.STARTS: lambda a1, a2, b1, b2: a1 == b1 and a2 < b2,
    AllenRelation.DURING: lambda a1, a2, b1, b2: b1 < a1 and a2 < b2,
    AllenRelation.FINISHES: lambda a1, a2, b1, b2: b1 < a1 and a2 == b2,
    AllenRelation.EQUALS: lambda a1, a2, b1, b2: a1 == b1 and a2 == b2,
}
INVERSES = {
    AllenRelation.AFTER: AllenRelation.BEFORE,
    AllenRelation.MET_BY: AllenRelation.MEETS,
    AllenRelation.OVERLAPPED_BY: AllenRelation.OVERLAPS,
    AllenRelation.STARTED_BY: AllenRelation.STARTS,
    AllenRelation.CONTAINS: AllenRelation.DURING,
    AllenRelation.FINISHED_BY: AllenRelation.FINISHES,
}
# The relations in which two periods share a day, and those in which the
# first includes the second.
SHARING = set(AllenRelation) - {
    AllenRelation.BEFORE,
    AllenRelation.MEETS,
    AllenRelation.MET_BY,
    AllenRelation.AFTER,
}
INCLUDING = {
    AllenRelation.EQUALS,
    AllenRelation.CONTAINS,
    AllenRelation.STARTED_BY,
    AllenRelation.FINISHED_BY,
}


def allen_holds(relation: AllenRelation, s1: int, e1: int, s2: int, e2: int) -> bool:
    if relation in INVERSES:
        return ALLEN[INVERSES[relation]](s2, e2 + 1, s1, e1 + 1)
    return ALLEN[relation](s1, e1 + 1, s2, e2 + 1)


@st.composite
def boxes(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """Where a period of days 0-9 may start and end (a start may be after
    some possible ends, as in 2004-06/2004)."""
    s_lo, s_hi = sorted(draw(st.lists(st.integers(0, 9), min_size=2, max_size=2)))
    e_lo, e_hi = sorted(draw(st.lists(st.integers(s_lo, 9), min_size=2, max_size=2)))
    return s_lo, s_hi, e_lo, e_hi


def periods(box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    s_lo, s_hi, e_lo, e_hi = box
    return [
        (s, e) for s in range(s_lo, s_hi + 1) for e in range(e_lo, e_hi + 1) if s <= e
    ]


@given(boxes(), boxes())
@settings(deadline=None, max_examples=500)
@example((0, 0, 0, 0), (1, 1, 1, 1))  # single days that meet
@example((0, 0, 2, 2), (2, 2, 4, 4))  # one shared day
@example((0, 3, 0, 3), (0, 3, 0, 3))  # everything is possible
@example((0, 4, 4, 4), (4, 4, 4, 9))  # a start bounded only by its end
def test_relations_of_boxes_hold_for_all_some_or_no_pairs_of_periods(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int]
) -> None:
    """The difference-constraint solver against enumerating every pair of
    periods the boxes allow."""
    pair = _allen.Pair(a, b)
    worlds = [(p, q) for p in periods(a) for q in periods(b)]
    for relation in AllenRelation:
        expected = truth_of([allen_holds(relation, *p, *q) for p, q in worlds])
        assert Truth.from_range(*pair.relation(_allen.atoms_of(relation))) is (
            expected
        ), relation
    shared = truth_of([p[0] <= q[1] and q[0] <= p[1] for p, q in worlds])
    assert Truth.from_range(*pair.relation(_allen.SHARE_A_DAY)) is shared
    included = truth_of([p[0] <= q[0] and q[1] <= p[1] for p, q in worlds])
    assert Truth.from_range(*pair.relation(_allen.INCLUDES)) is included


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("2024-06", (ordinal(2024, 6), ordinal(2024, 6), *[ordinal(2024, 6, 30)] * 2)),
        (
            "1984/2004-06",
            (
                ordinal(1984),
                ordinal(1984, 12, 31),
                ordinal(2004, 6),
                ordinal(2004, 6, 30),
            ),
        ),
        (
            "../1985",
            (
                _dates.UNBOUNDED_BELOW,
                _dates.UNBOUNDED_ABOVE,
                ordinal(1985),
                ordinal(1985, 12, 31),
            ),
        ),
        (
            "1985-04-12/",
            (
                ordinal(1985, 4, 12),
                ordinal(1985, 4, 12),
                _dates.UNBOUNDED_BELOW,
                _dates.UNBOUNDED_ABOVE,
            ),
        ),
    ],
)
def test_a_date_is_read_as_a_period(text: str, box: tuple[int, int, int, int]) -> None:
    """A single date is the whole of what it names; an interval starts on a
    day of its start and ends on a day of its end; an open or unknown end
    may be any day (s <= e is kept by the solver)."""
    assert parse_edtf(text)._box() == box


def is_exact_period(d: UncertainDate) -> bool:
    return not d.is_interval or all(
        isinstance(p, Point) and p.first_day == p.last_day for p in (d.start, d.end)
    )


@given(EVERY_YEAR, EVERY_YEAR)
@settings(deadline=None, max_examples=400)
@example(parse_edtf("2000"), parse_edtf("2000-12-31"))
@example(parse_edtf("2000-01-01/2000-12-30"), parse_edtf("2000"))
@example(parse_edtf("../2000"), parse_edtf("/1999"))
@example(parse_edtf("2000/.."), parse_edtf("2000/"))
@example(parse_edtf("1999-12-31"), parse_edtf("2000-01-01"))
def test_allen_relations_are_exhaustive_and_disjoint(
    a: UncertainDate, b: UncertainDate
) -> None:
    answers = a.interval_relations(b)
    assert set(answers) == set(AllenRelation)
    yes = [r for r, t in answers.items() if t is Truth.YES]
    not_no = [r for r, t in answers.items() if t is not Truth.NO]
    assert not_no, "some relation must be possible"
    assert len(yes) <= 1
    if yes:
        assert not_no == yes  # YES for one means NO for every other
    if is_exact_period(a) and is_exact_period(b):
        assert len(yes) == 1  # known to the day: exactly one holds
    inverse = b.interval_relations(a)
    for relation, truth in answers.items():
        assert inverse[relation.inverse] is truth
        assert relation.inverse.inverse is relation
        method = getattr(a, f"interval_{relation.value}")
        assert method(b) is truth
        assert a.interval_relation(b, relation) is truth
    # overlaps and contains are unions of Allen's relations.
    assert a.overlaps(b) is truth_of_union(answers, SHARING)
    assert a.overlaps(b) is b.overlaps(a)
    assert a.contains(b) is truth_of_union(answers, INCLUDING)


def truth_of_union(
    answers: dict[AllenRelation, Truth], members: set[AllenRelation]
) -> Truth:
    """The truth of "one of ``members`` holds", from the truths of all 13
    (which are exhaustive and disjoint)."""
    if all(answers[r] is Truth.NO for r in members):
        return Truth.NO
    if all(answers[r] is Truth.NO for r in set(AllenRelation) - members):
        return Truth.YES
    return Truth.MAYBE


@given(EVERY_YEAR)
def test_a_date_equals_and_contains_itself_only_when_exact(d: UncertainDate) -> None:
    assert d.overlaps(d) is Truth.YES or d.is_interval
    assert d.overlaps(d) is not Truth.NO
    expected = Truth.YES if is_exact_period(d) else Truth.MAYBE
    assert d.interval_equals(d) is expected
    assert d.contains(d) is expected


@given(EVERY_YEAR, EVERY_YEAR)
@settings(max_examples=300)
def test_single_dates_overlap_and_contain_by_their_bounds(
    a: UncertainDate, b: UncertainDate
) -> None:
    """A single date is a period known exactly: plain range arithmetic."""
    if a.is_interval or b.is_interval:
        a, b = (UncertainDate.from_point(p) for p in (first(a), first(b)))
    (alo, ahi), (blo, bhi) = a._range(), b._range()
    assert a.overlaps(b) is (Truth.YES if alo <= bhi and blo <= ahi else Truth.NO)
    assert a.contains(b) is (Truth.YES if alo <= blo and bhi <= ahi else Truth.NO)


def first(d: UncertainDate) -> Point:
    point = d.start if isinstance(d.start, Point) else d.end
    assert isinstance(point, Point)
    return point


@pytest.mark.parametrize(
    ("a", "b", "possible"),
    [
        ("2024-06-19", "2024-06-20", {AllenRelation.MEETS}),
        ("2024-06-19", "2024-06-21", {AllenRelation.BEFORE}),
        ("185X", "18XX", {AllenRelation.DURING}),
        ("2024-06", "2024-06-30", {AllenRelation.FINISHED_BY}),
        ("2024", "2024-06", {AllenRelation.CONTAINS}),
        (
            "1850/1860",
            "1860/1870",
            {AllenRelation.BEFORE, AllenRelation.MEETS, AllenRelation.OVERLAPS},
        ),
        ("1985-04-12/", "1985-04-12", {AllenRelation.STARTED_BY, AllenRelation.EQUALS}),
        (
            "../1985",
            "1985",
            {AllenRelation.FINISHED_BY, AllenRelation.STARTS, AllenRelation.EQUALS}
            | {AllenRelation.DURING, AllenRelation.FINISHES, AllenRelation.OVERLAPS},
        ),
        ("2024-05/2024-07", "2024-06", {AllenRelation.CONTAINS}),
        (
            "2024-06/2024-07",
            "2024-06",
            {AllenRelation.STARTED_BY, AllenRelation.OVERLAPPED_BY},
        ),
    ],
)
def test_allen_examples(a: str, b: str, possible: set[AllenRelation]) -> None:
    answers = parse_edtf(a).interval_relations(parse_edtf(b))
    assert {r for r, t in answers.items() if t is not Truth.NO} == possible
    if len(possible) == 1:
        assert answers[possible.pop()] is Truth.YES


def test_containment_examples() -> None:
    assert parse_edtf("2024").contains(parse_edtf("2024-06")) is Truth.YES
    assert parse_edtf("2024-06").contains(parse_edtf("2024")) is Truth.NO
    assert parse_edtf("2024-06").overlaps(parse_edtf("2024-06-30/2024-08")) is Truth.YES
    assert parse_edtf("2024-06").overlaps(parse_edtf("2024-07/..")) is Truth.NO
    assert parse_edtf("2024-06").overlaps(parse_edtf("2024/2025")) is Truth.MAYBE
    assert parse_edtf("2023-24").contains(D(2024, 2, 29)) is Truth.YES
    assert parse_edtf("2023-24").contains(D(2024, 3, 1)) is Truth.NO
    assert parse_edtf("1984/2004").contains(parse_edtf("1990")) is Truth.YES
    assert parse_edtf("1984/2004").contains(parse_edtf("2004-06")) is Truth.MAYBE


# -- a total order ------------------------------------------------------------


@given(EVERY_YEAR, EVERY_YEAR)
@settings(max_examples=300)
@example(parse_edtf("../2000"), parse_edtf("/2000"))
@example(parse_edtf("/1999"), parse_edtf("../2000"))  # bounds before end kinds
@example(parse_edtf("2000"), parse_edtf("2000-XX"))
@example(parse_edtf("2000"), parse_edtf("2000~"))
@example(parse_edtf("2000"), parse_edtf("2000-01-01/2000-12-31"))
def test_sort_key_is_a_total_order_by_bounds_first(
    a: UncertainDate, b: UncertainDate
) -> None:
    ka, kb = a.sort_key(), b.sort_key()
    assert (ka == kb) == (a == b)  # total: different dates never tie
    lo_a = -math.inf if a.earliest_day is None else a.earliest_day
    lo_b = -math.inf if b.earliest_day is None else b.earliest_day
    hi_a = math.inf if a.latest_day is None else a.latest_day
    hi_b = math.inf if b.latest_day is None else b.latest_day
    if (lo_a, hi_a) < (lo_b, hi_b):
        assert ka < kb
    if (lo_a, hi_a) == (lo_b, hi_b) and a.precision < b.precision:
        assert ka < kb


@given(st.lists(EVERY_YEAR, max_size=8), st.randoms())
def test_sorting_does_not_depend_on_the_input_order(
    dates: list[UncertainDate], random: Random
) -> None:
    shuffled = dates[:]
    random.shuffle(shuffled)
    key = UncertainDate.sort_key
    assert sorted(shuffled, key=key) == sorted(dates, key=key)


def test_open_and_unknown_ends_sort_at_their_side() -> None:
    texts = ["2000/..", "1999", "../2000", "2000/", "/2000", "2000", "2000-06"]
    ordered = sorted(map(parse_edtf, texts), key=UncertainDate.sort_key)
    assert [str(d) for d in ordered] == [
        "../2000",
        "/2000",
        "1999",
        "2000",
        "2000/",
        "2000/..",
        "2000-06",
    ]


# -- fuzzy bounds -------------------------------------------------------------


@given(uncertain_dates(D(1100, 1, 1), D(8900, 12, 31)))
@settings(max_examples=300)
def test_fuzzy_bounds_contain_the_strict_ones(d: UncertainDate) -> None:
    lo, hi = d.fuzzy_bounds()
    qualified = [
        p.qualifier is not Qualifier.NONE
        for p in (d.start, d.end)
        if isinstance(p, Point)
    ]
    if d.earliest is None:
        assert lo is None
    else:
        assert lo is not None
        assert lo <= d.earliest
    if d.latest is None:
        assert hi is None
    else:
        assert hi is not None
        assert d.latest <= hi
    if not any(qualified):
        assert (lo, hi) == (d.earliest, d.latest)
    assert d.fuzzy_bounds(Fuzz(approximate=0, uncertain=0)) == (d.earliest, d.latest)
    wider = d.fuzzy_days(Fuzz(approximate=2, uncertain=2))
    narrow = d.fuzzy_days()
    assert narrow == tuple(None if b is None else b.toordinal() for b in (lo, hi))
    if wider[0] is not None and narrow[0] is not None:
        assert wider[0] <= narrow[0]
    if wider[1] is not None and narrow[1] is not None:
        assert wider[1] >= narrow[1]


@pytest.mark.parametrize(
    ("text", "policy", "lo", "hi"),
    [
        ("2004-06~", Fuzz(), D(2004, 5, 1), D(2004, 7, 31)),
        ("2004-06~", Fuzz(approximate=0), D(2004, 6, 1), D(2004, 6, 30)),
        ("2004-06?", Fuzz(approximate=0), D(2004, 5, 1), D(2004, 7, 31)),
        ("1984?", Fuzz(uncertain=2), D(1982, 1, 1), D(1986, 12, 31)),
        ("2004-06-11%", Fuzz(), D(2004, 6, 10), D(2004, 6, 12)),
        ("2004%", Fuzz(approximate=1, uncertain=3), D(2001, 1, 1), D(2007, 12, 31)),
        ("2004-02-29~", Fuzz(), D(2004, 2, 28), D(2004, 3, 1)),
        ("2001-21~", Fuzz(), D(2000, 12, 1), D(2001, 8, 31)),
        ("2001-24~", Fuzz(), D(2001, 9, 1), D(2002, 5, 31)),
        ("201X~", Fuzz(), D(2000, 1, 1), D(2029, 12, 31)),
        ("19XX?", Fuzz(), D(1800, 1, 1), D(2099, 12, 31)),
        ("1985-XX~", Fuzz(), D(1984, 1, 1), D(1986, 12, 31)),
        ("1984~/2004-06", Fuzz(), D(1983, 1, 1), D(2004, 6, 30)),
        ("1984/2004-06~", Fuzz(), D(1984, 1, 1), D(2004, 7, 31)),
        ("1984-06-02?/..", Fuzz(), D(1984, 6, 1), None),
    ],
)
def test_fuzzy_bounds_widen_by_units_of_the_precision(
    text: str, policy: Fuzz, lo: D, hi: D | None
) -> None:
    assert parse_edtf(text).fuzzy_bounds(policy) == (lo, hi)


def test_fuzzy_days_reach_every_year() -> None:
    assert parse_edtf("Y-170000002~").fuzzy_days() == (
        ordinal(-170000003),
        ordinal(-170000001, 12, 31),
    )
    assert parse_edtf("0001~").fuzzy_days()[0] == ordinal(0)
    # A decade widens by a decade, on either side of year zero.
    assert parse_edtf("-199X~").fuzzy_days() == (
        ordinal(-2009),
        ordinal(-1980, 12, 31),
    )
    assert parse_edtf("-000X?").fuzzy_days() == (ordinal(-19), ordinal(10, 12, 31))
    with pytest.raises(DateRangeError):
        parse_edtf("0001~").fuzzy_bounds()


def test_fuzz_refuses_negative_widths() -> None:
    with pytest.raises(ValueError, match="approximate"):
        Fuzz(approximate=-1)


# -- the value type -----------------------------------------------------------


@given(EVERY_YEAR)
def test_values_are_immutable_and_hashable(d: UncertainDate) -> None:
    twin = parse_edtf(d.to_edtf())
    assert twin == d
    assert hash(twin) == hash(d)
    assert len({d, twin}) == 1
    assert repr(d) == f"UncertainDate({d.to_edtf()!r})"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        d.start = End.OPEN  # type: ignore[misc]


def test_equal_bounds_are_not_equal_dates() -> None:
    """Lossless: the same days written differently stay different."""
    assert parse_edtf("2004") != parse_edtf("2004-XX")
    assert parse_edtf("2004") != parse_edtf("2004~")
    assert parse_edtf("2004") != parse_edtf("2004/2004")
    assert parse_edtf("1985-04-12T23:20:30Z") != parse_edtf("1985-04-12T23:20:30")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: Point(2023, 2, 29), "01-28 for 2023-02, not 29"),
        (lambda: Point(1900, 2, 29), "01-28 for 1900-02"),
        (lambda: Point(-1, 2, 29), "01-28 for -0001-02"),
        (lambda: Point(2024, 13), "a month 01-12 or a season 21-24, not 13"),
        (lambda: Point(2024, 0), "not 00"),
        (lambda: Point(2024, 6, 0), "01-30"),
        (lambda: Point(2024, 21, 1), "no day or time after a season"),
        (lambda: Point(2024, day=1), "a month before a day"),
        (lambda: Point(20000, 6), "Y-years have no month"),
        (lambda: Point(10**15), "at most 15 digits"),
        (lambda: Point(-(10**15)), "at most 15 digits"),
        (lambda: Point(2015, unspecified_year_digits=1), "201X is year 2010"),
        (lambda: Point(2010, unspecified_year_digits=4), "1 to 3 unspecified"),
        (lambda: Point(-1990, unspecified_year_digits=1), "-199X .* year -1999"),
        (lambda: Point(-1, unspecified_year_digits=2), "the first year of the range"),
        (lambda: Point(10000, unspecified_year_digits=1), "Y-years have no month"),
        (lambda: Point(2024, 6, 1, time="24:00:00"), "a time of day"),
        (lambda: Point(2024, 6, 1, time="10:00:00-00:00"), "a time of day"),
        (lambda: Point(2024, 6, 1, time="10:00"), "a time of day"),
        (lambda: Point(2024, 6, time="10:00:00"), "a day before a time"),
        (
            lambda: Point(2024, 6, 1, Qualifier.APPROXIMATE, time="10:00:00"),
            "no qualifier on a date with a time",
        ),
        (
            lambda: UncertainDate(Point(2024), Point(2025)),
            "the same Point as start and end",
        ),
        (
            lambda: UncertainDate(End.OPEN, End.UNKNOWN, is_interval=True),
            "at least one end",
        ),
        (
            lambda: UncertainDate(Point(2025), Point(2024), is_interval=True),
            "end is not before its start",
        ),
        (
            lambda: UncertainDate(
                Point(2024, 6, 1, time="10:00:00"), End.OPEN, is_interval=True
            ),
            "without a time of day",
        ),
        (
            lambda: UncertainDate.between(parse_edtf("2024/2025"), End.OPEN),
            "a single date as the start",
        ),
    ],
)
def test_invalid_values_are_refused(build: Callable[[], object], expected: str) -> None:
    with pytest.raises(InvalidDateError, match=expected.replace("(", r"\(")):
        build()


def test_the_exported_names_are_the_documented_ones() -> None:
    for name in (
        "parse_edtf",
        "parse_date",
        "UncertainDate",
        "InvalidDateError",
        "TimelineError",
        "Truth",
        "Precision",
        "Qualifier",
        "End",
        "Point",
        "Fuzz",
        "AllenRelation",
    ):
        assert name in timeline.__all__
    assert issubclass(InvalidDateError, ValueError)
    assert issubclass(InvalidDateError, TimelineError)
