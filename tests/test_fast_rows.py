"""SQLite's compact rows read from their parts (issue 15 item 5).

A compact row with the usual envelope (``OCCURRED \\x03 RECORDED \\x02
PAYLOAD``) is read without rebuilding its body (``SQLiteLog._decode_row``
and ``codec.decode_usual``); every row must read as the body rebuilt and
parsed whole reads it (``RelationalLog._decode_row``): the same event, or
the same error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import timeline
from strategies import Noted
from timeline import Event, UncertainDate
from timeline._storage.codec import encode_event
from timeline._storage.relational import RelationalLog
from timeline._storage.sqlite import SQLiteLog
from timeline.strategies import events


@timeline.event_type("tests.fast_rows.reading")
class Reading(Event):
    count: int = 0
    label: str = ""
    ratio: float = 0.0
    when: UncertainDate | None = None


def _small(instance: object, attribute: Any, value: int) -> None:
    if value > 100:
        raise ValueError(f"{attribute.name}: expected at most 100, got {value}")


@timeline.event_type("tests.fast_rows.checked")
class Checked(Event):
    """A validator of its own: read by calling the class."""

    count: int = attrs.field(default=0, validator=_small)


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteLog]:
    path: Path = tmp_path_factory.mktemp("rows") / "log.sqlite"
    with SQLiteLog(path) as opened:
        day = {"occurred": "2024", "recorded": "2024-01-01"}
        opened.append(
            Reading(id="r", **day), Checked(id="c", **day), Noted(id="n", **day)
        )
        yield opened


def _outcome(read: Callable[[], Event]) -> Any:
    try:
        return repr(read())  # (repr: 1.0 == 1, a float must not read as an int)
    except Exception as error:  # (compared, both ways)
        return type(error), str(error)


_DATES = [b"2024-06", b"2024-6", b"2024-06~", b"../2024-01-01", b"2024-06 ", b"2024"]
_DATES += [b'2024"', b"2024\\u002d06", b"\x01", b"2024-06\x03x", b"", "é".encode()]
_RECORDED = [b"2024-07-01", b"2024-7-01", b"2024-07-01T00:00:00", b"2024-07-01 "]
_RECORDED += [b"2024-07-01T01:02:03+00:00", b"2024-07-01T01:02:03.500000", b"\x02"]
_PAYLOADS = [b'{"count":1}', b'{"count": 1}', b'{"count":1.0}', b'{"count":1e2}']
_PAYLOADS += [b'{"count":10000000000000000000000}', b'{"count":1,"count":2}', b"{}"]
_PAYLOADS += [b'{"label":"a","count":1}', b'{"count":101}', b"[]", b'{"count":1}}']
_PAYLOADS += [b'{"count":1,"label":"","ratio":1e-05,"when":null}', b"\x01", b"null"]
_IDS = ["e1", " e1", "", "é", 'a"b', "a\\b", "a\x7f"]

_edits = st.one_of(
    st.none(),
    st.tuples(st.just(0), st.sampled_from(_DATES) | st.binary(max_size=6)),
    st.tuples(st.just(1), st.sampled_from(_RECORDED) | st.binary(max_size=6)),
    st.tuples(st.just(2), st.sampled_from(_PAYLOADS) | st.binary(max_size=6)),
    st.tuples(st.just(3), st.sampled_from(_IDS)),
    st.tuples(st.just(4), st.sampled_from([b"", b"\x00" * 5, b"\x00" * 31])),
    st.tuples(st.just(5), st.sampled_from(["space", "reversed", "ascii", "float"])),
)


def _respelled(payload: bytes, how: str) -> bytes:
    """The event's own payload, spelled otherwise (the same JSON value)."""
    value = json.loads(payload)
    if how == "space":
        return json.dumps(value).encode()
    if how == "reversed":
        value = dict(reversed(value.items()))
    elif how == "float":
        value = {k: float(v) if type(v) is int else v for k, v in value.items()}
    text = json.dumps(value, ensure_ascii=how == "ascii", separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


_any_event = st.one_of(
    events(Reading, count=st.integers(-(2**70), 2**70)),
    events(Checked, count=st.integers(0, 200)),
    events(Noted),
)


@given(_any_event, st.integers(2, 10**7), st.booleans(), _edits)
@example(Reading(id="e", occurred="2024", recorded="2024-01-01"), 2, False, None)
@example(Noted(id="e", occurred="2024", recorded="2024-01-01"), 2, True, None)
@example(Reading(id="e", occurred="2024", recorded="2024-01-01"), 2, False, (0, b""))
@example(
    Checked(id="e", occurred="2024", recorded="2024-01-01"),
    2,
    False,
    (2, b'{"count":101}'),
)
@example(
    Checked(id="e", occurred="2024", recorded="2024-01-01"), 2, False, (5, "space")
)
@example(
    Checked(id="e", occurred="2024", recorded="2024-01-01"), 2, False, (5, "float")
)
@example(
    Reading(id="e", occurred="2024", recorded="2024-01-01"), 2, False, (5, "reversed")
)
@example(
    Reading(id="e", occurred="2024", recorded="2024-01-01", label="é"),
    2,
    False,
    (5, "ascii"),
)
@settings(max_examples=400, deadline=None)
def test_a_usual_row_reads_as_its_body_read_whole(
    log: SQLiteLog, event: Event, seq: int, more: bool, edit: Any
) -> None:
    body = encode_event(event, seq, more=more)
    digest = hashlib.sha256(body).digest()  # (reads do not check the chain)
    row = log._row(event, seq, body, digest, more, {})
    event_id, code, stored = row[1], row[2], row[8]
    digest = row[9]
    if edit is not None and code is not None:
        where, value = edit
        if where == 3:
            event_id = value
        elif where == 4:
            digest = value
        else:
            parts = stored.replace(b"\x01", b"\x02{}").split(b"\x03", 1)
            parts = [parts[0], *parts[1].split(b"\x02", 1)] if len(parts) == 2 else []
            if len(parts) == 3:
                if where == 5:
                    where, value = 2, _respelled(parts[2], value)
                parts[where] = value
                stored = b"%b\x03%b\x02%b" % tuple(parts)
    fast = _outcome(lambda: log._decode_row(seq, event_id, code, stored, digest))
    whole = _outcome(
        lambda: RelationalLog._decode_row(log, seq, event_id, code, stored, digest)
    )
    assert fast == whole
    if edit is None:  # (== : a naive time's fold is not stored)
        assert log._decode_row(seq, event_id, code, stored, digest) == event


def test_usual_rows_are_read_from_their_parts(
    log: SQLiteLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The path the test above compares is the one taken.)"""
    event = Reading(id="e", occurred="2024-06", recorded="2024-07-01", count=3)
    body = encode_event(event, 9)
    row = log._row(event, 9, body, hashlib.sha256(body).digest(), False, {})
    assert (
        row[8]
        == b'2024-06\x032024-07-01\x02{"count":3,"label":"","ratio":0.0,"when":null}'
    )

    def whole(*args: Any) -> Event:
        raise AssertionError("read whole")

    monkeypatch.setattr(RelationalLog, "_decode_row", whole)
    assert log._decode_row(9, "e", row[2], row[8], row[9]) == event
    with pytest.raises(AssertionError, match="read whole"):
        log._decode_row(9, " e", row[2], row[8], row[9])


# A correction's compact row: OCCURRED \x03 RECORDED","source":null \x0e \x0f
# TARGETS ]\x12]\x10 PAYLOAD (supersedes TARGETS; source, summary, tags empty).
_TARGETS = [b'"a"', b'"a","b"', b'"a" ', b'""', b'"e"', b"1", b'"a","a"', b"null"]
_TARGETS += [b'"\\u0061"', b'"a"]', b'"a",', b"", b'"\xc3\xa9"', b'"a\\"b"', b"\x12"]

_correction_edits = st.one_of(
    st.none(),
    st.tuples(st.just("targets"), st.sampled_from(_TARGETS) | st.binary(max_size=6)),
    st.tuples(st.just("payload"), st.sampled_from(_PAYLOADS) | st.binary(max_size=6)),
    st.tuples(st.just("recorded"), st.sampled_from(_RECORDED) | st.binary(max_size=6)),
    st.tuples(st.just("id"), st.sampled_from(_IDS)),
)


@given(
    _any_event,
    st.lists(st.sampled_from(["a", "b", "c d", "é"]), min_size=1, max_size=3),
    st.booleans(),
    _correction_edits,
)
@example(Reading(id="e", occurred="2024", recorded="2024-01-01"), ["a"], False, None)
@example(
    Reading(id="e", occurred="2024", recorded="2024-01-01"),
    ["a"],
    False,
    ("targets", b'"e"'),
)
@example(
    Reading(id="e", occurred="2024", recorded="2024-01-01"),
    ["a"],
    False,
    ("targets", b'"\\u0061"'),
)
@example(
    Noted(id="e", occurred="2024", recorded="2024-01-01"),
    ["a", "b"],
    True,
    ("targets", b'"a","b"]\x12]\x10{}'),
)
@settings(max_examples=200, deadline=None)
def test_a_correction_row_reads_as_its_body_read_whole(
    log: SQLiteLog, event: Event, targets: list[str], more: bool, edit: Any
) -> None:
    event = attrs.evolve(
        event,
        supersedes=tuple(dict.fromkeys(targets)),
        source=None,
        summary=None,
        tags=(),
    )
    body = encode_event(event, 7, more=more)
    digest = hashlib.sha256(body).digest()
    row = log._row(event, 7, body, digest, more, {})
    event_id, code, stored, digest = row[1], row[2], row[8], row[9]
    head, tail = b'","source":null\x0e\x0f', b"]\x12]\x10"
    parts = stored.split(b"\x03", 1)
    if len(parts) == 2 and head in parts[1] and tail in parts[1]:
        recorded, rest = parts[1].split(head, 1)
        found, payload = rest.split(tail, 1)
        assert found == json.dumps(event.supersedes, ensure_ascii=False)[1:-1].replace(
            ", ", ","
        ).encode("utf-8")
        if edit is not None:
            where, value = edit
            if where == "id":
                event_id = value
            elif where == "targets":
                found = value
            elif where == "payload":
                payload = value
            else:
                recorded = value
        stored = parts[0] + b"\x03" + recorded + head + found + tail + payload
    else:  # (an id JSON escapes: kept whole, read whole)
        assert code is None
    fast = _outcome(lambda: log._decode_row(7, event_id, code, stored, digest))
    whole = _outcome(
        lambda: RelationalLog._decode_row(log, 7, event_id, code, stored, digest)
    )
    assert fast == whole
    if edit is None:
        assert log._decode_row(7, event_id, code, stored, digest) == event


def test_correction_rows_are_read_from_their_parts(
    log: SQLiteLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The path the test above compares is the one taken for a correction.)"""
    event = Noted(
        id="e", occurred="2024-06", recorded="2024-07-01", supersedes=("a", "b")
    )
    body = encode_event(event, 9)
    row = log._row(event, 9, body, hashlib.sha256(body).digest(), False, {})
    assert row[8] == b'2024-06\x032024-07-01","source":null\x0e\x0f"a","b"]\x12]\x10{}'

    def whole(*args: Any) -> Event:
        raise AssertionError("read whole")

    monkeypatch.setattr(RelationalLog, "_decode_row", whole)
    assert log._decode_row(9, "e", row[2], row[8], row[9]) == event
    for targets in (b'"e"', b'"a" ', b'""', b'"\\u0061"'):
        stored = row[8].replace(b'"a","b"', targets)
        with pytest.raises(AssertionError, match="read whole"):
            log._decode_row(9, "e", row[2], stored, row[9])
