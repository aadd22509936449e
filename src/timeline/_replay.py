"""Projections and as-of replay over valid time.

The fold order is the library's contract: events are folded by their latest
possible day (an open or unknown end last), then their earliest possible day
(an open start first), then sequence number.  With this order the events
that *certainly* happened by a day form a prefix, so

- the certain state is a checkpointed prefix fold: find the prefix with one
  bisect, start from the nearest saved state and fold at most
  ``checkpoint_every`` events;
- the possible state is the certain state with the *pending* events (those
  that may or may not have happened by then) folded on top, and the pending
  events are found through an index of events by the width of their date
  range, without looking at the rest of the log.
"""

from __future__ import annotations

import bisect
import enum
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Generic, TypeVar

import attrs
from sortedcontainers import SortedList

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW
from timeline._events import Event

__all__ = [
    "AsOf",
    "Diff",
    "FoldKey",
    "PastView",
    "Projection",
    "View",
    "fold_key",
    "packed_key",
    "unpack_key",
]

S = TypeVar("S")
E = TypeVar("E", bound=Event)

FoldKey = tuple[int, int, int]
"""(latest day, earliest day, sequence number), unbounded ends as sentinels."""

# Width classes (in days) of the pending index.  A finite event is pending at
# day D when earliest <= D < latest, so its latest day lies in (D, D + width]:
# a bucket of events no wider than W need only be searched over that window.
_WIDTHS: Final = (31, 92, 366, 3653, 36525)


def fold_key(event: Event, seq: int) -> FoldKey:
    lo, hi = event.occurred.earliest_day, event.occurred.latest_day
    return (
        UNBOUNDED_ABOVE if hi is None else hi,
        UNBOUNDED_BELOW if lo is None else lo,
        seq,
    )


class _Initial(enum.Enum):
    INITIAL = "the initial state"


_INITIAL: Final = _Initial.INITIAL


class Projection(Generic[S]):
    """A pure fold of events into a state.

    >>> from timeline import Projection
    >>> count = Projection(initial=0)
    >>> @count.on(Event)
    ... def _(state: int, event: Event) -> int:
    ...     return state + 1

    Handlers take ``(state, event)`` and return the new state; they must
    not mutate the state they are given (checkpoints keep it).  Immutable
    states (attrs frozen classes, tuples, frozensets) are recommended.
    Event types without a handler (nor one for a base class) are ignored.

    :meth:`timeline.Log.state` folds events in the *fold order*, a
    documented contract: by latest possible day (an open or unknown end
    last), then earliest possible day (an open start first), then sequence
    number.
    """

    def __init__(
        self, initial: S, *, name: str | None = None, version: int = 1
    ) -> None:
        if not isinstance(version, int) or isinstance(version, bool):
            raise TypeError(f"Projection version: expected an int, got {version!r}")
        self.initial: Final = initial
        self.name = name
        #: Declared by the author: bump it when the fold's results change in
        #: a way its handlers' code does not show (a helper they call, the
        #: state's class), so that saved states of the old one are not used.
        self.version: Final = version
        self._handlers: dict[type[Event], Callable[[S, Any], S]] = {}
        self._resolved: dict[type[Event], Callable[[S, Any], S] | None] = {}
        #: Counts the handlers registered: checkpoints of an earlier
        #: generation are stale.
        self.generation = 0

    def on(
        self, *event_types: type[E]
    ) -> Callable[[Callable[[S, E], S]], Callable[[S, E], S]]:
        """Register a handler for one or more event types (and subclasses)."""
        for event_type_ in event_types:
            if not (isinstance(event_type_, type) and issubclass(event_type_, Event)):
                raise TypeError(
                    f"Projection.on() takes event types, got {event_type_!r}"
                )
        if not event_types:
            raise TypeError("Projection.on() takes at least one event type")

        def register(handler: Callable[[S, E], S]) -> Callable[[S, E], S]:
            for event_type_ in event_types:
                self._handlers[event_type_] = handler
            self._resolved.clear()
            self.generation += 1
            return handler

        return register

    def handler_for(self, event_type_: type[Event]) -> Callable[[S, Any], S] | None:
        """The handler an event type dispatches to (through its bases), or None."""
        try:
            return self._resolved[event_type_]
        except KeyError:
            pass
        found = None
        for klass in event_type_.__mro__:
            handler = self._handlers.get(klass)
            if handler is not None:
                found = handler
                break
        self._resolved[event_type_] = found
        return found

    def fold(self, events: Iterable[Event], state: S | _Initial = _INITIAL) -> S:
        """Fold ``events`` in the order given, from ``state`` (default: the
        initial state; ``None`` is a state like any other)."""
        current: S = self.initial if isinstance(state, _Initial) else state
        resolved = self._resolved
        for event in events:
            kind = type(event)
            handler = resolved[kind] if kind in resolved else self.handler_for(kind)
            if handler is not None:
                current = handler(current, event)
        return current

    def _fold_saving(
        self, events: Sequence[Event], state: S, every: int, saved: list[S]
    ) -> S:
        """Fold ``events`` from ``state`` as :meth:`fold` does, appending the
        state after each whole ``every`` events to ``saved`` (checkpoints).

        One call, where one :meth:`fold` call per checkpoint cost a call
        every ``every`` events: a full replay through ``log.state`` at 10**6
        went from 2.97 to 3.15 M events/s (/tmp script, runs interleaved;
        a counter per event instead of the slices made it 2.3).
        """
        resolved = self._resolved
        current = state
        whole = len(events) - len(events) % every
        for start in range(0, whole, every):
            for event in events[start : start + every]:
                kind = type(event)
                handler = resolved[kind] if kind in resolved else self.handler_for(kind)
                if handler is not None:
                    current = handler(current, event)
            saved.append(current)
        return self.fold(events[whole:], current)

    def changed_by(self, events: Iterable[Event]) -> tuple[Event, ...]:
        """Fold ``events`` from the initial state and return those whose
        handler changed the state (returned a different object): the
        provenance of the final state."""
        state = self.initial
        behind = []
        for event in events:
            handler = self.handler_for(type(event))
            if handler is None:
                continue
            new = handler(state, event)
            if new is not state:
                behind.append(event)
            state = new
        return tuple(behind)

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<Projection{name} handling {len(self._handlers)} event types>"


@attrs.frozen
class AsOf(Generic[S]):
    """The answer to "what was the state on ``as_of``, as known on ``known_at``?".

    ``certain`` folds the events that certainly happened by the end of
    ``as_of``; ``possible`` also folds the ``pending`` ones, which may or may
    not have happened by then.  Both fold in the fold order (latest day, then
    earliest day, then sequence number; see :class:`Projection`), in which
    the certain events come first, so ``possible`` is ``certain`` with the
    ``pending`` events folded on top.
    """

    as_of: Any
    known_at: Any
    certain: S
    possible: S
    pending: tuple[Event, ...]


@attrs.frozen
class Diff(Generic[S]):
    """What changed between two days: both answers, and the events that
    became certain in between (``became_certain``) or stopped being so."""

    before: AsOf[S]
    after: AsOf[S]
    became_certain: tuple[Event, ...]
    no_longer_certain: tuple[Event, ...]

    @property
    def changed(self) -> bool:
        return bool(self.became_certain or self.no_longer_certain) or (
            self.before.certain != self.after.certain
        )


# A fold key packed into one int: the latest day in the high bits, then the
# earliest day, then the sequence number, each field offset to be
# non-negative, so that comparing the ints compares (latest, earliest, seq).
# Against a tuple of three ints this halves the bytes per event (48 instead
# of about 92 with its seq int) and makes the bisects faster: one int
# comparison instead of a tuple's (cProfile of 5,000 certain-state queries at
# 10**6: 7.9 -> 1.8 us a bisect; the query 23.8 -> 15.0 us median).
_SEQ_BITS: Final = 40  # up to 2**40 - 1 (about 10**12) events a log
_DAY_BITS: Final = 64  # a day + _OFFSET lies in [0, 2**63]
_OFFSET: Final = UNBOUNDED_ABOVE
_SEQ_MASK: Final = (1 << _SEQ_BITS) - 1
_DAY_MASK: Final = (1 << _DAY_BITS) - 1
_HI_SHIFT: Final = _SEQ_BITS + _DAY_BITS
MAX_SEQ: Final = _SEQ_MASK
_OPEN_END: Final = (UNBOUNDED_ABOVE + _OFFSET) << _HI_SHIFT
_DAY_AND_SEQ_MASK: Final = (1 << _HI_SHIFT) - 1


def packed_key(event: Event, seq: int) -> int:
    """The fold key of ``event`` at ``seq`` as one int (see :func:`fold_key`)."""
    occurred = event.occurred
    lo, hi = occurred.earliest_day, occurred.latest_day
    return (
        ((_OFFSET + (UNBOUNDED_ABOVE if hi is None else hi)) << _HI_SHIFT)
        | ((_OFFSET + (UNBOUNDED_BELOW if lo is None else lo)) << _SEQ_BITS)
        | seq
    )


def unpack_key(key: int) -> FoldKey:
    """The (latest day, earliest day, seq) a packed key holds."""
    return (
        (key >> _HI_SHIFT) - _OFFSET,
        ((key >> _SEQ_BITS) & _DAY_MASK) - _OFFSET,
        key & _SEQ_MASK,
    )


def _ending_after(day: int) -> int:
    """The least packed key whose latest day is after ``day``."""
    return (day + 1 + _OFFSET) << _HI_SHIFT


def _started_by(day: int) -> int:
    """The bound below which a key's low bits (earliest day, seq) lie when
    the event may have started by ``day``: ``key & _DAY_AND_SEQ_MASK`` is
    less than it exactly when the earliest day is on or before ``day``."""
    return (day + _OFFSET + 1) << _SEQ_BITS


class _Checkpoints:
    """Per projection, the states saved every K events of a view (state i
    after the first i * K; state 0 the initial state), started afresh when
    the projection gains a handler, and forgotten with the projection."""

    def __init__(self) -> None:
        self._by: weakref.WeakKeyDictionary[Projection[Any], tuple[int, list[Any]]] = (
            weakref.WeakKeyDictionary()
        )

    def states(self, projection: Projection[S]) -> list[S]:
        entry = self._by.get(projection)
        if entry is None or entry[0] != projection.generation:
            entry = self._by[projection] = (projection.generation, [projection.initial])
        return entry[1]

    def keep(self, count: int) -> None:
        """Drop every projection's states from number ``count`` on."""
        for _, states in self._by.values():
            del states[count:]


class View:
    """The events one version of a log counts, in fold order, with the
    pending index and per-projection checkpoints.

    Keys are packed ints (:func:`packed_key`) kept in sorted lists
    (``sortedcontainers``): inserting a late event is O(log n) instead of
    the O(n) of a plain list insertion, which made loading a million events
    in random date order quadratic.  Events are looked up by sequence
    number in the log's own list, shared here.
    """

    def __init__(self, events: list[Event], checkpoint_every: int = 16) -> None:
        self._events = events  # the log's events in append order (seq - 1)
        self.keys: SortedList[int] = SortedList()
        # Per width class: keys of finite, non-exact events.
        self._buckets: list[SortedList[int]] = [
            SortedList() for _ in range(len(_WIDTHS) + 1)
        ]
        # Open start, finite end: pending while as_of < latest.
        self._open_start: SortedList[int] = SortedList()
        # Finite start, open/unknown end: pending once earliest <= as_of;
        # held as the key without its latest day, so sorted by (earliest, seq).
        self._open_end: SortedList[int] = SortedList()
        self.every = checkpoint_every
        self._checkpoints = _Checkpoints()
        # Past versions read through this view, told of every change.
        self._dependents: weakref.WeakSet[PastView] = weakref.WeakSet()

    def __len__(self) -> int:
        return len(self.keys)

    def _index_of(self, key: int) -> tuple[SortedList[int], int] | None:
        """The secondary index a key belongs to, and the entry to store there."""
        hi, lo, _ = unpack_key(key)
        if hi == UNBOUNDED_ABOVE:
            return self._open_end, key - _OPEN_END
        if lo == UNBOUNDED_BELOW:
            return self._open_start, key
        width = hi - lo
        if width == 0:
            return None  # an exact day is never pending
        return self._buckets[bisect.bisect_left(_WIDTHS, width)], key

    def update(self, keys: Sequence[int]) -> None:
        """Add keys (in any order)."""
        if not keys:
            return
        first = min(keys)
        self.keys.update(keys)
        grouped: dict[int, tuple[SortedList[int], list[int]]] = {}
        for key in keys:
            found = self._index_of(key)
            if found is not None:
                index, entry = found
                grouped.setdefault(id(index), (index, []))[1].append(entry)
        for index, entries in grouped.values():
            index.update(entries)
        position = self.keys.bisect_left(first)
        self._invalidate(position)
        for past in self._dependents:
            past.moved(position)

    def remove(self, key: int) -> None:
        position = self.keys.bisect_left(key)
        if position == len(self.keys) or self.keys[position] != key:
            return
        del self.keys[position]
        found = self._index_of(key)
        if found is not None:
            found[0].discard(found[1])
        self._invalidate(position)
        for past in self._dependents:
            past.moved(position, removed=key)

    def _invalidate(self, position: int) -> None:
        # Checkpoint i holds the state after the first i * every events; a
        # change at ``position`` spoils those with i * every > position.
        self._checkpoints.keep(position // self.every + 1)

    # -- queries ------------------------------------------------------

    def certain_state(self, projection: Projection[S], day: int) -> S:
        """The fold of the events that certainly happened by ``day``."""
        return self.state_at(projection, self.certain_count(day))

    def certain_events(self, low: int | None, high: int) -> list[Event]:
        """In fold order, the events certain by ``high`` but not by ``low``."""
        first = 0 if low is None else self.certain_count(low)
        return self.events(first, self.certain_count(high))

    def certain_count(self, day: int) -> int:
        """How many events (a prefix in fold order) certainly happened by ``day``."""
        return int(self.keys.bisect_left(_ending_after(day)))

    def pending(self, day: int) -> list[int]:
        """Keys of the events that may or may not have happened by ``day``."""
        found: list[int] = []
        after = _ending_after(day)
        started = _started_by(day)
        low = _DAY_AND_SEQ_MASK  # a local: the filters below run per key
        # Empty indexes are skipped: irange() costs about 0.5 us even on an
        # empty list, most of a query's time on a log of exact days.
        for limit, bucket in zip(_WIDTHS, self._buckets, strict=False):
            if bucket:
                window = bucket.irange(after, _ending_after(day + limit), (True, False))
                found += [key for key in window if key & low < started]
        wide = self._buckets[-1]
        if wide:
            window = wide.irange(after, _OPEN_END, (True, False))
            found += [key for key in window if key & low < started]
        if self._open_start:
            found += self._open_start.irange(after, None)
        if self._open_end:
            open_end = _OPEN_END
            window = self._open_end.irange(None, started, (True, False))
            found += [open_end + entry for entry in window]
        if len(found) > 1:
            found.sort()
        return found

    def events_of(self, keys: Iterable[int]) -> list[Event]:
        """The events the keys belong to, in the same order."""
        events, mask = self._events, _SEQ_MASK
        return [events[(key & mask) - 1] for key in keys]

    def events(self, start: int = 0, stop: int | None = None) -> list[Event]:
        """The events at fold positions ``start:stop``."""
        return self.events_of(self.keys.islice(start, stop))

    def state_at(self, projection: Projection[S], count: int) -> S:
        """The fold of the first ``count`` events, from the nearest checkpoint."""
        every = self.every
        states = self._checkpoints.states(projection)
        target = count // every
        if target >= len(states):
            # Catch up in one pass over the keys (one islice, not one per
            # checkpoint: that halved the cost of a long fold).
            start = (len(states) - 1) * every
            return projection._fold_saving(
                self.events(start, count), states[-1], every, states
            )
        return projection.fold(self.events(target * every, count), states[target])


class PastView:
    """A past version of the log, the first ``count`` events as they stood
    then, read through the current :class:`View` (``base``) instead of
    copying its indexes.

    The version holds the base's events with seq <= ``count``, plus the
    ``extras``: events superseded after ``count``, which the base has
    dropped.  Checkpoint i is the fold of the version's events with keys
    below ``base.keys[i * every]`` (checkpoint 0: none), so a first query
    folds only up to its own day and nothing is built up front.  Against
    filtering copies of every index, the first query under a new
    ``known_at`` at 10**6 went from 0.9-1.4 to 0.4-0.55 full replays in a
    script querying late days, and from 2.05 to 0.09 in bench_timeline.
    """

    def __init__(self, base: View, count: int, extras: Iterable[int]) -> None:
        self._base = base
        self._count = count
        self._extras = sorted(extras)
        self.every = base.every
        self._checkpoints = _Checkpoints()
        base._dependents.add(self)

    def moved(self, position: int, removed: int | None = None) -> None:
        """The base changed at ``position``: checkpoints from it on are
        stale, and a key it dropped that this version counts is an extra."""
        if removed is not None and removed & _SEQ_MASK <= self._count:
            bisect.insort(self._extras, removed)
        # Checkpoint i cuts at base position i * every: those with
        # i * every >= position are stale (the initial state never is).
        self._checkpoints.keep(max(1, -(-position // self.every)))

    def _key_at(self, position: int) -> int:
        keys = self._base.keys
        return keys[position] if position < len(keys) else _PAST_ALL

    def _keys(self, start: int, stop: int, low: int, high: int) -> list[int]:
        """The version's keys at base positions ``start:stop`` and its extras
        in [low, high), in fold order."""
        count, mask = self._count, _SEQ_MASK
        keys = [
            key for key in self._base.keys.islice(start, stop) if key & mask <= count
        ]
        extras = self._extras
        first = bisect.bisect_left(extras, low)
        last = bisect.bisect_left(extras, high)
        if first < last:
            keys += extras[first:last]
            keys.sort()
        return keys

    def _fold(
        self,
        projection: Projection[S],
        state: S,
        start: int,
        stop: int,
        low: int,
        high: int,
    ) -> S:
        keys = self._keys(start, stop, low, high)
        return projection.fold(self._base.events_of(keys), state)

    def certain_state(self, projection: Projection[S], day: int) -> S:
        every = self.every
        states = self._checkpoints.states(projection)
        bound = _ending_after(day)
        position = self._base.keys.bisect_left(bound)
        # The checkpoint to start from must cut below ``bound``: its key at
        # i * every must be one of the positions before ``position``.
        target = (position - 1) // every if position else 0
        while len(states) <= target:
            i = len(states)
            low = self._key_at((i - 1) * every) if i > 1 else _PAST_NONE
            states.append(
                self._fold(
                    projection,
                    states[-1],
                    (i - 1) * every,
                    i * every,
                    low,
                    self._key_at(i * every),
                )
            )
        low = self._key_at(target * every) if target else _PAST_NONE
        return self._fold(
            projection, states[target], target * every, position, low, bound
        )

    def certain_events(self, low: int | None, high: int) -> list[Event]:
        base = self._base
        first = _PAST_NONE if low is None else _ending_after(low)
        last = _ending_after(high)
        keys = self._keys(
            base.keys.bisect_left(first), base.keys.bisect_left(last), first, last
        )
        return base.events_of(keys)

    def pending(self, day: int) -> list[int]:
        count, mask = self._count, _SEQ_MASK
        found = [key for key in self._base.pending(day) if key & mask <= count]
        # An extra is pending if it ends after ``day`` (a key from ``after``
        # on) and starts by it (its low bits below ``started``; as in
        # View.pending).
        extras = self._extras
        after = _ending_after(day)
        started = _started_by(day)
        low = _DAY_AND_SEQ_MASK
        more = [
            key
            for key in extras[bisect.bisect_left(extras, after) :]
            if key & low < started
        ]
        if more:
            found += more
            found.sort()
        return found

    def events_of(self, keys: Iterable[int]) -> list[Event]:
        return self._base.events_of(keys)

    def events(self) -> list[Event]:
        """Every event of the version, in fold order."""
        keys = self._keys(0, len(self._base.keys), _PAST_NONE, _PAST_ALL)
        return self._base.events_of(keys)


_PAST_NONE: Final = -1  # below every packed key
_PAST_ALL: Final = 1 << (_HI_SHIFT + _DAY_BITS)  # above every packed key
