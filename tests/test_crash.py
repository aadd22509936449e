"""Crash safety: a writer killed with SIGKILL at random moments loses no
acknowledged append, and leaves nothing half-visible.

A *zygote* process imports timeline once and forks a writer on demand (a
fresh interpreter per kill point would cost more than the test).  The
writer opens the log and appends batches from a fixed plan (sizes 1 and
several), printing each returned sequence number to stdout as soon as
``append`` returns.  The test kills it with SIGKILL after a random delay,
then checks:

- a reader opening the log sees a prefix of the plan that ends at a batch
  boundary and contains every acknowledged append: no partial batch is
  ever visible, even before a repair;
- ``verify`` passes, reporting at most a torn tail, which ``repair`` cuts
  (and then the file verifies clean);
- the file is byte for byte the plan's records up to there: every record
  identical to what was appended, nothing before it changed.

The number of kill points is set by ``TIMELINE_CRASH_KILLS`` (JSON Lines,
default 240) and ``TIMELINE_CRASH_KILLS_SQLITE`` (default 60); the seed by
``TIMELINE_CRASH_SEED``.  The totals are printed at the end.
"""

from __future__ import annotations

import datetime
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

import timeline
from timeline import Event
from timeline._storage.codec import GENESIS, chain_hash, encode_event, seal

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("TIMELINE_CRASH_KILLS", "240"))
KILLS_SQLITE = int(os.environ.get("TIMELINE_CRASH_KILLS_SQLITE", "60"))
SEED = int(os.environ.get("TIMELINE_CRASH_SEED", str(random.randrange(10**9))))
ROUNDS_PER_LOG = 8  # a fresh log now and then keeps each open fast
MAX_DELAY = 0.06  # seconds from the first append (or, at times, the fork) to kill
EARLY = 0.1  # the share of kills timed from the fork: some land while opening
SIZES = (1, 1, 1, 1, 2, 3, 7, 40, 150)


@timeline.event_type("crash.appended")
class Appended(Event):
    n: int
    note: str = ""


_DATES = ("2001", "2001-06", "2001-06-15", "../2002", "2000/2001-03", "2003~")


def planned_event(seq: int) -> Appended:
    """The event the plan appends as record ``seq``: a pure function of it."""
    return Appended(
        id=f"w{seq}",
        occurred=_DATES[seq % len(_DATES)],
        recorded=datetime.date(2024, 1, 1) + datetime.timedelta(days=seq // 97),
        n=seq,
        # Now and then a big record: a batch is one write(), and only a big
        # one can be cut by a kill (a torn tail).
        note="ü" * (seq % 5) * 40 if seq % 13 else "big " * 32_768,
    )


def plan(seed: int) -> Iterator[tuple[int, int]]:
    """Batches (first seq, last seq), forever, from ``seed``."""
    rng = random.Random(seed)
    last = 0
    while True:
        size = rng.choice(SIZES)
        yield last + 1, last + size
        last += size


class Planned:
    """The plan's records as the format defines them, computed as needed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._batches = plan(seed)
        self.ends = {0}
        self.raw: list[tuple[bytes, bytes]] = []  # (body, hash) of seq 1, 2, ...
        self.lines: list[bytes] = [b'{"timeline":"jsonl","format":1}\n']

    def upto(self, seq: int) -> list[tuple[bytes, bytes]]:
        head = self.raw[-1][1] if self.raw else GENESIS
        while len(self.raw) < seq:
            first, last = next(self._batches)
            self.ends.add(last)
            for number in range(first, last + 1):
                body = encode_event(planned_event(number), number, more=number != last)
                head = chain_hash(head, body)
                self.raw.append((body, head))
                self.lines.append(seal(body, head))
        return self.raw[:seq]

    def file(self, seq: int) -> bytes:
        """The whole JSON Lines file of records 1..seq."""
        self.upto(seq)
        return b"".join(self.lines[: seq + 1])

    def is_end(self, seq: int) -> bool:
        self.upto(seq + 1)
        return seq in self.ends


# -- the processes --------------------------------------------------------------


def writer(path: str, seed: int) -> None:
    """The forked child: append the plan's batches after what is there."""
    try:
        log = timeline.open_log(path)
        start = log.last_seq
        os.write(1, b"ready 0\n")
        deadline = time.monotonic() + 5
        for first, last in plan(seed):
            if last <= start:
                continue
            if first != start + 1:
                raise AssertionError(f"the log ends at {start}, inside a batch")
            events = [planned_event(seq) for seq in range(first, last + 1)]
            seq = log.append(*events, expected_seq=start)
            os.write(1, f"ack {seq}\n".encode())
            start = seq
            if time.monotonic() > deadline:
                break
    except BaseException as error:  # report, never hang the test
        os.write(1, f"error {error!r}".replace("\n", " ").encode() + b"\n")
        os._exit(3)
    os.write(1, b"done 0\n")
    os._exit(0)


def zygote() -> None:
    """Fork one writer per ``go PATH SEED`` line; reap it on ``reap``."""
    child = 0
    for line in sys.stdin:
        command, *args = line.split()
        if command == "go":
            child = os.fork()
            if child == 0:
                writer(args[0], int(args[1]))
            os.write(1, f"pid {child}\n".encode())  # one write: never interleaved
        elif command == "reap":
            _, status = os.waitpid(child, 0)
            os.write(1, f"exit {status}\n".encode())
        else:
            return


class Zygote:
    def __init__(self) -> None:
        tests = Path(__file__).parent
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import test_crash; test_crash.zygote()"],
            cwd=tests,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), *sys.path])},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.stdin: IO[str] = self.process.stdin
        self.stdout: IO[str] = self.process.stdout

    def send(self, line: str) -> None:
        self.stdin.write(line + "\n")
        self.stdin.flush()

    def round(
        self, path: Path, seed: int, delay: float, *, early: bool = False
    ) -> tuple[list[int], int]:
        """Fork a writer and SIGKILL it ``delay`` seconds after it opened the
        log (``early``: after the fork); returns (acknowledged seqs, status)."""
        self.send(f"go {path} {seed}")
        seen: dict[str, int] = {}
        acks: list[int] = []
        errors: list[str] = []
        pid = self._read_until(("pid",), seen, acks, errors)
        if not early:  # (the writer's lines may come before the zygote's)
            self._read_until(("ready", "done", "error"), seen, acks, errors)
        if not errors:
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)  # our own child: a zombie at worst
        self.send("reap")
        status = self._read_until(("exit",), seen, acks, errors)
        assert not errors, errors
        return acks, status

    def _read_until(
        self,
        words: tuple[str, ...],
        seen: dict[str, int],
        acks: list[int],
        errors: list[str],
    ) -> int:
        """Read the writer's and the zygote's lines until one of ``words``."""
        while not any(word in seen for word in words):
            line = self.stdout.readline()
            assert line, "the zygote died"
            kind, _, value = line.strip().partition(" ")
            if kind == "ack":
                acks.append(int(value))
            elif kind == "error":
                errors.append(value)
                seen[kind] = 0
            else:
                seen[kind] = int(value)
        return next(seen[word] for word in words if word in seen)

    def close(self) -> None:
        try:
            self.send("quit")
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.stdin.close()
            self.stdout.close()


@pytest.fixture
def zygote_process() -> Iterator[Zygote]:
    process = Zygote()
    yield process
    process.close()


def report(capsys: pytest.CaptureFixture[str], **counts: Any) -> None:
    with capsys.disabled():
        figures = ", ".join(
            f"{key.replace('_', ' ')}: {v}" for key, v in counts.items()
        )
        print(f"\n[crash test, seed {SEED}] {figures}")


# -- the tests ---------------------------------------------------------------------


def test_sigkill_during_appends_to_a_jsonl_log(
    tmp_path: Path, zygote_process: Zygote, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    kills = torn_tails = inside_a_batch = acked_total = readers = 0
    for number in range(0, KILLS, ROUNDS_PER_LOG):
        path = tmp_path / f"log{number}.jsonl"
        planned = Planned(rng.randrange(10**9))
        timeline.open_log(path).close()
        good = timeline.verify(path)  # a new, empty log
        previous = path.read_bytes()
        acked = 0
        for round_ in range(min(ROUNDS_PER_LOG, KILLS - number)):
            delay, early = rng.uniform(0, MAX_DELAY), rng.random() < EARLY
            acks, status = zygote_process.round(path, planned.seed, delay, early=early)
            kills += 1
            assert os.WIFSIGNALED(status), f"the writer exited by itself: {status}"
            assert acks == sorted(acks)
            assert all(a > acked for a in acks)
            assert all(planned.is_end(a) for a in acks)
            acked = max([acked, *acks])
            acked_total += len(acks)

            result = timeline.verify(path, decode=False)
            seen = result.last_seq
            assert planned.is_end(seen), f"a partial batch is visible: {seen}"
            assert seen >= acked, "an acknowledged append was lost"
            if round_ % 3 == 0:  # a reader, before any repair: whole batches only
                readers += 1
                with timeline.open_log(path, create=False) as reader:
                    assert reader.last_seq == seen
                    assert reader.torn == result.torn_reason
                    ids = [e.id for e in reader]
                    assert ids == [f"w{s}" for s in range(1, seen + 1)]
            if result.torn_bytes:
                torn_tails += 1
                inside_a_batch += result.torn_reason == "an unfinished batch at the end"
                assert timeline.repair(path) == result.torn_bytes
                result = timeline.verify(path, decode=False)
                assert (result.last_seq, result.torn_bytes) == (seen, 0)
            # Byte for byte what was appended; nothing before it changed.
            content = path.read_bytes()
            assert content.startswith(previous)
            assert content == planned.file(seen)
            head = planned.raw[seen - 1][1] if seen else GENESIS
            assert str(result) == f"{seen}:{head.hex()}"
            previous = content
            good = result
        final = timeline.verify(path, head=str(good))  # decoded, rules checked
        assert final.torn_bytes == 0
    report(
        capsys,
        jsonl_kill_points=kills,
        torn_tails_repaired=torn_tails,
        of_them_whole_lines_of_a_batch=inside_a_batch,
        reader_checks=readers,
        acknowledged_appends=acked_total,
    )
    assert kills == KILLS


def test_sigkill_during_appends_to_a_sqlite_log(
    tmp_path: Path, zygote_process: Zygote, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED + 1)
    kills = acked_total = 0
    for number in range(0, KILLS_SQLITE, ROUNDS_PER_LOG):
        path = tmp_path / f"log{number}.sqlite"
        timeline.open_log(path).close()
        planned = Planned(rng.randrange(10**9))
        acked = 0
        for _ in range(min(ROUNDS_PER_LOG, KILLS_SQLITE - number)):
            delay, early = rng.uniform(0, MAX_DELAY), rng.random() < EARLY
            acks, status = zygote_process.round(path, planned.seed, delay, early=early)
            kills += 1
            assert os.WIFSIGNALED(status), f"the writer exited by itself: {status}"
            acked = max([acked, *acks])
            acked_total += len(acks)
            with timeline.open_log(path, create=False) as reader:
                seen = reader.last_seq
                assert seen >= acked, "an acknowledged append was lost"
                assert planned.is_end(seen), "a partial batch is visible"
                assert list(reader.raw_records()) == planned.upto(seen)
            assert timeline.repair(path) == 0
            assert timeline.verify(path, decode=False).last_seq == seen
        assert timeline.verify(path).last_seq >= acked
    report(capsys, sqlite_kill_points=kills, acknowledged_appends=acked_total)
    assert kills == KILLS_SQLITE


def test_a_new_log_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    """Creating a log writes its header aside and links it into place."""
    path = tmp_path / "new.jsonl"
    timeline.open_log(path).close()
    assert path.read_bytes() == b'{"timeline":"jsonl","format":1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.jsonl"]
