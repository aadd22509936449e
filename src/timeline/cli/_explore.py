"""``timeline state | events | diff | show``: explore a log, the bundled
timeline's or your own.

Every command reads the bundled log unless ``--log PATH`` (or the project
file) names another, ``--import MODULE`` registers the log's event types,
and ``--projection MODULE:ATTR`` names the projection ``state`` and ``diff``
fold the events with.  The bundled ``Relationship`` keeps its own report
(:mod:`timeline.cli._dataset`); any other projection's state is shown
generically, fact by fact (:mod:`timeline._render.values`).  ``state
--json`` is a stable contract, documented in docs/cli-json.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

import timeline
from timeline._render.values import (
    Fact,
    date_text,
    facts,
    fold_explained,
    to_json,
    value_text,
)
from timeline._render.words import Lang
from timeline.cli import _dataset
from timeline.cli._project import (
    AnyLog,
    UsageError,
    add_import,
    add_log,
    add_projection,
    bundled_projection,
    in_fold_order,
    opened,
    parse_option_date,
    prepare,
    resolve_projection,
)
from timeline.cli._report import Group, Report, Words, print_diff, print_state
from timeline.cli._text import error, line, print_json
from timeline.dataset import Relationship

__all__ = ["add_commands", "generic_json", "pick_projection"]

BUNDLED_NAME: Final = "timeline.dataset:Relationship"
_SOURCES_SHOWN: Final = 3
_INLINE_WIDTH: Final = 72


def pick_projection(
    args: argparse.Namespace, log: AnyLog
) -> tuple[timeline.Projection[Any], str]:
    """The projection to fold with, and its name (``MODULE:ATTR``)."""
    if args.projection is not None:
        projection = resolve_projection(args.projection)
        spec: str = args.projection
        if ":" not in spec:  # MODULE: the one projection it defines, by name
            module = sys.modules[spec]
            spec += ":" + next(k for k, v in vars(module).items() if v is projection)
        return projection, spec
    where = "the log" if args.log is None else f"--log {args.log}"
    return bundled_projection(log, where), BUNDLED_NAME


def _bundled_form(args: argparse.Namespace, projection: Any) -> bool:
    return projection is Relationship and not args.generic


# -- the generic report -----------------------------------------------------------


def _lang(text: str) -> Lang:
    return "ja" if text == "ja" else "en"


def _group(fact: Fact) -> Group:
    if not fact.many:
        return Group(fact.path, f"{fact.label}: ", fact.items)
    if not fact.items:
        return Group(fact.path, f"{fact.label}: ", ("-",))
    inline = sum(len(item) + 2 for item in fact.items) <= _INLINE_WIDTH and not any(
        ", " in item for item in fact.items
    )
    if inline:
        return Group(fact.path, f"{fact.label}: ", fact.items, ", ")
    return Group(fact.path, f"{fact.label}:", fact.items, "\n")


def _certain_events(log: AnyLog, answer: timeline.AsOf[Any]) -> list[timeline.Event]:
    """The events folded into ``answer.certain``, in fold order."""
    day = answer.as_of.toordinal()
    return [
        event
        for event in in_fold_order(log, answer.known_at)
        if event.occurred.latest_day is not None and event.occurred.latest_day <= day
    ]


def _explained(
    log: AnyLog,
    projection: timeline.Projection[Any],
    answer: timeline.AsOf[Any],
    lang: str,
    *,
    explain: bool,
) -> tuple[dict[str, list[timeline.Event]], dict[str, list[timeline.Event]]]:
    """Per fact path, the certain events that changed it (only with
    ``explain``: it folds the log again), and the pending ones that change
    it on top of the certain state."""
    words_lang = _lang(lang)
    changed: dict[str, list[timeline.Event]] = {}
    if explain:
        fold_explained(
            projection,
            _certain_events(log, answer),
            projection.initial,
            words_lang,
            changed,
        )
    _, on_top = fold_explained(projection, answer.pending, answer.certain, words_lang)
    return changed, on_top


def generic_report(
    name: str,
    lang: str,
    answer: timeline.AsOf[Any] | None = None,
    changed: dict[str, list[timeline.Event]] | None = None,
    on_top: dict[str, list[timeline.Event]] | None = None,
) -> Report:
    """The report of any projection's state, fact by fact."""
    words_lang = _lang(lang)
    by_path = changed or {}
    pending = () if answer is None else answer.pending

    def sources(key: str) -> Sequence[str]:
        behind = by_path.get(key, [])
        return [event.id for event in reversed(behind[-_SOURCES_SHOWN:])]

    def more(key: str) -> int:
        return max(len(by_path.get(key, [])) - _SOURCES_SHOWN, 0)

    def why(key: str) -> Sequence[timeline.Event]:
        return (on_top or {}).get(key) or list(pending)

    return Report(
        title=lambda day: f"{name} as of {day}",
        describe=lambda state: [_group(f) for f in facts(state, words_lang)],
        sources=sources,
        why=why,
        words=Words(lang),
        more_sources=more,
    )


def _event_json(event: timeline.Event) -> dict[str, Any]:
    return {
        **_dataset.event_json(event),
        "payload": to_json(event.payload()),
        "tags": list(event.tags),
        "supersedes": list(event.supersedes),
    }


def generic_json(
    answer: timeline.AsOf[Any],
    name: str,
    changed: dict[str, list[timeline.Event]] | None = None,
    on_top: dict[str, list[timeline.Event]] | None = None,
) -> dict[str, Any]:
    """The generic form of ``timeline state --json`` (docs/cli-json.md)."""
    known_at = answer.known_at
    out: dict[str, Any] = {
        "version": _dataset.JSON_VERSION,
        "form": "generic",
        "projection": name,
        "as_of": answer.as_of.isoformat(),
        "known_at": None if known_at is None else known_at.isoformat(),
        "certain": to_json(answer.certain),
        "possible": to_json(answer.possible),
        "pending": [_event_json(e) for e in answer.pending],
    }
    if changed is not None and on_top is not None:
        possible = {path: list(events) for path, events in changed.items()}
        for path, events in on_top.items():
            possible.setdefault(path, []).extend(events)
        cited: dict[str, timeline.Event] = {}
        provenance: dict[str, dict[str, list[str]]] = {}
        for part, found in (("certain", changed), ("possible", possible)):
            provenance[part] = {
                path: [e.id for e in events] for path, events in sorted(found.items())
            }
            for events in found.values():
                cited.update((e.id, e) for e in events)
        out["provenance"] = provenance
        out["events"] = {i: _event_json(cited[i]) for i in sorted(cited)}
    return out


# -- the commands -------------------------------------------------------------------


def _cmd_state(args: argparse.Namespace) -> int:
    prepare(args)
    with opened(args.log) as log:
        return _state(args, log)


def _state(args: argparse.Namespace, log: AnyLog) -> int:
    projection, name = pick_projection(args, log)
    answer = log.state(projection, as_of=args.as_of, known_at=args.known_at)
    if _bundled_form(args, projection):
        if args.json:
            print_json(_dataset.state_json(answer, log, explain=args.explain))
        else:
            print_state(
                _dataset.report(answer, args.lang), log, answer, explain=args.explain
            )
        return 0
    changed, on_top = _explained(
        log, projection, answer, args.lang, explain=args.explain
    )
    if args.json:
        data = generic_json(
            answer,
            name,
            changed if args.explain else None,
            on_top if args.explain else None,
        )
        print_json(data)
        return 0
    title = projection.name or name
    report = generic_report(title, args.lang, answer, changed, on_top)
    print_state(report, log, answer, explain=args.explain)
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    prepare(args)
    with opened(args.log) as log:
        return _diff(args, log)


def _diff(args: argparse.Namespace, log: AnyLog) -> int:
    projection, name = pick_projection(args, log)
    diff = log.diff(projection, args.day1, args.day2, known_at=args.known_at)
    if _bundled_form(args, projection):
        print_diff(_dataset.report(None, args.lang), diff)
    else:
        print_diff(generic_report(projection.name or name, args.lang), diff)
    return 0


def _day_bounds(text: str, option: str) -> tuple[int | None, int | None]:
    """Day numbers of a date's bounds: ``--from 2024`` starts on 2024-01-01,
    ``--to 2024`` ends on 2024-12-31."""
    date = parse_option_date(text, option)
    return date.earliest_day, date.latest_day


def _type_matcher(log: AnyLog, wanted: str | None) -> Callable[[str], bool]:
    if wanted is None:
        return lambda name: True
    from timeline._events import event_types

    known = {type(e).type_name for e in log}
    known.update(kind.type_name for kind in event_types())
    if wanted in known:
        return lambda name: name == wanted
    prefix = wanted.rstrip(".") + "."
    if any(name.startswith(prefix) for name in known):
        return lambda name: name.startswith(prefix)
    raise UsageError(
        f"--type {wanted!r}: no such event type (known: {', '.join(sorted(known))})"
    )


def _cmd_events(args: argparse.Namespace) -> int:
    prepare(args)
    with opened(args.log) as log:
        return _events(args, log)


def _events(args: argparse.Namespace, log: AnyLog) -> int:
    start = None if args.start is None else _day_bounds(args.start, "--from")[0]
    end = None if args.end is None else _day_bounds(args.end, "--to")[1]
    matches = _type_matcher(log, args.type)
    w = Words(args.lang)
    shown = 0
    for event in in_fold_order(log, args.known_at):
        lo, hi = event.occurred.earliest_day, event.occurred.latest_day
        if start is not None and hi is not None and hi < start:
            continue
        if end is not None and lo is not None and lo > end:
            continue
        if not matches(type(event).type_name):
            continue
        if args.tag is not None and args.tag not in event.tags:
            continue
        occurred = date_text(event.occurred)
        line(f"{occurred:<22} {event.id}  [{type(event).type_name}]")
        line(f"{'':<22} {w.summary(event)}")
        shown += 1
    if not shown:
        error("no events match")
    return 0


def _occurred(date: timeline.UncertainDate) -> str:
    """EDTF, and the date in words when they differ: "186X (the 1860s)"."""
    edtf, words = date.to_edtf(), date.describe()
    return edtf if words == edtf else f"{edtf} ({words})"


def _cmd_show(args: argparse.Namespace) -> int:
    prepare(args)
    with opened(args.log) as log:
        return _show(args, log)


def _show(args: argparse.Namespace, log: AnyLog) -> int:
    event = log.get(args.id)
    kind = type(event)
    rows: list[tuple[str, str]] = [
        ("id", f"{event.id} (seq {log.seq(event.id)})"),
        ("type", f"{kind.type_name} (v{kind.schema_version})"),
        ("occurred", _occurred(event.occurred)),
        ("recorded", event.recorded.isoformat()),
    ]
    if event.summary is not None:
        for lang, text in event.summary.translations:
            # ("und": a summary given as plain text, of no language named.)
            rows.append(("summary" if lang == "und" else f"summary [{lang}]", text))
    source = event.source
    if source is not None:
        rows.append(("source", source.title))
        for name in ("publisher", "published", "language", "confidence", "url"):
            value = getattr(source, name)
            if value is not None:
                rows.append((f"  {name}", value_text(value)))
        if source.quote:
            rows.append(("  quote", source.quote))
    for name, value in event.payload().items():
        rows.append((name, _dataset.payload_text(value)))
    rows.append(("tags", ", ".join(event.tags) or "-"))
    rows.append(("supersedes", ", ".join(event.supersedes) or "-"))
    later = log.superseded_by(event.id)
    rows.append(
        (
            "superseded by",
            "; ".join(f"{e.id} (recorded {e.recorded.isoformat()})" for e in later)
            or "-",
        )
    )
    width = max(len(label) for label, _ in rows)
    for label, text in rows:
        line(f"{label:<{width}}  {text}")
    return 0


# -- the parser ---------------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_log(common)
    add_import(common)
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="language of the report and the event summaries (default: en)",
    )
    known = argparse.ArgumentParser(add_help=False)
    known.add_argument(
        "--known-at",
        metavar="DAY",
        help="count only what the log knew on DAY (default: the whole log)",
    )
    folded = argparse.ArgumentParser(add_help=False)
    add_projection(folded)
    folded.add_argument(
        "--generic",
        action="store_true",
        help="show the bundled Relationship fact by fact, as any other "
        "projection's state is shown",
    )

    state = commands.add_parser(
        "state",
        parents=[common, folded, known, lang],
        help="the state on a day: certain, only possible, pending",
        description="What the state was on a day: what is certain, what is "
        "only possible and why, and the pending events.",
    )
    state.add_argument(
        "--as-of", metavar="DAY", required=True, help="the day asked about"
    )
    state.add_argument(
        "--json", action="store_true", help="print JSON (schema: docs/cli-json.md)"
    )
    state.add_argument(
        "--explain",
        action="store_true",
        help="name the events (ids and sources) behind each fact",
    )
    state.set_defaults(run=_cmd_state)

    events = commands.add_parser(
        "events",
        parents=[common, known, lang],
        help="list events in valid-time order",
        description="List the events counted, in fold order (by date).",
    )
    events.add_argument(
        "--from",
        dest="start",
        metavar="DAY",
        help="only events that may end on or after DAY",
    )
    events.add_argument(
        "--to",
        dest="end",
        metavar="DAY",
        help="only events that may start on or before DAY",
    )
    events.add_argument(
        "--type",
        metavar="T",
        help="only events of type T (or of a group: --type nkru.treaty)",
    )
    events.add_argument("--tag", metavar="TAG", help="only events tagged TAG")
    events.set_defaults(run=_cmd_events)

    diff = commands.add_parser(
        "diff",
        parents=[common, folded, known, lang],
        help="what became certain between two days",
    )
    diff.add_argument("day1", metavar="DAY1")
    diff.add_argument("day2", metavar="DAY2")
    diff.set_defaults(run=_cmd_diff)

    show = commands.add_parser(
        "show",
        parents=[common],
        help="one event: envelope, source, payload, what superseded it",
    )
    show.add_argument("id", metavar="ID")
    show.set_defaults(run=_cmd_show)
