"""The ``timeline`` command (also ``python -m timeline``).

Each group of subcommands lives in its own module with an ``add_commands``
function; this module assembles them and turns library errors into one
clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
from collections.abc import Sequence

from timeline.cli import _dataset, _date, _render, _storage
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
    parser = _Parser(prog="timeline", description="Explore event-sourced timelines.")
    parser.add_argument(
        "--version",
        action="version",
        version=f"timeline ({DISTRIBUTION}) {version()}",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    for module in (_date, _storage, _dataset, _render):
        module.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (`timeline state ... | head`): not an error.
        # Point stdout at /dev/null so that flushing it at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (TimelineError, OSError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"timeline: error: {message}", file=sys.stderr)
        return 2
    return status
