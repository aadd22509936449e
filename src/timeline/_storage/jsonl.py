"""The JSON Lines log: a hash-chained text file (format: docs/format.md).

Durability: an append is encoded completely, written with one ``write``,
flushed and fsync'd before it returns.  An exclusive ``flock`` on the file
keeps writers from interleaving; under it the writer first reads whatever
other processes appended, so ``expected_seq`` is checked against the file,
not a stale copy in memory.  A batch is all or nothing on disk too: every
record of a batch but the last carries ``"more":true``, and a tail that ends
inside a batch, or inside a line, is *torn* (a crash mid-write): reported,
ignored by readers, and cut off only by an explicit :func:`repair`.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import gc
import hashlib
import os
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from timeline._events import Event, is_declared, recorded_key
from timeline._log import Log, check_batch
from timeline._storage.codec import (
    _HASH_SUFFIX_LEN,
    GENESIS,
    HEADER,
    CodecError,
    Record,
    _reject_constant,
    canonical_json,
    check_envelope,
    decode_fast,
    encode_batch,
    is_canonical,
    read_parsed,
    seal,
    unseal,
)
from timeline._subscribe import Feed
from timeline.exceptions import (
    IntegrityError,
    LogTooLargeError,
    StorageError,
    TimelineError,
)

__all__ = [
    "FileLog",
    "Rules",
    "Scan",
    "a_directory",
    "missing",
    "parse_body",
    "read_locked",
    "reject_constant",
    "repair_file",
    "scan_bytes",
]

_HEADER_LINE: Final = HEADER + b"\n"


@attrs.frozen
class Scan:
    """What reading (part of) a log file found."""

    events: tuple[Event, ...]  # of the good records, if decoded
    raw: tuple[tuple[bytes, bytes], ...]  # (body, hash) per record, if asked for
    head: bytes  # hash of the last good record (of the header if none)
    good_length: int  # bytes up to the end of the last complete batch
    torn_bytes: int  # bytes after that: an unfinished line or batch
    torn_reason: str | None
    next_line: int  # line number after the last good record
    marked: bytes | None = None  # hash of the record with seq == mark
    last_seq: int = 0  # sequence number of the last good record
    more: bytes = b""  # the batch flag of each decoded event, 1 or 0

    @property
    def records(self) -> tuple[Record, ...]:
        """The decoded records (built on demand: a load needs the events
        alone, and a million Record objects cost about 0.3 s)."""
        first = self.last_seq - len(self.events) + 1
        return tuple(
            Record(first + index, event, bool(self.more[index]))
            for index, event in enumerate(self.events)
        )


def _problem(path: object, line: int, message: str) -> IntegrityError:
    return IntegrityError(f"{path}: line {line}: {message}")


reject_constant = _reject_constant  # (the name this module gave it first)
_loads: Final = orjson.loads


def parse_body(body: bytes, path: object, line: int, *, label: str = "line") -> Any:
    """The JSON value of a record body, which must be the canonical JSON the
    writer writes (:func:`~timeline._storage.codec.canonical_json`), or an
    IntegrityError naming the line (or, with ``label="seq"``, the sequence
    number)."""
    try:
        return canonical_json(body)
    except CodecError as error:
        raise IntegrityError(f"{path}: {label} {line}: {error}") from None


class Rules:
    """The log's rules, checked record by record while reading a whole log:
    unique ids, supersedes naming earlier events, recorded non-decreasing."""

    def __init__(
        self,
        in_log: Callable[[str], bool] | None = None,
        last_recorded: tuple[int, float] | None = None,
    ) -> None:
        self._ids: set[str] = set()
        self._in_log = in_log
        self._last = last_recorded
        self._declared: dict[type, bool] = {}  # is_declared, asked once a class
        # recorded_key of the recorded times seen (shared by the events of a
        # day: about 0.2 us an event less than calling it)
        self._keys: dict[datetime.date, tuple[int, float]] = {}

    def _known(self, event_id: str) -> bool:
        return event_id in self._ids or (
            self._in_log is not None and self._in_log(event_id)
        )

    def _recorded_key(self, recorded: datetime.date) -> tuple[int, float]:
        if len(self._keys) >= 1 << 12:
            self._keys.clear()
        key = self._keys[recorded] = recorded_key(recorded)
        return key

    def check(self, event: Event) -> None:
        # The common case first, without check_batch's messages built for
        # every event (about 0.5 us an event of a load); check_batch then
        # names what is wrong.
        event_id = event.id
        key = self._keys.get(event.recorded)
        if key is None:
            key = self._recorded_key(event.recorded)
        ids, in_log, last = self._ids, self._in_log, self._last
        declared = self._declared.get(type(event))
        if declared is None:
            declared = self._declared[type(event)] = is_declared(type(event))
        if (
            declared
            and (last is None or key >= last)
            and event_id not in ids
            and (in_log is None or not in_log(event_id))
        ):
            for target in event.supersedes:
                if target not in ids and (in_log is None or not in_log(target)):
                    break
            else:
                ids.add(event_id)
                self._last = key
                return
        try:
            check_batch([event], self._known, self._last)
        except TimelineError as error:
            reason = str(error).removeprefix(f"event 1 of the batch ({event.id!r}): ")
            raise IntegrityError(f"event {event.id!r}: {reason}") from None
        self._ids.add(event.id)
        self._last = recorded_key(event.recorded)


# A read of this many bytes (a few thousand records) or more is a bulk load.
_BULK_READ: Final = 1 << 20


@contextlib.contextmanager
def _collector_paused(*, freeze: bool) -> Iterator[None]:
    """Pause the garbage collector while reading records, and after a bulk
    load move everything to the permanent generation (``gc.freeze()``).

    A load allocates millions of objects and frees none: with the collector
    as is, each full collection traverses all the events read so far.  For
    the benchmark's million-event log: 12.4 s CPU as is, 11.6 s paused, and
    10.5 s paused then frozen; a full collection after the load then takes
    0 ms instead of 350 ms.  Frozen, the events are still freed when the
    log is dropped (they hold no reference cycles).  The price: an object
    alive at that moment, the caller's too, that is later left in a garbage
    cycle is not collected until ``gc.unfreeze()``.
    """
    if not gc.isenabled():  # the caller's choice: leave it
        yield
        return
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        gc.enable()


@_collector_paused(freeze=False)
def scan_bytes(
    data: bytes,
    path: object = "<log>",
    *,
    header: bool = True,
    head: bytes = GENESIS,
    seq: int = 0,
    line_no: int = 1,
    decode: bool = True,
    keep_raw: bool = False,
    mark: int | None = None,
    rules: Rules | None = None,
) -> Scan:
    """Verify and decode ``data``: a whole file (``header=True``) or the part
    of one after the record with hash ``head`` and sequence number ``seq``.

    Raises :class:`IntegrityError` naming the first bad line.  A final
    unfinished line or batch is not an error: it is reported as torn.
    With ``rules``, decoded events are also checked against the log's rules
    (unique ids, supersedes naming earlier events, recorded non-decreasing).
    The garbage collector is paused meanwhile (see _collector_paused).
    """
    position = 0
    if header:
        if not data:
            raise _problem(
                path,
                1,
                f"the file is empty: a log starts with the header {HEADER.decode()} "
                "(open_log creates a new log with it)",
            )
        if not data.startswith(_HEADER_LINE):
            if HEADER.startswith(data.rstrip(b"\n")) and b"\n" not in data:
                reason = "an unfinished header" if data else None
                return Scan((), (), GENESIS, 0, len(data), reason, 1, None, 0, b"")
            first = data.split(b"\n", 1)[0][:80]
            raise _problem(
                path, 1, f"expected the header {HEADER.decode()}, found {first!r}"
            )
        position = len(_HEADER_LINE)
        line_no = 2
    events: list[Event] = []
    more_flags = bytearray()
    raw: list[tuple[bytes, bytes]] = []
    marked = None
    # (length, head, next line, events, raw, seq) after the last whole batch
    good = (position, head, line_no, 0, 0, seq)
    size = len(data)
    sha256 = hashlib.sha256
    plans: dict[str, Any] = {}  # decode_fast's, for this read
    while position < size:
        end = data.find(b"\n", position)
        if end < 0:
            break
        line = data[position:end]
        # unseal() and the hash check inline (about 0.3 us a record less);
        # anything odd goes through them to be named.
        body = line[:-_HASH_SUFFIX_LEN] + b"}"
        digest = sha256(head + body).digest()  # chain_hash(head, body)
        if line[-_HASH_SUFFIX_LEN:] != b',"hash":"' + digest.hex().encode() + b'"}':
            _check_seal(line, digest, path, line_no)
        seq += 1
        # orjson first (about 3x faster than the stdlib parser); anything it
        # does not read as the stdlib does, the reference path reads.
        try:
            obj = _loads(body)
        except orjson.JSONDecodeError:
            obj = None
        found: tuple[Event | None, Any] | None = None
        if type(obj) is dict and obj.get("seq") == seq and type(obj["seq"]) is int:
            if decode:
                found = decode_fast(obj, body, plans)
            elif is_canonical(obj, body):
                with contextlib.suppress(CodecError):  # else the reference names it
                    found = None, check_envelope(obj, "")
        if found is None:
            found = _read_reference(body, path, line_no, seq, decode)
        event, more = found
        if event is not None:
            if rules is not None:
                try:
                    rules.check(event)
                except TimelineError as error:
                    raise _problem(path, line_no, str(error)) from None
            events.append(event)
            more_flags.append(more is True)
        if keep_raw:
            raw.append((body, digest))
        if seq == mark:
            marked = digest
        head = digest
        position = end + 1
        line_no += 1
        if more is not True:
            good = (position, head, line_no, len(events), len(raw), seq)
    length, good_head, next_line, kept_events, kept_raw, good_seq = good
    torn = size - length
    if not torn:
        reason = None
    elif data.endswith(b"\n"):
        reason = "an unfinished batch at the end"
    else:
        reason = "an unfinished line at the end"
    del events[kept_events:]
    del more_flags[kept_events:]
    del raw[kept_raw:]
    if mark is not None and mark > good_seq:
        marked = None
    return Scan(
        tuple(events),
        tuple(raw),
        good_head,
        length,
        torn,
        reason,
        next_line,
        marked,
        good_seq,
        bytes(more_flags),
    )


def _check_seal(line: bytes, digest: bytes, path: object, line_no: int) -> None:
    """Raise the IntegrityError for a line whose hash member is not the
    chained hash ``digest`` of its body."""
    try:
        _, stated = unseal(line)
    except ValueError as error:
        raise _problem(path, line_no, str(error)) from None
    if digest.hex() != stated:
        raise _problem(
            path,
            line_no,
            "hash mismatch: this record was edited, or a record was "
            "inserted, deleted or reordered before it",
        )


def _read_reference(
    body: bytes, path: object, line_no: int, seq: int, decode: bool
) -> tuple[Event | None, Any]:
    """The event (if ``decode``) and batch flag of record ``seq``, read by
    the stdlib parser and decode_record; raises IntegrityError naming what
    is wrong."""
    obj = parse_body(body, path, line_no)
    stored_seq = obj.get("seq") if isinstance(obj, dict) else None
    if type(stored_seq) is not int or stored_seq != seq:
        raise _problem(
            path, line_no, f"expected sequence number {seq}, found {stored_seq!r}"
        )
    where = f"seq {seq}"
    try:
        if not decode:
            return None, check_envelope(obj, where)
        record = read_parsed(obj, body, where)
    except TimelineError as error:
        raise _problem(path, line_no, str(error)) from None
    return record.event, record.more


def read_locked(path: Path) -> bytes:
    """The whole file, read under a shared lock (so not in mid-append)."""
    try:
        with open(path, "rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return handle.read()
    except FileNotFoundError:
        raise missing(path) from None
    except IsADirectoryError:
        raise a_directory(path) from None
    except OSError as error:
        raise StorageError.of(error, path, "read the log") from None


def missing(path: object) -> StorageError:
    return StorageError.of(FileNotFoundError(f"no log file at {str(path)!r}"), path, "")


def a_directory(path: object) -> StorageError:
    return StorageError.of(
        IsADirectoryError(f"{str(path)!r} is a directory, not a log"), path, ""
    )


def repair_file(path: str | os.PathLike[str]) -> int:
    """Cut a torn tail off a log file; returns how many bytes were removed.

    Only the bytes of an unfinished final line or batch are removed; any
    other damage raises :class:`IntegrityError` and nothing is changed.
    """
    try:
        with open(path, "r+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            scan = scan_bytes(handle.read(), path, decode=False)
            if scan.torn_bytes:
                handle.truncate(scan.good_length)
                handle.flush()
                os.fsync(handle.fileno())
            return scan.torn_bytes
    except FileNotFoundError:
        raise missing(path) from None
    except IsADirectoryError:
        raise a_directory(path) from None
    except OSError as error:
        raise StorageError.of(error, path, "repair the log") from None


class FileLog(Log):
    """A :class:`~timeline.Log` kept in a JSON Lines file (see :func:`open_log`)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        checkpoint_every: int = 16,
    ) -> None:
        super().__init__(checkpoint_every=checkpoint_every)
        self.path = Path(path)
        self._fd = -1
        # Closes the descriptor when the log is collected, or at the
        # interpreter's exit, before modules are torn down: a __del__ then
        # found its module's globals gone (issue 16 item 5).
        self._closer: weakref.finalize[Any, FileLog] | None = None
        self._offset = 0
        self._head = GENESIS
        self._line = 1
        self._torn: str | None = None
        self._torn_bytes = 0
        out_of_memory = False
        try:
            self._open(create)
        except OSError as error:
            self.close()
            raise StorageError.of(error, self.path, "open the log") from None
        except MemoryError:
            out_of_memory = True  # (raised below, the traceback's frames gone)
        except BaseException:
            self.close()
            raise
        if out_of_memory:
            read = len(self._events)
            self.close()
            Log.__init__(self, checkpoint_every=checkpoint_every)  # frees them
            raise LogTooLargeError(
                f"{self.path}: not enough memory to load the log ({read:,} events "
                "read; an open log keeps every event in memory): allow the "
                "process more memory, or use the log as SQLite (`timeline "
                "convert`), which reads events as it needs them"
            )

    def _open(self, create: bool) -> None:
        flags = os.O_RDWR | os.O_APPEND
        if create:
            if not os.path.lexists(self.path):
                _create(self.path)
            flags |= os.O_CREAT
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            raise missing(self.path) from None
        except IsADirectoryError:
            raise a_directory(self.path) from None
        self._fd = fd
        self._closer = weakref.finalize(self, os.close, fd)
        with self._locked(exclusive=True):
            if create and os.fstat(fd).st_size == 0:
                self._write_header()
            self._catch_up()

    def _write_header(self) -> None:
        """Write the header into the new, empty file (lock held): where the
        filesystem has no hard links for _create, or a log emptied by hand."""
        try:
            _write_all(self._fd, _HEADER_LINE)
            os.fsync(self._fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            raise StorageError.of(
                error,
                self.path,
                "write the log's header",
                "the file is left empty; open_log completes it once the cause is gone",
            ) from None
        _fsync_directory(self.path)

    def close(self) -> None:
        was_open = self._fd >= 0
        if self._closer is not None:
            self._closer()  # closes the descriptor, once
        self._fd = -1
        if was_open:
            self._end_subscriptions()

    def __enter__(self) -> FileLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        if self._fd < 0:
            raise ValueError(f"the log {str(self.path)!r} is closed")
        fcntl.flock(self._fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    @property
    def head(self) -> tuple[int, str]:
        """(last sequence number, its hash in hex): publish it to prove later
        that nothing was cut off the end."""
        self._sync()
        return len(self._events), self._head.hex()

    def _feed(self, after: int) -> Feed:
        from timeline._storage.subscribe import FileFeed

        return FileFeed(self)

    @property
    def torn(self) -> str | None:
        """Why the file has a torn tail, or None."""
        self._sync()
        return self._torn

    def _catch_up(self) -> None:
        """Read what was appended since we last looked (lock held)."""
        size = os.fstat(self._fd).st_size
        if size < self._offset:
            raise IntegrityError(
                f"{self.path}: the file shrank from {self._offset} to {size} bytes "
                "while open: records were removed"
            )
        data = os.pread(self._fd, size - self._offset, self._offset)
        with _collector_paused(freeze=len(data) >= _BULK_READ):
            scan = scan_bytes(
                data,
                self.path,
                header=self._offset == 0,
                head=self._head,
                seq=len(self._events),
                line_no=self._line,
                rules=Rules(self._key_of.__contains__, self._last_recorded()),
            )
            if scan.events:
                self._commit_all(scan.events)
        self._offset += scan.good_length
        self._head = scan.head
        self._line = scan.next_line
        self._torn = scan.torn_reason
        self._torn_bytes = scan.torn_bytes

    def _sync(self) -> None:
        if self._fd < 0:
            return
        try:
            if os.fstat(self._fd).st_size == self._offset + self._torn_bytes:
                return
            with self._locked(exclusive=False):
                self._catch_up()
        except OSError as error:
            raise StorageError.of(error, self.path, "read the log") from None

    def append(self, *events: Event, expected_seq: int | None = None) -> int:
        try:
            with self._locked(exclusive=True):
                self._catch_up()
                if self._torn is not None:
                    raise IntegrityError(
                        f"{self.path} ends with a torn tail ({self._torn}), left by "
                        f"a crash during an append; run `timeline repair "
                        f"{self.path}` before appending"
                    )
                return super().append(*events, expected_seq=expected_seq)
        except OSError as error:
            raise StorageError.of(error, self.path, "append to the log") from None

    @staticmethod
    def write_raw(path: Path, records: Sequence[tuple[bytes, bytes]]) -> None:
        """Append verified (body, hash) records to a new log file, unchanged."""
        with open(path, "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if handle.tell() != len(_HEADER_LINE):
                raise IntegrityError(f"{path}: convert needs an empty target log")
            handle.writelines(seal(body, digest) for body, digest in records)
            handle.flush()
            os.fsync(handle.fileno())

    def _write(self, events: Sequence[Event]) -> None:
        if not events:
            return
        lines, head = encode_batch(events, len(self._events), self._head)
        data = b"".join(lines)
        try:
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except BaseException as error:
            # Leave the file exactly as it was.
            try:
                os.ftruncate(self._fd, self._offset)
                left = "the log is unchanged"
            except OSError:
                left = f"a torn tail may be left: `timeline repair {self.path}`"
            if isinstance(error, OSError):
                raise StorageError.of(
                    error, self.path, f"append to the log ({left})"
                ) from None
            raise
        self._offset += len(data)
        self._head = head
        self._line += len(events)


def _create(path: Path) -> None:
    """Create a new log so that it appears with its whole header or not at
    all: the header goes to a temporary file, linked into place.  A failure
    leaves nothing behind and says so; where the filesystem has no hard
    links, FileLog writes the header into the new file itself."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{id(path):x}.new")
    doing = "create the log (nothing was created)"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        raise StorageError.of(error, path, doing) from None
    try:
        try:
            _write_all(fd, _HEADER_LINE)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process was first
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise StorageError.of(error, path, doing) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _fsync_directory(path)


# link() refused by the filesystem, not by the path or the disk
_NO_LINKS: Final = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path.parent or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
