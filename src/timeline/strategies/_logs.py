""":func:`~timeline.strategies.logs`."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any, Final

import attrs
import hypothesis
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from timeline._dates import UNBOUNDED_ABOVE, UNBOUNDED_BELOW
from timeline._events import Event, Retraction, is_declared, recorded_key
from timeline._log import Log
from timeline.strategies._checks import _check_bool
from timeline.strategies._events import (
    _TEXTS,
    _optional,
    events,  # noqa: F401 (for the doctest of logs)
)

# ---------------------------------------------------------------------------
# Logs.


class _DrawnLog(Log):
    """A generated :class:`timeline.Log`, whose repr lists its events (it is
    what hypothesis prints in a falsifying example)."""

    def __repr__(self) -> str:
        lines = "".join(f"    {event!r},\n" for event in self)
        return f"Log([\n{lines}])" if lines else "Log([])"

    def _check_values(self, batch: Sequence[Event]) -> None:
        """(Not here: a drawn log holds the values drawn, and
        timeline.testing.check_projection says which the format refuses.)"""


def _fold_position(event: Event) -> tuple[int, int]:
    """Where an event falls in the fold order (before its sequence number)."""
    lo, hi = event.occurred.earliest_day, event.occurred.latest_day
    return (
        UNBOUNDED_ABOVE if hi is None else hi,
        UNBOUNDED_BELOW if lo is None else lo,
    )


def _check_drawn(value: object) -> Event:
    if not isinstance(value, Event):
        raise InvalidArgument(
            f"logs(): a strategy drew {value!r}, not a timeline.Event; pass "
            "strategies of events, such as events(MyEvent)"
        )
    kind = type(value)
    if not is_declared(kind):
        raise InvalidArgument(
            f"logs(): a strategy drew a {kind.__qualname__}, which is not "
            "declared with @timeline.event_type(...), so no log accepts it"
        )
    return value


# Each event of a log is drawn with how it relates to earlier events, in one
# slot, so that the shrinker deletes an event with its choices: mostly not at
# all; else it supersedes one or two of them, or it is replaced by a
# Retraction of them.  An earlier event is named by how far back it is (1:
# the one before; larger numbers wrap around), so that the choice stays
# valid wherever the event lands.  Events are appended in the order drawn,
# so that one drawn with an earlier valid time than those before it arrives
# late (shrinking their dates toward one year puts them in the fold order),
# or, without late arrivals, in the fold order.
_SUPERSEDES: Final = "supersedes"
_RETRACTS: Final = "retracts"
_CORRECTIONS: Final = st.sampled_from((None,) * 5 + (_SUPERSEDES,) * 2 + (_RETRACTS,))
_BACKS: Final = st.lists(
    st.integers(1, 3) | st.integers(4, 1 << 16), min_size=1, max_size=2
)


@attrs.frozen
class _Slot:
    event: Event
    correction: str | None
    backs: tuple[int, ...]
    reason: str | None


@st.composite
def _slots(
    draw: st.DrawFn, drawn_events: st.SearchStrategy[Any], *, corrections: bool
) -> _Slot:
    event = _check_drawn(draw(drawn_events))
    correction = draw(_CORRECTIONS) if corrections else None
    if isinstance(event, Retraction):
        if not corrections:
            raise InvalidArgument(
                "logs(corrections=False) cannot place a Retraction, which "
                "supersedes earlier events: pass corrections=True, or "
                "strategies of other events"
            )
        correction = _SUPERSEDES  # it must name what it retracts
    backs = tuple(draw(_BACKS)) if correction else ()
    reason = draw(_optional(_TEXTS)) if correction == _RETRACTS else None
    return _Slot(event, correction, backs, reason)


@st.composite
def _drawn_logs(
    draw: st.DrawFn,
    slots: st.SearchStrategy[list[_Slot]],
    *,
    late_arrivals: bool,
    checkpoint_every: int | None,
) -> Log:
    order = draw(slots)
    if not late_arrivals:
        order.sort(key=lambda slot: _fold_position(slot.event))
    # A retraction needs an earlier event to retract: the first event that
    # is not one goes first (in the fold order, that would be a late arrival).
    if order and isinstance(order[0].event, Retraction):
        first = next(
            (k for k, s in enumerate(order) if not isinstance(s.event, Retraction)),
            None,
        )
        hypothesis.assume(first is not None and late_arrivals)
        assert first is not None
        order.insert(0, order.pop(first))
    # The recorded times drawn, in order: knowledge is never back-dated.
    recorded = sorted((s.event.recorded for s in order), key=recorded_key)
    made: list[Event] = []
    for position, slot in enumerate(order):
        targets: tuple[str, ...] = ()
        if slot.correction and position:
            back = dict.fromkeys(position - 1 - (b - 1) % position for b in slot.backs)
            targets = tuple(made[k].id for k in back)
        envelope: dict[str, Any] = {
            "id": f"e{position + 1}",
            "recorded": recorded[position],
            "supersedes": targets,
        }
        if slot.correction == _RETRACTS and targets:
            made.append(
                Retraction(occurred=slot.event.occurred, reason=slot.reason, **envelope)
            )
        else:
            made.append(attrs.evolve(typing.cast(Any, slot.event), **envelope))
    # A drawn history may be recorded on any day, in the future too: no clock.
    if checkpoint_every is None:
        return _DrawnLog(made, clock=None)
    return _DrawnLog(made, checkpoint_every=checkpoint_every, clock=None)


def _check_size(value: object, name: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        expected = "an int >= 0 or None" if optional else "an int >= 0"
        raise InvalidArgument(f"{name}={value!r} must be {expected}")
    return value


def logs(
    *event_strategies: st.SearchStrategy[Event],
    min_size: int = 0,
    max_size: int | None = None,
    late_arrivals: bool = True,
    corrections: bool = True,
    checkpoint_every: int | None = None,
) -> st.SearchStrategy[Log]:
    """Valid in-memory :class:`timeline.Log` values, of events drawn from
    ``event_strategies`` (such as :func:`events`); iterate over one for its
    events in append order.

    Every log is one :meth:`timeline.Log.append` accepts: ids are unique
    (``e1``, ``e2``, ... in append order, replacing the ids drawn), the
    recorded times drawn are put in order (knowledge is never back-dated),
    and ``supersedes`` only names earlier events.

    - ``min_size``, ``max_size``: how many events (default: any number).
    - ``late_arrivals``: events may be appended after events with a later
      valid time (a fact learned late, which moves every checkpoint after
      it); with False, the append order is the fold order.
    - ``corrections``: some events supersede one or two earlier ones, and
      some are :class:`~timeline.Retraction` events; with False,
      ``supersedes`` is always empty.
    - ``checkpoint_every``: the log's checkpoint interval (default: the
      log's own; 1 saves a state after every event, so checkpoints are used
      the most).

    Logs shrink toward fewer events, with simpler dates (so, in the fold
    order), without corrections.

    >>> import timeline
    >>> @timeline.event_type("doctest.noted")
    ... class Noted(timeline.Event):
    ...     pass
    >>> strategy = logs(events(Noted), max_size=10, checkpoint_every=1)
    """
    if not event_strategies:
        raise InvalidArgument(
            "logs() needs at least one strategy of events, such as "
            "logs(events(MyEvent))"
        )
    for number, strategy in enumerate(event_strategies, 1):
        if not isinstance(strategy, st.SearchStrategy):
            hint = (
                f"events({strategy.__qualname__})"
                if isinstance(strategy, type)
                else "events(MyEvent)"
            )
            raise InvalidArgument(
                f"logs(): argument {number}, {strategy!r}, must be a strategy "
                f"of events, such as {hint}"
            )
    low = _check_size(min_size, "min_size")
    high = _check_size(max_size, "max_size", optional=True)
    if high is not None and low is not None and high < low:
        raise InvalidArgument(
            f"max_size={max_size!r} must not be less than min_size={min_size!r}"
        )
    _check_bool(late_arrivals, "late_arrivals")
    _check_bool(corrections, "corrections")
    if checkpoint_every is not None and (
        not isinstance(checkpoint_every, int)
        or isinstance(checkpoint_every, bool)
        or checkpoint_every < 1
    ):
        raise InvalidArgument(
            f"checkpoint_every={checkpoint_every!r} must be an int >= 1 or None"
        )
    slots = _slots(st.one_of(event_strategies), corrections=corrections)
    return _drawn_logs(
        st.lists(slots, min_size=min_size, max_size=high),
        late_arrivals=late_arrivals,
        checkpoint_every=checkpoint_every,
    )
