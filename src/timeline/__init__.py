"""timeline: event-sourced timelines over uncertain dates.

Turns dated, sourced events into an append-only log and replays it to answer
one question well: what was the state on date D, as it was known on date K?
"""

from __future__ import annotations

from timeline._dates import (
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
from timeline._edtf import parse_edtf
from timeline._freetext import parse_date
from timeline.exceptions import (
    ConcurrencyError,
    DateRangeError,
    IntegrityError,
    InvalidDateError,
    InvalidEventError,
    TimelineError,
    UnknownEventTypeError,
)

__all__ = [
    "ConcurrencyError",
    "DateRangeError",
    "End",
    "Fuzz",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
    "Point",
    "Precision",
    "Qualifier",
    "TimelineError",
    "Truth",
    "UncertainDate",
    "UnknownEventTypeError",
    "day_number",
    "from_day_number",
    "parse_date",
    "parse_edtf",
]
