"""The ``timeline`` command's entry point, outside the ``timeline`` package.

Importing the package and its dependencies takes memory (about 35 MB of
address space): a process allowed less (``ulimit -v``) fails while
importing, before :func:`timeline.cli.main` can say anything.  Here that
failure, like running out of memory before the command's own error handling
starts, is one line on stderr and exit status 2, as every other failure is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["main"]

# Written as is when even making the message fails.
_FALLBACK = b"timeline: error: out of memory: allow the process more memory\n"


def _soft_limit() -> int:
    """The address-space limit (``ulimit -v``), read before anything big is
    loaded: importing :mod:`resource` (a shared library) after an import
    ran out of memory can fail to map it too."""
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_AS)[0]
    except Exception:  # no limit can be read: say none
        return -1


_SOFT_LIMIT = _soft_limit()


def _limit() -> str:
    """`` (this process may use N KiB: ulimit -v)``, if it has a limit."""
    soft = _SOFT_LIMIT
    if soft < 0:  # RLIM_INFINITY is -1 too
        return ""
    return f" (this process may use {soft // 1024:,} KiB: ulimit -v)"


def _say(message: Callable[[], str]) -> int:
    """Write one line on stderr, however little memory is left; exit status 2."""
    try:
        data = message().encode("utf-8", "replace")
    except Exception:  # the line must come out anyway
        data = _FALLBACK
    os.write(2, data)
    return 2


def main() -> int:
    """Import the command line and run it; a failure to start is one line."""
    try:
        from timeline.cli import main as run
    except MemoryError:
        return _say(
            lambda: (
                f"timeline: error: out of memory while starting{_limit()}: "
                "allow the process more memory\n"
            )
        )
    except (ImportError, OSError, SyntaxError) as error:
        # For want of memory, a shared library cannot be mapped (ImportError:
        # "failed to map segment from shared object"), and compiling a module
        # that has no .pyc yet fails as a SyntaxError ("expected ':'").
        cause = error
        if _limit() and (isinstance(cause, SyntaxError) or "map" in str(cause)):
            return _say(
                lambda: (
                    f"timeline: error: out of memory while starting{_limit()}: "
                    f"{cause}; allow the process more memory\n"
                )
            )
        return _say(
            lambda: (
                f"timeline: error: cannot start: {cause} (a broken install? "
                "pip install --force-reinstall timeline-ledger)\n"
            )
        )
    try:
        return run()
    except MemoryError:
        return _say(
            lambda: (
                f"timeline: error: out of memory{_limit()}: allow the process "
                "more memory\n"
            )
        )


if __name__ == "__main__":
    sys.exit(main())
