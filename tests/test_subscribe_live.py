"""LiveState: ``log.state(projection, as_of, known_at)`` kept current.

The contract is checked against the naive fold (``strategies.expected``)
after every batch, on every backend, with the batches appended through the
same handle or another one: the answer equals the naive one for the events
so far, ``refresh`` says True exactly when that answer changed, late
(back-dated) events and corrections change earlier states, and the answer
becomes final once an event recorded after ``known_at`` arrives.
"""

from __future__ import annotations

import asyncio
import datetime
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import _postgres
import timeline
from strategies import (
    TRACE,
    Counted,
    Noted,
    batches,
    event_logs,
    expected,
    ids,
    queries,
    recorded_day,
)
from timeline import Event, LiveState, Log

BACKENDS = ["memory", "jsonl", "sqlite", "postgres"]
TIMEOUT = 60.0


def open_log(kind: str, directory: Path) -> tuple[Any, Any]:
    """(a log, another handle on it: the log itself in memory)."""
    if kind == "memory":
        log = Log()
        return log, log
    if kind == "postgres":
        pytest.importorskip("psycopg")
        url = _postgres.fresh_url("live")
        return timeline.open_log(url), timeline.open_log(url, create=False)
    path = directory / f"log.{kind}"
    return timeline.open_log(path), timeline.open_log(path, create=False)


def close(*logs: Any) -> None:
    for log in logs:
        if hasattr(log, "close"):
            log.close()


def naive(
    events: list[Event], as_of: datetime.date, known_at: datetime.date | None
) -> tuple[tuple[str, ...], ...]:
    want = expected(events, as_of, known_at)
    return ids(want.certain), ids(want.possible), ids(want.pending)


def answer(live: LiveState[Any]) -> tuple[tuple[str, ...], ...]:
    state = live.state
    return state.certain, state.possible, ids(state.pending)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[], Path]]:
    made: list[tempfile.TemporaryDirectory[str]] = []

    def make() -> Path:
        made.append(tempfile.TemporaryDirectory(dir=tmp_path))
        return Path(made[-1].name)

    yield make
    for directory in made:
        directory.cleanup()


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_live_answer_is_the_naive_fold_after_every_batch(
    kind: str, fresh: Callable[[], Path]
) -> None:
    @given(st.data())
    @settings(
        max_examples=60 if kind == "memory" else 15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    def check(data: st.DataObject) -> None:
        events = data.draw(event_logs(max_size=14))
        cuts = data.draw(batches(events))
        as_of, known_at = data.draw(queries(events))
        start = data.draw(st.integers(0, len(cuts)), label="batches before")
        through_other = data.draw(st.booleans(), label="append through another")
        log, other = open_log(kind, fresh())
        writer = other if through_other else log
        appended: list[Event] = []
        for cut in cuts[:start]:
            if cut:
                log.append(*cut)
            appended += cut
        live = LiveState(log, TRACE, as_of, known_at)
        assert answer(live) == naive(appended, as_of, known_at)
        for cut in cuts[start:]:
            before = naive(appended, as_of, known_at)
            if cut:
                writer.append(*cut)
            appended += cut
            changed = live.refresh()
            now = naive(appended, as_of, known_at)
            assert answer(live) == now
            assert changed == (now != before)
        late = known_at is not None and any(
            recorded_day(e) > known_at for e in appended
        )
        assert live.final == late
        assert live.closed == late
        if not late:
            assert live.seq == len(appended)
        live.close()
        close(log, other)

    check()


# -- explicit cases ------------------------------------------------------------------

COUNT: timeline.Projection[int] = timeline.Projection(initial=0, name="count")


@COUNT.on(Counted)
def _count(state: int, event: Counted) -> int:
    return state + event.by


def counted(
    event_id: str, occurred: str, recorded: str, by: int = 1, **more: Any
) -> Counted:
    return Counted(id=event_id, occurred=occurred, recorded=recorded, by=by, **more)


@pytest.mark.parametrize("kind", BACKENDS)
def test_late_events_and_corrections_change_an_earlier_state(
    kind: str, tmp_path: Path
) -> None:
    log, other = open_log(kind, tmp_path)
    log.append(counted("a", "2024-03", "2025-01-01", by=10))
    with LiveState(log, COUNT, as_of="2024-06-30") as live:
        assert live.state.certain == 10
        # Back-dated: it happened before "a", and is learnt later.
        other.append(counted("late", "2023", "2025-02-01", by=5))
        assert live.refresh()
        assert live.state.certain == 15
        # A correction of "a".
        other.append(counted("a2", "2024-03", "2025-03-01", by=7, supersedes=("a",)))
        assert live.refresh()
        assert live.state.certain == 12
        # Possibly by June: pending, not certain.
        other.append(counted("maybe", "2024", "2025-03-02", by=100))
        assert live.refresh()
        assert (live.state.certain, live.state.possible) == (12, 112)
        assert [e.id for e in live.state.pending] == ["maybe"]
        assert live.seq == 4
        assert not live.refresh()
    assert live.closed
    close(log, other)


class Counting:
    """A log's stand-in that counts the as-of queries made on it."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.queries = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)

    def state(self, *args: Any) -> Any:
        self.queries += 1
        return self.log.state(*args)


def test_events_that_cannot_change_the_answer_cost_no_query() -> None:
    log = Log([counted("a", "2024-03", "2025-01-01")])
    counting = Counting(log)
    live = LiveState(counting, COUNT, as_of="2024-06-30")
    assert counting.queries == 1
    log.append(counted("after", "2024-07", "2025-01-02"))  # after as_of
    log.append(Noted(id="later", occurred="2030/2031", recorded="2025-01-02"))
    assert not live.refresh()
    assert counting.queries == 1
    assert live.seq == 3
    log.append(counted("retracts", "2030", "2025-01-03", supersedes=("a",)))
    assert live.refresh()  # a correction may matter, whatever its date
    assert counting.queries == 2
    assert live.state.certain == 0


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_answer_is_final_once_an_event_after_known_at_arrives(
    kind: str, tmp_path: Path
) -> None:
    log, other = open_log(kind, tmp_path)
    log.append(counted("a", "2024-03", "2025-01-01"))
    live = LiveState(log, COUNT, as_of="2024-12-31", known_at="2025-01-01")
    other.append(counted("same-day", "2024-04", "2025-01-01"))
    assert live.refresh()
    assert live.state.certain == 2
    other.append(counted("next-day", "2024-05", "2025-01-02"))
    other.append(counted("later", "2024-05", "2025-01-03"))
    assert not live.refresh()
    assert live.final
    assert live.closed
    assert live.state.certain == 2
    assert live.wait(TIMEOUT) is False  # at once: it cannot change
    again = LiveState(log, COUNT, as_of="2024-12-31", known_at="2025-01-01")
    assert again.final
    assert again.state.certain == 2
    close(log, other)


# -- waiting -------------------------------------------------------------------------


def later(delay: float, action: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("kind", BACKENDS)
def test_wait_returns_when_the_answer_changes_and_not_before(
    kind: str, tmp_path: Path
) -> None:
    log, other = open_log(kind, tmp_path)
    if other is log:
        other = Log()  # unused: appends below go through the log itself
    live = LiveState(log, COUNT, as_of="2024-06-30")
    path = getattr(log, "path", None)

    def append(*events: Event) -> None:
        if path is None:
            log.append(*events)
        else:
            with timeline.open_log(path, create=False) as writer:
                writer.append(*events)

    thread = later(0.02, lambda: append(counted("after", "2024-08", "2025-01-01")))
    assert live.wait(0.3) is False  # an event after as_of: no change
    thread.join(TIMEOUT)
    assert live.seq == 1
    thread = later(0.02, lambda: append(counted("late", "2023", "2025-01-02", by=3)))
    assert live.wait(TIMEOUT) is True
    thread.join(TIMEOUT)
    assert (live.state.certain, live.seq) == (3, 2)
    live.close()
    assert live.wait(TIMEOUT) is False  # closed: at once
    close(log, other)


def test_updates_yield_each_new_answer_until_closed() -> None:
    log = Log()
    live = LiveState(log, COUNT, as_of="2024-06-30")

    def write() -> None:
        for n in range(3):
            time.sleep(0.02)
            log.append(counted(f"e{n}", "2024-01", "2025-01-01"))
            log.append(counted(f"x{n}", "2024-09", "2025-01-01"))  # no change

    writer = later(0, write)
    seen = []
    for update in live.updates(idle=TIMEOUT):
        seen.append(update)
        if update.certain == 3:
            live.close()
    writer.join(TIMEOUT)
    counts = [update.certain for update in seen]
    assert counts[0] == 0
    assert counts[-1] == 3
    assert counts == sorted(set(counts))  # each one a new answer


def test_the_async_forms_wait_without_blocking_the_loop() -> None:
    log = Log()
    live = LiveState(log, COUNT, as_of="2024-06-30")

    async def main() -> tuple[list[int], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.002)
                ticks += 1

        ticker = asyncio.create_task(tick())
        assert await live.await_change(0.05) is False
        later(0.02, lambda: log.append(counted("a", "2024-01", "2025-01-01", by=4)))
        seen = []
        async for update in live.aupdates(idle=TIMEOUT):
            seen.append(update.certain)
            if len(seen) == 2:
                break
        ticker.cancel()
        return seen, ticks

    seen, ticks = asyncio.run(main())
    assert seen == [0, 4]
    assert ticks >= 5
    live.close()


def test_bad_query_days_are_refused_as_log_state_refuses_them() -> None:
    log = Log()
    with pytest.raises(timeline.InvalidDateError, match="as_of"):
        LiveState(log, COUNT, as_of="2024")
    with pytest.raises(timeline.InvalidDateError, match="known_at"):
        LiveState(log, COUNT, as_of="2024-01-01", known_at="2024-05")
