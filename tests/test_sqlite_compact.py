"""The SQLite container's compact rows (schema 2, docs/format.md).

A row keeps a record without the parts other columns hold, with the
envelope's usual members as one-byte codes, and the chained hash whole only
at the end of each append.  These tests check, on generated logs, what that
must not change: every record reads back byte for byte, a log converts to
JSON Lines and back unchanged, and any edit of a stored value is caught by
``verify``.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import timeline
from strategies import Counted, Noted
from timeline import Event, IntegrityError, InvalidEventError
from timeline._storage import sqlite as sqlite_storage
from timeline._storage.codec import GENESIS, encode_event, read_record
from timeline._storage.sqlite import SQLiteLog
from timeline.strategies import events, logs


@timeline.event_type("tests.sqlite_compact.free")
class Free(Event):
    data: dict[str, Any]


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

LOGS = logs(events(Noted), events(Counted), max_size=12)


def fresh(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def batches_of(items: list[Event], cuts: list[int]) -> list[list[Event]]:
    """``items`` cut into batches at the positions ``cuts`` (each batch whole)."""
    points = sorted({c % (len(items) + 1) for c in cuts} | {0, len(items)})
    return [items[a:b] for a, b in itertools.pairwise(points) if b > a]


def expected_records(batches: list[list[Event]]) -> list[tuple[bytes, bytes]]:
    """(body, hash) of each record, computed as the format says."""
    out = []
    head = GENESIS
    seq = 0
    for batch in batches:
        for index, event in enumerate(batch):
            seq += 1
            body = encode_event(event, seq, more=index != len(batch) - 1)
            head = hashlib.sha256(head + body).digest()
            out.append((body, head))
    return out


# -- the codes ------------------------------------------------------------------

JSONISH = st.lists(
    st.sampled_from(
        [*sqlite_storage._CODES, b"\t", b"\r", b"\n", b'"', b",", b"}", b"{", b"x"]
    )
    | st.binary(max_size=8).map(lambda b: bytes(c for c in b if c >= 0x20)),
    max_size=30,
).map(b"".join)


@given(JSONISH)
@example(b'","source":null,"summary":null,"supersedes":[],"tags":[],"payload":{}}')
@example(b',"supersedes":[],"tags":[],"payload":{"x":"\\u0001"}')
def test_packing_undoes_exactly(rest: bytes) -> None:
    packed = sqlite_storage._pack(rest)
    assert sqlite_storage._unpack(packed) == rest
    assert len(packed) <= len(rest)


# -- records read back byte for byte -------------------------------------------


@SETTINGS
@given(log=LOGS, cuts=st.lists(st.integers(0, 20), max_size=4))
def test_every_record_reads_back_byte_for_byte(
    tmp_path: Path, log: timeline.Log, cuts: list[int]
) -> None:
    batches = batches_of(list(log), cuts)
    path = fresh(tmp_path, "x.sqlite")
    with SQLiteLog(path) as stored:
        for batch in batches:
            stored.append(*batch)
        records = expected_records(batches)
        assert list(stored.raw_records()) == records
        assert stored.head == (
            len(records),
            (records[-1][1] if records else GENESIS).hex(),
        )
        for seq, (_, digest) in enumerate(records, 1):
            assert stored.hash_at(seq) == digest
        assert list(stored) == list(log)
        assert stored.verify() == stored.head
        compact = stored._db.execute("SELECT count(*) FROM events WHERE type IS NULL")
        assert compact.fetchone()[0] == 0  # the library's bodies all compact
        check_fast_reads(stored)


def check_fast_reads(stored: SQLiteLog) -> None:
    """Reading a row (orjson and the read plans on its rebuilt body) gives
    the event the reference reader gives for that body."""
    rows = stored._db.execute(
        "SELECT seq, id, type, body, hash FROM events ORDER BY seq"
    ).fetchall()
    for row, (body, _) in zip(rows, stored.raw_records(), strict=True):
        fast = stored._decode_row(*row)
        assert fast == read_record(body, "test").event


@SETTINGS
@given(log=LOGS, cuts=st.lists(st.integers(0, 20), max_size=4))
def test_convert_round_trips_byte_for_byte(
    tmp_path: Path, log: timeline.Log, cuts: list[int]
) -> None:
    original = fresh(tmp_path, "a.jsonl")
    original.unlink(missing_ok=True)
    with timeline.open_log(original) as jsonl:
        for batch in batches_of(list(log), cuts):
            jsonl.append(*batch)
    middle, back = fresh(tmp_path, "b.sqlite"), fresh(tmp_path, "c.jsonl")
    back.unlink(missing_ok=True)
    first = timeline.convert(original, middle)
    second = timeline.convert(middle, back)
    assert back.read_bytes() == original.read_bytes()
    assert str(first) == str(second) == str(timeline.verify(original))
    again = fresh(tmp_path, "d.sqlite")
    timeline.convert(middle, again)  # SQLite to SQLite, too
    assert str(timeline.verify(again)) == str(first)


def test_a_body_of_another_shape_is_refused(tmp_path: Path) -> None:
    """A hash-valid record written with other escapes (here ``\\u0061`` for
    "a") is not what the writer writes (issue 16: readers take exactly the
    writer's records): converting it is refused, naming the line, and a
    SQLite row holding such a body whole is refused by verify."""
    body = (
        b'{"seq":1,"id":"\\u0061","type":"tests.noted","v":1,'
        b'"occurred":"2024-06","recorded":"2024-07-01","source":null,'
        b'"summary":null,"supersedes":[],"tags":[],"payload":{}}'
    )
    digest = hashlib.sha256(GENESIS + body).digest()
    original = tmp_path / "a.jsonl"
    timeline.open_log(original).close()
    with original.open("ab") as handle:
        handle.write(body[:-1] + b',"hash":"' + digest.hex().encode() + b'"}\n')
    middle = tmp_path / "b.sqlite"
    with pytest.raises(IntegrityError, match="line 2: not the canonical JSON"):
        timeline.convert(original, middle)
    assert not middle.exists()
    with timeline.open_log(middle) as log:
        log.append(Noted(id="a", occurred="2024-06", recorded="2024-07-01"))
    db = sqlite3.connect(middle)
    with db:
        db.execute("UPDATE events SET type = NULL, body = ?, hash = ?", (body, digest))
    db.close()
    with pytest.raises(IntegrityError, match="seq 1: not the canonical JSON"):
        timeline.verify(middle)


@pytest.mark.parametrize(
    ("members", "refused"),
    [
        (b'"supersedes":[],"tags":[],', None),
        (b'"tags":[],"supersedes":[],', "expected the members"),
        (b'"supersedes":[""],"tags":[],', "supersedes: expected an array of non-empty"),
    ],
)
def test_a_record_of_an_unknown_type_is_checked_up_to_its_envelope(
    tmp_path: Path, members: bytes, refused: str | None
) -> None:
    """Issue 12 item 8: without its event type (and with --chain-only) a
    record's envelope is still checked; a valid one is counted as
    unchecked."""
    body = (
        b'{"seq":1,"id":"a","type":"nobody.declared","v":1,'
        b'"occurred":"2024-06","recorded":"2024-07-01","source":null,'
        b'"summary":null,' + members + b'"payload":{"x":[1]}}'
    )
    path = tmp_path / "x.sqlite"
    with timeline.open_log(path) as log:
        log.append(Noted(id="a", occurred="2024-06", recorded="2024-07-01"))
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "UPDATE events SET type = NULL, body = ?, hash = ?",
            (body, hashlib.sha256(GENESIS + body).digest()),
        )
    db.close()
    with pytest.raises(
        IntegrityError, match=r"seq 1: " + (refused or r".*nobody\.declared")
    ):
        timeline.verify(path)
    for check in (
        lambda: timeline.verify(path, decode=False),
        lambda: timeline.verify(path, require_types=False),
    ):
        if refused is None:
            assert check().last_seq == 1
        else:
            with pytest.raises(IntegrityError, match=f"seq 1: {refused}"):
                check()
    if refused is None:
        result = timeline.verify(path, require_types=False)
        assert result.unchecked == (("nobody.declared", 1),)


# -- tampering --------------------------------------------------------------------


def small_log(path: Path) -> None:
    with timeline.open_log(path) as log:
        log.append(
            Noted(id="a", occurred="2024-06", recorded="2024-07-01"),
            Counted(id="b", occurred="2024", recorded="2024-07-02", by=2),
            Noted(id="c", occurred="2024-06-03", recorded="2024-07-02"),
        )
        log.append(
            Noted(
                id="d",
                occurred="../2024",
                recorded=datetime.datetime(2024, 7, 3, 12, 30),
                supersedes=("a",),
                tags=("x",),
            )
        )


COLUMNS = ["id", "type", "hi", "lo", "wc", "rday", "rsec", "body", "hash"]

NEW_VALUES: list[Any] = [
    None,
    0,
    1,
    2,
    -1,
    739_000,
    0.5,
    "a",
    "b",
    "e",
    b"",
    b"\x01",
    b"2024",
    b"\x00" * 4,
    b"\x00" * 32,
]


@SETTINGS
@given(
    seq=st.integers(1, 4),
    column=st.sampled_from(COLUMNS),
    value=st.sampled_from(NEW_VALUES)
    | st.binary(max_size=40)
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=5),
)
@example(seq=4, column="hash", value=b"\x00" * 4)
@example(seq=2, column="rsec", value=0.5)
@example(seq=3, column="wc", value=0)
@example(seq=1, column="type", value=2)
def test_any_edit_of_a_stored_value_is_caught(
    tmp_path: Path, seq: int, column: str, value: Any
) -> None:
    path = fresh(tmp_path, "x.sqlite")
    small_log(path)
    db = sqlite3.connect(path)
    with db:
        before = db.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,))
        old = before.fetchone()[0]
        try:
            db.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (value, seq))
        except sqlite3.IntegrityError:  # NOT NULL, UNIQUE: refused by SQLite itself
            return
        after = db.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,))
        new = after.fetchone()[0]
    db.close()
    if new == old and type(new) is type(old):
        return  # nothing changed
    with pytest.raises(IntegrityError) as caught:
        timeline.verify(path)
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE types SET name = 'tests.special' WHERE name = 'tests.noted'",
        "UPDATE types SET v = 2",
        "DELETE FROM types WHERE name = 'tests.counted'",
        "UPDATE events SET body = CAST(replace(body, X'03', '') AS BLOB) WHERE seq = 1",
        "DELETE FROM events WHERE seq = 4",
        "UPDATE events SET hash = substr(hash, 1, 4) WHERE seq = 4",
        "UPDATE events SET hash = X'00' || substr(hash, 2) WHERE seq = 3",
    ],
)
def test_edits_of_the_types_table_and_cut_ends_are_caught(
    tmp_path: Path, statement: str
) -> None:
    path = tmp_path / "x.sqlite"
    small_log(path)
    head = str(timeline.verify(path))
    db = sqlite3.connect(path)
    with db:
        db.execute(statement)
    db.close()
    with pytest.raises(IntegrityError) as caught:
        timeline.verify(path, head=head)
    assert str(caught.value).startswith(str(path))


@SETTINGS
@given(
    payload=st.dictionaries(
        st.sampled_from(["recorded", "source", "payload", "a", "\\", "\x01"]),
        st.sampled_from(["", "\\", '","recorded":"', "\u2028", 1, None, {}]),
        max_size=3,
    ),
    occurred=st.sampled_from(["2024", "2024-06-01", "../2025", "2024-21"]),
)
def test_fast_reads_agree_with_the_reference(
    tmp_path: Path, payload: dict[str, Any], occurred: str
) -> None:
    path = fresh(tmp_path, "x.sqlite")
    with SQLiteLog(path) as stored:
        stored.append(
            Free(id="a", occurred=occurred, recorded="2024-07-01", data=payload),
            Free(id="b", occurred=occurred, recorded="2024-07-01", data={}),
        )
        check_fast_reads(stored)
        assert stored.at(1).data == payload


def test_a_head_inside_a_batch_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    small_log(path)
    with SQLiteLog(path) as log:
        records = list(log.raw_records())
    middle = f"2:{records[1][1].hex()}"
    assert str(timeline.verify(path, head=middle)) == f"4:{records[3][1].hex()}"
    with pytest.raises(IntegrityError, match="record 2 has hash"):
        timeline.verify(path, head=f"2:{records[0][1].hex()}")


# -- appends --------------------------------------------------------------------


def test_a_repeated_id_is_named_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    small_log(path)
    content = path.read_bytes()
    with SQLiteLog(path) as log:
        before = list(log.raw_records())
        batch = [
            Noted(id="e", occurred="2024", recorded="2024-08-01"),
            Noted(id="b", occurred="2024", recorded="2024-08-01"),
        ]
        with pytest.raises(InvalidEventError, match=r"event 2 of the batch \('b'\)"):
            log.append(*batch)
        assert list(log.raw_records()) == before
        assert "e" not in log
        assert log.append(batch[0]) == 5  # and the log goes on
    assert timeline.verify(path).last_seq == 5
    assert path.read_bytes() != content


def test_new_types_are_seen_by_another_handle(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with SQLiteLog(path) as first, SQLiteLog(path) as second:
        first.append(Noted(id="a", occurred="2024", recorded="2024-01-01"))
        assert second.at(1).id == "a"
        second.append(Counted(id="b", occurred="2024", recorded="2024-01-02"))
        assert first.get("b") == Counted(id="b", occurred="2024", recorded="2024-01-02")
        # A rolled-back type does not stay in a handle's memory.
        with pytest.raises(InvalidEventError):
            first.append(
                Noted(id="c", occurred="2024", recorded="2023-01-01"),
            )
        assert timeline.verify(path).last_seq == 2


# -- the container's version --------------------------------------------------


def test_a_log_of_the_first_layout_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, body BLOB, hash BLOB)"
        )
        db.execute("CREATE TABLE supersessions (target, by_seq)")
        db.execute("INSERT INTO meta VALUES ('format', '1')")
    db.close()
    content = path.read_bytes()
    for attempt in (timeline.open_log, timeline.verify):
        with pytest.raises(IntegrityError) as caught:
            attempt(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: a SQLite log of the first layout (schema 1")
        assert f"timeline convert {path} COPY.jsonl" in message
    assert path.read_bytes() == content


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    small_log(path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    db.close()
    with pytest.raises(IntegrityError, match="schema 3, expected schema 2"):
        timeline.open_log(path)


def test_small_events_take_little_room(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    day = datetime.date(2024, 1, 1)
    occurred = timeline.UncertainDate.from_date(day)
    with timeline.open_log(path) as log:
        for start in range(0, 5000, 1000):
            log.append(
                *(
                    Noted(id=f"t{i}", occurred=occurred, recorded=day)
                    for i in range(start, start + 1000)
                )
            )
    assert path.stat().st_size / 5000 <= 150


def test_commits_wait_for_the_disk_unless_told_not_to(tmp_path: Path) -> None:
    """synchronous=FULL (2) by default, for power loss, as the JSON Lines log
    fsyncs; NORMAL (1) with fsync=False: a commit survives the process being
    killed (tests/test_crash.py), not a power loss."""
    path = tmp_path / "x.sqlite"
    with SQLiteLog(path) as log:
        assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    with SQLiteLog(path, fsync=False) as log:
        assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 1
        log.append(Noted(id="a", occurred="2024", recorded="2024-01-01"))
    assert timeline.verify(path).last_seq == 1


def test_a_type_added_by_a_failed_append_is_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with SQLiteLog(path) as log, SQLiteLog(path) as other:
        log.append(Noted(id="a", occurred="2024", recorded="2024-01-01"))
        with pytest.raises(InvalidEventError, match="already in the log"):
            # A new type, then an id found taken by the UNIQUE index.
            log.append(
                Counted(id="b", occurred="2024", recorded="2024-01-02"),
                Noted(id="a", occurred="2024", recorded="2024-01-02"),
            )
        assert log._db.execute("SELECT count(*) FROM types").fetchone()[0] == 1
        # Another writer takes the next code for another type meanwhile.
        other.append(Free(id="c", occurred="2024", recorded="2024-01-03", data={}))
        log.append(Counted(id="b", occurred="2024", recorded="2024-01-04"))
        assert [e.id for e in log] == ["a", "c", "b"]
    assert timeline.verify(path).last_seq == 3


def test_a_whole_row_cut_inside_its_batch_is_caught(tmp_path: Path) -> None:
    """A row stored whole carries its own "more" member: it must agree with
    its hash (short inside a batch, whole at its end), or a log cut inside a
    batch, its remaining row rewritten whole with a whole hash, would pass."""
    path = tmp_path / "x.sqlite"
    with SQLiteLog(path) as log:
        log.append(
            Noted(id="a", occurred="2000", recorded="2024-01-01"),
            Noted(id="b", occurred="2000", recorded="2024-01-01"),
        )
        first = next(iter(log.raw_records()))[0]
    assert first.endswith(b',"more":true}')
    db = sqlite3.connect(path)
    db.execute("DELETE FROM events WHERE seq = 2")
    db.execute(
        "UPDATE events SET type = NULL, body = ?, hash = ? WHERE seq = 1",
        (first, hashlib.sha256(GENESIS + first).digest()),
    )
    db.commit()
    db.close()
    with pytest.raises(IntegrityError, match="seq 1: the record is inside a batch"):
        timeline.verify(path)


@timeline.event_type("tests.sqlite_compact.pair")
class Pair(Event):
    a: int = 0
    b: int = 0


def test_a_rehashed_record_the_writer_would_not_write_is_refused(
    tmp_path: Path,
) -> None:
    """Issue 16 item 1: a body with its payload members swapped (valid JSON,
    the same values) and the chain recomputed after it passes every hash
    check; verify still refuses it, as the JSON Lines reader does."""
    path = fresh(tmp_path, "x.sqlite")
    with SQLiteLog(path) as stored:
        stored.append(Pair(id="p", occurred="2024", recorded="2024-07-01", a=1, b=2))
        stored.append(Noted(id="n", occurred="2024", recorded="2024-07-02"))
        records = list(stored.raw_records())
    body = records[0][0].replace(b'"a":1,"b":2', b'"b":2,"a":1')
    assert body != records[0][0]
    head = GENESIS
    rows = []
    for seq, record in enumerate([body, records[1][0]], start=1):
        head = hashlib.sha256(head + record).digest()
        rows.append((record, head, seq))
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "UPDATE events SET body = ?, hash = ?, type = NULL WHERE seq = ?", rows
        )
    db.close()
    with pytest.raises(IntegrityError, match="not what the writer writes"):
        timeline.verify(path)


def test_open_log_verify_checks_the_chain_before_answering(tmp_path: Path) -> None:
    """Issue 16 item 7: queries read rows as they are; verify=True first
    checks the whole log, verify="SEQ:HASH" also a published head."""
    path = tmp_path / "x.sqlite"
    small_log(path)
    head = str(timeline.verify(path))
    with timeline.open_log(path, verify=True) as log:
        assert log.last_seq == 4
    with timeline.open_log(path, verify=head) as log:
        assert log.last_seq == 4
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE events SET hi = hi + 1 WHERE seq = 1")
    db.close()
    with timeline.open_log(path) as log:  # without verify: answers anyway
        assert log.last_seq == 4
    with pytest.raises(IntegrityError, match="seq 1: the indexed columns"):
        timeline.open_log(path, verify=True)
    with pytest.raises(IntegrityError, match="seq 1"):
        timeline.open_log(path, verify=head)
