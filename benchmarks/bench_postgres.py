"""The PostgreSQL log against eventsourcing's PostgreSQL recorder, and the
first query of a fresh process on PostgreSQL and SQLite, in one run.

    python benchmarks/bench_postgres.py [--url URL] [--size 1000000] [--quick]

Not a test.  Needs ``eventsourcing[postgres]`` (9.5.6 measured) and a server:
``--url`` or ``TIMELINE_TEST_POSTGRES_URL``, else it starts a throwaway one
with ``tools/pg-test-server`` (stopped at the end).  Prints, with the
machine, date and load average:

- durable appends (each waits for the server's commit to reach its disk)
  in batches of 1 and of 1000: timeline's PostgreSQL log and eventsourcing's
  PostgreSQL recorder (one aggregate, ``app.save`` a batch) on the same
  server, and the ratio;
- on a log of ``--size`` events (``_workload.py``, the realistic mix),
  built once and kept in the server (and a SQLite copy in ``--tmpdir``):
  the first ``log.state`` (certain, possible, pending) in a fresh process,
  without persisted checkpoints and with them, then the median and 90th
  percentile of 40 later queries on random days; PostgreSQL against SQLite
  in the same run (issue 13: later queries within 2x SQLite's; first query
  with persisted checkpoints under 100 ms; issue 15: SQLite's first query
  without them at most 2 s);
- eventsourcing's fresh-process ``repository.get`` of an aggregate of
  ``--es-size`` events with a snapshot every 1,000 (its nearest
  counterpart of a first answer).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _workload import make_workload

import timeline

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tools" / "pg-test-server"


def say(message: str) -> None:
    print(message, flush=True)


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def with_log(url: str, name: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}log={name}"


def appends(url: str, batch: int, events: int) -> float:
    """Events a second appended to a new log, ``batch`` an append."""
    from _workload import Observed

    target = with_log(url, f"bench-append-{batch}-{os.getpid()}-{time.time_ns()}")
    day = datetime.date(2024, 1, 1)
    made = [
        Observed(id=f"e{i}", occurred="2024-01", recorded=day, value=i)
        for i in range(events)
    ]
    with timeline.open_log(target) as log:
        start = time.perf_counter()
        for first in range(0, events, batch):
            log.append(*made[first : first + batch])
        return events / (time.perf_counter() - start)


def foreign_key(url: str) -> str:
    """The foreign key of timeline.events made by older versions, if any."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT string_agg(conname, ', ') FROM pg_constraint "
            "WHERE conrelid = to_regclass('timeline.events') AND contype = 'f'"
        ).fetchone()
    return str(row[0]) if row and row[0] else ""


def es_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS es_bench")


def es_appends(url: str, batch: int, events: int) -> float:
    import _es

    app = _es.CounterApp(env=_es.es_env(url))
    aggregate = _es.Counter()
    start = time.perf_counter()
    app.save(aggregate)
    for i in range(1, events):
        aggregate.observe(value=i)
        if i % batch == 0:
            app.save(aggregate)
    app.save(aggregate)
    took = time.perf_counter() - start
    app.close()
    return events / took


def build(url: str, size: int) -> str:
    """The URL of a log of ``size`` workload events (built once, kept)."""
    target = with_log(url, f"bench-{size}")
    with timeline.open_log(target) as log:
        if log.last_seq == size:
            progress(f"reusing {target} ({size:,} events)")
            return target
        if log.last_seq:
            raise SystemExit(f"{target} has {log.last_seq} events, not {size}")
        progress(f"building {size:,} events in {target}")
        start = time.perf_counter()
        workload = make_workload(size)
        for batch in workload.batches(10_000):
            log.append(*batch)
        progress(f"built in {time.perf_counter() - start:.0f} s")
    return target


QUERY = r"""
import random, statistics, sys, time, datetime
sys.path.insert(0, {bench!r})
import timeline
from _workload import count_handler
from timeline._storage.relational import RelationalLog
target, persisted, later = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
projection = timeline.Projection(0, name="bench-count")
projection.on(timeline.Event)(count_handler)
start = time.perf_counter()
if target.startswith("postgresql"):
    from timeline._storage.postgres import PostgresLog
    log = PostgresLog(target, create=False, checkpoints=persisted)
else:
    from timeline._storage.sqlite import SQLiteLog
    log = SQLiteLog(target, create=False, checkpoints=persisted)
opened = time.perf_counter() - start
rng = random.Random(5)
low = datetime.date(2000, 1, 1).toordinal()
high = datetime.date(2025, 12, 31).toordinal()
first_day = datetime.date.fromordinal(high - 30)
start, cpu = time.perf_counter(), time.process_time()
answer = log.state(projection, first_day)
first = time.perf_counter() - start
first_cpu = time.process_time() - cpu
times = []
for _ in range(later):
    day = datetime.date.fromordinal(rng.randrange(low, high))
    start = time.perf_counter()
    log.state(projection, day)
    times.append(time.perf_counter() - start)
times.sort()
print(opened, first, statistics.median(times) if times else 0,
      times[int(len(times) * 0.9)] if times else 0, len(answer.pending), first_cpu)
"""


def fresh_query(target: str, persisted: bool, later: int) -> tuple[float, ...]:
    code = QUERY.format(bench=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", code, target, "1" if persisted else "0", str(later)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return tuple(float(x) for x in done.stdout.split())


MEMORY = r"""
import datetime, resource, sys
sys.path.insert(0, {bench!r})
import timeline
from _workload import count_handler
target, persisted, kind = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
if kind == "count":
    projection = timeline.Projection(0, name="bench-memory-count")
    projection.on(timeline.Event)(count_handler)
else:  # a state of constant size, a new one at each event
    projection = timeline.Projection((), name="bench-memory-recent")

    @projection.on(timeline.Event)
    def recent(state, event):
        return (*state[-7:], event.id)

if target.startswith("postgresql"):
    from timeline._storage.postgres import PostgresLog
    log = PostgresLog(target, create=False, checkpoints=persisted)
else:
    from timeline._storage.sqlite import SQLiteLog
    log = SQLiteLog(target, create=False, checkpoints=persisted)
opened = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
answer = log.state(projection, datetime.date(2025, 12, 1))
answer.possible, answer.pending
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(opened, peak)
"""


def fresh_memory(target: str, persisted: bool, kind: str) -> tuple[int, int]:
    """(peak RSS in KiB of a fresh process once the log is open, and after
    its first ``state`` with the projection ``kind``)."""
    code = MEMORY.format(bench=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", code, target, "1" if persisted else "0", kind],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    opened, peak = (int(x) for x in done.stdout.split())
    return opened, peak


def memory(url: str, sizes: Sequence[int], tmpdir: str) -> None:
    """Peak RSS of the first query in a fresh process, at each size: what
    the query adds to the process once the log is open (the baseline,
    measured in the same process) must not grow with the log."""
    say("\n## Peak RSS of a fresh process's first query (issue 13 item 2)\n")
    say(
        "| backend | projection | persisted checkpoints | "
        + " | ".join(f"{n:,} events: open → after the query (added)" for n in sizes)
        + f" | added at {sizes[-1]:,} / at {sizes[0]:,} |"
    )
    say("|---|---|---|" + "---|" * (len(sizes) + 1))
    targets = {}
    for size in sizes:
        target = build(url, size)
        path = Path(tmpdir) / f"bench-postgres-{size}.sqlite"
        if not path.exists():
            progress(f"converting to {path}")
            timeline.convert(target, path)
        targets[size] = (target, str(path))
    for backend in (0, 1):
        for kind in ("count", "recent"):
            for persisted in (False, True):
                cells, added = [], []
                for size in sizes:
                    where = targets[size][backend]
                    if persisted:
                        fresh_memory(where, True, kind)  # a first process saves
                    opened, peak = fresh_memory(where, persisted, kind)
                    added.append(peak - opened)
                    cells.append(
                        f"{opened / 1024:.0f} → {peak / 1024:.0f} MiB "
                        f"(+{(peak - opened) / 1024:.1f})"
                    )
                ratio = added[-1] / max(added[0], 1)
                say(
                    f"| {('PostgreSQL', 'SQLite')[backend]} | {kind} | "
                    f"{'yes' if persisted else 'no'} | {' | '.join(cells)} | "
                    f"{ratio:.2f}× |"
                )


ES_GET = r"""
import sys, time
sys.path.insert(0, {bench!r})
import _es
from uuid import UUID
app = _es.SnapshottingCounterApp(env={env!r})
start = time.perf_counter()
found = app.repository.get(UUID(sys.argv[1]))
print(time.perf_counter() - start, found.version)
"""


def es_fresh_get(url: str, size: int) -> tuple[float, int]:
    import _es

    env = _es.es_env(url)
    app = _es.SnapshottingCounterApp(env=env)
    aggregate = _es.Counter()
    app.save(aggregate)
    for i in range(1, size):
        aggregate.observe(value=i)
        if i % 1000 == 0:
            app.save(aggregate)
    app.save(aggregate)
    app.close()
    code = ES_GET.format(bench=str(Path(__file__).parent), env=env)
    times = []
    version = 0
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code, str(aggregate.id)],
            capture_output=True,
            text=True,
            check=True,
        )
        took, version_text = done.stdout.split()
        times.append(float(took))
        version = int(version_text)
    return statistics.median(times), version


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def machine() -> str:
    import sqlite3

    import psycopg

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    ).stdout.strip()
    from importlib.metadata import version

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, psycopg "
        f"{psycopg.__version__}, eventsourcing {version('eventsourcing')}, timeline "
        f"{commit}, {datetime.datetime.now():%Y-%m-%d %H:%M}, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a postgresql:// URL (default: start one)")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--es-size", type=int, default=100_000)
    parser.add_argument("--ones", type=int, default=300, help="appends of 1")
    parser.add_argument("--thousands", type=int, default=100, help="appends of 1000")
    parser.add_argument("--tmpdir", default=tempfile.gettempdir())
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--appends-only", action="store_true", help="the append table only"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="append measurements (each a ratio)"
    )
    parser.add_argument(
        "--memory",
        metavar="SIZES",
        help="only the peak RSS of first queries, at these sizes (e.g. 1e5,1e6)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.es_size, args.ones, args.thousands = 20_000, 10_000, 50, 10
    started = None
    url = args.url or os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    if not url:
        started = tempfile.mkdtemp(prefix="bench-pg-")
        lines = subprocess.run(
            [str(SERVER), "start", started], capture_output=True, text=True, check=True
        ).stdout
        url = lines.split("TIMELINE_TEST_POSTGRES_URL=", 1)[1].split()[0]
    try:
        run(url, args)
    finally:
        if started:
            subprocess.run([str(SERVER), "stop", started], check=False)
    return 0


def run(url: str, args: argparse.Namespace) -> None:
    if args.memory:
        say(f"# bench_postgres: {machine()}, {server_version(url)}")
        sizes = [int(float(n)) for n in args.memory.split(",")]
        memory(url, sizes, args.tmpdir)
        return
    es_schema(url)
    say(f"# bench_postgres: {machine()}, {server_version(url)}\n")
    say("## Durable appends (each commit waits for the server's disk)\n")
    old_tables = foreign_key(url)
    if old_tables:
        say(f"(timeline.events has {old_tables}: tables of an older version, slower")
        say(" appends; DROP SCHEMA timeline CASCADE to measure this version's)")
    say("| batch | timeline PostgreSQL | eventsourcing PostgreSQL | ratio |")
    say("|---|---|---|---|")
    for round_ in range(args.rounds):
        for batch, count in ((1, args.ones), (1000, args.thousands * 1000)):
            progress(f"appends of {batch} (round {round_ + 1})")
            ours = appends(url, batch, count)
            theirs = es_appends(url, batch, count)
            say(
                f"| {batch} | {ours:,.0f} ev/s | {theirs:,.0f} ev/s | "
                f"{ours / theirs:.2f}× |"
            )
    if args.appends_only:
        return
    target = build(url, args.size)
    sqlite_path = Path(args.tmpdir) / f"bench-postgres-{args.size}.sqlite"
    if not sqlite_path.exists():
        progress(f"converting to {sqlite_path}")
        timeline.convert(target, sqlite_path)
    say(f"\n## As-of queries at {args.size:,} events, each run in a fresh process\n")
    say(
        "| backend | persisted checkpoints | open | first query (CPU) | later median "
        "| later p90 | pending (first) |"
    )
    say("|---|---|---|---|---|---|---|")
    rows: dict[tuple[str, bool], tuple[float, ...]] = {}
    for name, where in (("PostgreSQL", target), ("SQLite", str(sqlite_path))):
        progress(f"{name}: without persisted checkpoints")
        rows[name, False] = fresh_query(where, False, 0)
        progress(f"{name}: saving persisted checkpoints (a first process)")
        fresh_query(where, True, 0)
        progress(f"{name}: with persisted checkpoints")
        rows[name, True] = fresh_query(where, True, 40)
    for (name, persisted), row in rows.items():
        opened, first, median, p90, pending, cpu = row
        later = (ms(median), ms(p90)) if persisted else ("", "")
        say(
            f"| {name} | {'yes' if persisted else 'no'} | {ms(opened)} | "
            f"{ms(first)} ({ms(cpu)}) | {later[0]} | {later[1]} | {pending:.0f} |"
        )
    pg, lite = rows["PostgreSQL", True], rows["SQLite", True]
    say(
        f"\nPostgreSQL/SQLite, later queries: median {pg[2] / lite[2]:.2f}×, "
        f"p90 {pg[3] / lite[3]:.2f}× (target ≤ 2×); first query with persisted "
        f"checkpoints: PostgreSQL {ms(pg[1])}, SQLite {ms(lite[1])} (target < 100 ms);"
        f" without: PostgreSQL {ms(rows['PostgreSQL', False][1])}, SQLite "
        f"{ms(rows['SQLite', False][1])} ({ms(rows['SQLite', False][5])} CPU; "
        "issue 15 target for SQLite ≤ 2 s)"
    )
    progress(f"eventsourcing: {args.es_size:,} events with snapshots")
    took, version = es_fresh_get(url, args.es_size)
    say(
        f"\neventsourcing PostgreSQL, fresh process, repository.get of an aggregate "
        f"of {version:,} events (snapshot every 1,000): {ms(took)} (median of 3)"
    )


if __name__ == "__main__":
    sys.exit(main())
