"""The SQLite log: the same records and hash chain as the JSON Lines file,
in an indexed table, queried without loading the log into memory.

Each row keeps the record's canonical body and chained hash byte for byte,
so a log converts between the two formats and still verifies.  Fold keys
(latest day, earliest day, sequence number) and recorded keys are indexed
columns; supersessions live in a second insert-only table.  As-of queries
stream the counted events in fold order from the index and fold them,
starting from in-memory checkpoints (states saved every K events, keyed by
their fold key) that are invalidated from the fold position of any new or
superseded event.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import json
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW
from timeline._events import Event, recorded_key
from timeline._log import AsOfQueries, DayInput, check_batch, known_at_key
from timeline._replay import _WIDTHS, FoldKey, Projection, fold_key
from timeline._storage.codec import (
    GENESIS,
    CodecError,
    chain_hash,
    decode_record,
    encode_event,
)
from timeline._storage.jsonl import Rules, parse_body
from timeline.exceptions import ConcurrencyError, IntegrityError, TimelineError

__all__ = ["SQLiteLog"]

S = TypeVar("S")
_CACHED_VIEWS: Final = 8
_CACHED_EVENTS: Final = 1 << 18  # about 200 bytes each
_SCHEMA_VERSION: Final = 1
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hi INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    wc INTEGER NOT NULL,
    rday INTEGER NOT NULL,
    rsec REAL NOT NULL,
    body BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_fold ON events (hi, lo, seq);
CREATE INDEX IF NOT EXISTS events_pending ON events (wc, hi);
CREATE INDEX IF NOT EXISTS events_recorded ON events (rday, rsec);
CREATE TABLE IF NOT EXISTS supersessions (
    target INTEGER NOT NULL,
    by_seq INTEGER NOT NULL,
    PRIMARY KEY (target, by_seq)
) WITHOUT ROWID;
"""
_BY_SEQ_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS supersessions_by ON supersessions (by_seq)"
)
# Width classes as in the in-memory pending index; two more for open ends.
_Checkpoints = tuple[Any, list[FoldKey], list[Any], int]
_EXACT, _OPEN_START, _OPEN_END = -1, len(_WIDTHS) + 1, len(_WIDTHS) + 2
_COUNTED: Final = (
    "NOT EXISTS (SELECT 1 FROM supersessions s "
    "WHERE s.target = e.seq AND s.by_seq <= :n) AND e.seq <= :n"
)


def _row(event: Event, seq: int, body: bytes, digest: bytes) -> tuple[Any, ...]:
    hi, lo, _ = fold_key(event, seq)
    day, seconds = recorded_key(event.recorded)
    return (seq, event.id, hi, lo, _width_class(hi, lo), day, seconds, body, digest)


def _by_superseder(pair: tuple[int, int]) -> tuple[int, int]:
    return pair[1], pair[0]


def _width_class(hi: int, lo: int) -> int:
    if hi == UNBOUNDED_ABOVE:
        return _OPEN_END
    if lo == UNBOUNDED_BELOW:
        return _OPEN_START
    width = hi - lo
    if width == 0:
        return _EXACT
    return bisect.bisect_left(_WIDTHS, width)


class SQLiteLog(AsOfQueries):
    """A log kept in SQLite (WAL mode), with the interface of :class:`timeline.Log`."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        checkpoint_every: int = 64,
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(f"no log file at {str(self.path)!r}")
        if self.path.is_dir():
            raise IsADirectoryError(f"{str(self.path)!r} is a directory, not a log")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as error:
            raise OSError(f"cannot open {str(self.path)!r}: {error}") from None
        try:
            # Refuse a database that is not a timeline log before writing
            # anything to it (not even the journal mode).
            self._check_tables(self._tables(), create=create)
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            if create:
                with self._write_transaction():
                    if self._check_tables(self._tables(), create=True):
                        # executescript() would commit; one statement at a time.
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                self._db.execute(statement)
                        self._db.execute(
                            "INSERT INTO meta VALUES ('format', ?)",
                            (str(_SCHEMA_VERSION),),
                        )
                    # Indexes added since the format was defined.
                    self._db.execute(_BY_SEQ_INDEX)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise IntegrityError(
                f"{self.path}: not a timeline SQLite log: {error}"
            ) from None
        except BaseException:
            self._db.close()
            raise
        self._every = checkpoint_every
        self._cache: OrderedDict[int, Event] = OrderedDict()
        self._known_max = self._max_seq()
        # (projection, view count or None for current) -> sorted [(key, state)];
        # the views of earlier versions (known_at) are kept for the
        # _CACHED_VIEWS most recently used.
        self._checkpoints: OrderedDict[
            tuple[int, int | None], tuple[Any, list[FoldKey], list[Any], int]
        ] = OrderedDict()

    # -- plumbing -----------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    def _check_tables(self, tables: set[str], *, create: bool) -> bool:
        """True if the database is empty and may become a new log; raise
        IntegrityError if it is anything but a timeline log."""
        if not tables:
            if create:
                return True
            raise IntegrityError(
                f"{self.path}: not a timeline SQLite log: the database is empty"
            )
        missing = {"meta", "events", "supersessions"} - tables
        if missing:
            raise IntegrityError(
                f"{self.path}: not a timeline SQLite log: no table "
                f"{', '.join(sorted(missing))} (it has {', '.join(sorted(tables))})"
            )
        version = self._db.execute(
            "SELECT value FROM meta WHERE key = 'format'"
        ).fetchone()
        if version is None or version[0] != str(_SCHEMA_VERSION):
            found = "no format" if version is None else f"format {version[0]}"
            raise IntegrityError(
                f"{self.path}: SQLite log {found}, expected format {_SCHEMA_VERSION}"
            )
        return False

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _max_seq(self) -> int:
        row = self._db.execute("SELECT max(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def _sync(self) -> None:
        """Drop checkpoints spoiled by events appended since we last looked."""
        latest = self._max_seq()
        if latest == self._known_max:
            return
        rows = self._db.execute(
            "SELECT min(hi) FROM ("
            " SELECT hi, lo FROM events WHERE seq > :old"
            " UNION ALL SELECT e.hi, e.lo FROM supersessions s"
            " JOIN events e ON e.seq = s.target WHERE s.by_seq > :old)",
            {"old": self._known_max},
        ).fetchone()
        self._invalidate_current(rows[0])
        self._known_max = latest

    def _invalidate_current(self, min_hi: int | None) -> None:
        if min_hi is None:
            return
        for (_, view), (_, keys, states, _) in self._checkpoints.items():
            if view is None:
                position = bisect.bisect_left(keys, (min_hi, UNBOUNDED_BELOW, 0))
                del keys[position:]
                del states[position:]

    def _decode(self, body: bytes, seq: int) -> Event:
        """The event of record ``seq``: decoding is most of a query's cost,
        and a record never changes, so recently decoded events are kept."""
        cache = self._cache
        event = cache.get(seq)
        if event is not None:
            cache.move_to_end(seq)
            return event
        event = self._decode_body(body, seq)
        cache[seq] = event
        if len(cache) > _CACHED_EVENTS:
            cache.popitem(last=False)
        return event

    def _decode_body(self, body: bytes, seq: int) -> Event:
        where = f"{self.path}: seq {seq}"
        obj = parse_body(body, self.path, seq, label="seq")
        try:
            return decode_record(obj, where).event
        except TimelineError as error:
            raise IntegrityError(str(error)) from None

    # -- reading ------------------------------------------------------

    def __len__(self) -> int:
        return self._max_seq()

    @property
    def last_seq(self) -> int:
        return self._max_seq()

    def __iter__(self) -> Iterator[Event]:
        cursor = self._db.execute("SELECT seq, body FROM events ORDER BY seq")
        for seq, body in cursor:
            yield self._decode(body, seq)

    def __contains__(self, event_id: object) -> bool:
        row = self._db.execute("SELECT 1 FROM events WHERE id = ?", (event_id,))
        return row.fetchone() is not None

    def seq(self, event_id: str) -> int:
        row = self._db.execute(
            "SELECT seq FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no event with id {event_id!r} in the log")
        return int(row[0])

    def get(self, event_id: str) -> Event:
        row = self._db.execute(
            "SELECT seq, body FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no event with id {event_id!r} in the log")
        return self._decode(row[1], row[0])

    def at(self, seq: int) -> Event:
        row = self._db.execute(
            "SELECT body FROM events WHERE seq = ?", (seq,)
        ).fetchone()
        if row is None:
            raise IndexError(
                f"sequence number {seq} is not in the log (1..{self._max_seq()})"
            )
        return self._decode(row[0], seq)

    def superseded_by(self, event_id: str) -> tuple[Event, ...]:
        seq = self.seq(event_id)
        rows = self._db.execute(
            "SELECT by_seq FROM supersessions WHERE target = ? ORDER BY by_seq", (seq,)
        ).fetchall()
        return tuple(self.at(row[0]) for row in rows)

    @property
    def head(self) -> tuple[int, str]:
        row = self._db.execute(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return (0, GENESIS.hex()) if row is None else (int(row[0]), bytes(row[1]).hex())

    def count_known_at(self, known_at: DayInput | None) -> int:
        if known_at is None:
            return self._max_seq()
        day, seconds = known_at_key(known_at)
        # Recorded times never go back, so the events known then are the
        # prefix before the first one recorded later: one index seek.
        row = self._db.execute(
            "SELECT seq FROM events WHERE (rday, rsec) > (?, ?) "
            "ORDER BY rday, rsec LIMIT 1",
            (day, seconds),
        ).fetchone()
        return self._max_seq() if row is None else int(row[0]) - 1

    def _counted(
        self, n: int, where: str = "1", params: dict[str, Any] | None = None
    ) -> Iterator[tuple[FoldKey, Event]]:
        sql = (
            f"SELECT e.hi, e.lo, e.seq, e.body FROM events e WHERE {where} AND "
            f"{_COUNTED} ORDER BY e.hi, e.lo, e.seq"
        )
        for hi, lo, seq, body in self._db.execute(sql, {"n": n, **(params or {})}):
            yield (hi, lo, seq), self._decode(body, seq)

    def timeline(self, known_at: DayInput | None = None) -> tuple[Event, ...]:
        self._sync()
        return tuple(event for _, event in self._counted(self.count_known_at(known_at)))

    # -- appending ----------------------------------------------------

    def append(self, *events: Event, expected_seq: int | None = None) -> int:
        if expected_seq is not None and (
            not isinstance(expected_seq, int) or isinstance(expected_seq, bool)
        ):
            raise TypeError(f"expected_seq: expected an int, got {expected_seq!r}")
        with self._write_transaction():
            last = self._db.execute(
                "SELECT seq, rday, rsec, hash FROM events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            count = 0 if last is None else int(last[0])
            if expected_seq is not None and expected_seq != count:
                raise ConcurrencyError(expected_seq, count)
            if not events:
                return count
            named = [e for e in events if isinstance(e, Event)]
            known = self._seqs_of(
                {e.id for e in named} | {t for e in named for t in e.supersedes}
            )
            check_batch(
                events,
                known.__contains__,
                None if last is None else (int(last[1]), float(last[2])),
            )
            head = GENESIS if last is None else bytes(last[3])
            rows = []
            supersessions = []
            final = len(events) - 1
            ids = {}
            for index, event in enumerate(events):
                seq = count + index + 1
                ids[event.id] = seq
                try:
                    body = encode_event(event, seq, more=index != final)
                except CodecError as error:
                    raise CodecError(
                        f"event {index + 1} of the batch: {error}"
                    ) from None
                head = chain_hash(head, body)
                rows.append(_row(event, seq, body, head))
                for target in event.supersedes:
                    target_seq = ids.get(target) or known[target]
                    supersessions.append((target_seq, seq))
            self._insert(rows)
            self._db.executemany(
                "INSERT INTO supersessions VALUES (?, ?)", supersessions
            )
        self._sync()
        return count + len(events)

    def _seqs_of(self, names: set[str]) -> dict[str, int]:
        """The sequence numbers of those of ``names`` that are in the log."""
        found: dict[str, int] = {}
        listed = sorted(names)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                self._db.execute(
                    f"SELECT id, seq FROM events WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def append_raw(self, records: Iterable[tuple[bytes, bytes]]) -> None:
        """Copy verified (body, hash) records into this empty log, unchanged
        (for ``convert``: the copy keeps sequence numbers and hashes)."""
        with self._write_transaction():
            if self._max_seq():
                raise IntegrityError(f"{self.path}: convert needs an empty target log")
            rows: list[tuple[Any, ...]] = []
            seq_of: dict[str, int] = {}
            supersessions: list[tuple[int, int]] = []
            for body, digest in records:
                record = decode_record(json.loads(body), "record")
                event, seq = record.event, record.seq
                seq_of[event.id] = seq
                supersessions.extend((seq_of[t], seq) for t in event.supersedes)
                rows.append(_row(event, seq, body, digest))
                if len(rows) >= 10_000:
                    self._insert(rows)
                    rows = []
            self._insert(rows)
            self._db.executemany(
                "INSERT INTO supersessions VALUES (?, ?)", supersessions
            )
        self._sync()

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )

    def hash_at(self, seq: int) -> bytes | None:
        """The chained hash of record ``seq``, or None if there is none."""
        row = self._db.execute("SELECT hash FROM events WHERE seq = ?", (seq,))
        found = row.fetchone()
        return None if found is None else bytes(found[0])

    def raw_records(self) -> Iterator[tuple[bytes, bytes]]:
        """(body, hash) of every record in sequence order."""
        for body, digest in self._db.execute(
            "SELECT body, hash FROM events ORDER BY seq"
        ):
            yield bytes(body), bytes(digest)

    def verify(self, *, decode: bool = True) -> tuple[int, str]:
        """Check the whole chain; returns the head (seq, hash hex).

        With ``decode``, also read every event, check the log's rules, and
        check the derived columns and the supersessions table against the
        records (the queries rely on them).
        """
        head = GENESIS
        expected = 0
        rules = Rules() if decode else None
        supersessions: list[tuple[int, int]] = []
        seq_of: dict[str, int] = {}
        for seq, event_id, hi, lo, wc, rday, rsec, body, digest in self._db.execute(
            "SELECT seq, id, hi, lo, wc, rday, rsec, body, hash FROM events "
            "ORDER BY seq"
        ):
            expected += 1
            where = f"{self.path}: seq {seq}"
            if seq != expected:
                raise IntegrityError(
                    f"{self.path}: expected sequence number {expected}, found {seq}"
                )
            if not isinstance(body, bytes) or not isinstance(digest, bytes):
                raise IntegrityError(f"{where}: body and hash must be BLOBs")
            head = chain_hash(head, body)
            if head != digest:
                raise IntegrityError(
                    f"{where}: hash mismatch: this record was edited, or a record "
                    "was inserted, deleted or reordered before it"
                )
            obj = parse_body(body, self.path, seq, label="seq")
            stored = obj.get("seq") if isinstance(obj, dict) else None
            if type(stored) is not int or stored != seq:
                raise IntegrityError(f"{where}: the record says seq {stored!r}")
            if rules is None:
                continue
            event = self._decode_body(body, seq)
            try:
                rules.check(event)
            except IntegrityError as error:
                raise IntegrityError(f"{where}: {error}") from None
            derived = _row(event, seq, body, digest)
            if (event_id, hi, lo, wc, rday, rsec) != derived[1:7]:
                raise IntegrityError(
                    f"{where}: the indexed columns (id, hi, lo, wc, rday, rsec) = "
                    f"{(event_id, hi, lo, wc, rday, rsec)} do not match the record "
                    f"{derived[1:7]}"
                )
            seq_of[event.id] = seq
            supersessions.extend((seq_of[target], seq) for target in event.supersedes)
        if rules is not None:
            stored_pairs = self._db.execute(
                "SELECT target, by_seq FROM supersessions ORDER BY by_seq, target"
            ).fetchall()
            if sorted(supersessions, key=_by_superseder) != [
                tuple(pair) for pair in stored_pairs
            ]:
                raise IntegrityError(
                    f"{self.path}: the supersessions table does not match the "
                    "records' supersedes"
                )
        return expected, head.hex()

    # -- queries ------------------------------------------------------

    def _state_at(self, projection: Projection[S], n: int, day: int) -> S:
        """Fold of the counted events with latest day <= ``day``."""
        current = n == self._known_max
        slot = (id(projection), None if current else n)
        entry = self._checkpoints.get(slot)
        if (
            entry is None
            or entry[0] is not projection
            or entry[3] != projection.version
        ):
            entry = (projection, [], [], projection.version)
            self._checkpoints[slot] = entry
            earlier = [kept for kept in self._checkpoints if kept[1] is not None]
            for kept in earlier[: max(0, len(earlier) - _CACHED_VIEWS)]:
                del self._checkpoints[kept]
        self._checkpoints.move_to_end(slot)
        _, keys, states, _ = entry
        bound = (day, UNBOUNDED_ABOVE, UNBOUNDED_ABOVE)
        index = bisect.bisect_right(keys, bound) - 1
        state: S
        if index >= 0:
            after, state = keys[index], states[index]
        else:
            after, state = (UNBOUNDED_BELOW, UNBOUNDED_BELOW, 0), projection.initial
        fold = projection.fold
        rest = self._counted(
            n,
            "(e.hi, e.lo, e.seq) > (:h, :l, :s) AND e.hi <= :day",
            {"h": after[0], "l": after[1], "s": after[2], "day": day},
        )
        for folded, (key, event) in enumerate(rest):
            state = fold((event,), state)
            if (folded + 1) % self._every == 0 and (not keys or key > keys[-1]):
                keys.append(key)
                states.append(state)
        return state

    def _pending(self, n: int, day: int) -> list[Event]:
        clauses = [
            f"(e.wc = {i} AND e.hi > :day AND e.hi <= :day + {limit} AND e.lo <= :day)"
            for i, limit in enumerate(_WIDTHS)
        ]
        clauses.append(f"(e.wc = {len(_WIDTHS)} AND e.hi > :day AND e.lo <= :day)")
        clauses.append(f"(e.wc = {_OPEN_START} AND e.hi > :day)")
        clauses.append(f"(e.wc = {_OPEN_END} AND e.lo <= :day)")
        where = "(" + " OR ".join(clauses) + ")"
        return [event for _, event in self._counted(n, where, {"day": day})]

    # -- the hooks of AsOfQueries --------------------------------------

    def _version(self, known_at: datetime.date | None) -> int:
        self._sync()
        return self.count_known_at(known_at)

    def _certain_state(self, version: int, projection: Projection[S], day: int) -> S:
        return self._state_at(projection, version, day)

    def _pending_events(self, version: int, day: int) -> tuple[Event, ...]:
        return tuple(self._pending(version, day))

    def _certain_between(
        self, version: int, low: int | None, high: int
    ) -> Iterator[Event]:
        where = "e.hi <= :high" if low is None else "e.hi > :low AND e.hi <= :high"
        counted = self._counted(version, where, {"low": low, "high": high})
        return (event for _, event in counted)
