"""Dates: everything about uncertain dates lives in this package.

- :mod:`~timeline._dates.uncertain`: :class:`UncertainDate`, its bounds as
  day numbers, the Fuzz policy and three-valued comparisons;
- :mod:`~timeline._dates.allen`: Allen's thirteen interval relations over
  boxes of possible start and end days;
- :mod:`~timeline._dates.edtf`: the strict EDTF (ISO 8601-2) parser;
- :mod:`~timeline._dates.freetext`: ``parse_date``, what people type;
- :mod:`~timeline._dates.phrases`: decades, centuries, seasons, early/mid/late
  and the Japanese forms that ``freetext`` reads and ``describe`` writes;
- :mod:`~timeline._dates.describe`: a date in words (English, Japanese).

The rest of the library imports the value types from here.
"""

from timeline._dates.uncertain import (
    MAX_YEAR,
    UNBOUNDED_ABOVE,
    UNBOUNDED_BELOW,
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

__all__ = [
    "MAX_YEAR",
    "UNBOUNDED_ABOVE",
    "UNBOUNDED_BELOW",
    "AllenRelation",
    "End",
    "Fuzz",
    "Point",
    "Precision",
    "Qualifier",
    "Truth",
    "UncertainDate",
    "day_number",
    "from_day_number",
]
