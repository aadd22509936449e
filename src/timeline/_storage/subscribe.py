"""The feeds of the durable logs, for subscriptions (see timeline._subscribe).

Both poll: a read that finds nothing costs one ``fstat`` (JSON Lines) or
one indexed query (SQLite).  Each feed has its own file descriptor or
connection, so a subscription may be read in another thread than the one
using the log handle, and checks the hash chain of what it delivers: every
event delivered chains to the one before, starting from record ``after``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from timeline._events import Event
from timeline._storage.codec import GENESIS
from timeline._storage.jsonl import scan_bytes
from timeline._subscribe import Feed
from timeline.exceptions import IntegrityError

if TYPE_CHECKING:
    from timeline._storage.jsonl import FileLog
    from timeline._storage.relational import RelationalLog

__all__ = ["FileFeed", "RelationalFeed"]


class FileFeed(Feed):
    """Reads a JSON Lines log after the point its log handle had reached.

    The events the handle has already read are served from its list (a
    list the handle only appends to); the rest are read from the file
    through a descriptor of the feed's own, under a shared lock (so never
    in the middle of an append, nor an append whose fsync then failed), and
    checked as the handle checks them: the hash chain, the records' format,
    whole batches only (a torn tail is left for :func:`timeline.repair`).
    """

    def __init__(self, log: FileLog) -> None:
        if log._fd < 0:
            raise ValueError(f"the log {str(log.path)!r} is closed")
        log._sync()
        self._path = log.path
        self._loaded = log._events
        self._known = len(log._events)
        self._offset, self._head, self._line = log._offset, log._head, log._line
        self._seq = self._known
        self._seen: tuple[int, int, bytes] | None = None  # see _changed
        self._pending: list[Event] = []  # read, from seq _seq - len + 1
        self._fd = os.open(log.path, os.O_RDONLY | os.O_CLOEXEC)
        mine, theirs = os.fstat(self._fd), os.fstat(log._fd)
        if (mine.st_dev, mine.st_ino) != (theirs.st_dev, theirs.st_ino):
            os.close(self._fd)
            raise IntegrityError(
                f"{log.path}: the file was replaced since the log was opened"
            )

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def read(self, after: int, limit: int) -> Sequence[Event]:
        found = self._read(after, limit, block=True)
        assert found is not None
        return found

    def try_read(self, after: int, limit: int) -> Sequence[Event] | None:
        return self._read(after, limit, block=False)

    def _read(self, after: int, limit: int, *, block: bool) -> Sequence[Event] | None:
        if after < self._known:
            loaded = self._loaded[after : min(self._known, after + limit)]
            if len(loaded) == limit:
                return loaded
            rest = self._read(self._known, limit - len(loaded), block=block)
            return [*loaded, *(rest or ())]
        first = self._seq - len(self._pending)  # seq before _pending[0]
        if after > first:
            del self._pending[: after - first]
        if not self._pending and not self._scan(block=block):
            return None
        return self._pending[:limit]

    def _scan(self, *, block: bool) -> bool:
        """Read what was appended since the last scan into ``_pending``;
        False if the lock is taken and ``block`` is false."""
        if self._fd < 0:
            return True  # closed under a reader: nothing more comes
        stat = os.fstat(self._fd)
        size = stat.st_size
        if self._seen is not None and self._same(stat) == self._seen:
            return True
        if size < self._offset:
            raise IntegrityError(
                f"{self._path}: the file shrank from {self._offset} to {size} "
                "bytes while subscribed: records were removed"
            )
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        try:
            stat = os.fstat(self._fd)
            data = os.pread(self._fd, stat.st_size - self._offset, self._offset)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        scan = scan_bytes(
            data,
            self._path,
            header=self._offset == 0,
            head=self._head,
            seq=self._seq,
            line_no=self._line,
        )
        self._pending.extend(scan.events)
        self._offset += scan.good_length
        self._head, self._line, self._seq = scan.head, scan.next_line, scan.last_seq
        self._seen = self._same(stat)
        return True

    def _same(self, stat: os.stat_result) -> tuple[int, int, bytes]:
        """What tells whether the file changed since the last scan.  An
        append-only file changes size, except when a torn tail is cut by
        repair and an append of as many bytes takes its place, within the
        file system's clock tick: then its last bytes differ (a hash)."""
        tail = b""
        if stat.st_size > self._offset:  # a torn tail: read its end again
            start = max(self._offset, stat.st_size - 64)
            tail = os.pread(self._fd, stat.st_size - start, start)
        return stat.st_size, stat.st_mtime_ns, tail


class RelationalFeed(Feed):
    """Reads a relational log (SQLite, PostgreSQL) through a handle of its
    own (``reader``, usable from any thread), a chunk at a time: the rows
    after the cursor in one statement, hence one snapshot, in which an
    append is whole or absent."""

    def __init__(self, reader: RelationalLog, after: int) -> None:
        self._reader = reader
        self._at = after
        try:
            self._head = self._hash_at(after)
        except BaseException:
            reader.close()
            raise

    def close(self) -> None:
        self._reader.close()

    def _hash_at(self, seq: int) -> bytes:
        if seq == 0:
            return GENESIS
        digest = self._reader.hash_at(seq)
        if digest is None:
            raise IntegrityError(
                f"{self._reader.where}: record {seq} is gone: records were cut "
                "off the end"
            )
        return digest

    def read(self, after: int, limit: int) -> Sequence[Event]:
        rows = self._reader._run(AFTER, {"after": after, "limit": limit}).fetchall()
        return self._events(rows, after, limit)

    def _events(
        self, rows: list[Any], after: int, limit: int, last: int | None = None
    ) -> list[Event]:
        """The events of ``rows`` (the answer to AFTER), checked: no gap
        after ``after``, each chained to the one before, the last one the
        end of an append unless the chunk is full.  ``last``: the log's
        last seq if known (else, for no rows, it is asked)."""
        reader = self._reader
        if not rows:
            if (reader._max_seq() if last is None else last) < after:
                raise IntegrityError(
                    f"{reader.where}: the log now ends before record {after}, "
                    "delivered earlier: records were cut off the end"
                )
            return []
        if after != self._at:  # asked again (a reader was interrupted)
            self._head, self._at = self._hash_at(after), after
        head, expected = self._head, after
        events: list[Event] = []
        sha256 = hashlib.sha256
        for row in rows:
            seq, digest = row[0], row[4]
            expected += 1
            if seq != expected:
                raise IntegrityError(
                    f"{reader.where}: expected sequence number {expected}, found "
                    f"{seq}: records were removed"
                )
            body = reader._canonical(*row[:5])
            head = sha256(head + body).digest()
            if head[: len(digest)] != digest:
                raise IntegrityError(
                    f"{reader.where}: seq {seq}: hash mismatch: this record was "
                    "edited, or a record was inserted, deleted or reordered "
                    "before it"
                )
            # Not reader._decode: its cache is for queries, and a long
            # subscription would fill it.
            events.append(reader._decode_row(*row[:5]))
        if len(rows) < limit:
            end = rows[-1]
            reader._last_hash(end[0], end[3], end[4])  # the end of an append
        self._head, self._at = head, expected
        return events


#: The rows after a cursor (the shared SQL of the relational logs).
AFTER: Final = (
    "SELECT {row} FROM events e WHERE {elog} AND e.seq > :after "
    "ORDER BY e.seq LIMIT :limit"
)
