"""Concurrent writers recording "now" on SQLite and PostgreSQL (issue 12 item 6).

Several processes append to one log, each event recorded at the time the
writer read the clock: without ``stamp=True`` a writer that took its time
before another one's later append is refused as back-dated; with it the log
takes the time inside its write transaction and none is.  Prints, per log
and mode, the appends attempted, refused and stored, and checks that the
recorded times never go back.

    python benchmarks/stamped_writers.py [--writers 4] [--appends 500]
        [--postgres postgresql://USER@HOST/DB]   (default: $TIMELINE_TEST_POSTGRES_URL)
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import timeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from strategies import Noted

CONTEXT = multiprocessing.get_context("spawn")


def writer(
    target: str, worker: int, appends: int, stamp: bool, start: Any, out: Any
) -> None:
    """Append ``appends`` events; put the number refused as back-dated."""
    refused = 0
    with timeline.open_log(target) as log:
        start.wait(120)
        for attempt in range(appends):
            now = datetime.datetime.now(datetime.UTC)
            event = Noted(id=f"w{worker}-{attempt}", occurred="2024", recorded=now)
            try:
                log.append(event, stamp=stamp)
            except timeline.InvalidEventError as error:
                if "back-dated" not in str(error):
                    raise
                refused += 1
    out.put(refused)


def run(target: str, writers: int, appends: int, stamp: bool) -> tuple[int, int]:
    timeline.open_log(target).close()
    start, out = CONTEXT.Barrier(writers), CONTEXT.Queue()
    processes = [
        CONTEXT.Process(target=writer, args=(target, w, appends, stamp, start, out))
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    refused = sum(out.get(timeout=600) for _ in processes)
    for process in processes:
        process.join()
        assert process.exitcode == 0
    with timeline.open_log(target, create=False) as log:
        times = [event.recorded for event in log]
    assert times == sorted(times), "recorded times went back"
    timeline.verify(target)
    return refused, len(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument(
        "--postgres", default=os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    )
    args = parser.parse_args()
    attempted = args.writers * args.appends
    print(f"{args.writers} writers x {args.appends} appends recorded at now()")
    with tempfile.TemporaryDirectory() as folder:
        for stamp in (False, True):
            targets = [("SQLite", str(Path(folder) / f"{uuid.uuid4().hex}.sqlite"))]
            if args.postgres:
                separator = "&" if "?" in args.postgres else "?"
                name = f"stamped-{uuid.uuid4().hex[:12]}"
                targets.append(("PostgreSQL", f"{args.postgres}{separator}log={name}"))
            for kind, target in targets:
                refused, stored = run(target, args.writers, args.appends, stamp)
                print(
                    f"{kind:10} stamp={stamp!s:5}: {attempted} attempted, "
                    f"{refused} refused as back-dated, {stored} stored"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
