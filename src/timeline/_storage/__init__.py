"""Durable logs: the record format (``codec``), the JSON Lines file
(``jsonl``) and SQLite (``sqlite``) backends, and the operations on a log
file as a whole: open, verify, repair, convert.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from timeline._storage.codec import GENESIS
from timeline._storage.jsonl import FileLog, Rules, read_locked, repair_file, scan_bytes
from timeline._storage.sqlite import SQLiteLog
from timeline.exceptions import IntegrityError

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
_SIDE = ("-wal", "-shm", "-journal")  # SQLite's files next to a database


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix in _SQLITE_SUFFIXES:
        return "sqlite"
    raise ValueError(
        f"{str(path)!r}: expected a log file ending in .jsonl (JSON Lines) or "
        f"{', '.join(_SQLITE_SUFFIXES)} (SQLite), got {suffix or 'no suffix'!r}"
    )


def open_log(
    path: str | os.PathLike[str], *, create: bool = True
) -> FileLog | SQLiteLog:
    """Open (or create) a durable log; the suffix picks the backend.

    ``.jsonl`` gives a hash-chained JSON Lines file, ``.sqlite``/``.db`` a
    SQLite database; both have the interface of :class:`timeline.Log`.
    """
    target = Path(path)
    if _kind(target) == "jsonl":
        return FileLog(target, create=create)
    return SQLiteLog(target, create=create)


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
    path: str | os.PathLike[str],
    *,
    head: str | tuple[int, str] | None = None,
    decode: bool = True,
) -> Verification:
    """Check a log file's whole chain; raise :class:`IntegrityError` naming
    the first bad record (its line, for JSON Lines).

    With ``head`` (``"SEQ:HASH"`` as printed by an earlier verify), also
    check that record SEQ is still there with that hash: the only way to
    detect records cut off the end.  A torn tail is reported in the result
    (``torn_bytes``), not raised: ``timeline repair`` removes it.
    """
    target = Path(path)
    expected = None if head is None else _parse_head(head)
    if _kind(target) == "sqlite":
        if not target.exists():
            raise FileNotFoundError(f"no log file at {str(target)!r}")
        with SQLiteLog(target, create=False) as log:
            last_seq, digest, marked = log.check(
                decode=decode, mark=None if expected is None else expected[0]
            )
        result = Verification(str(target), last_seq, digest)
    else:
        scan = scan_bytes(
            read_locked(target),
            target,
            decode=decode,
            mark=None if expected is None else expected[0],
            rules=Rules() if decode else None,
        )
        last_seq = scan.last_seq
        result = Verification(
            str(target), last_seq, scan.head.hex(), scan.torn_bytes, scan.torn_reason
        )
        marked = scan.marked
    if expected is not None:
        seq, digest = expected
        if seq == 0:
            marked = GENESIS
        if marked is None:
            raise IntegrityError(
                f"{target}: the expected head is record {seq}, but the log ends at "
                f"record {result.last_seq}: records were cut off the end"
            )
        if marked.hex() != digest:
            raise IntegrityError(
                f"{target}: record {seq} has hash {marked.hex()}, not the expected "
                f"{digest}: the log was rewritten"
            )
    return result


def repair(path: str | os.PathLike[str]) -> int:
    """Remove a torn tail (an unfinished final line or batch left by a
    crash); returns the number of bytes removed (0 if none).  Any other
    damage raises :class:`IntegrityError` and changes nothing."""
    target = Path(path)
    if _kind(target) == "sqlite":
        verify(target)
        return 0  # SQLite transactions leave no torn tails
    return repair_file(target)


def convert(
    source: str | os.PathLike[str], target: str | os.PathLike[str]
) -> Verification:
    """Copy a log into a new file of the other (or same) format, keeping ids,
    sequence numbers and record hashes, so that the copy verifies with the
    same head."""
    src, dst = Path(source), Path(target)
    _kind(dst)
    if dst.exists() and (dst.is_dir() or dst.stat().st_size):
        raise FileExistsError(f"{str(dst)!r} exists; convert writes a new log")
    checked = verify(src)
    if checked.torn_bytes:
        raise IntegrityError(
            f"{src}: ends with a torn tail ({checked.torn_reason}); run "
            f"`timeline repair {src}` before converting it"
        )
    if _kind(src) == "sqlite":
        with SQLiteLog(src, create=False) as log:
            records = list(log.raw_records())
    else:
        scan = scan_bytes(read_locked(src), src, keep_raw=True)
        records = list(scan.raw)
    created = not dst.exists()
    try:
        if _kind(dst) == "sqlite":
            with SQLiteLog(dst) as out:
                out.append_raw(records)
        else:
            FileLog(dst).close()
            FileLog.write_raw(dst, records)
        result = verify(dst)
    except BaseException:
        if created:  # leave nothing half-written behind
            for leftover in (dst, *(dst.with_name(dst.name + s) for s in _SIDE)):
                leftover.unlink(missing_ok=True)
        raise
    if (result.last_seq, result.head) != (checked.last_seq, checked.head):
        raise IntegrityError(  # pragma: no cover - a bug in convert itself
            f"{dst}: the copy ends at {result}, the original at {checked}"
        )
    return result
