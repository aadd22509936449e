"""The readable reports of ``timeline state`` and ``timeline diff``, for any
projection: a state is shown as *groups* (a fact's head and its items), and
a :class:`Report` says how a projection's states become groups, which
events are behind a fact, and how to title it.  The bundled timeline's
report (:mod:`timeline.cli._dataset`) and the generic one for any other
projection (:mod:`timeline.cli._explore`) share everything here.

Every line goes out through :func:`timeline.cli._text.line`, escaped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

import attrs

import timeline
from timeline._render.values import date_text, value_text
from timeline.cli._project import AnyLog, known_count
from timeline.cli._text import line

__all__ = [
    "WORDS",
    "Group",
    "Report",
    "Words",
    "print_diff",
    "print_state",
    "record_line",
    "source_line",
]

WORDS: Final[dict[str, tuple[str, str]]] = {
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
    "earlier": ("and {n} earlier events", "ほか以前のイベント{n}件"),
}


class Words:
    """The report's words in one language, from ``table`` (English,
    Japanese pairs by key)."""

    def __init__(self, lang: str, table: Mapping[str, tuple[str, str]] = WORDS) -> None:
        self.lang = lang
        self._table = table
        self._index = 1 if lang == "ja" else 0

    def __call__(self, key: str, **values: object) -> str:
        return self._table[key][self._index].format(**values)

    def summary(self, event: timeline.Event) -> str:
        """The event's summary, else its payload on one line."""
        if event.summary is not None:
            return event.summary.get(self.lang)
        return value_text(event.payload(), "ja" if self.lang == "ja" else "en")


class Group(NamedTuple):
    """One fact of the readable report: ``head`` then ``items`` (on one
    line joined by ``sep``, or one per line when ``sep`` is a newline).
    ``key`` names the fact (for the bundled timeline, the fact key of
    :meth:`RelationshipState.sources`; else the fact's path)."""

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


@attrs.frozen
class Report:
    """How a projection's answer reads.

    ``describe`` turns a state into groups; ``sources(key)`` gives the ids
    of the events behind a certain fact (most telling first), ``why(key)``
    the pending events that make a fact only possible; ``title`` is the
    first line, given the day."""

    title: Callable[[str], str]
    describe: Callable[[Any], list[Group]]
    sources: Callable[[str], Sequence[str]]
    why: Callable[[str], Sequence[timeline.Event]]
    words: Words
    more_sources: Callable[[str], int] = lambda key: 0


def source_line(log: AnyLog, event_id: str) -> str:
    """An event's id and date, and its source when it has one."""
    event = log.get(event_id)
    source = event.source
    when = date_text(event.occurred)
    if source is None:
        return f"{event_id} ({when})"
    parts = [source.title]
    if source.publisher:
        parts.append(source.publisher)
    if source.published is not None:
        parts.append(date_text(source.published))
    if source.url:
        parts.append(source.url)
    return f"{event_id} ({when}): {', '.join(parts)}"


def record_line(log: AnyLog, known_at: datetime.date | None, w: Words) -> str:
    counted = known_count(log, known_at)
    if known_at is None:
        return w("record_all", n=counted, s=len(log) - counted)
    return w("record_known", day=known_at, n=counted)


def _print_lines(lines: Iterable[str], indent: str = "  ") -> None:
    for text in lines:
        line(f"{indent}{text}")


def _by_key(groups: Iterable[Group]) -> dict[str, Group]:
    return {group.key: group for group in groups}


def _only_possible(certain: Group | None, possible: Group) -> list[str]:
    """The lines showing what ``possible`` adds to ``certain``: only the
    new items when it adds items to the same fact, else the whole fact."""
    if (
        certain is not None
        # (one item reads "awards: X" on one line, several "awards:" then
        # one a line: the same fact)
        and certain.head.rstrip() == possible.head.rstrip()
        and set(certain.items) <= set(possible.items)
    ):
        added = [item for item in possible.items if item not in certain.items]
        return possible.lines(["+ " + item for item in added])
    return possible.lines()


def _pending_line(event: timeline.Event, w: Words) -> str:
    return f"{date_text(event.occurred):<14} {event.id}: {w.summary(event)}"


def print_state(
    report: Report,
    log: AnyLog,
    answer: timeline.AsOf[Any],
    *,
    explain: bool = False,
) -> None:
    """The readable answer: the certain facts, what is only possible and
    why, and the pending events (``explain``: with the sources behind
    each)."""
    w = report.words
    day = answer.as_of.isoformat()
    line(report.title(day))
    line(record_line(log, answer.known_at, w))
    line()
    line(w("certain", day=day))
    certain_groups = report.describe(answer.certain)
    for group in certain_groups:
        _print_lines(group.lines())
        if explain:
            pad = "  " * (group.depth + 2) + "← "
            _print_lines((source_line(log, i) for i in report.sources(group.key)), pad)
            more = report.more_sources(group.key)
            if more:
                _print_lines([w("earlier", n=more)], pad)
    line()
    held = _by_key(certain_groups)
    changed = [g for g in report.describe(answer.possible) if held.get(g.key) != g]
    if changed:
        line(w("possible", day=day))
        for group in changed:
            _print_lines(_only_possible(held.get(group.key), group))
            pad = "  " * (group.depth + 2)
            because = report.why(group.key)
            if explain:
                _print_lines((source_line(log, e.id) for e in because), pad + "← ")
            else:
                ids = ", ".join(f"{e.id} ({date_text(e.occurred)})" for e in because)
                line(f"{pad}{w('because')}: {ids}")
    else:
        line(w("no_possible"))
    line()
    if answer.pending:
        line(w("pending", n=len(answer.pending), day=day))
        for event in answer.pending:
            line(f"  {_pending_line(event, w)}")
            if explain:
                line(f"      ← {source_line(log, event.id)}")
    else:
        line(w("no_pending"))


def _changes(old: Group | None, new: Group | None) -> list[str]:
    """A fact's change as ``-``/``+`` lines, item by item when its head
    stayed the same.  A fact that is only an empty value on one side and
    absent on the other did not change."""
    if (old is None and new is not None and new.items == ("-",)) or (
        new is None and old is not None and old.items == ("-",)
    ):
        return []
    if old is not None and new is not None and old.head.rstrip() == new.head.rstrip():
        # (an empty value, "-", is no item: "+ awards: Gold", not also
        # "- awards: -")
        head = old.head.strip()
        gone = [f"- {head} {i}" for i in old.items if i not in new.items and i != "-"]
        came = [f"+ {head} {i}" for i in new.items if i not in old.items and i != "-"]
        return gone + came
    lines: list[str] = []
    for sign, group in (("-", old), ("+", new)):
        if group is not None:
            pad = len("  " * group.depth)
            lines.extend(f"{sign} {text[pad:]}" for text in group.lines())
    return lines


def print_diff(report: Report, diff: timeline.Diff[Any]) -> None:
    """What changed in the certain state between two days, fact by fact,
    and the events that became (or stopped being) certain."""
    w = report.words
    known_at = diff.before.known_at
    record = w("current") if known_at is None else w("known_on", day=known_at)
    line(
        w(
            "became",
            a=diff.before.as_of.isoformat(),
            b=diff.after.as_of.isoformat(),
            record=record,
        )
    )
    before = report.describe(diff.before.certain)
    after = report.describe(diff.after.certain)
    old, new = _by_key(before), _by_key(after)
    keys = [g.key for g in after] + [g.key for g in before if g.key not in new]
    changed = False
    for key in keys:
        if old.get(key) == new.get(key):
            continue
        changed = True
        _print_lines(_changes(old.get(key), new.get(key)))
    if not changed:
        line(f"  {w('unchanged')}")
    for title, events in (
        ("events_became", diff.became_certain),
        ("events_lost", diff.no_longer_certain),
    ):
        if events:
            line()
            line(w(title, n=len(events)))
            for event in events:
                occurred = date_text(event.occurred)
                line(f"  {occurred}  {event.id}  {w.summary(event)}")
