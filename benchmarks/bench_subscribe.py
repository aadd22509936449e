"""Subscriptions: lag from append to delivery, and catch-up speed.

    python benchmarks/bench_subscribe.py [--quick] [--postgres URL]

Not a test.  Prints, on this machine, for each log (memory, JSON Lines,
SQLite; PostgreSQL with ``--postgres URL`` once it has a log):

- **lag**: the time from an ``append`` returning to the subscriber having
  the event (median and 90th percentile, wall time), with the writer
  - in another thread of the same process, through another handle (the
    subscriber is woken by the process's signal), and
  - in another process (the subscriber finds it by polling, or through
    LISTEN/NOTIFY on PostgreSQL),
  each at two paces: appends every few milliseconds (the subscriber barely
  backs off) and every 150 ms on average (it has backed off to its longest
  poll, ``poll``, 0.05 s by default).  The baseline in the same run is the
  append itself (its median duration: an fsync or a commit): the lag is
  also given as a multiple of it.  A negative lag would mean delivery
  before ``append`` returned (the wake-up comes with the commit);
- **eventsourcing** (with ``--postgres``, when ``eventsourcing[postgres]``
  is installed; 9.5.6 measured): the same lag through eventsourcing's
  PostgreSQL recorder on the same server, in the same run: a writer
  ``app.save``-ing one event of one aggregate at the same paces, the
  subscriber iterating ``app.recorder.subscribe(gt=...)`` (its
  LISTEN/NOTIFY subscription: a listening thread wakes a thread that
  selects the notifications after its position) and turning each
  notification into its domain event (``app.mapper.to_domain_event``), as
  timeline's subscription yields events; the ratio of the lags (timeline
  over eventsourcing: below 1 is faster);
- **catch-up**: events per second delivered by ``subscribe(after=0,
  idle=0)`` from a log of ``--catch-up`` events, in a fresh handle, against
  reading the same log with ``list(open_log(path))`` (JSON Lines: a load
  with the whole chain verified and every event decoded; SQLite and
  PostgreSQL: every row decoded) in the same run; this process's CPU time
  (a PostgreSQL server's work is not in it).

Send times are ``time.perf_counter()`` (CLOCK_MONOTONIC: the same clock in
every process).  Log files go to ``--tmpdir`` (a real disk: fsync must mean
something).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import timeline
from timeline import Event

CONTEXT = multiprocessing.get_context("spawn")


@timeline.event_type("bench.ping")
class Ping(Event):
    n: int
    sent: float = 0.0


_DAY = datetime.date(2025, 1, 1)


def ping(n: int, sent: float = 0.0) -> Ping:
    return Ping(id=f"p{n}", occurred="2024-06", recorded=_DAY, n=n, sent=sent)


def say(message: str) -> None:
    print(message, flush=True)


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def with_log(url: str, name: str) -> str:
    """``url`` naming the log ``name`` (a fresh log a measurement)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "log"]
    query.append(("log", name))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def open_target(target: str) -> Any:
    return timeline.Log() if target == "memory" else timeline.open_log(target)


# -- the writer -----------------------------------------------------------------


def paced(
    append: Callable[[int], None],
    count: int,
    pace: float,
    times: tuple[Any, Any],
    start: Any,
    seed: int,
) -> None:
    """``append(n)`` for n in range(count), one every ``pace`` seconds on
    average (exponential gaps), noting when each began and returned."""
    sent, returned = times
    rng = random.Random(seed)
    start.wait()
    for n in range(count):
        time.sleep(rng.expovariate(1 / pace))
        sent[n] = time.perf_counter()
        append(n)
        returned[n] = time.perf_counter()


def write(target: str | Any, count: int, pace: float, *rest: Any) -> None:
    """``paced`` pings appended to ``target`` (a handle, or opened here)."""
    log = open_target(target) if isinstance(target, str) else target
    paced(lambda n: log.append(ping(n, time.perf_counter())), count, pace, *rest)
    if isinstance(target, str) and hasattr(log, "close"):
        log.close()


def es_write(
    env: dict[str, str], aggregate_id: Any, count: int, pace: float, *rest: Any
) -> None:
    """``write`` through eventsourcing: each append is ``app.save`` of one
    new event of the aggregate."""
    import _es

    app = _es.CounterApp(env=env)
    aggregate = app.repository.get(aggregate_id)

    def save(n: int) -> None:
        aggregate.observe(value=n)
        app.save(aggregate)

    paced(save, count, pace, *rest)
    app.close()


def drive(
    delivered_n: Iterator[int],
    writer: Callable[..., None],
    args: tuple[Any, ...],
    count: int,
    *,
    process: bool,
) -> dict[str, Any]:
    """Run ``writer(*args, times, start, seed)`` in a thread or a spawned
    process while ``delivered_n`` yields the number of each event
    delivered; (lags after the append returned, append durations), in s."""
    delivered = [0.0] * count
    times: tuple[Any, Any]
    if process:
        times = (
            CONTEXT.Array("d", count, lock=False),
            CONTEXT.Array("d", count, lock=False),
        )
        start: Any = CONTEXT.Event()
        running: Any = CONTEXT.Process(target=writer, args=(*args, times, start, 1))
    else:
        times = ([0.0] * count, [0.0] * count)
        start = threading.Event()
        running = threading.Thread(target=writer, args=(*args, times, start, 1))
    running.start()
    time.sleep(0.5 if process else 0.05)  # a spawned writer imports timeline
    start.set()
    got = 0
    for n in delivered_n:
        delivered[n] = time.perf_counter()
        got += 1
        if got == count:
            break
    running.join(60)
    if got != count:
        raise RuntimeError(f"{got} of {count} events delivered")
    sent, returned = times
    lags = [delivered[n] - returned[n] for n in range(count)]
    appends = [returned[n] - sent[n] for n in range(count)]
    return {"lags": lags, "appends": appends}


def measure_lag(
    target: str, count: int, pace: float, *, process: bool
) -> dict[str, Any]:
    """timeline's lag: a subscription to ``target``, a writer appending."""
    log = open_target(target)
    subscription = log.subscribe(after=log.last_seq, idle=60)
    # The writer appends through a handle of its own (memory: the same log).
    writes_to = log if target == "memory" else target
    try:
        return drive(
            (event.n for event in subscription),
            write,
            (writes_to, count, pace),
            count,
            process=process,
        )
    finally:
        subscription.close()
        if hasattr(log, "close"):
            log.close()


def es_lag(url: str, count: int, pace: float, *, process: bool) -> dict[str, Any]:
    """eventsourcing's lag: ``app.recorder.subscribe`` (LISTEN/NOTIFY) on
    the server of ``url``, a writer saving one event at a time."""
    import _es
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS es_bench")
    env = _es.es_env(url)
    app = _es.CounterApp(env=env)
    aggregate = _es.Counter()
    app.save(aggregate)
    to_event = app.mapper.to_domain_event

    def numbers() -> Iterator[int]:
        for notification in subscription:
            if notification.originator_id == aggregate.id:
                yield to_event(notification).value  # type: ignore[attr-defined]

    subscription = app.recorder.subscribe(gt=app.recorder.max_notification_id())
    try:
        with subscription:
            return drive(
                numbers(),
                es_write,
                (env, aggregate.id, count, pace),
                count,
                process=process,
            )
    finally:
        app.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]


# -- catch-up -------------------------------------------------------------------


def catch_up(path: str, count: int) -> tuple[float, float]:
    """(seconds to deliver the whole log through a subscription, seconds to
    read it with list(open_log)), each in a fresh handle, CPU time."""
    with timeline.open_log(path) as log:
        if log.last_seq < count:
            for start in range(log.last_seq, count, 1000):
                log.append(*[ping(n) for n in range(start, min(count, start + 1000))])
    best = []
    for read in (_by_subscription, _by_list):
        times = []
        for _ in range(3):
            began = time.process_time()
            assert read(path) == count
            times.append(time.process_time() - began)
        best.append(min(times))
    return best[0], best[1]


def _by_subscription(path: str) -> int:
    # The handle's own load is not counted against the subscription: a
    # SQLite handle loads nothing, a JSON Lines one loads the file, which
    # the subscription then reads from memory; time a handle on an empty
    # twin instead would hide that.  So: open, then subscribe, both timed.
    with timeline.open_log(path) as log, log.subscribe(idle=0) as events:
        return sum(1 for _ in events)


def _by_list(path: str) -> int:
    with timeline.open_log(path) as log:
        return len(list(log))


# -- the run --------------------------------------------------------------------


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "?"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    load = os.getloadavg()[0]
    return (
        f"{model}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
        f"timeline {commit}, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} "
        f"UTC, load average {load:.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events")
    parser.add_argument("--events", type=int, default=200, help="pings a lag run")
    parser.add_argument("--catch-up", type=int, default=100_000)
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL")
    parser.add_argument(
        "--only-postgres",
        action="store_true",
        help="PostgreSQL (and eventsourcing's) only: no memory, file or SQLite log",
    )
    args = parser.parse_args(argv)
    count = 40 if args.quick else args.events
    size = 5_000 if args.quick else args.catch_up
    directory = Path(tempfile.mkdtemp(prefix="bench-subscribe-", dir=args.tmpdir))
    try:
        run(args, count, size, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def has_eventsourcing() -> bool:
    try:
        import eventsourcing.postgres  # noqa: F401
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace, count: int, size: int, directory: Path) -> None:
    targets: dict[str, Callable[[str], str]] = {
        "memory": lambda _: "memory",
        "JSON Lines": lambda name: str(directory / f"{name}.jsonl"),
        "SQLite": lambda name: str(directory / f"{name}.sqlite"),
    }
    if args.only_postgres:
        targets.clear()
    if args.postgres:
        run = uuid.uuid4().hex[:8]
        targets["PostgreSQL"] = lambda name: with_log(args.postgres, f"{name}-{run}")
    es = bool(args.postgres) and has_eventsourcing()
    say(f"# Subscription lag and catch-up\n\n{machine()}\n")
    say("| log | writer | pace | lag median | lag p90 | append median | lag/append |")
    say("|---|---|---:|---:|---:|---:|---:|")
    against: list[str] = []
    for label, make in targets.items():
        for process in (False, True):
            if process and label == "memory":
                continue
            for pace in (0.003, 0.15):
                runs = max(10, count // 4) if pace > 0.1 else count
                where = "process" if process else "thread"
                name = f"lag-{where}-{pace}"
                measures: list[tuple[str, Callable[[], dict[str, Any]]]] = [
                    (
                        label,
                        functools.partial(
                            measure_lag, make(name), runs, pace, process=process
                        ),
                    )
                ]
                if label == "PostgreSQL" and es:
                    # Right after timeline's, on the same server and pace.
                    es_measure = functools.partial(
                        es_lag, args.postgres, runs, pace, process=process
                    )
                    measures.append(("eventsourcing PostgreSQL", es_measure))
                medians = []
                for shown, measure in measures:
                    progress(f"{shown}, writer in a {where}, pace {pace * 1000:.0f} ms")
                    found = measure()
                    median, p90 = quantiles(found["lags"])
                    medians.append(median)
                    append = statistics.median(found["appends"])
                    ratio = f"{median / append:.2f}×" if append > 0 else "–"
                    say(
                        f"| {shown} | {where} | {pace * 1000:.0f} ms | {ms(median)} | "
                        f"{ms(p90)} | {ms(append)} | {ratio} |"
                    )
                if len(medians) == 2:
                    against.append(
                        f"- writer in a {where}, pace {pace * 1000:.0f} ms: "
                        f"{ms(medians[0])} against {ms(medians[1])}, "
                        f"{medians[0] / medians[1]:.2f}×"
                    )
    if against:
        say(
            "\nLag median, timeline's PostgreSQL subscription against "
            "eventsourcing's (same server, same run; below 1× is faster):\n"
        )
        say("\n".join(against))
    elif args.postgres:
        say("\n(eventsourcing[postgres] is not installed: no comparison)")
    say(f"\n| log | catch-up of {size:,} events | subscription | list(log) | ratio |")
    say("|---|---|---:|---:|---:|")
    for label, make in targets.items():
        if label == "memory":
            continue
        progress(f"{label}: catch-up of {size} events")
        subscribed, listed = catch_up(make("catch-up"), size)
        say(
            f"| {label} | events/s (CPU) | {size / subscribed:,.0f} | "
            f"{size / listed:,.0f} | {listed / subscribed:.2f}× |"
        )


if __name__ == "__main__":
    main()
