"""Fuzzing the readers (issue 16 item 8).

Hypothesis writes a valid JSON Lines log through :class:`FileLog` (rich
payloads, batches), then damages it: bytes flipped, inserted or deleted,
the file cut anywhere, lines duplicated, deleted or reordered, and records
*re-hashed* after an edit (so that the chain holds and only the reader's
own checks stand between the edit and the events): odd JSON (members
repeated or reordered, white space, other escapes and number spellings, a
lone surrogate), a value swapped for another of some type, a member
dropped.  Then every reader is asked, and:

- no reader raises anything but the documented error
  (:class:`IntegrityError`, or a :class:`StorageError` for a path that
  cannot be used);
- ``verify`` never accepts what the writer would not write: whatever it
  accepts is byte for byte the lines the writer writes for the events it
  read (re-encoded by the stdlib reference encoder, and re-chained);
- ``open_log`` accepts exactly what ``verify`` accepts, with the same
  events, and the chain-only check accepts at least as much;
- no read-only command changes the file (its SHA-256 before and after):
  ``verify`` (with and without ``--chain-only``), ``open_log`` (with
  ``create`` either way), ``timeline verify`` and ``timeline events``.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

import timeline
from _odd_json import respell
from strategies import batches, event_logs
from timeline import Event, IntegrityError, StorageError, TimelineError
from timeline._storage.codec import GENESIS, chain_hash, encode_event_reference, seal
from timeline.cli import main
from timeline.strategies import events
from timeline.strategies import uncertain_dates as dates


class Mood(enum.Enum):
    CALM = "calm"
    STORM = "storm"


@attrs.frozen
class Reading:
    value: float
    unit: str = "m"


@timeline.event_type("tests.fuzz.rich")
class Rich(Event):
    """A payload of every kind the codec writes."""

    count: int = 0
    ratio: float = 0.0
    label: str = ""
    flag: bool = False
    mood: Mood = Mood.CALM
    when: timeline.UncertainDate | None = None
    day: datetime.date | None = None
    reading: Reading | None = None
    names: frozenset[str] = frozenset()
    weights: Mapping[str, int] = attrs.field(factory=dict, hash=False)
    anything: Any = None


_json_leaves = (
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=4)
)


def rich_events(recorded: datetime.date) -> st.SearchStrategy[Rich]:
    return events(
        Rich,
        recorded=st.just(recorded),
        ratio=st.floats(allow_nan=False, allow_infinity=False, width=32)
        | st.integers(-5, 5),
        when=st.none() | dates(),
        reading=st.none() | st.builds(Reading, st.floats(-1e6, 1e6)),
        names=st.frozensets(st.text(min_size=1, max_size=3), max_size=3),
        weights=st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
        anything=st.recursive(
            _json_leaves,
            lambda inner: (
                st.lists(inner, max_size=2)
                | st.dictionaries(st.text(max_size=2), inner, max_size=2)
            ),
            max_leaves=4,
        ),
    )


@st.composite
def logs(draw: st.DrawFn) -> list[list[Event]]:
    """Batches of a valid log: the test strategies' events, then a few of
    the rich type (recorded after all of them)."""
    plain = draw(event_logs(min_size=1, max_size=5))
    last = max(
        (e.recorded if type(e.recorded) is datetime.date else e.recorded.date())
        for e in plain
    )
    rich = draw(
        st.lists(
            rich_events(last + datetime.timedelta(days=1)),
            max_size=3,
            unique_by=lambda e: e.id,
        )
    )
    taken = {e.id for e in plain}
    rich = [e for e in rich if e.id not in taken]
    return [*draw(batches(plain)), *([rich] if rich else [])]


def write(path: Path, cuts: list[list[Event]]) -> Path:
    """A log of these batches at ``path``."""
    with timeline.open_log(path) as log:
        for batch in cuts:
            if batch:
                log.append(*batch)
    return path


# -- damage ---------------------------------------------------------------------

KINDS = (
    "flip a byte",
    "insert a byte",
    "delete a byte",
    "cut",
    "duplicate a line",
    "delete a line",
    "swap two lines",
    "re-hash odd JSON",
    "re-hash another value",
    "re-hash without a member",
)


def lines_of(data: bytes) -> list[bytes]:
    *whole, rest = data.split(b"\n")
    return [line + b"\n" for line in whole] + ([rest] if rest else [])


def rehashed(lines: list[bytes], at: int, body: bytes) -> list[bytes]:
    """The lines with record line ``at``'s body replaced by ``body``, and
    the chain recomputed from there on (as someone who knows the format
    would do to forge a record)."""
    head = GENESIS
    out = list(lines[:1])
    for index, line in enumerate(lines[1:], start=1):
        if not line.endswith(b'"}\n') or len(line) < 76:
            out.append(line)
            continue
        own = body if index == at else line[:-76] + b"}"
        head = chain_hash(head, own)
        out.append(seal(own, head))
    return out


def _other_value(draw: st.DataObject) -> Any:
    return draw.draw(
        st.sampled_from(
            [None, True, 0, 1, -1, 2**64, 1.5, 1e-05, "", "x", "2024", [], {}, ["a"]]
        ),
        label="other value",
    )


def damage(data: bytes, draw: st.DataObject) -> tuple[str, bytes]:
    kind = draw.draw(st.sampled_from(KINDS), label="damage")
    lines = lines_of(data)
    records = len(lines) - 1
    if kind == "flip a byte":
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        bit = draw.draw(st.integers(0, 7), label="bit")
        return kind, data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    if kind == "insert a byte":
        at = draw.draw(st.integers(0, len(data)), label="at")
        byte = draw.draw(st.integers(0, 255), label="byte")
        return kind, data[:at] + bytes([byte]) + data[at:]
    if kind == "delete a byte":
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        return kind, data[:at] + data[at + 1 :]
    if kind == "cut":
        return kind, data[: draw.draw(st.integers(0, len(data) - 1), label="at")]
    if kind in ("duplicate a line", "delete a line", "swap two lines"):
        index = draw.draw(st.integers(0, len(lines) - 1), label="line")
        if kind == "duplicate a line":
            lines.insert(index, lines[index])
        elif kind == "delete a line":
            del lines[index]
        else:
            other = draw.draw(st.integers(0, len(lines) - 1), label="other line")
            lines[index], lines[other] = lines[other], lines[index]
        return kind, b"".join(lines)
    at = draw.draw(st.integers(1, records), label="record line")
    record = json.loads(lines[at][:-1])
    del record["hash"]
    if kind == "re-hash odd JSON":
        body = respell(record, draw).encode("utf-8", "surrogatepass")
    else:
        container = record
        if record["payload"] and draw.draw(st.booleans(), label="in the payload"):
            container = record["payload"]
        member = draw.draw(st.sampled_from(sorted(container)), label="member")
        if kind == "re-hash another value":
            container[member] = _other_value(draw)
        else:
            del container[member]
        body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    return kind, b"".join(rehashed(lines, at, body))


# -- the readers ------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def written(result: Any, events: list[Event], flags: bytes) -> bytes:
    """The bytes the writer writes for these events and batch flags."""
    head = GENESIS
    out = [b'{"timeline":"jsonl","format":1}\n']
    for seq, (event, more) in enumerate(zip(events, flags, strict=True), start=1):
        body = encode_event_reference(event, seq, more=bool(more))
        head = chain_hash(head, body)
        out.append(seal(body, head))
    assert head.hex() == result.head
    return b"".join(out)


def ask(read: Any) -> tuple[str, Any]:
    """What a reader did: ("ok", result) or ("refused", message); any other
    exception fails the test."""
    try:
        return "ok", read()
    except (IntegrityError, StorageError) as error:
        message = str(error)
        assert message, "an error without a message"
        return "refused", message


@given(cuts=logs(), draw=st.data())
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_damaged_logs_are_read_as_the_writer_wrote_them_or_refused(
    cuts: list[list[Event]], draw: st.DataObject
) -> None:
    assume(any(cuts))
    with tempfile.TemporaryDirectory() as name:
        path = write(Path(name) / "log.jsonl", cuts)
        original = path.read_bytes()
        kind, changed = damage(original, draw)
        assume(changed != original)
        assume(changed)  # (an empty file is where open_log creates a log)
        path.write_bytes(changed)
        before = digest(path)

        outcome, result = ask(lambda: timeline.verify(path))
        note(f"{kind}: verify {outcome}")
        chain_only, _ = ask(lambda: timeline.verify(path, decode=False))
        opened, log_or_message = ask(lambda: timeline.open_log(path, create=False))
        created, other = ask(lambda: timeline.open_log(path))
        assert digest(path) == before, "a read changed the file"

        assert opened == created == outcome, (kind, result, log_or_message)
        if outcome == "refused":
            assert result.startswith(f"{path}: "), result
            return
        assert chain_only == "ok"  # what verify takes, the chain check takes
        with log_or_message as reader, other:
            read = list(reader)
            assert list(other) == read
            assert reader.torn == result.torn_reason
        # Never anything the writer would not write: the accepted part of
        # the file is the writer's bytes for the events read, batch flags
        # included (the scan's own flags: a batch is whole, or torn).
        scan = timeline._storage.jsonl.scan_bytes(changed, path)
        assert list(scan.events) == read
        good = changed[: len(changed) - result.torn_bytes]
        if good or result.torn_reason != "an unfinished header":
            assert good == written(result, read, scan.more)


@pytest.mark.parametrize("command", [["verify"], ["events", "--log"]])
@given(cuts=logs(), draw=st.data())
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_the_commands_on_damaged_logs_give_one_line_and_change_nothing(
    command: list[str],
    cuts: list[list[Event]],
    draw: st.DataObject,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assume(any(cuts))
    with tempfile.TemporaryDirectory() as name:
        path = write(Path(name) / "log.jsonl", cuts)
        original = path.read_bytes()
        _, changed = damage(original, draw)
        assume(changed and changed != original)
        path.write_bytes(changed)
        before = digest(path)
        try:
            status = main([*command, str(path), "--import", "test_fuzz_readers"])
        except SystemExit as exit_:  # pragma: no cover - argparse
            status = exit_.code
        _, err = capsys.readouterr()
        assert digest(path) == before
        assert status in (0, 1, 2), (status, err)
        assert "Traceback" not in err
        if status:
            assert err.count("\n") == 1, err
            assert str(path) in err, err


def test_a_forged_record_that_reads_is_refused() -> None:
    """One example of each kind, pinned: re-hashed records that parse into
    events of the right types but are not what the writer writes."""
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "log.jsonl"
        with timeline.open_log(path) as log:
            log.append(
                Rich(
                    id="r",
                    occurred="2024",
                    recorded="2024-01-01",
                    names=frozenset({"a", "b"}),
                    weights={"a": 1, "b": 2},
                )
            )
        lines = lines_of(path.read_bytes())
        body = lines[1][:-76] + b"}"
        for old, new in [
            (b'"names":["a","b"]', b'"names":["b","a"]'),
            (b'"weights":{"a":1,"b":2}', b'"weights":{"b":2,"a":1}'),
            (b'"count":0', b'"count":0,"count":0'),
            (b'"label":""', b'"label":"\\ud800"'),
            (b'"ratio":0.0', b'"ratio":0.00'),
            (b'"id":"r"', b'"id" :"r"'),
        ]:
            assert old in body
            path.write_bytes(b"".join(rehashed(lines, 1, body.replace(old, new))))
            with pytest.raises(TimelineError, match=f"{path}: line 2: "):
                timeline.verify(path)
            with pytest.raises(TimelineError, match="line 2"):
                timeline.open_log(path, create=False)


@given(cuts=logs(), draw=st.data(), piece=st.sampled_from([1, 7, 64, 200, 333]))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_reading_in_small_pieces_reads_the_same(
    cuts: list[list[Event]], draw: st.DataObject, piece: int
) -> None:
    """Files are read a piece at a time (issue 15 item 4: streaming); pieces
    of a few bytes, which cut every line and batch, change nothing: the same
    events, head, torn tail or error, for a valid or a damaged log."""
    assume(any(cuts))
    with tempfile.TemporaryDirectory() as name:
        path = write(Path(name) / "log.jsonl", cuts)
        original = path.read_bytes()
        if draw.draw(st.booleans(), label="damaged"):
            _, changed = damage(original, draw)
            assume(changed)
            path.write_bytes(changed)

        def read() -> list[Any]:
            found: list[Any] = [ask(lambda: timeline.verify(path))]
            found.append(ask(lambda: timeline.verify(path, decode=False)))
            outcome, log = ask(lambda: timeline.open_log(path, create=False))
            if outcome == "ok":
                with log:
                    found.append((list(log), log.head, log.torn))
            else:
                found.append(log)
            copy = Path(name) / "copy.jsonl"
            copy.unlink(missing_ok=True)
            found.append(ask(lambda: str(timeline.convert(path, copy))))
            return found

        expected = read()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timeline._storage.jsonl, "_PIECE", piece)
            assert read() == expected


@given(st.lists(st.text(max_size=3), max_size=3000), st.lists(st.text(max_size=3)))
@settings(max_examples=50, deadline=None)
def test_fingerprints_are_a_set_of_strings(added: list[str], asked: list[str]) -> None:
    """verify's id set (64-bit fingerprints in a table that doubles when half
    full) answers as a set does (short texts: no two share a fingerprint)."""
    prints = timeline._storage.jsonl.Fingerprints()
    exact: set[str] = set()
    for key in added:
        assert (key in prints) == (key in exact)
        prints.add(key)
        exact.add(key)
    for key in [*added, *asked]:
        assert (key in prints) == (key in exact)
