"""Durable logs: append throughput and as-of queries on a large SQLite log.

    python benchmarks/bench_storage.py [--quick]

Not a test.  Prints, on this machine:

- durable append throughput (events/s) of the JSON Lines file log and the
  SQLite log, in batches of 1 (an fsync or commit each) and of 1000 (one a
  batch); only the ``append`` calls are timed (wall time: an fsync waits);
- the CPU time and peak resident set to read the JSON Lines log so
  written back (typed events, chain verified), and a JSON Lines log of the
  large workload (10^6 events), with ``open_log`` and with ``verify``,
  against ``orjson.loads`` of the same lines with the collector paused
  (issue 15's baseline) and as is, each in a fresh process;
- the time to build a one-million-event SQLite log (batches of 1000);
- as-of query time on it (``log.state``: certain and possible state, with
  the pending events), from a freshly opened handle: the first query (it
  folds the log up to the day asked, saving checkpoints), then the median
  and 90th percentile of random days under current knowledge, and under
  three past versions (``known_at``), with each version's first query
  reported on its own.

The events come from ``_workload.py`` (shared with bench_timeline.py): days,
months, seasons, years, approximate dates, intervals, open starts and ends,
5% late arrivals and 2% corrections.  ``--quick`` uses 20,000 events and a
few queries (under a minute).  Log files go to ``--tmpdir`` (default: the
system's temporary directory; use a real disk, where fsync means something).
``--explain`` prints SQLite's plans for the queries behind ``state``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import timeline
from timeline import Event

sys.path.insert(0, str(Path(__file__).parent))
from _workload import Workload, counting_projection, make_workload


def say(message: str) -> None:
    print(message, flush=True)


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def rate(events: int, seconds: float) -> str:
    return f"{events / seconds:>12,.0f} events/s"


def quantiles(times: Sequence[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"median {statistics.median(ordered) * 1e3:9.2f} ms, "
        f"p90 {p90 * 1e3:9.2f} ms  ({len(ordered)} queries)"
    )


def appends(
    path: Path,
    batches: Sequence[list[Event]],
    *,
    then: Callable[[], None] | None = None,
) -> float:
    """Append the batches to a new log at ``path``; seconds spent in append."""
    spent = 0.0
    with timeline.open_log(path) as log:
        seq = log.last_seq
        for batch in batches:
            start = time.perf_counter()
            seq = log.append(*batch, expected_seq=seq)
            spent += time.perf_counter() - start
    if then is not None:
        then()
    return spent


def durable_appends(
    workload: Workload, directory: Path, ones: int, thousands: int
) -> None:
    say("\n## Durable appends (wall time in append; fsync/commit per batch)\n")
    for suffix, name in ((".jsonl", "JSON Lines file"), (".sqlite", "SQLite")):
        events = workload.events(0, thousands * 1000)
        batches = [events[i : i + 1000] for i in range(0, len(events), 1000)]
        progress(f"{name}: {len(events):,} events in batches of 1000")
        seconds = appends(directory / f"thousands{suffix}", batches)
        figures = f"{len(events):,} events, {seconds:.2f} s"
        say(f"{name:16} batch 1000: {rate(len(events), seconds)}  ({figures})")
        single = [[event] for event in workload.events(0, ones)]
        progress(f"{name}: {ones} events one by one")
        seconds = appends(directory / f"ones{suffix}", single)
        figures = f"{ones} appends, {seconds * 1e3 / ones:.2f} ms each"
        say(f"{name:16} batch 1   : {rate(ones, seconds)}  ({figures})")


_LOAD_CHILD = """
import gc, resource, sys, time
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
import orjson
import timeline, timeline._storage
import _workload  # registers the benchmark's event types
method, path = sys.argv[1], sys.argv[2]
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()
if method == "open_log":
    log = timeline.open_log(path, create=False)
    count = len(log)
elif method == "verify":
    count = timeline.verify(path).last_seq
elif method == "orjson, GC paused":
    gc.disable()
    lines = Path(path).read_bytes().split(b"\\n")[1:-1]
    count = len([orjson.loads(line) for line in lines])
else:
    lines = Path(path).read_bytes().split(b"\\n")[1:-1]
    count = len([orjson.loads(line) for line in lines])
seconds = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, count, peak, before)
"""

_LOADS = ("open_log", "verify", "orjson, GC paused", "orjson, GC as is")


def jsonl_load(path: Path, repeats: int) -> None:
    """Read a JSON Lines log back, each time in a fresh process: CPU time
    and peak resident set (getrusage).  ``open_log`` (typed events, chain
    and every record checked, the events kept) and ``verify`` (the same
    checks, nothing kept, read a piece at a time) against the baseline of
    issue 15, orjson.loads of the same lines into dicts with the collector
    paused (and, for issue 7's, as is).  The library's time includes
    importing its storage modules: tens of ms."""
    say(f"\n## Reading {path.name} (a fresh process each; best of {repeats})\n")
    code = _LOAD_CHILD.format(benchmarks=str(Path(__file__).parent))
    best: dict[str, tuple[float, float, float]] = {}
    count = 0
    for method in _LOADS * repeats:
        progress(f"reading {path.name}: {method}")
        out = subprocess.run(
            [sys.executable, "-c", code, method, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        seconds, count = float(out[0]), int(out[1])
        peak, base = int(out[2]) / 1024, int(out[3]) / 1024
        if method not in best or seconds < best[method][0]:
            best[method] = (seconds, peak, base)
    paused = best["orjson, GC paused"][0]
    size = path.stat().st_size / 2**20
    say(f"{count:,} records, {size:,.0f} MiB; peak resident set, the interpreter")
    say("and imports included (their share before reading in brackets)\n")
    for method in _LOADS:
        seconds, peak, base = best[method]
        say(
            f"{method:18}: {seconds:7.2f} s CPU ({seconds / count * 1e6:5.2f} us a "
            f"record; {seconds / paused:4.2f}x orjson with GC paused), peak "
            f"{peak:7,.0f} MB ({base:.0f})"
        )


def load_log(workload: Workload, path: Path) -> None:
    """Write the workload to a JSON Lines log, in batches of 1000."""
    progress(f"writing a {len(workload):,}-event JSON Lines log at {path}")
    with timeline.open_log(path) as log:
        seq = 0
        for batch in workload.batches(1000):
            seq = log.append(*batch, expected_seq=seq)


def build(workload: Workload, path: Path) -> float:
    progress(f"building a {len(workload):,}-event SQLite log at {path}")
    spent = 0.0
    with timeline.open_log(path) as log:
        seq = 0
        for number, batch in enumerate(workload.batches(1000)):
            start = time.perf_counter()
            seq = log.append(*batch, expected_seq=seq)
            spent += time.perf_counter() - start
            if number % 100 == 99:
                progress(f"{seq:,} events, {spent:.0f} s in append")
    return spent


def queries(
    workload: Workload, path: Path, count: int, budget: float, seed: int
) -> None:
    rng = random.Random(seed)
    lo, hi = workload.valid_span()
    days = [datetime.date.fromordinal(rng.randint(lo, hi)) for _ in range(count)]
    last_day = datetime.date.fromordinal(hi)
    first, last = workload.specs[0].recorded, workload.last_recorded
    span = f"{datetime.date.fromordinal(lo)}..{last_day}"
    say(f"\n## As-of queries on the {len(workload):,}-event SQLite log\n")
    say(
        f"log.state (certain + possible + pending) at random days in {span};\n"
        "a freshly opened log and a new projection.  A version's first query\n"
        "folds it up to the last day (saving checkpoints); later queries start\n"
        "from the nearest checkpoint and fold the pending events on top.\n"
    )
    with timeline.open_log(path, create=False) as log:
        projection = counting_projection()
        for share in (None, 0.35, 0.65, 0.9):
            if share is None:
                known, label = None, "current knowledge"
            else:
                known = datetime.date.fromordinal(first + int((last - first) * share))
                label = f"known_at {known}"
            start = time.perf_counter()
            answer = log.state(projection, last_day, known)
            seconds = time.perf_counter() - start
            n = log.count_known_at(known)
            progress(f"{label}: first query {seconds:.1f} s")
            times, pending = timed(log, projection, days, known, budget)
            say(
                f"{label:20} ({n:>9,} events): first query {seconds:6.2f} s; "
                f"then {quantiles(times)}; "
                f"pending median {statistics.median(pending):,.0f}"
            )
            del answer


def timed(
    log: Any,
    projection: timeline.Projection[int],
    days: Sequence[datetime.date],
    known_at: datetime.date | None,
    budget: float,
) -> tuple[list[float], list[int]]:
    times: list[float] = []
    pending: list[int] = []
    stop = time.monotonic() + budget
    for day in days:
        start = time.perf_counter()
        answer = log.state(projection, day, known_at)
        times.append(time.perf_counter() - start)
        pending.append(len(answer.pending))
        if time.monotonic() > stop and len(times) >= 10:
            break
    return times, pending


def explain(path: Path) -> None:
    """SQLite's plans for the queries behind ``state`` (they must use the
    indexes: a scan of the events table would cost a second at 10^6)."""
    import sqlite3

    from timeline._replay import _WIDTHS
    from timeline._storage.relational import _COUNTED, _OPEN_END, _OPEN_START

    counted = _COUNTED.format(slog="TRUE")  # one log a SQLite database

    clauses = [
        f"(e.wc = {i} AND e.hi > :day AND e.hi <= :day + {limit} AND e.lo <= :day)"
        for i, limit in enumerate(_WIDTHS)
    ]
    clauses.append(f"(e.wc = {len(_WIDTHS)} AND e.hi > :day AND e.lo <= :day)")
    clauses.append(f"(e.wc = {_OPEN_START} AND e.hi > :day)")
    clauses.append(f"(e.wc = {_OPEN_END} AND e.lo <= :day)")
    plans = {
        "known_at -> how many events were known": (
            "SELECT seq FROM events WHERE (rday, rsec) > (:day, 0) "
            "ORDER BY rday, rsec LIMIT 1"
        ),
        "certain state: fold from a checkpoint": (
            "SELECT e.hi, e.lo, e.seq, e.body FROM events e WHERE "
            "(e.hi, e.lo, e.seq) > (:h, :l, :s) AND e.hi <= :day AND "
            f"{counted} ORDER BY e.hi, e.lo, e.seq"
        ),
        "pending events": (
            "SELECT e.hi, e.lo, e.seq, e.body FROM events e WHERE ("
            + " OR ".join(clauses)
            + f") AND {counted} ORDER BY e.hi, e.lo, e.seq"
        ),
    }
    params = {"h": 0, "l": 0, "s": 0, "day": 730000, "n": 10**9}
    say("\n## Query plans (EXPLAIN QUERY PLAN)\n")
    db = sqlite3.connect(path)
    for name, sql in plans.items():
        say(f"-- {name}")
        for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
            say(f"   {row[-1]}")
    db.close()


def machine() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except OSError:
        commit = "?"
    import sqlite3

    load = os.getloadavg()[0]
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"timeline {commit}, {datetime.date.today()}, load average {load:.1f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="20,000 events, few queries"
    )
    parser.add_argument(
        "--events", type=int, help="size of the SQLite log queried (default 1,000,000)"
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="random days per version"
    )
    parser.add_argument("--tmpdir", help="where the log files go")
    parser.add_argument("--keep", action="store_true", help="keep the log files")
    parser.add_argument(
        "--log", help="query this SQLite log (built with the same --events and --seed)"
    )
    parser.add_argument(
        "--no-appends", action="store_true", help="skip the append throughput part"
    )
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument(
        "--no-load", action="store_true", help="skip reading the large JSON Lines log"
    )
    parser.add_argument(
        "--jsonl", help="read this JSON Lines log (the workload of --events, --seed)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    size = args.events or (20_000 if args.quick else 1_000_000)
    count = 20 if args.quick else args.queries
    budget = 5.0 if args.quick else 60.0
    say(f"# timeline storage benchmark\n\n{machine()}")
    say(f"command: python benchmarks/bench_storage.py {' '.join(argv or sys.argv[1:])}")
    directory = Path(tempfile.mkdtemp(prefix="bench-storage-", dir=args.tmpdir))
    try:
        if not args.no_appends:
            small = make_workload(100_000 if not args.quick else 10_000, args.seed)
            ones = 100 if args.quick else 300
            durable_appends(small, directory, ones, len(small) // 1000)
            jsonl_load(directory / "thousands.jsonl", 1 if args.quick else 3)
        progress(f"generating the {size:,}-event workload")
        workload = make_workload(size, args.seed)
        if not args.no_load:
            large = Path(args.jsonl) if args.jsonl else directory / "large.jsonl"
            if not args.jsonl:
                load_log(workload, large)
            jsonl_load(large, 1 if args.quick else 2)
            if not args.keep and not args.jsonl:
                large.unlink()
        path = Path(args.log) if args.log else directory / "large.sqlite"
        if not args.log:
            seconds = build(workload, path)
            say(f"\n## Building the {size:,}-event SQLite log (batches of 1000)\n")
            say(
                f"{seconds:.1f} s in append ({rate(size, seconds).strip()}); "
                f"{path.stat().st_size / 2**20:,.0f} MiB on disk"
            )
        if args.explain:
            explain(path)
        queries(workload, path, count, budget, args.seed)
    finally:
        if args.keep:
            say(f"\n(log files kept in {directory})")
        else:
            for leftover in sorted(directory.iterdir()):
                leftover.unlink()
            directory.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
