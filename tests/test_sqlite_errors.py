"""What a reliability run found in the SQLite log, each reproduced first:

- ``verify`` while another process appends corrections reported false
  tampering ("the supersessions table does not match"): it now reads in
  one transaction;
- every sqlite3 error was "not a timeline SQLite log", and raw sqlite3
  errors escaped ``append`` and ``convert``: each is now a
  :class:`timeline.StorageError` (or IntegrityError for a file that is not
  a log) naming the file and the cause, and nothing acknowledged is lost:
  concurrent first opens, a read-only log in a read-only folder (which
  must still verify and answer queries), a full disk, a file-size limit,
  use after ``close()``, and ``timeline convert`` under a file-size limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import timeline
from strategies import TRACE, Noted
from timeline import IntegrityError, StorageError
from timeline._storage.sqlite import SQLiteLog

CONTEXT = multiprocessing.get_context("spawn")
SECONDS = 3.0  # of concurrent corrections


def noted(index: int, *, supersedes: tuple[str, ...] = ()) -> Noted:
    return Noted(
        id=f"n{index}",
        occurred=f"{2000 + index % 20}",
        recorded="2024-01-01",
        supersedes=supersedes,
    )


def correct_for(path: str, seconds: float, started: Any) -> None:
    """Append batches that supersede earlier events, for ``seconds``."""
    with timeline.open_log(path) as log:
        index = log.last_seq  # n0 .. n(index - 1) are in
        started.set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            earlier = f"n{index - 1}"
            log.append(noted(index), noted(index + 1, supersedes=(earlier,)))
            index += 2


def test_verify_during_concurrent_corrections_never_reports_tampering(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.sqlite"
    with timeline.open_log(path) as log:
        log.append(noted(0))
    started = CONTEXT.Event()
    writer = CONTEXT.Process(target=correct_for, args=(str(path), SECONDS, started))
    writer.start()
    try:
        assert started.wait(60)
        checks = []
        while writer.is_alive():
            checks.append(timeline.verify(path).last_seq)
        writer.join(60)
        assert writer.exitcode == 0
    finally:
        if writer.is_alive():
            writer.kill()
    assert len(checks) >= 3
    assert checks == sorted(checks)  # each a whole state, later ones longer
    assert all(seq % 2 == 1 for seq in checks)  # never half an append
    assert timeline.verify(path).last_seq >= checks[-1]


def open_and_append(path: str, worker: int) -> None:
    with timeline.open_log(path) as log:
        log.append(Noted(id=f"w{worker}", occurred="2001", recorded="2024-01-01"))


def test_concurrent_first_opens_of_a_new_log_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    processes = [
        CONTEXT.Process(target=open_and_append, args=(str(path), worker))
        for worker in range(8)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * 8
    with timeline.open_log(path) as log:
        assert sorted(e.id for e in log) == sorted(f"w{i}" for i in range(8))


def test_a_locked_database_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    with timeline.open_log(path) as log:
        log.append(noted(0))
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        log = SQLiteLog(path, create=True)  # an existing log opens, locked or not
        log._db.execute("PRAGMA busy_timeout=100")
        with pytest.raises(StorageError, match="locked") as raised:
            log.append(noted(1))
        assert str(path) in str(raised.value)
        log.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert timeline.verify(path).last_seq == 1


def test_use_after_close_says_the_log_was_closed(tmp_path: Path) -> None:
    path = tmp_path / "closed.sqlite"
    log = timeline.open_log(path)
    log.append(noted(0))
    log.close()
    for use in (
        lambda: log.append(noted(1)),
        lambda: len(log),
        lambda: log.state(TRACE, "2001-01-01"),
        lambda: list(log),
    ):
        with pytest.raises(StorageError, match="the log was closed") as raised:
            use()
        assert str(path) in str(raised.value)
    assert timeline.verify(path).last_seq == 1


READ_ONLY = """
import sys
sys.path.insert(0, {tests!r})
import timeline, strategies
path = {path!r}
print(timeline.verify(path).last_seq)
with timeline.open_log(path) as log:
    print(log.state(strategies.TRACE, "2030-01-01").certain)
    try:
        log.append(strategies.Noted(id="x", occurred="2001", recorded="2030-01-01"))
    except timeline.StorageError as error:
        print("refused:", error)
"""


def test_a_read_only_log_in_a_read_only_folder_verifies_and_answers(
    tmp_path: Path,
) -> None:
    with read_only_folder(tmp_path) as (folder, seal):
        path = folder / "log.sqlite"
        with timeline.open_log(path) as log:
            log.append(noted(0), noted(1))
            log.state(TRACE, "2030-01-01")  # leaves a checkpoints table behind
        seal()
        code = READ_ONLY.format(tests=str(Path(__file__).parent), path=str(path))
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == "2"
        assert lines[1] == "('n0', 'n1')"
        assert lines[2].startswith("refused:")
        assert "read-only" in lines[2]
        assert str(path) in lines[2]
        assert not list(folder.glob("log.sqlite-*"))


@contextlib.contextmanager
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """A folder, and a function that makes it and its files read-only: by
    permissions, or (root ignores them) by remounting a tmpfs read-only."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()

        def seal() -> None:
            for item in folder.iterdir():
                item.chmod(0o444)
            folder.chmod(0o555)

        try:
            yield folder, seal
        finally:
            folder.chmod(0o755)
        return
    with small_disk(tmp_path, "4m") as folder:

        def remount() -> None:
            for side in folder.glob("*-wal"):
                side.unlink()
            for side in folder.glob("*-shm"):
                side.unlink()
            subprocess.run(
                ["mount", "-o", "remount,ro", str(folder)], check=True, timeout=60
            )

        yield folder, remount


FILL = """
import resource, signal, sys
sys.path.insert(0, {tests!r})
import timeline, strategies
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
log = timeline.open_log({path!r})
limit = {limit}
if limit:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
acknowledged = 0
try:
    for batch in range(100000):
        events = [
            strategies.Noted(id=f"b{{batch}}-{{i}}", occurred="2001",
                             recorded="2024-01-01", tags=("x" * 200,))
            for i in range(20)
        ]
        acknowledged = log.append(*events)
except timeline.StorageError as error:
    print(acknowledged)
    print(error)
else:
    print(acknowledged)
    print("no error")
"""


def fill_until_refused(tests: Path, path: Path, limit: int = 0) -> tuple[int, str]:
    code = FILL.format(tests=str(tests), path=str(path), limit=limit)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    acknowledged, message = done.stdout.splitlines()[:2]
    return int(acknowledged), message


def test_a_file_size_limit_is_named_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "limited.sqlite"
    timeline.open_log(path).close()
    acknowledged, message = fill_until_refused(
        Path(__file__).parent, path, limit=400_000
    )
    assert acknowledged > 0
    assert str(path) in message
    assert "File too large: this process may write files of at most 400000" in message
    assert "(EFBIG)" in message
    assert timeline.verify(path).last_seq == acknowledged


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str = "600k") -> Iterator[Path]:
    mount = tmp_path / f"disk-{size}"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small disk needs root to mount a tmpfs")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_named_and_loses_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        path = disk / "full.sqlite"
        timeline.open_log(path).close()
        acknowledged, message = fill_until_refused(Path(__file__).parent, path)
        assert acknowledged > 0
        assert str(path) in message
        assert "No space left on device (ENOSPC)" in message, message
        assert timeline.verify(path).last_seq == acknowledged
        with timeline.open_log(path) as log:
            assert log.last_seq == acknowledged


def test_convert_under_a_file_size_limit_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with timeline.open_log(source) as log:
        for batch in range(20):
            log.append(
                *[
                    Noted(
                        id=f"b{batch}-{i}",
                        occurred="2001",
                        recorded="2024-01-01",
                        tags=("x" * 200,),
                    )
                    for i in range(50)
                ]
            )
    target = tmp_path / "copy.sqlite"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import strategies; from timeline.cli import main; "
        f"sys.exit(main(['convert', {str(source)!r}, {str(target)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"{target}: cannot write" in done.stderr
    assert (
        "File too large: this process may write files of at most 100000" in done.stderr
    )
    assert "(EFBIG)" in done.stderr
    assert not target.exists()
    assert timeline.verify(source).last_seq == 1000


def test_a_file_that_is_not_a_database_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "text.sqlite"
    path.write_bytes(b"hello, this is not SQLite" * 100)
    with pytest.raises(IntegrityError, match="not a timeline SQLite log"):
        timeline.open_log(path)
    with pytest.raises(IntegrityError, match="not a timeline SQLite log"):
        timeline.verify(path)
