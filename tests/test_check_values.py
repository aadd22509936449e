"""codec.check_events (the in-memory log's value check) refuses exactly what
the durable logs' writer refuses, with the same message: it decides by the
fast encoder's own checks without building the record (issue 15's
one-at-a-time appends), so every refusal is compared with encode_batch's."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import timeline
from timeline import Event, Log, Source, Text, UncertainDate
from timeline._storage.codec import CodecError, check_events, encode_batch
from timeline.strategies import events

_odd_texts = st.text(st.characters(codec=None, categories=None), max_size=4)
_texts = st.sampled_from(["", "a", "条約", "\ud800", "x\udfffy"]) | _odd_texts
_zones = st.sampled_from(
    [
        None,
        datetime.UTC,
        datetime.timezone(datetime.timedelta(hours=9)),
        # (seconds in an offset: its text does not read back)
        datetime.timezone(datetime.timedelta(hours=-3, seconds=-7)),
    ]
)
_ints = st.integers() | st.integers(-(2**70), 2**70)
# Any value, right or wrong for a field's type.
_anything: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | _ints
    | st.floats()
    | _texts
    | st.dates()
    | st.datetimes(timezones=_zones)
    | st.sampled_from([timeline.parse_edtf("2024-06"), (1, "a"), [1], {"a": 1}])
)


class Hue(enum.Enum):
    RED = "red"
    ODD = "\ud800"  # a member whose value UTF-8 cannot hold


@timeline.event_type("test_check_values.varied")
class Varied(Event):
    count: int = 0
    ratio: float = 0.0
    label: str = ""
    hue: Hue = Hue.RED
    day: datetime.date | None = None
    when: UncertainDate | None = None
    pair: tuple[int, str] = (0, "")
    anything: Any = None


def _fields() -> dict[str, st.SearchStrategy[Any]]:
    """Each field mostly of its type (texts with lone surrogates), else
    anything at all."""
    typed: dict[str, st.SearchStrategy[Any]] = {
        "count": _ints,
        "ratio": st.floats() | _ints,
        "label": _texts,
        "hue": st.sampled_from(Hue),
        "day": st.none() | st.dates(),
        "pair": st.tuples(_ints, _texts),
        "anything": _anything,
    }
    return {name: strategy | _anything for name, strategy in typed.items()}


_varied = events(
    Varied,
    id=_texts.filter(lambda s: s and s == s.strip()),
    recorded=st.dates() | st.datetimes(timezones=_zones),
    tags=st.lists(_texts.filter(bool), max_size=2).map(tuple),
    summary=st.none() | st.dictionaries(_texts, _texts, min_size=1).map(Text.of),
    source=st.none() | st.builds(Source, title=_texts, url=st.none() | _texts),
    **_fields(),
)


def _refusal(check: Any) -> str | None:
    try:
        check()
    except CodecError as error:
        return str(error)
    return None


def _same_refusals(batch: list[Event]) -> str | None:
    expected = _refusal(lambda: encode_batch(batch, 0, bytes(32)))
    assert _refusal(lambda: check_events(batch)) == expected
    return expected


@given(st.lists(_varied, min_size=1, max_size=3))
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", count=2**70)])
@example([Varied(id="\ud800", occurred="2024", recorded="2024-01-01")])
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", tags=("\udfff",))])
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", label="\ud800")])
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", hue=Hue.ODD)])
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", count="3")])
@example([Varied(id="a", occurred="2024", recorded="2024-01-01", pair=(1, 2))])
@example(
    [
        Varied(id="a", occurred="2024", recorded="2024-01-01"),
        Varied(id="b", occurred="2024", recorded="2024-01-01", anything=(1, 2)),
    ]
)
@example(
    [
        Varied(
            id="a",
            occurred="2024",
            recorded=datetime.datetime(
                2024,
                1,
                1,
                tzinfo=datetime.timezone(datetime.timedelta(hours=-3, seconds=-7)),
            ),
        )
    ]
)
@example(
    [
        Varied(
            id="a",
            occurred="2024",
            recorded="2024-01-01",
            summary=Text.of({"en": "\ud800"}),
        )
    ]
)
@example(
    [
        Varied(
            id="a",
            occurred="2024",
            recorded="2024-01-01",
            source=Source(title="\udc00"),
        )
    ]
)
@settings(max_examples=300, deadline=None)
def test_check_events_refuses_what_the_writer_refuses(batch: list[Event]) -> None:
    _same_refusals(batch)


@pytest.mark.parametrize(
    "field",
    ["count", "ratio", "label", "hue", "day", "when", "pair", "anything"],
)
def test_a_refused_value_leaves_the_in_memory_log_as_it_was(field: str) -> None:
    """The refusal names the event and its field, and nothing is appended."""
    log = Log(clock=None)
    log.append(Varied(id="first", occurred="2024", recorded="2024-01-01"))
    bad = Varied(id="bad", occurred="2024", recorded="2024-01-02", **{field: object()})
    refused = _same_refusals([bad])
    assert refused is not None
    assert f"payload field {field}" in refused
    with pytest.raises(timeline.InvalidEventError, match=f"event 1 .*{field}"):
        log.append(bad)
    assert [e.id for e in log] == ["first"]
