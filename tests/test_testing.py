"""timeline.testing.check_projection: the laws catch real bugs, pass correct
projections, and reject invalid arguments with a clear message."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import timeline
from timeline import Event, Projection, Retraction, UncertainDate
from timeline._replay import View
from timeline.dataset import Relationship
from timeline.strategies import events
from timeline.testing import LAWS, check_projection

FAST: dict[str, Any] = {"max_examples": 30}


# -- event types and projections ------------------------------------------


@timeline.event_type("test_testing.deposited")
class Deposited(Event):
    amount: int


@timeline.event_type("test_testing.renamed")
class Renamed(Event):
    name: str


@attrs.frozen
class Account:
    name: str = ""
    balance: int = 0
    history: tuple[str, ...] = ()


#: A correct projection: immutable state, every event type, retractions too.
ACCOUNT: Projection[Account] = Projection(initial=Account(), name="account")


@ACCOUNT.on(Deposited)
def _deposit(state: Account, event: Deposited) -> Account:
    return attrs.evolve(
        state, balance=state.balance + event.amount, history=(*state.history, event.id)
    )


@ACCOUNT.on(Renamed)
def _rename(state: Account, event: Renamed) -> Account:
    return attrs.evolve(state, name=event.name, history=(*state.history, event.id))


@ACCOUNT.on(Retraction)
def _retracted(state: Account, event: Retraction) -> Account:
    return attrs.evolve(state, history=(*state.history, f"-{event.id}"))


class Thing:
    """A plain class: the log format has no way to write it."""

    def __init__(self, value: int) -> None:
        self.value = value


@timeline.event_type("test_testing.blob")
class Blob(Event):
    data: object


@timeline.event_type("test_testing.bag")
class Bag(Event):
    items: frozenset[object]


@timeline.event_type("test_testing.when")
class When(Event):
    """A union the format cannot tell apart: a date is written as text."""

    when: str | UncertainDate


def counting(*kinds: type[Event]) -> Projection[int]:
    projection: Projection[int] = Projection(initial=0)

    @projection.on(*kinds)
    def _(state: int, event: Event) -> int:
        return state + 1

    return projection


def failure(projection: Projection[Any], *strategies: Any, **settings: Any) -> str:
    """The message of the AssertionError check_projection raises."""
    with pytest.raises(AssertionError) as raised:
        check_projection(projection, *strategies, **{**FAST, **settings})
    return str(raised.value)


def minimal_log(error: BaseException) -> str:
    """The log hypothesis reports, from the notes of the error."""
    notes = getattr(error, "__notes__", [])
    return next(n for n in notes if n.startswith("Draw 1 (log): "))


# -- correct projections pass ---------------------------------------------


def test_a_correct_projection_passes() -> None:
    assert check_projection(ACCOUNT, events(Deposited), events(Renamed), **FAST) is None


def test_the_default_strategies_are_the_event_types_handled() -> None:
    assert check_projection(ACCOUNT, **FAST) is None


class Nothing:
    """A sentinel, compared by identity."""


NOTHING = Nothing()


def test_the_initial_state_keeps_its_identity() -> None:
    first_amount: Projection[Any] = Projection(initial=NOTHING)

    @first_amount.on(Deposited)
    def _(state: Any, event: Deposited) -> Any:
        return event.amount if state is NOTHING else state

    assert check_projection(first_amount, events(Deposited), **FAST) is None
    assert first_amount.initial is NOTHING


def test_the_bundled_relationship_projection_keeps_the_laws() -> None:
    assert check_projection(Relationship, max_examples=20) is None


# -- the laws catch real bugs ---------------------------------------------


def test_a_handler_that_changes_its_state_in_place_is_caught() -> None:
    ledger: Projection[list[int]] = Projection(initial=[])

    @ledger.on(Deposited)
    def append_amount(state: list[int], event: Deposited) -> list[int]:
        state.append(event.amount)
        return state

    with pytest.raises(AssertionError) as raised:
        check_projection(ledger, events(Deposited), **FAST)
    message = str(raised.value)
    assert message.startswith("purity broken: the handler ")
    assert "append_amount changed the state it was given" in message
    assert "on the event: Deposited(id='e1'" in message
    assert "the state given: [] (the projection's initial state)" in message
    assert "became:          [0]" in message
    assert "return a new state instead" in message
    # The smallest log: one event, with the simplest values.
    assert minimal_log(raised.value).count("Deposited(") == 1
    assert "amount=0" in minimal_log(raised.value)


def test_a_change_deep_inside_a_frozen_state_is_caught() -> None:
    @attrs.frozen
    class Totals:
        by_id: dict[str, int] = attrs.Factory(dict)

    totals: Projection[Totals] = Projection(initial=Totals())

    @totals.on(Deposited)
    def _(state: Totals, event: Deposited) -> Totals:
        state.by_id[event.id] = event.amount  # the attrs class is frozen, not this
        return Totals(dict(state.by_id))

    assert "purity broken" in failure(totals, events(Deposited))


def test_a_handler_that_reads_random_numbers_is_caught() -> None:
    noisy: Projection[float] = Projection(initial=0.0)

    @noisy.on(Deposited)
    def _(state: float, event: Deposited) -> float:
        return state + event.amount * random.random()

    message = failure(noisy, events(Deposited))
    assert message.startswith("determinism broken: folding the same 1 event twice")
    assert "random numbers" in message


def test_a_handler_that_reads_the_clock_is_caught() -> None:
    stamped: Projection[tuple[float, ...]] = Projection(initial=())

    @stamped.on(Deposited)
    def _(state: tuple[float, ...], event: Deposited) -> tuple[float, ...]:
        return (*state, time.time())

    message = failure(stamped, events(Deposited))
    assert message.startswith("determinism broken")
    assert "read the clock (time.time, datetime.now)" in message


def test_a_field_the_format_cannot_carry_is_caught() -> None:
    message = failure(
        counting(Blob), events(Blob, data=st.builds(Thing, st.integers()))
    )
    assert message.startswith("round trip broken: a Blob cannot be written in the log")
    assert "payload field data: a Thing cannot be stored" in message
    assert "the event: Blob(id='e1'" in message


def test_a_set_of_objects_the_format_cannot_carry_is_caught() -> None:
    bags = events(Bag, items=st.frozensets(st.builds(Thing, st.integers()), min_size=1))
    message = failure(counting(Bag), bags)
    assert "round trip broken: a Bag cannot be written" in message
    assert "a Thing cannot be stored" in message


def test_a_value_that_reads_back_as_another_is_caught() -> None:
    """No strategy given: the derived values show the union is ambiguous."""
    message = failure(counting(When), events(When))
    assert message.startswith("round trip broken: a When ")
    assert "UncertainDate(" in message
    assert "its declared type" in message


def test_a_handler_that_raises_is_caught_with_the_smallest_event() -> None:
    strict: Projection[int] = Projection(initial=0)

    @strict.on(Deposited)
    def refuse_withdrawals(state: int, event: Deposited) -> int:
        if event.amount < 0:
            raise ValueError(f"negative amount {event.amount}")
        return state + event.amount

    message = failure(strict, events(Deposited))
    assert message.startswith("totality broken: the handler ")
    assert "refuse_withdrawals raised ValueError: negative amount -1" in message
    assert "amount=-1)" in message  # shrunk to the simplest bad amount


def test_a_projection_that_is_not_the_same_twice_is_caught() -> None:
    """A handler that fails once per id passes when the failing log is
    replayed: hypothesis calls that flaky, and it is a determinism bug."""
    seen: set[str] = set()
    once: Projection[int] = Projection(initial=0)

    @once.on(Deposited)
    def _(state: int, event: Deposited) -> int:
        if event.amount == 7 and event.id not in seen:
            seen.add(event.id)
            raise RuntimeError("first time only")
        return state

    deposits = events(Deposited, amount=st.just(7))
    message = failure(once, deposits)
    assert message.startswith("determinism broken")


def test_a_fold_that_ignores_its_start_state_breaks_as_of_consistency() -> None:
    """A Projection whose fold memoizes by event ids, forgetting the state it
    starts from: checkpointed answers start from a saved state."""

    class Memo(Projection[tuple[str, ...]]):
        def fold(self, events: Any, state: Any = None) -> Any:
            return tuple(e.id for e in events)

    memo = Memo(initial=())

    @memo.on(Deposited)
    def _(state: tuple[str, ...], event: Deposited) -> tuple[str, ...]:
        return (*state, event.id)

    message = failure(memo, events(Deposited), max_examples=200)
    assert message.startswith("as-of consistency broken: log.state(projection")
    assert "but folding its" in message


def test_stale_checkpoints_after_a_late_arrival_are_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A log that forgets to drop the checkpoints a late event invalidates."""
    monkeypatch.setattr(View, "_invalidate", lambda self, position: None)
    with pytest.raises(AssertionError) as raised:
        # One bug, then shrink: whether hypothesis goes on looking for more
        # depends on the time since the first (10 s), so on the machine's load.
        check_projection(
            ACCOUNT,
            events(Deposited),
            max_examples=300,
            derandomize=True,
            report_multiple_bugs=False,
        )
    message = str(raised.value)
    assert message.startswith("as-of consistency broken")
    assert "queried with" in message  # the log was queried, then appended to
    # A small log.  (Not a fixed size: hypothesis also draws constants from
    # every local module loaded, so the shrunk log moves as the code grows;
    # 3 events before the CLI restructure, 5 after, in a full run.)
    assert minimal_log(raised.value).count("Deposited(") <= 6


def test_a_declared_merge_that_holds_passes_and_one_that_does_not_is_caught() -> None:
    """A sum declares merge rightly; "the latest amount" is not order-free,
    and a merge that drops one side does not combine: both are caught."""
    total: Projection[int] = Projection(initial=0, merge=lambda a, b: a + b)
    total.on(Deposited)(lambda state, event: state + event.amount)
    check_projection(total, events(Deposited), **FAST)
    latest: Projection[int] = Projection(initial=0, merge=lambda a, b: b or a)
    latest.on(Deposited)(lambda state, event: event.amount)
    with pytest.raises(AssertionError, match="merge broken: the projection declares"):
        check_projection(latest, events(Deposited), **FAST)
    dropping: Projection[int] = Projection(initial=0, merge=lambda a, b: a)
    dropping.on(Deposited)(lambda state, event: state + event.amount)
    with pytest.raises(AssertionError, match=r"merge broken: merge\(fold of the first"):
        check_projection(dropping, events(Deposited), **FAST)


def test_every_law_is_named_in_a_message() -> None:
    assert set(LAWS) == {
        "round trip",
        "totality",
        "purity",
        "determinism",
        "as-of consistency",
        "stable history",
        "merge",
    }
    source = Path(timeline.testing.__file__).read_text(encoding="utf-8")
    for law in LAWS:
        assert f"{law} broken" in source


# -- arguments --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((lambda s, e: s,), {}, "must be a timeline.Projection"),
        ((ACCOUNT, Deposited), {}, "argument 2, <class"),
        ((ACCOUNT, events(Deposited)), {"max_exampels": 10}, "max_exampels=10 is not a hypothesis setting"),  # noqa: E501
        ((ACCOUNT, events(Deposited)), {"max_examples": 0}, "max_examples=0"),
        ((counting(Blob),), {}, "cannot derive values for the field 'data'"),
        ((Projection(initial=0),), {}, "the projection handles no registered event type"),  # noqa: E501
    ],
)  # fmt: skip
def test_invalid_arguments_are_rejected(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_projection(*args, **kwargs)
    assert message in str(raised.value)


def test_settings_are_passed_to_hypothesis() -> None:
    """max_examples bounds the logs checked (derandomize=True, a setting
    too, makes the runs the same every time: with random draws, all three
    logs were empty, and the handler never called, in 2 runs of 1000)."""
    calls: list[int] = []
    counted: Projection[int] = Projection(initial=0)

    @counted.on(Deposited)
    def _(state: int, event: Deposited) -> int:
        calls.append(1)
        return state

    runs = []
    for examples in (3, 10):
        calls.clear()
        check_projection(
            counted,
            events(Deposited, amount=st.just(1)),
            max_examples=examples,
            derandomize=True,
        )
        runs.append(len(calls))
    assert 0 < runs[0] < runs[1], runs
    with pytest.raises(InvalidArgument, match="max_examples"):
        check_projection(counted, max_examples=0)


# -- the import rules ------------------------------------------------------


def test_testing_reaches_hypothesis_only_through_strategies() -> None:
    tree = ast.parse(Path(timeline.testing.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(name.split(".")[0] == "hypothesis" for name in imported)


def test_without_hypothesis_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import timeline.testing\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'timeline-ledger[testing]'" in out.stdout


def test_the_strategies_module_imports_first_or_second() -> None:
    """Importing timeline.strategies before hypothesis works too (hypothesis
    then loads its entry point from the half-imported module)."""
    code = (
        "import timeline.strategies, timeline.testing\n"
        "from hypothesis import strategies as st\n"
        "import timeline\n"
        "print(type(st.from_type(timeline.UncertainDate).example()).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "UncertainDate"
