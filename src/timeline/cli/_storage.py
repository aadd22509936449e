"""``timeline verify | repair | convert``: operations on a log file."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from timeline._storage import convert, repair, verify
from timeline.exceptions import IntegrityError, TimelineError

__all__ = ["add_commands"]


class _Unusable(Exception):
    """The input cannot be used at all (exit status 2)."""


def _import_types(args: argparse.Namespace) -> None:
    """Import the modules that declare the log's event types."""
    for name in args.imports:
        try:
            importlib.import_module(name)
        except Exception as error:
            raise _Unusable(
                f"--import {name}: cannot import the module declaring event "
                f"types: {type(error).__name__}: {error}"
            ) from None


def _unusable(command: str, error: Exception) -> int:
    print(f"timeline: {command}: error: {error}", file=sys.stderr)
    return 2


def _run(
    command: str, function: Callable[[argparse.Namespace], int]
) -> Callable[[argparse.Namespace], int]:
    """Exit status 1 for a log that fails its checks, 2 for unusable input
    (a missing file, a directory, a wrong suffix or head, a module that
    cannot be imported), never a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return function(args)
        except IntegrityError as error:
            print(f"timeline: {command}: FAILED: {error}", file=sys.stderr)
            return 1
        except (_Unusable, OSError, ValueError, TimelineError) as error:
            return _unusable(command, error)

    return run


def _cmd_verify(args: argparse.Namespace) -> int:
    _import_types(args)
    result = verify(args.path, head=args.head, decode=not args.chain_only)
    print(f"ok: {result.last_seq} records; head {result}")
    if result.torn_bytes:
        print(
            f"timeline: verify: torn tail: {result.torn_bytes} bytes after record "
            f"{result.last_seq} ({result.torn_reason}), left by a crash during an "
            f"append; `timeline repair {args.path}` removes them",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    try:
        removed = repair(args.path)
    except IntegrityError as error:
        print(f"timeline: repair: refused, not a torn tail: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError, TimelineError) as error:
        return _unusable("repair", error)
    if removed:
        print(f"removed a torn tail of {removed} bytes; nothing else changed")
    else:
        print("nothing to repair: the log ends with a complete record")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    _import_types(args)
    result = convert(args.source, args.target)
    print(f"converted {result.last_seq} records to {args.target}; head {result}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "verify",
        help="check a log's hash chain; print its head",
        description="Check the whole hash chain of a log file and print its head "
        "(last sequence number and hash). Exit status 1 names the first bad record.",
    )
    check.add_argument("path", help="a .jsonl or .sqlite log")
    check.add_argument(
        "--head",
        metavar="SEQ:HASH",
        help="a head printed earlier: also prove nothing up to it was cut or changed",
    )
    check.add_argument(
        "--chain-only",
        action="store_true",
        help="check the hash chain and record structure without reading the "
        "events (no need to import their types)",
    )
    _add_import(check)
    check.set_defaults(run=_run("verify", _cmd_verify))
    fix = commands.add_parser(
        "repair", help="remove a torn tail left by a crash (and nothing else)"
    )
    fix.add_argument("path", help="a .jsonl log")
    fix.set_defaults(run=_cmd_repair)
    copy = commands.add_parser(
        "convert", help="copy a log to another format, keeping its hash chain"
    )
    copy.add_argument("source", help="the log to read (.jsonl or .sqlite)")
    copy.add_argument("target", help="the new log to write (.jsonl or .sqlite)")
    _add_import(copy)
    copy.set_defaults(run=_run("convert", _cmd_convert))


def _add_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--import",
        dest="imports",
        metavar="MODULE",
        action="append",
        default=[],
        help="import MODULE first, to register the event types the log uses "
        "(repeatable)",
    )
