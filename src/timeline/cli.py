"""The ``timeline`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from timeline._dates import UncertainDate
from timeline._freetext import parse_date
from timeline.exceptions import TimelineError

__all__ = ["main"]


def _describe_date(date: UncertainDate) -> str:
    def bound(day: object) -> str:
        return "open/unknown" if day is None else str(day)

    try:
        earliest, latest = bound(date.earliest), bound(date.latest)
    except TimelineError:
        earliest, latest = str(date.earliest_day), str(date.latest_day)
    return "\n".join(
        [
            f"edtf:      {date.to_edtf()}",
            f"precision: {date.precision.name.lower()}",
            f"qualifier: {date.qualifier.name.lower()}",
            f"earliest:  {earliest}",
            f"latest:    {latest}",
        ]
    )


def _cmd_date(args: argparse.Namespace) -> int:
    date = parse_date(args.text)
    print(_describe_date(date))
    if args.by is not None:
        day = parse_date(args.by)
        print(f"by {day}:   {date.on_or_before(day).value}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline", description="Explore event-sourced timelines."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    date = commands.add_parser("date", help="read a date and show its bounds")
    date.add_argument("text", help='a date: "2024-06", "June 2024", "2024年6月", ...')
    date.add_argument("--by", help="also answer: did it happen by this day?")
    date.set_defaults(run=_cmd_date)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except TimelineError as error:
        print(f"timeline: error: {error}", file=sys.stderr)
        return 2
    return status
