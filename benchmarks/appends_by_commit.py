"""In-memory appends, one event at a time and in batches of 1000, of several
commits side by side in one run: each commit's ``src`` and ``benchmarks``
(``git archive``) in a child process of its own, the commits alternating,
three rounds; CPU time of a warm pass (the workload's dates encoded once).

    python benchmarks/appends_by_commit.py 70bd54c 9729671 HEAD [--events N]

Prints, per commit, the median over the rounds of µs an append and µs an
event in batches of 1000.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
sys.path.insert(0, "benchmarks")
import _workload as W
from timeline import Log
n = int(sys.argv[1])
events = W.make_workload(n, 7).events()

def one():
    log = Log()
    append = log.append
    start = time.process_time()
    for event in events:
        append(event)
    return time.process_time() - start

def batches():
    log = Log()
    start = time.process_time()
    for begin in range(0, n, 1000):
        log.append(*events[begin:begin + 1000])
    return time.process_time() - start

one(), batches()  # warm: every date encoded once
best = {"one": min(one(), one()) / n, "batch": min(batches(), batches()) / n}
print(json.dumps(best))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        trees = {}
        for commit in args.commits:
            tree = Path(tmp) / commit.replace("/", "_")
            tree.mkdir()
            archive = subprocess.run(
                ["git", "archive", commit, "src", "benchmarks"],
                cwd=root,
                capture_output=True,
                check=True,
            ).stdout
            archive_path = tree / "tree.tar"
            archive_path.write_bytes(archive)
            with tarfile.open(archive_path) as tar:
                tar.extractall(tree, filter="data")
            trees[commit] = tree
        found: dict[str, list[dict[str, float]]] = {c: [] for c in trees}
        for _ in range(args.rounds):
            for commit, tree in trees.items():
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(args.events)],
                    cwd=tree,
                    env={"PYTHONPATH": str(tree / "src"), "PATH": ""},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                found[commit].append(json.loads(done.stdout.splitlines()[-1]))
    for commit, runs in found.items():
        one = statistics.median(r["one"] for r in runs) * 1e6
        batch = statistics.median(r["batch"] for r in runs) * 1e6
        print(
            f"{commit}: one at a time {one:.2f} µs an append ({1e3 / one:.0f} k/s); "
            f"batches of 1000 {batch:.2f} µs an event ({1e3 / batch:.0f} k/s); "
            f"one/batch {one / batch:.2f}×"
        )


if __name__ == "__main__":
    main()
