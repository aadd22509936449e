"""The append-only log: validation, sequence numbers, supersession, and
as-of queries over valid time (``as_of``) and recorded time (``known_at``).

Because ``recorded`` never goes backwards, the events known on a day are a
prefix of the log, so "the log as known on K" is simply "the log up to
sequence number n(K)".  An event is counted in version n when it is in the
prefix and no event in the prefix supersedes it: each event is counted from
its own sequence number until the first event that supersedes it.
"""

from __future__ import annotations

import array
import bisect
import datetime
import math
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

import attrs

from timeline._dates import UNBOUNDED_ABOVE, Fuzz, UncertainDate
from timeline._dates.freetext import parse_date
from timeline._events import Event, is_declared, recorded_key
from timeline._replay import (
    MAX_SEQ,
    AsOf,
    Diff,
    PastView,
    Projection,
    View,
    lazy_answer,
    packed_key,
)
from timeline._subscribe import Subscribable
from timeline.exceptions import (
    ConcurrencyError,
    InvalidDateError,
    InvalidEventError,
    UnsupportedQueryError,
)

__all__ = [
    "CLOCK_SKEW",
    "AsOfQueries",
    "Clock",
    "Log",
    "as_day",
    "check_batch",
    "known_at_key",
    "stamped",
    "system_clock",
]

S = TypeVar("S")

DayInput = datetime.date | str | UncertainDate
DateInput = datetime.date | str | UncertainDate


Clock = Callable[[], datetime.datetime]

#: How much later than the log's clock a recorded time may be: the clock
#: skew allowed between the machine that made an event and the one that
#: appends it.  A plain date, or a naive datetime (which may be a local wall
#: clock anywhere), may be as late as the wall clock in UTC+14, the zone
#: furthest ahead, plus this.
CLOCK_SKEW: Final = datetime.timedelta(minutes=5)
_FURTHEST_AHEAD: Final = datetime.timedelta(hours=14)
# codec.check_events, imported on first use (``import timeline`` loads no
# codec); an import statement on every append cost 0.5 us.
_check_events: Callable[[Sequence[Event]], None] | None = None


def system_clock() -> datetime.datetime:
    """The time now, in UTC: a log's default clock."""
    return datetime.datetime.now(datetime.UTC)


def as_day(value: DayInput, name: str) -> datetime.date:
    """Read a query day: a date, a datetime (its day), an exact-day text or
    UncertainDate.  Anything coarser than a day is refused, not guessed."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    date = parse_date(value) if isinstance(value, str) else value
    if not isinstance(date, UncertainDate):
        raise InvalidDateError(
            value, f"{name}: a datetime.date or a day such as '2024-06-19'"
        )
    if not date.is_exact_day or date.earliest is None:
        raise InvalidDateError(
            value,
            f"{name}: one calendar day such as '2024-06-19', not a "
            f"{date.precision.name.lower()} or a range",
        )
    return date.earliest


class AsOfQueries:
    """The as-of queries every backend answers the same way, on top of four
    hooks: pick the version of the log known at a day (``_version``), the
    certain state of a version on a day, its pending events, and its events
    whose latest possible day lies in a range, in fold order."""

    def _version(self, known_at: datetime.date | None) -> Any:
        raise NotImplementedError

    def _certain_state(self, version: Any, projection: Projection[S], day: int) -> S:
        raise NotImplementedError

    def _pending_events(self, version: Any, day: int) -> tuple[Event, ...]:
        raise NotImplementedError

    def _certain_between(
        self, version: Any, low: int | None, high: int
    ) -> Iterable[Event]:
        raise NotImplementedError

    def _pending_iter(self, version: Any, day: int) -> Iterable[Event]:
        """The pending events in fold order, for folding once (by default
        :meth:`_pending_events`)."""
        return self._pending_events(version, day)

    def _stable(self, version: Any) -> Any:
        """What to keep of ``version`` to find its pending events later, after
        appends (by default the version itself)."""
        return version

    def _again(self, stable: Any) -> Any:
        """The version :meth:`_stable` kept."""
        return stable

    def _event_types(self) -> set[type[Event]] | None:
        """The event types in the log, if known (for the one-handler fold)."""
        return None

    def _default_fuzz(self) -> Fuzz | None:
        """The log's Fuzz policy for queries that give none (None: strict)."""
        return None

    def _fuzzed_version(self, known_at: datetime.date | None, fuzz: Fuzz) -> Any:
        """The version known at a day with every event's bounds widened by
        ``fuzz``: a backend that cannot says so."""
        raise UnsupportedQueryError(
            f"{type(self).__name__} does not answer queries under a Fuzz policy "
            f"(asked for {fuzz!r}); load the events into a timeline.Log for that"
        )

    def _query(
        self, as_of: DayInput, known_at: DayInput | None, fuzz: Fuzz | None = None
    ) -> tuple[datetime.date, datetime.date | None, Any]:
        day = as_day(as_of, "as_of")
        known = None if known_at is None else _known_at_value(known_at)
        policy = self._default_fuzz() if fuzz is None else _policy(fuzz)
        if policy is None:
            return day, known, self._version(known)
        return day, known, self._fuzzed_version(known, policy)

    def state(
        self,
        projection: Projection[S],
        as_of: DayInput,
        known_at: DayInput | None = None,
        *,
        fuzz: Fuzz | None = None,
    ) -> AsOf[S]:
        """What was the state on ``as_of``, as known on ``known_at``?

        ``known_at=None`` counts the whole log.  See :class:`AsOf`: the
        answer's ``pending`` and ``possible`` are computed when first read,
        for the log as it is now.

        ``fuzz`` (default: the log's policy, strict unless the log was given
        one) widens every event's bounds as :meth:`UncertainDate.fuzzy_days`
        does before the answer is computed, fold order included: under
        ``Fuzz()`` "about 1850" (``1850~``) is pending from 1849 to the end of
        1851 instead of certain from 1851.  ``Fuzz(approximate=0,
        uncertain=0)`` is strict.
        """
        day, known, version = self._query(as_of, known_at, fuzz)
        number = day.toordinal()
        certain = self._certain_state(version, projection, number)
        stable = self._stable(version)
        dispatch = projection._dispatch()

        def pending() -> tuple[Event, ...]:
            return self._pending_events(self._again(stable), number)

        def possible() -> S:
            events = self._pending_iter(self._again(stable), number)
            return dispatch.fold(events, certain, self._event_types())

        return lazy_answer(day, known, certain, pending, possible)

    def events(
        self,
        *,
        during: DateInput | None = None,
        types: Iterable[type[Event] | str] | type[Event] | str = (),
        tags: Iterable[str] | str = (),
        known_at: DayInput | None = None,
        fuzz: Fuzz | None = None,
    ) -> tuple[Event, ...]:
        """The events counted as known on ``known_at`` (``None``: the whole
        log, corrections applied), in fold order, keeping those that

        - may have happened ``during`` a date of any precision (a text such
          as ``"1923"``, an :class:`UncertainDate` or a ``datetime.date``):
          the event's range of possible days meets the date's (widened by
          ``fuzz``, default the log's policy, as :meth:`state` widens it);
        - are of one of ``types`` (event classes, their subclasses included,
          or registered type names);
        - carry at least one of ``tags``.

        An empty ``types`` or ``tags`` (the default) keeps every event.
        """
        classes, names = _event_types(types)
        wanted_tags = frozenset(_strings(tags, "tags"))
        known = None if known_at is None else _known_at_value(known_at)
        policy = self._default_fuzz() if fuzz is None else _policy(fuzz)
        if policy is None:
            version = self._version(known)
        else:
            version = self._fuzzed_version(known, policy)
        low: int | None = None
        high: int | None = None
        if during is not None:
            period = _period(during)
            low, high = period.earliest_day, period.latest_day
        # Fold order is by latest day: those ending on or after the first
        # day of the period are from one position on (open ends included).
        found = self._certain_between(
            version, None if low is None else low - 1, UNBOUNDED_ABOVE
        )
        kept = []
        for event in found:
            if high is not None:
                earliest = (
                    event.occurred.earliest_day
                    if policy is None
                    else event.occurred.fuzzy_days(policy)[0]
                )
                if earliest is not None and earliest > high:
                    continue
            if (classes or names) and not (
                isinstance(event, classes) or event.type_name in names
            ):
                continue
            if wanted_tags and wanted_tags.isdisjoint(event.tags):
                continue
            kept.append(event)
        return tuple(kept)

    def __repr__(self) -> str:
        path = getattr(self, "path", None)
        where = "" if path is None else f" {str(path)!r}"
        try:
            size = f"{len(self):,} events"  # type: ignore[arg-type]
        except Exception:  # a closed log: repr must not raise
            size = "closed"
        return f"<{type(self).__name__}{where}: {size}>"

    def certain(
        self,
        projection: Projection[S],
        as_of: DayInput,
        known_at: DayInput | None = None,
        *,
        fuzz: Fuzz | None = None,
    ) -> S:
        """Only ``state(...).certain``: the state folded from the events that
        certainly happened by ``as_of``, without looking for pending ones."""
        day, _, version = self._query(as_of, known_at, fuzz)
        return self._certain_state(version, projection, day.toordinal())

    def provenance(
        self,
        projection: Projection[Any],
        as_of: DayInput,
        known_at: DayInput | None = None,
        *,
        fuzz: Fuzz | None = None,
    ) -> tuple[Event, ...]:
        """The certain events, in fold order, whose handler changed the state
        (returned a different object) on the way to ``state(...).certain``."""
        day, _, version = self._query(as_of, known_at, fuzz)
        events = self._certain_between(version, None, day.toordinal())
        return projection.changed_by(events)

    def diff(
        self,
        projection: Projection[S],
        start: DayInput,
        end: DayInput,
        known_at: DayInput | None = None,
        *,
        fuzz: Fuzz | None = None,
    ) -> Diff[S]:
        """What changed between ``start`` and ``end``, and which events changed it."""
        before = self.state(projection, start, known_at, fuzz=fuzz)
        after = self.state(projection, end, known_at, fuzz=fuzz)
        version = self._query(start, known_at, fuzz)[2]
        a, b = before.as_of.toordinal(), after.as_of.toordinal()
        moved = tuple(self._certain_between(version, min(a, b), max(a, b)))
        return Diff(
            before=before,
            after=after,
            became_certain=moved if b >= a else (),
            no_longer_certain=() if b >= a else moved,
        )


class Log(AsOfQueries, Subscribable):
    """An append-only log of events, in memory.

    >>> log = Log()
    >>> len(log)
    0

    ``append`` is all or nothing; nothing edits or removes an event.  A
    correction is a new event whose ``supersedes`` names the old one.
    """

    #: How much later than the clock a recorded time may be (the skew
    #: allowed between the clock of the machine that made an event and the
    #: log's): 5 minutes.  A date or a naive datetime, which may be a local
    #: wall clock anywhere, may be as late as the wall clock of UTC+14 plus
    #: this.
    clock_skew: datetime.timedelta = CLOCK_SKEW

    def __init__(
        self,
        events: Iterable[Event] = (),
        *,
        checkpoint_every: int = 16,
        fuzz: Fuzz | None = None,
        cache_bytes: int = 256 * 2**20,
        clock: Clock | None = system_clock,
    ) -> None:
        #: What time it is, for appends: an event recorded later than this
        #: plus :attr:`clock_skew` is refused (None: no such check), and
        #: ``append(..., stamp=True)`` records events at this time.
        self.clock = clock
        if not isinstance(checkpoint_every, int) or checkpoint_every < 1:
            raise ValueError(
                f"checkpoint_every: expected an int >= 1, got {checkpoint_every!r}"
            )
        self._checkpoint_every = checkpoint_every
        self._events: list[Event] = []
        # id -> packed fold key (_replay.packed_key), whose low bits are the
        # seq: the same int object the indexes hold, so the map costs no
        # int of its own (28 bytes an event less than mapping to the seq).
        self._key_of: dict[str, int] = {}
        self._unindexed: list[int] = []  # keys appended since the last query
        # Recorded times as microseconds since day 0 (see _micros):
        # 8 bytes an event, where a (day, seconds) tuple took about 108.
        self._recorded = array.array("q")
        # seq -> seq of the first event that supersedes it
        self._superseded_at: dict[int, int] = {}
        self._superseders: dict[int, list[int]] = {}
        self._types: set[type[Event]] = set()  # the event types appended
        self._current = View(self._events, checkpoint_every, self._types)
        self._views = _PastCache(cache_bytes)
        # A Fuzz policy's indexes, built on its first query.
        self._fuzz = None if fuzz is None else _policy(fuzz)
        self._fuzzy: dict[Fuzz, _FuzzyIndexes] = {}
        batch = tuple(events)
        if batch:
            self.append(*batch)

    # -- reading ------------------------------------------------------

    def __len__(self) -> int:
        self._sync()
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        """The events in append order."""
        self._sync()
        return iter(self._events)

    def __contains__(self, event_id: object) -> bool:
        self._sync()
        return event_id in self._key_of

    @property
    def last_seq(self) -> int:
        """Sequence number of the last event (0 for an empty log)."""
        self._sync()
        return len(self._events)

    def get(self, event_id: str) -> Event:
        """The event with this id; ``KeyError`` naming it if there is none."""
        self._sync()
        try:
            return self._events[(self._key_of[event_id] & MAX_SEQ) - 1]
        except KeyError:
            raise KeyError(f"no event with id {event_id!r} in the log") from None

    def seq(self, event_id: str) -> int:
        """The sequence number of an event (1 for the first)."""
        self._sync()
        try:
            return self._key_of[event_id] & MAX_SEQ
        except KeyError:
            raise KeyError(f"no event with id {event_id!r} in the log") from None

    def at(self, seq: int) -> Event:
        """The event with sequence number ``seq``."""
        self._sync()
        if not 1 <= seq <= len(self._events):
            raise IndexError(
                f"sequence number {seq} is not in the log (1..{len(self._events)})"
            )
        return self._events[seq - 1]

    def superseded_by(self, event_id: str) -> tuple[Event, ...]:
        """The events that supersede this one, in append order."""
        seq = self.seq(event_id)
        return tuple(self._events[s - 1] for s in self._superseders.get(seq, ()))

    def count_known_at(self, known_at: datetime.date | str | None) -> int:
        """How many events (a prefix of the log) were recorded by ``known_at``."""
        self._sync()
        if known_at is None:
            return len(self._events)
        return bisect.bisect_right(self._recorded, _micros(known_at_key(known_at)))

    def timeline(
        self, known_at: datetime.date | str | None = None
    ) -> tuple[Event, ...]:
        """The events counted as known on ``known_at``, in fold order."""
        return tuple(self._view(self.count_known_at(known_at)).events())

    # -- appending ----------------------------------------------------

    def append(
        self, *events: Event, expected_seq: int | None = None, stamp: bool = False
    ) -> int:
        """Append events atomically; returns the last sequence number.

        ``expected_seq`` is the last sequence number the writer has seen
        (0 for an empty log); if the log has moved on, ``ConcurrencyError``.
        A rejected batch leaves the log exactly as it was.

        An event recorded later than the log's ``clock`` plus
        :attr:`clock_skew` is refused (a typo such as 2099 would otherwise
        refuse every later append as back-dated); ``Log(clock=None)`` allows
        it.  Payload values are checked as the durable logs check them: a
        value that would not read back as itself is refused.

        ``stamp=True`` records every event of the batch at the log's clock
        (:func:`system_clock` without one), read while the log is locked
        against other writers: concurrent writers recording "now" are never
        refused as back-dated.  The log holds the stamped copies (read them
        back with :meth:`get`); the events given keep their own time.
        """
        self._check_expected(expected_seq)
        if stamp:
            events = stamped(
                events, (self.clock or system_clock)(), self._last_recorded()
            )
        self._validate(events, stamped=stamp)
        self._write(events)
        self._commit_all(events)
        self._notify()
        return len(self._events)

    def _commit_all(self, events: Sequence[Event]) -> None:
        # Appends only record the events; the fold-order indexes catch up on
        # the next query (_index), in one sorted batch.  One loop with the
        # containers in locals, and each recorded time converted once for a
        # run of equal ones: 0.86 -> 0.72 us an event (measured on 10**5).
        log, key_of, unindexed = self._events, self._key_of, self._unindexed
        recorded = self._recorded
        self._types.update(map(type, events))
        last_value: object = None
        micros = 0
        for event in events:
            seq = len(log) + 1
            key = packed_key(event, seq)
            log.append(event)
            key_of[event.id] = key
            unindexed.append(key)
            if not _same_instant(event.recorded, last_value):
                last_value = event.recorded
                micros = _micros(recorded_key(event.recorded))
            recorded.append(micros)
            for target in event.supersedes:
                target_seq = key_of[target] & MAX_SEQ
                self._superseders.setdefault(target_seq, []).append(seq)
                self._superseded_at.setdefault(target_seq, seq)

    def _sync(self) -> None:
        """Catch up with appends made elsewhere (a no-op in memory)."""

    def _check_expected(self, expected_seq: int | None) -> None:
        if expected_seq is None:
            return
        if not isinstance(expected_seq, int) or isinstance(expected_seq, bool):
            raise TypeError(f"expected_seq: expected an int, got {expected_seq!r}")
        if expected_seq != len(self._events):
            raise ConcurrencyError(expected_seq, len(self._events))

    def _write(self, events: Sequence[Event]) -> None:
        """Make a validated batch durable (a no-op in memory)."""

    def _validate(self, events: Sequence[Event], *, stamped: bool = False) -> None:
        if len(self._events) + len(events) > MAX_SEQ:
            raise InvalidEventError(
                f"a log holds at most {MAX_SEQ} events (sequence numbers are "
                f"{MAX_SEQ.bit_length()}-bit in the fold keys)"
            )
        check_batch(
            events,
            self._key_of.__contains__,
            self._last_recorded(),
            # (a stamped time is the log's own, never a caller's typo)
            now=None if self.clock is None or stamped else self.clock(),
            skew=self.clock_skew,
        )
        self._check_values(events)

    def _check_values(self, events: Sequence[Event]) -> None:
        """Refuse values the durable logs could not store and read back: the
        codec's own check (a durable log's _write runs it while encoding,
        before anything is written, and skips this)."""
        check = _check_events
        if check is None:
            check = _import_check_events()
        check(events)

    def _last_recorded(self) -> tuple[int, float] | None:
        """The recorded key of the last event (None for an empty log)."""
        return recorded_key(self._events[-1].recorded) if self._events else None

    def _index(self) -> None:
        """Bring the fold-order indexes up to date with the appended events."""
        keys = self._unindexed
        if not keys:
            return
        self._unindexed = []
        superseded_at = self._superseded_at
        self._current.update(
            [key for key in keys if key & MAX_SEQ not in superseded_at]
        )
        first = keys[0] & MAX_SEQ
        key_of = self._key_of
        for key in keys:
            seq = key & MAX_SEQ
            for target in self._events[seq - 1].supersedes:
                target_key = key_of[target]
                target_seq = target_key & MAX_SEQ
                if target_seq < first and superseded_at[target_seq] == seq:
                    self._current.remove(target_key)

    # -- views and queries --------------------------------------------

    def _view(self, count: int) -> View | PastView:
        self._index()
        if count == len(self._events):
            return self._current
        events, key_of = self._events, self._key_of
        return self._views.version(
            self._current,
            count,
            lambda seq: key_of[events[seq - 1].id],
            self._superseded_at,
        )

    def _fuzzed(self, fuzz: Fuzz) -> _FuzzyIndexes:
        self._index()
        indexes = self._fuzzy.get(fuzz)
        if indexes is None:
            indexes = self._fuzzy[fuzz] = _FuzzyIndexes(self, fuzz)
        indexes.catch_up(self)
        return indexes

    # -- the hooks of AsOfQueries --------------------------------------

    def _version(self, known_at: datetime.date | None) -> View | PastView:
        return self._view(self.count_known_at(known_at))

    def _default_fuzz(self) -> Fuzz | None:
        return self._fuzz

    def _fuzzed_version(
        self, known_at: datetime.date | None, fuzz: Fuzz
    ) -> View | PastView:
        return self._fuzzed(fuzz).version(self, self.count_known_at(known_at))

    def _certain_state(
        self, version: View | PastView, projection: Projection[S], day: int
    ) -> S:
        return version.certain_state(projection, day)

    def _pending_events(self, version: View | PastView, day: int) -> tuple[Event, ...]:
        return tuple(version.pending_iter(day))

    def _pending_iter(self, version: View | PastView, day: int) -> Iterable[Event]:
        return version.pending_iter(day)

    def _stable(self, version: View | PastView) -> tuple[Fuzz | None, int]:
        # The policy and count of events of the version: the current view
        # changes with appends, but the version of that many events does not.
        count = version.count if isinstance(version, PastView) else len(self._events)
        return version.fuzz, count

    def _again(self, stable: tuple[Fuzz | None, int]) -> View | PastView:
        fuzz, count = stable
        if fuzz is None:
            return self._view(count)
        return self._fuzzed(fuzz).version(self, count)

    def _event_types(self) -> set[type[Event]]:
        return self._types

    def _certain_between(
        self, version: View | PastView, low: int | None, high: int
    ) -> Iterable[Event]:
        return version.certain_events(low, high)


class _PastCache:
    """Past versions (:class:`PastView`) by count of events, least recently
    used dropped first once their estimated size passes ``budget`` bytes
    (the two most recent are always kept).  Sized by memory, not count: a
    few versions of large states, or many of small ones (rotating among 64
    known_at values at 10**6 no longer rebuilds one at every query, as a
    cache of 8 did)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._views: OrderedDict[int, PastView] = OrderedDict()

    def __len__(self) -> int:
        return len(self._views)

    def version(
        self,
        base: View,
        count: int,
        key_of_seq: Callable[[int], int],
        superseded_at: dict[int, int],
    ) -> PastView:
        view = self._views.get(count)
        if view is not None:
            self._views.move_to_end(count)
            return view
        # The version at ``count``: the base view's events up to it, and the
        # events superseded since (the base view has dropped them).
        view = PastView(
            base,
            count,
            [key_of_seq(seq) for seq, at in superseded_at.items() if seq <= count < at],
        )
        self._views[count] = view
        self._shrink()
        return view

    def _shrink(self) -> None:
        views = self._views
        if len(views) <= 2:
            return
        sizes = [view.size() for view in views.values()]
        total = sum(sizes)
        for size in sizes[:-2]:
            if total <= self.budget:
                break
            views.popitem(last=False)
            total -= size


class _FuzzyIndexes:
    """The fold-order indexes of a log under one Fuzz policy (keys from the
    widened bounds), built on the policy's first query and brought up to
    date on each later one, as the strict indexes are."""

    def __init__(self, log: Log, fuzz: Fuzz) -> None:
        self.fuzz = fuzz
        self.view = View(log._events, log._checkpoint_every, log._types, fuzz)
        self.past = _PastCache(log._views.budget)
        self.done = 0  # events indexed

    def key(self, log: Log, seq: int) -> int:
        return packed_key(log._events[seq - 1], seq, self.fuzz)

    def catch_up(self, log: Log) -> None:
        events, superseded_at = log._events, log._superseded_at
        first, last = self.done + 1, len(events)
        if first > last:
            return
        fuzz = self.fuzz
        self.view.update(
            [
                packed_key(events[seq - 1], seq, fuzz)
                for seq in range(first, last + 1)
                if seq not in superseded_at
            ]
        )
        key_of = log._key_of
        for seq in range(first, last + 1):
            for target in events[seq - 1].supersedes:
                target_seq = key_of[target] & MAX_SEQ
                if target_seq < first and superseded_at[target_seq] == seq:
                    self.view.remove(self.key(log, target_seq))
        self.done = last

    def version(self, log: Log, count: int) -> View | PastView:
        if count == len(log._events):
            return self.view
        return self.past.version(
            self.view, count, lambda seq: self.key(log, seq), log._superseded_at
        )


def check_batch(
    events: Sequence[Event],
    in_log: Callable[[str], bool],
    last_recorded: tuple[int, float] | None,
    *,
    now: datetime.datetime | None = None,
    skew: datetime.timedelta = CLOCK_SKEW,
) -> None:
    """Reject a batch that may not be appended, naming the first bad event.

    Shared by every backend: ``in_log`` says whether an id is already in the
    log, ``last_recorded`` is the recorded key of its last event, ``now``
    the log's clock reading: a recorded time later than it plus ``skew``
    (:attr:`Log.clock_skew`) is refused (None: no such check).
    """
    # (a bound of an earlier reading of the clock, at most the exact one: the
    # exact one is computed when an event is later than it)
    latest = None if now is None else _latest_lower(now, skew)
    # Every append runs this per event, so the valid path builds no message
    # and checks each event type and recorded time once: 0.91 -> 0.34 us an
    # event (10**5 events in batches of 1000).
    batch_ids: set[str] = set()
    declared: set[type] = set()
    last = last_recorded
    last_value: object = None
    for index, event in enumerate(events):
        kind = type(event)
        if kind not in declared:
            if not isinstance(event, Event):
                raise InvalidEventError(
                    f"event {index + 1} of the batch: expected a timeline.Event, "
                    f"got {event!r}"
                )
            if not is_declared(kind):
                raise InvalidEventError(
                    f"{_where(index, event)}: {kind.__qualname__} is not declared "
                    "with @timeline.event_type(...)"
                )
            declared.add(kind)
        event_id = event.id
        if event_id in batch_ids or in_log(event_id):
            raise InvalidEventError(
                f"{_where(index, event)}: the id is already in the log"
            )
        for target in event.supersedes:
            if target not in batch_ids and not in_log(target):
                raise InvalidEventError(
                    f"{_where(index, event)}: supersedes {target!r}, which is not "
                    "an earlier event of the log"
                )
        recorded = event.recorded
        if not _same_instant(recorded, last_value):
            key = recorded_key(recorded)
            if last is not None and key < last:
                raise InvalidEventError(
                    f"{_where(index, event)}: recorded {recorded.isoformat()} is "
                    "earlier than an event already recorded; knowledge cannot "
                    "be back-dated"
                )
            if latest is not None and key > latest[_is_aware(recorded)]:
                assert now is not None
                latest = _latest(now, skew)
                if key > latest[_is_aware(recorded)]:
                    raise InvalidEventError(_in_future(index, event, now, skew))
            last, last_value = key, recorded
        batch_ids.add(event_id)


def _import_check_events() -> Callable[[Sequence[Event]], None]:
    global _check_events
    from timeline._storage.codec import check_events

    _check_events = check_events
    return check_events


_Bounds = tuple[tuple[int, float], tuple[int, float]]
# The last clock reading in UTC whose bounds were computed, its skew, and them.
_last_bounds: tuple[datetime.datetime, datetime.timedelta, _Bounds] | None = None


def _latest_lower(now: datetime.datetime, skew: datetime.timedelta) -> _Bounds:
    """Bounds no later than :func:`_latest` ``(now, skew)``: those of an
    earlier reading of a UTC clock with the same skew if there is one (the
    bounds only grow with the clock), else the exact ones.  An append of
    events recorded before the last exact bounds costs no arithmetic."""
    cached = _last_bounds
    if (
        cached is not None
        and type(now) is datetime.datetime
        and now.tzinfo is datetime.UTC
        and cached[0] <= now
        and cached[1] == skew
    ):
        return cached[2]
    return _latest(now, skew)


def _latest(now: datetime.datetime, skew: datetime.timedelta) -> _Bounds:
    """The latest recorded keys allowed at ``now``: for a date or a naive
    datetime (a wall clock anywhere), and for an aware datetime.

    The keys recorded_key gives ``now + skew`` in UTC (and 14 hours later),
    added in whole microseconds: every append asks it, and the datetime
    arithmetic cost 2.2 us of a one-event append (0.5 us now)."""
    utc = _utc(now)
    micros = (
        (utc.hour * 3600 + utc.minute * 60 + utc.second) * 1_000_000
        + utc.microsecond
        + skew // _MICROSECOND
    )
    day = utc.toordinal()
    bounds = _key_at(day, micros + _AHEAD_MICROS), _key_at(day, micros)
    if utc is now:  # a UTC clock's reading: kept for _latest_lower
        global _last_bounds
        _last_bounds = now, skew, bounds
    return bounds


_MICROSECOND: Final = datetime.timedelta(microseconds=1)
_AHEAD_MICROS: Final = _FURTHEST_AHEAD // _MICROSECOND


def _key_at(day: int, micros: int) -> tuple[int, float]:
    """recorded_key of the instant ``micros`` after the start of ``day``
    (any number, carried into the day): the same float of seconds."""
    days, micros = divmod(micros, _DAY_MICROS)
    return day + days, micros // 1_000_000 + (micros % 1_000_000) / 1e6


def _utc(now: datetime.datetime) -> datetime.datetime:
    if not isinstance(now, datetime.datetime):
        raise TypeError(f"a log's clock must return a datetime, got {now!r}")
    if now.tzinfo is None:  # a naive clock reading is taken as UTC
        return now.replace(tzinfo=datetime.UTC)
    if now.tzinfo is datetime.UTC:  # the system clock's (a copy is 0.2 us)
        return now
    return now.astimezone(datetime.UTC)


def _is_aware(value: datetime.date) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


def _in_future(
    index: int, event: Event, now: datetime.datetime, skew: datetime.timedelta
) -> str:
    allowed = f"{skew.total_seconds() / 60:g} minutes"
    if not _is_aware(event.recorded):
        allowed = f"the wall clock in UTC+14 plus {allowed} (a local time anywhere)"
    return (
        f"{_where(index, event)}: recorded {event.recorded.isoformat()} is later "
        f"than now ({_utc(now).isoformat(timespec='seconds')}) plus the clock "
        f"skew allowed ({allowed}); a recorded time in the future would refuse "
        "every later append as back-dated. Correct it, or give the log "
        "clock=None to allow it"
    )


def stamped(
    events: Sequence[Event],
    now: datetime.datetime,
    last_recorded: tuple[int, float] | None,
) -> tuple[Event, ...]:
    """The events recorded at ``now`` (in UTC), or at the log's last
    recorded instant if the clock reads earlier than that (the appends of a
    log never go back, whatever the clock): for ``append(stamp=True)``,
    called with the log locked against other writers."""
    when = _utc(now)
    if last_recorded is not None and recorded_key(when) < last_recorded:
        day, seconds = last_recorded
        micros = math.ceil(seconds * 1_000_000) if seconds != math.inf else 0
        when = datetime.datetime.combine(
            datetime.date.fromordinal(day), datetime.time(), datetime.UTC
        ) + datetime.timedelta(microseconds=micros)
    return tuple(
        attrs.evolve(typing.cast(Any, event), recorded=when) for event in events
    )


def _same_instant(value: datetime.date, previous: object) -> bool:
    """Is the recorded time ``value`` surely the instant of ``previous``?
    Equal values are, except aware datetimes in a repeated hour: == ignores
    ``fold`` (01:30 before and after a fall-back), so those never count."""
    return value == previous and not (
        isinstance(value, datetime.datetime)
        and (value.fold or getattr(previous, "fold", 0))
    )


def _where(index: int, event: Event) -> str:
    return f"event {index + 1} of the batch ({event.id!r})"


def _policy(fuzz: object) -> Fuzz | None:
    """A query's Fuzz policy: None for strict (a policy widening nothing)."""
    if not isinstance(fuzz, Fuzz):
        raise TypeError(f"fuzz: expected a timeline.Fuzz or None, got {fuzz!r}")
    if fuzz.approximate == 0 and fuzz.uncertain == 0:
        return None
    return fuzz


def _period(value: DateInput) -> UncertainDate:
    """A date of any precision, for ``events(during=...)``."""
    if isinstance(value, UncertainDate):
        return value
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, datetime.date):
        return UncertainDate.from_date(value)
    raise InvalidDateError(
        value, "during: a date text, an UncertainDate or a datetime.date"
    )


def _strings(values: Iterable[str] | str, name: str) -> tuple[str, ...]:
    items = (values,) if isinstance(values, str) else tuple(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name}: expected str values, got {item!r}")
    return items


def _event_types(
    types: Iterable[type[Event] | str] | type[Event] | str,
) -> tuple[tuple[type[Event], ...], frozenset[str]]:
    """Event classes and type names, from ``events(types=...)``."""
    items = (types,) if isinstance(types, (str, type)) else tuple(types)
    classes = []
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, type) and issubclass(item, Event):
            classes.append(item)
        else:
            raise TypeError(
                f"types: expected event classes or type names (str), got {item!r}"
            )
    return tuple(classes), frozenset(names)


def _known_at_value(value: DayInput) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value
    return as_day(value, "known_at")


_DAY_MICROS: Final = 86_400_000_000


def _micros(key: tuple[int, float]) -> int:
    """A recorded key (:func:`recorded_key`, :func:`known_at_key`) as one int
    in the same order: microseconds from the start of day 0, the end of a
    day (seconds ``inf``) being its last microsecond."""
    day, seconds = key
    if seconds == math.inf:
        return (day + 1) * _DAY_MICROS - 1
    # Exact: seconds carries well under a microsecond of rounding error.
    return day * _DAY_MICROS + round(seconds * 1_000_000)


def known_at_key(value: DayInput) -> tuple[int, float]:
    """The recorded key up to which events count as known on ``value``: the
    end of a day, or the instant of a datetime."""
    known = _known_at_value(value)
    if isinstance(known, datetime.datetime):
        return recorded_key(known)
    return known.toordinal(), float("inf")
