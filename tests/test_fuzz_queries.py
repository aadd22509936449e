"""Issue 17 item 4: a Fuzz policy, given to a log or to one query, widens
every event's bounds for every as-of query, ``events(during=...)``
included (state, certain, provenance and diff: tests/test_replay.py)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline
from strategies import counted, event_logs, known_at_days
from strategies import uncertain_dates as any_dates
from timeline import Event, Fuzz, Log, UncertainDate

POLICIES = st.builds(Fuzz, approximate=st.integers(0, 3), uncertain=st.integers(0, 3))
INF = float("inf")


def fuzzy_events(
    events: Sequence[Event],
    known_at: datetime.date | None,
    during: UncertainDate | None,
    fuzz: Fuzz,
) -> list[str]:
    """The naive answer: the events counted on ``known_at`` whose widened
    days meet ``during``'s, in the fold order of the widened bounds."""
    seq = {id(e): i for i, e in enumerate(events)}
    bounds = {id(e): e.occurred.fuzzy_days(fuzz) for e in events}

    def key(e: Event) -> tuple[float, float, int]:
        lo, hi = bounds[id(e)]
        return (INF if hi is None else hi, -INF if lo is None else lo, seq[id(e)])

    def meets(e: Event) -> bool:
        if during is None:
            return True
        lo, hi = bounds[id(e)]
        first, last = during.earliest_day, during.latest_day
        return (hi is None or first is None or hi >= first) and (
            lo is None or last is None or lo <= last
        )

    return [e.id for e in sorted(counted(events, known_at), key=key) if meets(e)]


@settings(max_examples=80, deadline=None)
@given(
    events=event_logs(max_size=12),
    fuzz=POLICIES,
    on_log=st.booleans(),
    data=st.data(),
)
def test_events_during_a_date_honour_the_policy(
    events: list[Event], fuzz: Fuzz, on_log: bool, data: st.DataObject
) -> None:
    log = Log(events, fuzz=fuzz) if on_log else Log(events)
    ask: dict[str, Any] = {} if on_log else {"fuzz": fuzz}
    during = data.draw(st.none() | any_dates())
    known_at = data.draw(known_at_days(events))
    got = log.events(during=during, known_at=known_at, **ask)
    assert [e.id for e in got] == fuzzy_events(events, known_at, during, fuzz)
    strict = log.events(during=during, known_at=known_at, fuzz=Fuzz(0, 0))
    assert [e.id for e in strict] == fuzzy_events(events, known_at, during, Fuzz(0, 0))


@timeline.event_type("tests.fuzz_queries.founded")
class Founded(Event):
    pass


def test_about_1850_is_found_in_1849_and_1851_under_the_policy(tmp_path: Any) -> None:
    brewery = Founded(id="brewery", occurred="about 1850", recorded="2024-01-01")
    for log in (
        Log([brewery]),
        timeline.open_log(tmp_path / "a.jsonl", create=True),
        timeline.open_log(tmp_path / "a.sqlite", create=True),
    ):
        if len(log) == 0:
            log.append(brewery)
        for year in ("1849", "1851"):
            assert log.events(during=year) == ()
            found = log.events(during=year, fuzz=Fuzz())
            assert [e.id for e in found] == ["brewery"], (log, year)
        assert log.events(during="1848", fuzz=Fuzz()) == ()
        close = getattr(log, "close", None)
        if close is not None:
            close()
    fuzzy = Log([brewery], fuzz=Fuzz())
    assert [e.id for e in fuzzy.events(during="1851")] == ["brewery"]
    assert fuzzy.events(during="1851", fuzz=Fuzz(0, 0)) == ()
    with pytest.raises(TypeError, match=r"fuzz: expected a timeline\.Fuzz"):
        fuzzy.events(during="1851", fuzz=1)  # type: ignore[arg-type]
