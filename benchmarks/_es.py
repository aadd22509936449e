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

__all__ = ["Counter", "CounterApp", "SnapshottingCounterApp", "es_env"]


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


def es_env(url: str) -> dict[str, str]:
    """eventsourcing's settings for the PostgreSQL server of ``url`` (the
    schema ``es_bench``, made by the caller; tables made on first use)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "unused",
        "POSTGRES_SCHEMA": "es_bench",
        "CREATE_TABLE": "y",
    }
