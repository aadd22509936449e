"""The SQLite log: the same records and hash chain as the JSON Lines file,
in an indexed table, queried without loading the log into memory.

Each row keeps its record *compactly* (container schema 2, docs/format.md):
the parts of the canonical body that other columns already hold (the
sequence number, the id, the event type and version) are left out, the
envelope's usual members are written as one-byte codes, and the chained
hash is kept whole only at the end of each append (its first 4 bytes
elsewhere, enough to name an edited record).  Reading a row rebuilds the
canonical body byte for byte, so a log converts between the two formats and
still verifies.  The tables, queries, chain, checkpoints and appends are those of every
relational log (:mod:`.relational`); this module is SQLite's dialect: the
connection, its transactions, the compact rows, and SQLite's errors as
:class:`timeline.StorageError` naming the cause.

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

import contextlib
import datetime
import errno
import os
import re
import resource
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, ClassVar, Final

from timeline._dates import Fuzz, UncertainDate
from timeline._events import Event, recorded_key
from timeline._storage.codec import FORMAT_VERSION, decode_usual
from timeline._storage.relational import (
    _END,
    _HASH,
    _MORE,
    PERSIST_EVERY,
    RelationalLog,
    date_columns,
    envelope_columns,
)
from timeline._subscribe import Feed
from timeline.exceptions import IntegrityError, StorageError

__all__ = ["SQLiteLog"]

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
SIDE_FILES: Final = ("-wal", "-shm", "-journal")  # SQLite's files beside a database

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
# How a correction's compact row goes on after its recorded time (source,
# summary and tags empty), and what ends its supersedes list.
_CORRECTION: Final = b'","source":null\x0e\x0f'
_CORRECTION_END: Final = b"]\x12]\x10"
_UNPACK: Final = tuple(zip(_CODE_BYTES, _CODES, strict=True))
# A record with the usual envelope (no source, summary, supersedes or tags)
# needs only the first three codes: unpacking it takes 3 replaces and a
# search instead of 16 (about 1 µs saved an event).
_COMMON: Final = 3
_DEFAULTS: Final = _CODES[1]
_ANY_CODE: Final = re.compile(b"[%b]" % b"".join(_CODE_BYTES))
_RARE_CODE: Final = re.compile(b"[%b]" % b"".join(_CODE_BYTES[_COMMON:]))


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


# What each sqlite3 error means for the user, by the start of its message;
# every other one is reported with SQLite's own words.
_CAUSES: Final = (
    (
        "database is locked",
        "another process holds the database locked (it "
        "stayed locked for the whole busy timeout)",
    ),
    ("database or disk is full", "the disk is full"),
    (
        "attempt to write a readonly database",
        "the database is read-only (its file or its folder cannot be written)",
    ),
    (
        "unable to open database file",
        "the database cannot be opened (a "
        "missing folder, or no permission to read it or to create its side files)",
    ),
    (
        "disk i/o error",
        "a disk I/O error (a full disk, a file-size limit, or a failing device)",
    ),
    ("cannot operate on a closed database", "the log was closed"),
    (
        "file is not a database",
        "not a timeline SQLite log: the file is not a SQLite database",
    ),
    ("database disk image is malformed", "the database file is damaged"),
)


def storage_error(
    path: object, error: BaseException, doing: str = ""
) -> StorageError | IntegrityError:
    """A sqlite3 error as a StorageError naming the log and the cause (an
    IntegrityError for a stored value that cannot be read)."""
    text = str(error)
    if text.startswith("Could not decode"):  # text that is not UTF-8
        return IntegrityError(f"{path}: a row cannot be read: {text}")
    refused = _os_cause(path, error)
    if refused is not None:
        what = f" ({doing})" if doing else ""
        return StorageError.of(
            refused, path, f"write the database's files{what}", f"SQLite said: {text}"
        )
    cause = next(
        (meaning for start, meaning in _CAUSES if text.lower().startswith(start)),
        text,
    )
    if cause != text:
        cause = f"{cause} (SQLite: {text})"
    what = f" while {doing}" if doing else ""
    return StorageError(f"{path}: {cause}{what}")


#: How much a write of SQLite's may add to a file: a page (at most 64 KiB)
#: with its WAL frame header, or a 32 KiB region of the shared-memory file.
_LARGEST_WRITE: Final = 65536 + 32768


def _os_cause(path: object, error: BaseException) -> OSError | None:
    """The operating system's refusal behind SQLite's I/O error or full
    disk (SQLite keeps the errno to itself): a file-size limit
    (``ulimit -f``) that the database's files reach, or a file system
    without free space; None if neither is so (a failing device, say)."""
    name = getattr(error, "sqlite_errorname", "")
    if not (name.startswith("SQLITE_IOERR") or name == "SQLITE_FULL"):
        return None
    target = Path(str(path))
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit != resource.RLIM_INFINITY:
        for file in (target, *(target.with_name(target.name + s) for s in SIDE_FILES)):
            with contextlib.suppress(OSError):
                if file.stat().st_size + _LARGEST_WRITE > limit:
                    return OSError(
                        errno.EFBIG,
                        f"{os.strerror(errno.EFBIG)}: this process may write "
                        f"files of at most {limit} bytes (ulimit -f)",
                    )
    with contextlib.suppress(OSError):
        space = os.statvfs(target.parent)
        if space.f_bavail * space.f_frsize < _LARGEST_WRITE:
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return None


class SQLiteLog(RelationalLog):
    """A log kept in SQLite (WAL mode), with the interface of :class:`timeline.Log`.

    Each commit waits for the disk (``synchronous=FULL``), so appends
    survive a power loss; ``fsync=False`` (``synchronous=NORMAL``) is faster
    and survives the process being killed, not a power loss (see the
    module's docstring).  ``checkpoints=False`` neither reads nor saves
    persisted checkpoints (see :mod:`.relational`).  A log that cannot be
    written (a read-only file or folder) is still read and verified.
    ``any_thread=True`` lets the handle be used from any thread, one at a
    time (a subscription's reader is).  ``fuzz`` is the Fuzz policy of
    queries that give none, as for :class:`timeline.Log`.
    """

    compact: ClassVar[bool] = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        checkpoint_every: int = 64,
        fsync: bool = True,
        checkpoints: bool = True,
        persist_every: int = PERSIST_EVERY,
        fuzz: Fuzz | None = None,
        any_thread: bool = False,
    ) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._depth = 0  # nested transactions
        if not create and not self.path.exists():
            raise FileNotFoundError(f"no log file at {str(self.path)!r}")
        if self.path.is_dir():
            raise IsADirectoryError(f"{str(self.path)!r} is a directory, not a log")
        self._readonly = self.path.exists() and not _writable(self.path)
        try:
            if self._readonly:
                # A read-only log (or folder): SQLite cannot make its side
                # files, so read it immutable; nothing can write it anyway.
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                if not os.access(self.path.parent, os.W_OK):
                    uri += "&immutable=1"
                self._db = sqlite3.connect(
                    uri,
                    uri=True,
                    isolation_level=None,
                    check_same_thread=not any_thread,
                )
            else:
                self._db = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=not any_thread
                )
        except sqlite3.Error as error:
            raise storage_error(self.path, error, "opening it") from None
        self._types: dict[int, tuple[str, int, bytes]] = {}
        self._kinds: dict[Any, tuple[int, bytes]] = {}
        self._dates: dict[int, tuple[UncertainDate, int, int, int | None]] = {}
        try:
            self._open(create=create, fsync=fsync)
            self._setup(checkpoint_every, checkpoints, persist_every, fuzz)
        except sqlite3.Error as error:
            self._db.close()
            text = str(error)
            if (
                isinstance(error, sqlite3.OperationalError)
                or "not a database" not in text
            ):
                raise storage_error(self.path, error, "opening it") from None
            raise IntegrityError(
                f"{self.path}: not a timeline SQLite log: {error}"
            ) from None
        except BaseException:
            self._db.close()
            raise

    def _open(self, *, create: bool, fsync: bool) -> None:
        self._db.execute("PRAGMA busy_timeout=30000")
        # Refuse a database that is not a timeline log before writing
        # anything to it (not even the journal mode).
        self._check_tables(self._tables(), create=create)
        if self._readonly:
            return
        mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
        if create and self._check_tables(self._tables(), create=True):
            # A new log: one process makes the tables (the others find them).
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

    # -- the dialect ----------------------------------------------------

    def _sql(self, text: str) -> str:
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = text.format(
                log="TRUE",
                elog="TRUE",
                slog="TRUE",
                row="e.seq, e.id, e.type, e.body, e.hash",
            )
        return compiled

    def _run(self, text: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            return self._db.execute(self._sql(text), params or {})
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from None

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self._db.execute(begin)
        except sqlite3.Error as error:
            raise storage_error(self.path, error, "starting a transaction") from None
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise storage_error(self.path, error, "committing") from None

    def _read_transaction(self) -> contextlib.AbstractContextManager[None]:
        # In WAL mode the first read of a deferred transaction takes a
        # snapshot that the transaction's later reads all see.
        return self._transaction("BEGIN")

    def _write_transaction(self) -> contextlib.AbstractContextManager[None]:
        if self._readonly:
            raise StorageError(
                f"{self.path}: the log is read-only (its file or folder cannot be "
                "written): it can be read and verified, not appended to"
            )
        return self._transaction("BEGIN IMMEDIATE")

    def _insert_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        flat = [value for row in rows for value in row]
        start = 0
        try:
            for size in _INSERT_SIZES:
                width = size * _COLUMNS
                end = start + (len(flat) - start) // width * width
                if end > start:
                    self._db.executemany(
                        _INSERTS[size],
                        [flat[i : i + width] for i in range(start, end, width)],
                    )
                start = end
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            raise storage_error(self.path, error, "appending") from None

    def _insert_supersessions(self, pairs: list[tuple[int, int]]) -> None:
        try:
            self._db.executemany("INSERT INTO supersessions VALUES (?, ?)", pairs)
        except sqlite3.Error as error:
            raise storage_error(self.path, error, "appending") from None

    def _conflict(self, error: BaseException) -> str | None:
        if isinstance(error, sqlite3.IntegrityError):
            text = str(error)
            if "events.id" in text:
                return "id"
            if "events.seq" in text:
                return "seq"
        return None

    def _storage_error(self, error: BaseException) -> BaseException:
        if isinstance(error, sqlite3.OperationalError | sqlite3.ProgrammingError):
            return storage_error(self.path, error)
        return error

    def _save_checkpoints(self, rows: list[tuple[Any, ...]]) -> bool:
        """Insert persisted checkpoints, unless the database is busy (a
        query never waits for a writer to save them); False if it cannot
        be written at all."""
        if self._readonly:
            return False
        try:
            self._db.execute("PRAGMA busy_timeout=50")
            with self._transaction("BEGIN IMMEDIATE"):
                self._db.execute(_CHECKPOINTS)
                self._db.executemany(
                    "INSERT OR IGNORE INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except StorageError as error:
            return "read-only" not in str(error)
        except sqlite3.Error:
            return True
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA busy_timeout=30000")
        return True

    # -- plumbing -----------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    def _check_tables(self, tables: set[str], *, create: bool) -> bool:
        """True if the database is empty and may become a new log; raise
        IntegrityError if it is anything but a timeline log of this schema."""
        if not tables:
            if create and not self._readonly:
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

    def _check_more_tables(self) -> None:
        if "types" not in self._tables():
            raise IntegrityError(f"{self.path}: no table types")

    def close(self) -> None:
        self._db.close()
        self._end_subscriptions()

    def _feed(self, after: int) -> Feed:
        from timeline._storage.subscribe import RelationalFeed

        reader = SQLiteLog(self.path, create=False, checkpoints=False, any_thread=True)
        return RelationalFeed(reader, after)

    def __enter__(self) -> SQLiteLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def _canonical(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> bytes:
        """The canonical body of a row (how it ends is told by its hash)."""
        end = self._ending(seq, digest)
        if type(stored) is not bytes:
            raise IntegrityError(f"{self.path}: seq {seq}: the body must be a BLOB")
        if code is None:
            # Stored whole: its "more" member must agree with its hash, whole
            # at a batch's end and short inside one, or a log cut inside a
            # batch would pass as complete.
            if stored.endswith(_MORE) != (end is _MORE):
                raise IntegrityError(
                    f"{self.path}: seq {seq}: the record "
                    + ("is inside a batch" if end is _END else "ends its batch")
                    + " but its stored hash says otherwise: rows were removed "
                    "or edited"
                )
            return stored
        if type(event_id) is not str:
            raise IntegrityError(f"{self.path}: seq {seq}: id and body have bad types")
        return b'{"seq":%d,"id":%b%b%b%b' % (
            seq,
            encode_basestring(event_id).encode("utf-8"),
            self._type(code, seq)[2],
            _unpack(stored),
            end,
        )

    def _decode_row(
        self, seq: int, event_id: Any, code: Any, stored: Any, digest: Any
    ) -> Event:
        return self._decode_page([(None, None, seq, event_id, code, stored, digest)])[0]

    def _decode_page(self, rows: Sequence[tuple[Any, ...]]) -> list[Event]:
        # The usual compact row, OCCURRED \x03 RECORDED \x02 PAYLOAD (\x01:
        # an empty payload), read from its parts (codec.decode_usual): no
        # body rebuilt and parsed whole.  Anything else, and whatever that
        # does not take, as before (which names what is wrong).
        plans, kinds = self._plans, self._types
        events: list[Event] = []
        for _, _, seq, event_id, code, stored, digest in rows:
            event = None
            if (
                code is not None
                and type(stored) is bytes
                and type(digest) is bytes
                and (len(digest) == _HASH or len(digest) == _SHORT_HASH)
                and type(event_id) is str
                and event_id.isascii()
            ):
                mark = stored.find(b"\x03")
                cut = stored.find(b"\x02", mark)
                targets = b""
                if cut < 0 and stored.endswith(b"\x01"):
                    cut, payload = len(stored) - 1, b"{}"
                elif cut < 0:
                    # A correction: RECORDED","source":null,"summary":null,
                    # "supersedes":[IDS],"tags":[],"payload":PAYLOAD.
                    cut = stored.find(_CORRECTION, mark)
                    end = stored.find(_CORRECTION_END, cut)
                    targets = stored[cut + len(_CORRECTION) : end]
                    payload = stored[end + len(_CORRECTION_END) :]
                    if end < 0 or not targets:
                        cut = -1
                else:
                    payload = stored[cut + 1 :]
                if 0 < mark < cut:
                    name, version, _ = kinds.get(code) or self._type(code, seq)
                    event = decode_usual(
                        plans,
                        name,
                        version,
                        event_id,
                        stored[:mark],
                        stored[mark + 1 : cut],
                        payload,
                        targets,
                    )
            if event is None:
                event = super()._decode_row(seq, event_id, code, stored, digest)
            events.append(event)
        return events

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

    def _ends_batch(self, seq: int, stored: Any, digest: Any) -> bool:
        return self._ending(seq, digest) is _END

    def _whole_hash(self, seq: int, stored: Any, digest: Any) -> bytes | None:
        return digest if self._ending(seq, digest) is _END else None

    def _kind(
        self, kind: type[Event] | tuple[str, int], new: dict[Any, Any]
    ) -> tuple[int, bytes]:
        """(code, body fragment) of an event type (a class, or the name and
        version of a record's), adding it to the types table if need be
        (inside the append's transaction: ``new`` is kept once it commits,
        never before, so a rolled-back code is forgotten)."""
        entry: tuple[int, bytes] | None = self._kinds.get(kind) or new.get(kind)
        if entry is None:
            key = (
                kind
                if isinstance(kind, tuple)
                else (kind.type_name, kind.schema_version)
            )
            row = self._db.execute(
                "SELECT code FROM types WHERE name = ? AND v = ?", key
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    "INSERT INTO types (name, v) VALUES (?, ?) RETURNING code", key
                ).fetchone()
            entry = new[kind] = (int(row[0]), _type_fragment(*key))
        return entry

    def _types_added(self, new: dict[Any, Any]) -> None:
        self._kinds.update(new)

    def _row(
        self,
        event: Event,
        seq: int,
        body: bytes,
        digest: bytes,
        more: bool,
        new: dict[Any, Any],
    ) -> tuple[Any, ...]:
        """The row of a record: compact if its body has the expected shape,
        else whole (with no type code)."""
        code, fragment = self._kind(type(event), new)
        hi, lo, wc = self._columns(event.occurred)
        recorded = event.recorded
        if type(recorded) is datetime.date:
            rday, rsec = recorded.toordinal(), 0.0
        else:
            rday, rsec = recorded_key(recorded)
        columns = (hi, lo, wc, rday, rsec)
        return self._compact(seq, event.id, code, fragment, columns, body, digest, more)

    def _raw_row(
        self,
        obj: dict[str, Any],
        seq: int,
        body: bytes,
        digest: bytes,
        more: bool,
        new: dict[Any, Any],
    ) -> tuple[Any, ...]:
        code, fragment = self._kind((obj["type"], obj["v"]), new)
        columns = envelope_columns(obj)
        row = self._compact(seq, obj["id"], code, fragment, columns, body, digest, more)
        if _has_codes(body):  # pragma: no cover - not in a JSON text
            row = (*row[:2], None, *row[3:8], body, row[9])
        return row

    def _compact(
        self,
        seq: int,
        event_id: str,
        code: int | None,
        fragment: bytes,
        columns: tuple[Any, ...],
        body: bytes,
        digest: bytes,
        more: bool,
    ) -> tuple[Any, ...]:
        """The row of a record of the type ``code`` (whose body continues
        with ``fragment`` after the id) with the derived ``columns``."""
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
        if more:
            digest = digest[:_SHORT_HASH]
        return (seq, event_id, code, *columns, stored, digest)

    def _columns(self, date: UncertainDate) -> tuple[int, int, int | None]:
        # Logs share date objects: a lookup by identity (the entry keeps the
        # date alive, so its id is not reused) instead of the bounds and
        # width, or of hashing the date: about 0.3 µs an event.
        entry = self._dates.get(id(date))
        if entry is None or entry[0] is not date:
            if len(self._dates) > 1 << 16:
                self._dates.clear()
            entry = self._dates[id(date)] = (date, *date_columns(date))
        return entry[1], entry[2], entry[3]

    # -- verify and convert ---------------------------------------------

    def check(
        self,
        *,
        decode: bool = True,
        mark: int | None = None,
        unknown: dict[str, int] | None = None,
    ) -> tuple[int, str, bytes | None]:
        try:
            return super().check(decode=decode, mark=mark, unknown=unknown)
        except sqlite3.Error as error:
            raise storage_error(self.path, error, "verifying") from None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


_CHECKPOINTS: Final = """
CREATE TABLE IF NOT EXISTS checkpoints (
    projection TEXT NOT NULL,
    version TEXT NOT NULL,
    hi INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    n INTEGER NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (projection, version, hi, lo, seq, n)
) WITHOUT ROWID
"""
