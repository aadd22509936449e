"""A live answer: ``log.state(projection, as_of, known_at)`` kept current
from a subscription to the log."""

from __future__ import annotations

import datetime
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Generic, TypeVar

from timeline._events import Event, recorded_key
from timeline._log import DayInput, _known_at_value, as_day, known_at_key
from timeline._replay import AsOf, Projection
from timeline._subscribe import Subscription

__all__ = ["LiveState"]

S = TypeVar("S")


class LiveState(Generic[S]):
    """The answer of ``log.state(projection, as_of, known_at)``, kept up to
    date as events are appended to the log, by this process or another.

    >>> from timeline import Event, Log, Projection, event_type
    >>> @event_type("doc.live")
    ... class Arrived(Event):
    ...     pass
    >>> arrivals = Projection(initial=0)
    >>> @arrivals.on(Arrived)
    ... def _(count: int, event: Arrived) -> int:
    ...     return count + 1
    >>> log = Log()
    >>> live = LiveState(log, arrivals, as_of="2024-12-31")
    >>> live.state.certain
    0
    >>> _ = log.append(Arrived(id="a", occurred="2024-05", recorded="2025-01-02"))
    >>> live.refresh(), live.state.certain
    (True, 1)

    The contract: after construction and after each :meth:`refresh`,
    :meth:`wait` or update, :attr:`state` equals ``log.state(projection,
    as_of, known_at)`` over a prefix of the log that holds at least the
    first :attr:`seq` events: exactly those in a process that appends and
    reads alone; with other writers, possibly a few later ones too, which
    are taken in again when they arrive.  A late event, whose date lies
    before events already counted, changes the state as if it had always
    been there (the log refolds from its place in the fold order, from a
    checkpoint), and so does a correction (``supersedes``).

    The answer is computed again only when an event that may change it
    arrives: one that is counted by ``known_at``, and either may have
    happened by ``as_of`` or supersedes another.  Once an event recorded
    after ``known_at`` arrives, nothing later is counted: the answer is
    :attr:`final` and the subscription is closed.

    Like the log handle it reads, a LiveState is for one thread; only
    :meth:`close` may be called from another (it wakes a waiting
    :meth:`wait`).  ``async``: :meth:`await_change` and :meth:`aupdates`
    wait without blocking the event loop (the query itself runs inline).
    """

    def __init__(
        self,
        log: Any,
        projection: Projection[S],
        as_of: DayInput,
        known_at: DayInput | None = None,
        *,
        poll: float | None = None,
    ) -> None:
        self._log = log
        self._projection = projection
        self._day = as_day(as_of, "as_of")
        self._known: datetime.date | None = (
            None if known_at is None else _known_at_value(known_at)
        )
        self._known_key = None if self._known is None else known_at_key(self._known)
        seq = log.last_seq
        # Subscribe first, then ask: whatever is appended in between is
        # delivered and judged again (the answer may already count it).
        self._subscription: Subscription = log.subscribe(after=seq, poll=poll)
        self._state: AsOf[S] = log.state(projection, self._day, self._known)
        self._final = False
        if self._known is not None and log.count_known_at(self._known) < seq:
            self._finish()

    # -- the answer ---------------------------------------------------

    @property
    def state(self) -> AsOf[S]:
        """The current answer (see the class's contract)."""
        return self._state

    @property
    def seq(self) -> int:
        """Every event up to this sequence number is taken into the answer."""
        return self._subscription.cursor

    @property
    def as_of(self) -> datetime.date:
        return self._day

    @property
    def known_at(self) -> datetime.date | None:
        return self._known

    @property
    def final(self) -> bool:
        """True once an event recorded after ``known_at`` has arrived: the
        answer can no longer change."""
        return self._final

    @property
    def closed(self) -> bool:
        """True once it no longer follows the log (closed, or final)."""
        return self._subscription.closed

    def close(self) -> None:
        """Stop following the log (thread-safe); :attr:`state` stays."""
        self._subscription.close()

    def __enter__(self) -> LiveState[S]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        known = "" if self._known is None else f" known at {self._known}"
        return f"<LiveState as of {self._day}{known}, after seq {self.seq}>"

    # -- taking events in -------------------------------------------------

    def _finish(self) -> None:
        self._final = True
        self._subscription.close()

    def _matters(self, events: Sequence[Event]) -> bool:
        """Whether any of ``events`` may change the answer; marks the answer
        final at the first event recorded after ``known_at``."""
        day = self._day.toordinal()
        known = self._known_key
        matters = False
        for event in events:
            if known is not None and recorded_key(event.recorded) > known:
                self._finish()
                break
            earliest = event.occurred.earliest_day
            if event.supersedes or earliest is None or earliest <= day:
                matters = True
        return matters

    def _recompute(self) -> bool:
        answer = self._log.state(self._projection, self._day, self._known)
        changed = bool(answer != self._state)
        self._state = answer
        return changed

    def _take_in(self, first: list[Event]) -> bool:
        """Judge ``first`` and whatever else has arrived; recompute once if
        any of it matters.  True if the answer changed."""
        matters = False
        events = first
        while events and not self._final:
            matters = self._matters(events) or matters
            events = [] if self._final else self._subscription.fetch()
        return matters and self._recompute()

    def refresh(self) -> bool:
        """Take in the events appended since, without waiting; True if the
        answer changed."""
        return self._take_in(self._subscription.fetch())

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: without limit) for the
        answer to change: True if it did, False on timeout, or at once when
        it is final or closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._subscription.closed:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self._take_in(self._subscription.fetch(left)):
                return True
            if deadline is not None and time.monotonic() >= deadline:
                break
        return False

    def updates(self, *, idle: float | None = None) -> Iterator[AsOf[S]]:
        """The current answer, then each new one as it changes; ends when
        the answer is final, on :meth:`close`, or after ``idle`` seconds
        without a change."""
        yield self._state
        while self.wait(idle):
            yield self._state

    async def await_change(self, timeout: float | None = None) -> bool:
        """:meth:`wait` for coroutines."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._subscription.closed:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self._take_in(await self._subscription.afetch(left)):
                return True
            if deadline is not None and time.monotonic() >= deadline:
                break
        return False

    async def aupdates(self, *, idle: float | None = None) -> AsyncIterator[AsOf[S]]:
        """:meth:`updates` for ``async for``."""
        yield self._state
        while await self.await_change(idle):
            yield self._state
