"""``timeline state | events | diff | show``: explore the bundled timeline
(North Korea–Russia military cooperation) or another log of its event types.

Every command reads the bundled log unless ``--log PATH`` names another
(``.jsonl``, read without writing; or ``.sqlite``/``.db``).  ``state --json``
is a stable contract, documented in docs/cli-json.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

import timeline
from timeline import dataset
from timeline.dataset import Relationship, RelationshipState
from timeline.dataset.events import EVENT_TYPES, Estimate
from timeline.dataset.relationship import Figure, Personnel
from timeline.exceptions import TimelineError

__all__ = ["JSON_VERSION", "add_commands", "state_json"]

JSON_VERSION: Final = 1
_SQLITE: Final = (".sqlite", ".sqlite3", ".db")


class UsageError(TimelineError, ValueError):
    """A command-line argument that is not usable (one line, exit 2)."""


# -- reading the log ------------------------------------------------------


def open_any(path: str | None) -> timeline.Log:
    """The bundled log (``path`` None), a JSON Lines log read without
    writing, or a SQLite log."""
    if path is None:
        return dataset.open_bundled()
    if path.lower().startswith(("postgresql://", "postgres://")):
        # A log on a PostgreSQL server: read once into memory, as a SQLite one.
        with timeline.open_log(path, create=False) as stored:
            return timeline.Log(stored)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".jsonl":
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"no log file at {path!r}") from None
        except IsADirectoryError:
            raise IsADirectoryError(f"{path!r} is a directory, not a log") from None
        return dataset.load_log(data, path)
    if suffix in _SQLITE:
        if not target.is_file():
            raise FileNotFoundError(f"no log file at {path!r}")
        with timeline.open_log(target, create=False) as stored:
            return timeline.Log(stored)
    raise UsageError(
        f"--log {path!r}: expected a .jsonl or {'/'.join(_SQLITE)} log file"
    )


def _day_bounds(text: str) -> tuple[int | None, int | None]:
    """Day numbers of a date's bounds: ``--from 2024`` starts on 2024-01-01,
    ``--to 2024`` ends on 2024-12-31."""
    date = timeline.parse_date(text)
    return date.earliest_day, date.latest_day


# -- words ------------------------------------------------------------------

_WORDS: Final[dict[str, tuple[str, str]]] = {
    "title": (
        "North Korea–Russia relationship as of {day}",
        "{day}時点の北朝鮮・ロシア関係",
    ),
    "record_all": (
        "record: current ({n} events counted; {s} superseded by corrections)",
        "記録: 現在の記録（{n}件、訂正により置き換えられた{s}件を除く）",
    ),
    "record_known": (
        "record: as known on {day} ({n} events counted)",
        "記録: {day}時点で知られていた内容（{n}件）",
    ),
    "certain": (
        "Certain (happened by the end of {day}):",
        "確実（{day}までに起きた）:",
    ),
    "possible": (
        "Only possible (may or may not have happened by {day}):",
        "可能性のみ（{day}までに起きたかどうか不確か）:",
    ),
    "no_possible": (
        "Only possible: nothing beyond the certain state.",
        "可能性のみ: 確実な状態以外になし。",
    ),
    "because": ("because of", "理由"),
    "pending": (
        "Pending events ({n}), dated across {day}:",
        "未確定のイベント（{n}件、日付が{day}をまたぐ）:",
    ),
    "no_pending": ("Pending events: none.", "未確定のイベント: なし。"),
    "stage": ("stage", "段階"),
    "war": ("war", "戦争"),
    "began": ("began", "開始"),
    "summits": ("summits", "首脳会談"),
    "treaty": ("treaty", "条約"),
    "treaty_none": ("none signed", "署名なし"),
    "signed": ("signed", "署名"),
    "in_force": ("in force", "発効"),
    "not_in_force": ("not in force", "未発効"),
    "mutual": ("mutual-assistance clause", "相互支援条項"),
    "yes": ("yes", "あり"),
    "no": ("no", "なし"),
    "ratified": ("ratified", "批准"),
    "troops": ("troops in Russia", "ロシア派遣の兵士"),
    "not_deployed": ("not deployed", "派遣なし"),
    "deployed_since": ("deployed since {since}", "{since}以降派遣"),
    "fought": ("fought", "戦闘に参加"),
    "rear": ("not reported fighting", "戦闘参加の報告なし"),
    "to": ("to", "派遣先"),
    "roles": ("roles", "任務"),
    "casualties": ("casualties", "死傷者"),
    "arms": ("arms to Russia", "ロシアへの武器"),
    "used": ("used in combat", "実戦使用"),
    "technology": ("technology to North Korea", "北朝鮮への技術"),
    "assessed": (
        "technology to North Korea, assessed only",
        "北朝鮮への技術（分析・推定のみ）",
    ),
    "aid": ("aid to North Korea", "北朝鮮への支援"),
    "backing": ("diplomatic backing", "外交的後ろ盾"),
    "warship": ("warship", "艦艇"),
    "russian_systems": ("Russian systems", "ロシア製システム"),
    "exercises": ("regional exercises", "地域の共同訓練"),
    "alignment": ("alignment", "連携"),
    "named": ("named", "命名"),
    "stances": ("stated positions", "表明された立場"),
    "monitoring": ("monitoring reports", "監視報告"),
    "none": ("none", "なし"),
    "became": (
        "What became certain between {a} and {b} ({record}):",
        "{a}から{b}までに確実になったこと（{record}）:",
    ),
    "unchanged": ("nothing changed", "変化なし"),
    "events_became": (
        "Events that became certain ({n}):",
        "確実になったイベント（{n}件）:",
    ),
    "events_lost": (
        "Events no longer certain ({n}):",
        "確実でなくなったイベント（{n}件）:",
    ),
    "current": ("current record", "現在の記録"),
    "known_on": ("as known on {day}", "{day}時点の記録"),
}

_STAGES: Final[dict[str, tuple[str, str]]] = {
    "none": ("none: no cooperation recorded", "なし: 協力の記録なし"),
    "rapprochement": (
        "rapprochement: summits, stated motives, diplomatic backing",
        "接近: 首脳会談、動機の表明、外交的支援",
    ),
    "arms_trade": (
        "arms trade: arms to Russia, technology or aid to North Korea",
        "武器取引: ロシアへの武器、北朝鮮への技術・支援",
    ),
    "treaty_signed": ("treaty signed", "条約署名"),
    "alliance": ("alliance: the treaty is in force", "同盟: 条約発効"),
    "troops_deployed": (
        "troops deployed: North Korean troops in Russia",
        "派兵: 北朝鮮兵士がロシアに",
    ),
    "co_belligerence": (
        "co-belligerence: North Korean troops fought",
        "共同参戦: 北朝鮮兵士が戦闘に参加",
    ),
}


class _Words:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._index = 1 if lang == "ja" else 0

    def __call__(self, key: str, **values: object) -> str:
        return _WORDS[key][self._index].format(**values)

    def stage(self, value: str) -> str:
        return _STAGES[value][self._index]

    def summary(self, event: timeline.Event) -> str:
        return "" if event.summary is None else event.summary.get(self.lang)


# -- the readable state -----------------------------------------------------


class Group(NamedTuple):
    """One fact of the readable report: ``head`` then ``items`` (on one
    line joined by ``sep``, or one per line when ``sep`` is a newline).
    ``key`` is the fact key of :meth:`RelationshipState.sources`."""

    key: str
    head: str
    items: tuple[str, ...] = ()
    sep: str = "; "
    depth: int = 0

    def lines(self, items: Iterable[str] | None = None) -> list[str]:
        shown = self.items if items is None else tuple(items)
        pad = "  " * self.depth
        if self.sep == "\n":
            return [f"{pad}{self.head}", *(f"{pad}  {item}" for item in shown)]
        return [f"{pad}{self.head}{self.sep.join(shown)}"]


def _date(date: timeline.UncertainDate | None) -> str:
    return "?" if date is None else date.to_edtf()


def _figures(key: str, figures: Iterable[Figure], label: str = "") -> list[Group]:
    groups = []
    for figure in figures:
        e: Estimate = figure.estimate
        head = f"{label} {e.measure}: " if label else f"{e.measure}: "
        text = f"{e}, {figure.date.to_edtf()}"
        groups.append(Group(f"{key}.{e.measure}", head, (text,), depth=1))
    return groups


def _personnel_groups(w: _Words, key: str, label: str, p: Personnel) -> list[Group]:
    if not p.deployed:
        return [Group(key, f"{label}: ", (w("not_deployed"),))]
    parts = [w("deployed_since", since=_date(p.since))]
    parts.append(w("fought") if p.fought else w("rear"))
    if p.destinations:
        parts.append(f"{w('to')}: {', '.join(p.destinations)}")
    if p.roles:
        parts.append(f"{w('roles')}: {', '.join(p.roles)}")
    return [
        Group(key, f"{label}: ", tuple(parts)),
        *_figures(f"{key}.estimates", p.estimates),
    ]


def describe(state: RelationshipState, w: _Words) -> list[Group]:
    """The state as groups of the readable report, in a fixed order."""
    groups = [Group("stage", f"{w('stage')}: ", (w.stage(state.stage.value),))]
    items: tuple[str, ...]
    if state.war.episodes:
        items = tuple(f"{e.name} ({e.date})" for e in state.war.episodes)
        groups.append(Group("war", f"{w('war')}: ", items))
    if state.summits:
        items = tuple(
            f"{s.date} {', '.join(s.leaders)} ({s.place})" for s in state.summits
        )
        groups.append(Group("summits", f"{w('summits')}: ", items))
    treaty = state.treaty
    if treaty.status == "none":
        groups.append(Group("treaty.status", f"{w('treaty')}: ", (w("treaty_none"),)))
    else:
        parts = [f"{w('signed')} {_date(treaty.signed)}"]
        if treaty.status == "in_force":
            parts.append(f"{w('in_force')} {_date(treaty.in_force)}")
        else:
            parts.append(w("not_in_force"))
        name = f" ({treaty.name})" if treaty.name else ""
        groups.append(
            Group("treaty.status", f"{w('treaty')}{name}: ", tuple(parts), ", ")
        )
        clause = w("yes") if treaty.mutual_defense else w("no")
        if treaty.article:
            clause += f" ({treaty.article})"
        groups.append(
            Group("treaty.mutual_defense", f"{w('mutual')}: ", (clause,), depth=1)
        )
    if treaty.ratifications:
        items = tuple(f"{r.party} {r.body} {r.date}" for r in treaty.ratifications)
        groups.append(
            Group("treaty.ratifications", f"{w('ratified')}: ", items, depth=1)
        )
    groups.extend(_personnel_groups(w, "troops", w("troops"), state.troops))
    groups.extend(_figures("casualties", state.casualties, w("casualties")))
    for p in state.other_personnel:
        label = p.kind.replace("_", " ")
        groups.extend(_personnel_groups(w, f"personnel.{p.kind}", label, p))
    arms = state.arms
    if arms.items:
        groups.append(Group("arms.items", f"{w('arms')}: ", arms.items))
    if arms.used_in_combat:
        groups.append(
            Group("arms.used_in_combat", f"{w('used')}: ", arms.used_in_combat, depth=1)
        )
    groups.extend(_figures("arms.estimates", arms.estimates))
    tech = state.technology
    if tech.domains:
        groups.append(
            Group("technology.domains", f"{w('technology')}: ", tech.domains, ", ")
        )
    if tech.assessed:
        groups.append(
            Group("technology.assessed", f"{w('assessed')}: ", tech.assessed, ", ")
        )
    aid = state.aid
    if aid.kinds:
        groups.append(Group("aid.kinds", f"{w('aid')}: ", aid.kinds, ", "))
    groups.extend(_figures("aid.estimates", aid.estimates))
    if aid.backing:
        groups.append(Group("aid.backing", f"{w('backing')}: ", aid.backing))
    for ship in state.warships:
        place = f" ({ship.place})" if ship.place else ""
        items = (
            f"{ship.outcome.value} {ship.date}{place}",
            f"{w('russian_systems')}: {ship.russian_systems or '?'}",
        )
        groups.append(
            Group(f"warships.{ship.name}", f"{w('warship')} {ship.name}: ", items)
        )
    if state.exercises:
        drills = []
        for x in state.exercises:
            aircraft = f"; {', '.join(x.aircraft)}" if x.aircraft else ""
            who = ", ".join(x.participants)
            drills.append(f"{x.date} {x.name or x.kind} ({who}{aircraft})")
        groups.append(Group("exercises", f"{w('exercises')}:", tuple(drills), "\n"))
    for a in state.alignments:
        head = f"{w('alignment')} {a.name}: "
        items = (", ".join(a.members), f"{w('named')} {a.named}")
        groups.append(Group(f"alignments.{a.name}", head, items))
    if state.stances:
        items = tuple(f"{s.actor}: {s.stance} ({s.date})" for s in state.stances)
        groups.append(Group("stances", f"{w('stances')}:", items, "\n"))
    if state.monitoring:
        items = tuple(
            f"{r.date} {r.body}: {'; '.join(r.findings)}" for r in state.monitoring
        )
        groups.append(Group("monitoring", f"{w('monitoring')}:", items, "\n"))
    return groups


def _only_possible(certain: Group | None, possible: Group) -> list[str]:
    """The lines showing what ``possible`` adds to ``certain``: only the
    new items when it adds items to the same fact, else the whole fact."""
    if (
        certain is not None
        and certain.head == possible.head
        and set(certain.items) <= set(possible.items)
    ):
        added = [item for item in possible.items if item not in certain.items]
        return possible.lines(["+ " + item for item in added])
    return possible.lines()


def _source_line(log: timeline.Log, event_id: str) -> str:
    event = log.get(event_id)
    source = event.source
    if source is None:
        return f"{event_id} ({event.occurred})"
    parts = [source.title]
    if source.publisher:
        parts.append(source.publisher)
    if source.published is not None:
        parts.append(str(source.published))
    if source.url:
        parts.append(source.url)
    return f"{event_id} ({event.occurred}): {', '.join(parts)}"


def _by_key(groups: Iterable[Group]) -> dict[str, Group]:
    return {group.key: group for group in groups}


def _why(
    certain: RelationshipState,
    pending: Sequence[timeline.Event],
    key: str,
    w: _Words,
) -> list[timeline.Event]:
    """The pending events that, folded alone onto the certain state, change
    the fact ``key`` (all of them if only their combination does)."""
    before = _by_key(describe(certain, w)).get(key)
    found = [
        event
        for event in pending
        if _by_key(describe(Relationship.fold([event], certain), w)).get(key) != before
    ]
    return found or list(pending)


def _print_lines(lines: Iterable[str], indent: str = "  ") -> None:
    for line in lines:
        print(f"{indent}{line}")


def _record_line(log: timeline.Log, known_at: datetime.date | None, w: _Words) -> str:
    counted = len(log.timeline(known_at))
    if known_at is None:
        return w("record_all", n=counted, s=len(log) - counted)
    return w("record_known", day=known_at, n=counted)


def _pending_line(event: timeline.Event, w: _Words) -> str:
    return f"{event.occurred.to_edtf():<14} {event.id}: {w.summary(event)}"


def _cmd_state(args: argparse.Namespace) -> int:
    log = open_any(args.log)
    answer = log.state(Relationship, as_of=args.as_of, known_at=args.known_at)
    if args.json:
        out = state_json(answer, log, explain=args.explain)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    w = _Words(args.lang)
    certain, possible = answer.certain, answer.possible
    day = answer.as_of.isoformat()
    print(w("title", day=day))
    print(_record_line(log, answer.known_at, w))
    print()
    print(w("certain", day=day))
    certain_groups = describe(certain, w)
    for group in certain_groups:
        _print_lines(group.lines())
        if args.explain:
            pad = "  " * (group.depth + 2)
            _print_lines(
                (_source_line(log, i) for i in certain.sources(group.key)), pad + "← "
            )
    print()
    held = _by_key(certain_groups)
    changed = [g for g in describe(possible, w) if held.get(g.key) != g]
    if changed:
        print(w("possible", day=day))
        for group in changed:
            _print_lines(_only_possible(held.get(group.key), group))
            pad = "  " * (group.depth + 2)
            because = _why(certain, answer.pending, group.key, w)
            if args.explain:
                _print_lines((_source_line(log, e.id) for e in because), pad + "← ")
            else:
                ids = ", ".join(f"{e.id} ({e.occurred})" for e in because)
                print(f"{pad}{w('because')}: {ids}")
    else:
        print(w("no_possible"))
    print()
    if answer.pending:
        print(w("pending", n=len(answer.pending), day=day))
        for event in answer.pending:
            print(f"  {_pending_line(event, w)}")
            if args.explain:
                print(f"      ← {_source_line(log, event.id)}")
    else:
        print(w("no_pending"))
    return 0


# -- JSON -------------------------------------------------------------------


def _source_json(event: timeline.Event) -> dict[str, Any] | None:
    source = event.source
    if source is None:
        return None
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published": None if source.published is None else source.published.to_edtf(),
        "language": source.language,
        "confidence": source.confidence,
        "quote": source.quote,
    }


def _event_json(event: timeline.Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": type(event).type_name,
        "occurred": event.occurred.to_edtf(),
        "recorded": event.recorded.isoformat(),
        "summary": None if event.summary is None else event.summary.as_dict(),
        "source": _source_json(event),
    }


def state_json(
    answer: timeline.AsOf[RelationshipState],
    log: timeline.Log,
    *,
    explain: bool = False,
) -> dict[str, Any]:
    """The object ``timeline state --json`` prints (docs/cli-json.md)."""
    known_at = answer.known_at
    out: dict[str, Any] = {
        "version": JSON_VERSION,
        "as_of": answer.as_of.isoformat(),
        "known_at": None if known_at is None else known_at.isoformat(),
        "certain": answer.certain.as_dict(),
        "possible": answer.possible.as_dict(),
        "pending": [_event_json(e) for e in answer.pending],
    }
    if explain:
        ids: list[str] = []
        for state in (answer.certain, answer.possible):
            for _, behind in state.provenance:
                ids.extend(i for i in behind if i not in ids)
        out["events"] = {i: _event_json(log.get(i)) for i in sorted(ids)}
    return out


# -- events, diff, show -----------------------------------------------------


def _type_matcher(log: timeline.Log, wanted: str | None) -> Callable[[str], bool]:
    if wanted is None:
        return lambda name: True
    known = {type(e).type_name for e in log}
    known.update(kind.type_name for kind in EVENT_TYPES)
    if wanted in known:
        return lambda name: name == wanted
    prefix = wanted.rstrip(".") + "."
    if any(name.startswith(prefix) for name in known):
        return lambda name: name.startswith(prefix)
    raise UsageError(
        f"--type {wanted!r}: no such event type (known: {', '.join(sorted(known))})"
    )


def _cmd_events(args: argparse.Namespace) -> int:
    log = open_any(args.log)
    start = None if args.start is None else _day_bounds(args.start)[0]
    end = None if args.end is None else _day_bounds(args.end)[1]
    matches = _type_matcher(log, args.type)
    w = _Words(args.lang)
    shown = 0
    for event in log.timeline(args.known_at):
        lo, hi = event.occurred.earliest_day, event.occurred.latest_day
        if start is not None and hi is not None and hi < start:
            continue
        if end is not None and lo is not None and lo > end:
            continue
        if not matches(type(event).type_name):
            continue
        occurred = event.occurred.to_edtf()
        print(f"{occurred:<22} {event.id}  [{type(event).type_name}]")
        print(f"{'':<22} {w.summary(event)}")
        shown += 1
    if not shown:
        print("no events match", file=sys.stderr)
    return 0


def _changes(old: Group | None, new: Group | None) -> list[str]:
    """A fact's change as ``-``/``+`` lines, item by item when its head
    stayed the same."""
    if old is not None and new is not None and old.head == new.head:
        head = old.head.strip()
        gone = [f"- {head} {i}" for i in old.items if i not in new.items]
        came = [f"+ {head} {i}" for i in new.items if i not in old.items]
        return gone + came
    lines: list[str] = []
    for sign, group in (("-", old), ("+", new)):
        if group is not None:
            pad = len("  " * group.depth)
            lines.extend(f"{sign} {line[pad:]}" for line in group.lines())
    return lines


def _cmd_diff(args: argparse.Namespace) -> int:
    log = open_any(args.log)
    diff = log.diff(Relationship, args.day1, args.day2, known_at=args.known_at)
    w = _Words(args.lang)
    known_at = diff.before.known_at
    record = w("current") if known_at is None else w("known_on", day=known_at)
    print(
        w(
            "became",
            a=diff.before.as_of.isoformat(),
            b=diff.after.as_of.isoformat(),
            record=record,
        )
    )
    before = describe(diff.before.certain, w)
    after = describe(diff.after.certain, w)
    old, new = _by_key(before), _by_key(after)
    keys = [g.key for g in after] + [g.key for g in before if g.key not in new]
    changed = False
    for key in keys:
        if old.get(key) == new.get(key):
            continue
        changed = True
        _print_lines(_changes(old.get(key), new.get(key)))
    if not changed:
        print(f"  {w('unchanged')}")
    for title, events in (
        ("events_became", diff.became_certain),
        ("events_lost", diff.no_longer_certain),
    ):
        if events:
            print()
            print(w(title, n=len(events)))
            for event in events:
                print(f"  {event.occurred}  {event.id}  {w.summary(event)}")
    return 0


def _payload_text(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + "; ".join(_payload_text(v) for v in value) + "]"
    if value is None:
        return "-"
    if isinstance(value, timeline.UncertainDate):
        return value.to_edtf()
    if isinstance(value, Estimate):
        return f"{value} [{value.measure}]"
    if hasattr(value, "item") and hasattr(value, "quantity"):
        quantity = getattr(value, "quantity", None)
        item = getattr(value, "item", "")
        return item if quantity is None else f"{item}: {_payload_text(quantity)}"
    return str(value)


def _cmd_show(args: argparse.Namespace) -> int:
    log = open_any(args.log)
    event = log.get(args.id)
    kind = type(event)
    rows: list[tuple[str, str]] = [
        ("id", f"{event.id} (seq {log.seq(event.id)})"),
        ("type", f"{kind.type_name} (v{kind.schema_version})"),
        ("occurred", event.occurred.to_edtf()),
        ("recorded", event.recorded.isoformat()),
    ]
    if event.summary is not None:
        for lang, text in event.summary.translations:
            rows.append((f"summary [{lang}]", text))
    source = event.source
    if source is not None:
        rows.append(("source", source.title))
        for name in ("publisher", "published", "language", "confidence", "url"):
            value = getattr(source, name)
            if value is not None:
                rows.append((f"  {name}", str(value)))
        if source.quote:
            rows.append(("  quote", source.quote))
    for name, value in event.payload().items():
        rows.append((name, _payload_text(value)))
    rows.append(("tags", ", ".join(event.tags) or "-"))
    rows.append(("supersedes", ", ".join(event.supersedes) or "-"))
    later = log.superseded_by(event.id)
    rows.append(
        (
            "superseded by",
            "; ".join(f"{e.id} (recorded {e.recorded})" for e in later) or "-",
        )
    )
    width = max(len(label) for label, _ in rows)
    for label, text in rows:
        print(f"{label:<{width}}  {text}")
    return 0


# -- the parser -------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--log",
        metavar="PATH",
        help="the log to read (.jsonl or .sqlite); default: the bundled timeline",
    )
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

    state = commands.add_parser(
        "state",
        parents=[common, known, lang],
        help="the relationship on a day: certain, possible, pending",
        description="What the relationship looked like on a day: what is "
        "certain, what is only possible and why, and the pending events.",
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
    events.set_defaults(run=_cmd_events)

    diff = commands.add_parser(
        "diff",
        parents=[common, known, lang],
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
