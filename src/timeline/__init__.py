"""timeline: event-sourced timelines over uncertain dates.

Turns dated, sourced events into an append-only log and replays it to answer
one question well: what was the state on date D, as it was known on date K?
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from timeline._dates import (
    AllenRelation,
    End,
    Fuzz,
    Point,
    Precision,
    Qualifier,
    Truth,
    UncertainDate,
    day_number,
    from_day_number,
)
from timeline._dates.edtf import parse_edtf
from timeline._dates.freetext import parse_date
from timeline._events import Event, Retraction, Source, Text, event_type
from timeline._live import LiveState
from timeline._log import Log, system_clock
from timeline._replay import AsOf, Diff, Projection
from timeline._subscribe import Subscription
from timeline.exceptions import (
    ConcurrencyError,
    DateRangeError,
    IntegrityError,
    InvalidDateError,
    InvalidEventError,
    LogTooLargeError,
    StorageError,
    TimelineError,
    UnknownEventTypeError,
    UnsupportedQueryError,
)

if TYPE_CHECKING:
    from timeline._exchange import read_events, write_events
    from timeline._storage import Verification, convert, open_log, repair, verify
    from timeline._storage.codec import upcaster

# Storage (sqlite3, json, hashlib and the codec) is imported on first use:
# it was a third of `import timeline` (about 27 of 80 ms, -X importtime).
_LAZY = {
    "Verification": "timeline._storage",
    "convert": "timeline._storage",
    "open_log": "timeline._storage",
    "repair": "timeline._storage",
    "verify": "timeline._storage",
    "upcaster": "timeline._storage.codec",
    "read_events": "timeline._exchange",
    "write_events": "timeline._exchange",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'timeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AllenRelation",
    "AsOf",
    "ConcurrencyError",
    "DateRangeError",
    "Diff",
    "End",
    "Event",
    "Fuzz",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
    "LiveState",
    "Log",
    "LogTooLargeError",
    "Point",
    "Precision",
    "Projection",
    "Qualifier",
    "Retraction",
    "Source",
    "StorageError",
    "Subscription",
    "Text",
    "TimelineError",
    "Truth",
    "UncertainDate",
    "UnknownEventTypeError",
    "UnsupportedQueryError",
    "Verification",
    "convert",
    "day_number",
    "event_type",
    "from_day_number",
    "open_log",
    "parse_date",
    "parse_edtf",
    "read_events",
    "repair",
    "system_clock",
    "upcaster",
    "verify",
    "write_events",
]
