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

import array
import contextlib
import datetime
import errno
import fcntl
import gc
import hashlib
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from timeline._events import Event, is_declared, lookup_event_type, recorded_key
from timeline._log import Log, check_batch
from timeline._storage.codec import (
    _HASH_SUFFIX_LEN,
    GENESIS,
    HEADER,
    CodecError,
    Record,
    _recorded_cached,
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
    UnknownEventTypeError,
)

__all__ = [
    "FileLog",
    "Rules",
    "Scan",
    "a_directory",
    "missing",
    "parse_body",
    "raw_records",
    "read_locked",
    "reject_constant",
    "repair_file",
    "scan_bytes",
    "scan_file",
    "verify_file",
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


class Fingerprints:
    """A set of strings kept as 64-bit hashes (8 to 16 bytes each, against
    about 90 for a set of the strings): the ids seen by ``verify``, whose
    memory must not grow with the log's size as a set of its ids would
    (10^6 ids: 16 MiB, against 85).  Python's string hash is keyed per
    process (SipHash), so two ids share a fingerprint with a chance of about
    2^-64 a pair; ``verify`` confirms a repeated id with the ids themselves
    (Rules.exact) before calling the log bad."""

    def __init__(self, expected: int = 0) -> None:
        # Room for ``expected`` at most half full, so that a table sized
        # from the file is not grown (the old table and the new at once).
        bits = max(12, (2 * expected).bit_length())
        self._table = array.array("Q", bytes(8 << bits))
        self._mask = (1 << bits) - 1
        self._count = 0

    def _slot(self, key: object) -> tuple[int, int]:
        """(the slot holding the key's fingerprint or the empty one where it
        goes, the fingerprint): linear probing."""
        table, mask = self._table, self._mask
        mark = (hash(key) & 0xFFFF_FFFF_FFFF_FFFF) or 1
        slot = mark & mask
        while True:
            found = table[slot]
            if found == mark or not found:
                return slot, mark
            slot = (slot + 1) & mask

    def __contains__(self, key: object) -> bool:
        slot, _ = self._slot(key)
        return self._table[slot] != 0

    def add(self, key: str) -> None:
        slot, mark = self._slot(key)
        table = self._table
        if table[slot]:
            return
        table[slot] = mark
        self._count += 1
        if self._count * 2 > self._mask:  # half full: twice the slots
            self._grow()

    def _grow(self) -> None:
        old = self._table
        self._table = table = array.array("Q", bytes(16 * len(old)))
        self._mask = mask = len(table) - 1
        for mark in old:
            if mark:
                slot = mark & mask
                while table[slot]:
                    slot = (slot + 1) & mask
                table[slot] = mark


class Rules:
    """The log's rules, checked record by record while reading a whole log:
    unique ids, supersedes naming earlier events, recorded non-decreasing.

    ``compact``: keep the ids seen as :class:`Fingerprints` (for ``verify``,
    whose memory must not grow with the log; a repeated id raises
    :class:`MaybeRepeated`, for the caller to confirm with exact ids)."""

    def __init__(
        self,
        in_log: Callable[[str], bool] | None = None,
        last_recorded: tuple[int, float] | None = None,
        *,
        compact: bool = False,
        expected: int = 0,
    ) -> None:
        self._ids: set[str] | Fingerprints = (
            Fingerprints(expected) if compact else set()
        )
        self._in_log = in_log
        self._last = last_recorded
        self._declared: dict[type, bool] = {}  # is_declared, asked once a class
        # recorded_key of the recorded times seen (shared by the events of a
        # day: about 0.2 us an event less than calling it)
        self._keys: dict[datetime.date, tuple[int, float]] = {}

    def forget(self, events: Sequence[Event]) -> None:
        """Forget the ids of ``events``: they are in the log now (``in_log``)."""
        if isinstance(self._ids, set):
            self._ids.difference_update([event.id for event in events])

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
        if isinstance(self._ids, Fingerprints) and event_id in self._ids:
            raise MaybeRepeated(event_id)
        try:
            check_batch([event], self._known, self._last)
        except TimelineError as error:
            reason = str(error).removeprefix(f"event 1 of the batch ({event.id!r}): ")
            raise IntegrityError(f"event {event.id!r}: {reason}") from None
        self._ids.add(event.id)
        self._last = recorded_key(event.recorded)

    def check_record(self, obj: dict[str, Any]) -> None:
        """:meth:`check_envelope` of a parsed record whose envelope
        codec.check_envelope checked."""
        recorded = _recorded_cached(obj["recorded"])
        self.check_envelope(obj["id"], obj["supersedes"], recorded)

    def check_envelope(
        self, event_id: str, supersedes: Sequence[str], recorded: datetime.date
    ) -> None:
        """The rules for a record whose event type is unknown, from its
        envelope (checked by codec.check_envelope)."""
        key = self._keys.get(recorded)
        if key is None:
            key = self._recorded_key(recorded)
        where = f"event {event_id!r}"
        if self._known(event_id):
            if isinstance(self._ids, Fingerprints):
                raise MaybeRepeated(event_id)
            raise IntegrityError(f"{where}: the id is already in the log")
        for target in supersedes:
            if not self._known(target):
                raise IntegrityError(
                    f"{where}: supersedes {target!r}, which is not an earlier "
                    "event of the log"
                )
        if self._last is not None and key < self._last:
            raise IntegrityError(
                f"{where}: recorded {recorded.isoformat()} is earlier than an event "
                "already recorded; knowledge cannot be back-dated"
            )
        self._ids.add(event_id)
        self._last = key


class MaybeRepeated(Exception):
    """An id's fingerprint was seen before: the id is repeated, or (about
    once in 2^64) shares it with another; confirm with exact ids."""


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
    unknown: dict[str, int] | None = None,
) -> Scan:
    """Verify and decode ``data``: a whole file (``header=True``) or the part
    of one after the record with hash ``head`` and sequence number ``seq``.

    Raises :class:`IntegrityError` naming the first bad line.  A final
    unfinished line or batch is not an error: it is reported as torn.
    With ``rules``, decoded events are also checked against the log's rules
    (unique ids, supersedes naming earlier events, recorded non-decreasing).
    With ``unknown`` (a dict), a record whose event type is not registered
    (or not at its version) is checked up to its envelope, not refused, and
    counted there by type name.
    The garbage collector is paused meanwhile (see _collector_paused).
    """
    position = 0
    if header:
        position = _header(data, len(data), path)
        if position < 0:  # an unfinished header: a torn tail of its own
            reason = "an unfinished header" if data else None
            return Scan((), (), GENESIS, 0, len(data), reason, 1, None, 0, b"")
        line_no = 2
    scanner = _Scanner(
        path,
        head=head,
        seq=seq,
        line_no=line_no,
        offset=position,
        decode=decode,
        keep_events=decode,
        keep_raw=keep_raw,
        mark=mark,
        rules=rules,
        unknown=unknown,
    )
    scanner.feed(data, position, len(data))
    return scanner.finish(len(data), data.endswith(b"\n"))


def scan_file(
    fd: int,
    path: object,
    size: int,
    *,
    start: int = 0,
    head: bytes = GENESIS,
    seq: int = 0,
    line_no: int = 1,
    decode: bool = True,
    keep_events: bool = False,
    keep_raw: bool = False,
    mark: int | None = None,
    rules: Rules | None = None,
    unknown: dict[str, int] | None = None,
    take: Callable[[list[Event], int, bytes, int], None] | None = None,
    take_raw: Callable[[list[tuple[bytes, bytes]]], None] | None = None,
) -> Scan:
    """:func:`scan_bytes` of the file ``fd`` from byte ``start`` (0: the
    header) up to ``size``, read in pieces of about a megabyte: the memory
    it needs does not grow with the file (but for a single line longer than
    a piece).  The events of whole batches go to ``take`` (and are not kept)
    as they are read, with where they end (the bytes from ``start``, the
    head, the next line number), and the (body, hash) pairs to
    ``take_raw``; an unfinished batch at the end goes nowhere, as it is
    torn."""
    position = start
    first = b""
    if start == 0:
        first = os.pread(fd, min(size, max(_PIECE, 256)), 0)
        position = _header(first, size, path)
        if position < 0:
            reason = "an unfinished header" if size else None
            return Scan((), (), GENESIS, 0, size, reason, 1, None, 0, b"")
        line_no = 2
    scanner = _Scanner(
        path,
        head=head,
        seq=seq,
        line_no=line_no,
        offset=position,
        decode=decode,
        keep_events=keep_events or take is not None,
        keep_raw=keep_raw or take_raw is not None,
        mark=mark,
        rules=rules,
        unknown=unknown,
    )
    with _collector_paused(freeze=False):
        for _ in _pieces(fd, size, scanner, first[position:], position):
            if take is not None:
                length, head, line_no = scanner.good[:3]
                take(scanner.take_events(), length - start, head, line_no)
            if take_raw is not None:
                take_raw(scanner.take_raw())
    return scanner.finish(scanner.size - start, scanner.ends_a_line, start)


def raw_records(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """The (body, hash) of every record of the file's whole batches, read a
    piece at a time under a shared lock (held until the last is read):
    only their chain and JSON are checked (``verify`` first)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the last
    except OSError as error:
        raise _refused(error, path, "read the log") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH)
            fd, size = handle.fileno(), os.fstat(handle.fileno()).st_size
            first = os.pread(fd, min(size, max(_PIECE, 256)), 0)
        except OSError as error:
            raise _refused(error, path, "read the log") from None
        position = _header(first, size, path)
        if position < 0:
            return
        scanner = _Scanner(
            path,
            head=GENESIS,
            seq=0,
            line_no=2,
            offset=position,
            decode=False,
            keep_events=False,
            keep_raw=True,
            mark=None,
            rules=None,
            unknown=None,
        )
        for _ in _pieces(fd, size, scanner, first[position:], position):
            yield from scanner.take_raw()


def _pieces(
    fd: int, size: int, scanner: _Scanner, buffer: bytes, base: int
) -> Iterator[None]:
    """Feed ``scanner`` the whole lines of the file from ``base`` (whose
    first bytes are in ``buffer``) up to ``size``, about a megabyte at a
    time; yields after each piece.  At the end, ``scanner.size`` is the
    size read (a file cut meanwhile, by a repair, ends where it was cut)
    and ``scanner.ends_a_line`` whether the last byte read ended a line."""
    while True:
        end = base + len(buffer)
        if end < size and (len(buffer) < _PIECE or b"\n" not in buffer):
            more = os.pread(fd, min(_PIECE, size - end), end)
            if not more:  # cut meanwhile: the file ends here
                size = end
                continue
            buffer = buffer + more if buffer else more
            continue
        done = scanner.feed(buffer, 0, len(buffer))
        yield
        buffer = buffer[done:]
        base += done
        if end >= size:
            break
    # What is left is an unfinished line (feed takes every whole one).
    scanner.size = size
    scanner.ends_a_line = not buffer


# A piece of a file read at a time: the time per record is the same for
# 64 KiB to 4 MiB pieces; the memory is this and a piece's objects.
_PIECE: Final = 1 << 20


def _header(data: bytes, size: int, path: object) -> int:
    """The position after the header at the start of ``data`` (the first
    bytes of a file of ``size`` bytes), or -1 for an unfinished header;
    IntegrityError for anything else."""
    if not size:
        raise _problem(
            path,
            1,
            f"the file is empty: a log starts with the header {HEADER.decode()} "
            "(open_log creates a new log with it)",
        )
    if not data.startswith(_HEADER_LINE):
        unfinished = size < len(_HEADER_LINE) and b"\n" not in data
        if unfinished and HEADER.startswith(data):
            return -1
        first = data.split(b"\n", 1)[0][:80]
        raise _problem(
            path, 1, f"expected the header {HEADER.decode()}, found {first!r}"
        )
    return len(_HEADER_LINE)


class _Scanner:
    """Verifies and decodes consecutive pieces of a log's records (after
    its header), keeping what a record needs of those before it."""

    def __init__(
        self,
        path: object,
        *,
        head: bytes,
        seq: int,
        line_no: int,
        offset: int,
        decode: bool,
        keep_events: bool,
        keep_raw: bool,
        mark: int | None,
        rules: Rules | None,
        unknown: dict[str, int] | None,
    ) -> None:
        self.path = path
        self.head = head
        self.seq = seq
        self.line_no = line_no
        self.decode = decode
        self.keep_events = keep_events
        self.keep_raw = keep_raw
        self.mark = mark
        self.marked: bytes | None = None
        self.rules = rules
        self.unknown = unknown
        self.events: list[Event] = []
        self.more_flags = bytearray()
        self.raw: list[tuple[bytes, bytes]] = []
        self.taken = 0  # events handed out by take_events (all of whole batches)
        self.taken_raw = 0
        self.consumed = offset  # stream offset after the last whole line
        # (stream offset, head, next line, events, raw, seq) after the
        # last whole batch; events and raw count from the start
        self.good = (offset, head, line_no, 0, 0, seq)
        self.plans: dict[str, Any] = {}  # decode_fast's, for this read
        self.registered: dict[Any, bool] = {}  # type name -> registered?
        self.size = 0  # (set by _pieces at the end of a file)
        self.ends_a_line = True

    def feed(self, data: bytes, position: int, size: int) -> int:
        """Read the whole lines of ``data[position:size]``; returns the
        position after the last of them."""
        path, head, seq, line_no = self.path, self.head, self.seq, self.line_no
        decode, rules, unknown, mark = self.decode, self.rules, self.unknown, self.mark
        keep_events, keep_raw = self.keep_events, self.keep_raw
        events, more_flags, raw = self.events, self.more_flags, self.raw
        plans, registered = self.plans, self.registered
        sha256 = hashlib.sha256
        base = self.consumed - position  # stream offset of data[0]
        good = self.good
        counted = self.taken + len(events)
        counted_raw = self.taken_raw + len(raw)
        try:
            while position < size:
                end = data.find(b"\n", position, size)
                if end < 0:
                    break
                # unseal() and the hash check inline, on ``data`` without
                # slicing the line out (about 0.55 us a record less than
                # calling them); anything odd goes through them to be named.
                cut = end - _HASH_SUFFIX_LEN
                body = data[position:cut] + b"}"
                digest = sha256(head + body).digest()  # chain_hash(head, body)
                if cut < position or not data.startswith(
                    b',"hash":"%b"}' % digest.hex().encode(), cut
                ):
                    _check_seal(data[position:end], digest, path, line_no)
                seq += 1
                # orjson first (about 3x faster than the stdlib parser);
                # anything it does not read as the stdlib does, the
                # reference path reads.
                try:
                    obj = _loads(body)
                except orjson.JSONDecodeError:
                    obj = None
                found: tuple[Event | None, Any] | None = None
                opaque = False  # only the envelope read: its type is unknown
                if type(obj) is not dict:
                    pass
                elif decode and unknown is None:
                    found = decode_fast(obj, body, plans, seq)
                elif obj.get("seq") == seq and type(obj["seq"]) is int:
                    if decode and _registered(obj, registered):
                        found = decode_fast(obj, body, plans)
                    elif is_canonical(obj, body):
                        with contextlib.suppress(CodecError):  # else named below
                            found = None, check_envelope(obj, "")
                            opaque = decode
                if found is None:
                    found, obj, opaque = _read_reference(
                        body, path, line_no, seq, decode, unknown is not None
                    )
                event, more = found
                if event is not None:
                    if rules is not None:
                        try:
                            rules.check(event)
                        except TimelineError as error:
                            raise _problem(path, line_no, str(error)) from None
                    if keep_events:
                        events.append(event)
                        more_flags.append(more is True)
                        counted += 1
                elif opaque:
                    self._opaque(obj, line_no)
                if keep_raw:
                    raw.append((body, digest))
                    counted_raw += 1
                if seq == mark:
                    self.marked = digest
                head = digest
                position = end + 1
                line_no += 1
                if more is not True:
                    good = (base + position, head, line_no, counted, counted_raw, seq)
        finally:
            self.head, self.seq, self.line_no, self.good = head, seq, line_no, good
            self.consumed = base + position
        return position

    def _opaque(self, obj: dict[str, Any], line_no: int) -> None:
        """Count a record read up to its envelope, and check the rules."""
        assert self.unknown is not None
        count_unchecked(self.unknown, obj, self.registered)
        if self.rules is not None:
            try:
                self.rules.check_record(obj)
            except TimelineError as error:
                raise _problem(self.path, line_no, str(error)) from None

    def take_events(self) -> list[Event]:
        """The events of the whole batches read and not yet taken."""
        whole = self.good[3] - self.taken
        taken = self.events[:whole]
        del self.events[:whole]
        del self.more_flags[:whole]
        self.taken += whole
        return taken

    def take_raw(self) -> list[tuple[bytes, bytes]]:
        whole = self.good[4] - self.taken_raw
        taken = self.raw[:whole]
        del self.raw[:whole]
        self.taken_raw += whole
        return taken

    def finish(self, size: int, ends_a_line: bool, base_offset: int = 0) -> Scan:
        """The scan of a stream of ``size`` bytes (counted from where the
        scanner started, ``base_offset`` in the file)."""
        length, good_head, next_line, kept_events, kept_raw, good_seq = self.good
        length -= base_offset
        torn = size - length
        if not torn:
            reason = None
        elif ends_a_line:
            reason = "an unfinished batch at the end"
        else:
            reason = "an unfinished line at the end"
        events, more_flags, raw = self.events, self.more_flags, self.raw
        del events[kept_events - self.taken :]
        del more_flags[kept_events - self.taken :]
        del raw[kept_raw - self.taken_raw :]
        marked = self.marked
        if self.mark is not None and self.mark > good_seq:
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
    body: bytes, path: object, line_no: int, seq: int, decode: bool, lenient: bool
) -> tuple[tuple[Event | None, Any], Any, bool]:
    """((the event (if ``decode``), batch flag), the parsed record, whether
    only its envelope was read) of record ``seq``, read by the stdlib parser
    and decode_record; raises IntegrityError naming what is wrong.  With
    ``lenient``, a record of an unknown event type (or version) is read up
    to its envelope."""
    obj = parse_body(body, path, line_no)
    stored_seq = obj.get("seq") if isinstance(obj, dict) else None
    if type(stored_seq) is not int or stored_seq != seq:
        raise _problem(
            path, line_no, f"expected sequence number {seq}, found {stored_seq!r}"
        )
    where = f"seq {seq}"
    try:
        if not decode:
            return (None, check_envelope(obj, where)), obj, False
        try:
            record = read_parsed(obj, body, where)
        except UnknownEventTypeError:
            if not lenient:
                raise
            return (None, check_envelope(obj, where)), obj, True
    except TimelineError as error:
        raise _problem(path, line_no, str(error)) from None
    return (record.event, record.more), obj, False


def count_unchecked(
    unknown: dict[str, int], obj: dict[str, Any], registered: dict[Any, bool]
) -> None:
    """Count a record read up to its envelope in ``unknown``, by its event
    type's name (with the version if the type is registered, but not at
    that version); ``registered`` caches :func:`_registered`."""
    name = obj["type"]
    if _registered(obj, registered):
        name = f"{name} v{obj['v']}"
    unknown[name] = unknown.get(name, 0) + 1


def _registered(obj: dict[str, Any], known: dict[Any, bool]) -> bool:
    """Is the record's event type registered?  (Cached in ``known``.)"""
    name = obj.get("type")
    if type(name) is not str:
        return True  # the reference path names what is wrong
    try:
        return known[name]
    except KeyError:
        pass
    try:
        lookup_event_type(name)
    except UnknownEventTypeError:
        found = known[name] = False
    else:
        found = known[name] = True
    return found


def verify_file(
    path: Path,
    *,
    decode: bool = True,
    mark: int | None = None,
    unknown: dict[str, int] | None = None,
) -> Scan:
    """Verify the log file at ``path``, a piece at a time, under a shared
    lock (no append is half-seen): the memory needed is a piece and the ids'
    fingerprints (16 bytes a record), whatever the file's size."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise _refused(error, path, "read the log") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH)
            size = os.fstat(handle.fileno()).st_size
            first = os.pread(
                handle.fileno(), min(size, max(_PIECE, len(_HEADER_LINE))), 0
            )
        except OSError as error:
            raise _refused(error, path, "read the log") from None
        # How many records, about, from the first piece's lines.
        lines = max(1, first.count(b"\n"))
        expected = size * lines // max(1, len(first))
        for compact in (True, False):
            found: dict[str, int] | None = None if unknown is None else {}
            try:
                scan = scan_file(
                    handle.fileno(),
                    path,
                    size,
                    decode=decode,
                    mark=mark,
                    rules=Rules(compact=compact, expected=expected) if decode else None,
                    unknown=found,
                )
            except MaybeRepeated:
                continue  # confirmed (and named) with the ids themselves
            if unknown is not None and found:
                unknown.update(found)
            return scan
    raise AssertionError("unreachable: exact ids raise or pass")  # pragma: no cover


def _refused(error: OSError, path: object, doing: str) -> StorageError:
    if isinstance(error, FileNotFoundError):
        return missing(path)
    if isinstance(error, IsADirectoryError):
        return a_directory(path)
    return StorageError.of(error, path, doing)


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
            size = os.fstat(handle.fileno()).st_size
            scan = scan_file(handle.fileno(), path, size, decode=False)
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
        if size == self._offset + self._torn_bytes and self._offset:
            return
        start = self._offset
        rules = Rules(self._key_of.__contains__, self._last_recorded())

        def commit(events: list[Event], length: int, head: bytes, line: int) -> None:
            # Whole batches, as they are read: the log keeps the events it
            # holds and where they end in step, whatever is raised later.
            if events:
                self._commit_all(events)
            rules.forget(events)  # (their ids are the log's now)
            self._offset, self._head, self._line = start + length, head, line

        with _collector_paused(freeze=size - start >= _BULK_READ):
            scan = scan_file(
                self._fd,
                self.path,
                size,
                start=start,
                head=self._head,
                seq=len(self._events),
                line_no=self._line,
                rules=rules,
                take=commit,
            )
        self._offset = start + scan.good_length
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

    def append(
        self, *events: Event, expected_seq: int | None = None, stamp: bool = False
    ) -> int:
        try:
            with self._locked(exclusive=True):
                self._catch_up()
                if self._torn is not None:
                    raise IntegrityError(
                        f"{self.path} ends with a torn tail ({self._torn}), left by "
                        f"a crash during an append; run `timeline repair "
                        f"{self.path}` before appending"
                    )
                # Under the lock: a stamped time is read after every other
                # writer's append, so it is never earlier than theirs.
                return super().append(*events, expected_seq=expected_seq, stamp=stamp)
        except OSError as error:
            raise StorageError.of(error, self.path, "append to the log") from None

    @staticmethod
    def write_raw(path: Path, records: Iterable[tuple[bytes, bytes]]) -> None:
        """Append verified (body, hash) records to a new log file, unchanged
        (written as they come: ``records`` may be read from a file)."""
        with open(path, "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if handle.tell() != len(_HEADER_LINE):
                raise IntegrityError(f"{path}: convert needs an empty target log")
            handle.writelines(seal(body, digest) for body, digest in records)
            handle.flush()
            os.fsync(handle.fileno())

    def _check_values(self, events: Sequence[Event]) -> None:
        """(encode_batch, in _write, checks the values before writing.)"""

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
