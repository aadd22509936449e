"""Property-based tests for your projections: :func:`check_projection`.

One call runs the laws every projection must keep, on logs that
:mod:`timeline.strategies` draws from your event types, and raises
:class:`AssertionError` with the smallest failing log when one breaks.  It
needs hypothesis (``pip install 'timeline-ledger[testing]'``), which it reaches
through :mod:`timeline.strategies`.

>>> import timeline
>>> from timeline.strategies import events
>>> @timeline.event_type("doctest.deposited")
... class Deposited(timeline.Event):
...     amount: int
>>> balance = timeline.Projection(initial=0)
>>> @balance.on(Deposited)
... def _(state: int, event: Deposited) -> int:
...     return state + event.amount
>>> check_projection(balance, events(Deposited), max_examples=10)
"""

from __future__ import annotations

import copy
import datetime
import json
import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from timeline import strategies
from timeline._events import Event, event_types, fields_of, recorded_key
from timeline._log import Log
from timeline._replay import Projection
from timeline._storage.codec import CodecError, decode_record, encode_event
from timeline.strategies import _InvalidArgument, _st, _Strategy

__all__ = ["LAWS", "check_projection"]

#: The laws :func:`check_projection` checks, by name, with what each promises.
LAWS: Final = {
    "round trip": "every event reads back from the log format equal to itself",
    "totality": "no handler raises on a generated event",
    "purity": "no handler changes the state it is given",
    "determinism": "the same events, folded again, give the same state",
    "as-of consistency": (
        "log.state(...) equals the fold of the events it counts, in the "
        "documented fold order, for every as_of and known_at, with and "
        "without checkpoints, before and after later appends"
    ),
    "stable history": (
        "an answer as known on a day does not change when events recorded "
        "after that day are appended"
    ),
    "merge": (
        "for a projection that declares merge: folding the events in any "
        "order gives the same state, and merge(fold(xs), fold(ys)) is "
        "fold(xs + ys)"
    ),
}

_DEFAULTS: Final = {
    "max_examples": 100,
    "deadline": None,  # the first replays of a log are slower than the rest
    "database": None,
    "report_multiple_bugs": False,  # one AssertionError, not a group
    # Without the explain phase, which replays the minimal log many times.
    "phases": ("explicit", "reuse", "generate", "target", "shrink"),
}
_MAX_EVENTS: Final = 12
_MAX_QUERIES: Final = 3
_NO_COPY: Final = object()  # an initial state that deepcopy cannot copy


# -- comparing states -----------------------------------------------------


def _snapshot(state: object) -> object:
    """What a state holds, as a value that a change to it would change: its
    pickle when it has one, else its repr."""
    try:
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return repr(state)


def _same(a: object, b: object) -> bool:
    """Equal states: ``==``, or (for a state without a useful ``==``, or
    holding NaN) the same snapshot."""
    if a is b:
        return True
    try:
        if bool(a == b):
            return True
    except Exception:
        pass
    return _snapshot(a) == _snapshot(b)


def _show(value: object, limit: int = 600) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...)"


def _listing(events: Iterable[Event]) -> str:
    lines = [f"    {_show(event, 400)}" for event in events]
    return "\n".join(lines) if lines else "    (none)"


def _count(events: Sequence[Event]) -> str:
    return "1 event" if len(events) == 1 else f"{len(events)} events"


def _handler_name(handler: Callable[..., Any]) -> str:
    name = getattr(handler, "__qualname__", None) or repr(handler)
    module = getattr(handler, "__module__", None)
    return f"{module}.{name}" if module else name


# -- the naive model ------------------------------------------------------


def _counted(events: Sequence[Event], known_at: datetime.date | None) -> list[Event]:
    """The events known on ``known_at`` (recorded on or before that day; the
    UTC day of an aware datetime) that no known event supersedes, in the
    fold order: latest possible day (an open or unknown end last), earliest
    possible day (an open start first), sequence number."""
    if known_at is None:
        known = list(events)
    else:
        day = known_at.toordinal()
        known = [e for e in events if recorded_key(e.recorded)[0] <= day]
    superseded = {target for event in known for target in event.supersedes}
    inf = float("inf")

    def key(item: tuple[int, Event]) -> tuple[float, float, int]:
        seq, event = item
        lo, hi = event.occurred.earliest_day, event.occurred.latest_day
        return (inf if hi is None else hi, -inf if lo is None else lo, seq)

    ordered = sorted(
        ((seq, e) for seq, e in enumerate(known, 1) if e.id not in superseded),
        key=key,
    )
    return [event for _, event in ordered]


def _certain(events: Sequence[Event], day: datetime.date) -> list[Event]:
    number = day.toordinal()
    return [
        e
        for e in events
        if e.occurred.latest_day is not None and e.occurred.latest_day <= number
    ]


def _possible(events: Sequence[Event], day: datetime.date) -> list[Event]:
    number = day.toordinal()
    return [
        e
        for e in events
        if e.occurred.earliest_day is None or e.occurred.earliest_day <= number
    ]


class _Folder:
    """Folds events from scratch through a projection's handlers, checking
    totality and purity at every handler call."""

    def __init__(
        self, projection: Projection[Any], log: Sequence[Event], initial: str
    ) -> None:
        self.projection = projection
        self.log = log
        self.initial = initial  # the initial state's repr before the check

    def fold(self, events: Sequence[Event]) -> Any:
        state = self.projection.initial
        for event in events:
            handler = self.projection.handler_for(type(event))
            if handler is None:
                continue
            before = _snapshot(state)
            shown = _show(state)
            if state is self.projection.initial:
                changed = shown != self.initial
                shown += " (the projection's initial state"
                if changed:
                    shown += f", {self.initial} before the check changed it"
                shown += ")"
            try:
                new = handler(state, event)
            except Exception as error:
                raise AssertionError(
                    f"totality broken: the handler {_handler_name(handler)} "
                    f"raised {type(error).__name__}: {error}\n"
                    f"  on the event: {_show(event)}\n"
                    f"  given the state: {shown}\n"
                    "A handler must accept every event of its type, in any "
                    "state the fold order can reach."
                ) from error
            if _snapshot(state) != before:
                raise AssertionError(
                    f"purity broken: the handler {_handler_name(handler)} "
                    "changed the state it was given\n"
                    f"  on the event: {_show(event)}\n"
                    f"  the state given: {shown}\n"
                    f"  became:          {_show(state)}\n"
                    "Checkpoints keep the states they are given, so a handler "
                    "that changes one in place changes saved answers: return a "
                    "new state instead (attrs.evolve, tuples, frozensets)."
                )
            state = new
        return state


# -- the laws -------------------------------------------------------------


def _check_round_trip(events: Sequence[Event]) -> None:
    for seq, event in enumerate(events, 1):
        kind = type(event).__qualname__
        try:
            body = encode_event(event, seq)
        except CodecError as error:
            raise AssertionError(
                f"round trip broken: a {kind} cannot be written in the log "
                f"format: {error}\n"
                f"  the event: {_show(event)}\n"
                "A durable log (timeline.open_log) refuses it: give the field "
                "a type the format carries (None, bool, int, float, str, "
                "UncertainDate, date, datetime, Enum, tuple, frozenset, "
                "str-keyed dict, attrs classes of these)."
            ) from None
        try:
            back = decode_record(json.loads(body), f"record {seq}").event
        except (CodecError, ValueError) as error:
            raise AssertionError(
                f"round trip broken: a {kind} is written in the log format "
                f"but cannot be read back: {error}\n"
                f"  the event: {_show(event)}\n"
                f"  its record: {body.decode('utf-8')}"
            ) from None
        if type(back) is type(event) and back == event:
            continue
        changed = [
            f"  {a.name}: {_show(getattr(event, a.name), 200)} reads back as "
            f"{_show(getattr(back, a.name, None), 200)}"
            for a in fields_of(type(event))
            if type(back) is not type(event)
            or getattr(back, a.name, None) != getattr(event, a.name)
        ]
        raise AssertionError(
            f"round trip broken: a {kind} does not read back from the log "
            f"format as itself (read back as a {type(back).__qualname__})\n"
            + "\n".join(changed)
            + f"\n  the event: {_show(event)}\n"
            "A value must have its field's declared type, which is what the "
            "format reads it back by."
        )


def _check_determinism(folder: _Folder, events: Sequence[Event]) -> None:
    first = folder.fold(events)
    second = folder.fold(events)
    if not _same(first, second):
        raise AssertionError(
            f"determinism broken: folding the same {_count(events)} twice gave "
            "different states\n"
            f"  first:  {_show(first)}\n"
            f"  second: {_show(second)}\n"
            f"  the events, in the fold order:\n{_listing(events)}\n"
            "A state must depend on the events alone: does a handler read the "
            "clock (time.time, datetime.now), random numbers, or a global "
            "that changes?"
        )


def _query_text(as_of: datetime.date, known_at: datetime.date | None) -> str:
    known = "" if known_at is None else f", known_at={known_at.isoformat()!r}"
    return f"log.state(projection, as_of={as_of.isoformat()!r}{known})"


def _check_answer(
    log: Log,
    how: str,
    folder: _Folder,
    as_of: datetime.date,
    known_at: datetime.date | None,
    *,
    compare: bool = True,
) -> Any:
    """Compare one answer of ``log`` with the naive fold; return the answer."""
    query = _query_text(as_of, known_at)
    try:
        answer = log.state(folder.projection, as_of, known_at)
    except Exception as error:
        raise AssertionError(
            f"totality broken: {query} raised {type(error).__name__}: {error}\n"
            f"  on a log {how}"
        ) from error
    if not compare:
        return answer
    counted = _counted(folder.log, known_at)
    certain = _certain(counted, as_of)
    possible = _possible(counted, as_of)
    in_certain = {id(e) for e in certain}
    expected_pending = [e.id for e in possible if id(e) not in in_certain]
    got_pending = [e.id for e in answer.pending]
    if got_pending != expected_pending:
        raise AssertionError(
            f"as-of consistency broken: {query}.pending is {got_pending}, "
            f"not {expected_pending} (a log {how})"
        )
    for part, events in (("certain", certain), ("possible", possible)):
        want = folder.fold(events)
        got = getattr(answer, part)
        if not _same(got, want):
            raise AssertionError(
                f"as-of consistency broken: {query}.{part} is\n"
                f"    {_show(got)}\n"
                f"  but folding its {_count(events)} from the initial state, "
                f"in the fold order, gives\n    {_show(want)}\n"
                f"  the events:\n{_listing(events)}\n"
                f"  (a log {how}.)  Checkpointed answers start from saved "
                "states: a handler that keeps state outside the state it "
                "returns, or changes a state after returning it, makes them "
                "differ."
            )
    return answer


def _check_merge(folder: _Folder, events: Sequence[Event], cut: int) -> None:
    """The law a projection declaring ``merge`` must keep (queries under a
    ``known_at`` combine states of blocks of events in recording order)."""
    merge = folder.projection.merge
    if merge is None:
        return
    whole = folder.fold(events)
    backwards = folder.fold(events[::-1])
    if not _same(backwards, whole):
        raise AssertionError(
            "merge broken: the projection declares merge, but folding "
            f"its {_count(events)} in reverse order gives\n    {_show(backwards)}\n"
            f"  and in the order given\n    {_show(whole)}\n"
            f"  the events:\n{_listing(events)}\n"
            "Declare merge only for a fold that does not depend on the order "
            "of its events (a count, a sum, a set)."
        )
    xs, ys = events[:cut], events[cut:]
    merged = merge(folder.fold(xs), folder.fold(ys))
    if not _same(merged, whole):
        raise AssertionError(
            f"merge broken: merge(fold of the first {cut}, fold of the other "
            f"{len(ys)}) is\n    {_show(merged)}\n"
            f"  but folding all {_count(events)} gives\n    {_show(whole)}\n"
            f"  the events:\n{_listing(events)}"
        )


def _check_laws(
    projection: Projection[Any],
    events: Sequence[Event],
    queries: Sequence[tuple[datetime.date, datetime.date | None]],
    cut: int,
    initial: str,
) -> None:
    _check_round_trip(events)
    folder = _Folder(projection, events, initial)
    for known_at in dict.fromkeys([None, *(k for _, k in queries)]):
        _check_determinism(folder, _counted(events, known_at))
    _check_merge(folder, events, cut)
    # Generated events may be recorded on any day, in the future too: no clock.
    fresh = {
        "built in one append": Log(events, clock=None),
        "built in one append with a checkpoint after every event": Log(
            events, checkpoint_every=1, clock=None
        ),
    }
    for how, log in fresh.items():
        for as_of, known_at in queries:
            _check_answer(log, how, folder, as_of, known_at)
    if not 0 < cut < len(events):
        return
    # Appends after queries: late arrivals must move the saved checkpoints,
    # and an answer as known before the appended events stays as it was.
    staged = Log(events[:cut], checkpoint_every=1, clock=None)
    prefix = _Folder(projection, events[:cut], initial)
    first_new = recorded_key(events[cut].recorded)[0]
    before = datetime.date.fromordinal(max(first_new - 1, 1))
    stable: dict[tuple[datetime.date, datetime.date | None], Any] = {}
    how = (
        f"with a checkpoint after every event, queried with "
        f"{_count(events[:cut])} and then given {len(events) - cut} more"
    )
    for as_of, known_at in [*queries, *((q, before) for q, _ in queries)]:
        answer = _check_answer(
            staged,
            f"with a checkpoint after every event, holding the first {cut}",
            prefix,
            as_of,
            known_at,
        )
        if known_at is not None and known_at.toordinal() < first_new:
            stable[as_of, known_at] = answer
    staged.append(*events[cut:])
    for (as_of, known_at), then in stable.items():
        now = _check_answer(staged, how, prefix, as_of, known_at, compare=False)
        for part in ("certain", "possible"):
            if not _same(getattr(now, part), getattr(then, part)):
                raise AssertionError(
                    f"stable history broken: {_query_text(as_of, known_at)}."
                    f"{part} was\n    {_show(getattr(then, part))}\n"
                    f"  and became\n    {_show(getattr(now, part))}\n"
                    f"  after appending events recorded from "
                    f"{datetime.date.fromordinal(first_new).isoformat()} on:\n"
                    f"{_listing(events[cut:])}"
                )
    for as_of, known_at in [*queries, *stable]:
        _check_answer(staged, how, folder, as_of, known_at)


# -- the entry point ------------------------------------------------------


def _default_strategies(
    projection: Projection[Any],
) -> list[_Strategy[Event]]:
    handled = [
        kind
        for kind in sorted(event_types(), key=lambda k: k.type_name)
        if projection.handler_for(kind) is not None
    ]
    if not handled:
        raise _InvalidArgument(
            f"check_projection({projection!r}): the projection handles no "
            "registered event type; pass strategies of the events it folds, "
            "such as events(MyEvent)"
        )
    return [strategies.events(kind) for kind in handled]


def check_projection(
    projection: Projection[Any],
    *event_strategies: _Strategy[Event],
    **settings: Any,
) -> None:
    """Check the laws of a projection on generated logs; raise
    :class:`AssertionError` describing the smallest log that breaks one.

    ``event_strategies`` draw the events of the logs, such as
    ``events(MyEvent)`` from :mod:`timeline.strategies` (default: events of
    every registered event type the projection handles).  The logs have late
    arrivals, corrections and retractions; each is queried at days around
    its events' bounds, as known on the whole log and on days around when
    events were recorded.  The laws (see :data:`LAWS`):

    - round trip: every event survives the log format, so a durable log
      accepts it and reads it back equal;
    - totality: no handler raises;
    - purity: no handler changes the state it was given (its pickle, or its
      repr, is the same after the call);
    - determinism: folding the same events twice gives the same state;
    - as-of consistency: :meth:`timeline.Log.state` (certain, possible and
      pending) equals a fold from scratch of the events it counts in the
      documented fold order, on fresh logs with and without checkpoints and
      on a log queried before more events are appended;
    - stable history: an answer as known on a day is the same after events
      recorded later are appended;
    - merge, for a projection that declares it: the fold gives the same
      state in any order (reversed, here), and ``merge`` of the folds of
      two parts of the events is the fold of them all.

    ``settings`` are hypothesis settings (``max_examples=500``,
    ``deadline=...``, ``database=...``, ...).  The defaults are
    ``max_examples=100``, no deadline, no example database, one failure
    reported, and no explain phase.  States are compared with ``==``, and by
    their pickle (or repr) when ``==`` says they differ.
    """
    if not isinstance(projection, Projection):
        raise _InvalidArgument(
            f"check_projection(): projection={projection!r} must be a "
            "timeline.Projection"
        )
    for number, strategy in enumerate(event_strategies, 1):
        if not isinstance(strategy, _Strategy):
            raise _InvalidArgument(
                f"check_projection(): argument {number + 1}, {strategy!r}, must "
                "be a strategy of events, such as events(MyEvent)"
            )
    chosen = list(event_strategies) or _default_strategies(projection)
    log_strategy = strategies.logs(*chosen, max_size=_MAX_EVENTS)
    # A handler that changes the initial state in place would change every
    # later example, and hypothesis replays a failing example and must see it
    # fail again: an example that finds the initial state changed starts from
    # a copy of it as it was.  The projection gets its own object back.
    original = projection.initial
    initial, unchanged = _show(original), _snapshot(original)
    try:
        pristine = copy.deepcopy(original)
    except Exception:
        pristine = _NO_COPY

    def laws(draw: Callable[..., Any]) -> None:
        if pristine is not _NO_COPY and _snapshot(projection.initial) != unchanged:
            setattr(projection, "initial", copy.deepcopy(pristine))  # noqa: B010
        events = list(draw(log_strategy, label="log"))
        days = strategies.as_of_days(log=events)
        known = _st.none() | strategies.known_at_days(log=events)
        queries = draw(
            _st.lists(
                _st.tuples(days, known),
                min_size=1,
                max_size=_MAX_QUERIES,
            ),
            label="queries (as_of, known_at)",
        )
        cut = draw(_st.integers(0, len(events)), label="appended after")
        _check_laws(projection, events, queries, cut, initial)

    def flaky(error: BaseException) -> BaseException:
        return AssertionError(
            "determinism broken: the same log passed the laws once and broke "
            f"them another time ({type(error).__name__}: {error})\nDoes a "
            "handler read the clock, random numbers, or a global that changes?"
        )

    key = f"check_projection:{getattr(projection, 'name', None)}:{chosen!r}"
    try:
        strategies._run(
            laws,
            settings,
            key=key,
            where="check_projection()",
            defaults=_DEFAULTS,
            flaky=flaky,
        )
    finally:
        setattr(projection, "initial", original)  # noqa: B010
