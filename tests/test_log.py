"""The append-only in-memory log: sequence numbers, optimistic concurrency,
all-or-nothing appends, and a stateful test against a list of events."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import timeline
from strategies import (
    SELECTIVE,
    TRACE,
    Bad,
    Noted,
    Unregistered,
    bad_batches,
    batches,
    check_state,
    event_logs,
    new_events,
    queries,
)
from timeline import Event, Log, Retraction
from timeline._log import check_batch

D = datetime.date


def noted(event_id: str, recorded: str = "2024-01-01", **kw: Any) -> Noted:
    return Noted(id=event_id, occurred="2000", recorded=recorded, **kw)


def snapshot(log: Log) -> tuple[Any, ...]:
    """Everything a reader can see of a log, for before/after comparisons."""
    events = list(log)
    return (
        [id(e) for e in events],
        events,
        len(log),
        log.last_seq,
        [log.seq(e.id) for e in events],
        log.state(TRACE, D.max),
        log.state(TRACE, D(2000, 6, 15)),
        log.state(SELECTIVE, D(2001, 1, 1), known_at=D(2024, 1, 2)),
        log.timeline(),
    )


# -- appending ------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(events=event_logs(max_size=10), data=st.data())
def test_sequence_numbers_start_at_one_and_append_returns_the_last(
    events: list[Event], data: st.DataObject
) -> None:
    log = Log()
    assert (len(log), log.last_seq, list(log)) == (0, 0, [])
    appended = 0
    for batch in data.draw(batches(events)):
        seq = log.append(*batch)
        appended += len(batch)
        assert seq == appended == len(log) == log.last_seq
    assert list(log) == events
    assert all(a is b for a, b in zip(log, events, strict=True))
    for n, event in enumerate(events, 1):
        assert log.seq(event.id) == n
        assert log.at(n) is event
        assert log.get(event.id) is event
        assert event.id in log
    assert Log(events).timeline() == log.timeline()


def test_lookups_name_what_is_missing() -> None:
    log = Log([noted("a")])
    with pytest.raises(KeyError, match="'b'"):
        log.get("b")
    with pytest.raises(KeyError, match="'b'"):
        log.seq("b")
    with pytest.raises(IndexError, match="2"):
        log.at(2)
    with pytest.raises(IndexError):
        log.at(0)
    assert "b" not in log


def test_expected_seq_is_optimistic_concurrency() -> None:
    log = Log()
    assert log.append(noted("a"), expected_seq=0) == 1
    assert log.append(noted("b"), noted("c"), expected_seq=1) == 3
    before = snapshot(log)
    for stale in (0, 1, 2, 4):
        with pytest.raises(timeline.ConcurrencyError) as info:
            log.append(noted("d"), expected_seq=stale)
        assert (info.value.expected, info.value.actual) == (stale, 3)
        assert str(stale) in str(info.value)
        assert snapshot(log) == before
    assert isinstance(info.value, timeline.TimelineError)
    with pytest.raises(TypeError):
        log.append(noted("d"), expected_seq="3")  # type: ignore[arg-type]
    assert log.append(expected_seq=3) == 3  # an empty append checks and adds nothing
    assert log.append(noted("d"), expected_seq=3) == 4


def test_recorded_may_repeat_but_never_go_back() -> None:
    log = Log()
    log.append(noted("a", "2024-01-02"), noted("b", "2024-01-02"))
    log.append(noted("c", "2024-01-02T10:00:00"), noted("d", "2024-01-02T10:00:00"))
    log.append(noted("e", "2024-01-03"))
    with pytest.raises(timeline.InvalidEventError, match="2024-01-02"):
        log.append(noted("f", "2024-01-02T23:59:59"))
    with pytest.raises(timeline.InvalidEventError, match="back-dated"):
        log.append(noted("f", "2024-01-04"), noted("g", "2024-01-03"))
    assert [e.id for e in log] == ["a", "b", "c", "d", "e"]


def refused_as_future(
    recorded: datetime.date, now: datetime.datetime, skew: datetime.timedelta
) -> bool:
    """The clock rule written out with datetime arithmetic: an aware time
    later than now + skew, or a date / naive time later than the wall clock
    of UTC+14 plus skew (a date being the start of its day)."""
    utc = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    if isinstance(recorded, datetime.datetime) and recorded.tzinfo is not None:
        return recorded > utc + skew
    if not isinstance(recorded, datetime.datetime):
        recorded = datetime.datetime.combine(recorded, datetime.time())
    wall = (utc + datetime.timedelta(hours=14) + skew).replace(tzinfo=None)
    return recorded > wall


UTC = datetime.UTC
T = datetime.datetime
M = datetime.timedelta(minutes=1)


@st.composite
def clock_cases(
    draw: st.DrawFn,
) -> tuple[list[datetime.datetime], datetime.timedelta, datetime.date]:
    """Clock readings near one instant (forwards and backwards, UTC, naive
    or at an offset), a skew, and a recorded time near the first reading."""
    zones = (
        st.none()
        | st.just(UTC)
        | st.integers(-14 * 60, 14 * 60).map(lambda m: datetime.timezone(m * M))
    )
    base = draw(st.datetimes(T(1900, 1, 1), T(2200, 1, 1)))
    moves = st.timedeltas(-2 * 60 * M, 2 * 60 * M)
    readings = [
        (base + move).replace(tzinfo=zone)
        for move, zone in draw(
            st.lists(st.tuples(moves, zones), min_size=1, max_size=5)
        )
    ]
    skew = draw(st.timedeltas(-60 * M, 48 * 60 * M))
    near = base + draw(st.timedeltas(-3 * 24 * 60 * M, 3 * 24 * 60 * M))
    recorded = draw(
        st.sampled_from([near.date(), near, near.replace(tzinfo=UTC)])
        | zones.map(lambda zone: near.replace(tzinfo=zone or UTC))
    )
    return readings, skew, recorded


@settings(max_examples=300, deadline=None)
@given(case=clock_cases())
@example(  # a bound of an earlier reading is no refusal
    case=(
        [T(2024, 5, 31, 10, tzinfo=UTC), T(2024, 5, 31, 10, 10, tzinfo=UTC)],
        5 * M,
        T(2024, 5, 31, 10, 12, tzinfo=UTC),
    )
)
@example(  # nor are those of a later reading when the clock goes back
    case=(
        [T(2024, 5, 31, 10, 10, tzinfo=UTC), T(2024, 5, 31, 10, tzinfo=UTC)],
        5 * M,
        T(2024, 5, 31, 10, 7, tzinfo=UTC),
    )
)
@example(  # or with another skew
    case=(
        [T(2024, 5, 31, 10, tzinfo=UTC), T(2024, 5, 31, 10, tzinfo=UTC)],
        0 * M,
        T(2024, 5, 31, 10, 3, tzinfo=UTC),
    )
)
@example(  # a date late in the day of UTC+14, a microsecond either side
    case=(
        [T(2024, 5, 31, 9, 54, 59, 999999), T(2024, 5, 31, 9, 55)],
        5 * M,
        datetime.date(2024, 6, 1),
    )
)
def test_a_recorded_time_is_refused_exactly_when_later_than_the_clock_allows(
    case: tuple[list[datetime.datetime], datetime.timedelta, datetime.date],
) -> None:
    """check_batch (which reuses the bounds of an earlier reading of a UTC
    clock as long as the clock has not gone back) against the rule: every
    reading in turn, each refusal naming the event."""
    readings, skew, recorded = case
    event = noted("x", recorded.isoformat())
    for now in readings:
        refused = refused_as_future(event.recorded, now, skew)
        if refused:
            with pytest.raises(timeline.InvalidEventError, match="later than now"):
                check_batch([event], lambda _: False, None, now=now, skew=skew)
        else:
            check_batch([event], lambda _: False, None, now=now, skew=skew)


@settings(max_examples=80, deadline=None)
@given(prior=event_logs(max_size=8), data=st.data())
def test_a_rejected_batch_leaves_the_log_exactly_as_it_was(
    prior: list[Event],
    data: st.DataObject,
) -> None:
    log = Log(checkpoint_every=2)
    log.append(*prior)
    for _ in range(2):  # checkpoints and cached views exist before the attempt
        check_state(log, prior, *data.draw(queries(prior)))
    before = snapshot(log)
    batch, kind, index = data.draw(bad_batches(prior))
    with pytest.raises(timeline.InvalidEventError) as info:
        log.append(*batch)
    assert isinstance(info.value, ValueError)
    assert f"event {index + 1} of the batch" in str(info.value), kind
    assert snapshot(log) == before
    for item in batch:
        if isinstance(item, Event) and item.id not in {e.id for e in prior}:
            assert item.id not in log
    for _ in range(2):
        check_state(log, prior, *data.draw(queries(prior)))
    # Nothing of the rejected batch lingers: its good events still append.
    good = [e for e in batch[:index] if isinstance(e, Event)]
    assert log.append(*good) == len(prior) + len(good)
    check_state(log, [*prior, *good], *data.draw(queries([*prior, *good])))


@pytest.mark.parametrize("kind", list(Bad))
def test_each_kind_of_bad_event_is_rejected_in_the_middle_of_a_batch(
    kind: Bad,
) -> None:
    log = Log([noted("a", "2024-01-05")])
    good = {"occurred": "2000", "recorded": "2024-01-06"}
    bad: Any = {
        Bad.ID_IN_LOG: Noted(id="a", **good),
        Bad.ID_IN_BATCH: Noted(id="b", **good),
        Bad.SUPERSEDES_UNKNOWN: Noted(id="x", supersedes="nowhere", **good),
        Bad.SUPERSEDES_LATER: Noted(id="x", supersedes="c", **good),
        Bad.BACK_DATED: Noted(id="x", occurred="2000", recorded="2024-01-04"),
        Bad.NOT_AN_EVENT: {"id": "x", **good},
        Bad.UNREGISTERED: Unregistered(id="x", **good),
    }[kind]
    batch = [Noted(id="b", **good), bad, Noted(id="c", **good)]
    before = snapshot(log)
    with pytest.raises(timeline.InvalidEventError, match="event 2 of the batch"):
        log.append(*batch)
    assert snapshot(log) == before
    assert "b" not in log


def test_only_declared_event_types_can_be_appended() -> None:
    @attrs.frozen(kw_only=True)
    class Undeclared(Event):
        pass

    log = Log()
    for event in (
        Undeclared(id="x", occurred="2000", recorded="2024-01-01"),
        Event(id="x", occurred="2000", recorded="2024-01-01"),
        Unregistered(id="x", occurred="2000", recorded="2024-01-01"),
    ):
        with pytest.raises(timeline.InvalidEventError, match="event_type"):
            log.append(event)
    with pytest.raises(timeline.InvalidEventError, match="'x'"):
        log.append("x")  # type: ignore[arg-type]
    assert len(log) == 0


def test_retraction_and_supersession_must_point_backwards() -> None:
    log = Log([noted("a")])
    with pytest.raises(timeline.InvalidEventError, match="'b'"):
        log.append(
            Retraction(id="r", occurred="2000", recorded="2024-01-01", supersedes="b"),
            noted("b"),
        )
    assert (
        log.append(
            noted("b"),
            Retraction(id="r", occurred="2000", recorded="2024-01-01", supersedes="b"),
            noted("c", supersedes=("a", "r")),
        )
        == 4
    )
    assert [e.id for e in log.superseded_by("b")] == ["r"]
    assert [e.id for e in log.superseded_by("r")] == ["c"]


# -- nothing edits an event ------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(events=event_logs(min_size=1, max_size=10), data=st.data())
def test_no_public_method_mutates_an_event(
    events: list[Event], data: st.DataObject
) -> None:
    before = [(e, attrs.asdict(e, recurse=False), hash(e)) for e in events]
    copies = [attrs.evolve(e) for e in events]
    log = Log(checkpoint_every=1)
    log.append(*events)
    for _ in range(3):
        as_of, known_at = data.draw(queries(events))
        for projection in (TRACE, SELECTIVE):
            log.state(projection, as_of, known_at)
            log.provenance(projection, as_of, known_at)
            log.diff(projection, D.min, as_of, known_at)
        log.timeline(known_at)
        log.count_known_at(known_at)
    for e in events:
        log.get(e.id), log.seq(e.id), log.superseded_by(e.id), e.id in log
    list(log), len(log), log.last_seq, log.at(1)
    with pytest.raises(timeline.InvalidEventError):
        log.append(*events[:1])
    for (event, fields, hashed), copy in zip(before, copies, strict=True):
        assert attrs.asdict(event, recurse=False) == fields
        assert hash(event) == hashed
        assert event == copy
    assert list(log) == events


def test_events_are_frozen_and_the_log_has_no_way_to_edit_them() -> None:
    event = noted("a")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.supersedes = ("b",)  # type: ignore[misc]
    public = {name for name in dir(Log) if not name.startswith("_")}
    editing = {"remove", "delete", "pop", "clear", "insert", "replace", "edit"}
    editing |= {"update", "truncate", "discard", "set", "extend"}
    assert not public & editing
    assert not hasattr(Log, "__setitem__")
    assert not hasattr(Log, "__delitem__")


# -- the stateful test --------------------------------------------------------


class LogMachine(RuleBasedStateMachine):
    """A Log against its model: a list of the events appended, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.log = Log()
        self.model: list[Event] = []

    @initialize(every=st.sampled_from([1, 2, 3, 64]))
    def start(self, every: int) -> None:
        self.log = Log(checkpoint_every=every)

    @rule(data=st.data(), pass_expected=st.booleans())
    def append_valid_batch(self, data: st.DataObject, pass_expected: bool) -> None:
        batch = data.draw(new_events(self.model, min_size=0, max_size=4))
        expected_seq = len(self.model) if pass_expected else None
        seq = self.log.append(*batch, expected_seq=expected_seq)
        self.model.extend(batch)
        assert seq == len(self.model)

    @rule(data=st.data())
    def append_invalid_batch(self, data: st.DataObject) -> None:
        batch, _, _ = data.draw(bad_batches(self.model))
        before = snapshot(self.log)
        with pytest.raises(timeline.InvalidEventError):
            self.log.append(*batch)
        assert snapshot(self.log) == before

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def append_with_a_stale_expected_seq(self, data: st.DataObject) -> None:
        batch = data.draw(new_events(self.model, min_size=1, max_size=2))
        stale = data.draw(st.integers(0, len(self.model) - 1))
        before = snapshot(self.log)
        with pytest.raises(timeline.ConcurrencyError):
            self.log.append(*batch, expected_seq=stale)
        assert snapshot(self.log) == before

    @rule(data=st.data())
    def query(self, data: st.DataObject) -> None:
        as_of, known_at = data.draw(queries(self.model))
        check_state(self.log, self.model, as_of, known_at)

    @invariant()
    def holds_the_model(self) -> None:
        assert len(self.log) == self.log.last_seq == len(self.model)
        assert all(a is b for a, b in zip(self.log, self.model, strict=True))


LogMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLog = LogMachine.TestCase


def _ids(events: Sequence[Event]) -> list[str]:
    return [e.id for e in events]


def test_a_log_built_from_events_equals_appending_them() -> None:
    events = [noted("a"), noted("b", supersedes=("a",)), noted("c", "2024-02-01")]
    assert _ids(Log(events)) == _ids(events)
    built, appended = Log(events), Log()
    appended.append(*events)
    assert built.state(TRACE, D.max) == appended.state(TRACE, D.max)
    with pytest.raises(ValueError, match="checkpoint_every"):
        Log(checkpoint_every=0)


def _new_york() -> datetime.tzinfo:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        zone: datetime.tzinfo = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database on this machine")
    return zone


def test_the_repeated_hour_of_a_fall_back_is_two_instants() -> None:
    """01:30 before and after New York's fall-back are == (== ignores fold)
    but an hour apart: a batch may not go back from the second to the first,
    and known_at between them counts only the first."""
    from strategies import Noted

    zone = _new_york()
    first = datetime.datetime(2024, 11, 3, 1, 30, tzinfo=zone)  # 05:30 UTC
    second = first.replace(fold=1)  # 06:30 UTC
    assert first == second
    with pytest.raises(timeline.InvalidEventError, match="back-dated"):
        Log().append(
            Noted(id="a", occurred="2000", recorded=second),
            Noted(id="b", occurred="2000", recorded=first),
        )
    log = Log()
    log.append(
        Noted(id="a", occurred="2000", recorded=first),
        Noted(id="b", occurred="2000", recorded=second),
    )
    between = datetime.datetime(2024, 11, 3, 6, 0, tzinfo=datetime.UTC)
    assert log.count_known_at(between) == 1
    assert [event.id for event in log.timeline(between)] == ["a"]


# -- filtering events (issue 12 item 5) -----------------------------------------

TAGS = ("war", "trade", "aid")


def _may_meet(event: Event, period: timeline.UncertainDate | None) -> bool:
    """From the spec: the event's possible days meet the period's."""
    if period is None:
        return True
    lo, hi = event.occurred.earliest_day, event.occurred.latest_day
    p_lo, p_hi = period.earliest_day, period.latest_day
    return (hi is None or p_lo is None or hi >= p_lo) and (
        lo is None or p_hi is None or lo <= p_hi
    )


@settings(max_examples=80, deadline=None)
@given(events=event_logs(max_size=12), data=st.data())
def test_events_keeps_what_the_filters_say_in_fold_order(
    events: list[Event], data: st.DataObject
) -> None:
    from strategies import Counted, Special, counted, in_fold_order, known_at_days
    from strategies import uncertain_dates as any_dates

    events = [
        attrs.evolve(
            e, tags=data.draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2))
        )
        for e in events
    ]
    log = Log()
    log.append(*events)
    during = data.draw(st.none() | any_dates())
    kinds = [Noted, Counted, Special, Retraction, "tests.counted", "tests.ignored"]
    types = data.draw(st.lists(st.sampled_from(kinds), unique=True, max_size=2))
    tags = data.draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2))
    known_at = data.draw(known_at_days(events))

    def wanted(e: Event) -> bool:
        typed = not types or any(
            e.type_name == t if isinstance(t, str) else isinstance(e, t) for t in types
        )
        tagged = not tags or bool(set(tags) & set(e.tags))
        return _may_meet(e, during) and typed and tagged

    want = [e for e in in_fold_order(counted(events, known_at), events) if wanted(e)]
    got = log.events(during=during, types=types, tags=tags, known_at=known_at)
    assert [e.id for e in got] == [e.id for e in want]
    if not (during or types or tags):
        assert got == log.timeline(known_at)


def test_events_takes_texts_dates_and_single_values() -> None:
    log = Log(
        [
            noted("a", tags=("war",)),  # 2000
            Noted(id="b", occurred="1999-12-31", recorded="2024-01-01"),
            Noted(id="c", occurred="../2000-01-01", recorded="2024-01-01"),
            Noted(id="d", occurred="2001/..", recorded="2024-01-02", tags="aid"),
        ]
    )
    assert [e.id for e in log.events(during="2000")] == ["c", "a"]
    assert [e.id for e in log.events(during=D(1999, 12, 31))] == ["b", "c"]
    assert [e.id for e in log.events(during="2005")] == ["d"]
    assert [e.id for e in log.events(tags="war")] == ["a"]
    assert [e.id for e in log.events(types="tests.noted", tags=("aid",))] == ["d"]
    assert [e.id for e in log.events(types=Noted, known_at="2024-01-01")] == [
        "b",
        "c",
        "a",
    ]
    with pytest.raises(TypeError, match="types: expected event classes"):
        log.events(types=(int,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags: expected str"):
        log.events(tags=(1,))  # type: ignore[arg-type]
    with pytest.raises(timeline.InvalidDateError, match="2000-13"):
        log.events(during="2000-13")


@pytest.mark.parametrize("suffix", [".jsonl", ".sqlite"])
def test_durable_logs_filter_events_as_the_log_in_memory(
    tmp_path: Any, suffix: str
) -> None:
    events = [
        noted("a", tags=("war",)),
        Noted(id="b", occurred="1999-12-31", recorded="2024-01-01"),
        Noted(id="c", occurred="../2000-01-01", recorded="2024-01-02"),
        Noted(id="d", occurred="2001/..", recorded="2024-01-02", supersedes=("b",)),
    ]
    memory = Log(events)
    durable = timeline.open_log(tmp_path / f"log{suffix}")
    try:
        durable.append(*events)
        for query in (
            {},
            {"during": "2000"},
            {"during": "2001-06"},
            {"tags": "war"},
            {"known_at": "2024-01-01"},
            {"during": "1999", "known_at": "2024-01-01"},
        ):
            assert durable.events(**query) == memory.events(**query), query
        name = f"<{type(durable).__name__} {str(durable.path)!r}"
        assert repr(durable) == f"{name}: 4 events>"
    finally:
        durable.close()
    # Closed, a log still names itself (the SQLite one can no longer count).
    assert repr(durable) in (f"{name}: 4 events>", f"{name}: closed>")


def test_a_log_repr_gives_its_length() -> None:
    log = Log()
    assert repr(log) == "<Log: 0 events>"
    log.append(*(noted(f"e{i}") for i in range(1234)))
    assert repr(log) == "<Log: 1,234 events>"


def test_a_fuzz_policy_on_a_sqlite_log_answers(tmp_path: Any) -> None:
    """SQLite answers under a Fuzz policy (test_storage_contract compares
    every backend with the in-memory log)."""
    log = timeline.open_log(tmp_path / "log.sqlite")
    try:
        log.append(Noted(id="a", occurred="1850~", recorded="2024-01-01"))
        assert log.state(TRACE, "1851-06-01").certain == ("a",)
        fuzzy = log.state(TRACE, "1851-06-01", fuzz=timeline.Fuzz())
        assert (fuzzy.certain, [e.id for e in fuzzy.pending]) == ((), ["a"])
        assert log.certain(TRACE, "1852-01-01", fuzz=timeline.Fuzz()) == ("a",)
        # A policy that widens nothing is strict.
        assert log.state(TRACE, "1851-06-01", fuzz=timeline.Fuzz(0, 0)).certain == (
            "a",
        )
    finally:
        log.close()
