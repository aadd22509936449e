"""Durable logs: the record format (``codec``), the JSON Lines file
(``jsonl``), SQLite (``sqlite``) and PostgreSQL (``postgres``) backends (the
last two on the shared ``relational`` log), and the operations on a log as
a whole: open, verify, repair, convert.  A log is named by a path (its
suffix picks the file format) or a ``postgresql://`` URL.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from timeline._log import Clock, system_clock
from timeline._storage.codec import GENESIS
from timeline._storage.jsonl import (
    FileLog,
    a_directory,
    missing,
    raw_records,
    repair_file,
    verify_file,
)
from timeline._storage.sqlite import SIDE_FILES, SQLiteLog
from timeline.exceptions import IntegrityError, LogTooLargeError, StorageError

if TYPE_CHECKING:
    from timeline._storage.postgres import PostgresLog

Target = str | os.PathLike[str]

__all__ = [
    "FileLog",
    "SQLiteLog",
    "Verification",
    "convert",
    "open_log",
    "repair",
    "verify",
]

_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def _is_url(target: object) -> bool:
    return isinstance(target, str) and target.lower().startswith(
        ("postgresql://", "postgres://")
    )


def _postgres(url: str, *, create: bool = True) -> PostgresLog:
    try:
        from timeline._storage.postgres import PostgresLog
    except ImportError:
        raise ImportError(
            "a postgresql:// log needs psycopg 3: "
            "pip install 'timeline-ledger[postgres]'"
        ) from None
    return PostgresLog(url, create=create)


def _kind(path: Target) -> str:
    if _is_url(path):
        return "postgres"
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix in _SQLITE_SUFFIXES:
        return "sqlite"
    raise ValueError(
        f"{str(path)!r}: expected a log file ending in .jsonl (JSON Lines) or "
        f"{', '.join(_SQLITE_SUFFIXES)} (SQLite), or a postgresql:// URL, got "
        f"{suffix or 'no suffix'!r}"
    )


def open_log(
    path: Target,
    *,
    create: bool = True,
    verify: bool | str | tuple[int, str] = False,
    clock: Clock | None = system_clock,
) -> FileLog | SQLiteLog | PostgresLog:
    """Open (or create) a durable log, named by a path or a URL.

    ``.jsonl`` gives a hash-chained JSON Lines file, ``.sqlite``/``.db`` a
    SQLite database, ``postgresql://USER@HOST/DB?log=NAME`` a log in a
    PostgreSQL database (``log`` names one of the database's logs; default
    ``timeline``); all have the interface of :class:`timeline.Log`.

    A JSON Lines log checks its whole chain whenever it reads the file;
    SQLite and PostgreSQL logs answer queries from their rows without
    checking the chain (docs/format.md).  ``verify=True`` checks the whole
    log (as :func:`verify` does) before returning it, and
    ``verify="SEQ:HASH"`` (a head published earlier) also checks that the
    log still has that record with that hash; either raises
    :class:`IntegrityError` and returns nothing.

    ``clock`` is the log's clock for appends (see :class:`timeline.Log`):
    an event recorded later than it plus :data:`timeline.CLOCK_SKEW` is
    refused, unless it is None.
    """
    if _is_url(path):
        log: FileLog | SQLiteLog | PostgresLog = _postgres(str(path), create=create)
    else:
        target = Path(path)
        if _kind(target) == "jsonl":
            log = FileLog(target, create=create)
        else:
            with _refusals(target, "open the log"):
                log = SQLiteLog(target, create=create)
    log.clock = clock
    if verify is not False:
        try:
            _check_open(log, None if verify is True else _parse_head(verify))
        except BaseException:
            log.close()
            raise
    return log


@contextlib.contextmanager
def _refusals(path: object, doing: str) -> Iterator[None]:
    """Turn what the system refuses while ``doing`` on ``path`` into one
    error naming both: :class:`StorageError` for an OSError or a SQLite
    error (a full disk, an I/O error), :class:`LogTooLargeError` for a
    MemoryError."""
    try:
        yield
    except OSError as error:
        raise StorageError.of(error, path, doing) from None
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.IntegrityError | sqlite3.ProgrammingError):
            raise  # pragma: no cover - a bug, not the system's refusal
        raise StorageError(f"{path}: cannot {doing}: {error} (SQLite)") from None
    except MemoryError:
        raise LogTooLargeError(
            f"{path}: not enough memory to {doing}: allow the process more"
        ) from None


def _check_open(
    log: FileLog | SQLiteLog | PostgresLog, head: tuple[int, str] | None
) -> None:
    if isinstance(log, FileLog):
        # Its load checked the chain and every record; a head needs the file.
        if head is not None:
            verify(log.path, head=head)
        return
    last_seq, _, marked = log.check(mark=None if head is None else head[0])
    if head is not None:
        _check_head(log.where, head, last_seq, GENESIS if head[0] == 0 else marked)


def _check_head(
    name: object, head: tuple[int, str], last_seq: int, marked: bytes | None
) -> None:
    seq, digest = head
    if marked is None:
        raise IntegrityError(
            f"{name}: the expected head is record {seq}, but the log ends at "
            f"record {last_seq}: records were cut off the end"
        )
    if marked.hex() != digest:
        raise IntegrityError(
            f"{name}: record {seq} has hash {marked.hex()}, not the expected "
            f"{digest}: the log was rewritten"
        )


@attrs.frozen
class Verification:
    """The result of a successful :func:`verify`.

    ``last_seq`` and ``head`` (the hash of that record, hex) identify the end
    of the chain: publish them, and a later ``verify(path, head=...)``
    proves that nothing up to there was cut or changed.
    """

    path: str
    last_seq: int
    head: str
    torn_bytes: int = 0
    torn_reason: str | None = None
    #: (event type, records) whose payloads were not checked, their types
    #: not being registered (``verify(..., require_types=False)``).
    unchecked: tuple[tuple[str, int], ...] = ()

    def __str__(self) -> str:
        return f"{self.last_seq}:{self.head}"


def _parse_head(head: str | tuple[int, str]) -> tuple[int, str]:
    if isinstance(head, tuple):
        return head
    seq_text, _, digest = head.partition(":")
    if not seq_text.isdigit() or len(digest) != 64:
        raise ValueError(
            f"expected a head as SEQ:HASH (a sequence number and 64 hex "
            f"digits), got {head!r}"
        )
    return int(seq_text), digest.lower()


def verify(
    path: Target,
    *,
    head: str | tuple[int, str] | None = None,
    decode: bool = True,
    require_types: bool = True,
) -> Verification:
    """Check a log's whole chain; raise :class:`IntegrityError` naming
    the first bad record (its line, for JSON Lines).

    With ``head`` (``"SEQ:HASH"`` as printed by an earlier verify), also
    check that record SEQ is still there with that hash: the only way to
    detect records cut off the end.  A torn tail is reported in the result
    (``torn_bytes``), not raised: ``timeline repair`` removes it.  SQLite
    and PostgreSQL logs are read in one read transaction, so appends made
    meanwhile are neither seen in part nor taken for tampering.

    Every record's event is read and checked (its payload by the field types
    of its registered event type).  With ``require_types=False``, a record
    whose event type is not registered is checked up to its envelope (the
    chain, the canonical JSON, the envelope and the log's rules) instead of
    failing verification, and counted in the result's ``unchecked``
    (for SQLite and PostgreSQL logs, its indexed columns are checked
    against the envelope too).  ``decode=False`` checks every record that
    way.
    """
    expected = None if head is None else _parse_head(head)
    with _refusals(path, "read the log"):
        return _verify(path, expected, decode, require_types)


def _verify(
    path: Target, expected: tuple[int, str] | None, decode: bool, require_types: bool
) -> Verification:
    mark = None if expected is None else expected[0]
    unknown: dict[str, int] | None = None if require_types else {}
    name: object
    if _is_url(path) or _kind(Path(path)) == "sqlite":
        log: SQLiteLog | PostgresLog
        if _is_url(path):
            log = _postgres(str(path), create=False)
        else:
            target = Path(path)
            if not target.exists():
                raise missing(target)
            if target.is_dir():
                raise a_directory(target)
            log = SQLiteLog(target, create=False)
        with log:
            last_seq, digest, marked = log.check(
                decode=decode, mark=mark, unknown=unknown
            )
            name = log.where
        result = Verification(
            str(path),
            last_seq,
            digest,
            unchecked=tuple(sorted((unknown or {}).items())),
        )
    else:
        target = Path(path)
        scan = verify_file(target, decode=decode, mark=mark, unknown=unknown)
        last_seq = scan.last_seq
        result = Verification(
            str(target),
            last_seq,
            scan.head.hex(),
            scan.torn_bytes,
            scan.torn_reason,
            tuple(sorted((unknown or {}).items())),
        )
        marked = scan.marked
        name = target
    if expected is not None:
        _check_head(
            name, expected, result.last_seq, GENESIS if expected[0] == 0 else marked
        )
    return result


def repair(path: Target) -> int:
    """Remove a torn tail (an unfinished final line or batch left by a
    crash); returns the number of bytes removed (0 if none).  Any other
    damage raises :class:`IntegrityError` and changes nothing."""
    if _kind(path) != "jsonl":
        verify(path, require_types=False)
        return 0  # database transactions leave no torn tails
    with _refusals(path, "repair the log"):
        return repair_file(Path(path))


def convert(source: Target, target: Target) -> Verification:
    """Copy a log into a new log of another (or the same) kind, keeping
    ids, sequence numbers and record hashes, so that the copy verifies with
    the same head.  A PostgreSQL target must be a new or empty log."""
    src_kind, dst_kind = _kind(source), _kind(target)
    dst_url = str(target) if dst_kind == "postgres" else None
    dst = Path(target) if dst_url is None else None
    with _refusals(target, "write the copy"):
        if dst is not None and dst.exists() and (dst.is_dir() or dst.stat().st_size):
            raise FileExistsError(f"{str(dst)!r} exists; convert writes a new log")
    # The records are copied byte for byte: their event types are not needed
    # (their payloads are checked when they are, JSON Lines to JSON Lines).
    checked = verify(source, require_types=False)
    if checked.torn_bytes:
        raise IntegrityError(
            f"{source}: ends with a torn tail ({checked.torn_reason}); run "
            f"`timeline repair {source}` before converting it"
        )
    records: Any
    with _refusals(source, "read the log"):
        if src_kind == "jsonl":
            records = raw_records(Path(source))
        else:
            opened = (
                _postgres(str(source), create=False)
                if src_kind == "postgres"
                else SQLiteLog(Path(source), create=False)
            )
            with opened as log:
                records = list(log.raw_records())
    if dst_url is not None:
        with _postgres(dst_url) as out:
            if out.last_seq:
                raise FileExistsError(
                    f"{out.where} has records; convert writes a new log"
                )
            out.append_raw(records)
        result = verify(dst_url, require_types=False)
    else:
        assert dst is not None
        created = not dst.exists()
        try:
            with _refusals(dst, "write the copy"):
                if dst_kind == "sqlite":
                    with SQLiteLog(dst) as stored:
                        stored.append_raw(records)
                else:
                    FileLog(dst).close()
                    FileLog.write_raw(dst, records)
            result = verify(dst, require_types=False)
        except BaseException:
            if created:  # leave nothing half-written behind
                for leftover in (
                    dst,
                    *(dst.with_name(dst.name + s) for s in SIDE_FILES),
                ):
                    leftover.unlink(missing_ok=True)
            raise
    if (result.last_seq, result.head) != (checked.last_seq, checked.head):
        raise IntegrityError(  # pragma: no cover - a bug in convert itself
            f"{target}: the copy ends at {result}, the original at {checked}"
        )
    return result
