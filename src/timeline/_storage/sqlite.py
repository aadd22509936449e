"""The SQLite log: the same records and hash chain as the JSON Lines file,
in an indexed table, queried without loading the log into memory.

Each row keeps its record *compactly* (container schema 2, docs/format.md):
the parts of the canonical body that other columns already hold (the
sequence number, the id, the event type and version) are left out, the
envelope's usual members are written as one-byte codes, and the chained
hash is kept whole only at the end of each append (its first 4 bytes
elsewhere, enough to name an edited record).  Reading a row rebuilds the
canonical body byte for byte, so a log converts between the two formats and
still verifies.  Fold keys (latest day, earliest day, sequence number) are
indexed columns; supersessions live in a second insert-only table.  As-of
queries stream the counted events in fold order from the index and fold
them, starting from in-memory checkpoints (states saved every K events,
keyed by their fold key) that are invalidated from the fold position of any
new or superseded event.

Durability: WAL with ``synchronous=FULL`` by default: each commit waits for
the disk, so a committed append survives a power loss, as the JSON Lines
log's fsync does.  ``fsync=False`` (``synchronous=NORMAL``) leaves the
commit in the operating system's hands: it still survives the writing
process being killed at any moment, but a power loss or an operating-system
crash may lose the last appends (never a part of one).  The fsync costs
0.2 to 4 ms a commit on the benchmark machine: up to 4 µs an event in
batches of 1000.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import hashlib
import json
import os
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Final, TypeVar

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW, UncertainDate
from timeline._events import Event, recorded_key
from timeline._log import AsOfQueries, DayInput, check_batch, known_at_key
from timeline._replay import _WIDTHS, FoldKey, Projection
from timeline._storage.codec import (
    FORMAT_VERSION,
    GENESIS,
    CodecError,
    decode_record,
    encode_event,
)
from timeline._storage.jsonl import Rules, parse_body
from timeline._subscribe import Feed, Subscribable
from timeline.exceptions import (
    ConcurrencyError,
    IntegrityError,
    TimelineError,
)

__all__ = ["SQLiteLog"]

S = TypeVar("S")
_CACHED_VIEWS: Final = 8
_CACHED_EVENTS: Final = 1 << 18  # about 200 bytes each
#: The layout of the tables (meta ``schema``); the records themselves are
#: those of the log format (meta ``format``), the same in every container.
_SCHEMA_VERSION: Final = 2
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS types (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    v INTEGER NOT NULL,
    UNIQUE (name, v)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type INTEGER,
    hi INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    wc INTEGER,
    rday INTEGER NOT NULL,
    rsec REAL NOT NULL,
    body BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_fold ON events (hi, lo);
CREATE INDEX IF NOT EXISTS events_pending ON events (wc, hi) WHERE wc IS NOT NULL;
CREATE TABLE IF NOT EXISTS supersessions (
    target INTEGER NOT NULL,
    by_seq INTEGER NOT NULL,
    PRIMARY KEY (target, by_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS supersessions_by ON supersessions (by_seq)
"""
_COLUMNS: Final = 10  # of events
# Rows go in up to 512 to an INSERT statement: executemany's cost is mostly
# per statement run (binding, stepping, resetting), so many rows to a
# statement insert faster than one each (2.5 -> 0.8 µs a row for a small
# table; for the log's rows, 512 against 50 a statement saves 0.6 µs a row).
# Sizes are powers of 8, so a batch of any size runs a few cached statements.
_INSERT_SIZES: Final = (512, 64, 8, 1)
_INSERTS: Final = {
    size: "INSERT INTO events VALUES "
    + ", ".join(["(" + ", ".join("?" * _COLUMNS) + ")"] * size)
    for size in _INSERT_SIZES
}
_SHORT_HASH: Final = 4  # bytes of the chained hash kept inside a batch
_HASH: Final = 32

# Width classes as in the in-memory pending index, two more for open ends;
# an exact day (never pending) has none (NULL: outside the pending index).
_Checkpoints = tuple[Any, list[FoldKey], list[Any], int]
_OPEN_START, _OPEN_END = len(_WIDTHS) + 1, len(_WIDTHS) + 2
_COUNTED: Final = (
    "NOT EXISTS (SELECT 1 FROM supersessions s "
    "WHERE s.target = e.seq AND s.by_seq <= :n) AND e.seq <= :n"
)

# -- the compact body -------------------------------------------------------
#
# A canonical body is
#   {"seq":S,"id":I,"type":T,"v":V,"occurred":"REST}            (a batch's end)
#   {"seq":S,"id":I,"type":T,"v":V,"occurred":"REST,"more":true} (inside one)
# The row keeps only REST, with the envelope's usual members replaced by
# one-byte codes; S is the row's seq, I its id, T and V come from the types
# table, and which ending it has is told by the stored hash (whole at a
# batch's end).  The codes are control bytes that a JSON text never holds
# (only tab, LF and CR may appear unescaped, as white space), so replacing
# them back restores REST exactly.  A body not of that shape (an id JSON
# would escape differently, say, in a log written by another program) is
# kept whole, with type NULL.  The codes are part of the container's format
# (docs/format.md): never renumber them; a new one needs a new schema.
_CODES: Final = (  # replaced in this order: longest first, the common ones first
    b'","source":null,"summary":null,"supersedes":[],"tags":[],"payload":{}',
    b'","source":null,"summary":null,"supersedes":[],"tags":[],"payload":',
    b'","recorded":"',
    b'","source":{"title":',
    b',"supersedes":[],"tags":[],"payload":',
    b',"publisher":',
    b',"published":',
    b',"language":',
    b',"confidence":',
    b',"summary":{"en":',
    b',"summary":null',
    b',"supersedes":[',
    b',"payload":',
    b',"quote":',
    b',"tags":[',
    b',"url":',
)
_CODE_BYTES: Final = tuple(
    bytes([c]) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))
)[: len(_CODES)]
_PACK: Final = tuple(zip(_CODES, _CODE_BYTES, strict=True))
_UNPACK: Final = tuple(zip(_CODE_BYTES, _CODES, strict=True))
# A record with the usual envelope (no source, summary, supersedes or tags)
# needs only the first three codes: unpacking it takes 3 replaces and a
# search instead of 16 (about 1 µs saved an event).
_COMMON: Final = 3
_DEFAULTS: Final = _CODES[1]
_ANY_CODE: Final = re.compile(b"[%b]" % b"".join(_CODE_BYTES))
_RARE_CODE: Final = re.compile(b"[%b]" % b"".join(_CODE_BYTES[_COMMON:]))
_MORE: Final = b',"more":true}'
_END: Final = b"}"


def _pack(rest: bytes) -> bytes:
    """REST with codes for its usual members (any subset of the replacements
    may be made: _unpack undoes each code)."""
    # The usual envelope, cut where its members are rather than searched
    # for by 4 replaces over the whole body: 1.3 -> 0.5 µs an event.  The
    # dates are JSON strings: the first '"' ends each.
    end = rest.find(b'"')
    if rest.startswith(_CODES[2], end):
        start = end + len(_CODES[2])
        end = rest.find(b'"', start)
        if rest.startswith(_DEFAULTS, end):
            payload = rest[end + len(_DEFAULTS) :]
            if payload == b"{}":
                return b"%b\x03%b\x01" % (
                    rest[: start - len(_CODES[2])],
                    rest[start:end],
                )
            return b"%b\x03%b\x02%b" % (
                rest[: start - len(_CODES[2])],
                rest[start:end],
                payload,
            )
    for text, code in _PACK:
        rest = rest.replace(text, code)
    return rest


def _unpack(packed: bytes) -> bytes:
    rare = _RARE_CODE.search(packed) is not None
    for code, text in _UNPACK if rare else _UNPACK[:_COMMON]:
        packed = packed.replace(code, text)
    return packed


def _has_codes(body: bytes) -> bool:
    return _ANY_CODE.search(body) is not None


def _type_fragment(name: str, version: int) -> bytes:
    """What follows the id in a body of this type: ``,"type":T,"v":V,"occurred":"``."""
    return b',"type":%b,"v":%d,"occurred":"' % (
        encode_basestring(name).encode("utf-8"),
        version,
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


def _date_columns(date: UncertainDate) -> tuple[int, int, int | None]:
    """(hi, lo, wc) of an occurred date: the fold key's days, the width class."""
    lo, hi = date.earliest_day, date.latest_day
    hi = UNBOUNDED_ABOVE if hi is None else hi
    lo = UNBOUNDED_BELOW if lo is None else lo
    return hi, lo, _width_class(hi, lo)


def _recorded_columns(recorded: datetime.date) -> tuple[int, float]:
    if type(recorded) is datetime.date:
        return recorded.toordinal(), 0.0
    return recorded_key(recorded)


def _derived(event: Event) -> tuple[Any, ...]:
    """The indexed columns (id, hi, lo, wc, rday, rsec) of ``event``."""
    return (
        event.id,
        *_date_columns(event.occurred),
        *_recorded_columns(event.recorded),
    )


class SQLiteLog(AsOfQueries, Subscribable):
    """A log kept in SQLite (WAL mode), with the interface of :class:`timeline.Log`.

    Each commit waits for the disk (``synchronous=FULL``), so appends
    survive a power loss; ``fsync=False`` (``synchronous=NORMAL``) is faster
    and survives the process being killed, not a power loss (see the
    module's docstring).  ``any_thread=True`` lets the handle be used from
    any thread, one at a time (a subscription's feed is).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        checkpoint_every: int = 64,
        fsync: bool = True,
        any_thread: bool = False,
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(f"no log file at {str(self.path)!r}")
        if self.path.is_dir():
            raise IsADirectoryError(f"{str(self.path)!r} is a directory, not a log")
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=not any_thread
            )
        except sqlite3.Error as error:
            raise OSError(f"cannot open {str(self.path)!r}: {error}") from None
        try:
            # Refuse a database that is not a timeline log before writing
            # anything to it (not even the journal mode).
            self._check_tables(self._tables(), create=create)
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
            if create:
                with self._write_transaction():
                    if self._check_tables(self._tables(), create=True):
                        # executescript() would commit; one statement at a time.
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                self._db.execute(statement)
                        self._db.executemany(
                            "INSERT INTO meta VALUES (?, ?)",
                            [
                                ("format", str(FORMAT_VERSION)),
                                ("schema", str(_SCHEMA_VERSION)),
                            ],
                        )
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
        # Types never change once committed: code -> the body's fragment,
        # and (name, version) -> code.
        self._types: dict[int, tuple[str, int, bytes]] = {}
        self._kinds: dict[type[Event], tuple[int, bytes]] = {}
        self._dates: dict[int, tuple[UncertainDate, int, int, int | None]] = {}
        self._known_at: dict[tuple[int, float], tuple[int, int]] = {}
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
        IntegrityError if it is anything but a timeline log of this schema."""
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
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        version = meta.get("format")
        if version != str(FORMAT_VERSION):
            found = "no format" if version is None else f"format {version}"
            raise IntegrityError(
                f"{self.path}: SQLite log {found}, expected format {FORMAT_VERSION}"
            )
        schema = meta.get("schema", "1")  # schema 1 did not say
        if schema != str(_SCHEMA_VERSION):
            if schema == "1":
                raise IntegrityError(
                    f"{self.path}: a SQLite log of the first layout (schema 1, "
                    "written by a development version of timeline before 0.1.0); "
                    f"this version reads schema {_SCHEMA_VERSION}. Copy it with "
                    f"the version that wrote it: `timeline convert {self.path} "
                    f"COPY.jsonl`, then `timeline convert COPY.jsonl NEW.sqlite` "
                    "with this one (same records, same head)"
                )
            raise IntegrityError(
                f"{self.path}: SQLite log schema {schema}, expected schema "
                f"{_SCHEMA_VERSION} (written by a newer timeline?)"
            )
        return False

    def close(self) -> None:
        self._db.close()
        self._end_subscriptions()

    def _feed(self, after: int) -> Feed:
        from timeline._storage.subscribe import SQLiteFeed

        return SQLiteFeed(self, after)

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

    # -- the compact rows -----------------------------------------------

    def _type(self, code: int, seq: int) -> tuple[str, int, bytes]:
        """(name, version, body fragment) of a type code."""
        found = self._types.get(code)
        if found is None:
            row = self._db.execute(
                "SELECT name, v FROM types WHERE code = ?", (code,)
            ).fetchone()
            if row is None or not isinstance(row[0], str) or type(row[1]) is not int:
                raise IntegrityError(
                    f"{self.path}: seq {seq}: type code {code!r} is not in the "
                    "types table"
                )
            found = (row[0], row[1], _type_fragment(row[0], row[1]))
            self._types[code] = found
        return found

    def _fragment(self, code: int, seq: int) -> bytes:
        return self._type(code, seq)[2]

    def _body(
        self, seq: int, event_id: str, code: int | None, body: bytes, end: bytes
    ) -> bytes:
        """The canonical body of a row (``end``: how it ends, by its hash)."""
        if code is None:
            # Stored whole: its "more" member must agree with its hash, whole
            # at a batch's end and short inside one, or a log cut inside a
            # batch would pass as complete.
            if type(body) is bytes and body.endswith(_MORE) != (end is _MORE):
                raise IntegrityError(
                    f"{self.path}: seq {seq}: the record "
                    + ("is inside a batch" if end is _END else "ends its batch")
                    + " but its stored hash says otherwise: rows were removed "
                    "or edited"
                )
            return body
        if type(body) is not bytes or type(event_id) is not str:
            raise IntegrityError(f"{self.path}: seq {seq}: id and body have bad types")
        return b'{"seq":%d,"id":%b%b%b%b' % (
            seq,
            encode_basestring(event_id).encode("utf-8"),
            self._fragment(code, seq),
            _unpack(body),
            end,
        )

    def _ending(self, seq: int, digest: object) -> bytes:
        if type(digest) is not bytes:
            raise IntegrityError(f"{self.path}: seq {seq}: the hash must be a BLOB")
        if len(digest) == _HASH:
            return _END
        if len(digest) == _SHORT_HASH:
            return _MORE
        raise IntegrityError(
            f"{self.path}: seq {seq}: a hash of {len(digest)} bytes "
            f"(expected {_HASH}, or {_SHORT_HASH} inside a batch)"
        )

    def _kind(
        self, kind: type[Event], new: dict[type[Event], tuple[int, bytes]]
    ) -> tuple[int, bytes]:
        """(code, body fragment) of an event type, adding it to the types
        table if need be (inside the append's transaction: ``new`` is kept
        once it commits, never before, so a rolled-back code is forgotten)."""
        entry = self._kinds.get(kind) or new.get(kind)
        if entry is None:
            key = (kind.type_name, kind.schema_version)
            row = self._db.execute(
                "SELECT code FROM types WHERE name = ? AND v = ?", key
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    "INSERT INTO types (name, v) VALUES (?, ?) RETURNING code", key
                ).fetchone()
            entry = new[kind] = (int(row[0]), _type_fragment(*key))
        return entry

    def _row(
        self,
        event: Event,
        seq: int,
        body: bytes,
        digest: bytes,
        more: bool,
        new: dict[type[Event], tuple[int, bytes]],
    ) -> tuple[Any, ...]:
        """The row of a record: compact if its body has the expected shape,
        else whole (with no type code)."""
        code: int | None
        code, fragment = self._kind(type(event), new)
        event_id = event.id
        head = b'{"seq":%d,"id":%b%b' % (
            seq,
            encode_basestring(event_id).encode("utf-8"),
            fragment,
        )
        end = _MORE if more else _END
        if body.startswith(head) and body.endswith(end):
            stored = _pack(body[len(head) : len(body) - len(end)])
        else:
            code, stored = None, body
        hi, lo, wc = self._columns(event.occurred)
        recorded = event.recorded
        if type(recorded) is datetime.date:
            rday, rsec = recorded.toordinal(), 0.0
        else:
            rday, rsec = recorded_key(recorded)
        if more:
            digest = digest[:_SHORT_HASH]
        return (seq, event_id, code, hi, lo, wc, rday, rsec, stored, digest)

    def _columns(self, date: UncertainDate) -> tuple[int, int, int | None]:
        # Logs share date objects: a lookup by identity (the entry keeps the
        # date alive, so its id is not reused) instead of the bounds and
        # width, or of hashing the date: about 0.3 µs an event.
        entry = self._dates.get(id(date))
        if entry is None or entry[0] is not date:
            if len(self._dates) > 1 << 16:
                self._dates.clear()
            entry = self._dates[id(date)] = (date, *_date_columns(date))
        return entry[1], entry[2], entry[3]

    def _decode(self, seq: int, event_id: str, code: int | None, body: bytes) -> Event:
        """The event of record ``seq``: decoding is most of a query's cost,
        and a record never changes, so recently decoded events are kept."""
        cache = self._cache
        event = cache.get(seq)
        if event is not None:
            cache.move_to_end(seq)
            return event
        obj = None if code is None else self._record(seq, event_id, code, body)
        if obj is None:
            obj = parse_body(
                self._body(seq, event_id, code, body, _END),
                self.path,
                seq,
                label="seq",
            )
        event = self._event(obj, seq)
        cache[seq] = event
        if len(cache) > _CACHED_EVENTS:
            cache.popitem(last=False)
        return event

    def _record(
        self, seq: int, event_id: str, code: int, body: bytes
    ) -> dict[str, Any] | None:
        """The parsed record straight from the row, for the usual envelope
        (no source, summary, supersedes or tags; no escapes in the dates):
        what parsing its rebuilt body gives, without rebuilding it or
        parsing the envelope (the first query at 10^5: about 15% faster).
        None for any other row."""
        if type(body) is not bytes or b"\\" in body:
            return None
        occurred, found, rest = body.partition(b"\x03")
        if not found or _RARE_CODE.search(body) is not None:
            return None
        if rest[-1:] == b"\x01":
            recorded, payload = rest[:-1], {}
        else:
            recorded, found, text = rest.partition(b"\x02")
            if not found or _ANY_CODE.search(text) is not None:
                return None
            payload = parse_body(text, self.path, seq, label="seq")
        if _ANY_CODE.search(recorded) is not None:
            return None
        name, version, _ = self._type(code, seq)
        return {
            "seq": seq,
            "id": event_id,
            "type": name,
            "v": version,
            "occurred": occurred.decode("utf-8", "replace"),
            "recorded": recorded.decode("utf-8", "replace"),
            "source": None,
            "summary": None,
            "supersedes": [],
            "tags": [],
            "payload": payload,
        }

    def _event(self, obj: Any, seq: int) -> Event:
        try:
            return decode_record(obj, f"{self.path}: seq {seq}").event
        except TimelineError as error:
            raise IntegrityError(str(error)) from None

    def _decode_body(self, body: bytes, seq: int) -> Event:
        return self._event(parse_body(body, self.path, seq, label="seq"), seq)

    # -- reading ------------------------------------------------------

    def __len__(self) -> int:
        return self._max_seq()

    @property
    def last_seq(self) -> int:
        return self._max_seq()

    def __iter__(self) -> Iterator[Event]:
        cursor = self._db.execute("SELECT seq, id, type, body FROM events ORDER BY seq")
        for row in cursor:
            yield self._decode(*row)

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
            "SELECT seq, id, type, body FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no event with id {event_id!r} in the log")
        return self._decode(*row)

    def at(self, seq: int) -> Event:
        row = self._db.execute(
            "SELECT seq, id, type, body FROM events WHERE seq = ?", (seq,)
        ).fetchone()
        if row is None:
            raise IndexError(
                f"sequence number {seq} is not in the log (1..{self._max_seq()})"
            )
        return self._decode(*row)

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
        if row is None:
            return 0, GENESIS.hex()
        return int(row[0]), self._last_hash(int(row[0]), row[1]).hex()

    def _last_hash(self, seq: int, digest: object) -> bytes:
        if self._ending(seq, digest) is not _END:
            raise IntegrityError(
                f"{self.path}: seq {seq}: the last record ends inside a batch "
                "(its hash is not whole): records were cut off the end"
            )
        assert isinstance(digest, bytes)
        return digest

    def count_known_at(self, known_at: DayInput | None) -> int:
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
        read = self._db.execute
        while low < high:
            middle = (low + high) // 2
            row = read(
                "SELECT rday, rsec FROM events WHERE seq = ?", (middle,)
            ).fetchone()
            if row is None:
                raise IntegrityError(f"{self.path}: record {middle} is missing")
            if (row[0], row[1]) > key:
                high = middle
            else:
                low = middle + 1
        if len(self._known_at) > 256:
            self._known_at.clear()
        self._known_at[key] = (n, low - 1)
        return low - 1

    def _counted(
        self, n: int, where: str = "1", params: dict[str, Any] | None = None
    ) -> Iterator[tuple[FoldKey, Event]]:
        sql = (
            f"SELECT e.hi, e.lo, e.seq, e.id, e.type, e.body FROM events e "
            f"WHERE {where} AND {_COUNTED} ORDER BY e.hi, e.lo, e.seq"
        )
        decode = self._decode
        for hi, lo, seq, event_id, code, body in self._db.execute(
            sql, {"n": n, **(params or {})}
        ):
            yield (hi, lo, seq), decode(seq, event_id, code, body)

    def timeline(self, known_at: DayInput | None = None) -> tuple[Event, ...]:
        self._sync()
        return tuple(event for _, event in self._counted(self.count_known_at(known_at)))

    # -- appending ----------------------------------------------------

    def append(self, *events: Event, expected_seq: int | None = None) -> int:
        if expected_seq is not None and (
            not isinstance(expected_seq, int) or isinstance(expected_seq, bool)
        ):
            raise TypeError(f"expected_seq: expected an int, got {expected_seq!r}")
        new_types: dict[type[Event], tuple[int, bytes]] = {}
        with self._write_transaction():
            last = self._db.execute(
                "SELECT seq, rday, rsec, hash FROM events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            count = 0 if last is None else int(last[0])
            if expected_seq is not None and expected_seq != count:
                raise ConcurrencyError(expected_seq, count)
            if not events:
                return count
            head = GENESIS if last is None else self._last_hash(count, last[3])
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
            check_batch(events, known.__contains__, previous)
            rows, supersessions = self._rows(events, count, head, known, new_types)
            try:
                self._insert(rows)
            except sqlite3.IntegrityError:
                # Rows of this batch may be in already: ids up to count only.
                found = self._seqs_of({event.id for event in events}).items()
                present = {name for name, seq in found if seq <= count}
                check_batch(events, present.__contains__, previous)  # names it
                raise
            self._db.executemany(
                "INSERT INTO supersessions VALUES (?, ?)", supersessions
            )
        self._kinds.update(new_types)
        self._notify()
        # Checkpoints spoiled by this append are dropped by the next query's
        # _sync(), as for any other writer's: not here (0.3 µs an event).
        return count + len(events)

    def _rows(
        self,
        events: Sequence[Event],
        count: int,
        head: bytes,
        known: dict[str, int],
        new_types: dict[type[Event], tuple[int, bytes]],
    ) -> tuple[list[Any], list[tuple[int, int]]]:
        """The events' rows, one after another in a flat list (as the
        INSERT of many rows takes them), and their supersessions."""
        flat: list[Any] = []
        supersessions: list[tuple[int, int]] = []
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
            flat += row(event, seq, body, head, more, new_types)
            ids[event.id] = seq
            if event.supersedes:
                for target in event.supersedes:
                    supersessions.append((ids.get(target) or known[target], seq))
        return flat, supersessions

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
        new_types: dict[type[Event], tuple[int, bytes]] = {}
        with self._write_transaction():
            if self._max_seq():
                raise IntegrityError(f"{self.path}: convert needs an empty target log")
            rows: list[Any] = []
            seq_of: dict[str, int] = {}
            supersessions: list[tuple[int, int]] = []
            more = False
            for body, digest in records:
                record = decode_record(json.loads(body), "record")
                event, seq, more = record.event, record.seq, record.more
                seq_of[event.id] = seq
                supersessions.extend((seq_of[t], seq) for t in event.supersedes)
                row = self._row(event, seq, body, digest, more, new_types)
                if _has_codes(body):  # pragma: no cover - not in a JSON text
                    row = (*row[:2], None, *row[3:8], body, row[9])
                rows += row
                if len(rows) >= 10_000 * _COLUMNS:
                    self._insert(rows)
                    rows = []
            if more:
                raise IntegrityError(
                    f"{self.path}: the records to copy end inside a batch"
                )
            self._insert(rows)
            self._db.executemany(
                "INSERT INTO supersessions VALUES (?, ?)", supersessions
            )
        self._kinds.update(new_types)
        self._notify()
        self._sync()

    def _insert(self, flat: list[Any]) -> None:
        start = 0
        for size in _INSERT_SIZES:
            width = size * _COLUMNS
            end = start + (len(flat) - start) // width * width
            if end > start:
                self._db.executemany(
                    _INSERTS[size],
                    [flat[i : i + width] for i in range(start, end, width)],
                )
            start = end

    # -- the chain ------------------------------------------------------

    def _chain(
        self, extra: str = "", where: str = "1", params: Sequence[Any] = ()
    ) -> Iterator[tuple[tuple[Any, ...], bytes, bytes]]:
        """(row, canonical body, chained hash) of every record in seq order,
        checked: sequence numbers without gaps, each stored hash (whole, or
        its first bytes inside a batch) equal to the chained hash, and the
        last one whole.  ``row`` is (seq, id, type, body, hash, *extra)."""
        head = GENESIS
        expected = 0
        digest: object = None
        sha256 = hashlib.sha256
        rows = self._db.execute(
            f"SELECT seq, id, type, body, hash{extra} FROM events WHERE {where} "
            "ORDER BY seq",
            params,
        )
        while True:
            try:
                row = next(rows, None)
            except sqlite3.DatabaseError as error:  # text that is not UTF-8
                raise IntegrityError(
                    f"{self.path}: seq {expected + 1}: cannot read the row: {error}"
                ) from None
            if row is None:
                break
            seq, event_id, code, stored, digest = row[:5]
            expected += 1
            if seq != expected:
                raise IntegrityError(
                    f"{self.path}: expected sequence number {expected}, found {seq}"
                )
            if type(stored) is not bytes:
                raise IntegrityError(f"{self.path}: seq {seq}: the body must be a BLOB")
            end = self._ending(seq, digest)
            body = self._body(seq, event_id, code, stored, end)
            head = sha256(head + body).digest()
            assert isinstance(digest, bytes)
            if head[: len(digest)] != digest:
                raise IntegrityError(
                    f"{self.path}: seq {seq}: hash mismatch: this record was "
                    "edited, or a record was inserted, deleted or reordered "
                    "before it"
                )
            yield row, body, head
        if expected:
            self._last_hash(expected, digest)

    def hash_at(self, seq: int) -> bytes | None:
        """The chained hash of record ``seq``, or None if there is none."""
        row = self._db.execute("SELECT hash FROM events WHERE seq = ?", (seq,))
        found = row.fetchone()
        if found is None:
            return None
        if self._ending(seq, found[0]) is _END:
            return bytes(found[0])
        # Inside a batch: chain from the whole hash before it (a batch's end).
        start = self._db.execute(
            "SELECT seq, hash FROM events WHERE seq < ? AND length(hash) = ? "
            "ORDER BY seq DESC LIMIT 1",
            (seq, _HASH),
        ).fetchone()
        head, first = (GENESIS, 1) if start is None else (start[1], start[0] + 1)
        for row in self._db.execute(
            "SELECT seq, id, type, body, hash FROM events "
            "WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (first, seq),
        ):
            end = self._ending(row[0], row[4])
            body = self._body(row[0], row[1], row[2], row[3], end)
            head = hashlib.sha256(head + body).digest()
            if head[: len(row[4])] != row[4]:
                raise IntegrityError(f"{self.path}: seq {row[0]}: hash mismatch")
        return head

    def raw_records(self) -> Iterator[tuple[bytes, bytes]]:
        """(body, hash) of every record in sequence order, the chain checked."""
        for _, body, head in self._chain():
            yield body, head

    def verify(self, *, decode: bool = True) -> tuple[int, str]:
        """Check the whole chain; returns the head (seq, hash hex).

        With ``decode``, also read every event, check the log's rules, and
        check the derived columns and the supersessions table against the
        records (the queries rely on them).
        """
        head = GENESIS
        last = 0
        rules = Rules() if decode else None
        supersessions: list[tuple[int, int]] = []
        seq_of: dict[str, int] = {}
        if "types" not in self._tables():
            raise IntegrityError(f"{self.path}: no table types")
        for row, body, head in self._chain(", hi, lo, wc, rday, rsec"):  # noqa: B007
            seq = last = row[0]
            where = f"{self.path}: seq {seq}"
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
            columns = (row[1], *row[5:])
            derived = _derived(event)
            if columns != derived:
                raise IntegrityError(
                    f"{where}: the indexed columns (id, hi, lo, wc, rday, rsec) = "
                    f"{columns} do not match the record {derived}"
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
        return last, head.hex()

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
