"""The errors :mod:`timeline` raises.

Every error is a :class:`TimelineError` and also subclasses the builtin that
fits it, so ``except ValueError`` keeps working for code that does not know
about this library.
"""

from __future__ import annotations

__all__ = [
    "ConcurrencyError",
    "DateRangeError",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
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
    """A log's database or file could not be read or written: locked by
    another process, read-only, a full disk, a file-size limit, a lost
    connection, or a log used after ``close()``.  The message names the log
    and the cause.  An append that raises it left the log as it was."""


class UnsupportedQueryError(TimelineError, NotImplementedError):
    """This kind of log cannot answer the query as asked (for now): e.g. a
    Fuzz policy on a SQLite log."""
