"""As-of replay: every indexed, checkpointed answer equals the naive fold.

The naive definition (``strategies.expected``), from the spec: the counted
events are those recorded on or before ``known_at`` (all for None), minus
those superseded by one of them; ``certain`` folds the counted events whose
latest day is <= as_of, ``possible`` those whose earliest day is <= as_of or
whose start is open; ``pending`` is the second set minus the first; the fold
order is latest day (open/unknown end last), earliest day (open start
first), sequence number.  TRACE records the ids it folded, in order.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import timeline
from strategies import (
    SELECTIVE,
    TRACE,
    WIDTHS,
    Counted,
    Ignored,
    Noted,
    Special,
    as_of_days,
    batches,
    check_state,
    counted,
    event_logs,
    expected,
    ids,
    in_fold_order,
    known_at_days,
    new_events,
    queries,
    random_batch,
    recorded_day,
    selective_ids,
    uncertain_dates,
)
from timeline import Event, Log, Projection, Retraction, UncertainDate

EVERY = st.sampled_from([1, 2, 3, None])  # None: the default
D = datetime.date


def make_log(every: int | None) -> Log:
    return Log() if every is None else Log(checkpoint_every=every)


def ev(
    event_id: str,
    occurred: str,
    recorded: str = "2024-01-01",
    *,
    kind: type[Event] = Noted,
    supersedes: tuple[str, ...] = (),
) -> Event:
    return kind(
        id=event_id, occurred=occurred, recorded=recorded, supersedes=supersedes
    )


# -- pinned examples --------------------------------------------------------


def test_the_fold_order_is_latest_then_earliest_then_sequence() -> None:
    events = [
        ev("open-end", "2000-01-05/.."),
        ev("unknown-end", "2000-01-01/"),
        ev("month", "2000-01"),  # latest 01-31
        ev("day-31", "2000-01-31"),  # latest 01-31, earliest later than month
        ev("open-start", "../2000-01-31"),  # latest 01-31, earliest open: first
        ev("day-5", "2000-01-05"),
        ev("day-5-again", "2000-01-05"),  # a tie: sequence number decides
        ev("unknown-start", "/2000-01-05"),
        ev("bce", "-0044-03-15"),
        ev("far", "Y170000002"),
    ]
    log = Log(events)
    answer = log.state(TRACE, D(9999, 12, 31))
    assert answer.certain == (
        "bce",
        "unknown-start",
        "day-5",
        "day-5-again",
        "open-start",
        "month",
        "day-31",
    )
    # Open/unknown ends are never certain; ordered by earliest day among them.
    assert ids(answer.pending) == ("unknown-end", "open-end")
    assert answer.possible == (*answer.certain, "unknown-end", "open-end")
    assert "far" not in answer.possible


def test_readme_style_pending_event() -> None:
    log = Log()
    log.append(
        ev("a", "2024-06-10", "2024-07-01"),
        ev("b", "June 2024", "2024-07-01"),
        ev("c", "2024-06-20/..", "2024-07-02"),
    )
    mid = log.state(TRACE, "2024-06-15")
    assert (mid.certain, mid.possible, ids(mid.pending)) == (("a",), ("a", "b"), ("b",))
    late = log.state(TRACE, "2024-06-30")
    assert (late.certain, ids(late.pending)) == (("a", "b"), ("c",))
    before = log.state(TRACE, "2024-06-30", known_at="2024-07-01")
    assert (before.certain, before.pending) == (("a", "b"), ())


def test_a_state_of_none_is_a_state() -> None:
    """A handler may return None; the fold goes on from None, not from the
    initial state (None must not be mistaken for "no state given")."""

    @timeline.event_type("test_replay.reset")
    class Reset(Event):
        pass

    last: Projection[tuple[str, ...] | None] = Projection(initial=("start",))

    @last.on(Noted)
    def _(state: tuple[str, ...] | None, event: Noted) -> tuple[str, ...] | None:
        return (*(state or ()), event.id)

    @last.on(Reset)
    def _(state: tuple[str, ...] | None, event: Reset) -> tuple[str, ...] | None:
        return None

    for every in (1, 2, 64):
        log = Log(checkpoint_every=every)
        log.append(
            ev("a", "2000-01-01"),
            ev("r", "2000-01-02", kind=Reset),
            ev("b", "2000-01"),
            ev("c", "2000-01-03"),
        )
        assert log.state(last, "2000-01-01").certain == ("start", "a")
        answer = log.state(last, "2000-01-02")
        assert answer.certain is None
        assert answer.possible == ("b",)
        answer = log.state(last, "2000-01-03")
        assert answer.certain == ("c",)
        assert answer.possible == ("c", "b")
        assert log.state(last, "2000-02-01").certain == ("c", "b")


def test_as_of_must_be_one_day() -> None:
    log = Log([ev("a", "2000")])
    for coarse in ("2000-06", "2000", "2000-01-01/2000-01-02", "2000-21"):
        with pytest.raises(timeline.InvalidDateError, match=coarse):
            log.state(TRACE, coarse)
        with pytest.raises(timeline.InvalidDateError, match=coarse):
            log.state(TRACE, "2001-01-01", known_at=coarse)
    assert log.state(TRACE, "2000-12-31").certain == ("a",)
    assert log.state(TRACE, datetime.datetime(2000, 12, 31, 23)).certain == ("a",)
    answer = log.state(TRACE, timeline.parse_edtf("2000-12-31"))
    assert answer.as_of == D(2000, 12, 31)


@pytest.mark.parametrize("width", WIDTHS)
def test_spans_of_every_width_are_pending_until_their_last_day(width: int) -> None:
    start = D(2000, 3, 1)
    end = start + datetime.timedelta(days=width)
    events = [
        ev("span", f"{start}/{end}"),
        ev("open-end", f"{start}/.."),
        ev("open-start", f"../{end}"),
    ]
    log = Log(events, checkpoint_every=1)
    one = datetime.timedelta(days=1)
    for as_of in (start - one, start, start + one, end - one, end, end + one):
        check_state(log, events, as_of, None)
    assert ids(log.state(TRACE, end - one).pending) == (
        "open-start",
        "span",
        "open-end",
    )
    assert log.state(TRACE, end).certain == ("open-start", "span")


# -- the central law -----------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(events=event_logs(max_size=14), every=EVERY, data=st.data())
def test_state_equals_the_naive_fold(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    log = make_log(every)
    for batch in data.draw(batches(events)):
        log.append(*batch)
    for _ in range(6):
        as_of, known_at = data.draw(queries(events))
        check_state(log, events, as_of, known_at)


@settings(max_examples=50, deadline=None)
@given(every=EVERY, data=st.data())
def test_queries_interleaved_with_appends(
    every: int | None, data: st.DataObject
) -> None:
    """Checkpoints built by earlier queries stay correct when later appends
    insert events before them (late arrivals) or supersede counted events."""
    log = make_log(every)
    events: list[Event] = []
    for _ in range(data.draw(st.integers(1, 5))):
        for _ in range(data.draw(st.integers(0, 3))):
            as_of, known_at = data.draw(queries(events))
            check_state(log, events, as_of, known_at)
        batch = data.draw(new_events(events, max_size=4))
        assert log.append(*batch) == len(events) + len(batch)
        events.extend(batch)
    for _ in range(4):
        as_of, known_at = data.draw(queries(events))
        check_state(log, events, as_of, known_at)


@example(
    events=[
        ev("e1", "2000-01-10"),
        ev("e2", "2000-01-20"),
        ev("e3", "2000-01-30"),
        ev("e4", "1999-12-01", "2024-01-02"),  # late: before every checkpoint
        ev("e5", "2000-01-15", "2024-01-03", supersedes=("e1",)),
    ],
    as_of=D(2000, 1, 31),
)
@settings(max_examples=40, deadline=None)
@given(events=event_logs(min_size=1, max_size=12), as_of=st.just(D(9999, 12, 31)))
def test_late_arrivals_after_checkpoints(events: list[Event], as_of: D) -> None:
    """Query after every single append, with checkpoints every event, so each
    late arrival and supersession lands before states already saved."""
    log = Log(checkpoint_every=1)
    for n, event in enumerate(events, 1):
        log.append(event)
        for day in (as_of, *(d for d in _bounds(events[:n]))):
            check_state(log, events[:n], day, None)


def _bounds(events: Sequence[Event]) -> list[D]:
    days = []
    for e in events:
        for bound in (e.occurred.earliest_day, e.occurred.latest_day):
            if bound is not None and 1 <= bound <= D.max.toordinal():
                days.append(D.fromordinal(bound))
    return days[:6]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(
    prior=event_logs(max_size=6),
    pool=st.lists(uncertain_dates(), min_size=1, max_size=25),
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(256, 300),
    every=EVERY,
    data=st.data(),
)
def test_bulk_appends_answer_as_one_by_one_appends(
    prior: list[Event],
    pool: list[UncertainDate],
    seed: int,
    size: int,
    every: int | None,
    data: st.DataObject,
) -> None:
    """A bulk load (>= 256 events in one batch, which the log may index in
    one go) answers as the same events appended one at a time, and as the
    naive fold, also for queries made before it and appends made after it."""
    bulk_log, single_log = make_log(every), make_log(every)
    bulk_log.append(*prior)
    single_log.append(*prior)
    for _ in range(2):  # build checkpoints and cached views before the bulk
        as_of, known_at = data.draw(queries(prior))
        check_state(bulk_log, prior, as_of, known_at)
        check_state(single_log, prior, as_of, known_at)
    bulk = random_batch(random.Random(seed), pool, prior, size)
    events = [*prior, *bulk]
    assert bulk_log.append(*bulk) == len(events)
    for event in bulk:
        single_log.append(event)
    after = data.draw(new_events(events, max_size=3))
    for log in (bulk_log, single_log):
        log.append(*after)
    events += after
    assert list(bulk_log) == list(single_log) == events
    for _ in range(5):
        as_of, known_at = data.draw(queries(events))
        check_state(bulk_log, events, as_of, known_at)
        check_state(single_log, events, as_of, known_at)
        for projection in (TRACE, SELECTIVE):
            assert bulk_log.state(projection, as_of, known_at) == single_log.state(
                projection, as_of, known_at
            )


# -- laws that follow ------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(events=event_logs(max_size=14), every=EVERY, data=st.data())
def test_certain_within_possible_and_both_grow_with_as_of(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    log = make_log(every)
    log.append(*events)
    known_at = data.draw(known_at_days(events))
    days = sorted(data.draw(st.lists(as_of_days(events), min_size=2, max_size=5)))
    answers = [log.state(TRACE, day, known_at) for day in days]
    for answer in answers:
        assert set(answer.certain) <= set(answer.possible)
        # The certain events are a prefix; pending folded on top gives possible.
        assert answer.possible == answer.certain + ids(answer.pending)
    for earlier, later in itertools.pairwise(answers):
        assert later.certain[: len(earlier.certain)] == earlier.certain
        assert set(earlier.possible) <= set(later.possible)


@settings(max_examples=50, deadline=None)
@given(events=event_logs(min_size=1, max_size=14), every=EVERY, data=st.data())
def test_an_append_never_changes_answers_known_before_its_recorded_day(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    split = data.draw(st.integers(0, len(events) - 1))
    first_new_day = recorded_day(events[split])
    log = make_log(every)
    log.append(*events[:split])
    asked = []
    for _ in range(4):
        as_of = data.draw(as_of_days(events))
        back = data.draw(st.integers(1, 3))
        known_at = first_new_day - datetime.timedelta(days=back)
        asked.append((as_of, known_at, log.state(TRACE, as_of, known_at)))
    for batch in data.draw(batches(events[split:])):
        log.append(*batch)
    for as_of, known_at, before in asked:
        assert log.state(TRACE, as_of, known_at) == before
        check_state(log, events, as_of, known_at)


@settings(max_examples=40, deadline=None)
@given(events=event_logs(min_size=2, max_size=14), every=EVERY)
def test_superseded_events_stay_readable_and_count_before_the_correction(
    events: list[Event], every: int | None
) -> None:
    log = make_log(every)
    log.append(*events)
    assert list(log) == events
    superseders: dict[str, list[Event]] = {}
    for e in events:
        for target in e.supersedes:
            superseders.setdefault(target, []).append(e)
    for e in events:
        assert log.get(e.id) is e
        by = superseders.get(e.id, [])
        assert log.superseded_by(e.id) == tuple(by)
        if not by:
            continue
        assert e.id not in log.state(TRACE, D.max).possible
        known_at = recorded_day(by[0]) - datetime.timedelta(days=1)
        if recorded_day(e) <= known_at:
            then = log.state(TRACE, D.max, known_at)
            earliest = e.occurred.earliest_day
            if earliest is None or earliest <= D.max.toordinal():
                assert e.id in then.possible
            assert e in log.timeline(known_at)


def test_a_correction_replaces_the_old_event_only_from_its_recorded_day() -> None:
    log = Log()
    log.append(ev("claim", "2020-03", "2024-01-01"))
    log.append(
        ev("fix", "2020-05-02", "2024-02-01", kind=Counted, supersedes=("claim",))
    )
    log.append(
        ev("oops", "2020-05-01", "2024-03-01", kind=Retraction, supersedes=("fix",))
    )
    assert log.state(TRACE, "2020-12-31", known_at="2024-01-31").certain == ("claim",)
    assert log.state(TRACE, "2020-12-31", known_at="2024-02-01").certain == ("fix",)
    # The retraction counts (it is an event) but neither claim nor fix do.
    assert log.state(TRACE, "2020-12-31").certain == ("oops",)
    assert log.state(SELECTIVE, "2020-12-31").certain == ()
    assert [e.id for e in log] == ["claim", "fix", "oops"]
    assert log.get("claim").occurred == timeline.parse_edtf("2020-03")


# -- diff and provenance ------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(events=event_logs(max_size=14), every=EVERY, data=st.data())
def test_diff_is_consistent_with_state(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    log = make_log(every)
    log.append(*events)
    day1, day2 = data.draw(as_of_days(events)), data.draw(as_of_days(events))
    known_at = data.draw(known_at_days(events))
    diff = log.diff(TRACE, day1, day2, known_at)
    assert diff.before == log.state(TRACE, day1, known_at)
    assert diff.after == log.state(TRACE, day2, known_at)
    ordered = in_fold_order(counted(events, known_at), events)

    def between(lo: D, hi: D) -> tuple[str, ...]:
        return tuple(
            e.id
            for e in ordered
            if e.occurred.latest_day is not None
            and lo.toordinal() < e.occurred.latest_day <= hi.toordinal()
        )

    assert ids(diff.became_certain) == between(day1, day2)
    assert ids(diff.no_longer_certain) == between(day2, day1)
    assert diff.changed == (diff.before.certain != diff.after.certain)


@settings(max_examples=50, deadline=None)
@given(events=event_logs(max_size=14), every=EVERY, data=st.data())
def test_provenance_lists_the_events_whose_handler_changed_the_state(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    log = make_log(every)
    log.append(*events)
    as_of, known_at = data.draw(queries(events))
    want = expected(events, as_of, known_at)
    assert ids(log.provenance(TRACE, as_of, known_at)) == ids(want.certain)
    assert ids(log.provenance(SELECTIVE, as_of, known_at)) == selective_ids(
        want.certain
    )
    assert (
        ids(log.provenance(SELECTIVE, as_of, known_at))
        == log.state(SELECTIVE, as_of, known_at).certain
    )


# -- projections -------------------------------------------------------------------


def test_handlers_dispatch_by_type_then_base_class() -> None:
    seen: Projection[tuple[str, ...]] = Projection(initial=())

    @seen.on(Noted)
    def _(state: tuple[str, ...], event: Noted) -> tuple[str, ...]:
        return (*state, f"noted:{event.id}")

    @seen.on(Counted, Retraction)
    def _(state: tuple[str, ...], event: Event) -> tuple[str, ...]:
        return (*state, f"counted-or-retraction:{event.id}")

    log = Log(
        [
            ev("n", "2000-01-01"),
            ev("s", "2000-01-02", kind=Special),
            ev("c", "2000-01-03", kind=Counted),
            ev("i", "2000-01-04", kind=Ignored),
            ev("r", "2000-01-05", kind=Retraction, supersedes=("i",)),
        ]
    )
    assert log.state(seen, "2000-12-31").certain == (
        "noted:n",
        "noted:s",  # through its base class
        "counted-or-retraction:c",
        "counted-or-retraction:r",
    )  # Ignored: no handler, ignored
    assert seen.handler_for(Ignored) is None

    @seen.on(Special)
    def _(state: tuple[str, ...], event: Special) -> tuple[str, ...]:
        return (*state, f"special:{event.id}")

    # A more specific handler wins, and a handler registered after a query
    # is used from the next query on (no stale checkpoint).
    assert log.state(seen, "2000-12-31").certain[1] == "special:s"

    @seen.on(Event)
    def _(state: tuple[str, ...], event: Event) -> tuple[str, ...]:
        return (*state, f"event:{event.id}")

    assert log.state(seen, "2000-12-31").certain == (
        "noted:n",
        "special:s",
        "counted-or-retraction:c",
        "counted-or-retraction:r",
    )  # "i" is retracted; nothing else reaches the catch-all
    assert seen.fold([ev("x", "1990", kind=Ignored)]) == ("event:x",)


def test_projection_on_takes_event_types_only() -> None:
    p: Projection[int] = Projection(initial=0)
    with pytest.raises(TypeError, match="at least one"):
        p.on()
    with pytest.raises(TypeError, match="int"):
        p.on(int)  # type: ignore[arg-type]


@settings(max_examples=30)
@given(events=event_logs(max_size=8), start=st.tuples(st.text(max_size=2)))
def test_projection_fold_follows_the_order_given(
    events: list[Event], start: tuple[str]
) -> None:
    assert TRACE.fold(events) == ids(events)
    assert TRACE.fold(reversed(events)) == ids(events)[::-1]
    assert TRACE.fold(events, start) == start + ids(events)


@pytest.mark.parametrize("documented", [Projection, timeline.AsOf])
def test_fold_order_is_documented_where_users_look(documented: object) -> None:
    text = " ".join((getattr(documented, "__doc__", "") or "").split())
    assert "fold order" in text
    assert "latest" in text
    assert "earliest" in text
    assert "sequence number" in text


# -- no full replay per query ------------------------------------------------------


class CallCounter:
    """A counting projection that also counts its handler's calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.projection: Projection[int] = Projection(initial=0)
        self.projection.on(Event)(self._count)

    def _count(self, state: int, event: Event) -> int:
        self.calls += 1
        return state + 1


def test_a_query_does_not_replay_the_whole_log() -> None:
    counter = CallCounter()
    counting = counter.projection
    every = 16
    log = Log(checkpoint_every=every)
    rng = random.Random(3)
    start = D(1900, 1, 1).toordinal()
    log.append(
        *(
            ev(f"e{i}", D.fromordinal(start + rng.randrange(40000)).isoformat())
            for i in range(2000)
        )
    )
    log.state(counting, D.max)  # builds the checkpoints once
    for _ in range(50):
        day = D.fromordinal(start + rng.randrange(40000))
        counter.calls = 0
        answer = log.state(counting, day)
        assert counter.calls <= every + len(answer.pending)
    # A late arrival spoils only the checkpoints after it.
    log.append(ev("late", "2009-06-01", "2024-01-02"))
    counter.calls = 0
    log.state(counting, "2009-05-31")
    assert counter.calls <= every


def test_a_query_on_a_past_version_does_not_replay_the_whole_log() -> None:
    """Past versions keep their own checkpoints, as the current one does, and
    a late arrival spoils only those after it there too."""
    counter = CallCounter()
    counting = counter.projection
    every = 16
    log = Log(checkpoint_every=every)
    rng = random.Random(4)
    start = D(1900, 1, 1).toordinal()
    recorded = D(2024, 1, 1).toordinal()
    log.append(
        *(
            ev(
                f"e{i}",
                D.fromordinal(start + rng.randrange(40000)).isoformat(),
                D.fromordinal(recorded + i // 100).isoformat(),
            )
            for i in range(2000)
        )
    )
    known_at = D.fromordinal(recorded + 9)  # the first 1000 events
    assert log.state(counting, D.max, known_at).certain == 1000
    for _ in range(50):
        day = D.fromordinal(start + rng.randrange(40000))
        counter.calls = 0
        answer = log.state(counting, day, known_at)
        assert counter.calls <= every + len(answer.pending)
        assert answer.certain == log.certain(counting, day, known_at)
    log.append(ev("late", "2009-06-01", "2024-03-01"))
    counter.calls = 0
    log.state(counting, "2009-05-31", known_at)
    assert counter.calls <= every


# -- lazy answers ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(events=event_logs(max_size=12), every=EVERY, data=st.data())
def test_a_lazy_answer_is_the_answer_of_the_log_as_it_was_asked(
    events: list[Event], every: int | None, data: st.DataObject
) -> None:
    """``pending`` and ``possible`` are computed on first read, yet answer
    for the log at the query: appends made in between (late arrivals,
    corrections) do not show, and handlers registered in between are not
    used.  AsOf's contract holds: possible is certain with the pending
    events folded on top, in fold order."""
    log = make_log(every)
    log.append(*events)
    asked = []
    for _ in range(3):
        as_of, known_at = data.draw(queries(events))
        answers = (
            log.state(TRACE, as_of, known_at),
            log.state(SELECTIVE, as_of, known_at),
        )
        asked.append((as_of, known_at, answers))
    later = data.draw(new_events(events, max_size=5))
    log.append(*later)
    for as_of, known_at, (trace, selective) in asked:
        want = expected(events, as_of, known_at)
        assert ids(trace.pending) == ids(want.pending)
        assert trace.possible == ids(want.possible)
        assert trace.possible == TRACE.fold(trace.pending, trace.certain)
        assert selective.possible == selective_ids(want.possible)
        check_state(log, [*events, *later], as_of, known_at)


def test_handlers_added_after_a_query_do_not_change_its_answer() -> None:
    projection: Projection[tuple[str, ...]] = Projection(initial=())
    projection.on(Noted)(lambda state, event: (*state, event.id))
    log = Log([ev("a", "2000-01-01"), ev("b", "2000"), ev("c", "2000", kind=Counted)])
    answer = log.state(projection, "2000-06-01")
    projection.on(Counted)(lambda state, event: (*state, "counted:" + event.id))
    assert answer.possible == ("a", "b")
    assert log.state(projection, "2000-06-01").possible == ("a", "b", "counted:c")


def test_reading_only_the_certain_state_folds_no_pending_event() -> None:
    counter = CallCounter()
    log = Log(checkpoint_every=4)
    log.append(*(ev(f"y{i}", "2000") for i in range(50)))
    log.append(*(ev(f"d{i}", f"1999-01-{i + 1:02d}") for i in range(20)))
    log.state(counter.projection, D.max)  # checkpoints
    counter.calls = 0
    answer = log.state(counter.projection, "2000-06-01")
    assert answer.certain == 20
    assert counter.calls <= 4
    assert answer.possible == 70
    assert counter.calls >= 50
    calls = counter.calls
    assert len(answer.pending) == 50
    assert counter.calls == calls  # computed once


def test_a_lazy_answer_is_a_value() -> None:
    """Equal to an answer built eagerly with the same five values, with the
    same hash; repr, asdict and pickling show the values."""
    import pickle

    import attrs

    log = Log([ev("a", "2000-01-01"), ev("b", "2000")])
    lazy = log.state(TRACE, "2000-06-01")
    eager = timeline.AsOf(
        as_of=D(2000, 6, 1),
        known_at=None,
        certain=("a",),
        possible=("a", "b"),
        pending=(log.get("b"),),
    )
    assert log.state(TRACE, "2000-06-01") == eager
    assert hash(log.state(TRACE, "2000-06-01")) == hash(eager)
    assert repr(lazy) == repr(eager)
    assert lazy == eager
    assert attrs.asdict(log.state(TRACE, "2000-06-01"), recurse=False) == (
        attrs.asdict(eager, recurse=False)
    )
    assert pickle.loads(pickle.dumps(log.state(TRACE, "2000-06-01"))) == eager
    assert attrs.evolve(log.state(TRACE, "2000-06-01"), certain=()).possible == (
        "a",
        "b",
    )
    assert log.state(TRACE, "2000-06-02") != eager
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lazy.possible = ()  # type: ignore[misc]


# -- the pending index ----------------------------------------------------------------


@st.composite
def index_dates(draw: st.DrawFn) -> UncertainDate:
    """Dates of every index the pending events come from, close together:
    open starts, exact days, months, years, decades, spans wider than a
    century (the widest class), open ends."""
    day = draw(st.dates(D(1990, 1, 1), D(2010, 12, 31)))
    shape = draw(
        st.sampled_from(["../", "day", "month", "year", "decade", "wide", "/.."])
    )
    if shape == "../":
        return timeline.parse_edtf(f"../{day.isoformat()}")
    if shape == "/..":
        return timeline.parse_edtf(f"{day.isoformat()}/..")
    if shape == "day":
        return UncertainDate.from_date(day)
    if shape == "month":
        return timeline.parse_edtf(day.isoformat()[:7])
    if shape == "year":
        return timeline.parse_edtf(str(day.year))
    if shape == "decade":
        return timeline.parse_edtf(f"{day.year // 10}X")
    width = datetime.timedelta(days=draw(st.integers(36525, 80000)))
    start, end = (day - width, day) if draw(st.booleans()) else (day, day + width)
    return UncertainDate.between(
        UncertainDate.from_date(start), UncertainDate.from_date(end)
    )


@example(
    dates=[
        timeline.parse_edtf("../2000-06-01"),
        UncertainDate.between(
            UncertainDate.from_date(D(1800, 1, 1)),
            UncertainDate.from_date(D(2000, 3, 1)),
        ),
        timeline.parse_edtf("2000"),
        timeline.parse_edtf("../2005-01-01"),
        UncertainDate.between(
            UncertainDate.from_date(D(1850, 1, 1)),
            UncertainDate.from_date(D(2003, 1, 1)),
        ),
    ],
    seed=0,
    size=40,
    every=None,
    days=[D(2000, 1, 15)],
)
@settings(max_examples=60, deadline=None)
@given(
    dates=st.lists(index_dates(), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 60),
    every=EVERY,
    days=st.lists(st.dates(D(1989, 1, 1), D(2011, 12, 31)), min_size=1, max_size=6),
)
def test_pending_events_merge_every_index_in_fold_order(
    dates: list[UncertainDate],
    seed: int,
    size: int,
    every: int | None,
    days: list[D],
) -> None:
    """Open starts and the widest spans that end after the window of the
    narrower classes come from their own indexes, in their own order, and
    merge with each other and with the windows: the answer is the naive one,
    appended in one batch, one by one, and with corrections.  Under every
    known_at, the pending events of each index are filtered by sequence
    number and the superseded events the version still counts go in at
    their fold positions, whichever index (or gap between two) they fall
    in, for the first query under each version and a later one."""
    events = random_batch(random.Random(seed), dates, [], size)
    one_go, by_one = make_log(every), make_log(every)
    one_go.append(*events)
    for event in events:
        by_one.append(event)
        check_state(by_one, events[: len(list(by_one))], days[0], None)
    for day in days:
        check_state(one_go, events, day, None)
        check_state(by_one, events, day, None)
    knowns = sorted({recorded_day(event) for event in events})
    for known_at in knowns:
        for day in days[:3]:
            check_state(one_go, events, day, known_at)
    check_state(one_go, events, days[0], knowns[0])


def test_finely_interleaved_pending_events_merge_in_fold_order() -> None:
    """Open starts and spans ending on the same days, one of each a day: the
    merge of their indexes alternates at every event (the sort fallback)."""
    base = D(2000, 1, 1)
    events = []
    for i in range(1, 201):
        end = base + datetime.timedelta(days=i)
        events.append(ev(f"o{i}", f"../{end}"))
        events.append(ev(f"s{i}", f"{end - datetime.timedelta(days=300)}/{end}"))
        events.append(ev(f"m{i}", f"{end - datetime.timedelta(days=20)}/{end}"))
    log = Log(events)
    for days in (0, 1, 5, 50, 150, 199, 200):
        check_state(log, events, base + datetime.timedelta(days=days), None)
    assert len(log.state(TRACE, base).pending) == 420  # m1..m20 have started
    # A past version through the same merge, its corrected events put back.
    fixes = [
        ev(
            f"f{i}",
            f"../{base + datetime.timedelta(days=i)}",
            "2024-02-01",
            supersedes=(f"s{i}",),
        )
        for i in range(1, 201, 7)
    ]
    log.append(*fixes)
    for days in (0, 3, 100, 200):
        day = base + datetime.timedelta(days=days)
        check_state(log, [*events, *fixes], day, D(2024, 1, 1))
        check_state(log, [*events, *fixes], day, None)


# -- a Fuzz policy (issue 17 item 4) ------------------------------------------------

_POLICIES = st.builds(
    timeline.Fuzz, approximate=st.integers(0, 3), uncertain=st.integers(0, 3)
)


def expected_fuzzy(
    events: Sequence[Event],
    as_of: D,
    known_at: D | None,
    fuzz: timeline.Fuzz,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The naive answer with every event's bounds widened by ``fuzz``
    (certain, possible, pending ids), fold order by the widened bounds."""
    from strategies import counted

    inf = float("inf")
    seq = {id(e): i for i, e in enumerate(events)}
    bounds = {id(e): e.occurred.fuzzy_days(fuzz) for e in events}

    def key(e: Event) -> tuple[float, float, int]:
        lo, hi = bounds[id(e)]
        return (inf if hi is None else hi, -inf if lo is None else lo, seq[id(e)])

    day = as_of.toordinal()
    ordered = sorted(counted(events, known_at), key=key)
    certain = [e for e in ordered if (hi := bounds[id(e)][1]) is not None and hi <= day]
    possible = [e for e in ordered if (lo := bounds[id(e)][0]) is None or lo <= day]
    pending = [e for e in possible if e not in certain]
    return ids(certain), ids(possible), ids(pending)


@settings(max_examples=80, deadline=None)
@given(
    events=event_logs(max_size=12),
    every=EVERY,
    fuzz=_POLICIES,
    on_log=st.booleans(),
    data=st.data(),
)
def test_a_fuzz_policy_answers_as_the_naive_fold_of_widened_bounds(
    events: list[Event],
    every: int | None,
    fuzz: timeline.Fuzz,
    on_log: bool,
    data: st.DataObject,
) -> None:
    """Given to the log or to each query, interleaved with appends (late
    arrivals, corrections), under past versions, lazily read; the strict
    answers of the same log are unchanged by it."""
    kwargs = {} if every is None else {"checkpoint_every": every}
    log = Log(fuzz=fuzz, **kwargs) if on_log else Log(**kwargs)
    ask = {} if on_log else {"fuzz": fuzz}
    strict = {"fuzz": timeline.Fuzz(0, 0)} if on_log else {}
    split = data.draw(st.integers(0, len(events)))
    log.append(*events[:split])
    for _ in range(2):
        as_of, known_at = data.draw(queries(events[:split]))
        early = log.state(TRACE, as_of, known_at, **ask)
        assert (early.certain, early.possible, ids(early.pending)) == expected_fuzzy(
            events[:split], as_of, known_at, fuzz
        )
    lazy = log.state(TRACE, as_of, known_at, **ask)
    log.append(*events[split:])
    assert (lazy.certain, lazy.possible, ids(lazy.pending)) == expected_fuzzy(
        events[:split], as_of, known_at, fuzz
    )
    for _ in range(4):
        as_of, known_at = data.draw(queries(events))
        got = log.state(TRACE, as_of, known_at, **ask)
        want = expected_fuzzy(events, as_of, known_at, fuzz)
        assert (got.certain, got.possible, ids(got.pending)) == want
        assert log.certain(TRACE, as_of, known_at, **ask) == want[0]
        assert ids(log.provenance(TRACE, as_of, known_at, **ask)) == want[0]
        plain = log.state(TRACE, as_of, known_at, **strict)
        exact = expected(events, as_of, known_at)
        assert plain.possible == ids(exact.possible)
        assert plain.certain == ids(exact.certain)


def test_about_1850_is_pending_from_1849_to_1851_under_fuzz() -> None:
    log = Log([ev("about", "about 1850")])
    assert log.get("about").occurred == timeline.parse_edtf("1850~")
    fuzz = timeline.Fuzz()
    assert log.state(TRACE, "1851-01-01").certain == ("about",)  # strict: the default
    assert log.state(TRACE, "1849-12-31").possible == ()
    for day in ("1849-01-01", "1850-06-01", "1851-12-30"):
        answer = log.state(TRACE, day, fuzz=fuzz)
        assert (answer.certain, ids(answer.pending)) == ((), ("about",)), day
    assert log.state(TRACE, "1848-12-31", fuzz=fuzz).possible == ()
    assert log.state(TRACE, "1851-12-31", fuzz=fuzz).certain == ("about",)
    fuzzy_log = Log([ev("about", "about 1850")], fuzz=fuzz)
    assert fuzzy_log.state(TRACE, "1851-06-01").certain == ()
    assert fuzzy_log.state(TRACE, "1851-06-01", fuzz=timeline.Fuzz(0, 0)).certain == (
        "about",
    )
    diff = fuzzy_log.diff(TRACE, "1851-06-01", "1852-01-01")
    assert ids(diff.became_certain) == ("about",)
    with pytest.raises(TypeError, match=r"fuzz: expected a timeline\.Fuzz"):
        log.state(TRACE, "1850-01-01", fuzz=1)  # type: ignore[arg-type]


def test_a_fuzz_policy_keeps_its_own_checkpoints() -> None:
    """Queries under a policy fold no more than the strict ones do."""
    counter = CallCounter()
    log = Log(checkpoint_every=8)
    log.append(*(ev(f"e{i}", f"{1800 + i}~") for i in range(300)))
    fuzz = timeline.Fuzz(approximate=2)
    log.state(counter.projection, D.max, fuzz=fuzz)
    for year in (1850, 1900, 2050):
        counter.calls = 0
        answer = log.state(counter.projection, f"{year}-06-01", fuzz=fuzz)
        assert counter.calls <= 8
        assert answer.certain == max(0, min(300, year - 1800 - 2))
        assert len(answer.pending) == min(300, year - 1800 + 3) - answer.certain


def test_past_versions_are_cached_by_memory_not_count() -> None:
    """Rotating among many known_at values keeps them all when they fit the
    budget (a later query folds no more than a checkpoint interval), and a
    small budget keeps only the most recent."""
    events = [
        ev(f"e{i}", f"2000-01-{1 + i % 28:02d}", f"2024-01-{1 + i // 10:02d}")
        for i in range(280)
    ]
    for budget, kept in ((2**30, 25), (1, 2)):
        counter = CallCounter()
        log = Log(events, checkpoint_every=4, cache_bytes=budget)
        days = [D(2024, 1, d) for d in range(1, 26)]
        for known in days:
            log.state(counter.projection, D.max, known)
        assert len(log._views) == kept
        counter.calls = 0
        for known in days[-kept:]:
            assert log.state(counter.projection, D.max, known).certain == 10 * known.day
        assert counter.calls <= 4 * kept


# -- projections that declare merge (issue 15 item 3) ----------------------------

Bag = tuple[int, frozenset[str], int]

#: Order-independent: how many Noted events, their ids, the sum of Counted.by.
BAG: Projection[Bag] = Projection(
    initial=(0, frozenset(), 0),
    name="bag",
    merge=lambda a, b: (a[0] + b[0], a[1] | b[1], a[2] + b[2]),
)


@BAG.on(Noted)
def _bag_noted(state: Bag, event: Noted) -> Bag:
    return (state[0] + 1, state[1] | {event.id}, state[2])


@BAG.on(Counted)
def _bag_counted(state: Bag, event: Counted) -> Bag:
    return (state[0], state[1], state[2] + event.by)


def bag_of(events: Sequence[Event]) -> Bag:
    noted = [e.id for e in events if isinstance(e, Noted)]
    return (
        len(noted),
        frozenset(noted),
        sum(e.by for e in events if isinstance(e, Counted)),
    )


def check_bag(
    log: Log,
    events: Sequence[Event],
    as_of: D,
    known_at: D | None,
    fuzz: timeline.Fuzz | None = None,
) -> None:
    got = log.state(BAG, as_of, known_at, fuzz=fuzz)
    if fuzz is None:
        want = expected(events, as_of, known_at)
        certain, possible = want.certain, want.possible
    else:
        certain_ids, possible_ids, _ = expected_fuzzy(events, as_of, known_at, fuzz)
        by_id = {e.id: e for e in counted(events, known_at)}
        certain = [by_id[i] for i in certain_ids]
        possible = [by_id[i] for i in possible_ids]
    context = f"as_of={as_of} known_at={known_at} fuzz={fuzz}"
    assert got.certain == bag_of(certain), context
    assert got.possible == bag_of(possible), context
    assert log.certain(BAG, as_of, known_at, fuzz=fuzz) == bag_of(certain), context


@example(
    dates=[timeline.parse_edtf("../2000-06-01"), timeline.parse_edtf("2000")],
    seed=1,
    sizes=[30, 5],
    block=2,
    every=1,
    fuzz=None,
    days=[D(2000, 1, 15)],
)
@settings(max_examples=60, deadline=None)
@given(
    dates=st.lists(index_dates(), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=3),
    block=st.sampled_from([1, 2, 3, 7, 64]),
    every=EVERY,
    fuzz=st.none() | _POLICIES,
    days=st.lists(st.dates(D(1989, 1, 1), D(2011, 12, 31)), min_size=1, max_size=3),
)
def test_a_projection_with_merge_answers_as_the_naive_fold(
    dates: list[UncertainDate],
    seed: int,
    sizes: list[int],
    block: int,
    every: int | None,
    fuzz: timeline.Fuzz | None,
    days: list[D],
) -> None:
    """Past versions of a projection that declares ``merge`` combine the
    states of blocks of sequence numbers (of every size, the block a version
    ends in filtered); appends after the blocks are built (late arrivals,
    corrections of events in any block) keep them up to date; under a Fuzz
    policy too.  Every answer is the naive fold's, under every known_at."""
    import timeline._replay as replay

    rng = random.Random(seed)
    saved = replay.SEQ_BLOCK
    replay.SEQ_BLOCK = block
    try:
        log = make_log(every)
        events: list[Event] = []
        for size in sizes:
            events += random_batch(rng, dates, events, size)
            log.append(*events[len(log) :])
            knowns = sorted({recorded_day(event) for event in events})
            for known_at in [*knowns, None]:
                for day in days:
                    check_bag(log, events, day, known_at, fuzz)
    finally:
        replay.SEQ_BLOCK = saved


def test_merge_must_be_a_function() -> None:
    with pytest.raises(TypeError, match="Projection merge: expected a function"):
        Projection(initial=0, merge=0)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    first=st.lists(st.integers(1, 10**7), max_size=40),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "extend", "cut"]),
            st.integers(0, 50),
            st.lists(st.integers(1, 10**9), min_size=1, max_size=5),
        ),
        max_size=12,
    ),
    bounds=st.tuples(st.integers(0, 60), st.integers(0, 60)),
    data=st.data(),
)
def test_the_level_filter_keeps_exactly_the_numbers_up_to_a_count(
    first: list[int],
    steps: list[tuple[str, int, list[int]]],
    bounds: tuple[int, int],
    data: st.DataObject,
) -> None:
    """The byte levels of _Seqs (rescaled when a larger number arrives) give
    the same flags as comparing every number, after any edits."""
    from timeline._replay import _Seqs

    seqs, model = _Seqs(first), list(first)
    for op, at, values in steps:
        at = min(at, len(model))
        if op == "insert":
            seqs.insert(at, values[0])
            model.insert(at, values[0])
        elif op == "delete" and at < len(model):
            seqs.delete(at)
            del model[at]
        elif op == "extend":
            seqs.extend(values)
            model += values
        elif op == "cut":
            seqs.cut(at)
            del model[at:]
    assert list(seqs.numbers) == model
    assert len(seqs.levels) == len(model)
    start, stop = sorted(min(b, len(model)) for b in bounds)
    # Often one of the numbers, or beside one: the level the exact check is for.
    near = st.sampled_from(model).flatmap(lambda n: st.integers(n - 1, n + 1))
    count = data.draw(near if model else st.integers(0, 10**9))
    want = [int(n <= count) for n in model[start:stop]]
    flags = seqs.kept(start, stop, count)
    if flags is None:
        assert all(want)
    else:
        assert list(flags) == want
