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

import array
import bisect
import enum
import itertools
import operator
import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, Generic, TypeVar

import attrs
from sortedcontainers import SortedList

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW, Fuzz
from timeline._events import Event

__all__ = [
    "AsOf",
    "Diff",
    "FoldKey",
    "PastView",
    "Projection",
    "View",
    "fold_key",
    "lazy_answer",
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

_Handler = Callable[[Any, Any], Any]


def _resolve(
    handlers: dict[type[Event], _Handler],
    resolved: dict[type[Event], _Handler | None],
    event_type_: type[Event],
) -> _Handler | None:
    """The handler ``event_type_`` dispatches to through its bases, cached in
    ``resolved``."""
    try:
        return resolved[event_type_]
    except KeyError:
        pass
    found = None
    for klass in event_type_.__mro__:
        handler = handlers.get(klass)
        if handler is not None:
            found = handler
            break
    resolved[event_type_] = found
    return found


def _sole_handler(
    handlers: dict[type[Event], _Handler],
    resolved: dict[type[Event], _Handler | None],
    types: Iterable[type[Event]] | None,
) -> _Handler | None:
    """The one handler every type of ``types`` dispatches to, if there is
    one (None when they differ, one has none, or the types are unknown)."""
    if types is None:
        return None
    found = {_resolve(handlers, resolved, kind) for kind in types}
    if len(found) != 1:
        return None
    return found.pop()


def _fold(
    handlers: dict[type[Event], _Handler],
    resolved: dict[type[Event], _Handler | None],
    events: Iterable[Event],
    state: Any,
    types: Iterable[type[Event]] | None,
) -> Any:
    """Fold ``events`` from ``state``.  When every event type that may occur
    (``types``, if known) dispatches to the same handler, the loop calls it
    without looking each event's type up: the bare handler loop (at 10**6,
    a dispatching loop took 1.8x the bare loop's time over the pending
    events of a query)."""
    sole = _sole_handler(handlers, resolved, types)
    current = state
    if sole is not None:
        for event in events:
            current = sole(current, event)
        return current
    for event in events:
        kind = type(event)
        handler = (
            resolved[kind] if kind in resolved else _resolve(handlers, resolved, kind)
        )
        if handler is not None:
            current = handler(current, event)
    return current


class _Dispatch(Generic[S]):
    """A projection's handlers at one moment (its dicts are replaced, not
    edited, when a handler is added)."""

    __slots__ = ("handlers", "resolved")

    def __init__(
        self,
        handlers: dict[type[Event], _Handler],
        resolved: dict[type[Event], _Handler | None],
    ) -> None:
        self.handlers = handlers
        self.resolved = resolved

    def fold(
        self, events: Iterable[Event], state: S, types: Iterable[type[Event]] | None
    ) -> S:
        result: S = _fold(self.handlers, self.resolved, events, state, types)
        return result


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

    ``merge`` (optional) declares that the fold does not depend on the order
    of its events and how to combine two states: ``merge(a, b)`` is the
    state after the events folded into ``a`` and those folded into ``b``,
    each folded from ``initial``.  Declare it only when, for any events,
    ``fold(xs + ys) == merge(fold(xs), fold(ys))`` and ``fold`` gives the
    same state in any order (a count, a sum, a set of ids; not "the latest
    value"): ``merge`` is then associative and commutative with ``initial``
    as its identity.  An in-memory :class:`timeline.Log` uses it for queries
    under a ``known_at``: the first query under a new one combines states
    kept for blocks of the log's events in recording order instead of
    folding the past version from its start.  The answers are those of the
    fold order when the declaration holds (:func:`timeline.testing.
    check_projection` checks it as its "merge" law); if it does not, they
    are unspecified.
    """

    def __init__(
        self,
        initial: S,
        *,
        name: str | None = None,
        version: int = 1,
        merge: Callable[[S, S], S] | None = None,
    ) -> None:
        if not isinstance(version, int) or isinstance(version, bool):
            raise TypeError(f"Projection version: expected an int, got {version!r}")
        if merge is not None and not callable(merge):
            raise TypeError(
                f"Projection merge: expected a function of two states, got {merge!r}"
            )
        self.initial: Final = initial
        self.name = name
        #: Declared by the author (optional): ``merge(a, b)`` is the state
        #: after the events folded into ``a`` and those folded into ``b``
        #: (each from ``initial``), for a fold that does not depend on the
        #: order of its events.  See :class:`Projection`.
        self.merge: Final = merge
        #: Declared by the author: bump it when the fold's results change in
        #: a way its handlers' code does not show (a helper they call, the
        #: state's class), so that saved states of the old one are not used.
        self.version: Final = version
        # Replaced, never edited, when a handler is registered: an answer
        # computed later (AsOf.possible) folds with the handlers of its query.
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
            handlers = dict(self._handlers)
            for event_type_ in event_types:
                handlers[event_type_] = handler
            self._handlers = handlers
            self._resolved = {}
            self.generation += 1
            return handler

        return register

    def handler_for(self, event_type_: type[Event]) -> Callable[[S, Any], S] | None:
        """The handler an event type dispatches to (through its bases), or None."""
        return _resolve(self._handlers, self._resolved, event_type_)

    def fold(self, events: Iterable[Event], state: S | _Initial = _INITIAL) -> S:
        """Fold ``events`` in the order given, from ``state`` (default: the
        initial state; ``None`` is a state like any other)."""
        current: S = self.initial if isinstance(state, _Initial) else state
        result: S = _fold(self._handlers, self._resolved, events, current, None)
        return result

    def _dispatch(self) -> _Dispatch[S]:
        """The handlers as they are now, to fold with later."""
        return _Dispatch(self._handlers, self._resolved)

    def _fold_saving(
        self,
        events: Sequence[Event],
        state: S,
        every: int,
        saved: list[S],
        types: Iterable[type[Event]] | None = None,
    ) -> S:
        """Fold ``events`` from ``state`` as :meth:`fold` does, appending the
        state after each whole ``every`` events to ``saved`` (checkpoints).

        One call, where one :meth:`fold` call per checkpoint cost a call
        every ``every`` events: a full replay through ``log.state`` at 10**6
        went from 2.97 to 3.15 M events/s (/tmp script, runs interleaved;
        a counter per event instead of the slices made it 2.3).  ``types``
        (the event types the events may have) allows the one-handler loop
        of :func:`_fold`.
        """
        handlers, resolved = self._handlers, self._resolved
        sole = _sole_handler(handlers, resolved, types)
        current = state
        whole = len(events) - len(events) % every
        for start in range(0, whole, every):
            chunk = events[start : start + every]
            if sole is not None:
                for event in chunk:
                    current = sole(current, event)
            else:
                current = _fold(handlers, resolved, chunk, current, None)
            saved.append(current)
        result: S = _fold(handlers, resolved, events[whole:], current, types)
        return result

    def _fold_cuts(
        self,
        events: Sequence[Event],
        state: S,
        cuts: Sequence[int],
        saved: list[S],
        types: Iterable[type[Event]] | None,
    ) -> None:
        """Fold ``events`` from ``state``, appending to ``saved`` the state
        after the first ``cut`` events for each of ``cuts`` (ascending)."""
        handlers, resolved = self._handlers, self._resolved
        sole = _sole_handler(handlers, resolved, types)
        current = state
        taken = 0
        for cut in cuts:
            if sole is not None:
                for event in events[taken:cut]:
                    current = sole(current, event)
            else:
                current = _fold(handlers, resolved, events[taken:cut], current, None)
            saved.append(current)
            taken = cut

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

    An answer from a log is lazy: ``certain`` is computed by the query,
    ``pending`` and ``possible`` on first access (both at once), for the log
    as it was when asked, whatever has been appended since.  An answer is a
    value all the same: equality, hashing, ``repr``, pickling and
    ``attrs.asdict``/``evolve`` see all five attributes (and so compute the
    lazy part first), so two answers are equal when their five values are,
    however each was computed.  An answer from a durable log must be read
    before the log is closed.
    """

    as_of: Any
    known_at: Any
    certain: S
    possible: S
    pending: tuple[Event, ...]


class _Later:
    """Stands in the ``possible`` and ``pending`` slots of a lazy
    :class:`AsOf` until each is first read: ``pending`` returns the pending
    events (in fold order), ``possible`` the possible state.  Each is
    computed on its own: reading ``possible`` alone folds the pending events
    as found, without building the tuple of them (at 10**6 each pass over
    80k events scattered in memory costs about a bare fold of them)."""

    __slots__ = ("pending", "possible")

    def __init__(
        self,
        pending: Callable[[], tuple[Event, ...]],
        possible: Callable[[], Any],
    ) -> None:
        self.pending = pending
        self.possible = possible


class _LazySlot:
    """The descriptor of ``AsOf.possible`` and ``AsOf.pending``: reads the
    slot, and computes its value when it holds a :class:`_Later`.  attrs'
    generated methods read attributes by name, so they see values."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.slot = AsOf.__dict__[name]

    def __get__(self, instance: AsOf[Any] | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.slot.__get__(instance, owner)
        if type(value) is _Later:
            value = getattr(value, self.name)()
            self.slot.__set__(instance, value)
        return value

    def __set__(self, instance: AsOf[Any], value: Any) -> None:
        self.slot.__set__(instance, value)


_POSSIBLE, _PENDING = _LazySlot("possible"), _LazySlot("pending")
setattr(AsOf, "possible", _POSSIBLE)  # noqa: B010 (mypy refuses the assignment)
setattr(AsOf, "pending", _PENDING)  # noqa: B010


def lazy_answer(
    as_of: Any,
    known_at: Any,
    certain: S,
    pending: Callable[[], tuple[Event, ...]],
    possible: Callable[[], S],
) -> AsOf[S]:
    """An :class:`AsOf` whose ``pending`` and ``possible`` are computed by
    these functions when first read."""
    later: Any = _Later(pending, possible)
    return AsOf(as_of, known_at, certain, later, later)


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


def packed_key(event: Event, seq: int, fuzz: Fuzz | None = None) -> int:
    """The fold key of ``event`` at ``seq`` as one int (see :func:`fold_key`),
    its bounds widened by ``fuzz`` if given (:meth:`UncertainDate.fuzzy_days`)."""
    occurred = event.occurred
    if fuzz is None:
        lo, hi = occurred.earliest_day, occurred.latest_day
    else:
        lo, hi = occurred.fuzzy_days(fuzz)
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

    def size(self) -> int:
        """About how many bytes the states hold: a list slot each, and each
        state as large as the projection's last (``sys.getsizeof``)."""
        total = 0
        for _, states in self._by.values():
            total += len(states) * (8 + sys.getsizeof(states[-1]))
        return total

    def keep(self, count: int) -> None:
        """Drop every projection's states from number ``count`` on."""
        for _, states in self._by.values():
            del states[count:]


_TOP_LEVEL: Final = 254
# The translate tables of _Seqs.kept: level < top -> 1, top -> 2, above -> 0.
_TABLES: Final = tuple(
    bytes([1] * top + [2] + [0] * (255 - top)) for top in range(_TOP_LEVEL + 1)
)


class _Seqs:
    """Sequence numbers parallel to a list of events: an int64 array, and a
    byte each, its level ``(seq - 1) >> shift`` (``shift`` the least that
    keeps every level at most 254), so that a past version's filter
    ``seq <= count`` runs at C speed: the levels translated by a table
    (below count's level: kept; above: not), then an exact check of only
    the numbers at count's own level.  At 10**6, filtering 95k pending
    events by ``count.__ge__`` mapped over the array cost 6x reading them
    (the comprehension ``key & mask <= count`` about 12x)."""

    __slots__ = ("levels", "numbers", "shift")

    def __init__(self, numbers: Iterable[int] = ()) -> None:
        self.numbers = array.array("q", numbers)
        self.shift = 0
        self.levels = bytearray()
        self._relevel()

    def _relevel(self) -> None:
        top, shift = max(self.numbers, default=1), self.shift
        while (top - 1) >> shift > _TOP_LEVEL:
            shift += 1
        self.shift = shift
        self.levels = bytearray(map(shift.__rrshift__, map((-1).__add__, self.numbers)))

    def __len__(self) -> int:
        return len(self.numbers)

    def insert(self, at: int, seq: int) -> None:
        self.numbers.insert(at, seq)
        level = (seq - 1) >> self.shift
        if level > _TOP_LEVEL:
            self._relevel()
        else:
            self.levels.insert(at, level)

    def delete(self, at: int) -> None:
        del self.numbers[at]
        del self.levels[at]

    def cut(self, start: int) -> None:
        """Drop the numbers from ``start`` on."""
        del self.numbers[start:]
        del self.levels[start:]

    def extend(self, seqs: Sequence[int]) -> None:
        self.numbers.extend(seqs)
        shift = self.shift
        if seqs and (max(seqs) - 1) >> shift > _TOP_LEVEL:
            self._relevel()
        else:
            self.levels.extend(map(shift.__rrshift__, map((-1).__add__, seqs)))

    def kept(self, start: int, stop: int, count: int) -> bytearray | None:
        """A flag for each number at ``start:stop``, 1 when it is at most
        ``count`` (None when all are)."""
        if count < 1:
            return bytearray(stop - start)
        top = (count - 1) >> self.shift
        if top > _TOP_LEVEL:
            return None
        flags = self.levels[start:stop].translate(_TABLES[top])
        numbers = self.numbers
        at = flags.find(2)
        while at >= 0:
            flags[at] = numbers[start + at] <= count
            at = flags.find(2, at + 1)
        return flags if flags.find(0) >= 0 else None


class _Run:
    """A secondary index: entries (packed keys, or keys less a constant)
    sorted, with the log's event of each in a list of the same order, so
    that a range of it gives its events as a slice.

    Against a ``SortedList`` of keys whose events were looked up one by one
    (``events[(key & mask) - 1]``), that lookup was most of the cost of a
    full answer: at 10**6 on the realistic workload (issue 15), 83k pending
    events took 14 ms to look up, and a slice of the same events 0.45 ms.
    Plain lists: an insertion moves the tail (about 40 us for 10**5
    entries); a batch of more than a few is merged and the events listed
    again from the log instead.
    """

    __slots__ = ("entries", "events", "narrowest", "seqs")

    def __init__(self) -> None:
        self.entries: list[int] = []
        self.events: list[Event] = []
        # The sequence numbers of the events, also parallel (an int64 array):
        # a past version filters a slice by them at C speed (``count.__ge__``
        # mapped over them), where ``entry & mask <= count`` per entry cost
        # about twice as much.
        self.seqs = _Seqs()
        # No entry ever added was narrower (in days, latest - earliest): an
        # event of a bucket ending within this many days after a query day
        # has surely started by it.  Never raised again by removals.
        self.narrowest = 0

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entries: list[int], log: list[Event]) -> None:
        """Add entries (any order); ``log`` has the event of seq s at s - 1."""
        mine, events, seqs, mask = self.entries, self.events, self.seqs, _SEQ_MASK
        if len(entries) <= 8:
            for entry in entries:
                at = bisect.bisect_left(mine, entry)
                mine.insert(at, entry)
                events.insert(at, log[(entry & mask) - 1])
                seqs.insert(at, entry & mask)
            return
        entries.sort()
        if not mine or entries[0] > mine[-1]:
            mine += entries
            added = [entry & mask for entry in entries]
            events += [log[seq - 1] for seq in added]
            seqs.extend(added)
            return
        mine += entries
        mine.sort()  # two sorted runs: merged in linear time
        every = [entry & mask for entry in mine]
        self.events = [log[seq - 1] for seq in every]
        self.seqs = _Seqs(every)

    def discard(self, entry: int) -> None:
        at = bisect.bisect_left(self.entries, entry)
        if at < len(self.entries) and self.entries[at] == entry:
            del self.entries[at]
            del self.events[at]
            self.seqs.delete(at)

    def range(self, low: int | None, high: int | None) -> tuple[int, int]:
        """The positions of the entries in [low, high)."""
        entries = self.entries
        start = 0 if low is None else bisect.bisect_left(entries, low)
        stop = (
            len(entries) if high is None else bisect.bisect_left(entries, high, start)
        )
        return start, stop


_Piece = tuple[Sequence[int], Sequence[Event], _Seqs, int, int, int]
"""A run of pending events: sorted entries, their events and sequence
numbers (parallel), the positions [start, stop) to take, and the offset that
makes an entry its packed key."""


def _from(values: Sequence[Any], start: int) -> Iterator[Any]:
    """An iterator over ``values`` from position ``start``, without passing
    over the ones before it: ``islice(values, start, stop)`` steps through
    the first ``start`` (at 10**6 the query of a late day, with 12k pending
    events, spent 11 ms skipping the 90k open starts that ended before it)."""
    found = iter(values)
    found.__setstate__(start)  # type: ignore[attr-defined]
    return found


def _merged(sources: list[_Piece]) -> list[_Piece]:
    """The pieces of sorted runs (offset 0; keys distinct across runs),
    merged in key order, as pieces whose concatenation is in key order.

    A galloping merge: each step takes, from the run with the least head,
    everything below the least head of the others, as one piece.  Pending
    events come in long runs (the open starts; all the year events pending
    on a day end on the same day), so a merge takes a few slices where a
    sort of 12k keys and a lookup of their events cost more than folding
    them.  When the runs interleave finely, the rest is merged by a sort.
    """
    live: list[list[Any]] = [list(s) for s in sources if s[3] < s[4]]
    pieces: list[_Piece] = []
    steps = taken = 0
    while len(live) > 1:
        heads = [run[0][run[3]] for run in live]
        best = min(range(len(live)), key=heads.__getitem__)
        heads[best] = _PAST_ALL
        bound = min(heads)
        entries, events, seqs, start, stop, _ = live[best]
        end = bisect.bisect_left(entries, bound, start + 1, stop)
        pieces.append((entries, events, seqs, start, end, 0))
        taken += end - start
        if end == stop:
            del live[best]
        else:
            live[best][3] = end
        steps += 1
        if steps > 16 and steps * 32 > taken:
            pieces.append(_sorted_merge(live))
            return pieces
    if live:
        entries, events, seqs, start, stop, _ = live[0]
        pieces.append((entries, events, seqs, start, stop, 0))
    return pieces


def _sorted_merge(live: list[Any]) -> _Piece:
    """The end of :func:`_merged` for finely interleaved runs: a sort."""
    keys = [key for run in live for key in run[0][run[3] : run[4]]]
    events = [event for run in live for event in run[1][run[3] : run[4]]]
    seqs = [seq for run in live for seq in run[2].numbers[run[3] : run[4]]]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return (
        [keys[i] for i in order],
        [events[i] for i in order],
        _Seqs([seqs[i] for i in order]),
        0,
        len(order),
        0,
    )


def _events_in(pieces: Iterable[_Piece]) -> Iterator[Event]:
    """The events of the pieces, in order, read in place."""
    islice = itertools.islice
    return itertools.chain.from_iterable(
        islice(_from(events, start), stop - start)
        for _, events, _, start, stop, _ in pieces
    )


def _kept(
    events: Sequence[Event], seqs: _Seqs, start: int, stop: int, count: int
) -> Iterable[Event]:
    """The events at positions ``start:stop`` whose sequence number is at
    most ``count``, read in place and filtered at C speed."""
    if start >= stop:
        return ()
    flags = seqs.kept(start, stop, count)
    if flags is None:
        return itertools.islice(_from(events, start), stop - start)
    return itertools.compress(_from(events, start), flags)


class View:
    """The events one version of a log counts, in fold order, with the
    pending index and per-projection checkpoints.

    Keys are packed ints (:func:`packed_key`) kept in sorted lists
    (``sortedcontainers``): inserting a late event is O(log n) instead of
    the O(n) of a plain list insertion, which made loading a million events
    in random date order quadratic.  Events are looked up by sequence
    number in the log's own list, shared here.
    """

    def __init__(
        self,
        events: list[Event],
        checkpoint_every: int = 16,
        types: set[type[Event]] | None = None,
        fuzz: Fuzz | None = None,
    ) -> None:
        self._events = events  # the log's events in append order (seq - 1)
        self.fuzz = fuzz  # the policy its keys were made with (None: strict)
        # The event types in the log (the log's own set, kept up to date by
        # it), if known: folds use it to skip the per-event dispatch.
        self.types = types
        self.keys: SortedList[int] = SortedList()
        # The events in fold order, parallel to ``keys``: a fold reads them as
        # a slice instead of looking each key's event up in the log's list
        # (memory-bound: fold order is not append order).
        self._ordered: list[Event] = []
        self._seqs = _Seqs()  # their sequence numbers, also parallel
        # Per width class: keys of finite, non-exact events.
        self._buckets: list[_Run] = [_Run() for _ in range(len(_WIDTHS) + 1)]
        # Open start, finite end: pending while as_of < latest.
        self._open_start = _Run()
        # Finite start, open/unknown end: pending once earliest <= as_of;
        # held as the key without its latest day, so sorted by (earliest, seq).
        self._open_end = _Run()
        self.every = checkpoint_every
        self._checkpoints = _Checkpoints()
        # Past versions read through this view, told of every change.
        self._dependents: weakref.WeakSet[PastView] = weakref.WeakSet()
        # Built on the first query of a past version by a projection that
        # declares ``merge``, then kept up to date.
        self._seq_blocks: _SeqBlocks | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def _index_of(self, key: int) -> tuple[_Run, int] | None:
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
        self._order(keys, first)
        grouped: dict[int, tuple[_Run, list[int]]] = {}
        for key in keys:
            found = self._index_of(key)
            if found is not None:
                index, entry = found
                grouped.setdefault(id(index), (index, []))[1].append(entry)
        for index, entries in grouped.values():
            if index is not self._open_start and index is not self._open_end:
                narrowest = min(
                    (entry >> _HI_SHIFT) - ((entry >> _SEQ_BITS) & _DAY_MASK)
                    for entry in entries
                )
                if not index or narrowest < index.narrowest:
                    index.narrowest = narrowest
            index.add(entries, self._events)
        blocks = self._seq_blocks
        if blocks is not None:
            log, mask = self._events, _SEQ_MASK
            for key in keys:
                blocks.add(key, log[(key & mask) - 1])
        position = self.keys.bisect_left(first)
        self._invalidate(position)
        for past in self._dependents:
            past.moved(position)

    def remove(self, key: int) -> None:
        position = self.keys.bisect_left(key)
        if position == len(self.keys) or self.keys[position] != key:
            return
        del self.keys[position]
        del self._ordered[position]
        self._seqs.delete(position)
        found = self._index_of(key)
        if found is not None:
            found[0].discard(found[1])
        if self._seq_blocks is not None:
            self._seq_blocks.remove(key)
        self._invalidate(position)
        for past in self._dependents:
            past.moved(position, removed=key)

    def _order(self, keys: Sequence[int], first: int) -> None:
        """Put the events of new ``keys`` (already in ``self.keys``) in the
        fold-order list: a few by insertion (a move of the list's tail, about
        0.5 ns a slot), many by listing the events again from the first new
        position on (about 0.1 us a slot: looked up by key)."""
        ordered, seqs, log, mask = self._ordered, self._seqs, self._events, _SEQ_MASK
        if len(keys) <= 256:
            position = self.keys.bisect_left
            for key in sorted(keys):
                at = position(key)
                seq = key & mask
                ordered.insert(at, log[seq - 1])
                seqs.insert(at, seq)
            return
        start = self.keys.bisect_left(first)
        tail = [key & mask for key in self.keys.islice(start)]
        ordered[start:] = [log[seq - 1] for seq in tail]
        seqs.cut(start)
        seqs.extend(tail)

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

    def pending_events(self, day: int) -> list[Event]:
        """The events that may or may not have happened by ``day``, in fold
        order."""
        return list(self.pending_iter(day))

    def pending_iter(self, day: int) -> Iterator[Event]:
        """:meth:`pending_events` as an iterator over slices of the indexes
        (no copy of them: each copy is a pass over the events in memory)."""
        return _events_in(self._pieces(day))

    def _pieces(self, day: int) -> list[_Piece]:
        """The pending events at ``day`` in fold order, as pieces of the
        indexes.

        From each width class, the events ending within its window after
        ``day`` (those ending within its narrowest width surely started by
        then, a slice; the others filtered); the open starts ending after
        ``day`` (a slice: ``../2025-07-14`` is pending at every day before
        its end); merged in key order (:func:`_merged`).  Then the open ends
        (latest day unbounded) that started by ``day``: a prefix of their
        index, already in fold order.
        """
        after = _ending_after(day)
        started = _started_by(day)
        low = _DAY_AND_SEQ_MASK  # a local: the filter below runs per key
        sources: list[_Piece] = []
        limits = (*_WIDTHS, None)
        for limit, bucket in zip(limits, self._buckets, strict=True):
            if not bucket:
                continue
            entries, events, seqs = bucket.entries, bucket.events, bucket.seqs
            start, sure = bucket.range(after, _ending_after(day + bucket.narrowest))
            sources.append((entries, events, seqs, start, sure, 0))
            end = _OPEN_END if limit is None else _ending_after(day + limit)
            stop = bisect.bisect_left(entries, end, sure)
            if sure < stop:
                window = entries[sure:stop]
                flags = [entry & low < started for entry in window]
                kept = list(itertools.compress(window, flags))
                if kept:
                    more = list(itertools.compress(events[sure:stop], flags))
                    numbers = itertools.compress(seqs.numbers[sure:stop], flags)
                    sources.append((kept, more, _Seqs(numbers), 0, len(kept), 0))
        open_start = self._open_start
        if open_start:
            start = bisect.bisect_left(open_start.entries, after)
            sources.append(
                (
                    open_start.entries,
                    open_start.events,
                    open_start.seqs,
                    start,
                    len(open_start),
                    0,
                )
            )
        pieces = _merged(sources)
        open_end = self._open_end
        if open_end:
            stop = open_end.range(None, started)[1]
            if stop:
                pieces.append(
                    (
                        open_end.entries,
                        open_end.events,
                        open_end.seqs,
                        0,
                        stop,
                        _OPEN_END,
                    )
                )
        return pieces

    def events_of(self, keys: Iterable[int]) -> list[Event]:
        """The events the keys belong to, in the same order."""
        events, mask = self._events, _SEQ_MASK
        return [events[(key & mask) - 1] for key in keys]

    def events(self, start: int = 0, stop: int | None = None) -> list[Event]:
        """The events at fold positions ``start:stop``."""
        return self._ordered[start:stop]

    def state_at(self, projection: Projection[S], count: int) -> S:
        """The fold of the first ``count`` events, from the nearest checkpoint."""
        return _state_at(
            self._checkpoints, projection, self._ordered, count, self.every, self.types
        )

    def merged_state(self, projection: Projection[S], count: int, bound: int) -> S:
        """For a projection that declares ``merge``: the fold of the events
        with sequence number at most ``count`` and key below ``bound``, as
        the merge of each block's state (:class:`_SeqBlocks`), the block
        ``count`` falls in filtered and folded on top."""
        blocks = self._seq_blocks
        if blocks is None:
            blocks = self._seq_blocks = _SeqBlocks(self)
        merge = projection.merge
        assert merge is not None
        every, types = self.every, self.types
        whole = count // blocks.size
        state = projection.initial
        for block in blocks.blocks[:whole]:
            at = bisect.bisect_left(block.keys, bound)
            if at:
                state = merge(
                    state,
                    _state_at(
                        block.checkpoints, projection, block.events, at, every, types
                    ),
                )
        if whole < len(blocks.blocks):
            block = blocks.blocks[whole]
            at = bisect.bisect_left(block.keys, bound)
            kept = _kept(block.events, block.seqs, 0, at, count)
            state = projection._dispatch().fold(kept, state, types)
        return state


def _state_at(
    checkpoints: _Checkpoints,
    projection: Projection[S],
    events: list[Event],
    count: int,
    every: int,
    types: Iterable[type[Event]] | None,
) -> S:
    """The fold of the first ``count`` of ``events`` (in fold order), from
    the nearest of the ``checkpoints`` saved every ``every`` of them."""
    states = checkpoints.states(projection)
    target = count // every
    if target >= len(states):
        # Catch up in one pass over the keys (one islice, not one per
        # checkpoint: that halved the cost of a long fold).
        start = (len(states) - 1) * every
        return projection._fold_saving(
            events[start:count], states[-1], every, states, types
        )
    return projection.fold(events[target * every : count], states[target])


class _Block:
    """The events of one block of sequence numbers, in fold order."""

    __slots__ = ("checkpoints", "events", "keys", "seqs")

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.events: list[Event] = []
        self.seqs = _Seqs()
        self.checkpoints = _Checkpoints()


#: Sequence numbers a block of :class:`_SeqBlocks` spans.
SEQ_BLOCK = 16384


class _SeqBlocks:
    """A view's events in blocks of :data:`SEQ_BLOCK` consecutive sequence
    numbers, each block in fold order with checkpoints of its own, for the
    projections that declare ``merge`` (see :class:`Projection`).

    A past version holds the events with sequence number up to its count
    (and some superseded since), so its certain state on a day is the merge
    of the states of the whole blocks below its count at that day (a bisect
    and a fold of at most a checkpoint interval each), with the block its
    count falls in filtered and folded on top.  Without ``merge`` that state
    cannot come from another version's: the versions differ near the start
    of the fold order (late arrivals), so a first query folds the version
    from its start.  An append changes only the last blocks (new sequence
    numbers), a correction the block of the event it supersedes.
    """

    def __init__(self, view: View) -> None:
        self.size = size = SEQ_BLOCK
        keys, seqs, events = list(view.keys), view._seqs.numbers, view._ordered
        # Block numbers in fold order; a stable sort by them keeps each
        # block's events in fold order (all at C speed).
        numbers = list(map(size.__rfloordiv__, map((-1).__add__, seqs)))
        order = sorted(range(len(numbers)), key=numbers.__getitem__)
        ranked = list(map(numbers.__getitem__, order))
        self.blocks: list[_Block] = [
            _Block() for _ in range(ranked[-1] + 1 if ranked else 0)
        ]
        for number, block in enumerate(self.blocks):
            start = bisect.bisect_left(ranked, number)
            taken = order[start : bisect.bisect_left(ranked, number + 1, start)]
            block.keys = list(map(keys.__getitem__, taken))
            block.events = list(map(events.__getitem__, taken))
            block.seqs = _Seqs(map(seqs.__getitem__, taken))
        self.every = view.every

    def add(self, key: int, event: Event) -> None:
        seq = key & _SEQ_MASK
        number = (seq - 1) // self.size
        while len(self.blocks) <= number:
            self.blocks.append(_Block())
        block = self.blocks[number]
        at = bisect.bisect_left(block.keys, key)
        block.keys.insert(at, key)
        block.events.insert(at, event)
        block.seqs.insert(at, seq)
        block.checkpoints.keep(at // self.every + 1)

    def remove(self, key: int) -> None:
        number = ((key & _SEQ_MASK) - 1) // self.size
        if number >= len(self.blocks):
            return
        block = self.blocks[number]
        at = bisect.bisect_left(block.keys, key)
        if at < len(block.keys) and block.keys[at] == key:
            del block.keys[at]
            del block.events[at]
            block.seqs.delete(at)
            block.checkpoints.keep(at // self.every + 1)


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
        self.types = base.types
        self.fuzz = base.fuzz
        self._checkpoints = _Checkpoints()
        base._dependents.add(self)

    @property
    def count(self) -> int:
        """How many events of the log (a prefix) this version holds."""
        return self._count

    def size(self) -> int:
        """About how many bytes this version holds: its extras, and its
        checkpoints (each counted as large as the last state saved)."""
        return 8 * len(self._extras) + self._checkpoints.size()

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
        return projection.fold(self._events(start, stop, low, high), state)

    def _events(self, start: int, stop: int, low: int, high: int) -> list[Event]:
        """The version's events at base positions ``start:stop`` and its
        extras in [low, high), in fold order: the base's events in fold
        order as a slice, those after the version filtered out by their
        sequence numbers (an array: its max is checked first, in C), and a
        merge by key only where extras fall in."""
        extras = self._extras
        if bisect.bisect_left(extras, low) < bisect.bisect_left(extras, high):
            return self._base.events_of(self._keys(start, stop, low, high))
        base, count = self._base, self._count
        events = base._ordered[start:stop]
        flags = base._seqs.kept(start, stop, count)
        if flags is not None:
            events = list(itertools.compress(events, flags))
        return events

    def certain_state(self, projection: Projection[S], day: int) -> S:
        bound = _ending_after(day)
        if projection.merge is not None:
            # The base's blocks merged, then the extras below ``bound``.
            state = self._base.merged_state(projection, self._count, bound)
            extras = self._extras[: bisect.bisect_left(self._extras, bound)]
            if not extras:
                return state
            return projection._dispatch().fold(
                self._base.events_of(extras), state, self.types
            )
        every = self.every
        states = self._checkpoints.states(projection)
        position = self._base.keys.bisect_left(bound)
        # The checkpoint to start from must cut below ``bound``: its key at
        # i * every must be one of the positions before ``position``.
        target = (position - 1) // every if position else 0
        if len(states) <= target:
            self._catch_up(projection, states, target)
        low = self._key_at(target * every) if target else _PAST_NONE
        return self._fold(
            projection, states[target], target * every, position, low, bound
        )

    def _catch_up(
        self, projection: Projection[S], states: list[S], target: int
    ) -> None:
        """Save checkpoints up to number ``target`` in one pass: the version's
        events from the last checkpoint's base position to the target's (a
        slice, filtered by sequence number, extras merged in at their
        positions), folded once, saving a state at each cut.  One call per
        checkpoint (a fold of 16 events and its bookkeeping) cost about 5 us
        of overhead each: most of a first query under a new known_at."""
        every, base, count = self.every, self._base, self._count
        first = len(states)
        start, stop = (first - 1) * every, target * every
        events = base._ordered[start:stop]
        flags = base._seqs.kept(start, stop, count)
        size = stop - start
        if flags is None:
            cuts = list(range(every, size + 1, every))
        else:
            events = list(itertools.compress(events, flags))
            # The kept events before each cut, a count of flags per chunk
            # (at C speed; a running sum over every flag cost more).
            cuts = list(
                itertools.accumulate(
                    map(
                        flags.count,
                        itertools.repeat(1),
                        range(0, size - every + 1, every),
                        range(every, size + 1, every),
                    )
                )
            )

        def kept_before(offset: int) -> int:
            """How many of the version's events lie before base position
            ``start + offset``."""
            if flags is None:
                return offset
            whole = offset // every
            return (cuts[whole - 1] if whole else 0) + flags.count(
                1, whole * every, offset
            )

        extras = self._extras
        low = self._key_at(start) if first > 1 else _PAST_NONE
        high = self._key_at(stop)
        lo, hi = bisect.bisect_left(extras, low), bisect.bisect_left(extras, high)
        if lo < hi:
            # An extra goes before the base event at its insertion position p
            # (its key is below that one's), so before cut c when p <= c.
            where = [base.keys.bisect_left(key) - start for key in extras[lo:hi]]
            merged: list[Event] = []
            taken = 0
            shifts = [0] * (len(cuts) + 1)
            for at, event in zip(where, base.events_of(extras[lo:hi]), strict=True):
                upto = kept_before(at)
                merged += events[taken:upto]
                merged.append(event)
                taken = upto
                # Before cut k (at position k * every) when at <= k * every.
                shifts[max(0, -(-at // every) - 1)] += 1
            merged += events[taken:]
            events = merged
            cuts = list(map(operator.add, cuts, itertools.accumulate(shifts)))
        projection._fold_cuts(events, states[-1], cuts, states, self.types)

    def certain_events(self, low: int | None, high: int) -> list[Event]:
        base = self._base
        first = _PAST_NONE if low is None else _ending_after(low)
        last = _ending_after(high)
        return self._events(
            base.keys.bisect_left(first), base.keys.bisect_left(last), first, last
        )

    def _extras_pending(self, day: int) -> list[int]:
        """The extras pending at ``day``: ending after it (a key from
        ``after`` on) and started by it (low bits below ``started``; as in
        View._pieces)."""
        extras = self._extras
        started, low = _started_by(day), _DAY_AND_SEQ_MASK
        return [
            key
            for key in extras[bisect.bisect_left(extras, _ending_after(day)) :]
            if key & low < started
        ]

    def pending_events(self, day: int) -> list[Event]:
        return list(self.pending_iter(day))

    def pending_iter(self, day: int) -> Iterator[Event]:
        """The version's pending events in fold order: the base's pieces,
        those after the version left out (by the indexes' sequence numbers,
        at C speed), the extras each put in at its position in the piece it
        falls in (the pieces' concatenation is in key order)."""
        count = self._count
        more = self._extras_pending(day)
        events_of = self._base.events_of
        parts: list[Iterable[Event]] = []
        taken = 0
        for entries, events, seqs, start, stop, offset in self._base._pieces(day):
            first = start
            while taken < len(more) and more[taken] - offset < entries[stop - 1]:
                at = bisect.bisect_left(entries, more[taken] - offset, first, stop)
                parts.append(_kept(events, seqs, first, at, count))
                parts.append(events_of(more[taken : taken + 1]))
                first = at
                taken += 1
            parts.append(_kept(events, seqs, first, stop, count))
        if taken < len(more):
            parts.append(events_of(more[taken:]))
        return itertools.chain.from_iterable(parts)

    def events_of(self, keys: Iterable[int]) -> list[Event]:
        return self._base.events_of(keys)

    def events(self) -> list[Event]:
        """Every event of the version, in fold order."""
        return self._events(0, len(self._base.keys), _PAST_NONE, _PAST_ALL)


_PAST_NONE: Final = -1  # below every packed key
_PAST_ALL: Final = 1 << (_HI_SHIFT + _DAY_BITS)  # above every packed key
