"""The long fold of a relational log (issue 15 item 5): rows are read a page
at a time, decoded a few at a time and folded a part at a time with its
checkpoints, and after a first page the superseded rows are left out by the
reader itself (a set of their sequence numbers) instead of the database
asking per row.  Every answer must be the in-memory log's whatever those
sizes are, so they are drawn small here, each part and page boundary
falling anywhere (the defaults, 8192 rows and 256 events, are never reached
by the contract tests' logs of a dozen events)."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import _postgres
from strategies import TRACE, Noted, event_logs, queries
from test_storage_contract import (
    POLICIES,
    _answers,
    _fuzzy_answers,
    _rebuild,
    check_model,
)
from timeline import Event, Fuzz
from timeline._storage import SQLiteLog

#: (page, decoded, checkpoint_every, superseded_in_memory)
SIZES = st.tuples(
    st.integers(1, 5), st.integers(1, 4), st.integers(1, 5), st.integers(0, 3)
)


def _sqlite(directory: Path, every: int) -> Any:
    return SQLiteLog(
        directory / "x.sqlite", checkpoint_every=every, persist_every=every
    )


def _postgres_log(directory: Path, every: int) -> Any:
    from timeline._storage.postgres import PostgresLog

    return PostgresLog(
        _postgres.fresh_url("pages"), checkpoint_every=every, persist_every=every
    )


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest) -> Callable[[Path, int], Any]:
    if request.param == "postgres":
        _postgres.server_url()  # skips (fails in CI) without a server
        return _postgres_log
    return _sqlite


def _sized(log: Any, page: int, decoded: int, in_memory: int) -> Any:
    log.page = page
    log.decoded = decoded
    log.superseded_in_memory = in_memory
    return log


def _corrections() -> list[Event]:
    """A late arrival and a correction among events of one day: a long
    fold's superseded row sits behind its first page."""
    return [
        Noted(id="a", occurred="2024-01-01", recorded="2024-02-01"),
        Noted(id="b", occurred="2024-01-02", recorded="2024-02-01"),
        Noted(id="c", occurred="2024-01-03", recorded="2024-02-01"),
        Noted(id="d", occurred="2024-01-03", recorded="2024-02-02", supersedes=("c",)),
        Noted(id="e", occurred="2023-12", recorded="2024-02-03"),
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    event_logs(min_size=1, max_size=16).flatmap(
        lambda events: st.tuples(
            st.just(events),
            st.lists(queries(events), min_size=1, max_size=3),
            SIZES,
            POLICIES,
        )
    )
)
@example(
    (
        _corrections(),
        [(datetime.date(2024, 12, 31), None)],
        (1, 1, 2, 0),
        Fuzz(),
    )
)
@example(
    (
        _corrections(),
        [(datetime.date(2024, 12, 31), None)],
        (2, 3, 2, 1),
        Fuzz(approximate=0, uncertain=0),
    )
)
def test_answers_equal_the_in_memory_log_whatever_the_page_sizes(
    opener: Callable[[Path, int], Any],
    tmp_path: Path,
    drawn: tuple[list[Event], list[Any], tuple[int, int, int, int], Fuzz],
) -> None:
    events, asks, (page, decoded, every, in_memory), fuzz = drawn
    with tempfile.TemporaryDirectory(dir=tmp_path) as name:
        directory = Path(name)
        log = _sized(opener(directory, every), page, decoded, in_memory)
        try:
            log.append(*events)
            model = _rebuild(events)
            for _ in range(2):  # the second time from the checkpoints kept
                for as_of, known_at in asks:
                    check_model(log, events, as_of, known_at)
                    assert _answers(log, as_of, known_at) == _answers(
                        model, as_of, known_at
                    )
                    assert _fuzzy_answers(log, as_of, known_at, fuzz) == (
                        _fuzzy_answers(model, as_of, known_at, fuzz)
                    )
            # The checkpoints the small parts left: each is the state of the
            # events folded up to its key (what a later query resumes from).
            for (_, version, policy), view in log._checkpoints.items():
                if version is not None or policy is not None:
                    continue
                if view.projection is not TRACE:
                    continue
                for key, state in zip(view.keys, view.states, strict=True):
                    if not isinstance(state, tuple):
                        continue  # a persisted state not yet loaded
                    assert state == _trace_until(log, key)
        finally:
            log.close()


def _trace_until(log: Any, key: tuple[int, int, int]) -> tuple[str, ...]:
    """The TRACE state of the current version's events up to fold key
    ``key``, folded one by one (the per-event path)."""
    state: tuple[str, ...] = TRACE.initial
    for found, event in log._counted(log._max_seq(), "e.hi <= :day", {"day": key[0]}):
        if found <= key:
            state = TRACE.fold((event,), state)
    return state
