"""The performance benchmark of issue 7: timeline side by side with a naive
full replay, plain JSON parsing and ``eventsourcing``, in one run.

    python benchmarks/bench_timeline.py [--sizes 10000,100000,1000000]
        [--file-sizes ...] [--sqlite-sizes ...] [--es-sizes ...]
        [--quick] [--markdown] [--json OUT]

Every figure is a median over repeats (or over many queries), and every
ratio is against a baseline measured in the same run.  See
benchmarks/README.md for what each line measures and the issue's targets.
Only the public API of ``timeline`` is used.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _workload as W

import timeline
from timeline import Event, Log

HERE = Path(__file__).resolve().parent
US = 1e-6
BATCH = 1000
# Process CPU time for whole-log computations, which other processes on a
# shared machine would otherwise inflate by their share of the cores; wall
# time for durable appends (an fsync is waiting, not computing).  A single
# query is timed as min(wall, CPU), each clock read outside the other's
# interval: a process_time() call costs about 1 µs here, too much inside a
# 20 µs query, while a query preempted by another process (any query of
# many milliseconds, on a busy machine) falls back to its CPU time.
_perf = time.perf_counter
_cpu = time.process_time


# -- results --------------------------------------------------------------


@dataclass
class Row:
    """One line of the report.  ``value`` is in base units: seconds for a
    time, events per second for a rate, bytes for a size."""

    section: str
    name: str
    n: int | None
    value: float | None
    kind: str  # time | rate | bytes | ratio | count | text
    versus: str = ""  # ratio against a baseline measured in this run
    target: str = ""  # the target, where it is measured
    met: bool | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 10 * US:
        return f"{seconds / US:.2f} µs"
    if seconds < 1e-3:
        return f"{seconds / US:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_rate(rate: float | None) -> str:
    if rate is None:
        return "-"
    if rate >= 1e6:
        return f"{rate / 1e6:.2f} M ev/s"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k ev/s"
    return f"{rate:.0f} ev/s"


def fmt_value(row: Row) -> str:
    value = row.value
    if value is None:
        return row.note if row.kind == "text" else "-"
    if row.kind == "time":
        return fmt_time(value)
    if row.kind == "rate":
        return fmt_rate(value)
    if row.kind == "bytes":
        return f"{value:.0f} B" if value < 10_000 else f"{value / 2**20:.1f} MiB"
    if row.kind == "ratio":
        return f"{value:.2f}×" if value < 100 else f"{value:,.0f}×"
    if row.kind == "count":
        return f"{value:,.0f}"
    return str(value)


def fmt_n(n: int | None) -> str:
    if n is None:
        return ""
    for unit, name in ((10**6, "M"), (10**3, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{name}"
    return f"{n:,}"


def times_faster(ours: float, theirs: float) -> str:
    """``ours`` and ``theirs`` are times: how many times faster we are."""
    if ours <= 0 or theirs <= 0:
        return "-"
    ratio = theirs / ours
    if ratio >= 1:
        return f"{ratio:,.0f}× faster" if ratio >= 100 else f"{ratio:.2f}× faster"
    return f"{1 / ratio:.2f}× slower"


# -- timing helpers -------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def repeat(fn: Callable[[], Any], repeats: int, budget: float) -> list[float]:
    """Times of ``fn()`` over up to ``repeats`` runs (at least one), stopping
    early once ``budget`` seconds are spent.  Each run's result is dropped
    and the heap collected before the next, outside the timing."""
    times: list[float] = []
    spent = _perf()
    while True:
        start = _cpu()
        result = fn()
        times.append(_cpu() - start)
        del result
        gc.collect()
        if len(times) >= repeats or _perf() - spent > budget:
            return times


class GCTimer:
    """Time spent in the garbage collector (through ``gc.callbacks``) while
    active, and the number of full (generation 2) collections."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = _cpu()
        else:
            self.seconds += _cpu() - self._start
            self.full += info["generation"] == 2

    def __enter__(self) -> GCTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def note(self, total: float) -> str:
        share = self.seconds / total if total > 0 else 0.0
        return f"GC {share:.0%} of the time, {self.full} full collections"


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The bulk-load recipe of the issue: collector off during the load,
    ``gc.freeze()`` after (inside the timing), collector back on."""
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        gc.enable()


def refreeze() -> None:
    """Return frozen objects to the collector, free what is garbage, and
    freeze what remains (the workloads), so that each measurement starts
    from the same heap."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def rss_bytes() -> tuple[int, int]:
    """(current, peak) resident set size of this process, from /proc."""
    current = peak = 0
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return current, peak


def reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


# -- the naive baseline -----------------------------------------------------


def naive_answer(
    events: Sequence[Event],
    recorded: Sequence[int],
    day: int,
    known_day: int | None,
    handler: Callable[[Any, Any], Any],
    initial: Any,
) -> tuple[Any, Any, int]:
    """The as-of answer by brute force, from the spec: take the events known
    on ``known_day`` (recorded by its end), drop those a known event
    supersedes, sort by fold key (latest, earliest, seq; open ends as
    infinities), fold the certain ones (latest <= day), then the pending ones
    (earliest <= day < latest) on top.  Returns (certain, possible, pending
    count)."""
    if known_day is None:
        count = len(events)
    else:
        count = bisect.bisect_right(recorded, known_day)
    known = events[:count]
    superseded: set[str] = set()
    for event in known:
        superseded.update(event.supersedes)
    inf = float("inf")
    certain: list[tuple[Any, Event]] = []
    pending: list[tuple[Any, Event]] = []
    for seq, event in enumerate(known, 1):
        if event.id in superseded:
            continue
        lo, hi = event.occurred.earliest_day, event.occurred.latest_day
        key = (inf if hi is None else hi, -inf if lo is None else lo, seq)
        if hi is not None and hi <= day:
            certain.append((key, event))
        elif lo is None or lo <= day:
            pending.append((key, event))
    certain.sort(key=lambda pair: pair[0])
    pending.sort(key=lambda pair: pair[0])
    state = initial
    for _, event in certain:
        state = handler(state, event)
    possible = state
    for _, event in pending:
        possible = handler(possible, event)
    return state, possible, len(pending)


def checksum_handler(state: int, event: Event) -> int:
    """Order-sensitive: a wrong order or a wrong event changes the result."""
    return (state * 1_000_003 + getattr(event, "value", 7) + 1) % (2**61 - 1)


def checksum_projection() -> timeline.Projection[int]:
    projection: timeline.Projection[int] = timeline.Projection(initial=0)
    projection.on(Event)(checksum_handler)
    return projection


# -- the realistic workload (issue 15) ----------------------------------------
#
# Hooks for rows measured by other parts of the library on the same workload
# (the JSON Lines streaming load, the SQLite fresh-process query): a function
# ``row(bench, n, workload)`` decorated with @realistic_row runs after the
# in-memory rows of each realistic size, inside the same run, and adds its
# rows with ``bench.add(REALISTIC, name, n, value, kind, versus=...)`` (a
# ratio to a baseline it measures in the same run).  It can ask for the
# workload written to a durable log with ``bench.realistic_file(n, ".jsonl")``
# (or ".sqlite"), written once per run and size, and time fresh processes
# with ``bench.child(...)`` or ``fresh_cpu(code)``.

REALISTIC = "realistic workload (issue 15)"
RealisticRow = Callable[["Bench", int, W.Workload], None]
REALISTIC_ROWS: list[RealisticRow] = []


def realistic_row(fn: RealisticRow) -> RealisticRow:
    """Register a row function run for each realistic size (see above)."""
    REALISTIC_ROWS.append(fn)
    return fn


def fresh_cpu(code: str, env: dict[str, str] | None = None) -> float:
    """CPU time (user + system) of a fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bare_loop(
    handler: Callable[[int, Event], int], events: Sequence[Event]
) -> Callable[[], int]:
    """The baseline: the user's handler called in a plain loop."""

    def run() -> int:
        state = 0
        for event in events:
            state = handler(state, event)
        return state

    return run


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """One call's time, the lesser of wall and CPU time (see _perf, _cpu)."""
    cpu, start = _cpu(), _perf()
    result = fn()
    wall = _perf() - start
    return min(wall, _cpu() - cpu), result


class Realistic:
    """The rows of issue 15 on the realistic workload: each figure with its
    baseline measured beside it (interleaved, in the same cache state)."""

    def __init__(self, bench: Bench, n: int, workload: W.Workload, log: Log) -> None:
        self.bench, self.n, self.workload, self.log = bench, n, workload, log
        _, hi = workload.valid_span()
        self.end = timeline.from_day_number(hi)
        self.replay_time = 0.0

    def add(self, name: str, value: float | None, kind: str, **extra: Any) -> Row:
        extra.setdefault("data", {})["load"] = load_average()
        return self.bench.add(REALISTIC, name, self.n, value, kind, **extra)

    def days(self, count: int, seed: int) -> list[datetime.date]:
        days = self.bench.query_days(self.workload, count, seed)
        return [timeline.from_day_number(day) for day in days]

    def budget(self, budget: float, done: int, spent: float) -> bool:
        return done >= 30 and _perf() - spent > budget

    def certain(self) -> None:
        """``log.state(...).certain`` alone against ``log.certain``, interleaved."""
        log = self.log
        projection = W.counting_projection()
        log.state(projection, self.end).possible  # noqa: B018 (checkpoints)
        lazy, direct = [], []
        spent = _perf()
        for day in self.days(2000, self.bench.args.seed + 21):
            t, _ = timed(lambda d=day: log.certain(projection, d))
            direct.append(t)
            t, _ = timed(lambda d=day: log.state(projection, d).certain)
            lazy.append(t)
            if self.budget(8, len(lazy), spent):
                break
        ratio = median(lazy) / median(direct)
        self.add(
            "log.state(...).certain alone (AsOf lazy), median",
            median(lazy),
            "time",
            target="≈ log.certain, ≤ 20 µs at 1M",
            met=median(lazy) <= 20 * US if self.n >= 10**6 else None,
            versus=f"{ratio:.2f}× log.certain ({fmt_time(median(direct))}, "
            f"interleaved)",
            note=f"p90 {fmt_time(quantile(lazy, 0.9))}; {len(lazy)} queries",
        )

    def full_answer(
        self, make: Callable[[], timeline.Projection[int]], label: str
    ) -> None:
        """The full answer (``.possible``) against the bare handler loop over
        its pending events: per day, one untimed query (whose pending events
        the bare loop then folds), the bare loop, the query again, timed:
        both in the same cache state."""
        log = self.log
        projection = make()
        log.state(projection, self.end).possible  # noqa: B018
        handlers = {W.Observed: W.count_handler}
        if label == "dispatch":
            handlers[W.Reported] = W.count_reported
        ratios, times, bares, firsts, pendings = [], [], [], [], []
        spent = _perf()
        for day in self.days(1000, self.bench.args.seed + 22):
            t, first = timed(lambda d=day: log.state(projection, d).possible)
            firsts.append(t)
            pending = log.state(projection, day).pending
            handler = handlers[W.Observed]

            def bare(p: Sequence[Event] = pending, h: Any = handler) -> int:
                state = 0
                for event in p:
                    state = handlers.get(type(event), h)(state, event)
                return state

            loop = bare_loop(handler, pending) if label != "dispatch" else bare
            t_bare, _ = timed(loop)
            t, got = timed(lambda d=day: log.state(projection, d).possible)
            assert got == first, (got, first)
            times.append(t)
            bares.append(t_bare)
            pendings.append(len(pending))
            ratios.append(t / (t_bare + 20 * US))
            if self.budget(15, len(times), spent):
                break
        what = (
            "one handler for every type"
            if label != "dispatch"
            else "a handler per event type (dispatch)"
        )
        self.add(
            f"full answer (.possible), {what}: / (bare loop + 20 µs), median",
            median(ratios),
            "ratio",
            target="≤ 1.5 at 1M" if label != "dispatch" else "",
            met=median(ratios) <= 1.5
            if self.n >= 10**6 and label != "dispatch"
            else None,
            note=f"p90 {quantile(ratios, 0.9):.2f}×; query median "
            f"{fmt_time(median(times))} (p90 {fmt_time(quantile(times, 0.9))}; "
            f"first at its day {fmt_time(median(firsts))}), bare loop "
            f"{fmt_time(median(bares))}; pending median {median(pendings):,.0f}, "
            f"p90 {quantile(pendings, 0.9):,.0f}; {len(times)} days",
            data={"times": times, "bare": bares, "pending": pendings},
        )

    def replay(self) -> None:
        """A full replay through log.state (a fresh projection) against the
        bare loop over the same events, interleaved."""
        log = self.log
        end = self.end
        events = list(log.timeline())
        cold, bare = [], []
        for _ in range(max(3, self.bench.repeats(self.n))):
            t, answer = timed(lambda: log.state(W.counting_projection(), end).possible)
            cold.append(t)
            assert answer == len(events)
            t, _ = timed(bare_loop(W.count_handler, events))
            bare.append(t)
            gc.collect()
        count = len(events)
        rate = count / median(cold)
        self.replay_time = median(cold)
        self.add(
            "full replay through log.state (fresh projection)",
            rate,
            "rate",
            target="≥ 3 M ev/s at 1M",
            met=rate >= 3e6 if self.n >= 10**6 else None,
            versus=f"{median(cold) / median(bare):.2f}× the bare loop's time "
            f"({fmt_rate(count / median(bare))})",
            note=f"{fmt_time(median(cold))}; {len(cold)} runs interleaved",
            data={"times": cold, "bare": bare},
        )

    def late(self) -> None:
        """A late, back-dated event appended (dated in the first fifth of the
        log's valid time), then the first query at a day after it: the refold
        of what follows it, median and p90 over random days; and the worst
        case, the first full answer at the last day."""
        log = self.log
        projection = W.counting_projection()
        log.state(projection, self.end).possible  # noqa: B018
        rng = random.Random(self.bench.args.seed + 23)
        lo, hi = self.workload.valid_span()
        recorded = log.at(log.last_seq).recorded
        firsts, lasts = [], []
        spent = _perf()
        for index in range(200):
            day = rng.randint(lo + 30, lo + (hi - lo) // 5)
            log.append(
                W.Observed(
                    id=f"late-r{index}",
                    occurred=timeline.UncertainDate.from_date(
                        datetime.date.fromordinal(day)
                    ),
                    recorded=recorded,
                )
            )
            query = timeline.from_day_number(rng.randint(day, hi))
            if index % 2:
                t, _ = timed(lambda q=query: log.state(projection, q).certain)
                firsts.append(t)
            else:
                t, _ = timed(lambda: log.state(projection, self.end).certain)
                lasts.append(t)
            if self.budget(20, len(firsts) + len(lasts), spent):
                break
        replay = self.replay_time
        self.add(
            "refold after a late back-dated event: first query at a random later day",
            median(firsts),
            "time",
            target="≤ 150 ms at 1M",
            met=median(firsts) <= 0.150 if self.n >= 10**6 else None,
            versus=f"{median(firsts) / replay:.2f}× a full replay" if replay else "",
            note=f"p90 {fmt_time(quantile(firsts, 0.9))}; {len(firsts)} late events",
        )
        self.add(
            "  the same, first query at the last day (refolds all after it)",
            median(lasts),
            "time",
            versus=f"{median(lasts) / replay:.2f}× a full replay" if replay else "",
            note=f"p90 {fmt_time(quantile(lasts, 0.9))}; {len(lasts)} late events",
        )

    def known_at(
        self, make: Callable[[], timeline.Projection[int]], label: str
    ) -> None:
        """Under past versions: the first query under each of 24 new
        known_at values (at a random day each; p90 against a full replay),
        later queries (against current knowledge, the same days), then
        queries rotating among 16 and 64 known_at values.  With ``label``
        "merge", a projection that declares ``merge`` (its own known_at
        values): the first query of a past version builds the blocks it
        combines (once per log and projection), timed on its own first."""
        log = self.log
        projection = make()
        merged = label == "merge"
        log.state(projection, self.end).possible  # noqa: B018 (checkpoints)
        specs = self.workload.specs
        seed = self.bench.args.seed + (124 if merged else 24)
        rng = random.Random(seed)

        def known(fraction: float) -> datetime.date:
            return datetime.date.fromordinal(
                specs[int(fraction * (self.n - 1))].recorded
            )

        build = ""
        if merged:
            t, _ = timed(lambda: log.state(projection, self.end, known(0.5)).possible)
            build = (
                f"; the first query of all (builds the blocks, once) {fmt_time(t)}"
                f" ({t / self.replay_time:.2f}× a full replay)"
                if self.replay_time
                else ""
            )
        knowns = [known(rng.uniform(0.05, 0.98)) for _ in range(24)]
        days = self.days(24, seed + 1)
        firsts = []
        for when, day in zip(knowns, days, strict=True):
            t, _ = timed(lambda k=when, d=day: log.state(projection, d, k).possible)
            firsts.append(t)
        later, current = [], []
        spent = _perf()
        for day in self.days(400, seed + 2):
            when = knowns[rng.randrange(3)]  # the last three are cached
            t, _ = timed(lambda d=day: log.state(projection, d).possible)
            current.append(t)
            t, _ = timed(lambda d=day, k=when: log.state(projection, d, k).possible)
            later.append(t)
            if self.budget(10, len(later), spent):
                break
        replay = self.replay_time
        p90 = quantile(firsts, 0.9)
        what = "" if not merged else ", a projection that declares merge"
        self.add(
            f"first query under a new known_at{what}, p90",
            p90,
            "time",
            target="≤ 0.3× a full replay (p90)",
            met=p90 <= 0.3 * replay if replay else None,
            versus=f"{p90 / replay:.2f}× a full replay" if replay else "",
            note=f"median {fmt_time(median(firsts))} "
            f"({median(firsts) / replay:.2f}×); 24 known_at values, a random "
            f"day each{build}",
            data={"times": firsts},
        )
        ratio = median(later) / median(current)
        self.add(
            f"later queries under a known_at{what}, median",
            median(later),
            "time",
            target="≤ 1.5× current knowledge",
            met=ratio <= 1.5,
            versus=f"{ratio:.2f}× current knowledge (same days, interleaved)",
            note=f"p90 {quantile(later, 0.9) / quantile(current, 0.9):.2f}× at p90",
        )
        for rotating in (16, 64):
            many = [known(rng.uniform(0.05, 0.98)) for _ in range(rotating)]
            for when in many:  # the first round builds them
                log.state(projection, self.end, when).possible  # noqa: B018
            times = []
            spent = _perf()
            for index, day in enumerate(self.days(20 * rotating, rng.randrange(10**6))):
                when = many[index % rotating]
                t, _ = timed(lambda d=day, k=when: log.state(projection, d, k).possible)
                times.append(t)
                if self.budget(10, len(times), spent):
                    break
            ratio = median(times) / median(current)
            self.add(
                f"  queries rotating among {rotating} known_at values{what}, median",
                median(times),
                "time",
                target="no cliff (≤ 1.5× current)",
                met=ratio <= 1.5,
                versus=f"{ratio:.2f}× current knowledge",
                note=f"p90 {fmt_time(quantile(times, 0.9))}; {len(times)} queries",
            )


def realistic_load(bench: Bench, workload: W.Workload) -> Log:
    """The realistic log, built with the collector paused (batches of 1000)."""
    refreeze()
    start = _cpu()
    with gc_paused():
        log = Log()
        for batch in workload.batches(BATCH):
            log.append(*batch)
    spent = _cpu() - start
    bench.add(
        REALISTIC,
        "construct + append, batches of 1000, GC paused",
        len(workload),
        spent,
        "time",
        note=f"{spent / len(workload) / US:.2f} µs an event; "
        f"{len(workload.dates):,} distinct dates",
    )
    return log


@realistic_row
def jsonl_open_row(bench: Bench, n: int, workload: W.Workload) -> None:
    """(files, issue 15 item 4) ``open_log`` of the realistic log as JSON
    Lines (typed events, chain and every record checked), against
    ``orjson.loads`` of the same lines with the collector paused: fresh
    processes, CPU time, interleaved, the median of each."""
    path = bench.realistic_file(n, ".jsonl")
    runs: dict[str, list[float]] = {"timeline": [], "orjson-paused": []}
    spent = _perf()
    while not runs["timeline"] or (
        len(runs["timeline"]) < max(3, bench.repeats(n)) and _perf() - spent < 60
    ):
        for method, times in runs.items():
            times.append(bench.child("load", method, str(path), str(n))["seconds"])
    t_lib, t_paused = median(runs["timeline"]), median(runs["orjson-paused"])
    ratio = t_lib / t_paused
    bench.add(
        REALISTIC,
        "open_log of the JSON Lines log (chain verified), fresh process, CPU",
        n,
        t_lib,
        "time",
        target="≤ 1.5× orjson, GC paused (at 1M)",
        met=ratio <= 1.5 if n >= 10**6 else None,
        versus=f"{ratio:.2f}× orjson.loads of its lines, GC paused "
        f"({fmt_time(t_paused)})",
        note=f"{t_lib / n / US:.2f} µs an event; {len(runs['timeline'])} runs each",
        data={"runs": runs, "load": load_average()},
    )


_SQLITE_FIRST = r"""
import datetime, json, sqlite3, sys, time
sys.path.insert(0, {benchmarks!r})
import _workload as W
import timeline
from timeline._storage.sqlite import SQLiteLog
path, method, day = sys.argv[1], sys.argv[2], int(sys.argv[3])
start, cpu = time.perf_counter(), time.process_time()
if method in ("query", "persisted"):  # (persisted: a copy holding checkpoints)
    log = SQLiteLog(path, create=False, checkpoints=method == "persisted")
    answer = log.state(W.counting_projection(), timeline.from_day_number(day))
    count = answer.possible
else:  # its rows alone, in fold order, not decoded
    db = sqlite3.connect(path)
    count = 0
    for row in db.execute(
        "SELECT hi, lo, seq, id, type, body, hash FROM events ORDER BY hi, lo, seq"
    ):
        count += 1
print(json.dumps(dict(
    wall=time.perf_counter() - start, cpu=time.process_time() - cpu, count=count
)))
"""


@realistic_row
def sqlite_first_query_row(bench: Bench, n: int, workload: W.Workload) -> None:
    """(files, issue 15 item 5) A fresh process's first ``log.state`` (the
    full answer, at the log's last day) on the realistic log as SQLite
    without persisted checkpoints, against reading its rows alone (sqlite3,
    in fold order, not decoded), interleaved, the median of each; and with
    the checkpoints a first process saved, against the first query without
    them (the issue's "far less": taken as at most a tenth)."""
    path = bench.realistic_file(n, ".sqlite")
    _, hi = workload.valid_span()
    code = _SQLITE_FIRST.format(benchmarks=str(Path(__file__).parent))
    # A copy of the log in which a first process saved its checkpoints
    # (the counting projection has a name): "far less with them".
    saved = path.with_name(f"persisted-{path.name}")
    shutil.copyfile(path, saved)

    def fresh(target: Path, method: str) -> dict[str, float]:
        done = subprocess.run(
            [sys.executable, "-c", code, str(target), method, str(hi)],
            capture_output=True,
            text=True,
            check=True,
        )
        found: dict[str, float] = json.loads(done.stdout)
        return found

    fresh(saved, "persisted")  # the process that saves them
    runs: dict[str, list[dict[str, float]]] = {"query": [], "rows": []}
    runs["persisted"] = []
    for _ in range(3):
        for method, found in runs.items():
            found.append(fresh(saved if method == "persisted" else path, method))
    saved.unlink()
    wall = median([r["wall"] for r in runs["query"]])
    cpu = median([r["cpu"] for r in runs["query"]])
    rows = median([r["cpu"] for r in runs["rows"]])
    bench.add(
        REALISTIC,
        "SQLite, fresh process, first query without persisted checkpoints",
        n,
        wall,
        "time",
        target="≤ 2 s at 1M",
        met=wall <= 2.0 if n >= 10**6 else None,
        versus=f"CPU {fmt_time(cpu)}: {cpu / rows:.2f}× reading its rows alone "
        f"(sqlite3, not decoded: {fmt_time(rows)} CPU)",
        note=f"{cpu / n / US:.2f} µs CPU an event of the log; 3 runs each",
        data={"runs": runs, "load": load_average()},
    )
    with_them = median([r["wall"] for r in runs["persisted"]])
    bench.add(
        REALISTIC,
        "SQLite, fresh process, first query with persisted checkpoints",
        n,
        with_them,
        "time",
        target="far less than without them",
        met=with_them <= wall / 10 if n >= 10**6 else None,
        versus=f"{with_them / wall:.4f}× the first query without them",
        note="a first process saved them (every 1,024 events folded); 3 runs",
        data={"runs": runs["persisted"], "load": load_average()},
    )


# -- the harness ------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-timeline-", dir=args.tmpdir))
        self.started = _perf()
        # Figures that later sections compare with, by (name, n).
        self.ref: dict[tuple[str, int], float] = {}
        self.failures: list[str] = []
        self.skip = {part.strip() for part in args.skip.split(",") if part.strip()}

    # -- bookkeeping

    def add(
        self,
        section: str,
        name: str,
        n: int | None,
        value: float | None,
        kind: str,
        **extra: Any,
    ) -> Row:
        row = Row(section, name, n, value, kind, **extra)
        self.rows.append(row)
        self.log(f"    {name} [{fmt_n(n)}]: {fmt_value(row)} {row.versus}")
        return row

    def log(self, message: str) -> None:
        elapsed = _perf() - self.started
        print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)

    def run(self, title: str, fn: Callable[..., None], *args: Any) -> None:
        """Run one section; a crash is recorded (with where it happened)
        and the run goes on."""
        self.log(title)
        try:
            fn(*args)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            text = (
                f"{title}: {type(error).__name__}: {error} "
                f"(at {where.filename}:{where.lineno} in {where.name})"
            )
            self.failures.append(text)
            self.add("failures", title, None, None, "text", note=text[:300])
            traceback.print_exc()
        finally:
            refreeze()

    def repeats(self, n: int) -> int:
        if self.args.quick:
            return 2
        return 3 if n >= 10**6 else self.args.repeats

    # -- in memory: load, replay, queries

    def in_memory(self, n: int) -> None:
        start = _perf()
        workload = W.make_workload(n, self.args.seed)
        self.log(
            f"  workload of {n:,} events generated in {_perf() - start:.1f}s "
            f"({len(workload.dates):,} distinct dates)"
        )
        refreeze()  # the workload itself stays out of the collector's way
        log = self.load(workload)
        _, hi = workload.valid_span()
        end = timeline.from_day_number(hi)
        self.run("  first query and full replay", self.replay, log, workload, end)
        self.run("  as-of queries", self.as_of, log, workload)
        self.run("  known_at queries", self.known_at, log, workload)
        self.run("  naive full replay", self.naive, log, workload)
        self.run("  late arrivals between queries", self.late, log, workload)
        self.run("  appends in memory, batches of 1", self.append_one, workload)
        del log
        refreeze()
        if "memory" not in self.skip:
            self.run("  memory of the log", self.memory, n)

    def realistic(self, n: int) -> None:
        """Issue 15's rows on the realistic workload (see :class:`Realistic`),
        then the rows registered with @realistic_row."""
        start = _perf()
        workload = self.realistic_workload(n)
        self.log(f"  realistic workload of {n:,} events in {_perf() - start:.1f}s")
        log = realistic_load(self, workload)
        rows = Realistic(self, n, workload, log)
        self.run("  certain state alone", rows.certain)
        self.run(
            "  full answer, one handler",
            rows.full_answer,
            W.counting_projection,
            "sole",
        )
        self.run(
            "  full answer, dispatch",
            rows.full_answer,
            W.dispatching_projection,
            "dispatch",
        )
        self.run("  full replay", rows.replay)
        self.run("  known_at", rows.known_at, W.counting_projection, "general")
        self.run("  known_at, merge", rows.known_at, W.merging_projection, "merge")
        self.run("  late back-dated events", rows.late)
        del rows, log
        refreeze()
        for row in REALISTIC_ROWS:
            self.run(f"  {row.__name__}", row, self, n, workload)

    def realistic_workload(self, n: int) -> W.Workload:
        """The realistic workload of ``n`` events (made once per run)."""
        cache = self.__dict__.setdefault("_realistic", {})
        if n not in cache:
            cache.clear()
            cache[n] = W.make_realistic(n, self.args.seed)
            refreeze()
        workload: W.Workload = cache[n]
        return workload

    def realistic_file(self, n: int, suffix: str) -> Path:
        """The realistic workload of ``n`` events in a durable log (``.jsonl``
        or ``.sqlite``), written once per run, in batches of 1000."""
        path = self.tmp / f"realistic-{n}{suffix}"
        if not path.exists():
            workload = self.realistic_workload(n)
            log = timeline.open_log(path)
            try:
                for batch in workload.batches(BATCH):
                    log.append(*batch)
            finally:
                log.close()
        return path

    def load(self, workload: W.Workload) -> Log:
        n = len(workload)
        repeats = self.repeats(n)
        budget = 20.0

        def build() -> Log:
            log = Log()
            events = workload.events
            for begin in range(0, n, BATCH):
                log.append(*events(begin, begin + BATCH))
            return log

        def build_paused() -> Log:
            with gc_paused():
                return build()

        with GCTimer() as collector:
            default = repeat(build, repeats, budget)
        refreeze()
        paused: list[float] = []
        log: Log | None = None
        for _ in range(repeats):
            log = None  # the previous one goes before the next is built
            refreeze()
            start = _cpu()
            log = build_paused()
            paused.append(_cpu() - start)
            if sum(paused) > budget:
                break
        assert log is not None
        refreeze()
        sec = "load (in memory)"
        base = median(default)
        self.add(
            sec,
            "construct + append, batches of 1000, GC as is",
            n,
            base,
            "time",
            data={"times": default, "rate": n / base},
            note=f"{base / n / US:.2f} µs an event; "
            + collector.note(sum(default)).replace("collections", "collections in all"),
        )
        self.add(
            sec,
            "the same, GC paused + gc.freeze() after",
            n,
            median(paused),
            "time",
            versus=times_faster(median(paused), base),
            data={"times": paused},
            note=f"{median(paused) / n / US:.2f} µs an event",
        )
        self.ref[("load", n)] = base
        self.ref[("load_paused", n)] = median(paused)

        # Appends alone: the events of each batch built outside the timing.
        def appends() -> float:
            target = Log()
            spent = 0.0
            for begin in range(0, n, BATCH):
                batch = workload.events(begin, begin + BATCH)
                t0 = _cpu()
                target.append(*batch)
                spent += _cpu() - t0
            del target
            return spent

        only = []
        spent = _perf()
        for _ in range(repeats):
            only.append(appends())
            gc.collect()
            if _perf() - spent > budget:
                break
        rate = n / median(only)
        self.ref[("append_mem_1000", n)] = rate
        self.add(
            "durable appends",
            "in memory (Log.append), batch 1000",
            n,
            rate,
            "rate",
            data={"times": only},
            note="events built outside the timing",
        )
        return log

    def replay(self, log: Log, workload: W.Workload, end: datetime.date) -> None:
        n = len(workload)
        sec = "full replay (counting projection)"
        first = W.counting_projection()
        start = _cpu()
        answer = log.state(first, as_of=end)
        first_time = _cpu() - start
        counted = answer.certain + len(answer.pending)
        self.add(
            sec,
            "first query after the load (builds indexes, replays all)",
            n,
            first_time,
            "time",
        )
        events = list(log.timeline())
        assert len(events) == counted == answer.possible, (len(events), counted)
        handler = W.count_handler

        def bare() -> int:
            state = 0
            for event in events:
                state = handler(state, event)
            return state

        projection = W.counting_projection()
        repeats = max(5, self.repeats(n))
        t_bare = median(repeat(bare, repeats, 20))
        t_fold = median(repeat(lambda: projection.fold(events), repeats, 20))
        cold = repeat(
            lambda: log.state(W.counting_projection(), as_of=end), repeats, 15
        )
        t_cold = median(cold)
        t_timeline = median(
            repeat(lambda: projection.fold(log.timeline()), repeats, 15)
        )
        target = "≥ 3 M ev/s at 1M"
        self.add(
            sec,
            "log.state(fresh projection, after the last day)",
            n,
            counted / t_cold,
            "rate",
            target=target,
            met=counted / t_cold >= 3e6 if n >= 10**6 else None,
            versus=f"{t_cold / t_bare:.1f}× the bare loop's time",
            note="every event folded, checkpoints saved",
            data={"times": cold},
        )
        self.add(
            sec,
            "Projection.fold(events in fold order)",
            n,
            counted / t_fold,
            "rate",
            target=target,
            met=counted / t_fold >= 3e6 if n >= 10**6 else None,
            versus=f"{t_fold / t_bare:.1f}× the bare loop's time",
        )
        self.add(
            sec, "Projection.fold(log.timeline())", n, counted / t_timeline, "rate"
        )
        self.add(
            sec,
            "bare loop: state = handler(state, event)",
            n,
            counted / t_bare,
            "rate",
            note=f"{t_bare / counted / US:.3f} µs an event (issue: 0.19 µs)",
        )
        over_cold = (t_cold - t_bare) / counted
        over_fold = (t_fold - t_bare) / counted
        self.add(
            sec,
            "library overhead an event over the bare loop, log.state",
            n,
            over_cold,
            "time",
            target="≤ 0.1 µs",
            met=over_cold <= 0.1 * US,
        )
        self.add(
            sec,
            "library overhead an event over the bare loop, fold",
            n,
            over_fold,
            "time",
            target="≤ 0.1 µs",
            met=over_fold <= 0.1 * US,
        )
        self.ref[("replay", n)] = t_cold
        self.ref[("replay_rate", n)] = counted / t_cold

    def query_days(self, workload: W.Workload, count: int, seed: int) -> list[int]:
        lo, hi = workload.valid_span()
        rng = random.Random(seed)
        return [rng.randint(lo, hi) for _ in range(count)]

    def timed_queries(
        self,
        log: Log,
        projection: timeline.Projection[int],
        days: Sequence[int],
        known_at: datetime.date | None = None,
        budget: float = 15.0,
    ) -> tuple[list[float], list[int]]:
        """Times of ``log.state`` at each day (stopping after ``budget``
        seconds, with at least 100 queries done) and the pending counts."""
        dates = [timeline.from_day_number(day) for day in days]
        times, pendings = [], []
        state = log.state
        spent = _perf()
        for day in dates:
            cpu, start = _cpu(), _perf()
            answer = state(projection, day, known_at)
            answer.possible  # noqa: B018  (the full answer: AsOf is lazy)
            wall = _perf() - start
            times.append(min(wall, _cpu() - cpu))
            pendings.append(len(answer.pending))
            if len(times) >= 100 and _perf() - spent > budget:
                break
        return times, pendings

    def as_of(self, log: Log, workload: W.Workload) -> None:
        n = len(workload)
        sec = "as-of queries (current knowledge)"
        projection = W.counting_projection()
        _, hi = workload.valid_span()
        log.state(projection, as_of=timeline.from_day_number(hi))  # warm up
        count = 200 if self.args.quick else 1000
        days = self.query_days(workload, count, self.args.seed)
        times, pendings = self.timed_queries(log, projection, days)
        t_med, t_p90 = median(times), quantile(times, 0.9)
        budget = [t / (20 * US + US * p) for t, p in zip(times, pendings, strict=True)]
        within = sum(b <= 1 for b in budget) / len(budget)
        big = n >= 10**6
        self.add(
            sec,
            "log.state full answer, median",
            n,
            t_med,
            "time",
            data={"p90": t_p90, "pending": median(pendings), "queries": len(times)},
            note=f"{len(times)} queries; p90 {fmt_time(t_p90)}; pending: median "
            f"{median(pendings):,.0f}, p90 {quantile(pendings, 0.9):,.0f}",
        )
        self.add(
            sec,
            "  full answer / (20 µs + 1 µs × pending), median",
            n,
            median(budget),
            "ratio",
            target="≤ 1 (at 1M)",
            met=median(budget) <= 1 if big else None,
            note=f"{within:.0%} of queries within that budget",
        )
        certain = self.certain_only(workload, count)
        self.add(
            sec,
            "  certain state: log.state with nothing pending, median",
            n,
            certain,
            "time",
            target="≤ 20 µs median (at 1M)",
            met=certain <= 20 * US if big else None,
            note="the same log with every date made an exact day",
        )
        # Each pending event's share: what a query costs beyond the certain
        # state, per pending event (queries with few pending events left out).
        shares = [
            (t - certain) / p for t, p in zip(times, pendings, strict=True) if p >= 50
        ]
        if shares:
            self.add(
                sec,
                "  cost of each pending event: (t − certain state) / pending",
                n,
                median(shares),
                "time",
                target="about 1 µs",
                note=f"median over the {len(shares)} queries with ≥ 50 pending",
            )
        self.ref[("asof", n)] = t_med
        self.ref[("asof_certain", n)] = certain

    def certain_only(self, workload: W.Workload, count: int) -> float:
        """Median log.state time on the workload with exact days only: the
        certain-state path through the public API, nothing pending."""
        exact = workload.exact_days()
        refreeze()
        with gc_paused():
            log = Log()
            for batch in exact.batches(BATCH):
                log.append(*batch)
        projection = W.counting_projection()
        _, hi = exact.valid_span()
        log.state(projection, as_of=timeline.from_day_number(hi))
        days = self.query_days(workload, count, self.args.seed + 1)
        times, pendings = self.timed_queries(log, projection, days, budget=8.0)
        assert not any(pendings)
        del log, exact
        refreeze()
        return median(times)

    def known_at(self, log: Log, workload: W.Workload) -> None:
        n = len(workload)
        sec = "known_at queries (one past version)"
        projection = W.counting_projection()
        specs = workload.specs
        count = 50 if self.args.quick else 200
        firsts, laters, pendings = [], [], []
        for k, fraction in enumerate((0.35, 0.65, 0.9)):
            known = datetime.date.fromordinal(specs[int(fraction * (n - 1))].recorded)
            days = self.query_days(workload, count + 1, self.args.seed + 10 + k)
            start = _cpu()
            log.state(projection, timeline.from_day_number(days[0]), known)
            firsts.append(_cpu() - start)
            times, pend = self.timed_queries(log, projection, days[1:], known, 6.0)
            laters.extend(times)
            pendings.extend(pend)
        replay = self.ref.get(("replay", n))
        current = self.ref.get(("asof", n))
        first = median(firsts)
        later = median(laters)
        self.add(
            sec,
            "first query under a new known_at",
            n,
            first,
            "time",
            target="≤ one full replay",
            met=first <= replay if replay else None,
            versus=f"{first / replay:.2f}× a full replay" if replay else "",
            data={"times": firsts},
        )
        self.add(
            sec,
            "later queries under it, median",
            n,
            later,
            "time",
            target="as fast as current knowledge",
            met=later <= 1.2 * current if current else None,
            versus=f"{later / current:.2f}× current knowledge" if current else "",
            note=f"pending median {median(pendings):,.0f}",
        )

    def naive(self, log: Log, workload: W.Workload) -> None:
        n = len(workload)
        sec = "naive full replay (filter, sort, fold)"
        events = list(log)
        recorded = [event.recorded.toordinal() for event in events]
        days = self.query_days(workload, 3, self.args.seed + 99)
        handler = W.count_handler
        times = []
        for day in days:
            start = _cpu()
            naive_answer(events, recorded, day, None, handler, 0)
            times.append(_cpu() - start)
            gc.collect()
        t_naive = median(times)
        self.add(
            sec,
            "naive as-of query (same answer)",
            n,
            t_naive,
            "time",
            data={"times": times},
        )
        current = self.ref.get(("asof", n))
        if current:
            speedup = t_naive / current
            self.add(
                sec,
                "speedup of log.state (full answer) over naive",
                n,
                speedup,
                "ratio",
                target="≥ 1000× (at 1M)",
                met=speedup >= 1000 if n >= 10**6 else None,
            )
        certain = self.ref.get(("asof_certain", n))
        if certain and certain > 0:
            self.add(
                sec,
                "speedup of the certain state (nothing pending) over naive",
                n,
                t_naive / certain,
                "ratio",
            )
        self.check(log, workload, "after the load")

    def check(self, log: Log, workload: W.Workload, when: str) -> None:
        """Compare answers with the naive replay (order-sensitive checksum)."""
        events = list(log)
        recorded = [event.recorded.toordinal() for event in events]
        projection = checksum_projection()
        days = self.query_days(workload, 3, self.args.seed + 7)
        specs = workload.specs
        known = specs[len(specs) // 2].recorded
        wrong = []
        for day, known_day in [(d, None) for d in days] + [(days[0], known)]:
            known_at = (
                None if known_day is None else timeline.from_day_number(known_day)
            )
            answer = log.state(projection, timeline.from_day_number(day), known_at)
            expected = naive_answer(
                events, recorded, day, known_day, checksum_handler, 0
            )
            got = (answer.certain, answer.possible, len(answer.pending))
            if got != expected:
                wrong.append(f"day {day} known {known_day}: {got} != {expected}")
        status = "ok" if not wrong else "WRONG: " + "; ".join(wrong)
        self.add(
            "correctness",
            f"log.state vs naive replay, {when}",
            len(workload),
            None,
            "text",
            note=f"{status} (4 queries)",
            met=not wrong,
        )

    def late(self, log: Log, workload: W.Workload) -> None:
        n = len(workload)
        sec = "as-of queries with late arrivals interleaved"
        projection = W.counting_projection()
        _, hi = workload.valid_span()
        log.state(projection, as_of=timeline.from_day_number(hi))
        every = 10
        count = 100 if self.args.quick else 300
        days = self.query_days(workload, count, self.args.seed + 5)
        rng = random.Random(self.args.seed + 6)
        recorded = log.at(log.last_seq).recorded
        times, pendings, after, appends = [], [], [], []
        spent = _perf()
        for index, day in enumerate(days):
            if index % every == 0:
                event = W.late_event(workload, index, recorded, rng)
                start = _perf()
                log.append(event)
                appends.append(_perf() - start)
            date = timeline.from_day_number(day)
            cpu, start = _cpu(), _perf()
            answer = log.state(projection, date)
            elapsed = min(_perf() - start, _cpu() - cpu)
            times.append(elapsed)
            pendings.append(len(answer.pending))
            if index % every == 0:
                after.append(elapsed)
            if _perf() - spent > 30:
                break
        t_med = median(times)
        budget = [t / (20 * US + US * p) for t, p in zip(times, pendings, strict=True)]
        big = n >= 10**6
        self.add(
            sec,
            f"log.state, 1 late event appended every {every} queries",
            n,
            t_med,
            "time",
            target="as without late arrivals",
            versus=f"{t_med / self.ref[('asof', n)]:.2f}× without"
            if ("asof", n) in self.ref
            else "",
            note=f"p90 {fmt_time(quantile(times, 0.9))}, mean "
            f"{fmt_time(statistics.fmean(times))}; {len(times)} queries",
            data={"p90": quantile(times, 0.9)},
        )
        self.add(
            sec,
            "  full answer / (20 µs + 1 µs × pending), median",
            n,
            median(budget),
            "ratio",
            target="≤ 1 (at 1M)",
            met=median(budget) <= 1 if big else None,
        )
        self.add(
            sec,
            "  first query after each late append, median",
            n,
            median(after),
            "time",
            note=f"p90 {fmt_time(quantile(after, 0.9))}, max "
            f"{fmt_time(max(after))}; rebuilds checkpoints",
        )
        self.add(
            sec,
            "  the late append itself (batch of 1), median",
            n,
            median(appends),
            "time",
        )
        self.check(log, workload, "after late arrivals")

    def append_one(self, workload: W.Workload) -> None:
        """One-at-a-time appends (``log.append(event)`` in a loop) against
        batches of 1000 of the same events, interleaved a batch at a time
        (two logs growing alike, the same warm caches): CPU time."""
        n = len(workload)
        single, batched = Log(), Log()
        spent = {1: 0.0, BATCH: 0.0}
        done = 0
        with GCTimer() as collector:
            for begin in range(0, n, BATCH):
                batch = workload.events(begin, begin + BATCH)
                append = single.append
                start = _cpu()
                for event in batch:
                    append(event)
                spent[1] += _cpu() - start
                start = _cpu()
                batched.append(*batch)
                spent[BATCH] += _cpu() - start
                done += len(batch)
                if spent[1] > 20:
                    break
        one, many = done / spent[1], done / spent[BATCH]
        self.add(
            "durable appends",
            "in memory (Log.append), batch 1",
            n,
            one,
            "rate",
            versus=f"{one / many:.2f}× the rate of batches of 1000",
            note=f"{spent[1] / done / US:.2f} µs an append against "
            f"{spent[BATCH] / done / US:.2f} µs an event in batches of 1000 "
            f"(interleaved, {done:,} events each); "
            + collector.note(sum(spent.values())),
        )

    def memory(self, n: int) -> None:
        sec = "memory"
        trace = n <= 200_000  # tracemalloc is exact but slow
        found = self.child("envelope", str(n), "trace" if trace else "rss")
        per = found["bytes"] / n
        self.add(
            sec,
            "in-memory log, bytes per event (envelope, no payload)",
            n,
            per,
            "bytes",
            target="≤ 250 B",
            met=per <= 250,
            note=f"event object {found['event_size']} B + id "
            f"{found['id_size']} B + log indexes "
            f"{per - found['event_size'] - found['id_size']:.0f} B; "
            f"peak {found['peak'] / n:.0f} B/event; by {found['method']}",
            data=found,
        )
        found = self.child("peak", str(n), str(self.args.seed))
        self.add(
            sec,
            "peak RSS building the workload log + first query",
            n,
            found["peak_delta"],
            "bytes",
            note=f"{found['peak_delta'] / n:.0f} B/event peak, "
            f"{found['rss_delta'] / n:.0f} B/event resident after "
            "(dates shared, as parsed once)",
            data=found,
        )

    def child(self, *argv: str) -> dict[str, Any]:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", *argv]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"child {argv} failed:\n{done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    # -- durable logs

    def file_log(self, n: int) -> None:
        workload = W.make_workload(n, self.args.seed)
        refreeze()
        path = self.tmp / f"log-{n}.jsonl"
        self.durable_appends(path, workload, "file (.jsonl)", 5e5, "fsync")
        self.add(
            "memory",
            "JSON Lines bytes per event on disk",
            n,
            path.stat().st_size / n,
            "bytes",
        )
        del workload
        refreeze()
        self.run("  loading the JSON Lines log", self.jsonl_load, path, n)
        path.unlink()

    def durable_appends(
        self, path: Path, workload: W.Workload, kind: str, target: float, sync: str
    ) -> None:
        """Write the whole workload to a new durable log: all but the last
        events in batches of 1000, the last ones one by one (so the single
        appends go to a log of nearly N events and the file holds exactly
        the workload).  Only the append calls are timed."""
        n = len(workload)
        singles = min(300, n // 10)
        split = n - singles
        log = timeline.open_log(path)
        try:
            spent = 0.0
            for begin in range(0, split, BATCH):
                batch = workload.events(begin, min(split, begin + BATCH))
                start = _perf()
                log.append(*batch)
                spent += _perf() - start
            rest = workload.events(split, n)
            one = one_cpu = 0.0
            done = 0
            for event in rest:
                start, cpu = _perf(), _cpu()
                log.append(event)
                one += _perf() - start
                one_cpu += _cpu() - cpu
                done += 1
                if one > 5:
                    break
            if done < len(rest):
                log.append(*rest[done:])
        finally:
            log.close()
        rate = split / spent
        if kind == "SQLite":
            self.ref[("append_sqlite_1000", n)] = rate
        self.add(
            "durable appends",
            f"{kind}, batch 1000 (one {sync} a batch)",
            n,
            rate,
            "rate",
            target=f"≥ {target / 1e3:.0f} k ev/s",
            met=rate >= target,
        )
        self.add(
            "durable appends",
            f"{kind}, batch 1 (one {sync} an event)",
            n,
            done / one,
            "rate",
            versus=f"{done / one / rate:.4f}× the rate of batches of 1000",
            note=f"{one / done * 1e3:.2f} ms an append ({one_cpu / done / US:.0f} µs "
            f"of it CPU), the last {done} of {fmt_n(n)}",
        )

    def jsonl_load(self, path: Path, n: int) -> None:
        """Each load runs in a fresh child process (the same conditions for
        the library and the baselines: no other heap, no frozen objects)."""
        sec = "loading a JSON Lines log"
        repeats = self.repeats(n)
        found: dict[str, list[dict[str, Any]]] = {}
        for method in ("timeline", "orjson", "json", "orjson-paused"):
            runs = found[method] = []
            spent = _perf()
            # json.loads is a secondary baseline: once is enough for a big file.
            most = 1 if method == "json" and n >= 10**6 else repeats
            while len(runs) < most and (not runs or _perf() - spent < 20):
                runs.append(self.child("load", method, str(path), str(n)))
        t = {
            method: median([r["seconds"] for r in runs])
            for method, runs in found.items()
        }
        t_lib, t_orjson, t_json = t["timeline"], t["orjson"], t["json"]
        resident = median([r["rss_delta"] for r in found["timeline"]])
        peak = median([r["peak_delta"] for r in found["timeline"]])
        self.add(
            sec,
            "timeline.open_log (typed events, chain verified)",
            n,
            t_lib,
            "time",
            target="≤ orjson.loads, GC as is (at 1M)",
            met=t_lib <= t_orjson if n >= 10**6 else None,
            versus=f"{t_lib / t_orjson:.2f}× orjson, {t_lib / t_json:.2f}× json",
            note=f"{t_lib / n / US:.2f} µs an event; {len(found['timeline'])} runs",
            data={"runs": found["timeline"]},
        )
        self.add(
            sec,
            "orjson.loads of each line into dicts, GC as is",
            n,
            t_orjson,
            "time",
            note=f"{t_orjson / n / US:.2f} µs a line (issue: 1.7)",
        )
        self.add(
            sec,
            "json.loads of each line into dicts, GC as is",
            n,
            t_json,
            "time",
            note=f"{t_json / n / US:.2f} µs a line",
        )
        t_paused = t["orjson-paused"]
        self.add(
            sec,
            "orjson.loads, GC paused + freeze",
            n,
            t_paused,
            "time",
            note=f"{t_paused / n / US:.2f} µs a line (issue: 0.6)",
        )
        self.add(
            "memory",
            "log loaded from JSON Lines, resident bytes per event",
            n,
            resident / n,
            "bytes",
            note=f"each event with its own parsed dates; peak {peak / n:.0f} B/event",
        )

    def sqlite_log(self, n: int) -> None:
        workload = W.make_workload(n, self.args.seed)
        refreeze()
        path = self.tmp / f"log-{n}.sqlite"
        self.durable_appends(path, workload, "SQLite", 2.5e5, "commit")
        self.run("  SQLite queries", self.sqlite_queries, path, workload)
        del workload
        refreeze()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
        if n <= 10**6:
            self.run("  SQLite bytes per small event", self.sqlite_size, n)

    def sqlite_queries(self, path: Path, workload: W.Workload) -> None:
        n = len(workload)
        sec = "SQLite queries"
        log = timeline.open_log(path)
        try:
            _, hi = workload.valid_span()
            projection = W.counting_projection()
            start = _cpu()
            log.state(projection, as_of=timeline.from_day_number(hi))
            first = _cpu() - start
            count = 20 if self.args.quick else 100
            days = self.query_days(workload, count, self.args.seed + 3)
            times, pendings = self.timed_queries(log, projection, days)
        finally:
            log.close()
        self.add(
            sec,
            "first query (streams and folds the whole log)",
            n,
            first,
            "time",
            note=f"{fmt_rate(n / first)}",
        )
        self.add(
            sec,
            "later as-of queries, median",
            n,
            median(times),
            "time",
            note=f"p90 {fmt_time(quantile(times, 0.9))}; pending median "
            f"{median(pendings):,.0f}",
        )

    def sqlite_size(self, n: int) -> None:
        path = self.tmp / f"tiny-{n}.sqlite"
        log = timeline.open_log(path)
        try:
            events = W.tiny_events(n)
            for begin in range(0, n, BATCH):
                log.append(*events[begin : begin + BATCH])
        finally:
            log.close()
        size = sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )
        self.add(
            "memory",
            "SQLite bytes per small event on disk",
            n,
            size / n,
            "bytes",
            target="≤ 150 B",
            met=size / n <= 150,
            note="Tick events (no payload), file size after close",
        )
        path.unlink()

    # -- import time

    def import_time(self) -> None:
        runs = 3 if self.args.quick else 9
        python = sys.executable
        # Bytecode as an installed package has it (pip compiles a wheel's
        # modules): cached in a private directory, written by a warm-up run,
        # whatever PYTHONDONTWRITEBYTECODE says (this machine sets it, and
        # compiling our sources on every import adds about 20 ms).
        cached = dict(os.environ, PYTHONPYCACHEPREFIX=str(self.tmp / "pycache"))
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        uncached = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        uncached.pop("PYTHONPYCACHEPREFIX", None)

        def cpu(code: str, env: dict[str, str]) -> float:
            """CPU time (user + system) of a fresh interpreter running code."""
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([python, "-c", code], check=True, env=env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return (after.ru_utime - before.ru_utime) + (
                after.ru_stime - before.ru_stime
            )

        cpu("import timeline", cached)  # writes the bytecode
        bare, full, compiling, cumulative = [], [], [], []
        for _ in range(runs):
            bare.append(cpu("pass", cached))
            full.append(cpu("import timeline", cached))
            compiling.append(cpu("import timeline", uncached))
            done = subprocess.run(
                [python, "-X", "importtime", "-c", "import timeline"],
                capture_output=True,
                text=True,
                check=True,
                env=cached,
            )
            for line in done.stderr.splitlines():
                parts = line.split("|")
                if len(parts) == 3 and parts[2].strip() == "timeline":
                    cumulative.append(int(parts[1]) * US)
        heavy = subprocess.run(
            [
                python,
                "-c",
                "import sys, timeline; print(' '.join(m for m in "
                "('dateutil', 'dateutil.parser', 'hypothesis', 'sqlite3', 'json', "
                "'hashlib', 'orjson') if m in sys.modules))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        extra = median(full) - median(bare)
        self.add(
            "import",
            "import timeline, CPU time over a bare interpreter",
            None,
            extra,
            "time",
            target="≤ 50 ms",
            met=extra <= 0.05,
            note=f"median of {runs}; bytecode cached, as installed; the bare "
            f"interpreter {fmt_time(median(bare))}; loaded: "
            f"{heavy or 'none of the heavy ones'}",
        )
        self.add(
            "import",
            "  the same, compiling the sources (PYTHONDONTWRITEBYTECODE=1)",
            None,
            median(compiling) - median(bare),
            "time",
            note="what an editable checkout costs where bytecode is never written",
        )
        if cumulative:
            self.add(
                "import",
                "import timeline, -X importtime cumulative (wall time)",
                None,
                median(cumulative),
                "time",
            )

    # -- eventsourcing

    def eventsourcing(self, n: int) -> None:
        try:
            import _es
        except ImportError as error:
            self.add(
                "vs eventsourcing",
                "eventsourcing not installed",
                n,
                None,
                "text",
                note=str(error),
            )
            return
        sec = "vs eventsourcing"
        repeats = self.repeats(n)

        def build(
            app_class: type[Any], env: dict[str, str], clock: Callable[[], float] = _cpu
        ) -> tuple[Any, Any, float]:
            app = app_class(env=env)
            aggregate = _es.Counter()
            start = clock()
            app.save(aggregate)
            for i in range(1, n):
                aggregate.observe(value=i)
                if i % BATCH == 0:
                    app.save(aggregate)
            app.save(aggregate)
            return app, aggregate.id, clock() - start

        app, ident, t_popo = build(_es.CounterApp, {})
        popo_rate = n / t_popo
        ours = self.ref.get(("load", n))
        self.add(
            sec,
            "eventsourcing append in memory (POPO), batch 1000",
            n,
            popo_rate,
            "rate",
            target="issue: 71 k ev/s at 100k",
            versus=times_faster(ours, t_popo) if ours else "",
            note="vs timeline construct + append, GC as is",
        )
        replays = repeat(lambda: app.repository.get(ident), repeats, 30)
        es_rate = n / median(replays)
        ours_rate = self.ref.get(("replay_rate", n))
        self.add(
            sec,
            "eventsourcing full replay (repository.get)",
            n,
            es_rate,
            "rate",
            target="issue: 62 k ev/s",
            versus=f"timeline {ours_rate / es_rate:.1f}× the rate" if ours_rate else "",
            note="vs timeline log.state, fresh projection",
        )
        rng = random.Random(self.args.seed + 11)
        versions = [rng.randint(1, n) for _ in range(20)]

        def at_versions(app: Any, budget: float) -> list[float]:
            times = []
            spent = _perf()
            for version in versions:
                start = _cpu()
                found = app.repository.get(ident, version=version)
                times.append(_cpu() - start)
                assert found.version == version
                if _perf() - spent > budget:
                    break
            return times

        ours_asof = self.ref.get(("asof", n))
        got = at_versions(app, 15)
        self.add(
            sec,
            "eventsourcing get(version=v), no snapshots, median",
            n,
            median(got),
            "time",
            target="issue: 0.91 s at 100k",
            versus=times_faster(ours_asof, median(got)) if ours_asof else "",
            note=f"{len(got)} random versions; vs timeline as-of full answer",
        )
        app.close()
        app = None
        gc.collect()
        app, ident, t_snap = build(_es.SnapshottingCounterApp, {})
        got = at_versions(app, 15)
        self.add(
            sec,
            "eventsourcing get(version=v), snapshot every 1000, median",
            n,
            median(got),
            "time",
            target="issue: 10 ms at 100k",
            versus=times_faster(ours_asof, median(got)) if ours_asof else "",
            note=f"append with snapshots {fmt_rate(n / t_snap)}",
        )
        app.close()
        app = None
        gc.collect()
        db = self.tmp / f"es-{n}.db"
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db)}
        app, ident, t_sqlite = build(_es.CounterApp, env, _perf)  # waits on fsync
        ours_sqlite = self.ref.get(("append_sqlite_1000", n))
        self.add(
            sec,
            "eventsourcing append to SQLite, batch 1000",
            n,
            n / t_sqlite,
            "rate",
            target="issue: 65 k ev/s",
            versus=(
                f"timeline {ours_sqlite / (n / t_sqlite):.2f}× "
                "(durable SQLite, batch 1000)"
            )
            if ours_sqlite
            else "",
        )
        app.close()
        app = None
        gc.collect()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{db}{suffix}").unlink()

    # -- the report

    def machine(self) -> dict[str, Any]:
        model = "unknown"
        with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        memory = "?"
        with contextlib.suppress(OSError), open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
        commit = ""
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            root = Path(timeline.__file__).resolve().parents[2]
            commit = subprocess.run(
                ["git", "-C", str(root), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        try:
            from importlib.metadata import version

            es_version = version("eventsourcing")
        except Exception:
            es_version = "not installed"
        return {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": model,
            "cores": os.cpu_count(),
            "memory": memory,
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "system": f"{platform.system()} {platform.release()}",
            "timeline": commit or "?",
            "eventsourcing": es_version,
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }

    def report(self, machine: dict[str, Any], markdown: bool) -> str:
        lines = []
        header = (
            f"{machine['date']}; {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory']}; {machine['python']} on {machine['system']}; "
            f"timeline {machine['timeline']}, eventsourcing "
            f"{machine['eventsourcing']}; load average {machine['load_average']} "
            f"at the start, {machine.get('load_average_end', '?')} at the end"
        )
        columns = (
            "N",
            "measurement",
            "value",
            "vs baseline (same run)",
            "target",
            "met",
        )
        table = []
        section = None
        for row in self.rows:
            met = "" if row.met is None else ("yes" if row.met else "NO")
            name = row.name
            value = fmt_value(row)
            versus = row.versus
            if row.note and row.kind != "text":
                versus = f"{versus}; {row.note}" if versus else row.note
            if row.section != section:
                section = row.section
                table.append(
                    (
                        "",
                        f"**{section}**" if markdown else f"-- {section}",
                        "",
                        "",
                        "",
                        "",
                    )
                )
            table.append((fmt_n(row.n), name, value, versus, row.target, met))
        if markdown:
            lines.append(f"Measured {header}.")
            lines.append("")
            lines.append("| " + " | ".join(columns) + " |")
            lines.append(
                "|" + "|".join(["---:", "---", "---:", "---", "---", "---"]) + "|"
            )
            for cells in table:
                text = [c.replace("|", "\\|") for c in cells]
                lines.append("| " + " | ".join(text) + " |")
        else:
            lines.append(header)
            widths = [
                max(len(cells[i]) for cells in [columns, *table]) for i in range(4)
            ]
            widths = [
                min(w, cap) for w, cap in zip(widths, (5, 62, 14, 70), strict=True)
            ]
            for cells in [columns, *table]:
                lines.append(
                    "  ".join(
                        c.ljust(w) for c, w in zip(cells[:4], widths, strict=True)
                    )
                    + "  "
                    + "  ".join(cells[4:]).strip()
                )
        return "\n".join(lines)


# -- child processes (memory) ------------------------------------------------


def child_envelope(n: int, trace: bool) -> dict[str, Any]:
    """Bytes of a log of ``n`` payload-free events, after one query: with
    tracemalloc (exact, slow), or as the growth of the resident set."""
    import tracemalloc

    day = datetime.date(2024, 1, 1)
    dates = [
        timeline.UncertainDate.from_date(day - datetime.timedelta(days=k))
        for k in range(366)
    ]
    end = day + datetime.timedelta(days=1)
    gc.collect()
    if trace:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
    else:
        reset_peak_rss()
        base = rss_bytes()[0]
    log = Log()
    for begin in range(0, n, BATCH):
        log.append(
            *[
                W.Tick(id=f"t{i}", occurred=dates[i % 366], recorded=day)
                for i in range(begin, min(n, begin + BATCH))
            ]
        )
    projection = W.counting_projection()
    answer = log.state(projection, as_of=end)  # builds indexes and checkpoints
    gc.collect()
    if trace:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    else:
        current, peak = rss_bytes()
    assert answer.certain == n
    event = log.at(n)
    return {
        "bytes": current - base,
        "peak": peak - base,
        "method": "tracemalloc" if trace else "resident set growth",
        "event_size": sys.getsizeof(event),
        "id_size": sys.getsizeof(event.id),
    }


def child_peak(n: int, seed: int) -> dict[str, Any]:
    workload = W.make_workload(n, seed)
    _, hi = workload.valid_span()
    gc.collect()
    reset = reset_peak_rss()
    base, _ = rss_bytes()
    with gc_paused():
        log = Log()
        for batch in workload.batches(BATCH):
            log.append(*batch)
    log.state(W.counting_projection(), as_of=timeline.from_day_number(hi))
    gc.collect()
    current, peak = rss_bytes()
    if not reset:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"rss_delta": current - base, "peak_delta": peak - base, "reset": reset}


def child_load(method: str, path: str, n: int) -> dict[str, Any]:
    """One load of the JSON Lines file, timed, with its resident memory."""
    import orjson

    gc.collect()
    reset = reset_peak_rss()
    base, _ = rss_bytes()
    start = _cpu()
    if method == "timeline":
        log = timeline.open_log(path)
        count = len(log)
        log.close()
        kept: Any = log
    else:
        loads = orjson.loads if method.startswith("orjson") else json.loads
        paused = method.endswith("paused")
        if paused:
            gc.disable()
        kept = [loads(line) for line in Path(path).read_bytes().split(b"\n")[1:-1]]
        if paused:
            gc.freeze()
            gc.enable()
        count = len(kept)
    seconds = _cpu() - start
    current, peak = rss_bytes()
    assert count == n, (count, n)
    return {
        "seconds": seconds,
        "rss_delta": current - base,
        "peak_delta": peak - base,
        "reset": reset,
    }


def run_child(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "envelope":
        result = child_envelope(int(rest[0]), rest[1] == "trace")
    elif kind == "peak":
        result = child_peak(int(rest[0]), int(rest[1]))
    elif kind == "load":
        result = child_load(rest[0], rest[1], int(rest[2]))
    else:
        raise SystemExit(f"unknown child {kind!r}")
    print(json.dumps(result))


# -- main --------------------------------------------------------------------


def sizes(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        run_child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=None,
        help="in-memory log sizes (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--file-sizes",
        type=sizes,
        default=None,
        help="JSON Lines sizes (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--sqlite-sizes",
        type=sizes,
        default=None,
        help="SQLite sizes (default 10000,100000; 10^7 if asked)",
    )
    parser.add_argument(
        "--es-sizes",
        type=sizes,
        default=None,
        help="eventsourcing sizes (default 10000,100000)",
    )
    parser.add_argument(
        "--realistic-sizes",
        type=sizes,
        default=None,
        help="sizes of the realistic workload of issue 15 (default 100000,1000000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10^4 events everywhere, fewer repeats (smoke test)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: realistic,best,memory,file,sqlite,import,es",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the table as Markdown (for the README)",
    )
    parser.add_argument("--json", metavar="OUT", help="write every figure to OUT")
    parser.add_argument(
        "--from-json",
        metavar="IN",
        help="measure nothing: print the report of an earlier --json OUT",
    )
    parser.add_argument(
        "--tmpdir",
        default=None,
        help="where log files are written (a real disk: fsync)",
    )
    args = parser.parse_args(argv)
    small = [10**4]
    if args.quick:
        args.sizes = args.sizes or small
        args.file_sizes = args.file_sizes or small
        args.sqlite_sizes = args.sqlite_sizes or small
        args.es_sizes = args.es_sizes or small
        args.realistic_sizes = args.realistic_sizes or small
    args.realistic_sizes = args.realistic_sizes or [10**5, 10**6]
    args.sizes = args.sizes or [10**4, 10**5, 10**6]
    args.file_sizes = args.file_sizes or [10**4, 10**5, 10**6]
    args.sqlite_sizes = args.sqlite_sizes or [10**4, 10**5]
    args.es_sizes = args.es_sizes or [10**4, 10**5]
    bench = Bench(args)
    skip = bench.skip
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        bench.rows = [Row(**row) for row in saved["rows"]]
        print(bench.report(saved["machine"], args.markdown))
        shutil.rmtree(bench.tmp, ignore_errors=True)
        return 0
    machine = bench.machine()
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}, "
        f"{machine['python']}, {machine['date']}, load average "
        f"{machine['load_average']}",
        file=sys.stderr,
    )
    try:
        if "import" not in skip:
            bench.run("import time", bench.import_time)
        if "realistic" not in skip:
            for n in args.realistic_sizes:
                bench.run(f"realistic workload, {n:,} events", bench.realistic, n)
        if "best" not in skip:
            for n in args.sizes:
                bench.run(f"in memory, {n:,} events", bench.in_memory, n)
        if "file" not in skip:
            for n in args.file_sizes:
                bench.run(f"JSON Lines file, {n:,} events", bench.file_log, n)
        if "sqlite" not in skip:
            for n in args.sqlite_sizes:
                bench.run(f"SQLite, {n:,} events", bench.sqlite_log, n)
        if "es" not in skip:
            for n in args.es_sizes:
                bench.run(f"eventsourcing, {n:,} events", bench.eventsourcing, n)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    machine["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    machine["seconds"] = round(_perf() - bench.started, 1)
    order = {row.section: i for i, row in reversed(list(enumerate(bench.rows)))}
    bench.rows.sort(key=lambda row: (order[row.section], row.n or 0))
    print(bench.report(machine, args.markdown))
    print(
        f"\n{machine['seconds']:.0f} s in all; peak RSS of this process "
        f"{machine['peak_rss'] / 2**30:.2f} GiB.  Other processes may share the "
        "machine: figures are indicative."
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": machine,
                    "args": vars(args),
                    "rows": [asdict(row) for row in bench.rows],
                },
                indent=1,
                default=str,
            )
        )
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
