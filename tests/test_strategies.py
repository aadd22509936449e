"""timeline.strategies: argument checking, validity, coverage and shrinking."""

from __future__ import annotations

import ast
import datetime
import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

import timeline
from timeline import (
    End,
    Point,
    Precision,
    Qualifier,
    UncertainDate,
    day_number,
    parse_edtf,
)
from timeline._dates import MAX_YEAR
from timeline.strategies import uncertain_dates

D = datetime.date
SRC = Path(timeline.__file__).parent
FIND = settings(
    max_examples=2000,
    database=None,
    derandomize=True,  # the same search, and the same answer, on every run
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


def points_of(d: UncertainDate) -> list[Point]:
    return [p for p in (d.start, d.end) if isinstance(p, Point)]


def shrunk(
    condition: Callable[[UncertainDate], bool],
    strategy: st.SearchStrategy[UncertainDate] | None = None,
) -> str:
    """The simplest generated value meeting ``condition``, as EDTF."""
    if strategy is None:
        strategy = uncertain_dates()
    found = find(strategy, condition, settings=FIND)
    return found.to_edtf()


# -- arguments --------------------------------------------------------------

INVALID_ARGUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"min_value": "2024-01-01"}, "min_value='2024-01-01' must be a datetime.date"),
    ({"min_value": 2024.0}, "min_value=2024.0 must be"),
    ({"max_value": datetime.datetime(2024, 1, 1)}, "max_value=datetime.datetime"),
    ({"min_value": True}, "min_value=True must be a date or an int, not bool"),
    ({"min_value": -(10**18)}, "must be a day number from"),
    ({"max_value": 10**18}, "must be a day number from"),
    ({"min_value": D(2024, 1, 2), "max_value": D(2024, 1, 1)}, "must not be after"),
    ({"min_value": 10, "max_value": 9}, "min_value=10 must not be after max_value=9"),
    ({"precisions": []}, "precisions=[] must hold at least one Precision"),
    ({"precisions": Precision.DAY}, "must be None or a collection of Precision"),
    ({"precisions": "DAY"}, "precisions='DAY' must be None or a collection"),
    ({"precisions": ["DAY"]}, "must hold only Precision members, not 'DAY'"),
    ({"precisions": [Qualifier.NONE]}, "must hold only Precision members"),
    ({"precisions": [7]}, "must hold only Precision members, not 7"),
    ({"qualifiers": set()}, "qualifiers=set() must hold at least one Qualifier"),
    ({"qualifiers": "?"}, "qualifiers='?' must be None or a collection"),
    ({"qualifiers": [Precision.DAY]}, "must hold only Qualifier members"),
    ({"intervals": None}, "intervals=None must be True or False"),
    ({"intervals": 1}, "intervals=1 must be True or False"),
    ({"open_ends": "yes"}, "open_ends='yes' must be True, False or None"),
    ({"times": 0}, "times=0 must be True, False or None"),
    ({"intervals": False, "open_ends": True}, "open_ends=True needs intervals=True"),
    (
        {"qualifiers": [Qualifier.APPROXIMATE], "times": True},
        "times=True needs Precision.DAY within the range and Qualifier.NONE",
    ),
    ({"precisions": [Precision.YEAR], "times": True}, "times=True needs"),
    (
        {
            "min_value": D(2024, 1, 1),
            "max_value": D(2024, 12, 30),
            "precisions": [Precision.YEAR],
        },
        "no date of precision YEAR lies wholly between",
    ),
    (
        {
            "min_value": D(1900, 1, 1),
            "max_value": D(2099, 12, 31),
            "precisions": [Precision.MILLENNIUM, Precision.DECADE],
        },
        "no date of precision MILLENNIUM lies",
    ),
    (
        {"min_value": day_number(10000, 1, 2), "max_value": day_number(10000, 12, 31)},
        "no date lies wholly between",
    ),
    (
        {
            "min_value": day_number(12000),
            "max_value": None,
            "precisions": [Precision.DAY],
        },
        "no date of precision DAY",
    ),
]


@pytest.mark.parametrize(("kwargs", "message"), INVALID_ARGUMENTS)
def test_invalid_arguments_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        uncertain_dates(**kwargs)
    assert message in str(raised.value)
    assert any(f"{name}=" in str(raised.value) for name in kwargs)  # named


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        uncertain_dates(None, None, [Precision.DAY])  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"min_value": None, "max_value": None},
        {"min_value": D(2024, 1, 1), "max_value": D(2024, 12, 30)},
        {"min_value": D(2024, 2, 29), "max_value": D(2024, 2, 29)},
        {"min_value": day_number(10000), "max_value": day_number(10000, 12, 31)},
        {"precisions": {Precision.SEASON}, "qualifiers": (Qualifier.UNCERTAIN,)},
        {"intervals": False, "open_ends": False, "times": False},
        {"intervals": True, "open_ends": False, "times": True},
    ],
)
def test_valid_arguments_are_accepted(kwargs: dict[str, Any]) -> None:
    @given(uncertain_dates(**kwargs))
    @settings(max_examples=20, database=None)
    def check(d: UncertainDate) -> None:
        assert isinstance(d, UncertainDate)

    check()


# -- validity -------------------------------------------------------------

OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "precisions": st.sets(st.sampled_from(Precision), min_size=1),
        "qualifiers": st.sets(st.sampled_from(Qualifier), min_size=1),
        "intervals": st.booleans(),
    },
)
RANGES = st.one_of(
    st.tuples(st.dates(), st.dates()),
    st.tuples(
        st.integers(day_number(-20000), day_number(20000)),
        st.integers(day_number(-20000), day_number(20000)),
    ),
).map(sorted)


@given(RANGES, OPTIONS, st.data())
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_generated_values_are_valid_and_obey_every_argument(
    limits: list[Any], options: dict[str, Any], data: st.DataObject
) -> None:
    lo, hi = limits
    try:
        strategy = uncertain_dates(lo, hi, **options)
    except InvalidArgument:
        return  # e.g. a precision that does not fit: tested above
    d = data.draw(strategy)
    lo_day = lo if isinstance(lo, int) else lo.toordinal()
    hi_day = hi if isinstance(hi, int) else hi.toordinal()
    assert parse_edtf(d.to_edtf()) == d
    for p in points_of(d):
        assert lo_day <= p.first_day <= p.last_day <= hi_day
        assert p.precision in options.get("precisions", Precision)
        assert p.qualifier in options.get("qualifiers", Qualifier)
    if not options.get("intervals", True):
        assert not d.is_interval


@pytest.mark.parametrize(
    ("lo", "hi", "precision", "expected"),
    [
        (D(2000, 3, 1), D(2000, 8, 30), Precision.SEASON, {"2000-21"}),
        (D(1999, 12, 1), D(2000, 2, 29), Precision.SEASON, {"1999-24"}),
        (D(1999, 12, 2), D(2000, 5, 31), Precision.SEASON, {"2000-21"}),
        (D(2000, 1, 2), D(2001, 12, 31), Precision.YEAR, {"2001", "2001-XX", "2001-XX-XX"}),  # noqa: E501
        (D(2000, 1, 31), D(2000, 3, 30), Precision.MONTH, {"2000-02", "2000-02-XX"}),
        (D(2024, 2, 28), D(2024, 3, 1), Precision.DAY, {"2024-02-28", "2024-02-29", "2024-03-01"}),  # noqa: E501
        (D(2009, 12, 31), D(2029, 12, 30), Precision.DECADE, {"201X"}),
        (D(1900, 1, 1), D(2100, 1, 1), Precision.CENTURY, {"19XX", "20XX"}),
        (D(1000, 1, 1), D(2999, 12, 31), Precision.MILLENNIUM, {"1XXX", "2XXX"}),
    ],
)  # fmt: skip
def test_exactly_the_dates_wholly_inside_the_range_are_drawn(
    lo: D, hi: D, precision: Precision, expected: set[str]
) -> None:
    seen: set[str] = set()

    @given(
        uncertain_dates(
            lo,
            hi,
            precisions=[precision],
            qualifiers=[Qualifier.NONE],
            intervals=False,
            times=False,
        )
    )
    @settings(max_examples=100, database=None)
    def draw(d: UncertainDate) -> None:
        seen.add(d.to_edtf())

    draw()
    assert seen == expected


@given(uncertain_dates())
@settings(max_examples=200)
def test_the_default_range_is_what_datetime_holds(d: UncertainDate) -> None:
    """By default .earliest and .latest never raise."""
    for bound in (d.earliest, d.latest):
        assert bound is None or D.min <= bound <= D.max
    assert d.earliest is not None or d.latest is not None


@given(uncertain_dates(intervals=True, open_ends=False, times=False))
def test_switches_are_obeyed(d: UncertainDate) -> None:
    assert End.OPEN not in (d.start, d.end)
    assert End.UNKNOWN not in (d.start, d.end)
    assert all(p.time is None for p in points_of(d))


@given(st.from_type(UncertainDate))
@settings(max_examples=50)
def test_from_type_uses_the_registered_strategy(d: UncertainDate) -> None:
    assert parse_edtf(d.to_edtf()) == d


def test_the_entry_point_is_declared() -> None:
    hooks = [
        e.value
        for e in importlib.metadata.entry_points(group="hypothesis")
        if e.value.startswith("timeline.")
    ]
    assert hooks == ["timeline.strategies:_hypothesis_setup_hook"]


# -- every kind is generated --------------------------------------------------

WIDE = uncertain_dates(None, None)
DAYS = uncertain_dates(
    precisions=[Precision.DAY], qualifiers=[Qualifier.NONE], intervals=False
)


def offset(d: UncertainDate) -> str:
    match = re.search(r"T..:..:..([+-]..:..)$", str(d))
    return match[1] if match else ""


def precisions(d: UncertainDate) -> set[Precision]:
    return {p.precision for p in points_of(d)}


def ends(d: UncertainDate) -> list[str]:
    return str(d).split("/")


KINDS: list[tuple[str, Callable[[UncertainDate], bool], str]] = [
    # (what, condition, what the simplest such value shrinks to)
    ("anything", lambda d: True, "2000"),
    ("a day", lambda d: d.precision is Precision.DAY, "2000-01-01"),
    ("a month", lambda d: d.precision is Precision.MONTH, "2000-01"),
    ("a season", lambda d: d.precision is Precision.SEASON, "2000-21"),
    ("winter", lambda d: "-24" in str(d), "1999-24"),
    ("a decade", lambda d: d.precision is Precision.DECADE, "200X"),
    ("a century", lambda d: d.precision is Precision.CENTURY, "20XX"),
    ("a millennium", lambda d: d.precision is Precision.MILLENNIUM, "2XXX"),
    ("uncertain", lambda d: d.qualifier is Qualifier.UNCERTAIN, "2000?"),
    ("approximate", lambda d: d.qualifier is Qualifier.APPROXIMATE, "2000~"),
    ("both", lambda d: d.qualifier is Qualifier.UNCERTAIN_APPROXIMATE, "2000%"),
    ("an unspecified month", lambda d: "-XX" in str(d), "2000-XX"),
    ("an unspecified day", lambda d: str(d).endswith("-XX-XX"), "2000-XX-XX"),
    ("a month's XX", lambda d: re.search(r"-[0-9]{2}-XX", str(d)), "2000-01-XX"),
    ("an interval", lambda d: d.is_interval, "2000/2000"),
    ("mixed precision", lambda d: len(precisions(d)) > 1, "2000/2000-01"),
    ("an open end", lambda d: d.end is End.OPEN, "2000/.."),
    ("an open start", lambda d: d.start is End.OPEN, "../2000"),
    ("an unknown end", lambda d: d.end is End.UNKNOWN, "2000/"),
    ("an unknown start", lambda d: d.start is End.UNKNOWN, "/2000"),
    ("a qualified end", lambda d: d.is_interval and "~" in ends(d)[1], "2000/2000~"),
    ("a time", lambda d: "T" in str(d), "2000-01-01T00:00:00"),
]  # fmt: skip
TIMES: list[tuple[str, Callable[[UncertainDate], bool], str]] = [
    ("a time", lambda d: "T" in str(d), "2000-01-01T00:00:00"),
    ("UTC", lambda d: str(d).endswith("Z"), "2000-01-01T00:00:00Z"),
    ("an offset", lambda d: offset(d) != "", "2000-01-01T00:00:00+00:00"),
    ("negative", lambda d: offset(d).startswith("-"), "2000-01-01T00:00:00-00:01"),
]  # fmt: skip
KINDS_BEYOND: list[tuple[str, Callable[[UncertainDate], bool], str]] = [
    ("year zero", lambda d: "0000" in str(d), "0000"),
    ("a negative year", lambda d: (d.earliest_day or 1) < day_number(0), "-0001"),
    ("a BCE day", lambda d: str(d).startswith("-") and d.is_exact_day, "-0001-12-01"),
    ("a long year", lambda d: str(d).startswith("Y"), "Y10000"),
    ("a long negative year", lambda d: str(d).startswith("Y-"), "Y-10000"),
    ("in an interval", lambda d: d.is_interval and "Y" in str(d), "2000/Y10000"),
    ("the last year", lambda d: f"Y{MAX_YEAR}" in str(d), f"Y{MAX_YEAR}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "simplest"),
    [pytest.param(c, s, id=w) for w, c, s in KINDS],
)
def test_every_kind_is_generated_and_shrinks_to_its_simplest(
    condition: Callable[[UncertainDate], bool], simplest: str
) -> None:
    assert shrunk(condition) == simplest


@pytest.mark.parametrize(
    ("condition", "simplest"),
    [pytest.param(c, s, id=w) for w, c, s in TIMES],
)
def test_every_kind_of_time_is_generated(
    condition: Callable[[UncertainDate], bool], simplest: str
) -> None:
    assert shrunk(condition, DAYS) == simplest


@pytest.mark.parametrize(
    ("condition", "simplest"),
    [pytest.param(c, s, id=w) for w, c, s in KINDS_BEYOND],
)
def test_years_beyond_datetime_come_with_day_numbers(
    condition: Callable[[UncertainDate], bool], simplest: str
) -> None:
    assert shrunk(condition, WIDE) == simplest
    with pytest.raises(NoSuchExample):
        find(uncertain_dates(), condition, settings=settings(FIND, max_examples=300))


@pytest.mark.parametrize(
    ("kwargs", "simplest"),
    [
        ({"min_value": D(2024, 6, 19)}, "2025"),  # the year nearest 2000 that fits
        ({"max_value": D(1985, 4, 12)}, "1984"),
        ({"min_value": D(2024, 6, 19), "max_value": D(2024, 6, 19)}, "2024-06-19"),
        ({"precisions": [Precision.SEASON]}, "2000-21"),
        ({"qualifiers": [Qualifier.APPROXIMATE]}, "2000~"),
        ({"min_value": day_number(-500), "max_value": day_number(-400)}, "-0401"),
        ({"min_value": day_number(20000), "max_value": None}, "Y20000"),
    ],
)
def test_limits_shrink_to_the_nearest_simple_value(
    kwargs: dict[str, Any], simplest: str
) -> None:
    assert shrunk(lambda d: True, uncertain_dates(**kwargs)) == simplest


def test_a_failing_property_shrinks_to_a_small_example() -> None:
    """What a user sees: the minimal date that breaks their (buggy) code."""
    found = find(
        uncertain_dates(),
        lambda d: d.latest is not None and d.latest.month == 12 and d.latest.day < 31,
        settings=FIND,
    )
    assert found.to_edtf() == "1999-12-01"


def test_counts_of_kinds_are_balanced() -> None:
    """No kind is starved: each is a real share of 1000 draws."""
    seen: dict[str, int] = {}

    @given(uncertain_dates())
    @settings(max_examples=1000, database=None)
    def count(d: UncertainDate) -> None:
        for p in points_of(d):
            seen[p.precision.name] = seen.get(p.precision.name, 0) + 1
            seen[p.qualifier.name] = seen.get(p.qualifier.name, 0) + 1
        shape = "interval" if d.is_interval else "single"
        seen[shape] = seen.get(shape, 0) + 1

    count()
    expected = [*Precision.__members__, *Qualifier.__members__, "single", "interval"]
    assert all(seen.get(name, 0) >= 20 for name in expected), seen


# -- the module's import rules ------------------------------------------------


def test_only_the_strategies_module_imports_hypothesis() -> None:
    importers = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "hypothesis" or n.startswith("hypothesis.") for n in names):
                importers.append(path.relative_to(SRC).as_posix())
    assert sorted(set(importers)) == ["strategies.py"]


def test_without_hypothesis_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import timeline\n"
        "try:\n"
        "    import timeline.strategies\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'timeline[testing]'" in out.stdout
