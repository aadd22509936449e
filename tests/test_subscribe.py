"""Subscriptions: one contract for every log (memory, JSON Lines, SQLite).

``SubscriptionContract`` states what ``log.subscribe(after=SEQ)`` promises:
the events after SEQ in sequence order, each delivered exactly once, first
those in the log and then each new one as it is committed, whoever appends
(the same handle, another handle, other threads, other processes, a writer
killed mid-batch), and the ways a subscription ends.  A hypothesis state
machine interleaves appends, subscriptions from any cursor on any handle,
reads of both kinds and closes.  Backend-specific tests follow: tampering
and torn tails mid-subscription, a writer lock held against the async form.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import fcntl
import gc
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import _postgres
import timeline
from strategies import batches, event_logs, new_events
from timeline import Event, IntegrityError, Log, Subscription
from timeline._storage import FileLog, SQLiteLog
from timeline._storage.codec import encode_batch

CONTEXT = multiprocessing.get_context("spawn")  # no fork of a busy process
TIMEOUT = 60.0  # for waits that end at once when all is well
TESTS = Path(__file__).parent


@timeline.event_type("subscribe.step")
class Step(Event):
    """An event of a concurrency test: ``writer`` appended it as the
    ``index``-th of a batch of ``size`` (its ``batch``-th)."""

    writer: str
    batch: int = 0
    index: int = 0
    size: int = 1
    note: str = ""


_DAY = datetime.date(2024, 7, 1)  # one recorded day: no writer back-dates another


def step(writer: str, batch: int, index: int, size: int, note: str = "") -> Step:
    return Step(
        id=f"{writer}-{batch}-{index}",
        occurred="2024-06",
        recorded=_DAY,
        writer=writer,
        batch=batch,
        index=index,
        size=size,
        note=note,
    )


def steps(writer: str, batch: int, size: int, note: str = "") -> list[Step]:
    return [step(writer, batch, i, size, note) for i in range(size)]


def check_whole_batches(events: list[Any]) -> None:
    """Every batch of Step events is there whole, its events together."""
    runs: dict[tuple[str, int], list[int]] = defaultdict(list)
    for position, event in enumerate(events):
        runs[event.writer, event.batch].append(position)
    for (writer, batch), positions in runs.items():
        size = events[positions[0]].size
        assert len(positions) == size, f"batch {writer}/{batch}: {len(positions)}"
        assert positions == list(range(positions[0], positions[0] + size))
        assert [events[p].index for p in positions] == list(range(size))


def collect(subscription: Subscription, wanted: int, into: list[Any]) -> None:
    """Read ``subscription`` into ``into`` until it holds ``wanted`` events
    (or the subscription ends)."""
    for event in subscription:
        into.append(event)
        if len(into) >= wanted:
            break


def in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


# -- the processes ------------------------------------------------------------------


def append_in_process(path: str, writer: str, batches: int, seed: int) -> None:
    rng = random.Random(seed)
    with timeline.open_log(path, create=False) as log:
        for batch in range(batches):
            log.append(*steps(writer, batch, rng.randint(1, 5)))
            time.sleep(rng.random() * 0.003)


_CRASH_WRITER = """
import fcntl, os, random, signal, sys
import timeline, test_subscribe
from timeline._storage.codec import encode_batch
path, generation, tear = sys.argv[1], sys.argv[2], sys.argv[3] == "tear"
log = timeline.open_log(path, create=False)
rng = random.Random(generation)
for batch in range(rng.randint(1, 4) if tear else 10**6):
    size = rng.choice((1, 2, 5, 40, 300))
    note = "x" * rng.choice((0, 200, 3000))
    log.append(*test_subscribe.steps(generation, batch, size, note))
    if batch == 0:
        # Ready once a batch is in: the kill then lands among appends.
        # (Said before the first append, a loaded machine let 5 writers
        # of 6 be killed before their first commit, 3 runs in 16.)
        os.write(1, b"ready\\n")
if tear:
    # Killed in the middle of writing a batch, as a crash mid-write leaves
    # it (a kill rarely lands inside one write() to the page cache): part
    # of the batch's bytes on disk, the writer's lock held, then SIGKILL.
    seq, head = log.head
    events = test_subscribe.steps(generation, 10**6, 3)
    data = b"".join(encode_batch(events, seq, bytes.fromhex(head))[0])
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, data[: len(data) * 2 // 3])
    os.kill(os.getpid(), signal.SIGKILL)
"""


# -- the contract -------------------------------------------------------------------


class SubscriptionContract:
    """What every log's subscriptions promise.  Subclasses say how to open one."""

    examples: ClassVar[int] = 15
    durable: ClassVar[bool] = True

    def open(self, directory: Path) -> Any:
        raise NotImplementedError

    def other_handle(self, log: Any, directory: Path) -> Any:
        """Another handle on the same log (the log itself in memory)."""
        raise NotImplementedError

    def writer_handle(self, log: Any, directory: Path) -> tuple[Any, Any]:
        """(handle, lock) for a writer thread: its own handle, or the shared
        in-memory log with a lock (a log object is for one thread)."""
        raise NotImplementedError

    def close(self, log: Any) -> None:
        log.close()

    def path(self, directory: Path) -> Path:
        raise NotImplementedError

    @pytest.fixture
    def fresh(self, tmp_path: Path) -> Iterator[Callable[[], Path]]:
        """New directories for hypothesis examples (tmp_path is per test)."""
        made: list[tempfile.TemporaryDirectory[str]] = []

        def make() -> Path:
            made.append(tempfile.TemporaryDirectory(dir=tmp_path))
            return Path(made[-1].name)

        yield make
        for directory in made:
            directory.cleanup()

    # -- catching up ---------------------------------------------------------------

    def test_catching_up_delivers_the_log_after_the_cursor(
        self, fresh: Callable[[], Path]
    ) -> None:
        @given(st.data())
        @settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        def check(data: st.DataObject) -> None:
            events = data.draw(event_logs(max_size=10))
            cuts = data.draw(batches(events))
            after = data.draw(st.integers(0, len(events)), label="after")
            directory = fresh()
            log = self.open(directory)
            for cut in cuts:
                if cut:
                    log.append(*cut)
            other = self.other_handle(log, directory)
            for handle in (log, other):
                with handle.subscribe(after=after, idle=0) as subscription:
                    assert subscription.cursor == after
                    got = list(subscription)
                    assert got == events[after:]
                    assert subscription.cursor == len(events)
                    assert subscription.closed  # idle=0: over once caught up
                    assert list(subscription) == []
            if other is not log:
                self.close(other)
            self.close(log)

        check()

    def test_one_read_spans_the_log_at_subscribing_and_what_came_after(
        self, tmp_path: Path
    ) -> None:
        """(Found by the state machine: a file feed's first read stopped
        where its log handle had read to.)"""
        log = self.open(tmp_path)
        first = steps("a", 0, 2)
        log.append(*first)
        subscription = log.subscribe(after=1)
        second = steps("a", 1, 2)
        other = self.other_handle(log, tmp_path)
        other.append(*second)
        assert subscription.fetch() == [first[1], *second]
        subscription.close()
        if other is not log:
            self.close(other)
        self.close(log)

    def test_subscribers_see_every_event_once_in_order(
        self, fresh: Callable[[], Path]
    ) -> None:
        """A state machine: appends, subscriptions from any cursor on either
        handle, fetch() and next() reads, closes, in any interleaving."""
        contract = self

        class Machine(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                self.directory = fresh()
                self.log = contract.open(self.directory)
                self.other = contract.other_handle(self.log, self.directory)
                self.events: list[Event] = []
                # (subscription, after, delivered)
                self.subscriptions: list[tuple[Subscription, int, list[Event]]] = []

            @rule(data=st.data())
            def append(self, data: st.DataObject) -> None:
                batch = data.draw(new_events(self.events, min_size=1, max_size=4))
                assert self.log.append(*batch) == len(self.events) + len(batch)
                self.events += batch

            @rule(data=st.data(), on_other=st.booleans())
            def subscribe(self, data: st.DataObject, on_other: bool) -> None:
                after = data.draw(st.integers(0, len(self.events)), label="after")
                handle = self.other if on_other else self.log
                self.subscriptions.append((handle.subscribe(after=after), after, []))

            @precondition(lambda self: self.subscriptions)
            @rule(data=st.data())
            def fetch(self, data: st.DataObject) -> None:
                subscription, _, delivered = data.draw(
                    st.sampled_from(self.subscriptions)
                )
                before = subscription.cursor
                got = subscription.fetch()
                delivered += got
                if subscription.closed:
                    assert got == []
                else:
                    assert got == self.events[before:]
                    assert subscription.cursor == len(self.events)

            @precondition(lambda self: self.subscriptions)
            @rule(data=st.data())
            def next_some(self, data: st.DataObject) -> None:
                subscription, _, delivered = data.draw(
                    st.sampled_from(self.subscriptions)
                )
                if subscription.closed:
                    assert next(subscription, None) is None
                    return
                ready = len(self.events) - subscription.cursor
                for _ in range(data.draw(st.integers(0, ready), label="n")):
                    delivered.append(next(subscription))

            @precondition(lambda self: self.subscriptions)
            @rule(data=st.data())
            def close(self, data: st.DataObject) -> None:
                subscription, _, _ = data.draw(st.sampled_from(self.subscriptions))
                subscription.close()
                assert subscription.closed
                assert subscription.fetch() == []

            @invariant()
            def delivered_in_order_once(self) -> None:
                for subscription, after, delivered in self.subscriptions:
                    assert subscription.cursor == after + len(delivered)
                    assert delivered == self.events[after : subscription.cursor]

            def teardown(self) -> None:
                for subscription, _, _ in self.subscriptions:
                    subscription.close()
                if self.other is not self.log:
                    contract.close(self.other)
                contract.close(self.log)

        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=self.examples,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )

    # -- following ------------------------------------------------------------------

    def test_a_subscriber_sees_writer_threads_exactly_once_in_order(
        self, tmp_path: Path
    ) -> None:
        log = self.open(tmp_path)
        writers, rounds = 3, 12
        rng = random.Random(7)
        plans = {
            f"t{w}": [rng.randint(1, 4) for _ in range(rounds)] for w in range(writers)
        }
        total = sum(sum(sizes) for sizes in plans.values())
        other = self.other_handle(log, tmp_path)
        seen: list[list[Any]] = [[], []]
        subscriptions = [log.subscribe(idle=TIMEOUT), other.subscribe(idle=TIMEOUT)]
        readers = [
            in_thread(lambda s=s, into=into: collect(s, total, into))
            for s, into in zip(subscriptions, seen, strict=True)
        ]

        def write(name: str) -> None:
            handle, lock = self.writer_handle(log, tmp_path)
            for batch, size in enumerate(plans[name]):
                with lock:
                    handle.append(*steps(name, batch, size))
                time.sleep(rng.random() * 0.002)
            if handle is not log:
                self.close(handle)

        threads = [in_thread(lambda n=name: write(n)) for name in plans]
        for thread in [*threads, *readers]:
            thread.join(TIMEOUT)
            assert not thread.is_alive()
        stored = list(log)
        assert len(stored) == total
        for got in seen:
            assert got == stored
            check_whole_batches(got)
        if other is not log:
            self.close(other)
        self.close(log)

    def test_an_append_in_this_process_wakes_a_subscriber_at_once(
        self, tmp_path: Path
    ) -> None:
        """Through any handle: the wake-up is no poll (poll=60 s here)."""
        log = self.open(tmp_path)
        other = self.other_handle(log, tmp_path)
        subscription = log.subscribe(poll=60, idle=TIMEOUT)
        got: list[Any] = []
        reader = in_thread(lambda: collect(subscription, 2, got))
        time.sleep(0.05)  # let it wait
        started = time.monotonic()
        other.append(*steps("a", 0, 1))
        log.append(*steps("b", 0, 1))
        reader.join(TIMEOUT)
        assert [e.id for e in got] == ["a-0-0", "b-0-0"]
        assert time.monotonic() - started < 30  # not a 60 s poll
        subscription.close()
        if other is not log:
            self.close(other)
        self.close(log)

    # -- how a subscription ends ------------------------------------------------------

    def test_idle_ends_a_subscription_and_fetch_timeouts_do_not(
        self, tmp_path: Path
    ) -> None:
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 2))
        subscription = log.subscribe(after=0)
        assert subscription.fetch(timeout=0.01) == list(log)
        assert subscription.fetch(timeout=0.01) == []
        assert not subscription.closed
        log.append(*steps("a", 1, 1))
        assert [e.id for e in subscription.fetch()] == ["a-1-0"]
        subscription.close()
        with log.subscribe(after=3, idle=0.02) as idle:
            assert list(idle) == []
            assert idle.closed
        self.close(log)

    def test_close_from_another_thread_wakes_the_reader(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        subscription = log.subscribe(poll=60)
        got: list[Any] = []
        reader = in_thread(lambda: collect(subscription, 10, got))
        time.sleep(0.05)
        subscription.close()
        reader.join(TIMEOUT)
        assert not reader.is_alive()
        assert got == []
        assert subscription.closed
        log.append(*steps("a", 0, 1))
        assert subscription.fetch() == []  # nothing after close
        with pytest.raises(StopIteration):
            next(subscription)
        self.close(log)

    def test_closing_the_log_handle_ends_its_subscriptions(
        self, tmp_path: Path
    ) -> None:
        if not self.durable:
            pytest.skip("an in-memory log is never closed")
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 1))
        subscription = log.subscribe(poll=60)
        got: list[Any] = []
        reader = in_thread(lambda: collect(subscription, 10, got))
        time.sleep(0.05)
        self.close(log)
        reader.join(TIMEOUT)
        assert not reader.is_alive()
        assert [e.id for e in got] == ["a-0-0"]
        assert subscription.closed

    def test_a_dropped_subscription_releases_what_it_held(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 3))
        signal = log._signal()
        for event in log.subscribe():
            if event.index == 1:
                break  # the loop drops the subscription
        gc.collect()
        assert signal.listeners == 0
        assert not log._subscriptions
        self.close(log)

    def test_bad_arguments_are_refused(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 2))
        with pytest.raises(ValueError, match=r"after=3: expected .* 0 to 2"):
            log.subscribe(after=3)
        with pytest.raises(ValueError, match="after=-1"):
            log.subscribe(after=-1)
        for bad in ("1", 1.0, True, None):
            with pytest.raises(TypeError, match="after: expected"):
                log.subscribe(after=bad)
        for name in ("idle", "poll"):
            for value, error in [
                (-1, ValueError),
                (math.nan, ValueError),
                ("1", TypeError),
            ]:
                with pytest.raises(error, match=name):
                    log.subscribe(**{name: value})
        with pytest.raises(ValueError, match="poll"):
            log.subscribe(poll=0)
        with (
            log.subscribe() as subscription,
            pytest.raises(ValueError, match="timeout"),
        ):
            subscription.fetch(timeout=-1)
        self.close(log)

    # -- asyncio ----------------------------------------------------------------------

    def test_async_for_follows_appends_without_blocking_the_loop(
        self, tmp_path: Path
    ) -> None:
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 2))

        def write() -> None:
            handle, lock = self.writer_handle(log, tmp_path)
            for batch in range(1, 6):
                time.sleep(0.01)
                with lock:
                    handle.append(*steps("a", batch, 2))
            if handle is not log:
                self.close(handle)

        async def main() -> tuple[list[Any], int]:
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.002)
                    ticks += 1

            ticker = asyncio.create_task(tick())
            writer = in_thread(write)
            got = []
            async with log.subscribe(after=1, idle=TIMEOUT) as subscription:
                async for event in subscription:
                    got.append(event)
                    if len(got) == 11:
                        break
            writer.join(TIMEOUT)
            ticker.cancel()
            return got, ticks

        got, ticks = asyncio.run(main())
        assert [e.id for e in got] == [e.id for e in list(log)[1:]]
        assert ticks >= 5  # the loop ran other tasks while the reader waited
        self.close(log)

    def test_async_reads_end_like_blocking_ones(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        log.append(*steps("a", 0, 3))

        async def main() -> None:
            with log.subscribe(after=1, idle=0) as caught_up:
                assert [e.index async for e in caught_up] == [1, 2]
                assert caught_up.closed
            subscription = log.subscribe(after=3)
            assert await subscription.afetch(timeout=0.01) == []
            waiting = asyncio.create_task(subscription.afetch(timeout=None))
            await asyncio.sleep(0.02)
            subscription.close()  # from another task
            assert await asyncio.wait_for(waiting, TIMEOUT) == []
            with pytest.raises(StopAsyncIteration):
                await subscription.__anext__()

        asyncio.run(main())
        self.close(log)


class DurableContract(SubscriptionContract):
    """What the durable logs add: other processes, and writers killed mid-batch."""

    crash_rounds: ClassVar[int] = 6
    #: Writers can be stopped halfway through writing a batch (JSON Lines:
    #: a batch is bytes appended to a file; a database rolls it back).
    tears: ClassVar[bool] = False

    def open(self, directory: Path) -> Any:
        return timeline.open_log(self.path(directory))

    def other_handle(self, log: Any, directory: Path) -> Any:
        return timeline.open_log(self.path(directory), create=False)

    def writer_handle(self, log: Any, directory: Path) -> tuple[Any, Any]:
        return self.other_handle(log, directory), contextlib.nullcontext()

    def stored(self, log: Any, directory: Path) -> list[Any]:
        """The log as a new handle reads it now (the handle closed after)."""
        other = self.other_handle(log, directory)
        try:
            return list(other)
        finally:
            self.close(other)

    def test_a_subscriber_sees_writer_processes_exactly_once_in_order(
        self, tmp_path: Path
    ) -> None:
        log = self.open(tmp_path)
        path = str(self.path(tmp_path))
        writers, rounds = 3, 25
        got: list[Any] = []
        subscription = log.subscribe(idle=TIMEOUT)
        processes = [
            CONTEXT.Process(target=append_in_process, args=(path, f"p{w}", rounds, w))
            for w in range(writers)
        ]
        for process in processes:
            process.start()
        try:
            for process in processes:
                process.join(TIMEOUT)
                assert process.exitcode == 0
        finally:
            for process in processes:
                if process.is_alive():
                    process.kill()
        stored = self.stored(log, tmp_path)
        collect(subscription, len(stored), got)
        assert got == stored
        assert {e.writer for e in got} == {f"p{w}" for w in range(writers)}
        check_whole_batches(got)
        subscription.close()
        self.close(log)

    @pytest.mark.slow
    def test_a_writer_killed_mid_batch_is_seen_whole_or_not_at_all(
        self, tmp_path: Path
    ) -> None:
        """Writers killed with SIGKILL at random moments, each followed by a
        repair; a subscriber following all along delivers exactly the log
        as it ends (so nothing of a batch the crash cut off, whose place a
        later writer takes), each batch whole."""
        path = self.path(tmp_path)
        log = self.open(tmp_path)
        got: list[Any] = []
        subscription = log.subscribe()
        stop = threading.Event()

        def follow() -> None:
            while not stop.is_set():
                got.extend(subscription.fetch(timeout=0.05))

        reader = in_thread(follow)
        rng = random.Random()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
        torn = tears = 0
        for generation in range(self.crash_rounds):
            # JSON Lines: every other writer dies halfway through a write.
            tear = self.tears and generation % 2 == 1
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _CRASH_WRITER,
                    str(path),
                    f"g{generation}",
                    "tear" if tear else "run",
                ],
                stdout=subprocess.PIPE,
                env=env,
            )
            assert process.stdout is not None
            assert process.stdout.readline() == b"ready\n"
            if not tear:
                time.sleep(rng.uniform(0.005, 0.12))
                process.send_signal(signal.SIGKILL)
            assert process.wait(TIMEOUT) == -signal.SIGKILL
            process.stdout.close()
            if tear:
                time.sleep(0.1)  # the subscriber looks at the torn tail
            cut = timeline.repair(path)
            assert cut or not tear
            torn += bool(cut)
            tears += tear
        stored = self.stored(log, tmp_path)
        deadline = time.monotonic() + TIMEOUT
        while len(got) < len(stored) and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        reader.join(TIMEOUT)
        assert got == stored
        check_whole_batches(got)
        # Every writer said ready after its first batch was in.
        assert {e.writer for e in got} == {f"g{n}" for n in range(self.crash_rounds)}
        print(
            f"{len(stored)} events; {torn}/{self.crash_rounds} kills left a torn "
            f"tail ({tears} of them mid-write on purpose)"
        )
        subscription.close()
        self.close(log)


class TestMemorySubscriptions(SubscriptionContract):
    examples = 40
    durable = False

    def open(self, directory: Path) -> Any:
        return Log()

    def other_handle(self, log: Any, directory: Path) -> Any:
        return log

    def writer_handle(self, log: Any, directory: Path) -> tuple[Any, Any]:
        lock = log.__dict__.setdefault("_test_lock", threading.Lock())
        return log, lock

    def close(self, log: Any) -> None:
        pass


class TestFileSubscriptions(DurableContract):
    tears = True

    def path(self, directory: Path) -> Path:
        return directory / "log.jsonl"


class TestSQLiteSubscriptions(DurableContract):
    def path(self, directory: Path) -> Path:
        return directory / "log.sqlite"


class TestPostgresSubscriptions(DurableContract):
    """On the test server (tests/_postgres.py): a log a test directory."""

    examples = 10
    _urls: ClassVar[dict[Path, str]] = {}

    @pytest.fixture(autouse=True)
    def _server(self) -> None:
        pytest.importorskip("psycopg")
        _postgres.server_url()

    def path(self, directory: Path) -> Any:
        return self._urls.setdefault(directory, _postgres.fresh_url("subscribe"))


# -- tampering, torn tails, locks --------------------------------------------------


def _records(events: list[Step], seq: int, head: str) -> list[bytes]:
    """The lines a batch of ``events`` takes in a JSON Lines log after
    record ``seq`` (whose hash is ``head``)."""
    fragments, _ = encode_batch(events, seq, bytes.fromhex(head))
    return b"".join(fragments).splitlines(keepends=True)


def _events(log: Any, count: int, writer: str = "a") -> list[Step]:
    batch = steps(writer, len(list(log)), count)
    log.append(*batch)
    return batch


def test_json_lines_records_edited_after_the_cursor_fail_the_subscription(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    with FileLog(path) as log, FileLog(path) as writer:
        _events(log, 2)
        subscription = log.subscribe(after=2)
        _events(writer, 2, "b")
        data = path.read_bytes()
        path.write_bytes(data.replace(b'"writer":"b"', b'"writer":"c"', 1))
        with pytest.raises(IntegrityError, match="line 4: hash mismatch"):
            subscription.fetch()
        assert subscription.closed
        with pytest.raises(IntegrityError, match="line 4"):  # it stays failed
            next(subscription)


def test_json_lines_cut_below_the_cursor_fails_the_subscription(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with FileLog(path) as log:
        _events(log, 3)
        subscription = log.subscribe(after=0)
        assert len(subscription.fetch()) == 3
        _events(log, 1, "b")
        assert len(subscription.fetch()) == 1
        with open(path, "r+b") as handle:
            handle.truncate(len(path.read_bytes().splitlines(keepends=True)[0]))
        with pytest.raises(IntegrityError, match=r"shrank .* records were removed"):
            subscription.fetch()


def test_a_torn_tail_is_never_delivered_and_the_subscription_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    with FileLog(path) as log:
        _events(log, 2)
        subscription = log.subscribe(after=2)
        # A crash mid-batch: the first record of a batch of two, no more.
        lines = _records(steps("torn", 0, 2), 2, log.head[1])
        with open(path, "ab") as handle:
            handle.write(lines[0])
        assert subscription.fetch() == []
        assert log.torn == "an unfinished batch at the end"
        assert timeline.repair(path) == len(lines[0])
        after = _events(log, 1, "b")
        assert subscription.fetch() == after


def test_a_torn_tail_cut_and_rewritten_at_the_same_size_is_seen(
    tmp_path: Path,
) -> None:
    """Size and time as before (the time set back, as a coarse clock does):
    the new batch is still seen."""
    path = tmp_path / "log.jsonl"
    with FileLog(path) as log:
        _events(log, 1)
        subscription = log.subscribe(after=1)
        head = log.head[1]
        lines = _records(steps("x", 0, 2), 1, head)
        with open(path, "ab") as handle:
            handle.write(lines[0])
        assert subscription.fetch() == []
        before = path.stat()
        timeline.repair(path)
        # One event whose record is as long as the torn one ("more":true).
        new = next(
            [event]
            for pad in range(64)
            for event in [step("y", 0, 0, 1, "p" * pad)]
            if len(_records([event], 1, head)[0]) == len(lines[0])
        )
        log.append(*new)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size
        assert subscription.fetch() == new


def test_sqlite_rows_edited_or_cut_after_the_cursor_fail_the_subscription(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "log.sqlite"
    for damage, message in [
        (
            "UPDATE events SET body = CAST(body || x'20' AS BLOB) WHERE seq = 4",
            "seq 4: hash mismatch",
        ),
        ("DELETE FROM events WHERE seq = 3", "expected sequence number 3, found 4"),
        ("DELETE FROM events WHERE seq = 4", "inside a batch"),
    ]:
        path.unlink(missing_ok=True)
        with SQLiteLog(path) as log:
            _events(log, 2)
            subscription = log.subscribe(after=2)
            _events(log, 2, "b")
            with contextlib.closing(sqlite3.connect(path)) as db:
                db.execute(damage)
                db.commit()
            with pytest.raises(IntegrityError, match=message):
                subscription.fetch()
            with pytest.raises(IntegrityError, match=message):
                subscription.fetch()


def test_sqlite_log_cut_below_the_cursor_fails_the_subscription(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "log.sqlite"
    with SQLiteLog(path) as log:
        _events(log, 2)
        _events(log, 2, "b")
        subscription = log.subscribe(after=4)
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("DELETE FROM events WHERE seq > 2")
            db.commit()
        with pytest.raises(IntegrityError, match="ends before record 4"):
            subscription.fetch()


def test_async_reads_never_wait_for_a_writers_lock(tmp_path: Path) -> None:
    """While another process holds the JSON Lines log's lock, the async form
    retries in the loop instead of blocking it in flock()."""
    path = tmp_path / "log.jsonl"
    with FileLog(path) as log, FileLog(path) as writer:
        _events(log, 1)
        subscription = log.subscribe(after=1)
        _events(writer, 1, "b")
        blocker = os.open(path, os.O_RDONLY)
        fcntl.flock(blocker, fcntl.LOCK_EX)

        async def main() -> tuple[list[Any], int, list[Any]]:
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.002)
                    ticks += 1

            ticker = asyncio.create_task(tick())
            held = await subscription.afetch(timeout=0.1)
            fcntl.flock(blocker, fcntl.LOCK_UN)
            free = await subscription.afetch(timeout=TIMEOUT)
            ticker.cancel()
            return held, ticks, free

        try:
            held, ticks, free = asyncio.run(main())
        finally:
            os.close(blocker)
        assert held == []
        assert ticks >= 5
        assert [e.id for e in free] == ["b-1-0"]


# -- PostgreSQL: NOTIFY, lost connections, a server restart -------------------------


def _append_one(url: str, writer: str) -> None:
    with timeline.open_log(url, create=False) as log:
        log.append(*steps(writer, 0, 1))


def test_postgres_appends_of_another_process_wake_a_subscriber_through_notify() -> None:
    psycopg = pytest.importorskip("psycopg")
    url = _postgres.fresh_url("notify")
    with timeline.open_log(url) as log:
        with psycopg.connect(_postgres.server_url(), autocommit=True) as listener:
            listener.execute(f'LISTEN "timeline_{log._log_id}"')
            subscription = log.subscribe(poll=60, idle=TIMEOUT)
            got: list[Any] = []
            reader = in_thread(lambda: collect(subscription, 1, got))
            time.sleep(0.1)  # let it wait on LISTEN
            started = time.monotonic()
            process = CONTEXT.Process(target=_append_one, args=(url, "other"))
            process.start()
            process.join(TIMEOUT)
            reader.join(TIMEOUT)
            took = time.monotonic() - started
            notified = list(listener.notifies(timeout=TIMEOUT, stop_after=1))
        assert [e.id for e in got] == ["other-0-0"]
        assert took < 30  # woken by NOTIFY, not by a 60 s poll
        assert [(n.channel, n.payload) for n in notified] == [
            (f"timeline_{log._log_id}", "1")
        ]
        subscription.close()


def test_postgres_subscriptions_survive_their_connections_being_cut() -> None:
    """Both of a subscription's connections killed by the server
    (pg_terminate_backend): it reconnects and goes on from its cursor."""
    psycopg = pytest.importorskip("psycopg")
    url = _postgres.fresh_url("cut")
    with timeline.open_log(url) as log:
        log.append(*steps("a", 0, 2))
        subscription = log.subscribe(poll=0.2)
        assert len(subscription.fetch()) == 2
        with psycopg.connect(_postgres.server_url(), autocommit=True) as admin:
            cut = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND (query = %s OR query LIKE '%%e.seq > %%')",
                (f'LISTEN "timeline_{log._log_id}"',),
            ).fetchall()
        assert len(cut) >= 2
        log.append(*steps("a", 1, 2))
        got = subscription.fetch(timeout=TIMEOUT)
        while len(got) < 2:
            more = subscription.fetch(timeout=TIMEOUT)
            assert more, "the subscription stopped delivering"
            got += more
        assert [e.id for e in got] == ["a-1-0", "a-1-1"]
        subscription.close()


def test_postgres_connections_dropped_in_a_cycle_are_closed_quietly() -> None:
    """A log and a subscription dropped without close() inside a reference
    cycle (kept by a traceback, a thread's closure): collecting them closes
    all their connections (the log's, the reader's, LISTEN's and the async
    ones), before psycopg's own __del__ could find one open and warn."""
    pytest.importorskip("psycopg")
    url = _postgres.fresh_url("dropped")

    def drop() -> int:
        log = timeline.open_log(url)
        log.append(*steps("a", 0, 2))
        subscription = log.subscribe()
        assert len(subscription.fetch()) == 2

        async def read_async() -> None:
            assert await subscription.afetch(timeout=0.01) == []

        asyncio.run(read_async())
        cycle: list[Any] = [log, subscription]
        cycle.append(cycle)
        return int(log._log_id)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log_id = drop()
        gc.collect()
    assert [str(w.message) for w in caught] == []
    with timeline.open_log(url) as log:
        deadline = time.monotonic() + TIMEOUT
        while True:
            (listening,) = log._run(
                "SELECT count(*) FROM pg_stat_activity WHERE query = :q",
                {"q": f'LISTEN "timeline_{log_id}"'},
            ).fetchone()
            if listening == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert listening == 0


def _append_retrying(log: Any, events: list[Step]) -> None:
    """Append, retrying while the server is away; an append whose commit
    may or may not have happened is looked for before it is sent again."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            log.append(*events)
            return
        except timeline.StorageError:
            if time.monotonic() > deadline:
                raise
            with contextlib.suppress(timeline.StorageError):
                if events[0].id in log:
                    return
            time.sleep(0.1)


@pytest.mark.slow
def test_postgres_subscriptions_deliver_exactly_once_across_a_server_restart() -> None:
    """pg_ctl stop -m immediate, then start, while a blocking and an async
    subscriber follow the log: both deliver the log, each event once."""
    pytest.importorskip("psycopg")
    url = _postgres.fresh_url("restart")
    with timeline.open_log(url) as log:
        log.append(*steps("a", 0, 3))
        blocking: list[Any] = []
        subscription = log.subscribe(poll=0.3)
        stop = threading.Event()

        def follow() -> None:
            while not stop.is_set():
                blocking.extend(subscription.fetch(timeout=0.1))

        async def follow_async(into: list[Any]) -> None:
            async with log.subscribe(poll=0.3) as events:
                while not stop.is_set():
                    into.extend(await events.afetch(timeout=0.1))

        asynchronous: list[Any] = []
        readers = [
            in_thread(follow),
            in_thread(lambda: asyncio.run(follow_async(asynchronous))),
        ]
        for batch in range(1, 4):
            _append_retrying(log, steps("a", batch, 3))
        _postgres.restart_server("immediate")
        for batch in range(4, 8):
            _append_retrying(log, steps("a", batch, 3))
        stored = list(log)
        deadline = time.monotonic() + TIMEOUT
        while min(len(blocking), len(asynchronous)) < len(stored):
            assert time.monotonic() < deadline, (len(blocking), len(asynchronous))
            time.sleep(0.05)
        stop.set()
        for reader in readers:
            reader.join(TIMEOUT)
        assert blocking == stored
        assert asynchronous == stored
        check_whole_batches(stored)
        subscription.close()
