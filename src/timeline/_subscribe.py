"""Subscriptions: follow a log as it grows.

``log.subscribe(after=SEQ)`` returns a :class:`Subscription`: the events
after sequence number SEQ, in sequence order, each once, first those already
in the log and then each new one as it is committed.

The machinery is shared by every backend; a backend supplies a *feed*
(:class:`Feed`) with two operations: read the committed events after a
sequence number, and wait for a change.  Appends made in this process wake
the subscriptions at once through a :class:`Signal` (one per stored log,
shared by every handle on it); appends by other processes are found by
reading again (polling), with a back-off from 1 ms to the feed's ``poll``
interval.  A feed never returns an event of a batch that is not committed
(durable): a subscriber sees a batch whole or not at all, though possibly
in more than one read.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import threading
import time
import weakref
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, ClassVar, Final

from timeline._events import Event

if TYPE_CHECKING:
    import asyncio

__all__ = ["Feed", "Signal", "Subscribable", "Subscription"]

#: Events a feed reads at most at once: a catch-up over a large log holds
#: this many decoded events, not the whole log.
CHUNK: Final = 1000
#: The first wait after a read found nothing, doubled up to ``poll``.
FIRST_WAIT: Final = 0.001


class Signal:
    """A change counter for one stored log in this process.

    Every committed append made through a handle of this process bumps it
    (:meth:`notify`); a waiting subscription wakes when it moves.  Threads
    wait on a condition variable (or, when they also watch a socket, in
    ``select`` on it and a pipe of their own), coroutines on futures of
    their loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.generation = 0
        #: Subscriptions using this signal: appends skip the lock when 0.
        self.listeners = 0
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = (
            set()
        )
        self._pipes: set[int] = set()  # write ends, of waiters in select()

    def listen(self, change: int) -> None:
        with self._lock:
            self.listeners += change

    def notify(self) -> None:
        """Wake every waiter (a commit, or a subscription being closed)."""
        with self._lock:
            self.generation += 1
            self._changed.notify_all()
            futures = list(self._futures)
            # Under the lock: a waiter closes its pipe only after taking it
            # out, so no descriptor number here can belong to another file.
            for pipe in self._pipes:
                with contextlib.suppress(OSError):
                    os.write(pipe, b"!")
        for loop, future in futures:
            # RuntimeError: that loop is closed, its waiter gone.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake, future)

    def wait(
        self, generation: int, timeout: float | None, fd: int | None = None
    ) -> None:
        """Return once the counter is past ``generation``, after
        ``timeout``, or (with ``fd``) once ``fd`` is readable."""
        if fd is None:
            with self._lock:
                if self.generation == generation:
                    self._changed.wait(timeout)
            return
        readable, writable = os.pipe()
        try:
            with self._lock:
                if self.generation != generation:
                    return
                self._pipes.add(writable)
            try:
                select.select([fd, readable], [], [], timeout)
            finally:
                with self._lock:
                    self._pipes.discard(writable)
        finally:
            os.close(readable)
            os.close(writable)

    async def await_change(
        self, generation: int, timeout: float | None, fd: int | None = None
    ) -> None:
        """:meth:`wait` for a coroutine: never blocks the event loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self.generation != generation:
                return
            self._futures.add(entry)
        if fd is not None:
            loop.add_reader(fd, _wake, future)
        try:
            await asyncio.wait((future,), timeout=timeout)
        finally:
            if fd is not None:
                loop.remove_reader(fd)
            with self._lock:
                self._futures.discard(entry)
            future.cancel()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_SIGNALS: weakref.WeakValueDictionary[Hashable, Signal] = weakref.WeakValueDictionary()
_SIGNALS_LOCK: Final = threading.Lock()


def signal_for(key: Hashable) -> Signal:
    """The signal of the stored log ``key`` (shared by all its handles)."""
    with _SIGNALS_LOCK:
        signal = _SIGNALS.get(key)
        if signal is None:
            signal = _SIGNALS[key] = Signal()
        return signal


class Feed:
    """What a backend supplies to subscriptions: committed events after a
    sequence number, and a way to wait for more.

    ``read`` must be idempotent in ``after``: asked again for the same
    ``after``, it returns the same events (a reader interrupted between
    reading and delivering asks again).  ``after`` never decreases.
    """

    #: True when appends by other processes are found only by reading again.
    polls: ClassVar[bool] = True
    #: True when other processes' appends wake it too (PostgreSQL's NOTIFY):
    #: it then waits ``poll`` at once, without the back-off from 1 ms.
    wakes: ClassVar[bool] = False
    #: The longest wait between reads when nothing wakes the subscription.
    poll: ClassVar[float] = 0.05

    def read(self, after: int, limit: int) -> Sequence[Event]:
        """Up to ``limit`` events with sequence numbers ``after + 1``,
        ``after + 2``, ...; empty if there are none yet.  Raises
        :class:`~timeline.IntegrityError` if the stored records after
        ``after`` are not the log's (cut, edited, reordered)."""
        raise NotImplementedError

    def try_read(self, after: int, limit: int) -> Sequence[Event] | None:
        """:meth:`read`, or None if reading now would wait for a writer (the
        async form then sleeps a little and tries again)."""
        return self.read(after, limit)

    async def aread(self, after: int, limit: int) -> Sequence[Event] | None:
        """:meth:`try_read` for the async form (file and SQLite reads run
        inline: they are short and never wait for a writer)."""
        return self.try_read(after, limit)

    def wait(self, signal: Signal, generation: int, timeout: float | None) -> None:
        """Wait for a change after ``generation`` of ``signal`` (an append
        of this process), or ``timeout``."""
        signal.wait(generation, timeout)

    async def await_change(
        self, signal: Signal, generation: int, timeout: float | None
    ) -> None:
        await signal.await_change(generation, timeout)

    def close(self) -> None:
        """Release what the feed holds (a file, a connection)."""


class _MemoryFeed(Feed):
    """The in-memory log's: every append is in this process and notifies
    the signal, so nothing needs polling."""

    polls = False

    def __init__(self, events: list[Event]) -> None:
        # Read-only here: a slice of a list is taken atomically, and the
        # log only ever appends to it.
        self._events = events

    def read(self, after: int, limit: int) -> Sequence[Event]:
        return self._events[after : after + limit]


class Subscribable:
    """The subscription side of a log: :meth:`subscribe` and the hooks a
    backend calls (``_notify`` after each commit, ``_end_subscriptions``
    when closed) or overrides (``_feed``, ``_signal_key``)."""

    _subscription_signal: Signal | None = None
    _subscriptions: weakref.WeakSet[Subscription] | None = None

    @property
    def last_seq(self) -> int:  # pragma: no cover - every log defines it
        raise NotImplementedError

    def _feed(self, after: int) -> Feed:
        """A new feed on this log, for a subscription after ``after``."""
        events = getattr(self, "_events", None)
        if not isinstance(events, list):  # pragma: no cover - a backend's bug
            raise NotImplementedError(f"{type(self).__name__} has no feed")
        return _MemoryFeed(events)

    def _signal_key(self) -> Hashable | None:
        """What identifies the stored log across handles of this process
        (None: this object alone, as an in-memory log)."""
        path = getattr(self, "path", None)
        if path is None:
            return None
        stat = os.stat(path)
        return ("file", stat.st_dev, stat.st_ino)

    def _signal(self) -> Signal:
        signal = self._subscription_signal
        if signal is None:
            key = self._signal_key()
            signal = Signal() if key is None else signal_for(key)
            self._subscription_signal = signal
        return signal

    def _notify(self) -> None:
        """Wake this process's subscriptions to this log: call after a commit."""
        signal = self._subscription_signal
        if signal is None:
            signal = self._signal()
        if signal.listeners:
            signal.notify()

    def _end_subscriptions(self) -> None:
        """End the subscriptions made through this handle (it is closing)."""
        if self._subscriptions:
            for subscription in list(self._subscriptions):
                subscription.close()

    def subscribe(
        self,
        after: int = 0,
        *,
        idle: float | None = None,
        poll: float | None = None,
    ) -> Subscription:
        """The events after sequence number ``after``, in order, each once:
        those in the log now, then each new one as it is committed.

        >>> from timeline import Event, Log, event_type
        >>> @event_type("doc.subscribed")
        ... class Seen(Event):
        ...     pass
        >>> log = Log([Seen(id="a", occurred="2024", recorded="2024-02-01")])
        >>> with log.subscribe(after=0, idle=0) as events:
        ...     [event.id for event in events]
        ['a']

        Iterating blocks until the next event; the subscription ends (the
        loop stops) when :meth:`Subscription.close` is called, from any
        thread, when this log handle is closed, or, with ``idle``, when no
        new event has come for ``idle`` seconds (``idle=0``: once caught
        up).  ``async for`` works too, without blocking the event loop.
        ``poll`` is the longest wait between two reads of a log that
        other processes append to (default 0.05 s for files and SQLite;
        1 s for PostgreSQL, whose appends also wake it through NOTIFY);
        appends made through any handle of this process wake it at once.
        Call it in the thread that uses this log handle; the subscription
        reads through a file or connection of its own, so it may then be
        read in any one thread.

        Keep :attr:`Subscription.cursor` (the sequence number of the last
        event delivered) to resume later with ``subscribe(after=cursor)``.
        """
        if not isinstance(after, int) or isinstance(after, bool):
            raise TypeError(f"after: expected a sequence number (int), got {after!r}")
        _check_seconds(idle, "idle")
        _check_seconds(poll, "poll")
        if poll == 0:
            raise ValueError("poll: expected a number of seconds > 0, got 0")
        last = self.last_seq
        if not 0 <= after <= last:
            raise ValueError(
                f"after={after}: expected a sequence number of this log, 0 to "
                f"{last}; a larger one comes from another log, or from one "
                "that was cut"
            )
        feed = self._feed(after)
        subscription = Subscription(
            self,
            feed,
            self._signal(),
            after,
            idle=idle,
            poll=feed.poll if poll is None else poll,
        )
        if self._subscriptions is None:
            self._subscriptions = weakref.WeakSet()
        self._subscriptions.add(subscription)
        return subscription


def _check_seconds(value: float | None, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a number of seconds or None, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a number of seconds >= 0, got {value!r}")


class Subscription:
    """The events of a log after a sequence number, in sequence order, each
    delivered once: a blocking iterator, and an asynchronous one.

    Made by ``log.subscribe(after=...)`` (see :meth:`Log.subscribe
    <timeline.Log.subscribe>`).  It ends, and iteration stops, when
    :meth:`close` is called (from any thread or task), when the log handle
    it came from is closed, or after ``idle`` seconds without a new event.
    If the stored log turns out to be tampered with (records after the
    cursor edited, reordered or cut off), it raises
    :class:`~timeline.IntegrityError` and stays failed: every later read
    raises the same error.  A torn tail left by a writer that crashed
    mid-batch is not an error: none of that batch is delivered, and the
    subscription goes on once the log is repaired and appended to again.

    One consumer at a time: iterate in one thread (or one task); only
    :meth:`close` may be called from elsewhere.
    """

    def __init__(
        self,
        log: object,
        feed: Feed,
        signal: Signal,
        after: int,
        *,
        idle: float | None,
        poll: float,
    ) -> None:
        # The log handle stays open while the subscription lives: closing
        # it ends the subscription, and a dropped handle would close it.
        self._log = log
        self._feed: Feed | None = feed
        self._signal = signal
        self._cursor = after
        # The events read and not yet delivered: _chunk[i] has sequence
        # number _base + i + 1.
        self._chunk: Sequence[Event] = ()
        self._base = after
        self._idle = idle
        self._poll = poll
        self._closed = False
        self._error: Exception | None = None
        self._lock = threading.RLock()
        self._async_busy = False
        signal.listen(+1)

    # -- state ----------------------------------------------------------

    @property
    def cursor(self) -> int:
        """The sequence number of the last event delivered (``after`` before
        the first): resume with ``log.subscribe(after=cursor)``."""
        return self._cursor

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (closed, idle, or failed)."""
        return self._closed

    def close(self) -> None:
        """End the subscription; thread-safe, and a waiting reader wakes at
        once.  No event is delivered after ``close`` returns."""
        if self._closed:
            return
        self._closed = True
        self._signal.notify()  # wake a reader waiting in another thread
        with self._lock:  # it releases the lock promptly once awake
            self._release()

    def _release(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            self._closed = True
            self._signal.listen(-1)
            feed.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit, say
            self._release()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Subscription after seq {self._cursor}, {state}>"

    # -- reading (shared by both forms) ---------------------------------

    def _take(self) -> Event | None:
        """The next event already read, if any, counting it delivered."""
        if self._closed or self._error is not None:
            return None
        index = self._cursor - self._base
        if index < len(self._chunk):
            event = self._chunk[index]
            self._cursor += 1
            return event
        return None

    def _check(self) -> Feed | None:
        """The feed, or None once the subscription has ended; re-raises the
        error that failed it."""
        if self._error is not None:
            raise self._error
        if self._closed:
            self._release()
            return None
        return self._feed

    def _read(self, feed: Feed, *, block: bool) -> bool | None:
        """Read what follows the cursor into the chunk: True if something
        came, None if it would have waited for a writer (``block=False``)."""
        try:
            got = (
                feed.read(self._cursor, CHUNK)
                if block
                else feed.try_read(self._cursor, CHUNK)
            )
        except Exception as error:
            if self._closed:  # closed under it: an ending, not a failure
                return False
            self._error = error
            self._release()
            raise
        if got is None:
            return None
        self._chunk, self._base = got, self._cursor
        return bool(got)

    def _wait_plan(self, timeout: float | None) -> tuple[float | None, float, float]:
        """(deadline, first wait, longest wait) for one wait for events."""
        limit = self._idle if timeout is None else timeout
        deadline = None if limit is None else time.monotonic() + limit
        feed = self._feed
        first = self._poll if feed is not None and feed.wakes else FIRST_WAIT
        return deadline, min(first, self._poll), self._poll

    def _next_wait(
        self, feed: Feed, deadline: float | None, interval: float
    ) -> float | None:
        """How long to wait now (None: until woken); raises _Done when the
        deadline has passed."""
        wait: float | None = interval if feed.polls else None
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Done
            wait = left if wait is None else min(wait, left)
        return wait

    # -- blocking -----------------------------------------------------

    def __iter__(self) -> Subscription:
        return self

    def __next__(self) -> Event:
        with self._lock:
            event = self._take()
            if event is not None:
                return event
            if not self._wait_for_events(None):
                if self._idle is not None and not self._closed:
                    self._release()  # idle: the subscription is over
                raise StopIteration
            event = self._take()
            assert event is not None
            return event

    def fetch(self, timeout: float | None = 0) -> list[Event]:
        """The events committed after the cursor, delivered now (about a
        chunk of 1000 at most), waiting up to ``timeout`` seconds (None:
        without limit) if there are none yet; empty if none came or the
        subscription has ended.  Unlike ``idle``, a timeout here does not
        end the subscription."""
        _check_seconds(timeout, "timeout")
        with self._lock:
            feed = self._check()
            if feed is None:
                return []
            taken = self._rest()
            if len(taken) < CHUNK and self._read(feed, block=True):
                taken += self._rest()
            if not taken and timeout != 0:
                wait = math.inf if timeout is None else timeout
                if self._wait_for_events(wait):
                    taken = self._rest()
            return taken

    def _rest(self) -> list[Event]:
        """The events read and not delivered yet, counted delivered."""
        start = self._cursor - self._base
        taken = list(self._chunk[start:])
        self._cursor += len(taken)
        return taken

    def _wait_for_events(self, timeout: float | None) -> bool:
        """Block until the chunk has an event after the cursor: True, or
        False when the subscription ended or ``timeout`` (default: idle)
        passed."""
        deadline, interval, longest = self._wait_plan(timeout)
        if deadline == math.inf:
            deadline = None
        while True:
            feed = self._check()
            if feed is None:
                return False
            generation = self._signal.generation
            if self._read(feed, block=True):
                return True
            try:
                wait = self._next_wait(feed, deadline, interval)
            except _Done:
                return False
            if self._closed:
                continue
            feed.wait(self._signal, generation, wait)
            interval = min(interval * 2, longest)

    # -- asynchronous ------------------------------------------------------

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        event = self._take()
        if event is not None:
            return event
        if self._async_busy:
            raise RuntimeError(
                "this subscription is already being read by another task; "
                "make one subscription per reader"
            )
        self._async_busy = True
        try:
            found = await self._await_events(None)
        finally:
            self._async_busy = False
        if not found:
            if self._idle is not None and not self._closed:
                self._release()
            raise StopAsyncIteration
        event = self._take()
        assert event is not None
        return event

    async def afetch(self, timeout: float | None = 0) -> list[Event]:
        """:meth:`fetch` for coroutines: waits without blocking the loop."""
        _check_seconds(timeout, "timeout")
        with self._lock:
            feed = self._check()
            if feed is None:
                return []
            taken = self._rest()
        if len(taken) < CHUNK and await self._aread(feed):
            taken += self._rest()
        if not taken and timeout != 0:
            wait = math.inf if timeout is None else timeout
            if await self._await_events(wait):
                taken = self._rest()
        return taken

    async def _aread(self, feed: Feed) -> bool | None:
        """:meth:`_read` for the async form, through the feed's ``aread``."""
        cursor = self._cursor
        try:
            got = await feed.aread(cursor, CHUNK)
        except Exception as error:
            if self._closed:  # closed under it: an ending, not a failure
                return False
            self._error = error
            self._release()
            raise
        if got is None:
            return None
        with self._lock:
            if self._closed:
                return False
            self._chunk, self._base = got, cursor
        return bool(got)

    async def _await_events(self, timeout: float | None) -> bool:
        import asyncio

        deadline, interval, longest = self._wait_plan(timeout)
        if deadline == math.inf:
            deadline = None
        while True:
            with self._lock:
                feed = self._check()
                if feed is None:
                    return False
                generation = self._signal.generation
            got = await self._aread(feed)
            if got:
                # A turn for other tasks after each chunk: a long catch-up
                # otherwise runs without ever suspending.
                await asyncio.sleep(0)
                return True
            try:
                wait = self._next_wait(feed, deadline, interval)
            except _Done:
                return False
            if self._closed:
                continue
            if got is None:  # a writer holds the log: try again shortly
                await asyncio.sleep(min(wait or FIRST_WAIT, FIRST_WAIT))
                continue
            await feed.await_change(self._signal, generation, wait)
            interval = min(interval * 2, longest)


class _Done(Exception):
    """The wait's deadline has passed."""
