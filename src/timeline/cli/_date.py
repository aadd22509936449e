"""``timeline date``: read a date and show what is known of it."""

from __future__ import annotations

import argparse

from timeline._dates import UncertainDate
from timeline._dates.freetext import parse_date
from timeline._render.words import Lang
from timeline.cli._text import line
from timeline.exceptions import TimelineError

__all__ = ["add_commands"]


def _describe_date(date: UncertainDate, lang: Lang = "en") -> str:
    def bound(day: object) -> str:
        return "open/unknown" if day is None else str(day)

    try:
        earliest, latest = bound(date.earliest), bound(date.latest)
    except TimelineError:
        earliest, latest = str(date.earliest_day), str(date.latest_day)
    return "\n".join(
        [
            f"edtf:      {date.to_edtf()}",
            f"words:     {date.describe(lang)}",
            f"precision: {date.precision.name.lower()}",
            f"qualifier: {date.qualifier.name.lower()}",
            f"earliest:  {earliest}",
            f"latest:    {latest}",
        ]
    )


def _cmd_date(args: argparse.Namespace) -> int:
    date = parse_date(args.text)
    for text in _describe_date(date, args.lang).split("\n"):
        line(text)
    if args.by is not None:
        day = parse_date(args.by)
        line(f"by {day}:   {date.on_or_before(day).value}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    date = commands.add_parser("date", help="read a date and show its bounds")
    date.add_argument("text", help='a date: "2024-06", "June 2024", "2024年6月", ...')
    date.add_argument("--by", help="also answer: did it happen by this day?")
    date.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="the language of the date in words (default: en)",
    )
    date.set_defaults(run=_cmd_date)
