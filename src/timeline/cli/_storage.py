"""``timeline verify | repair | convert``: operations on a log file."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from timeline._storage import convert, repair, verify
from timeline.cli._project import (
    LOG_AS_OPTION,
    UsageError,
    add_import,
    add_log,
    argument_name,
    log_given_once,
    prepare,
)
from timeline.cli._text import error, line
from timeline.exceptions import IntegrityError

__all__ = ["add_commands"]


def _run(
    command: str, function: Callable[[argparse.Namespace], int]
) -> Callable[[argparse.Namespace], int]:
    """Exit status 1, naming the first bad record, for a log that fails its
    checks; anything else that goes wrong is one line and status 2 (see
    :func:`timeline.cli.main`)."""

    def run(args: argparse.Namespace) -> int:
        attr = "path" if hasattr(args, "path") else "source"
        log_given_once(args, attr)
        prepare(args, log_attr=attr)
        if getattr(args, attr) is None:
            what = "the log, as LOG" if attr == "path" else "the log to read, as SOURCE"
            raise UsageError(
                f"{command}: name {what} or --log {argument_name(attr)} (or set "
                "log = ... in timeline.toml)"
            )
        try:
            return function(args)
        except IntegrityError as failed:
            error(f"timeline: {command}: FAILED: {failed}")
            return 1

    return run


_HEAD = re.compile(r"[0-9]+:[0-9a-fA-F]{64}")


def _cmd_verify(args: argparse.Namespace) -> int:
    if args.head is not None and not _HEAD.fullmatch(args.head):
        raise UsageError(
            f"--head {args.head!r}: expected SEQ:HASH as verify prints it, a "
            "sequence number and 64 hex digits"
        )
    result = verify(
        args.path, head=args.head, decode=not args.chain_only, require_types=False
    )
    line(f"ok: {result.last_seq} records; head {result}")
    if result.unchecked:
        records = sum(count for _, count in result.unchecked)
        names = ", ".join(name for name, _ in result.unchecked)
        kinds = len(result.unchecked)
        line(
            f"not checked: the payloads of {records} record"
            f"{'s' if records > 1 else ''} of {kinds} event type"
            f"{'s' if kinds > 1 else ''} not registered ({names}); the "
            "chain, record structure and log rules were; --import the modules "
            "that declare them to check their payloads too"
        )
    if result.torn_bytes:
        error(
            f"timeline: verify: torn tail: {result.torn_bytes} bytes after record "
            f"{result.last_seq} ({result.torn_reason}), left by a crash during an "
            f"append; `timeline repair {args.path}` removes them"
        )
        return 1
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    try:
        removed = repair(args.path)
    except IntegrityError as failed:
        error(f"timeline: repair: refused, not a torn tail: {failed}")
        return 1
    if removed:
        line(f"removed a torn tail of {removed} bytes; nothing else changed")
    else:
        line("nothing to repair: the log ends with a complete record")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    result = convert(args.source, args.target)
    line(f"converted {result.last_seq} records to {args.target}; head {result}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "verify",
        help="check a log's hash chain; print its head",
        description="Check the whole hash chain of a log file and print its head "
        "(last sequence number and hash). Exit status 1 names the first bad record.",
    )
    check.add_argument(
        "path", nargs="?", help="a .jsonl or .sqlite log (default: the project's)"
    )
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
    add_log(check, dest="log_named", text=LOG_AS_OPTION)
    add_import(check)
    check.set_defaults(run=_run("verify", _cmd_verify))
    fix = commands.add_parser(
        "repair", help="remove a torn tail left by a crash (and nothing else)"
    )
    fix.add_argument("path", nargs="?", help="a .jsonl log (default: the project's)")
    add_log(fix, dest="log_named", text=LOG_AS_OPTION)
    add_import(fix)
    fix.set_defaults(run=_run("repair", _cmd_repair))
    copy = commands.add_parser(
        "convert", help="copy a log to another format, keeping its hash chain"
    )
    copy.add_argument(
        "source",
        nargs="?",
        help="the log to read (.jsonl, .sqlite or a postgresql:// URL; "
        "default: the project's)",
    )
    copy.add_argument(
        "target", help="the new log to write (.jsonl, .sqlite or a postgresql:// URL)"
    )
    add_log(copy, dest="log_named", text="the log to read (the same as SOURCE)")
    add_import(copy)
    copy.set_defaults(run=_run("convert", _cmd_convert))
