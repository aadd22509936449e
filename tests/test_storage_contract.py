"""One contract for every log: in memory, JSON Lines file, SQLite, PostgreSQL.

``LogContract`` states what a log promises (issue 4): appends with
``expected_seq``, all-or-nothing batches (a rejected batch leaves the log
unchanged, on disk too), iteration in append order, lookups, as-of answers
equal to those of the in-memory :class:`timeline.Log` (and to the naive
model in ``strategies``), ``known_at`` views, and the same events and
answers after reopening.  It is subclassed once per backend; the durable
ones also promise a lossless codec and schema evolution by upcasters.
"""

from __future__ import annotations

import datetime
import enum
import itertools
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import _postgres
import timeline
from strategies import (
    SELECTIVE,
    TRACE,
    Counted,
    Noted,
    bad_batches,
    batches,
    event_logs,
    expected,
    ids,
    queries,
    selective_ids,
    uncertain_dates,
)
from timeline import (
    ConcurrencyError,
    Event,
    Fuzz,
    IntegrityError,
    InvalidEventError,
    Log,
    Source,
    Text,
    UncertainDate,
)
from timeline._events import _REGISTRY, recorded_key
from timeline._storage import FileLog, SQLiteLog
from timeline._storage.codec import decode_record, encode_event
from timeline._storage.jsonl import raw_records

# -- a rich event type: every kind of value the format carries -----------------


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Estimate:
    """An attrs value class, as a payload field."""

    low: int
    high: int
    unit: str = "people"
    note: str | None = None


@timeline.event_type("contract.rich")
class Rich(Event):
    count: int = 0
    ratio: float = 0.0
    label: str = ""
    flag: bool = False
    colour: Colour = Colour.RED
    level: Level | None = None
    when: UncertainDate | None = None
    day: datetime.date | None = None
    stamp: datetime.datetime | None = None
    pair: tuple[int, str] = (0, "")
    names: tuple[str, ...] = ()
    dates: tuple[UncertainDate, ...] = ()
    estimate: Estimate | None = None
    estimates: tuple[Estimate, ...] = ()
    members: frozenset[str] = frozenset()
    scores: Mapping[str, int] = attrs.field(factory=dict, hash=False)
    caption: Text | None = None
    either: int | str = 0


class Opaque:
    """A custom class: nothing the format can carry."""


@timeline.event_type("contract.secret")
class Secret(Event):
    """A type that a test takes out of the registry: a reader without it."""

    words: tuple[str, ...] = ()
    n: int = 0


@timeline.event_type("contract.holding")
class Holding(Event):
    thing: Any = None


# Schema evolution: version 1 had ``count``; version 2 renamed it ``total``
# and added ``unit``.  Both stay registered: old writers keep writing v1.


@timeline.event_type("contract.evolving", version=1)
class EvolvingV1(Event):
    count: int = 0


@timeline.event_type("contract.evolving", version=2)
class EvolvingV2(Event):
    total: int = 0
    unit: str = "people"


@timeline.upcaster("contract.evolving", 1)
def _evolving_1_to_2(payload: dict[str, Any]) -> dict[str, Any]:
    return {"total": payload["count"], "unit": "people"}


# -- strategies -----------------------------------------------------------------

_texts = st.text(max_size=12)
_ids = st.text(min_size=1, max_size=10).filter(lambda s: s == s.strip())
_words = st.text(min_size=1, max_size=8)
_languages = st.sampled_from(["en", "ja", "ko", "ru", "und"])
_zones = st.sampled_from(
    [
        None,
        datetime.UTC,
        datetime.timezone(datetime.timedelta(hours=9)),
        datetime.timezone(datetime.timedelta(hours=-3, minutes=-30)),
    ]
)
_estimates = st.builds(
    Estimate,
    low=st.integers(-(10**6), 10**6),
    high=st.integers(-(10**6), 10**6),
    unit=_texts,
    note=st.none() | _texts,
)
_sources = st.builds(
    Source,
    title=_texts,
    url=st.none() | _texts,
    publisher=st.none() | _texts,
    published=st.none() | uncertain_dates(),
    language=st.none() | _languages,
    quote=st.none() | _texts,
    confidence=st.sampled_from([None, "high", "medium", "low"]),
)
_recorded = st.one_of(
    st.dates(),
    st.datetimes(timezones=_zones),
)


@st.composite
def rich_events(draw: st.DrawFn, event_id: str | None = None) -> Rich:
    return Rich(
        id=event_id or draw(_ids),
        occurred=draw(uncertain_dates()),
        recorded=draw(_recorded),
        source=draw(st.none() | _sources),
        summary=draw(
            st.none() | st.dictionaries(_languages, _texts, min_size=1).map(Text.of)
        ),
        tags=tuple(draw(st.lists(_words, max_size=3))),
        count=draw(st.integers()),
        ratio=draw(st.floats(allow_nan=False, allow_infinity=False)),
        label=draw(st.text()),
        flag=draw(st.booleans()),
        colour=draw(st.sampled_from(Colour)),
        level=draw(st.none() | st.sampled_from(Level)),
        when=draw(st.none() | uncertain_dates()),
        day=draw(st.none() | st.dates()),
        stamp=draw(st.none() | st.datetimes(timezones=_zones)),
        pair=(draw(st.integers()), draw(_texts)),
        names=tuple(draw(st.lists(_texts, max_size=3))),
        dates=tuple(draw(st.lists(uncertain_dates(), max_size=3))),
        estimate=draw(st.none() | _estimates),
        estimates=tuple(draw(st.lists(_estimates, max_size=2))),
        members=draw(st.frozensets(_texts, max_size=3)),
        scores=draw(st.dictionaries(_texts, st.integers(), max_size=3)),
        caption=draw(
            st.none() | st.dictionaries(_languages, _texts, min_size=1).map(Text.of)
        ),
        either=draw(st.integers() | st.text(max_size=5)),
    )


def test_codec_round_trip_of_every_supported_value() -> None:
    @given(rich_events(), st.integers(1, 10**9), st.booleans())
    @settings(max_examples=300, deadline=None)
    def check(event: Rich, seq: int, more: bool) -> None:
        body = encode_event(event, seq, more=more)
        record = decode_record(json.loads(body), "test")
        assert record.event == event
        assert record.seq == seq
        assert record.more is more
        # Canonical: what was read back writes the very same bytes.
        assert encode_event(record.event, seq, more=more) == body

    check()


@attrs.frozen
class Boxed:
    """An attrs value class with a private (aliased) and a derived field."""

    _inner: int
    label: str = ""
    twice: int = attrs.field(init=False)

    @twice.default
    def _twice(self) -> int:
        return 2 * self._inner


@timeline.event_type("contract.boxed")
class Boxing(Event):
    box: Boxed
    boxes: tuple[Boxed, ...] = ()


def test_attrs_values_with_private_and_derived_fields_round_trip() -> None:
    event = Boxing(
        id="x",
        occurred="2024",
        recorded="2024-01-01",
        box=Boxed(3, "a"),
        boxes=(Boxed(1), Boxed(2, "b")),
    )
    body = encode_event(event, 1)
    assert json.loads(body)["payload"]["box"] == {"_inner": 3, "label": "a"}
    assert decode_record(json.loads(body), "test").event == event


def test_the_record_keeps_the_documented_key_order() -> None:
    event = Rich(
        id="r1",
        occurred="2024-06",
        recorded="2024-07-01",
        estimate=Estimate(1, 2),
        members=frozenset({"b", "a"}),
        scores={"z": 1, "a": 2},
    )
    obj = json.loads(encode_event(event, 7, more=True))
    assert list(obj) == [
        "seq",
        "id",
        "type",
        "v",
        "occurred",
        "recorded",
        "source",
        "summary",
        "supersedes",
        "tags",
        "payload",
        "more",
    ]
    assert obj["type"] == "contract.rich"
    assert obj["v"] == 1
    assert list(obj["payload"]) == [a.name for a in attrs.fields(Rich)][7:]
    assert obj["payload"]["estimate"] == {
        "low": 1,
        "high": 2,
        "unit": "people",
        "note": None,
    }
    assert obj["payload"]["members"] == ["a", "b"]
    assert list(obj["payload"]["scores"]) == ["a", "z"]


#: Values the format cannot carry, each with a field type that accepts anything.
UNSTORABLE: list[tuple[str, Any]] = [
    ("a custom class", Opaque()),
    ("a set of objects", frozenset({Opaque(), Opaque()})),
    ("bytes", b"\x00\x01"),
    ("a complex number", 1j),
    ("NaN", float("nan")),
    ("infinity", float("inf")),
    ("a mapping with int keys", {1: "a"}),
    ("a mapping with mixed keys", {1: "a", "b": 2}),
    ("a lone surrogate", "\ud800"),
    ("an integer too long for JSON", 10**5000),
    ("a time of day", datetime.time(10, 30)),
]


def _rebuild(events: Sequence[Event]) -> Log:
    log = Log(clock=None)  # (events a log took once, on any recorded day)
    if events:
        log.append(*events)
    return log


def check_model(
    log: Any,
    events: Sequence[Event],
    as_of: datetime.date,
    known_at: datetime.date | None,
) -> None:
    """``strategies.check_state`` by value: a durable log decodes new objects."""
    want = expected(events, as_of, known_at)
    got = log.state(TRACE, as_of, known_at)
    assert got.certain == ids(want.certain)
    assert got.possible == ids(want.possible)
    assert got.pending == tuple(want.pending)
    sel = log.state(SELECTIVE, as_of, known_at)
    assert sel.certain == selective_ids(want.certain)
    assert sel.possible == selective_ids(want.possible)
    # certain() is the certain state alone, computed without pending events.
    assert log.certain(TRACE, as_of, known_at) == ids(want.certain)


def _answers(log: Any, as_of: datetime.date, known_at: Any) -> Any:
    return (
        log.state(TRACE, as_of, known_at),
        log.state(SELECTIVE, as_of, known_at),
        log.provenance(SELECTIVE, as_of, known_at),
        log.timeline(known_at),
        log.count_known_at(known_at),
    )


#: Fuzz policies: none (strict), the default, wider, one-sided.
POLICIES = st.builds(Fuzz, approximate=st.integers(0, 3), uncertain=st.integers(0, 3))


def _fuzzy_answers(log: Any, as_of: datetime.date, known_at: Any, fuzz: Fuzz) -> Any:
    return (
        log.state(TRACE, as_of, known_at, fuzz=fuzz),
        log.state(SELECTIVE, as_of, known_at, fuzz=fuzz),
        log.certain(SELECTIVE, as_of, known_at, fuzz=fuzz),
        log.provenance(SELECTIVE, as_of, known_at, fuzz=fuzz),
    )


class LogContract:
    """What every log promises.  Subclasses say how to open one."""

    #: hypothesis examples per property (durable logs fsync every append)
    examples: ClassVar[int] = 25
    durable: ClassVar[bool] = True

    # -- backend hooks -------------------------------------------------------

    def open(self, directory: Path, *, every: int = 3) -> Any:
        """A new, empty log in ``directory`` (small checkpoint spacing)."""
        raise NotImplementedError

    def reopen(self, log: Any, directory: Path) -> Any:
        """Close ``log`` and open the same log again (through open_log)."""
        raise NotImplementedError

    def second_handle(self, log: Any, directory: Path) -> Any:
        """Another, independent handle on the same log."""
        raise NotImplementedError

    def on_disk(self, directory: Path) -> object:
        """A snapshot of the stored bytes (None in memory)."""
        return None

    def close(self, log: Any) -> None:
        log.close()

    # -- helpers ---------------------------------------------------------------

    @pytest.fixture
    def where(self, tmp_path: Path) -> Iterator[Callable[[], Any]]:
        """Fresh directories for hypothesis examples (tmp_path is per test)."""
        made: list[tempfile.TemporaryDirectory[str]] = []

        def fresh() -> Any:
            made.append(tempfile.TemporaryDirectory(dir=tmp_path))
            return made[-1]

        yield fresh
        for directory in made:
            directory.cleanup()

    def run(self, strategy: st.SearchStrategy[Any], test: Callable[..., None]) -> None:
        @given(strategy)
        @settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        def property_(args: Any) -> None:
            test(*args)

        property_()

    # -- appending -------------------------------------------------------------

    def test_append_returns_the_last_seq_and_iterates_in_append_order(
        self, where: Callable[[], Any]
    ) -> None:
        def check(events: list[Event], cuts: list[list[Event]]) -> None:
            with where() as name:
                directory = Path(name)
                log = self.open(directory)
                total = 0
                for batch in cuts:
                    total += len(batch)
                    assert log.append(*batch, expected_seq=log.last_seq) == total
                    assert len(log) == total == log.last_seq
                assert list(log) == events
                self._check_lookups(log, events)
                log = self.reopen(log, directory)
                assert list(log) == events
                assert len(log) == len(events) == log.last_seq
                self._check_lookups(log, events)
                self.close(log)

        strategy = event_logs(max_size=10).flatmap(
            lambda events: st.tuples(st.just(events), batches(events))
        )
        self.run(strategy, check)

    def _check_lookups(self, log: Any, events: Sequence[Event]) -> None:
        model = _rebuild(events)
        for seq, event in enumerate(events, start=1):
            assert event.id in log
            assert log.get(event.id) == event
            assert log.seq(event.id) == seq
            assert log.at(seq) == event
            assert log.superseded_by(event.id) == model.superseded_by(event.id)
        assert "no-such-event" not in log
        with pytest.raises(KeyError, match="no-such-event"):
            log.get("no-such-event")
        with pytest.raises(KeyError, match="no-such-event"):
            log.seq("no-such-event")
        with pytest.raises(KeyError, match="no-such-event"):
            log.superseded_by("no-such-event")
        for seq in (0, -1, len(events) + 1):
            with pytest.raises(IndexError, match=str(seq)):
                log.at(seq)

    def test_expected_seq_is_checked_against_the_log(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        first = Noted(id="a", occurred="2024", recorded="2024-01-01")
        second = Noted(id="b", occurred="2024-03", recorded="2024-01-02")
        assert log.append(expected_seq=0) == 0  # an empty batch checks, adds nothing
        assert log.append(first, expected_seq=0) == 1
        before = self.on_disk(tmp_path)
        for stale in (0, 2, 7):
            with pytest.raises(ConcurrencyError) as caught:
                log.append(second, expected_seq=stale)
            assert (caught.value.expected, caught.value.actual) == (stale, 1)
            assert str(stale) in str(caught.value)
        for wrong in (True, "1", 1.0):
            with pytest.raises(TypeError, match="expected_seq"):
                log.append(second, expected_seq=wrong)
        assert self.on_disk(tmp_path) == before
        assert list(log) == [first]
        assert log.append(second, expected_seq=1) == 2
        assert log.append(expected_seq=2) == 2
        with pytest.raises(ConcurrencyError):
            log.append(expected_seq=1)
        assert list(self.reopen(log, tmp_path)) == [first, second]

    def test_a_rejected_batch_leaves_the_log_unchanged(
        self, where: Callable[[], Any]
    ) -> None:
        def check(prior: list[Event], bad: tuple[list[Any], Any, int]) -> None:
            batch, _, _ = bad
            with where() as name:
                directory = Path(name)
                log = self.open(directory)
                if prior:
                    log.append(*prior)
                before = self.on_disk(directory)
                with pytest.raises(InvalidEventError, match=r"event [0-9]+ of the"):
                    log.append(*batch, expected_seq=len(prior))
                assert self.on_disk(directory) == before
                assert list(log) == prior
                assert len(log) == len(prior)
                # Not wedged: a valid append still goes through, exactly once.
                good = Noted(
                    id="after-rejection", occurred="2001", recorded="2025-01-01"
                )
                assert log.append(good, expected_seq=len(prior)) == len(prior) + 1
                log = self.reopen(log, directory)
                assert list(log) == [*prior, good]
                self.close(log)

        strategy = event_logs(max_size=6).flatmap(
            lambda prior: st.tuples(st.just(prior), bad_batches(prior))
        )
        self.run(strategy, check)

    @pytest.mark.parametrize(
        ("what", "value"), UNSTORABLE, ids=[w for w, _ in UNSTORABLE]
    )
    def test_a_value_the_format_cannot_carry_is_rejected(
        self, tmp_path: Path, what: str, value: Any
    ) -> None:
        """Every log, the in-memory one too (issue 12 item 6), refuses it."""
        log = self.open(tmp_path)
        first = Noted(id="a", occurred="2024", recorded="2024-01-01")
        log.append(first)
        before = self.on_disk(tmp_path)
        bad = Holding(id="h", occurred="2024", recorded="2024-01-02", thing=value)
        fine = Noted(id="b", occurred="2024", recorded="2024-01-02")
        with pytest.raises(InvalidEventError, match=r"event 2 of the batch.*thing"):
            log.append(fine, bad)
        assert self.on_disk(tmp_path) == before
        assert list(log) == [first]
        assert list(self.reopen(log, tmp_path)) == [first]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("by", "three"),  # Counted.by is an int
            ("by", 2.5),
            ("by", None),
            ("by", True),
        ],
    )
    def test_a_value_that_would_not_read_back_is_rejected(
        self, tmp_path: Path, field: str, value: Any
    ) -> None:
        """Appending what the log could not read back would make it
        unreadable; the in-memory log refuses it too (issue 12 item 6: it took
        ``beer=42`` for ``beer: str``)."""
        log = self.open(tmp_path)
        before = self.on_disk(tmp_path)
        bad = Counted(id="c", occurred="2024", recorded="2024-01-01", **{field: value})
        with pytest.raises(InvalidEventError, match=rf"event 1 of the batch.*{field}"):
            log.append(bad)
        assert self.on_disk(tmp_path) == before
        assert len(log) == 0
        assert list(self.reopen(log, tmp_path)) == []

    # -- the clock (issue 12 item 6) ---------------------------------------------

    @pytest.mark.parametrize(
        ("recorded", "refused"),
        [
            ("2099-01-01", True),  # the typo of issue 12
            ("2024-06-02", True),  # a date later than today anywhere on Earth
            ("2024-06-01", False),  # today in UTC+14
            (datetime.datetime(2024, 6, 1, 0, 4), False),  # naive: UTC+14's now
            (datetime.datetime(2024, 6, 1, 0, 6), True),
            (datetime.datetime(2024, 5, 31, 10, 4, tzinfo=datetime.UTC), False),
            (datetime.datetime(2024, 5, 31, 10, 6, tzinfo=datetime.UTC), True),
            ("2024-05-31T19:05:00+09:00", False),  # 10:05 UTC
        ],
    )
    def test_a_recorded_time_in_the_future_is_refused(
        self, tmp_path: Path, recorded: Any, refused: bool
    ) -> None:
        """Later than the log's clock plus CLOCK_SKEW (5 minutes; a date or
        a naive time may be the wall clock of UTC+14) is refused, naming the
        event, and the log is unchanged; a log with clock=None takes it."""
        now = datetime.datetime(2024, 5, 31, 10, 0, tzinfo=datetime.UTC)
        log = self.open(tmp_path)
        log.clock = lambda: now
        first = Noted(id="a", occurred="2001", recorded="2024-01-01")
        log.append(first)
        before = self.on_disk(tmp_path)
        late = Noted(id="b", occurred="2001", recorded=recorded)
        if not refused:
            assert log.append(late) == 2
            self.close(log)
            return
        with pytest.raises(InvalidEventError, match=r"event 1 of the batch \('b'\)"):
            log.append(late)
        assert self.on_disk(tmp_path) == before
        assert list(log) == [first]
        log.clock = None
        assert log.append(late) == 2
        self.close(log)

    def test_the_future_is_told_by_the_log_clock(self, tmp_path: Path) -> None:
        """By default the clock is the system's: 2099 is refused today."""
        log = self.open(tmp_path)
        assert log.clock is timeline.system_clock
        with pytest.raises(InvalidEventError, match=r"later than now .* clock=None"):
            log.append(Noted(id="a", occurred="2001", recorded="2099-01-01"))
        assert len(log) == 0
        self.close(log)

    def test_a_stamped_append_is_recorded_at_the_clock(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        now = datetime.datetime(2024, 5, 31, 10, 0, tzinfo=datetime.UTC)
        log.clock = lambda: now
        given = Noted(id="a", occurred="2001", recorded="2000-01-01")
        assert log.append(given, stamp=True) == 1
        assert log.get("a").recorded == now
        assert given.recorded == datetime.date(2000, 1, 1)  # (the given one)
        # A clock that reads earlier than the log's last event: the stamp is
        # that event's instant, never earlier (an append never goes back),
        # even beyond the clock skew (a stamp is the log's own time).
        log.clock = lambda: now - datetime.timedelta(hours=1)
        log.append(Noted(id="b", occurred="2001", recorded="2000-01-01"), stamp=True)
        assert log.get("b").recorded == now
        log = self.reopen(log, tmp_path)
        assert [e.recorded for e in log] == [now, now]
        self.close(log)

    # -- reading -----------------------------------------------------------------

    def test_rich_events_read_back_equal(self, where: Callable[[], Any]) -> None:
        def check(events: list[Rich]) -> None:
            with where() as name:
                directory = Path(name)
                log = self.open(directory)
                log.clock = None  # recorded on any day up to 9999
                unique = sorted(events, key=lambda e: recorded_key(e.recorded))
                log.append(*unique)
                assert list(log) == unique
                log = self.reopen(log, directory)
                assert list(log) == unique
                for event in unique:
                    assert log.get(event.id) == event
                self.close(log)

        self.run(
            st.tuples(
                st.lists(
                    rich_events(), min_size=1, max_size=4, unique_by=lambda e: e.id
                )
            ),
            check,
        )

    def test_answers_equal_the_in_memory_log_and_the_model(
        self, where: Callable[[], Any]
    ) -> None:
        """Strict, and under a Fuzz policy (issue 17 item 4: every event's
        bounds widened; coarse, "about" and uncertain dates, corrections,
        open ends, past versions), asked between appends and after
        reopening: the policies never share checkpoints."""

        def check(
            events: list[Event], cuts: list[list[Event]], asks: Any, fuzz: Fuzz
        ) -> None:
            def same(log: Any, model: Log, as_of: Any, known_at: Any) -> None:
                assert _answers(log, as_of, known_at) == _answers(
                    model, as_of, known_at
                )
                assert _fuzzy_answers(log, as_of, known_at, fuzz) == (
                    _fuzzy_answers(model, as_of, known_at, fuzz)
                )

            with where() as name:
                directory = Path(name)
                log = self.open(directory)
                appended: list[Event] = []
                for batch in cuts:
                    log.append(*batch)
                    appended.extend(batch)
                    # Ask between appends: checkpoints must follow new events.
                    model = _rebuild(appended)
                    for as_of, known_at in asks[:2]:
                        same(log, model, as_of, known_at)
                model = _rebuild(events)
                for _ in range(2):  # again from a fresh handle, fresh checkpoints
                    for as_of, known_at in asks:
                        check_model(log, events, as_of, known_at)
                        same(log, model, as_of, known_at)
                    for (start, known_at), (end, _) in itertools.pairwise(asks):
                        for policy in (None, fuzz):
                            assert log.diff(
                                TRACE, start, end, known_at, fuzz=policy
                            ) == model.diff(TRACE, start, end, known_at, fuzz=policy)
                    log = self.reopen(log, directory)
                self.close(log)

        strategy = event_logs(min_size=1, max_size=12).flatmap(
            lambda events: st.tuples(
                st.just(events),
                batches(events),
                st.lists(queries(events), min_size=1, max_size=4),
                POLICIES,
            )
        )
        self.run(strategy, check)

    def test_fuzzy_checkpoints_follow_late_arrivals(
        self, where: Callable[[], Any]
    ) -> None:
        """A fold under a policy, then appends of events that fall before
        its checkpoints (late arrivals, corrections), then the fold again:
        the answers are the in-memory log's."""

        def check(events: list[Event], split: int, fuzz: Fuzz, asks: Any) -> None:
            with where() as name:
                log = self.open(Path(name), every=1)
                days = [datetime.date(9999, 12, 31), *(day for day, _ in asks)]
                for part in (events[:split], events[split:]):
                    if part:
                        log.append(*part)
                    model = _rebuild(list(log))
                    for day in days:
                        assert _fuzzy_answers(log, day, None, fuzz) == (
                            _fuzzy_answers(model, day, None, fuzz)
                        )
                self.close(log)

        strategy = event_logs(min_size=2, max_size=12).flatmap(
            lambda events: st.tuples(
                st.just(events),
                st.integers(1, len(events) - 1),
                POLICIES,
                st.lists(queries(events), max_size=2),
            )
        )
        self.run(strategy, check)

    def test_a_late_arrival_widened_before_a_fuzzy_checkpoint(
        self, tmp_path: Path
    ) -> None:
        """Found by reasoning, pinned: a late event with the latest day of a
        checkpoint's, whose strict key is after it but whose widened one
        is before it, spoils it."""
        fuzz = Fuzz(approximate=3)
        first = Noted(id="b", occurred="1850-03/1850-12", recorded="2024-01-01")
        late = Noted(id="c", occurred="1850-05~/1850-12", recorded="2024-01-02")
        log = self.open(tmp_path, every=1)
        log.append(first)
        assert log.certain(TRACE, "1851-01-01", fuzz=fuzz) == ("b",)
        log.append(late)
        assert log.certain(TRACE, "1851-01-01", fuzz=fuzz) == ("c", "b")
        assert _fuzzy_answers(log, "1851-01-01", None, fuzz) == _fuzzy_answers(
            _rebuild([first, late]), "1851-01-01", None, fuzz
        )
        self.close(log)

    def test_a_fuzzy_fold_from_a_checkpoint_takes_its_day_s_later_events(
        self, tmp_path: Path
    ) -> None:
        """Found by hypothesis (PostgreSQL): a fold resumed from a checkpoint
        must read the rows with the checkpoint's own latest day (here 1999
        after '../1999'), not only later ones."""
        fuzz = Fuzz(approximate=0, uncertain=1)
        events = [
            Noted(id="e1", occurred="-0044", recorded="2024-01-01"),
            Noted(id="e2", occurred="-0044", recorded="2024-01-01"),
            Noted(id="e3", occurred="../1999", recorded="2024-01-01"),
            Noted(id="e4", occurred="1999", recorded="2024-01-01"),
        ]
        log = self.open(tmp_path)  # a checkpoint every 3 events: at e3
        log.append(*events)
        for _ in range(2):
            assert log.certain(TRACE, "1999-12-31", fuzz=fuzz) == (
                "e1",
                "e2",
                "e3",
                "e4",
            )
        self.close(log)

    def test_known_at_views_by_string_date_and_datetime(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        events = [
            Noted(id="a", occurred="2001", recorded="2024-01-01"),
            Noted(id="b", occurred="2001-06", recorded="2024-01-02T10:00:00"),
            Noted(id="c", occurred="2000", recorded="2024-01-02T12:00:00"),
            timeline.Retraction(
                id="r", occurred="2001-06", recorded="2024-01-03", supersedes=("b",)
            ),
        ]
        log.append(*events)
        model = _rebuild(events)
        for known_at in (
            None,
            "2023-12-31",
            "2024-01-02",
            datetime.date(2024, 1, 3),
            datetime.datetime(2024, 1, 2, 11),
            datetime.datetime(2024, 1, 2, 12),
        ):
            assert _answers(log, "2001-12-31", known_at) == _answers(
                model, "2001-12-31", known_at
            )
        assert log.state(TRACE, "2001-12-31", "2024-01-02").certain == ("c", "b", "a")
        assert log.state(TRACE, "2001-12-31").certain == ("c", "r", "a")
        assert log.superseded_by("b") == (events[3],)

    def test_a_second_handle_sees_appends_made_through_the_first(
        self, tmp_path: Path
    ) -> None:
        log = self.open(tmp_path)
        other = self.second_handle(log, tmp_path)
        first = Noted(id="a", occurred="2001", recorded="2024-01-01")
        log.append(first)
        assert list(other) == [first]
        assert other.state(TRACE, "2001-12-31").certain == ("a",)
        second = Noted(id="b", occurred="2000", recorded="2024-01-02")
        with pytest.raises(ConcurrencyError):
            other.append(second, expected_seq=0)
        assert other.append(second, expected_seq=1) == 2
        assert log.last_seq == 2
        assert log.state(TRACE, "2001-12-31").certain == ("b", "a")
        assert log.get("b") == second
        if other is not log:
            self.close(other)

    # -- schema evolution ----------------------------------------------------------

    def test_old_records_are_upcast_when_read_and_never_rewritten(
        self, tmp_path: Path
    ) -> None:
        if not self.durable:
            pytest.skip("an in-memory log holds the objects it was given")
        log = self.open(tmp_path)
        old = EvolvingV1(id="v1", occurred="2001", recorded="2024-01-01", count=7)
        log.append(old)
        stored = self.records(tmp_path)
        log = self.reopen(log, tmp_path)
        [read] = list(log)
        assert read == EvolvingV2(
            id="v1", occurred="2001", recorded="2024-01-01", total=7
        )
        new = EvolvingV2(id="v2", occurred="2002", recorded="2024-01-02", total=3)
        log.append(new)
        log = self.reopen(log, tmp_path)
        assert list(log) == [read, new]
        records = [json.loads(line) for line in self.records(tmp_path)]
        assert [(r["v"], r["payload"]) for r in records] == [
            (1, {"count": 7}),
            (2, {"total": 3, "unit": "people"}),
        ]
        self.close(log)
        assert timeline.verify(self.path(tmp_path)).last_seq == 2
        log = self.open(tmp_path)
        log = self.reopen(log, tmp_path)
        self.close(log)
        assert self.records(tmp_path)[:1] == stored

    # -- without the event types (issue 12 item 8) ----------------------------------

    def test_records_of_types_not_registered_verify_convert_and_repair(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A reader without the event types checks every record up to its
        envelope (and the rules, and a database's derived columns) and
        counts the payloads it could not check; convert copies the records
        byte for byte to every other backend, with the same head; repair
        finds nothing to cut."""
        if not self.durable:
            pytest.skip("an in-memory log holds the objects it was given")
        events = [
            Secret(id="s1", occurred="1850~", recorded="2024-01-01", words=("a",)),
            Noted(id="n", occurred="../1851", recorded="2024-01-02T10:00:00"),
            Secret(
                id="s2",
                occurred="185X",
                recorded="2024-01-03",
                supersedes=("s1",),
                tags=("t",),
                n=-3,
            ),
        ]
        log = self.open(tmp_path)
        log.append(*events[:2])
        log.append(events[2])
        self.close(log)
        path = self.path(tmp_path)
        expected = timeline.verify(path)
        stored = _raw_records(path)
        monkeypatch.delitem(_REGISTRY, "contract.secret")
        with pytest.raises(IntegrityError, match="no event type is registered"):
            timeline.verify(path)
        result = timeline.verify(path, require_types=False)
        assert (result.last_seq, result.head) == (3, expected.head)
        assert result.unchecked == (("contract.secret", 2),)
        assert timeline.repair(path) == 0
        assert _raw_records(path) == stored
        # To every kind of log and back to this kind, without the types.
        for kind in ("jsonl", "sqlite", "postgres"):
            copy, back = _new_log(kind, tmp_path), _new_log(self.kind, tmp_path)
            for source, target in ((path, copy), (copy, back)):
                assert str(timeline.convert(source, target)) == str(expected)
                assert _raw_records(target) == stored, target
                again = timeline.verify(target, require_types=False)
                assert again.unchecked == result.unchecked, target

    kind = ""

    def path(self, directory: Path) -> Path:
        raise NotImplementedError

    def records(self, directory: Path) -> list[bytes]:
        """The stored record bodies."""
        raise NotImplementedError


class TestMemoryLog(LogContract):
    examples = 60
    durable = False

    def open(self, directory: Path, *, every: int = 3) -> Any:
        return Log(checkpoint_every=every)

    def reopen(self, log: Any, directory: Path) -> Any:
        return _rebuild(list(log))

    def second_handle(self, log: Any, directory: Path) -> Any:
        return log

    def close(self, log: Any) -> None:
        pass


class TestFileLog(LogContract):
    kind = "jsonl"

    def path(self, directory: Path) -> Path:
        return directory / "x.jsonl"

    def open(self, directory: Path, *, every: int = 3) -> Any:
        log = FileLog(self.path(directory), checkpoint_every=every)
        assert log.path == self.path(directory)
        return log

    def reopen(self, log: Any, directory: Path) -> Any:
        self.close(log)
        again = timeline.open_log(self.path(directory))
        assert isinstance(again, FileLog)
        assert isinstance(again, Log)
        return again

    def second_handle(self, log: Any, directory: Path) -> Any:
        return timeline.open_log(self.path(directory), create=False)

    def on_disk(self, directory: Path) -> object:
        return self.path(directory).read_bytes()

    def records(self, directory: Path) -> list[bytes]:
        return self.path(directory).read_bytes().splitlines()[1:]

    def test_head_is_the_last_seq_and_hash(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        assert log.head == (0, timeline.verify(self.path(tmp_path)).head)
        log.append(Noted(id="a", occurred="2001", recorded="2024-01-01"))
        result = timeline.verify(self.path(tmp_path))
        assert log.head == (1, result.head)
        assert str(result) == f"1:{result.head}"
        assert log.torn is None
        self.close(log)


class TestSQLiteLog(LogContract):
    kind = "sqlite"

    def path(self, directory: Path) -> Path:
        return directory / "x.sqlite"

    def open(self, directory: Path, *, every: int = 3) -> Any:
        return SQLiteLog(
            self.path(directory), checkpoint_every=every, persist_every=every
        )

    def reopen(self, log: Any, directory: Path) -> Any:
        self.close(log)
        again = timeline.open_log(self.path(directory))
        assert isinstance(again, SQLiteLog)
        return again

    def second_handle(self, log: Any, directory: Path) -> Any:
        return timeline.open_log(self.path(directory), create=False)

    def on_disk(self, directory: Path) -> object:
        path = self.path(directory)
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes(), wal.read_bytes() if wal.exists() else None

    def records(self, directory: Path) -> list[bytes]:
        with SQLiteLog(self.path(directory), create=False) as log:
            return [body for body, _ in log.raw_records()]

    def test_head_is_the_last_seq_and_hash(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        log.append(Noted(id="a", occurred="2001", recorded="2024-01-01"))
        assert log.head == (1, timeline.verify(self.path(tmp_path)).head)
        self.close(log)


def _postgres_log() -> Any:
    """The PostgreSQL backend's class (imported when a test needs psycopg)."""
    from timeline._storage.postgres import PostgresLog

    return PostgresLog


class TestPostgresLog(LogContract):
    """The server of ``TIMELINE_TEST_POSTGRES_URL`` (tests/_postgres.py); a
    fresh log (by name) for each test directory."""

    _urls: ClassVar[dict[Path, str]] = {}
    kind = "postgres"

    def path(self, directory: Path) -> Any:
        if directory not in self._urls:
            self._urls[directory] = _postgres.fresh_url("contract")
        return self._urls[directory]

    def open(self, directory: Path, *, every: int = 3) -> Any:
        return _postgres_log()(
            self.path(directory), checkpoint_every=every, persist_every=every
        )

    def reopen(self, log: Any, directory: Path) -> Any:
        self.close(log)
        again = timeline.open_log(self.path(directory))
        assert isinstance(again, _postgres_log())
        return again

    def second_handle(self, log: Any, directory: Path) -> Any:
        return timeline.open_log(self.path(directory), create=False)

    def on_disk(self, directory: Path) -> object:
        with _postgres_log()(self.path(directory), create=False) as log:
            return (
                log._run(
                    "SELECT seq, id, hi, lo, wc, rday, rsec, body, hash FROM events "
                    "WHERE {log} ORDER BY seq"
                ).fetchall(),
                log._run(
                    "SELECT target, by_seq FROM supersessions WHERE {log} "
                    "ORDER BY target, by_seq"
                ).fetchall(),
            )

    def records(self, directory: Path) -> list[bytes]:
        with _postgres_log()(self.path(directory), create=False) as log:
            return [body for body, _ in log.raw_records()]

    def test_head_is_the_last_seq_and_hash(self, tmp_path: Path) -> None:
        log = self.open(tmp_path)
        log.append(Noted(id="a", occurred="2001", recorded="2024-01-01"))
        assert log.head == (1, timeline.verify(self.path(tmp_path)).head)
        self.close(log)


def _new_log(kind: str, directory: Path) -> Any:
    """A path or URL where ``convert`` may write a new log of ``kind``."""
    if kind == "postgres":
        return _postgres.fresh_url("untyped")
    return directory / f"new-{next(_NEW)}.{kind}"


_NEW = itertools.count()


def _raw_records(target: Any) -> list[tuple[bytes, bytes]]:
    """(body, hash) of every record of a log of any kind, read without
    decoding them."""
    if isinstance(target, Path) and target.suffix == ".jsonl":
        return list(raw_records(target))
    with timeline.open_log(target, create=False) as log:
        return list(log.raw_records())


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_log_level_fuzz_policy_answers_as_the_in_memory_log(
    tmp_path: Path, kind: str
) -> None:
    """``fuzz=`` given to the log, as ``Log(fuzz=)``: "about 1850" is
    pending from 1849 to the end of 1851; a query's own policy wins."""
    fuzz = Fuzz()
    events = [
        Noted(id="about", occurred="1850~", recorded="2024-01-01"),
        Noted(id="decade", occurred="184X?", recorded="2024-01-02"),
        Noted(id="open", occurred="1849-06~/..", recorded="2024-01-03"),
        timeline.Retraction(
            id="fix", occurred="1851~", recorded="2024-01-04", supersedes=("decade",)
        ),
    ]
    memory = Log(fuzz=fuzz, clock=None)
    memory.append(*events)
    if kind == "sqlite":
        log: Any = SQLiteLog(tmp_path / "x.sqlite", fuzz=fuzz)
    else:
        log = _postgres_log()(_postgres.fresh_url("fuzz"), fuzz=fuzz)
    with log:
        log.append(*events[:2])
        log.append(*events[2:])
        for day in ("1848-12-31", "1849-01-01", "1850-06-01", "1851-12-30"):
            for known_at in (None, "2024-01-02"):
                assert _answers(log, day, known_at) == _answers(memory, day, known_at)
        answer = log.state(TRACE, "1851-06-01")
        assert (answer.certain, answer.possible) == ((), ("about", "fix", "open"))
        strict = log.state(TRACE, "1851-06-01", fuzz=Fuzz(0, 0))
        assert strict.certain == ("about",)
        assert log.diff(TRACE, "1851-06-01", "1853-01-01") == memory.diff(
            TRACE, "1851-06-01", "1853-01-01"
        )


def test_open_log_picks_the_backend_by_suffix(tmp_path: Path) -> None:
    for name, kind in [
        ("a.jsonl", FileLog),
        ("a.sqlite", SQLiteLog),
        ("a.sqlite3", SQLiteLog),
        ("a.db", SQLiteLog),
        ("A.JSONL", FileLog),
    ]:
        log = timeline.open_log(tmp_path / name)
        assert isinstance(log, kind)
        log.close()
    for name in ("a.json", "a.txt", "noext"):
        with pytest.raises(ValueError, match=r"\.jsonl"):
            timeline.open_log(tmp_path / name)
        assert not (tmp_path / name).exists()


def test_same_events_give_the_same_records_in_every_backend(tmp_path: Path) -> None:
    events = [
        Noted(id="a", occurred="2001", recorded="2024-01-01"),
        Counted(id="b", occurred="../2001-06", recorded="2024-01-02", by=2),
        Noted(id="c", occurred="2000/..", recorded="2024-01-02", supersedes=("a",)),
    ]
    heads = []
    for name in ("x.jsonl", "x.sqlite"):
        with timeline.open_log(tmp_path / name) as log:
            log.append(*events[:2])
            log.append(events[2])
        heads.append(str(timeline.verify(tmp_path / name)))
    assert heads[0] == heads[1]
