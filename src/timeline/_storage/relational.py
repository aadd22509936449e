"""The relational log: one design for SQLite and PostgreSQL.

A log is a table of rows, one a record, with the record's body and chained
hash and the columns the queries need: the sequence number, the id, the fold
key's days (``hi``, the latest possible day, and ``lo``, the earliest; open
ends as the sentinels of :mod:`timeline._dates`), a width class for the
pending index (``wc``), and the recorded time as a day and seconds
(``rday``, ``rsec``).  Supersessions are a second insert-only table.  The
queries, the chain, ``verify``, the checkpoints (in memory and persisted)
and the append are written once, here, against those tables; a thin dialect
for each database (:mod:`.sqlite`, :mod:`.postgres`) says how to connect,
how to run a statement and a transaction, how rows are inserted, how its
errors read, and how a row keeps its body (SQLite's compact rows, or the
canonical body whole).

SQL is written once with ``:name`` parameters and the placeholders
``{log}``/``{elog}`` (the condition that selects this log's rows, ``TRUE``
where a database holds one log) and ``{row}`` (the columns a record is
rebuilt from); each dialect compiles it once (:meth:`RelationalLog._sql`).

As-of queries stream the counted events in fold order from the fold index,
a page at a time (memory bounded whatever the log's size), and fold them
from the nearest checkpoint: states saved every ``checkpoint_every`` events
in memory and, for a projection with a ``name``, every
``persist_every`` events in the database's ``checkpoints`` table, so that a
fresh process does not refold the log (see :class:`_Persisted`).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import hashlib
import heapq
import pickle
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final, TypeVar

import orjson

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW, Fuzz, UncertainDate
from timeline._events import Event, recorded_key
from timeline._log import (
    CLOCK_SKEW,
    AsOfQueries,
    Clock,
    DayInput,
    _policy,
    check_batch,
    known_at_key,
    stamped,
    system_clock,
)
from timeline._replay import _WIDTHS, FoldKey, Projection
from timeline._storage.codec import (
    GENESIS,
    CodecError,
    _parse_edtf_cached,
    _recorded_cached,
    check_envelope,
    decode_fast,
    encode_event,
    read_parsed,
)
from timeline._storage.jsonl import Rules, count_unchecked, parse_body
from timeline._subscribe import Subscribable
from timeline.exceptions import (
    ConcurrencyError,
    IntegrityError,
    TimelineError,
    UnknownEventTypeError,
)

__all__ = ["RelationalLog"]

S = TypeVar("S")
_CACHED_VIEWS: Final = 8
_CACHED_EVENTS: Final = 1 << 18  # about 200 bytes each
_loads: Final = orjson.loads
#: Persist a checkpoint every this many events folded (by default): a fresh
#: process folds at most about this many before its answer.
PERSIST_EVERY: Final = 1024
_HASH: Final = 32
_MORE: Final = b',"more":true}'
_END: Final = b"}"

# Width classes as in the in-memory pending index, two more for open ends;
# an exact day (never pending) has none (NULL: outside the pending index).
_OPEN_START, _OPEN_END = len(_WIDTHS) + 1, len(_WIDTHS) + 2
_COUNTED: Final = (
    "NOT EXISTS (SELECT 1 FROM supersessions s "
    "WHERE {slog} AND s.target = e.seq AND s.by_seq <= :n) AND e.seq <= :n"
)
_PENDING: Final = (
    "("
    + " OR ".join(
        [
            f"(e.wc = {i} AND e.hi > :day AND e.hi <= :day + {limit} AND e.lo <= :day)"
            for i, limit in enumerate(_WIDTHS)
        ]
        + [
            f"(e.wc = {len(_WIDTHS)} AND e.hi > :day AND e.lo <= :day)",
            f"(e.wc = {_OPEN_START} AND e.hi > :day)",
            f"(e.wc = {_OPEN_END} AND e.lo <= :day)",
        ]
    )
    + ")"
)


def _by_superseder(pair: tuple[int, int]) -> tuple[int, int]:
    return pair[1], pair[0]


def _width_class(hi: int, lo: int) -> int | None:
    if hi == UNBOUNDED_ABOVE:
        return _OPEN_END
    if lo == UNBOUNDED_BELOW:
        return _OPEN_START
    width = hi - lo
    if width == 0:
        return None
    return bisect.bisect_left(_WIDTHS, width)


def date_columns(date: UncertainDate) -> tuple[int, int, int | None]:
    """(hi, lo, wc) of an occurred date: the fold key's days, the width class."""
    lo, hi = date.earliest_day, date.latest_day
    hi = UNBOUNDED_ABOVE if hi is None else hi
    lo = UNBOUNDED_BELOW if lo is None else lo
    return hi, lo, _width_class(hi, lo)


def recorded_columns(recorded: datetime.date) -> tuple[int, float]:
    if type(recorded) is datetime.date:
        return recorded.toordinal(), 0.0
    return recorded_key(recorded)


def derived(event: Event) -> tuple[Any, ...]:
    """The indexed columns (id, hi, lo, wc, rday, rsec) of ``event``."""
    return (
        event.id,
        *date_columns(event.occurred),
        *recorded_columns(event.recorded),
    )


def envelope_columns(obj: dict[str, Any]) -> tuple[Any, ...]:
    """The columns (hi, lo, wc, rday, rsec) of a record from its envelope
    (checked by codec.check_envelope), without its event type: those of
    the event it reads as."""
    return (
        *date_columns(_parse_edtf_cached(obj["occurred"])),
        *recorded_columns(_recorded_cached(obj["recorded"])),
    )


class _View:
    """The in-memory checkpoints of one projection over one version of the
    log: fold keys and the states after them, in fold order."""

    __slots__ = ("consulted", "generation", "keys", "projection", "states")

    def __init__(self, projection: Projection[Any]) -> None:
        self.projection = projection
        self.generation = projection.generation
        self.keys: list[FoldKey] = []
        self.states: list[Any] = []
        # The persisted checkpoints were taken in (since the last change).
        self.consulted = False

    def keep(self, low: FoldKey) -> None:
        """Drop the checkpoints from the fold key ``low`` on."""
        position = bisect.bisect_left(self.keys, low)
        del self.keys[position:]
        del self.states[position:]
        self.consulted = False


class RelationalLog(AsOfQueries, Subscribable):
    """The log on a relational database; see the module's docstring.

    Subclasses (the dialects) set ``where`` (how messages name the log),
    open ``self`` and implement the hooks in the section "the dialect".
    """

    #: Rows are kept compactly (SQLite schema 2) or with the body whole.
    compact: ClassVar[bool] = False
    #: How much later than the clock a recorded time may be: as
    #: :attr:`timeline.Log.clock_skew`.
    clock_skew: datetime.timedelta = CLOCK_SKEW
    #: Rows read a page at a time when streaming.
    page: ClassVar[int] = 8192
    #: A stream longer than a page leaves out superseded rows itself when
    #: there are at most this many (a set of ints; about 60 bytes each).
    superseded_in_memory: ClassVar[int] = 1 << 18
    #: A long fold decodes this many events at a time.
    decoded: ClassVar[int] = 256
    where: str

    def _setup(
        self,
        checkpoint_every: int,
        persist: bool,
        persist_every: int,
        fuzz: Fuzz | None = None,
    ) -> None:
        for name, value in (
            ("checkpoint_every", checkpoint_every),
            ("persist_every", persist_every),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
        #: What time it is, for appends (as :attr:`timeline.Log.clock`): an
        #: event recorded later than this plus :attr:`clock_skew` is refused
        #: (None: no such check), and ``append(..., stamp=True)`` records
        #: events at this time.
        self.clock: Clock | None = system_clock
        # The Fuzz policy of queries that give none, and per policy how far
        # it widens the events' bounds (see _FuzzyVersion).
        self._fuzz = None if fuzz is None else _policy(fuzz)
        self._widening: dict[Fuzz, tuple[int, int, int]] = {}
        self._persist_every = persist_every
        self._every = checkpoint_every
        self._cache: OrderedDict[int, Event] = OrderedDict()
        self._plans: dict[str, Any] = {}  # decode_fast's
        self._known_at: dict[tuple[int, float], tuple[int, int]] = {}
        self._compiled: dict[str, str] = {}
        self._known_max = self._max_seq()
        # (projection, view count or None for current) -> checkpoints; the
        # views of earlier versions (known_at) are kept for the
        # _CACHED_VIEWS most recently used.
        # (projection, view count or None for current, Fuzz policy or None
        # for strict) -> checkpoints; the views of earlier versions
        # (known_at) are kept for the _CACHED_VIEWS most recently used.
        self._checkpoints: OrderedDict[tuple[int, int | None, Fuzz | None], _View] = (
            OrderedDict()
        )
        self._persisted = (
            _Persisted(self)
            if persist and not __import__("os").environ.get("NOPERSIST")
            else None
        )

    # -- the dialect ----------------------------------------------------

    def _sql(self, text: str) -> str:
        """``text`` (``:name`` parameters, ``{log}`` placeholders) as this
        database runs it."""
        raise NotImplementedError

    def _run(self, text: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one statement of shared SQL; a cursor (fetchone, fetchall, iter)."""
        raise NotImplementedError

    def _read_transaction(self) -> contextlib.AbstractContextManager[None]:
        """A transaction in which every read sees one state of the database."""
        raise NotImplementedError

    def _write_transaction(self) -> contextlib.AbstractContextManager[None]:
        """A transaction that appends: other writers wait, or fail to commit."""
        raise NotImplementedError

    def _insert_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert record rows (seq, id, type, hi, lo, wc, rday, rsec, body,
        hash), every one (``rows`` may be made as they are taken)."""
        raise NotImplementedError

    def _insert_supersessions(self, pairs: list[tuple[int, int]]) -> None:
        raise NotImplementedError

    def _conflict(self, error: BaseException) -> str | None:
        """For an error of an insert: ``"seq"`` if another writer took the
        sequence number, ``"id"`` if an id is already in the log, else None."""
        raise NotImplementedError

    def _save_checkpoints(self, rows: list[tuple[Any, ...]]) -> bool:
        """Insert persisted checkpoint rows (projection, version, hi, lo,
        seq, n, state), skipping those already there; never wait long for
        other writers.  False if the database will never take them (it is
        read-only to us): the log stops trying."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection (and end this handle's subscriptions)."""
        raise NotImplementedError

    def _storage_error(self, error: BaseException) -> BaseException:
        """The database's error as the TimelineError to raise (or itself)."""
        return error

    def _id_param(self, event_id: str) -> Any:
        """An id as the id column holds it."""
        return event_id

    def _id_value(self, stored: Any) -> str:
        return str(stored)

    # the row's format: compact (SQLite) or whole (these defaults)

    def _row(
        self,
        event: Event,
        seq: int,
        body: bytes,
        digest: bytes,
        more: bool,
        new: dict[Any, Any],
    ) -> tuple[Any, ...]:
        """The row of a record (``new``: types added by this append)."""
        return self._whole_row(seq, event.id, self._event_columns(event), body, digest)

    def _raw_row(
        self,
        obj: dict[str, Any],
        seq: int,
        body: bytes,
        digest: bytes,
        more: bool,
        new: dict[Any, Any],
    ) -> tuple[Any, ...]:
        """The row of a record copied as it is, from its parsed ``body``
        (its envelope checked; its event type need not be registered)."""
        return self._whole_row(seq, obj["id"], envelope_columns(obj), body, digest)

    def _whole_row(
        self,
        seq: int,
        event_id: str,
        columns: tuple[Any, ...],
        body: bytes,
        digest: bytes,
    ) -> tuple[Any, ...]:
        """A row keeping the canonical body whole."""
        return (seq, self._id_param(event_id), *columns, body, digest)

    def _event_columns(self, event: Event) -> tuple[Any, ...]:
        return (*date_columns(event.occurred), *recorded_columns(event.recorded))

    def _types_added(self, new: dict[Any, Any]) -> None:
        """The append that added ``new`` types committed."""

    def _canonical(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> bytes:
        """The canonical body of a row, its stored values checked."""
        if type(stored) is not bytes:
            raise IntegrityError(f"{self.where}: seq {seq}: the body must be bytes")
        if type(digest) is not bytes or len(digest) != _HASH:
            raise IntegrityError(
                f"{self.where}: seq {seq}: the hash must be {_HASH} bytes"
            )
        return stored

    def _ends_batch(self, seq: int, stored: Any, digest: Any) -> bool:
        """Does the record of this row end its append (its batch)?"""
        return type(stored) is bytes and not stored.endswith(_MORE)

    def _whole_hash(self, seq: int, stored: Any, digest: Any) -> bytes | None:
        """The stored hash if it is whole (None inside a compact batch)."""
        return digest if type(digest) is bytes and len(digest) == _HASH else None

    # -- plumbing -----------------------------------------------------

    def _max_seq(self) -> int:
        row = self._run("SELECT max(seq) FROM events WHERE {log}").fetchone()
        return int(row[0] or 0)

    def _sync(self) -> None:
        """Drop checkpoints spoiled by events appended since we last looked."""
        latest = self._max_seq()
        if latest == self._known_max:
            return
        low = self._first_touched(self._known_max, latest)
        if low is not None:
            # Under a Fuzz policy an event's key is at least its strict
            # latest day: the checkpoints before that day still hold.
            widened = (low[0], UNBOUNDED_BELOW - 1, 0)
            for (_, count, fuzz), view in self._checkpoints.items():
                if count is None:
                    view.keep(low if fuzz is None else widened)
        self._known_max = latest

    def _first_touched(self, low: int, high: int) -> FoldKey | None:
        """The least fold key whose counted state differs between the log
        of ``low`` events and that of ``high``: the key of an event appended
        in between or of one superseded in between (None if neither)."""
        if low == high:
            return None
        row = self._run(
            "SELECT hi, lo, seq FROM ("
            " SELECT hi, lo, seq FROM events WHERE {log} AND seq > :a AND seq <= :b"
            " UNION ALL SELECT e.hi, e.lo, e.seq FROM supersessions s"
            " JOIN events e ON {elog} AND e.seq = s.target"
            " WHERE {slog} AND s.by_seq > :a AND s.by_seq <= :b) AS touched"
            " ORDER BY hi, lo, seq LIMIT 1",
            {"a": min(low, high), "b": max(low, high)},
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    # -- decoding -----------------------------------------------------

    def _decode(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> Event:
        """The event of record ``seq``: decoding is most of a query's cost,
        and a record never changes, so recently decoded events are kept."""
        cache = self._cache
        event = cache.get(seq)
        if event is not None:
            cache.move_to_end(seq)
            return event
        event = self._decode_row(seq, event_id, code, stored, digest)
        cache[seq] = event
        if len(cache) > _CACHED_EVENTS:
            cache.popitem(last=False)
        return event

    def _decode_uncached(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> Event:
        event = self._cache.get(seq)
        if event is not None:
            return event
        return self._decode_row(seq, event_id, code, stored, digest)

    def _decode_row(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> Event:
        # orjson and the per-type read plans first (as the JSON Lines
        # reader does), on the canonical body; anything they do not read as
        # the reference reader would goes to it, which names what is wrong.
        body = self._canonical(seq, event_id, code, stored, digest)
        try:
            obj = _loads(body)
        except orjson.JSONDecodeError:
            obj = None
        if type(obj) is dict and obj.get("seq") == seq:
            found = decode_fast(obj, body, self._plans)
            if found is not None:
                return found[0]
        return self._decode_body(body, seq)

    def _event(self, obj: Any, body: bytes, seq: int) -> Event:
        """The event of a record parsed from its canonical ``body``: read
        as the reference reader does, so only what the writer would write
        is accepted (codec.read_parsed)."""
        try:
            return read_parsed(obj, body, f"{self.where}: seq {seq}").event
        except TimelineError as error:
            raise IntegrityError(str(error)) from None

    def _decode_body(self, body: bytes, seq: int) -> Event:
        obj = parse_body(body, self.where, seq, label="seq")
        return self._event(obj, body, seq)

    # -- reading ------------------------------------------------------

    def __len__(self) -> int:
        return self._max_seq()

    @property
    def last_seq(self) -> int:
        return self._max_seq()

    def __iter__(self) -> Iterator[Event]:
        """The events in append order, read a page at a time."""
        after = 0
        while True:
            rows = self._run(
                "SELECT {row} FROM events e WHERE {elog} AND e.seq > :after "
                "ORDER BY e.seq LIMIT :page",
                {"after": after, "page": self.page},
            ).fetchall()
            for row in rows:
                yield self._decode(*row)
            if len(rows) < self.page:
                return
            after = rows[-1][0]

    def __contains__(self, event_id: object) -> bool:
        if not isinstance(event_id, str):
            return False
        row = self._run(
            "SELECT 1 FROM events WHERE {log} AND id = :id",
            {"id": self._id_param(event_id)},
        )
        return row.fetchone() is not None

    def seq(self, event_id: str) -> int:
        row = self._run(
            "SELECT seq FROM events WHERE {log} AND id = :id",
            {"id": self._id_param(event_id)},
        ).fetchone()
        if row is None:
            raise KeyError(f"no event with id {event_id!r} in the log")
        return int(row[0])

    def get(self, event_id: str) -> Event:
        row = self._run(
            "SELECT {row} FROM events e WHERE {elog} AND e.id = :id",
            {"id": self._id_param(event_id)},
        ).fetchone()
        if row is None:
            raise KeyError(f"no event with id {event_id!r} in the log")
        return self._decode(*row)

    def at(self, seq: int) -> Event:
        row = self._run(
            "SELECT {row} FROM events e WHERE {elog} AND e.seq = :seq", {"seq": seq}
        ).fetchone()
        if row is None:
            raise IndexError(
                f"sequence number {seq} is not in the log (1..{self._max_seq()})"
            )
        return self._decode(*row)

    def superseded_by(self, event_id: str) -> tuple[Event, ...]:
        seq = self.seq(event_id)
        rows = self._run(
            "SELECT by_seq FROM supersessions WHERE {log} AND target = :seq "
            "ORDER BY by_seq",
            {"seq": seq},
        ).fetchall()
        return tuple(self.at(row[0]) for row in rows)

    @property
    def head(self) -> tuple[int, str]:
        """(seq, hash hex) of the last record; (0, the genesis hash) if none."""
        row = self._run(
            "SELECT seq, body, hash FROM events WHERE {log} ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return 0, GENESIS.hex()
        return int(row[0]), self._last_hash(int(row[0]), row[1], row[2]).hex()

    def _last_hash(self, seq: int, stored: Any, digest: Any) -> bytes:
        whole = self._whole_hash(seq, stored, digest)
        if whole is None or not self._ends_batch(seq, stored, digest):
            raise IntegrityError(
                f"{self.where}: seq {seq}: the last record ends inside a batch: "
                "records were cut off the end"
            )
        return bytes(whole)

    def count_known_at(self, known_at: DayInput | None) -> int:
        """How many events (a prefix of the log) were recorded by ``known_at``."""
        n = self._max_seq()
        if known_at is None:
            return n
        key = known_at_key(known_at)
        cached = self._known_at.get(key)
        if cached is not None and cached[0] == n:
            return cached[1]
        # Recorded times never go back, so the events known then are the
        # prefix before the first one recorded later: a binary search on
        # seq (about 17 row reads at 10^5) instead of an index on them.
        low, high = 1, n + 1
        while low < high:
            middle = (low + high) // 2
            row = self._run(
                "SELECT rday, rsec FROM events WHERE {log} AND seq = :seq",
                {"seq": middle},
            ).fetchone()
            if row is None:
                raise IntegrityError(f"{self.where}: record {middle} is missing")
            if (row[0], row[1]) > key:
                high = middle
            else:
                low = middle + 1
        if len(self._known_at) > 256:
            self._known_at.clear()
        self._known_at[key] = (n, low - 1)
        return low - 1

    def _counted(
        self,
        n: int,
        where: str = "TRUE",
        params: Mapping[str, Any] | None = None,
        after: FoldKey | None = None,
        *,
        cache: bool = True,
    ) -> Iterator[tuple[FoldKey, Event]]:
        """(fold key, event) of the events counted in the version of ``n``
        events that satisfy ``where``, in fold order, after the fold key
        ``after``: read from the fold index a page at a time.  Without
        ``cache``, the events decoded are not kept (a long fold's would
        only push out the pending events that queries read again)."""
        decode = self._decode if cache else self._decode_uncached
        for rows in self._counted_rows(n, where, params, after):
            for hi, lo, seq, event_id, code, stored, digest in rows:
                yield (hi, lo, seq), decode(seq, event_id, code, stored, digest)

    def _counted_rows(
        self,
        n: int,
        where: str,
        params: Mapping[str, Any] | None,
        after: FoldKey | None,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows ``(hi, lo, seq, id, type, body, hash)`` of the events
        counted in the version of ``n`` events that satisfy ``where``, in
        fold order after the fold key ``after``, a page (a list) at a time.

        The first page asks the database whether each row is superseded
        (the ``supersessions`` index, about 0.3 us a row at 10**6); a stream
        longer than a page then takes the superseded sequence numbers in
        once and leaves them out itself, unless there are more than
        ``superseded_in_memory`` of them."""
        sql = (
            "SELECT e.hi, e.lo, {row} FROM events e "
            f"WHERE {{elog}} AND {where} AND {_COUNTED} "
            "AND (e.hi, e.lo, e.seq) > (:h, :l, :s) "
            "ORDER BY e.hi, e.lo, e.seq LIMIT :page"
        )
        key = after or (UNBOUNDED_BELOW - 1, UNBOUNDED_BELOW - 1, 0)
        values = {"n": n, "page": self.page, **(params or {})}
        superseded: set[int] | None = None
        while True:
            values["h"], values["l"], values["s"] = key
            rows = self._run(sql, values).fetchall()
            if not rows:
                return
            key = rows[-1][:3]
            full = len(rows) == self.page
            if superseded is not None:
                rows = [row for row in rows if row[2] not in superseded]
            yield rows
            if not full:
                return
            if superseded is None:
                superseded = self._superseded(n)
                if superseded is not None:
                    sql = sql.replace(f" AND {_COUNTED}", " AND e.seq <= :n")

    def _superseded(self, n: int) -> set[int] | None:
        """The sequence numbers superseded in the version of ``n`` events,
        or None if there are more than ``superseded_in_memory``."""
        limit = self.superseded_in_memory
        rows = self._run(
            "SELECT target FROM supersessions WHERE {log} AND by_seq <= :n "
            "LIMIT :limit",
            {"n": n, "limit": limit + 1},
        ).fetchall()
        if len(rows) > limit:
            return None
        return {int(target) for (target,) in rows}

    def _decoded_pages(
        self, n: int, day: int, after: FoldKey | None
    ) -> Iterator[tuple[Sequence[Any], list[Event]]]:
        """(rows, their events) of the events counted in the version of ``n``
        events with latest day <= ``day``, after the fold key ``after``, in
        fold order, ``decoded`` at a time: a long fold's (a few hundred
        events alive at once keep the collector's work as it is for one)."""
        size = self.decoded
        for rows in self._counted_rows(n, "e.hi <= :day", {"day": day}, after):
            for start in range(0, len(rows), size):
                part = rows[start : start + size]
                yield part, self._decode_page(part)

    def _decode_page(self, rows: Sequence[tuple[Any, ...]]) -> list[Event]:
        """The events of rows ``(hi, lo, seq, id, type, body, hash)``, not
        kept in the cache (a long fold's)."""
        decode = self._decode_uncached
        return [decode(*row[2:]) for row in rows]

    def timeline(self, known_at: DayInput | None = None) -> tuple[Event, ...]:
        """The events counted as known on ``known_at``, in fold order."""
        self._sync()
        return tuple(event for _, event in self._counted(self.count_known_at(known_at)))

    # -- appending ----------------------------------------------------

    def append(
        self, *events: Event, expected_seq: int | None = None, stamp: bool = False
    ) -> int:
        """Append events atomically; returns the last sequence number.

        ``expected_seq`` is the last sequence number the writer has seen;
        if the log has moved on, :class:`ConcurrencyError`.  A rejected
        batch leaves the log exactly as it was.  As :meth:`timeline.Log.append`:
        an event recorded later than the log's ``clock`` plus
        :attr:`clock_skew` is refused, and ``stamp=True`` records the batch
        at the clock's time, read inside the append's write transaction
        (never earlier than the log's last event), so concurrent writers
        recording "now" are never refused as back-dated.
        """
        if expected_seq is not None and (
            not isinstance(expected_seq, int) or isinstance(expected_seq, bool)
        ):
            raise TypeError(f"expected_seq: expected an int, got {expected_seq!r}")
        while True:
            try:
                return self._append(events, expected_seq, stamp)
            except _Raced:
                continue  # another writer took the seq: read the new end, again

    def _append(
        self, events: Sequence[Event], expected_seq: int | None, stamp: bool
    ) -> int:
        new_types: dict[Any, Any] = {}
        with self._write_transaction():
            last = self._run(
                "SELECT seq, rday, rsec, body, hash FROM events WHERE {log} "
                "ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            count = 0 if last is None else int(last[0])
            if expected_seq is not None and expected_seq != count:
                raise ConcurrencyError(expected_seq, count)
            if not events:
                return count
            head = GENESIS if last is None else self._last_hash(count, last[3], last[4])
            previous = None if last is None else (int(last[1]), float(last[2]))
            # Only the targets of supersedes are looked up here; an id that
            # is already in the log is found by the UNIQUE index as the rows
            # go in (1000 index lookups a batch saved: about 1 µs an event).
            targets = {
                target
                for event in events
                if isinstance(event, Event)
                for target in event.supersedes
            }
            known = self._seqs_of(targets)
            clock = self.clock
            if stamp:  # the time under the write transaction: none later yet
                events = stamped(events, (clock or system_clock)(), previous)
            check_batch(
                events,
                known.__contains__,
                previous,
                # (a stamped time is the log's own, never a caller's typo)
                now=None if clock is None or stamp else clock(),
                skew=self.clock_skew,
            )
            # The rows are made as they go in: a server works on the first
            # ones while the next are encoded.
            supersessions: list[tuple[int, int]] = []
            rows = self._rows(events, count, head, known, new_types, supersessions)
            try:
                self._insert_rows(rows)
            except Exception as error:
                conflict = self._conflict(error)
                if conflict == "seq":
                    if expected_seq is not None:
                        raise ConcurrencyError(expected_seq, count + 1) from None
                    raise _Raced from None
                if conflict == "id":
                    # Rows of this batch may be in already: ids up to count only.
                    found = self._seqs_of({event.id for event in events}).items()
                    present = {name for name, seq in found if seq <= count}
                    check_batch(events, present.__contains__, previous)  # names it
                raise
            if supersessions:
                self._insert_supersessions(supersessions)
        self._types_added(new_types)
        self._notify()  # this process's subscriptions (timeline._subscribe)
        # Checkpoints spoiled by this append are dropped by the next query's
        # _sync(), as for any other writer's: not here (0.3 µs an event).
        return count + len(events)

    def _rows(
        self,
        events: Sequence[Event],
        count: int,
        head: bytes,
        known: dict[str, int],
        new_types: dict[Any, Any],
        supersessions: list[tuple[int, int]],
    ) -> Iterator[tuple[Any, ...]]:
        """The events' rows, one at a time; their supersessions (target,
        by_seq) are added to ``supersessions`` as they are made."""
        ids: dict[str, int] = {}
        final = len(events) - 1
        sha256 = hashlib.sha256
        row = self._row
        for index, event in enumerate(events):
            seq = count + index + 1
            more = index != final
            try:
                body = encode_event(event, seq, more=more)
            except CodecError as error:
                raise CodecError(f"event {index + 1} of the batch: {error}") from None
            head = sha256(head + body).digest()
            ids[event.id] = seq
            if event.supersedes:
                for target in event.supersedes:
                    supersessions.append((ids.get(target) or known[target], seq))
            yield row(event, seq, body, head, more, new_types)

    def _seqs_of(self, names: set[str]) -> dict[str, int]:
        """The sequence numbers of those of ``names`` that are in the log."""
        found: dict[str, int] = {}
        for name in names:
            row = self._run(
                "SELECT seq FROM events WHERE {log} AND id = :id",
                {"id": self._id_param(name)},
            ).fetchone()
            if row is not None:
                found[name] = int(row[0])
        return found

    def append_raw(self, records: Iterable[tuple[bytes, bytes]]) -> None:
        """Copy verified (body, hash) records into this empty log, unchanged
        (for ``convert``: the copy keeps sequence numbers and hashes).  Each
        record is read up to its envelope (canonical JSON, the envelope's
        members, sequence numbers 1, 2, ... in order): its event type need
        not be registered."""
        new_types: dict[Any, Any] = {}
        with self._write_transaction():
            if self._max_seq():
                raise IntegrityError(f"{self.where}: convert needs an empty target log")
            rows: list[tuple[Any, ...]] = []
            seq_of: dict[str, int] = {}
            supersessions: list[tuple[int, int]] = []
            more = False
            for seq, (body, digest) in enumerate(records, start=1):
                obj = parse_body(body, self.where, seq, label="record")
                try:
                    more = check_envelope(obj, f"{self.where}: record {seq}")
                except CodecError as error:
                    raise IntegrityError(str(error)) from None
                if obj["seq"] != seq:
                    raise IntegrityError(
                        f"{self.where}: record {seq} says seq {obj['seq']}"
                    )
                for target in obj["supersedes"]:
                    if target not in seq_of:
                        raise IntegrityError(
                            f"{self.where}: record {seq} supersedes {target!r}, "
                            "which is not an earlier record"
                        )
                    supersessions.append((seq_of[target], seq))
                seq_of[obj["id"]] = seq
                rows.append(self._raw_row(obj, seq, body, digest, more, new_types))
                if len(rows) >= 10_000:
                    self._insert_rows(rows)
                    rows = []
            if more:
                raise IntegrityError(
                    f"{self.where}: the records to copy end inside a batch"
                )
            self._insert_rows(rows)
            if supersessions:
                self._insert_supersessions(supersessions)
        self._types_added(new_types)
        self._notify()
        self._sync()

    # -- the chain ------------------------------------------------------

    def _chain(
        self, extra: str = "", after: int = 0, upto: int | None = None
    ) -> Iterator[tuple[tuple[Any, ...], bytes, bytes]]:
        """(row, canonical body, chained hash) of every record in seq order,
        checked: sequence numbers without gaps, each stored hash equal to
        the chained hash (or its first bytes), and the last one whole.
        ``row`` is (seq, id, type, body, hash, *extra).  Read a page at a
        time: call it inside a read transaction for one state of the log."""
        head = GENESIS
        expected = 0
        last: tuple[Any, ...] | None = None
        sha256 = hashlib.sha256
        seq = 0
        limit = {"upto": upto if upto is not None else UNBOUNDED_ABOVE}
        while True:
            rows = self._page_of_rows(extra, seq, limit)
            for row in rows:
                seq, event_id, code, stored, digest = row[:5]
                expected += 1
                if seq != expected:
                    raise IntegrityError(
                        f"{self.where}: expected sequence number {expected}, "
                        f"found {seq}"
                    )
                body = self._canonical(seq, event_id, code, stored, digest)
                head = sha256(head + body).digest()
                assert isinstance(digest, bytes)
                if head[: len(digest)] != digest:
                    raise IntegrityError(
                        f"{self.where}: seq {seq}: hash mismatch: this record was "
                        "edited, or a record was inserted, deleted or reordered "
                        "before it"
                    )
                last = row
                if seq > after:
                    yield row, body, head
            if len(rows) < self.page:
                break
        if last is not None and upto is None:
            self._last_hash(last[0], last[3], last[4])

    def _page_of_rows(
        self, extra: str, after: int, limit: dict[str, int]
    ) -> list[tuple[Any, ...]]:
        try:
            return list(
                self._run(
                    f"SELECT {{row}}{extra} FROM events e WHERE {{elog}} "
                    "AND e.seq > :after AND e.seq <= :upto ORDER BY e.seq LIMIT :page",
                    {"after": after, "page": self.page, **limit},
                ).fetchall()
            )
        except TimelineError:
            raise
        except Exception as error:  # text that is not UTF-8, say
            mapped = self._storage_error(error)
            if mapped is not error:
                raise mapped from None
            raise IntegrityError(
                f"{self.where}: after seq {after}: cannot read the rows: {error}"
            ) from None

    def hash_at(self, seq: int) -> bytes | None:
        """The chained hash of record ``seq``, or None if there is none."""
        row = self._run(
            "SELECT body, hash FROM events WHERE {log} AND seq = :seq", {"seq": seq}
        ).fetchone()
        if row is None:
            return None
        whole = self._whole_hash(seq, row[0], row[1])
        if whole is not None:
            return bytes(whole)
        # Inside a compact batch: chain from the whole hash before it.
        start = self._run(
            "SELECT seq, hash FROM events WHERE {log} AND seq < :seq "
            "AND length(hash) = 32 ORDER BY seq DESC LIMIT 1",
            {"seq": seq},
        ).fetchone()
        head, first = (GENESIS, 1) if start is None else (start[1], start[0] + 1)
        for row in self._run(
            "SELECT {row} FROM events e WHERE {elog} "
            "AND e.seq >= :first AND e.seq <= :seq ORDER BY e.seq",
            {"first": first, "seq": seq},
        ).fetchall():
            body = self._canonical(*row[:5])
            head = hashlib.sha256(head + body).digest()
            if head[: len(row[4])] != row[4]:
                raise IntegrityError(f"{self.where}: seq {row[0]}: hash mismatch")
        return head

    def raw_records(self) -> Iterator[tuple[bytes, bytes]]:
        """(body, hash) of every record in sequence order, the chain checked
        (in one read transaction: a state of the log)."""
        with self._read_transaction():
            for _, body, head in self._chain():
                yield body, head

    def verify(self, *, decode: bool = True) -> tuple[int, str]:
        """Check the whole chain in one read transaction; returns the head
        (seq, hash hex).

        With ``decode``, also read every event, check the log's rules, and
        check the derived columns and the supersessions table against the
        records (the queries rely on them).
        """
        last, head, _ = self.check(decode=decode)
        return last, head

    def check(
        self,
        *,
        decode: bool = True,
        mark: int | None = None,
        unknown: dict[str, int] | None = None,
    ) -> tuple[int, str, bytes | None]:
        """:meth:`verify`, also giving the hash of record ``mark`` (None if
        the log has no such record), read in the same transaction.

        With ``unknown`` (a dict), a record whose event type is not
        registered (or not at its version) is checked up to its envelope
        (canonical JSON, the envelope, the log's rules, the derived columns
        from the envelope) and counted there by type name, as JSON Lines
        logs do (``verify(..., require_types=False)``)."""
        with self._read_transaction():
            return self._verify(decode, mark, unknown)

    def _verify(
        self, decode: bool, mark: int | None, unknown: dict[str, int] | None
    ) -> tuple[int, str, bytes | None]:
        head = GENESIS
        last = 0
        marked = None
        rules = Rules() if decode else None
        supersessions: list[tuple[int, int]] = []
        seq_of: dict[str, int] = {}
        registered: dict[Any, bool] = {}
        self._check_more_tables()
        for row, body, head in self._chain(", e.hi, e.lo, e.wc, e.rday, e.rsec"):
            seq = last = row[0]
            if seq == mark:
                marked = head
            where = f"{self.where}: seq {seq}"
            obj = parse_body(body, self.where, seq, label="seq")
            stored = obj.get("seq") if isinstance(obj, dict) else None
            if type(stored) is not int or stored != seq:
                raise IntegrityError(f"{where}: the record says seq {stored!r}")
            if rules is None:
                try:
                    check_envelope(obj, where)
                except CodecError as error:
                    raise IntegrityError(str(error)) from None
                continue
            try:
                try:
                    event = read_parsed(obj, body, where).event
                except UnknownEventTypeError:
                    if unknown is None:
                        raise
                    # (decode_record checked the envelope before the type)
                    count_unchecked(unknown, obj, registered)
                    rules.check_record(obj)
                    event_id, targets = obj["id"], obj["supersedes"]
                    expected = (event_id, *envelope_columns(obj))
                else:
                    rules.check(event)
                    event_id, targets = event.id, event.supersedes
                    expected = derived(event)
            except TimelineError as error:
                raise IntegrityError(
                    str(error) if str(error).startswith(where) else f"{where}: {error}"
                ) from None
            columns = (self._id_value(row[1]), *row[5:])
            if columns != expected:
                raise IntegrityError(
                    f"{where}: the indexed columns (id, hi, lo, wc, rday, rsec) = "
                    f"{columns} do not match the record {expected}"
                )
            seq_of[event_id] = seq
            supersessions.extend((seq_of[target], seq) for target in targets)
        if rules is not None:
            stored_pairs = self._run(
                "SELECT target, by_seq FROM supersessions WHERE {log} "
                "ORDER BY by_seq, target"
            ).fetchall()
            if sorted(supersessions, key=_by_superseder) != [
                (int(a), int(b)) for a, b in stored_pairs
            ]:
                raise IntegrityError(
                    f"{self.where}: the supersessions table does not match the "
                    "records' supersedes"
                )
        return last, head.hex(), marked

    def _check_more_tables(self) -> None:
        """Check the dialect's other tables before a verify."""

    # -- queries ------------------------------------------------------

    def _state_at(
        self,
        projection: Projection[S],
        n: int,
        day: int,
        fuzzy: _FuzzyVersion | None = None,
    ) -> S:
        """Fold of the events counted at ``n`` with latest day <= ``day``
        (widened by the policy of ``fuzzy``: its own checkpoints, in memory
        only)."""
        current = n == self._known_max
        policy = None if fuzzy is None else fuzzy.fuzz
        slot = (id(projection), None if current else n, policy)
        view = self._checkpoints.get(slot)
        if (
            view is None
            or view.projection is not projection
            or view.generation != projection.generation
        ):
            view = _View(projection)
            self._checkpoints[slot] = view
            earlier = [kept for kept in self._checkpoints if kept[1] is not None]
            for kept in earlier[: max(0, len(earlier) - _CACHED_VIEWS)]:
                del self._checkpoints[kept]
        self._checkpoints.move_to_end(slot)
        keys, states = view.keys, view.states
        bound = (day, UNBOUNDED_ABOVE, UNBOUNDED_ABOVE)
        index = bisect.bisect_right(keys, bound) - 1
        state: S
        after: FoldKey | None
        persisted = self._persisted if fuzzy is None else None
        if persisted is not None and not view.consulted:
            # A view's first query: take in the persisted checkpoints that
            # hold for it (their states unpickled when first used).
            view.consulted = True
            found = persisted.load(projection, n)
            if found:
                merged: dict[FoldKey, Any] = dict(found)
                merged.update(zip(keys, states, strict=True))
                keys[:] = sorted(merged)
                states[:] = [merged[key] for key in keys]
                index = bisect.bisect_right(keys, bound) - 1
        while index >= 0 and type(states[index]) is _Lazy:
            try:
                states[index] = states[index].load()
            except Exception:  # a state its classes no longer read: skip it
                del keys[index], states[index]
                index -= 1
        if index >= 0:
            after, state = keys[index], states[index]
        else:
            after, state = None, projection.initial
        every = self._every
        new_keys: list[FoldKey] = []
        new_states: list[Any] = []
        saved: list[tuple[FoldKey, Any]] = []
        pages = (
            self._decoded_pages(n, day, after)
            if fuzzy is None
            else _paged(self._fuzzy_keyed(fuzzy, None, day, after), self.decoded)
        )
        # A few hundred events at a time (decoded together, then folded in
        # one call that keeps the state after each whole ``every`` events
        # folded: a checkpoint), not one fold call an event: 0.5 s of 4.5 s
        # at 10**6 (benchmarks/bench_timeline.py, sqlite_first_query_row).
        folded = 0
        for keys_of, events in pages:
            size = len(events)
            if not size:
                continue
            cuts = list(range(every - folded % every, size + 1, every))
            ends = cuts if cuts and cuts[-1] == size else [*cuts, size]
            states_at: list[Any] = []
            projection._fold_cuts(
                events, state, ends, states_at, set(map(type, events))
            )
            state = states_at[-1]
            for cut, kept in zip(cuts, states_at, strict=False):
                key: FoldKey = tuple(keys_of[cut - 1][:3])
                new_keys.append(key)
                new_states.append(kept)
                if persisted is not None and (folded + cut) % self._persist_every == 0:
                    saved.append((key, kept))
            folded += size
        # Every key after ``index`` is beyond ``bound``, and the fold's are
        # not: the new checkpoints go in between.
        keys[index + 1 : index + 1] = new_keys
        states[index + 1 : index + 1] = new_states
        if saved and persisted is not None:
            persisted.save(projection, n, saved)
        return state

    # -- the hooks of AsOfQueries --------------------------------------

    def _version(self, known_at: datetime.date | None) -> int:
        self._sync()
        return self.count_known_at(known_at)

    def _certain_state(
        self, version: int | _FuzzyVersion, projection: Projection[S], day: int
    ) -> S:
        if isinstance(version, _FuzzyVersion):
            return self._state_at(projection, version.n, day, version)
        return self._state_at(projection, version, day)

    def _pending_events(
        self, version: int | _FuzzyVersion, day: int
    ) -> tuple[Event, ...]:
        if isinstance(version, _FuzzyVersion):
            return self._fuzzy_pending(version, day)
        counted = self._counted(version, _PENDING, {"day": day})
        return tuple(event for _, event in counted)

    def _certain_between(
        self, version: int | _FuzzyVersion, low: int | None, high: int
    ) -> Iterator[Event]:
        if isinstance(version, _FuzzyVersion):
            return self._fuzzy_between(version, low, high)
        where = "e.hi <= :high" if low is None else "e.hi > :low AND e.hi <= :high"
        counted = self._counted(version, where, {"low": low, "high": high})
        return (event for _, event in counted)

    # -- a Fuzz policy ------------------------------------------------------

    def _default_fuzz(self) -> Fuzz | None:
        return self._fuzz

    def _fuzzed_version(
        self, known_at: datetime.date | None, fuzz: Fuzz
    ) -> _FuzzyVersion:
        self._sync()
        n = self.count_known_at(known_at)
        below, above = self._widened_by(fuzz, n)
        return _FuzzyVersion(n, fuzz, below, above)

    def _widened_by(self, fuzz: Fuzz, n: int) -> tuple[int, int]:
        """The most days by which ``fuzz`` moves an event's earliest day
        down and its latest day up, over the first ``n`` records (or more):
        read once per policy, then for the records appended since."""
        done, below, above = self._widening.get(fuzz, (0, 0, 0))
        while done < n:
            rows = self._run(
                "SELECT {row} FROM events e WHERE {elog} AND e.seq > :after "
                "ORDER BY e.seq LIMIT :page",
                {"after": done, "page": self.page},
            ).fetchall()
            if not rows:
                break
            for row in rows:
                date = _occurred(self._canonical(*row[:5]), self.where, row[0])
                lo, hi = date.earliest_day, date.latest_day
                wide_lo, wide_hi = date.fuzzy_days(fuzz)
                if lo is not None and wide_lo is not None:
                    below = max(below, lo - wide_lo)
                if hi is not None and wide_hi is not None:
                    above = max(above, wide_hi - hi)
            done = int(rows[-1][0])
        self._widening[fuzz] = (done, below, above)
        return below, above

    def _fuzzy_between(
        self, version: _FuzzyVersion, low: int | None, high: int
    ) -> Iterator[Event]:
        return (event for _, event in self._fuzzy_keyed(version, low, high))

    def _fuzzy_keyed(
        self,
        version: _FuzzyVersion,
        low: int | None,
        high: int,
        after: FoldKey | None = None,
    ) -> Iterator[tuple[FoldKey, Event]]:
        """(widened fold key, event) of the events counted in ``version``
        whose widened latest day is in (``low``, ``high``] and whose widened
        key is after ``after``, in the widened fold order: read in the
        strict fold order (a widened latest day is at most ``above`` days
        after the strict one), reordered through a heap of those whose
        widened key a later row's may still precede."""
        fuzz = version.fuzz
        # Rows whose widened latest day may be above ``low`` and at or
        # above the latest day of ``after``.
        floors = [
            bound - version.above
            for bound in (low, None if after is None else after[0] - 1)
            if bound is not None
        ]
        where = "e.hi > :low AND e.hi <= :high" if floors else "e.hi <= :high"
        params = {"high": high, "low": max(floors) if floors else None}
        waiting: list[tuple[int, int, int, Event]] = []
        for (hi, _, seq), event in self._counted(version.n, where, params, cache=False):
            # Every later row's widened latest day is at least ``hi``.
            while waiting and waiting[0][0] < hi:
                wide_hi, wide_lo, number, found = heapq.heappop(waiting)
                yield (wide_hi, wide_lo, number), found
            wide_lo, wide_hi = _fuzzy_key(event.occurred, fuzz)
            key = (wide_hi, wide_lo, seq)
            if (
                wide_hi <= high
                and (low is None or wide_hi > low)
                and (after is None or key > after)
            ):
                heapq.heappush(waiting, (*key, event))
        while waiting:
            wide_hi, wide_lo, number, found = heapq.heappop(waiting)
            yield (wide_hi, wide_lo, number), found

    def _fuzzy_pending(self, version: _FuzzyVersion, day: int) -> tuple[Event, ...]:
        """The events counted in ``version`` pending on ``day`` with their
        bounds widened (widened earliest day <= ``day`` < widened latest
        day), in the widened fold order: among the rows whose strict bounds
        are within the widening of ``day``."""
        fuzz = version.fuzz
        found: list[tuple[int, int, int, Event]] = []
        for (_, _, seq), event in self._counted(
            version.n,
            "e.hi > :after AND e.lo <= :upto",
            {"after": day - version.above, "upto": day + version.below},
        ):
            wide_lo, wide_hi = _fuzzy_key(event.occurred, fuzz)
            if wide_lo <= day < wide_hi:
                found.append((wide_hi, wide_lo, seq, event))
        found.sort()
        return tuple(item[3] for item in found)


class _FuzzyVersion:
    """The version of the log of ``n`` events under a Fuzz policy, with how
    far the policy widens its events' bounds at most (days down, days up):
    the queries read the rows whose strict bounds are within that reach and
    widen each event's own (:meth:`UncertainDate.fuzzy_days`)."""

    __slots__ = ("above", "below", "fuzz", "n")

    def __init__(self, n: int, fuzz: Fuzz, below: int, above: int) -> None:
        self.n = n
        self.fuzz = fuzz
        self.below = below
        self.above = above


def _paged(
    stream: Iterable[tuple[FoldKey, Event]], size: int
) -> Iterator[tuple[list[FoldKey], list[Event]]]:
    """(keys, events) of ``stream``, ``size`` at a time."""
    keys: list[FoldKey] = []
    events: list[Event] = []
    for key, event in stream:
        keys.append(key)
        events.append(event)
        if len(events) == size:
            yield keys, events
            keys, events = [], []
    if events:
        yield keys, events


def _fuzzy_key(date: UncertainDate, fuzz: Fuzz) -> tuple[int, int]:
    """(earliest, latest) day of ``date`` widened by ``fuzz``, open ends as
    the fold key's sentinels."""
    lo, hi = date.fuzzy_days(fuzz)
    return (
        UNBOUNDED_BELOW if lo is None else lo,
        UNBOUNDED_ABOVE if hi is None else hi,
    )


_OCCURRED: Final = b',"occurred":"'


def _occurred(body: bytes, where: str, seq: int) -> UncertainDate:
    """The occurred date of a canonical record body, read without its
    event type (the members before it are JSON strings and numbers, whose
    escaped quotes cannot form this member's opening)."""
    start = body.find(_OCCURRED)
    end = body.find(b'"', start + len(_OCCURRED))
    try:
        if start < 0 or end < 0:
            raise ValueError("no occurred member")
        return _parse_edtf_cached(body[start + len(_OCCURRED) : end].decode())
    except (ValueError, TimelineError) as error:
        raise IntegrityError(f"{where}: seq {seq}: {error}") from None


class _Lazy:
    """A persisted state, unpickled when a fold first starts from it."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def load(self) -> Any:
        return pickle.loads(self.blob)


class _Raced(Exception):
    """Another writer committed the sequence number this append wrote."""


class _Persisted:
    """Checkpoints kept in the database: projection states saved at fold
    keys, so that a fresh process starts its first fold near its answer.

    A row is (projection, version, hi, lo, seq, n, state): the fold of the
    events counted when the log had ``n`` events, up to and including the
    fold key (hi, lo, seq).  Rows are only ever inserted: whether one holds
    for the version of ``m`` events is decided when it is read, as for the
    in-memory ones: it does unless an event appended between ``n`` and
    ``m``, or superseded in between, has a fold key at or below its key
    (:meth:`RelationalLog._first_touched`).  So a late or superseding event
    invalidates the checkpoints from its fold position on, the writer does
    nothing for it, and a checkpoint also serves the earlier and later
    versions that fold the same events (``known_at`` queries).

    ``version`` is the projection's declared ``version`` and a fingerprint
    of its handlers (:func:`fingerprint`): a projection whose handlers
    changed, or whose author bumped its version, starts afresh.  States are
    pickled: reading a checkpoint runs what its pickle says, so only roles
    trusted to run code in the readers may insert into the table
    (docs/format.md); ``open_log(..., checkpoints=False)`` neither reads
    nor writes them.  A projection without a ``name``, or whose state does
    not pickle, is not persisted.
    """

    def __init__(self, log: RelationalLog) -> None:
        self._log = log
        self._keys: dict[int, tuple[Projection[Any], str] | None] = {}
        self._touched: dict[tuple[int, int], FoldKey | None] = {}
        self._writable = True

    def key(self, projection: Projection[Any]) -> str | None:
        found = self._keys.get(id(projection))
        if found is not None and found[0] is projection:
            return found[1]
        if projection.name is None:
            return None
        version = f"{projection.version}:{fingerprint(projection)}"
        self._keys[id(projection)] = (projection, version)
        return version

    def _valid(self, n: int, m: int, key: FoldKey) -> bool:
        pair = (min(n, m), max(n, m))
        if pair not in self._touched:
            if len(self._touched) > 1024:
                self._touched.clear()
            self._touched[pair] = self._log._first_touched(*pair)
        touched = self._touched[pair]
        return touched is None or touched > key

    def load(self, projection: Projection[Any], n: int) -> list[tuple[FoldKey, Any]]:
        """The persisted checkpoints of ``projection`` that hold for the
        version of ``n`` events, as (fold key, :class:`_Lazy` state)."""
        version = self.key(projection)
        if version is None:
            return []
        try:
            rows = self._log._run(
                "SELECT hi, lo, seq, n, state FROM checkpoints WHERE {log} "
                "AND projection = :p AND version = :v ORDER BY hi, lo, seq",
                {"p": projection.name, "v": version},
            ).fetchall()
        except TimelineError:
            return []  # no table: no reader has saved any in this log yet
        found: dict[FoldKey, Any] = {}
        for hi, lo, seq, count, blob in rows:
            key = (int(hi), int(lo), int(seq))
            if key not in found and self._valid(int(count), n, key):
                found[key] = _Lazy(bytes(blob))
        return list(found.items())

    def save(
        self, projection: Projection[Any], n: int, states: list[tuple[FoldKey, Any]]
    ) -> None:
        version = self.key(projection)
        if version is None or not self._writable:
            return
        try:
            rows = [
                (projection.name, version, *key, n, pickle.dumps(state, protocol=5))
                for key, state in states
            ]
        except Exception:
            self._keys[id(projection)] = None
            return
        self._writable = self._log._save_checkpoints(rows)

    def forget(self) -> None:
        self._touched.clear()


def fingerprint(projection: Projection[Any]) -> str:
    """A digest of a projection's handlers: the event types they handle,
    their names and their code (bytecode, constants and names, nested
    functions' too), and its initial state (pickled).  Code the handlers
    call is not in it: bump ``version`` when that changes."""
    digest = hashlib.sha256()
    for kind, handler in sorted(
        projection._handlers.items(),
        key=lambda item: (item[0].__module__, item[0].__qualname__),
    ):
        digest.update(f"{kind.__module__}.{kind.__qualname__}\0".encode())
        digest.update(f"{handler.__module__}.{handler.__qualname__}\0".encode())
        code = getattr(handler, "__code__", None)
        if code is not None:
            _digest_code(digest, code)
    try:
        digest.update(pickle.dumps(projection.initial, protocol=5))
    except Exception:
        digest.update(repr(type(projection.initial)).encode())
    return digest.hexdigest()[:16]


def _digest_code(digest: Any, code: Any) -> None:
    digest.update(code.co_code)
    digest.update("\0".join(code.co_names).encode())
    for constant in code.co_consts:
        if hasattr(constant, "co_code"):
            _digest_code(digest, constant)
        else:
            digest.update(repr(constant).encode("utf-8", "backslashreplace"))
