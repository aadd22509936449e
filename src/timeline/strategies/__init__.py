"""Hypothesis strategies for :mod:`timeline`'s values.

- :func:`uncertain_dates`: every kind of :class:`~timeline.UncertainDate`;
- :func:`events`: events of one event type, the payload derived from its
  fields' annotations;
- :func:`logs`: valid logs of such events, with late arrivals, corrections
  and retractions;
- :func:`as_of_days`, :func:`known_at_days`: query days where answers
  change.

This is the only module of :mod:`timeline` that imports hypothesis, which
comes with the ``testing`` extra (``pip install 'timeline-ledger[testing]'``);
:mod:`timeline.testing` reaches it through this module.  The strategies
follow hypothesis' own conventions: plural nouns, ``min_value`` and
``max_value`` first, every other option keyword-only, every argument checked
when the strategy is built (an invalid one raises
:class:`hypothesis.errors.InvalidArgument` naming it), the widest valid range
by default, and values that shrink toward simple ones.

Installing :mod:`timeline` registers strategies with hypothesis through its
``hypothesis`` entry point, so ``st.from_type(UncertainDate)`` works without
importing this module, and ``st.from_type(Event)`` draws events of every
registered event type.

>>> import timeline
>>> from hypothesis import given
>>> @given(uncertain_dates())
... def test_round_trip(d):
...     assert timeline.parse_edtf(d.to_edtf()) == d
>>> test_round_trip()
"""

from __future__ import annotations

from timeline._dates import UncertainDate
from timeline._events import Event, event_types


def _hypothesis_setup_hook() -> None:
    """Called by hypothesis when it is imported (the ``hypothesis`` entry
    point in pyproject.toml names this function).

    Loading it imported this module, whose last lines register its
    strategies, so there is nothing left to do.  It is defined before this
    module imports hypothesis: a program that imports this module first
    imports hypothesis from here, and hypothesis then loads its entry points,
    this function among them, from the half-imported module.
    """


# After the hook, for the reason above.
try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "timeline.strategies needs hypothesis, which comes with the 'testing' "
        "extra: pip install 'timeline-ledger[testing]'"
    ) from error

# The implementation, split by section into private modules.
from timeline.strategies._dates import uncertain_dates  # noqa: E402
from timeline.strategies._days import as_of_days, known_at_days  # noqa: E402
from timeline.strategies._events import events  # noqa: E402
from timeline.strategies._logs import _fold_position as _fold_position  # noqa: E402
from timeline.strategies._logs import logs  # noqa: E402
from timeline.strategies._runner import _run as _run  # noqa: E402

__all__ = ["as_of_days", "events", "known_at_days", "logs", "uncertain_dates"]

# ---------------------------------------------------------------------------
# For timeline.testing, which reaches hypothesis only through this module.

_st = st
_Strategy = st.SearchStrategy
_InvalidArgument = InvalidArgument


# ---------------------------------------------------------------------------
# Registration with hypothesis, when this module is imported (by hypothesis
# itself, through its entry point, or by a test): ``st.from_type`` then
# knows UncertainDate and Event.


def _registered_events(thing: type) -> st.SearchStrategy[Event]:
    """``st.from_type(Event)``: events of every registered event type whose
    fields can be derived (looked up when first drawn)."""

    def every() -> st.SearchStrategy[Event]:
        found = []
        for kind in sorted(event_types(), key=lambda k: k.type_name):
            try:
                found.append(events(kind))
            except InvalidArgument:
                continue
        return st.one_of(found)

    return st.deferred(every)


st.register_type_strategy(UncertainDate, uncertain_dates())
st.register_type_strategy(Event, _registered_events)
