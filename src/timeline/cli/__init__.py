"""The ``timeline`` command (also ``python -m timeline``).

Each group of subcommands lives in its own module with an ``add_commands``
function; this module assembles them, and is the one place where a failure
becomes what the user sees: one line on stderr naming the file and the
cause, never a traceback.  Exit status: 0 done, 1 a log failed
verification (``verify``, ``repair``, ``convert``), 2 unusable input (a
wrong option, module, projection, date, path or file, or a file the system
could not read or write).  ``TIMELINE_TRACEBACK=1`` also prints the
traceback, for a bug report.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from typing import Final

from timeline.cli import _date, _exchange, _explore, _render, _storage
from timeline.cli._text import error, flush
from timeline.exceptions import TimelineError

__all__ = ["DISTRIBUTION", "main", "version"]

DISTRIBUTION = "timeline-ledger"
"""The name the package is published and installed under (``pip install
timeline-ledger``); the import name is ``timeline``."""


def version() -> str:
    """The installed version of the distribution (``timeline --version``)."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e . in a checkout)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="timeline",
        description="Explore event-sourced timelines.",
        epilog="Without --log the commands read the bundled North Korea-Russia "
        "timeline. For your own: --log PATH (.jsonl, .sqlite or a postgresql:// "
        "URL), --import MODULE (the module declaring your event types; "
        "repeatable; the current folder is importable) on every command that "
        "reads events, and --projection MODULE:ATTR on state, diff and render; "
        "or a timeline.toml (or [tool.timeline] in pyproject.toml) naming log, "
        "import and projection. 'timeline COMMAND --help' for each command.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"timeline ({DISTRIBUTION}) {version()}",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    for module in (_date, _storage, _explore, _exchange, _render):
        module.add_commands(commands)
    return parser


# The options that name the files a command reads or writes, in the order
# a message names them.
_FILES = ("path", "source", "target", "log", "out", "from_file")


def _files(args: argparse.Namespace) -> str:
    named = [str(v) for k in _FILES if (v := getattr(args, k, None)) not in (None, "-")]
    return " -> ".join(named) if named else "the bundled log"


def describe_error(exc: BaseException, args: argparse.Namespace) -> str:
    """One line saying what went wrong, naming the file when the error
    itself does not."""
    if isinstance(exc, TimelineError):
        return str(exc)
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "not found"
    if isinstance(exc, OSError):
        if exc.filename is not None and exc.strerror:
            return f"{exc.filename}: {exc.strerror}"
        if exc.strerror:
            return f"{_files(args)}: {exc.strerror}"
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"{_files(args)}: SQLite: {exc}"
    if isinstance(exc, MemoryError):
        return (
            f"{_files(args)}: out of memory (the log does not fit in the memory "
            "this process may use)"
        )
    if isinstance(exc, UnicodeError | RecursionError | ValueError):
        return f"{_files(args)}: {type(exc).__name__}: {exc}"
    return (
        f"{type(exc).__name__}: {exc} (unexpected: please report it; "
        "TIMELINE_TRACEBACK=1 shows where it happened)"
    )


def _memory_limit() -> int | None:
    """This process's address-space (``ulimit -v``) or data-segment
    (``ulimit -d``) limit in bytes, if it has one."""
    try:
        import resource
    except ImportError:  # (not on Windows)
        return None
    limits = [
        resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_DATA)
    ]
    finite = [limit for limit in limits if limit != resource.RLIM_INFINITY]
    return min(finite) if finite else None


# Signals that mean the process crashed, rather than was stopped from outside.
_CRASHES: Final = (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL)


def _guarded(args: argparse.Namespace, limit: int) -> int | None:
    """Run the command in a child process and wait for it: under a memory
    limit a library may crash instead of raising MemoryError (orjson's
    ``dumps`` writes through the null pointer of an allocation that failed,
    ijl/orjson byteswriter.rs), and a crash must still be one line and exit
    status 2.  Returns the child's exit status, or None to run the command
    here (in the child, or when no child could be made)."""
    flush()
    sys.stderr.flush()
    try:
        child = os.fork()
    except OSError:
        return None
    if child == 0:
        return None  # the child runs the command and exits as usual
    # The parent allocates nothing more: it waits, passing on a request to stop.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, _: os.kill(child, number))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (the child gets it too)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:  # pragma: no cover (PEP 475 retries)
            continue
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return code
    number = -code
    if number == signal.SIGINT:
        return 130
    if number not in _CRASHES:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # end as the child ended
        return 128 + number
    error(
        f"timeline: error: {_files(args)}: out of memory: a library (orjson) crashed "
        f"({signal.Signals(number).name}) instead of reporting it, under this "
        f"process's memory limit ({limit // 1024:,} KiB: ulimit -v or -d); allow "
        "the process more memory"
    )
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.  Run as a program
    (``argv`` None) under a memory limit, the command runs in a child
    process (:func:`_guarded`)."""
    args = _parser().parse_args(argv)
    limit = _memory_limit() if argv is None else None
    if limit is not None and not os.environ.get("TIMELINE_NO_CHILD"):
        ended = _guarded(args, limit)
        if ended is not None:
            return ended
    try:
        status: int = args.run(args)
        # Flush here, not at exit, so that a closed pipe is caught below.
        flush()
    except BrokenPipeError:
        # The reader went away (`timeline state ... | head`): not an error.
        # Point stdout at /dev/null so that flushing it at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        error("timeline: interrupted")
        return 130
    except Exception as exc:  # every failure: one line, exit 2
        error(f"timeline: error: {describe_error(exc, args)}")
        if os.environ.get("TIMELINE_TRACEBACK"):
            traceback.print_exc()
        return 2
    return status
