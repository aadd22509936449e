"""The same workload through ``eventsourcing`` (installed for the benchmark
only): one aggregate, one event type with a small payload, like
``_workload.Observed``.

Kept in its own module so that ``bench_timeline`` runs without
``eventsourcing`` (the comparison is then skipped), and because
eventsourcing resolves classes by topic (module and qualified name), so
they must be module-level.
"""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

__all__ = ["Counter", "CounterApp", "SnapshottingCounterApp"]


class Counter(Aggregate):
    """Counts its events, like the counting projection."""

    def __init__(self) -> None:
        self.count = 0

    @event("Observed")
    def observe(self, value: int) -> None:
        self.count += 1


class CounterApp(Application):
    pass


class SnapshottingCounterApp(Application):
    """Takes a snapshot every 1,000 versions, as the issue's reference."""

    snapshotting_intervals = {Counter: 1000}  # noqa: RUF012 (eventsourcing's API)
