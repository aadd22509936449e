"""What the operating system refuses: a full disk (a file-size limit), too
few file descriptors, too little memory, and the interpreter's exit with a
log left open.

Each operation (open_log, append, verify, repair, convert) turns the
system's refusal into one :class:`timeline.StorageError` (a TimelineError
and the OSError it replaces) or :class:`timeline.LogTooLargeError` (a
MemoryError) naming the file, what was being done and the cause, and
leaves every file as it was: a log is created whole or not at all, a failed
append or conversion leaves nothing behind.  Limits are set with
``resource.setrlimit`` in a child process (a full disk without a
filesystem of its own: ``RLIMIT_FSIZE`` makes writes past the limit fail
with EFBIG, as ENOSPC would).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import timeline
from strategies import Counted
from timeline import LogTooLargeError, StorageError, TimelineError
from timeline._storage import jsonl

TESTS = Path(__file__).parent

#: Prints what the operation raised as JSON: {"error": [class names...],
#: "message": ...}, or {"error": null} when it returned.
_CHILD = """
import json, os, resource, sys
sys.path.insert(0, {tests!r})
import strategies  # registers the test event types
import timeline

def limit(kind, value):
    resource.setrlimit(kind, (value, resource.getrlimit(kind)[1]))

def report(run):
    try:
        result = run()
    except timeline.TimelineError as error:
        names = [k.__name__ for k in type(error).__mro__]
        print(json.dumps({{"error": names, "message": str(error)}}))
    else:
        print(json.dumps({{"error": None, "result": repr(result)}}))
"""


def child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` (after _CHILD) in a fresh interpreter; what it reported.
    Any traceback, or anything else on stderr, fails the test."""
    source = _CHILD.format(tests=str(TESTS)) + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", source, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def small_log(path: Path, count: int = 200) -> bytes:
    with timeline.open_log(path) as log:
        log.append(
            *(
                Counted(id=f"n{n}", occurred="2024", recorded="2024-07-01", by=n)
                for n in range(count)
            )
        )
    return path.read_bytes()


# -- a full disk -----------------------------------------------------------------


def test_a_log_that_cannot_be_created_is_not_left_behind(tmp_path: Path) -> None:
    """Issue 16 item 6: a full disk while creating a log used to leave a
    0-byte file that verify then called "file is empty"."""
    path = tmp_path / "new.jsonl"
    found = child(
        """
        limit(resource.RLIMIT_FSIZE, 10)
        report(lambda: timeline.open_log(sys.argv[1]))
        """,
        str(path),
    )
    assert "StorageError" in found["error"]
    assert "OSError" in found["error"]
    assert found["message"] == (
        f"{path}: cannot create the log (nothing was created): File too large (EFBIG)"
    )
    assert list(tmp_path.iterdir()) == []  # no log, no temporary file


def test_without_hard_links_a_log_is_left_empty_and_the_message_says_so(
    tmp_path: Path,
) -> None:
    """Where the filesystem has no hard links, the header is written into
    the new file itself: if that fails, the file stays empty, the message
    says so, and the next open_log completes it."""
    path = tmp_path / "new.jsonl"
    found = child(
        """
        import timeline._storage.jsonl as jsonl
        jsonl._create = lambda path: None  # as without hard links: O_CREAT
        limit(resource.RLIMIT_FSIZE, 10)
        report(lambda: timeline.open_log(sys.argv[1]))
        """,
        str(path),
    )
    assert "StorageError" in found["error"]
    assert found["message"].startswith(f"{path}: cannot write the log's header: ")
    assert "File too large (EFBIG)" in found["message"]
    assert "left empty; open_log completes it" in found["message"]
    assert [p.name for p in tmp_path.iterdir()] == ["new.jsonl"]
    assert path.read_bytes() == b""
    with pytest.raises(TimelineError, match=r"the file is empty.*open_log"):
        timeline.verify(path)
    timeline.open_log(path).close()
    assert timeline.verify(path).last_seq == 0


def test_an_append_past_the_limit_leaves_the_log_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    before = small_log(path, 3)
    found = child(
        """
        import strategies
        log = timeline.open_log(sys.argv[1])
        limit(resource.RLIMIT_FSIZE, os.path.getsize(sys.argv[1]) + 100)
        big = strategies.Counted(
            id="big", occurred="2024", recorded="2024-07-02", tags=("x" * 1000,)
        )
        report(lambda: log.append(big))
        """,
        str(path),
    )
    assert "StorageError" in found["error"]
    assert found["message"] == (
        f"{path}: cannot append to the log (the log is unchanged): File too "
        "large (EFBIG)"
    )
    assert path.read_bytes() == before
    assert timeline.verify(path).last_seq == 3


@pytest.mark.parametrize("suffix", [".jsonl", ".sqlite"])
def test_a_conversion_past_the_limit_leaves_nothing(
    tmp_path: Path, suffix: str
) -> None:
    """Issue 16 item 3: convert under a file-size limit printed a sqlite3
    traceback."""
    source = tmp_path / "source.jsonl"
    before = small_log(source)
    target = tmp_path / f"target{suffix}"
    found = child(
        """
        limit(resource.RLIMIT_FSIZE, os.path.getsize(sys.argv[1]) // 3)
        report(lambda: timeline.convert(sys.argv[1], sys.argv[2]))
        """,
        str(source),
        str(target),
    )
    assert "StorageError" in found["error"], found
    assert found["message"].startswith(f"{target}: "), found
    assert "EFBIG" in found["message"] or "disk I/O error" in found["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.jsonl"]
    assert source.read_bytes() == before


# -- too few file descriptors ------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        "timeline.open_log(sys.argv[1])",
        "timeline.verify(sys.argv[1])",
        "timeline.repair(sys.argv[1])",
        "timeline.convert(sys.argv[1], sys.argv[1] + '.copy.jsonl')",
    ],
)
def test_no_file_descriptor_left_is_one_storage_error(
    tmp_path: Path, operation: str
) -> None:
    path = tmp_path / "log.jsonl"
    before = small_log(path, 3)
    found = child(
        f"""
        lowest_free = os.dup(0)  # every descriptor below it is in use
        os.close(lowest_free)
        limit(resource.RLIMIT_NOFILE, lowest_free)
        report(lambda: {operation})
        """,
        str(path),
    )
    assert "StorageError" in found["error"], found
    assert found["message"].startswith(f"{path}: cannot "), found
    assert found["message"].endswith("Too many open files (EMFILE)"), found
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.jsonl"]


# -- too little memory ----------------------------------------------------------


def test_a_log_too_large_for_the_memory_limit_is_one_error(tmp_path: Path) -> None:
    """Issue 16 item 3: a memory limit gave a MemoryError traceback."""
    path = tmp_path / "log.jsonl"
    small_log(path, 30_000)
    found = child(
        """
        import timeline._storage  # (imported before the limit)
        status = open("/proc/self/status").read()
        vm = int(status.split("VmSize:")[1].split()[0]) * 1024
        limit(resource.RLIMIT_AS, vm + 4 * 2**20)  # 30,000 events need ~9 MB
        report(lambda: len(timeline.open_log(sys.argv[1])))
        """,
        str(path),
    )
    assert found["error"] is not None, found
    assert "LogTooLargeError" in found["error"]
    assert "MemoryError" in found["error"]
    assert found["message"].startswith(f"{path}: not enough memory to load the log")


# -- the interpreter's exit ------------------------------------------------------


@pytest.mark.parametrize(
    "keep",
    [
        "log = timeline.open_log(sys.argv[1])",
        "log = timeline.open_log(sys.argv[1]); log.cycle = log",
        "import builtins; builtins.kept = timeline.open_log(sys.argv[1])",
        "import gc; log = timeline.open_log(sys.argv[1]); log.cycle = log; gc.freeze()",
        "def show(): print(len(log))\nlog = timeline.open_log(sys.argv[1]); show()",
    ],
    ids=["module global", "in a cycle", "in builtins", "frozen", "used by a def"],
)
def test_a_log_left_open_at_exit_closes_quietly(tmp_path: Path, keep: str) -> None:
    """Issue 16 item 5: a log left open printed "Exception ignored in:
    <function FileLog.__del__> ... 'NoneType' object has no attribute
    'suppress'" at exit."""
    path = tmp_path / "log.jsonl"
    timeline.open_log(path).close()
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, timeline\n{keep}\n", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_closing_at_teardown_needs_no_module_globals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the interpreter's exit, module globals may already be None when a
    log is collected: closing it must not look any up (the cause of the
    "Exception ignored in FileLog.__del__" of issue 16 item 5)."""
    path = tmp_path / "log.jsonl"
    small_log(path, 1)
    log = timeline.open_log(path)
    fd = log._fd
    ignored: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    for name in ("os", "contextlib", "fcntl"):
        monkeypatch.setattr(jsonl, name, None)
    del log
    gc.collect()
    monkeypatch.undo()
    assert ignored == []
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)


def test_storage_errors_are_the_oserrors_they_replace() -> None:
    error = StorageError.of(
        FileNotFoundError(2, "No such file or directory"), "x.jsonl", "open the log"
    )
    assert isinstance(error, FileNotFoundError)
    assert isinstance(error, TimelineError)
    assert (error.errno, error.filename) == (2, "x.jsonl")
    assert (
        str(error) == "x.jsonl: cannot open the log: No such file or directory (ENOENT)"
    )
    plain = StorageError.of(OSError(28, "No space left on device"), "y", "append")
    assert type(plain) is StorageError
    assert str(plain) == "y: cannot append: No space left on device (ENOSPC)"
    assert issubclass(LogTooLargeError, MemoryError)
