"""Queries under a Fuzz policy on SQLite (and PostgreSQL), against the same
queries strict and against the in-memory log under the policy, measured in
one run (CPU time, one query each).

    python benchmarks/bench_fuzzy.py [--n 100000] [--postgres URL]

The workload: ``n`` events over 1800-1999, a sixth each "about YEAR",
"YEAR", a month, a day, "YEAR?" and "about DECADE" (the coarsest widening,
ten years, sets how far a fuzzy query reads around its day).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import timeline
from timeline._storage.sqlite import SQLiteLog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from strategies import Noted

FORMS = ("{y}~", "{y}", "{y}-{m:02d}", "{y}-{m:02d}-{d:02d}", "{y}?", "{c}X~")
DAY = "1900-06-01"


def workload(n: int) -> list[timeline.Event]:
    rng = random.Random(5)
    events: list[timeline.Event] = []
    for i in range(n):
        y, m, d = rng.randint(1800, 1999), rng.randint(1, 12), rng.randint(1, 28)
        text = rng.choice(FORMS).format(y=y, m=m, d=d, c=y // 10)
        events.append(Noted(id=f"e{i}", occurred=text, recorded="2024-01-01"))
    return events


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def measure(log: Any, count: timeline.Projection[int]) -> dict[str, float]:
    fuzz = timeline.Fuzz()
    found: dict[str, float] = {}
    found["strict, first query"], _ = cpu(lambda: log.state(count, DAY))
    found["strict, again"], strict = cpu(lambda: log.state(count, DAY))
    found["strict pending"], _ = cpu(lambda: strict.pending)
    found["fuzzy, first query"], _ = cpu(lambda: log.state(count, DAY, fuzz=fuzz))
    found["fuzzy, again"], fuzzy = cpu(lambda: log.state(count, DAY, fuzz=fuzz))
    found["fuzzy pending"], _ = cpu(lambda: fuzzy.pending)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    )
    args = parser.parse_args()
    events = workload(args.n)
    count = timeline.Projection(initial=0, name="count")
    count.on(timeline.Event)(lambda state, event: state + 1)
    print(f"{args.n:,} events; load average {os.getloadavg()[0]:.1f}")
    memory = measure(timeline.Log(events, clock=None), count)
    logs: list[tuple[str, Any]] = []
    folder = tempfile.mkdtemp()
    logs.append(("SQLite", SQLiteLog(Path(folder) / "x.sqlite", fsync=False)))
    if args.postgres:
        separator = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{separator}log=fuzzy-{uuid.uuid4().hex[:12]}"
        logs.append(("PostgreSQL", timeline.open_log(url)))
    for name, log in logs:
        for start in range(0, len(events), 1000):
            log.append(*events[start : start + 1000])
        found = measure(log, count)
        log.close()
        print(f"\n{name} (ms CPU; x = against the in-memory log's fuzzy query)")
        for what, seconds in found.items():
            versus = memory[what] if what.startswith("fuzzy") else None
            ratio = f"  {seconds / versus:8.1f}x" if versus else ""
            print(f"  {what:22} {seconds * 1000:9.1f}{ratio}")
    print("\nin-memory log (ms CPU)")
    for what, seconds in memory.items():
        print(f"  {what:22} {seconds * 1000:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
