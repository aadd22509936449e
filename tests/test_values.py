"""Any state as facts, text and JSON, and which events changed which fact
(timeline._render.values): what the generic output of ``timeline state``
is made of."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any, NamedTuple

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline
from test_cli_user import load_brewery
from timeline._render.values import Fact, facts, fold_explained, to_json, value_text
from timeline.strategies import events, logs


class Colour(enum.Enum):
    RED = 1
    BLUE = "blue"


@attrs.frozen
class Address:
    town: str
    since: timeline.UncertainDate | None = None


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: float


class Pair(NamedTuple):
    left: str
    right: bool


@attrs.frozen
class State:
    address: Address
    tags: frozenset[str] = frozenset()
    points: tuple[Point, ...] = ()
    counts: dict[Any, int] = attrs.field(factory=dict)
    pair: Pair = attrs.field(factory=lambda: Pair("a", True))
    colour: Colour = Colour.RED
    when: datetime.date | None = None
    note: timeline.Text | None = None


STATE = State(
    address=Address("Bamberg", timeline.parse_edtf("1850~")),
    tags=frozenset({"b", "a"}),
    points=(Point(1, 0.5),),
    counts={"Pils": 3, 1900: 12, "two words": 1},
    when=datetime.date(1900, 1, 2),
    note=timeline.Text.of({"en": "hello", "ja": "こんにちは"}),
)


def test_facts_flatten_records_and_mappings_and_keep_collections_whole() -> None:
    assert facts(STATE) == [
        Fact("address.town", ("Bamberg",)),
        Fact("address.since", ("about 1850",)),
        Fact("tags", ("a", "b"), many=True),
        Fact("points", ("x: 1, y: 0.5",), many=True),
        Fact("counts.Pils", ("3",)),
        Fact("counts[1900]", ("12",)),
        Fact("counts[two words]", ("1",)),
        Fact("pair.left", ("a",)),
        Fact("pair.right", ("yes",)),
        Fact("colour", ("red",)),
        Fact("when", ("1900-01-02",)),
        Fact("note", ("hello",)),
    ]
    assert facts(STATE, "ja")[-1] == Fact("note", ("こんにちは",))


def test_a_plain_state_is_one_fact() -> None:
    assert facts(3) == [Fact("", ("3",))]
    assert facts(3)[0].label == "state"
    assert facts(("x", None)) == [Fact("", ("x", "-"), many=True)]
    assert facts({}) == [Fact("", (), many=True)]


def test_value_text_nests_with_brackets() -> None:
    assert value_text(STATE.points) == "(x: 1, y: 0.5)"
    assert value_text({"a": (1, 2)}) == "a: [1, 2]"
    assert value_text(Address("X")) == "town: X, since: -"
    assert value_text(timeline.parse_edtf("../1914")) == "before 1914"
    assert value_text(timeline.parse_edtf("186X"), "ja") == "1860年代"


def test_to_json_is_json_and_keeps_the_values() -> None:
    data = to_json(STATE)
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "address": {"town": "Bamberg", "since": "1850~"},
        "tags": ["a", "b"],
        "points": [{"x": 1, "y": 0.5}],
        "counts": {"Pils": 3, "1900": 12, "two words": 1},
        "pair": {"left": "a", "right": True},
        "colour": 1,
        "when": "1900-01-02",
        "note": {"en": "hello", "ja": "こんにちは"},
    }
    assert to_json(Colour.BLUE) == "blue"
    assert to_json(float("inf")) == "inf"


def test_a_failing_handler_names_the_event() -> None:
    boom = timeline.Projection(initial=0)

    @boom.on(timeline.Retraction)
    def _(state: int, event: timeline.Retraction) -> int:
        raise ZeroDivisionError("no")

    event = timeline.Retraction(
        id="r", occurred="2000", recorded="2000-01-01", supersedes=("x",)
    )
    with pytest.raises(timeline.TimelineError, match="ZeroDivisionError on event 'r'"):
        fold_explained(boom, [event], 0)


brewery = load_brewery()
BREWERY_LOGS = logs(
    events(brewery.Founded),
    events(brewery.OwnerChanged),
    events(brewery.BeerIntroduced),
    events(brewery.OutputMeasured),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(log=BREWERY_LOGS, cut=st.integers(0, 12))
def test_fold_explained_is_the_fold_and_cites_every_changed_fact(
    log: timeline.Log, cut: int
) -> None:
    projection = brewery.history
    ordered = list(log.timeline())
    first = ordered[:cut]
    state, changed = fold_explained(projection, first, projection.initial)
    assert state == projection.fold(first)
    initial = {f.path: f for f in facts(projection.initial)}
    final = {f.path: f for f in facts(state)}
    for path, fact in final.items():
        if initial.get(path) != fact:
            assert changed.get(path), path
            # The last event cited for a fact is one of the events folded,
            # and each cited event changed that fact when it was folded.
            assert changed[path][-1] in first
    # Going on from there cites only the later events.
    _, more = fold_explained(projection, ordered[cut:], state)
    assert all(e in ordered[cut:] for events_ in more.values() for e in events_)
