"""The PostgreSQL log under concurrency and crashes (issue 13, item 7), each
for a bounded time:

- 8 processes append for ``SECONDS``: nothing lost, nothing duplicated, no
  gap in the sequence numbers, and the chain verifies;
- readers and ``verify`` running meanwhile never see a torn state (a batch
  in part) and never report tampering;
- a server restart (``pg_ctl stop -m immediate``, start) during appends
  loses no acknowledged append;
- a writer killed with SIGKILL in the middle of a batch leaves all of it
  or nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import Any

import pytest

import _postgres
import timeline
from timeline import ConcurrencyError, Event, StorageError

pytest.importorskip("psycopg")

CONTEXT = multiprocessing.get_context("spawn")
WRITERS = 8
SECONDS = 4.0
BATCH = 5
TIMEOUT = 120.0
BIG = 1000  # events in a batch of the kill test


@timeline.event_type("pg_reliability.wrote")
class Wrote(Event):
    writer: int
    batch: int
    part: int


COUNT: timeline.Projection[int] = timeline.Projection(0, name="pg-reliability")


@COUNT.on(Wrote)
def _count(state: int, event: Wrote) -> int:
    return state + 1


def batch_of(writer: int, batch: int, size: int = BATCH) -> list[Wrote]:
    return [
        Wrote(
            id=f"w{writer}-b{batch}-{part}",
            occurred="2024-06",
            recorded="2024-07-01",
            writer=writer,
            batch=batch,
            part=part,
        )
        for part in range(size)
    ]


def append_for(url: str, writer: int, seconds: float, start: Any, out: Any) -> None:
    """Append batches for ``seconds``, half with ``expected_seq`` (retrying
    on ConcurrencyError), half without; report the acknowledged batches."""
    acknowledged = []
    lost_races = 0
    with timeline.open_log(url) as log:
        start.wait(TIMEOUT)
        deadline = time.monotonic() + seconds
        batch = 0
        while time.monotonic() < deadline:
            events = batch_of(writer, batch)
            if batch % 2:
                log.append(*events)
            else:
                while True:
                    try:
                        log.append(*events, expected_seq=log.last_seq)
                        break
                    except ConcurrencyError:
                        lost_races += 1
            acknowledged.append(batch)
            batch += 1
    out.put((writer, acknowledged, lost_races))


def check_whole(url: str) -> None:
    """Every batch in the log is whole, once, its parts in order, seqs
    without gaps, and the chain verifies."""
    result = timeline.verify(url)
    with timeline.open_log(url, create=False) as log:
        events = list(log)
    assert len(events) == result.last_seq
    assert len({e.id for e in events}) == len(events)
    for start in range(0, len(events), BATCH):
        parts = events[start : start + BATCH]
        assert [p.part for p in parts] == list(range(BATCH))
        assert len({(p.writer, p.batch) for p in parts}) == 1


def read_meanwhile(url: str, stop: threading.Event, seen: list[Any]) -> None:
    with timeline.open_log(url, create=False) as log:
        while not stop.is_set():
            count = log.last_seq
            state = log.certain(COUNT, "2024-12-31")
            # Each state is a count of whole batches (at least the count read
            # before it: the log only grows).
            seen.append((count, state, timeline.verify(url).last_seq))


@pytest.mark.slow
def test_eight_writers_lose_nothing_and_readers_see_whole_batches() -> None:
    url = _postgres.fresh_url("writers")
    timeline.open_log(url).close()
    start = CONTEXT.Barrier(WRITERS + 1)
    out = CONTEXT.Queue()
    writers = [
        CONTEXT.Process(target=append_for, args=(url, w, SECONDS, start, out))
        for w in range(WRITERS)
    ]
    for process in writers:
        process.start()
    stop = threading.Event()
    seen: list[Any] = []
    reader = threading.Thread(target=read_meanwhile, args=(url, stop, seen))
    began = time.monotonic()
    try:
        start.wait(TIMEOUT)
        reader.start()
        reports = [out.get(timeout=TIMEOUT) for _ in writers]
        for process in writers:
            process.join(TIMEOUT)
            assert process.exitcode == 0
    finally:
        stop.set()
        for process in writers:
            if process.is_alive():
                process.kill()
    reader.join(TIMEOUT)
    took = time.monotonic() - began
    acknowledged = {(w, b) for w, batches, _ in reports for b in batches}
    check_whole(url)
    with timeline.open_log(url, create=False) as log:
        stored = [(e.writer, e.batch) for e in log if e.part == 0]
    assert len(stored) == len(set(stored))  # nothing twice
    assert set(stored) == acknowledged  # nothing lost, nothing extra
    assert len(seen) >= 3
    for count, state, verified in seen:
        assert count % BATCH == 0
        assert state % BATCH == 0
        assert count <= state <= verified
        assert verified % BATCH == 0
    races = sum(r for _, _, r in reports)
    print(
        f"\n[postgres writers] {WRITERS} writers, {took:.1f} s: "
        f"{len(acknowledged)} batches ({len(acknowledged) * BATCH} events), "
        f"{races} expected_seq races lost and retried, {len(seen)} reads and "
        "verifies meanwhile"
    )


def append_through_restarts(url: str, seconds: float, out: Any) -> None:
    """Append batches for ``seconds``, reporting each acknowledged one at
    once; a StorageError (the server went away) is retried."""
    with timeline.open_log(url) as log:
        deadline = time.monotonic() + seconds
        batch = 0
        failures = 0
        while time.monotonic() < deadline:
            try:
                log.append(*batch_of(0, batch))
            except StorageError as error:
                failures += 1
                if "may or may not have committed" in str(error):
                    out.put(("unknown", batch))
                time.sleep(0.2)
                batch += 1  # an unacknowledged batch is never retried
                continue
            out.put(("ok", batch))
            batch += 1
    out.put(("done", failures))


@pytest.mark.slow
def test_a_server_restart_during_appends_loses_no_acknowledged_append() -> None:
    url = _postgres.fresh_url("restart")
    timeline.open_log(url).close()
    out = CONTEXT.Queue()
    writer = CONTEXT.Process(target=append_through_restarts, args=(url, 8.0, out))
    writer.start()
    began = time.monotonic()
    try:
        time.sleep(1.5)
        _postgres.restart_server("immediate")
        time.sleep(1.5)
        _postgres.restart_server("immediate")
        reports = []
        while True:
            kind, value = out.get(timeout=TIMEOUT)
            if kind == "done":
                failures = value
                break
            reports.append((kind, value))
        writer.join(TIMEOUT)
        assert writer.exitcode == 0
    finally:
        if writer.is_alive():
            writer.kill()
    acknowledged = {batch for kind, batch in reports if kind == "ok"}
    unknown = {batch for kind, batch in reports if kind == "unknown"}
    check_whole(url)
    with timeline.open_log(url, create=False) as log:
        stored = {e.batch for e in log if e.part == 0}
    assert acknowledged <= stored  # no acknowledged append lost
    assert stored <= acknowledged | unknown  # and nothing that failed plainly
    assert failures >= 1  # the restarts did interrupt the writer
    print(
        f"\n[postgres restart] 2 immediate restarts in "
        f"{time.monotonic() - began:.1f} s: {len(acknowledged)} acknowledged "
        f"batches all kept, {failures} appends failed, {len(unknown)} of unknown "
        f"outcome ({len(unknown & stored)} of them committed)"
    )


def big_batches(url: str, writer: int, ready: Any) -> None:
    with timeline.open_log(url) as log:
        batch = 0
        while True:
            ready.set()
            log.append(*batch_of(writer, batch, size=BIG))
            batch += 1


@pytest.mark.slow
def test_a_writer_killed_mid_batch_leaves_all_or_nothing() -> None:
    url = _postgres.fresh_url("killed")
    timeline.open_log(url).close()
    kills = 0
    writers: set[int] = set()
    began = time.monotonic()
    for number, delay in enumerate((0.05, 0.2, 0.4, 0.7, 1.0, 1.5)):
        ready = CONTEXT.Event()
        writer = CONTEXT.Process(target=big_batches, args=(url, number, ready))
        writer.start()
        assert ready.wait(TIMEOUT)
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
        writer.join(TIMEOUT)
        assert writer.exitcode == -signal.SIGKILL  # killed, not failed
        kills += 1
        result = timeline.verify(url)
        assert result.last_seq % BIG == 0
        with timeline.open_log(url, create=False) as log:
            events = list(log)
        assert len(events) == result.last_seq
        for start in range(0, len(events), BIG):
            parts = events[start : start + BIG]
            assert [p.part for p in parts] == list(range(BIG))
            assert len({(p.writer, p.batch) for p in parts}) == 1
        writers.add(number)
    with timeline.open_log(url, create=False) as log:
        appended = {e.writer for e in log}
    assert appended <= writers
    assert len(appended) >= 4  # most writers got batches in before the kill
    print(
        f"\n[postgres kill] {kills} writers killed with SIGKILL mid-append in "
        f"{time.monotonic() - began:.1f} s: every batch whole or absent"
    )
