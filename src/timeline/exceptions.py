"""The errors :mod:`timeline` raises.

Every error is a :class:`TimelineError` and also subclasses the builtin that
fits it, so ``except ValueError`` keeps working for code that does not know
about this library.
"""

from __future__ import annotations

import errno as _errno
import os as _os

__all__ = [
    "ConcurrencyError",
    "DateRangeError",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
    "LogTooLargeError",
    "StorageError",
    "TimelineError",
    "UnknownEventTypeError",
    "UnsupportedQueryError",
]


class TimelineError(Exception):
    """Root of every error raised by :mod:`timeline`."""


class InvalidDateError(TimelineError, ValueError):
    """A text could not be read as a date, or a date is not on the calendar.

    ``text`` is the input, ``position`` the index in it where reading failed
    (``None`` when the problem is the value as a whole).
    """

    def __init__(
        self, text: object, expected: str, position: int | None = None
    ) -> None:
        self.text = text
        self.expected = expected
        self.position = position
        where = "" if position is None else f" at position {position}"
        super().__init__(f"invalid date {text!r}{where}: expected {expected}")


class DateRangeError(TimelineError, OverflowError):
    """A bound lies outside the years 1-9999 that :class:`datetime.date` holds."""


class InvalidEventError(TimelineError, ValueError):
    """An event, or a batch of events, was rejected; the log is unchanged."""


class UnknownEventTypeError(TimelineError, LookupError):
    """No event type is registered under a name (or name and version)."""


class ConcurrencyError(TimelineError, RuntimeError):
    """The log moved on since the writer last looked (``expected_seq`` mismatch)."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"expected the log to end at sequence number {expected}, "
            f"but it ends at {actual}: read the new events and retry"
        )


class IntegrityError(TimelineError, ValueError):
    """A stored log failed verification: it was edited, truncated or corrupted."""


class StorageError(TimelineError, OSError):
    """A log's database or file could not be read or written: no such file,
    a directory, no permission, locked by another process, read-only, a full
    disk, a file-size limit, an I/O error, a lost connection, or a log used
    after ``close()``.  The message names the log, what was being done and
    the cause.  An append that raises it left the log as it was.  Made from
    an :class:`OSError` (:meth:`of`), it has that error's ``errno`` and
    ``filename`` and is also an instance of its class (``except
    FileNotFoundError`` or ``except PermissionError`` still work).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    @classmethod
    def of(
        cls, error: OSError, path: object, doing: str, then: str = ""
    ) -> StorageError:
        """The StorageError for ``error``, raised while ``doing`` (e.g.
        "append to the log") on ``path``; ``then`` says what it left."""
        if isinstance(error, StorageError):
            return error
        if error.errno is None:  # raised here, with a message naming the file
            message = str(error)
        else:
            name = _errno.errorcode.get(error.errno, str(error.errno))
            cause = f"{error.strerror or _os.strerror(error.errno)} ({name})"
            message = f"{path}: cannot {doing}: {cause}"
        found = _combined(type(error))(f"{message}; {then}" if then else message)
        found.errno = error.errno
        found.filename = str(path)
        return found


_COMBINED: dict[type[OSError], type[StorageError]] = {}


def _combined(kind: type[OSError]) -> type[StorageError]:
    """StorageError, also a ``kind`` (FileNotFoundError, ...)."""
    if kind is OSError or not issubclass(kind, OSError):
        return StorageError
    found = _COMBINED.get(kind)
    if found is None:
        found = type("StorageError", (StorageError, kind), {"__module__": __name__})
        found.__qualname__ = "StorageError"
        _COMBINED[kind] = found
    return found


class LogTooLargeError(TimelineError, MemoryError):
    """Reading a log needed more memory than this process may use (a log
    opened with :func:`timeline.open_log` keeps its events in memory;
    ``verify`` and ``convert`` need a few megabytes whatever its size)."""


class UnsupportedQueryError(TimelineError, NotImplementedError):
    """This kind of log cannot answer the query as asked (for now)."""
