"""The PostgreSQL log beyond the storage contract: several logs in one
database, append-only enforced by the server (triggers, an INSERT-and-SELECT
role), verify against tampering, ``open_log(verify=...)``, persisted
checkpoints, ``convert`` in every direction, the CLI with a URL.

The server is ``TIMELINE_TEST_POSTGRES_URL`` (tests/_postgres.py).
"""

from __future__ import annotations

import datetime
import itertools
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest

import _postgres
import timeline
from strategies import SELECTIVE, TRACE, Counted, Noted
from timeline import (
    ConcurrencyError,
    IntegrityError,
    InvalidEventError,
    Log,
    Projection,
    StorageError,
)

psycopg = pytest.importorskip("psycopg")
from timeline._storage import relational  # noqa: E402
from timeline._storage.postgres import PostgresLog  # noqa: E402
from timeline._storage.sqlite import SQLiteLog  # noqa: E402


def admin() -> Any:
    return psycopg.connect(_postgres.server_url(), autocommit=True)


def small_events() -> list[timeline.Event]:
    return [
        Noted(id="a", occurred="2001", recorded="2024-01-01"),
        Counted(id="b", occurred="../2001-06", recorded="2024-01-02", by=2),
        Noted(id="c", occurred="2000/..", recorded="2024-01-02", supersedes=("a",)),
        Noted(id="d", occurred="1999-05-04", recorded="2024-01-03"),
    ]


def filled(prefix: str = "pg") -> str:
    url = _postgres.fresh_url(prefix)
    with timeline.open_log(url) as log:
        events = small_events()
        log.append(*events[:2])
        log.append(*events[2:])
    return url


def log_id(url: str) -> int:
    with PostgresLog(url, create=False) as log:
        return log._log_id


def test_without_psycopg_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "timeline._storage.postgres")
    with pytest.raises(ImportError, match=r"pip install 'timeline-ledger\[postgres\]'"):
        timeline.open_log("postgresql://nobody@127.0.0.1:9/none?log=x")


def test_logs_in_one_database_are_separate() -> None:
    first, second = _postgres.fresh_url("one"), _postgres.fresh_url("two")
    with timeline.open_log(first) as a, timeline.open_log(second) as b:
        a.append(Noted(id="x", occurred="2001", recorded="2024-01-01"))
        b.append(Noted(id="x", occurred="2002", recorded="2024-01-01"))
        b.append(Noted(id="y", occurred="2003", recorded="2024-01-02"))
        assert (len(a), len(b)) == (1, 2)
        assert a.get("x").occurred != b.get("x").occurred
        assert "y" not in a
        assert a.state(TRACE, "2005-01-01").certain == ("x",)
    assert timeline.verify(first).last_seq == 1
    assert timeline.verify(second).last_seq == 2


def test_the_log_is_named_by_the_url_or_the_keyword() -> None:
    url = _postgres.fresh_url("named")
    name = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["log"][0]
    bare = url.replace(f"log={name}", "").rstrip("?&")
    with PostgresLog(bare, log=name) as log:
        log.append(Noted(id="k", occurred="2001", recorded="2024-01-01"))
    with timeline.open_log(url, create=False) as log:
        assert [e.id for e in log] == ["k"]
        assert name in log.where
    with pytest.raises(ValueError, match="names log"):
        PostgresLog(url, log="another")
    missing = _postgres.fresh_url("missing")
    with pytest.raises(FileNotFoundError, match="no such log"):
        timeline.open_log(missing, create=False)


def test_a_password_is_not_shown_in_messages() -> None:
    parts = urllib.parse.urlsplit(_postgres.server_url())
    netloc = f"nobody:s3cret@{parts.hostname}:{parts.port}"
    url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    with pytest.raises(StorageError) as raised:
        PostgresLog(url)
    assert "s3cret" not in str(raised.value)
    assert "***" in str(raised.value)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE timeline.events SET body = body WHERE log = {log}",
        "DELETE FROM timeline.events WHERE log = {log} AND seq = 4",
        "TRUNCATE timeline.events CASCADE",
        "UPDATE timeline.supersessions SET by_seq = by_seq WHERE log = {log}",
        "DELETE FROM timeline.supersessions WHERE log = {log}",
        "DELETE FROM timeline.logs WHERE id = {log}",
    ],
)
def test_the_server_refuses_changes_to_the_log(statement: str) -> None:
    url = filled()
    before = timeline.verify(url)
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only")
    with admin() as conn, refused:
        conn.execute(statement.format(log=log_id(url)))
    assert timeline.verify(url) == before


@pytest.mark.parametrize("how", ["insert", "copy", "one of two logs"])
def test_the_server_refuses_rows_of_a_log_it_does_not_have(how: str) -> None:
    # The check a foreign key on events.log would make, made once a
    # statement by the notify_append trigger (postgres.SCHEMA_SQL).
    url = filled("orphan")
    before = timeline.verify(url)
    known = log_id(url)
    with admin() as conn:
        missing = conn.execute("SELECT max(id) + 1 FROM timeline.logs").fetchone()[0]
        row = (missing, 1, b"x", 0, 0, None, 0, 0.0, b"{}", bytes(32))
        refused = pytest.raises(psycopg.errors.ForeignKeyViolation, match="log")
        insert = "INSERT INTO timeline.events VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
        if how == "insert":
            with refused:
                conn.execute(insert, row)
        elif how == "copy":
            copy_rows = "COPY timeline.events FROM STDIN"
            with refused, conn.cursor() as cursor, cursor.copy(copy_rows) as copy:
                copy.write_row(row)
        else:
            both = insert + ", (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            with refused:
                conn.execute(both, (known, 5, *row[2:], *row))
        assert conn.execute(
            "SELECT count(*) FROM timeline.events WHERE log = %s", (missing,)
        ).fetchone() == (0,)
    assert timeline.verify(url) == before


def test_a_role_with_insert_and_select_only_appends_and_reads() -> None:
    role = f"timeline_writer_{uuid.uuid4().hex[:8]}"
    url = filled("role")
    with admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA timeline TO {role}")
        conn.execute(
            "GRANT SELECT, INSERT ON timeline.logs, timeline.events, "
            f"timeline.supersessions, timeline.checkpoints TO {role}"
        )
    parts = urllib.parse.urlsplit(url)
    netloc = f"{role}@{parts.hostname}:{parts.port}"
    as_writer = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    reader = f"{role}_reader"
    with admin() as conn:
        conn.execute(f"CREATE ROLE {reader} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA timeline TO {reader}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA timeline TO {reader}")

    def connected_as(name: str, log: str | None = None) -> str:
        netloc = f"{name}@{parts.hostname}:{parts.port}"
        query = parts.query if log is None else urllib.parse.urlencode({"log": log})
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))

    try:
        with timeline.open_log(as_writer) as log:
            with log.subscribe(after=4) as subscription:
                log.append(Noted(id="e", occurred="2002", recorded="2024-02-01"))
                assert [e.id for e in subscription.fetch(timeout=10)] == ["e"]
            assert log.state(TRACE, "2003-01-01").certain[-1] == "e"
            # Even with the triggers gone, the role may not change rows.
            for statement in (
                "UPDATE events SET body = body WHERE {log}",
                "DELETE FROM events WHERE {log}",
            ):
                with pytest.raises(StorageError, match="not permitted"):
                    log._run(statement)
        assert timeline.verify(as_writer).last_seq == 5
        # A new log of the writer's own, and a copy made by convert.
        made = connected_as(role, f"made-{role}")
        with timeline.open_log(made) as log:
            log.append(*small_events())
        copied = connected_as(role, f"copied-{role}")
        assert timeline.convert(made, copied).head == timeline.verify(made).head
        # The reader reads, verifies and follows, and may not write.
        as_reader = connected_as(reader)
        with timeline.open_log(as_reader) as log:
            assert log.state(TRACE, "2003-01-01").certain[-1] == "e"
            with log.subscribe(idle=0) as subscription:
                assert len(list(subscription)) == 5
            with pytest.raises(StorageError, match="not permitted"):
                log.append(Noted(id="f", occurred="2002", recorded="2024-02-02"))
            assert log.last_seq == 5
        assert timeline.verify(as_reader).last_seq == 5
        with pytest.raises(StorageError, match="not permitted"):
            timeline.open_log(connected_as(reader, f"new-{role}"))
    finally:
        with admin() as conn:
            for name in (role, reader):
                conn.execute(f"DROP OWNED BY {name}")
                conn.execute(f"DROP ROLE {name}")


def test_tables_of_the_earlier_layout_are_upgraded_by_their_owner() -> None:
    """Tables made before the notify_append trigger (events.log a foreign
    key, no trigger): their owner's next open brings them to this layout."""
    database = f"timeline_upgrade_{uuid.uuid4().hex[:8]}"
    parts = urllib.parse.urlsplit(_postgres.server_url())
    server = urllib.parse.urlunsplit(parts._replace(path=f"/{database}", query=""))
    url = f"{server}?log=old"
    with admin() as conn:
        conn.execute(f"CREATE DATABASE {database}")
    try:
        with timeline.open_log(url) as log:
            log.append(*small_events()[:2])
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                "ALTER TABLE timeline.events ADD CONSTRAINT events_log_fkey "
                "FOREIGN KEY (log) REFERENCES timeline.logs (id)"
            )
            conn.execute("DROP TRIGGER notify_append ON timeline.events")
        with timeline.open_log(url) as log:
            (keys,) = log._run(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'timeline.events'::regclass"
            ).fetchone()
            (triggers,) = log._run(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'notify_append'"
            ).fetchone()
            assert (keys, triggers) == (0, 1)
            with log.subscribe(after=2) as subscription:
                log.append(*small_events()[2:])
                assert len(subscription.fetch(timeout=10)) == 2
        assert timeline.verify(url).last_seq == 4
        with (
            psycopg.connect(server, autocommit=True) as conn,
            pytest.raises(psycopg.errors.ForeignKeyViolation),
        ):
            conn.execute(
                "INSERT INTO timeline.events VALUES "
                "(999, 1, 'x', 0, 0, NULL, 0, 0, 'x', 'x')"
            )
    finally:
        with admin() as conn:
            conn.execute(f"DROP DATABASE {database} WITH (FORCE)")


def tamper(url: str, statement: str) -> None:
    """Edit the log as a superuser who first disables the triggers."""
    with admin() as conn, conn.transaction():
        conn.execute("ALTER TABLE timeline.events DISABLE TRIGGER append_only")
        conn.execute("ALTER TABLE timeline.supersessions DISABLE TRIGGER append_only")
        conn.execute(statement.format(log=log_id(url)))
        conn.execute("ALTER TABLE timeline.events ENABLE TRIGGER append_only")
        conn.execute("ALTER TABLE timeline.supersessions ENABLE TRIGGER append_only")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "UPDATE timeline.events SET body = convert_to(replace("
            "convert_from(body, 'UTF8'), '2001', '2002'), 'UTF8') "
            "WHERE log = {log} AND seq = 1",
            "seq 1: hash mismatch",
        ),
        (
            "UPDATE timeline.events SET hi = hi + 1 WHERE log = {log} AND seq = 4",
            "seq 4: the indexed columns",
        ),
        (
            "DELETE FROM timeline.supersessions WHERE log = {log}",
            "supersessions table does not match",
        ),
        (
            "DELETE FROM timeline.events WHERE log = {log} AND seq = 2",
            "expected sequence",
        ),
        (
            "DELETE FROM timeline.events WHERE log = {log} AND seq = 4",
            "ends inside a batch: records were cut off",
        ),
        (
            "DELETE FROM timeline.supersessions WHERE log = {log} AND by_seq >= 3;"
            "DELETE FROM timeline.events WHERE log = {log} AND seq >= 3",
            "",  # a whole batch cut off the end: only a head notices
        ),
    ],
)
def test_tampering_is_caught_by_verify_and_by_open_log(
    statement: str, message: str
) -> None:
    url = filled("tamper")
    head = str(timeline.verify(url))
    tamper(url, statement)
    if not message:
        assert timeline.verify(url).last_seq == 2
        with pytest.raises(IntegrityError, match="cut off the end"):
            timeline.verify(url, head=head)
        with pytest.raises(IntegrityError, match="cut off the end"):
            timeline.open_log(url, verify=head)
        return
    with pytest.raises(IntegrityError, match=message):
        timeline.verify(url)
    with pytest.raises(IntegrityError, match=message):
        timeline.open_log(url, verify=True)
    # Without verify, a query reads the edited row as it now is.
    with timeline.open_log(url) as log:
        assert len(log) >= 3


def test_open_log_verify_passes_a_good_log() -> None:
    url = filled("good")
    head = str(timeline.verify(url))
    with timeline.open_log(url, verify=True) as log:
        assert log.last_seq == 4
    with timeline.open_log(url, verify=head) as log:
        assert str(log.head[0]) == head.split(":")[0]
    wrong = head.split(":")[0] + ":" + "0" * 64
    with pytest.raises(IntegrityError, match="rewritten"):
        timeline.open_log(url, verify=wrong)


def test_convert_in_every_direction_keeps_the_head(tmp_path: Path) -> None:
    start = tmp_path / "start.jsonl"
    with timeline.open_log(start) as log:
        log.append(*small_events())
    head = timeline.verify(start)
    chain = [
        start,
        _postgres.fresh_url("conv"),
        tmp_path / "a.sqlite",
        _postgres.fresh_url("conv"),
        tmp_path / "b.jsonl",
        _postgres.fresh_url("conv"),
    ]
    for source, target in itertools.pairwise(chain):
        result = timeline.convert(source, target)
        assert (result.last_seq, result.head) == (head.last_seq, head.head)
    assert (tmp_path / "b.jsonl").read_bytes() == start.read_bytes()
    with pytest.raises(FileExistsError, match="has records"):
        timeline.convert(start, chain[1])


def test_a_repeated_id_is_named_and_changes_nothing() -> None:
    url = filled("dup")
    with timeline.open_log(url) as log:
        before = list(log.raw_records())
        with pytest.raises(InvalidEventError, match=r"'b'.*already in the log"):
            log.append(Noted(id="b", occurred="2001", recorded="2024-05-01"))
        assert list(log.raw_records()) == before
        with pytest.raises(ConcurrencyError):
            log.append(
                Noted(id="z", occurred="2001", recorded="2024-05-01"), expected_seq=1
            )
        assert list(log.raw_records()) == before


def test_writers_recording_now_are_never_refused_as_back_dated() -> None:
    """Issue 12 item 6: processes appending with stamp=True to one log."""
    from test_concurrency import check_recording_now

    url = _postgres.fresh_url("stamp")
    timeline.open_log(url).close()
    check_recording_now(url)


@pytest.mark.parametrize("failing", [1, 300, 1000])
def test_a_batch_failing_while_its_rows_stream_in_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    # An append's rows are encoded as COPY takes them: an error after some
    # rows went to the server must leave no row, and the log usable.
    from timeline._storage import relational
    from timeline._storage.codec import CodecError

    url = filled("stream")
    encode = relational.encode_event

    def encode_until(event: timeline.Event, seq: int, *, more: bool) -> bytes:
        if seq == 4 + failing:
            raise CodecError("refused by the test")
        return encode(event, seq, more=more)

    batch = [
        Noted(id=f"s{i}", occurred="2003", recorded="2024-05-01") for i in range(1000)
    ]
    with timeline.open_log(url) as log:
        before = list(log.raw_records())
        monkeypatch.setattr(relational, "encode_event", encode_until)
        with pytest.raises(CodecError, match=f"event {failing} of the batch"):
            log.append(*batch)
        monkeypatch.undo()
        assert list(log.raw_records()) == before
        assert log.append(*batch[:2], expected_seq=4) == 6
    assert timeline.verify(url).last_seq == 6


def test_a_closed_log_says_so() -> None:
    log = timeline.open_log(filled("closed"))
    log.close()
    with pytest.raises(StorageError, match="closed"):
        len(log)
    with pytest.raises(StorageError, match="closed"):
        log.append(Noted(id="late", occurred="2001", recorded="2030-01-01"))


class Counting:
    """A named projection that counts its handler's calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.projection: Projection[int] = Projection(0, name="counting")
        self.projection.on(timeline.Event)(self.handle)

    def handle(self, state: int, event: timeline.Event) -> int:
        self.calls += 1
        return state + 1


def many_events(count: int, start: int = 0) -> list[timeline.Event]:
    first = datetime.date(1990, 1, 1).toordinal()
    return [
        Noted(
            id=f"n{i}",
            occurred=datetime.date.fromordinal(first + i).isoformat(),
            recorded="2024-01-01",
        )
        for i in range(start, start + count)
    ]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_a_fresh_process_starts_from_persisted_checkpoints(
    backend: str, tmp_path: Path
) -> None:
    target = _postgres.fresh_url("ckpt") if backend == "postgres" else tmp_path / "c.db"
    events = many_events(3000)
    with timeline.open_log(target) as log:
        log.append(*events)
        first = Counting()
        assert log.certain(first.projection, "2000-01-01") == 3000
        assert first.calls == 3000  # the first fold of all, saving states
    # A new handle (a fresh process's) folds at most the gap after the
    # nearest saved state: here it is the end of the fold.
    with timeline.open_log(target) as log:
        again = Counting()
        assert log.certain(again.projection, "2000-01-01") == 3000
        assert again.calls < 1024
        # A late event (fold position near the start) invalidates them from
        # there on: the answer still counts it.
        log.append(Noted(id="late", occurred="1990-01-05", recorded="2024-02-01"))
    with timeline.open_log(target) as log:
        late = Counting()
        assert log.certain(late.projection, "2000-01-01") == 3001
        assert late.calls > 2000
        model = Log([*events, log.get("late")])
        for day in ("1990-01-04", "1990-01-05", "1995-06-01", "2000-01-01"):
            assert log.state(TRACE, day) == model.state(TRACE, day)
            assert log.state(SELECTIVE, day) == model.state(SELECTIVE, day)
    with timeline.open_log(target) as log:
        for known_at, count in (("2024-01-01", 3000), (None, 3001)):
            fresh = Counting()
            assert log.certain(fresh.projection, "2000-01-01", known_at) == count


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_in_memory_checkpoints_stay_bounded_and_right(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However long the log, a projection keeps at most ``_max_checkpoints``
    states in memory (every other one dropped when full), and the answers
    stay those of the in-memory log, late and superseding events included;
    a long fold saves its persisted checkpoints as it goes."""
    monkeypatch.setattr(relational, "_SAVED_AT_ONCE", 8)
    events: list[timeline.Event] = many_events(400)
    events += [
        Noted(id="late", occurred="1990-02-01", recorded="2024-02-01"),
        Noted(id="fix", occurred="1990-03", recorded="2024-02-02", supersedes=("n5",)),
    ]
    target = _postgres.fresh_url("bounded") if backend == "postgres" else None
    kind = PostgresLog if target is not None else SQLiteLog
    target = target or tmp_path / "b.db"
    with kind(target, checkpoint_every=1, persist_every=2) as log:
        log._max_checkpoints = 16
        model = Log(clock=None)
        days = ("1990-01-20", "1990-06-30", "1990-12-31", "1991-02-03", "1990-02-01")
        for batch in (events[:200], events[200:400], events[400:]):
            log.append(*batch)
            model.append(*batch)
            for day in days:
                assert log.state(TRACE, day) == model.state(TRACE, day)
                kept = max(len(view.keys) for view in log._checkpoints.values())
                assert 0 < kept <= 16
    with timeline.open_log(target) as log:  # from the persisted ones
        for day in days:
            assert log.state(TRACE, day) == model.state(TRACE, day)


def test_a_changed_handler_does_not_use_old_checkpoints() -> None:
    url = _postgres.fresh_url("changed")
    with timeline.open_log(url) as log:
        log.append(*many_events(2100))
        log.certain(Counting().projection, "2000-01-01")
        doubled: Projection[int] = Projection(0, name="counting")

        @doubled.on(timeline.Event)
        def _(state: int, event: timeline.Event) -> int:
            return state + 2

        assert log.certain(doubled, "2000-01-01") == 4200
        bumped: Projection[int] = Projection(0, name="counting", version=2)
        bumped.on(timeline.Event)(Counting().handle)
    with timeline.open_log(url) as log:
        assert log.certain(bumped, "2000-01-01") == 2100


def test_cli_verify_and_convert_take_a_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from timeline.cli import main

    url = filled("cli")
    assert main(["verify", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 4 records")
    copy = tmp_path / "copy.jsonl"
    assert main(["convert", url, str(copy)]) == 0
    capsys.readouterr()
    back = _postgres.fresh_url("cli")
    assert main(["convert", str(copy), back]) == 0
    capsys.readouterr()
    assert timeline.verify(back) == timeline.verify(url).__class__(
        back, *[getattr(timeline.verify(url), f) for f in ("last_seq", "head")]
    )


def test_cli_commands_read_a_log_by_url(capsys: pytest.CaptureFixture[str]) -> None:
    from timeline.cli import main

    url = _postgres.fresh_url("cli-log")
    bundled = Path(__file__).resolve().parent.parent / "events" / "nk_russia.jsonl"
    timeline.convert(bundled, url)
    for command in (["state", "--as-of", "2024-07-01"], ["events"]):
        assert main([*command, "--log", bundled.as_posix()]) == 0
        from_file = capsys.readouterr().out
        assert main([*command, "--log", url]) == 0
        assert capsys.readouterr().out == from_file
    missing = _postgres.fresh_url("cli-missing")
    assert main(["state", "--as-of", "2024-07-01", "--log", missing]) != 0
    assert "no such log" in capsys.readouterr().err


@pytest.mark.parametrize("failure", ["exit 1", "echo 'export SOMETHING=else'"])
def test_ci_stops_when_the_postgresql_server_does_not_start(
    tmp_path: Path, failure: str
) -> None:
    """.ci/run's server start, with a tools/pg-test-server that fails (or
    gives no URL): the run stops there, before any test could skip."""
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    start = ci.index("pg_dir=$(mktemp")
    block = ci[start : ci.index("\n\n", start)]
    assert "pg-test-server start" in block, block
    tools = tmp_path / "tools"
    tools.mkdir()
    stub = tools / "pg-test-server"
    stub.write_text(f'#!/bin/sh\n[ "$1" = start ] || exit 0\n{failure}\n')
    stub.chmod(0o755)
    script = (
        f"set -euo pipefail\nunset {_postgres.URL_VARIABLE}\n{block}\necho went on\n"
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "went on" not in done.stdout
