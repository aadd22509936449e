"""The bundled timeline's own report (North Korea–Russia military
cooperation, the ``Relationship`` projection): what ``timeline state`` and
``timeline diff`` print for it, and the ``state --json`` form documented in
docs/cli-json.md.  Any other projection gets the generic output of
:mod:`timeline.cli._explore`, which also holds the commands themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import timeline
from timeline._render.facets import author, measure_words, since_words
from timeline._render.values import value_text
from timeline._render.words import (
    _PERSONNEL,
    Lang,
    country,
    estimate_text,
    outcome_word,
    thing,
)
from timeline.cli._project import AnyLog
from timeline.cli._report import WORDS, Group, Report, Words
from timeline.dataset import Relationship, RelationshipState
from timeline.dataset._figures import spreads
from timeline.dataset._ja import term
from timeline.dataset.events import ArmsItem, Estimate
from timeline.dataset.relationship import Figure, Personnel

__all__ = [
    "JSON_VERSION",
    "event_json",
    "payload_text",
    "report",
    "source_json",
    "state_json",
]

JSON_VERSION: Final = 1


# -- words ------------------------------------------------------------------

_WORDS: Final[dict[str, tuple[str, str]]] = {
    **WORDS,
    "title": (
        "North Korea–Russia relationship as of {day}",
        "{day}時点の北朝鮮・ロシア関係",
    ),
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
    "deployed_since": ("deployed since {since}", "派遣開始: {since}"),
    "fought": ("fought", "戦闘に参加"),
    "rear": ("not reported fighting", "戦闘参加の報告なし"),
    "to": ("to", "派遣先"),
    "roles": ("roles", "任務"),
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
    "range": (
        "{n} authors, from {low} to {high}",
        "{n}者の推計: {low}から{high}まで",
    ),
    "agree": ("{n} authors, each {value}", "{n}者の推計: いずれも{value}"),
    "announced": ("announced, not (yet) deployed", "発表（派遣は未確認）"),
    "assessments": ("assessments (readings, not facts)", "評価・分析（事実ではない）"),
    "backing_of": (
        "North Korea's backing of Russia",
        "北朝鮮によるロシアへの外交的支援",
    ),
    "responses": ("regional measures", "地域の対応措置"),
    "unverified": ("unverifiable claims of the programme", "検証できない番組の主張"),
}

_STAGES: Final[dict[str, tuple[str, str]]] = {
    "none": ("none: no cooperation recorded", "なし: 協力の記録なし"),
    "rapprochement": (
        "rapprochement: summits, stated positions, diplomatic backing",
        "接近: 首脳会談、立場の表明、外交的支援",
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


class _Words(Words):
    def __init__(self, lang: str) -> None:
        super().__init__(lang, _WORDS)

    def stage(self, value: str) -> str:
        return _STAGES[value][self._index]

    def date(self, date: timeline.UncertainDate | None) -> str:
        """A date of the state in words (:meth:`UncertainDate.describe`)."""
        return "?" if date is None else date.describe(self.lang_code)

    @property
    def lang_code(self) -> Lang:
        return "ja" if self._index else "en"

    @property
    def ja(self) -> bool:
        return self._index == 1

    def t(self, text: str) -> str:
        """A payload's name, place or phrase in the report's language."""
        return term(text, self.lang_code)

    def paren(self, text: str) -> str:
        """`` (text)``, or （text） in Japanese."""
        return f"（{text}）" if self.ja else f" ({text})"

    def join(self, items: Iterable[str]) -> str:
        return ("、" if self.ja else ", ").join(self.t(x) for x in items)

    def countries(self, codes: Iterable[str]) -> str:
        if not self.ja:
            return ", ".join(codes)
        return "・".join(country(c, "ja") for c in codes)


# -- the readable state -----------------------------------------------------


def _figure_text(figure: Figure, w: _Words) -> str:
    if w.ja:
        e = figure.estimate
        who = author(e.by, "ja")
        return f"{estimate_text(e, 'ja')}（{who}）、{w.date(figure.date)}"
    return f"{figure.estimate}, {w.date(figure.date)}"


def _amount(figure: Figure, w: _Words) -> str:
    e = figure.estimate
    return estimate_text(e, "ja") if w.ja else f"{e.amount} {e.unit}"


def _end_text(figure: Figure, w: _Words) -> str:
    if w.ja:
        who = author(figure.estimate.by, "ja")
        return f"{_amount(figure, w)}（{who}、{w.date(figure.date)}）"
    e = figure.estimate
    return f"{e.amount} {e.unit} ({e.by}, {w.date(figure.date)})"


def _figures(w: _Words, key: str, figures: Iterable[Figure]) -> list[Group]:
    """Per measure, the one author's figure; or, when several authors have
    estimated it, the range across them (the author and date of each end)
    and every author's current figure below it."""
    groups = []
    for spread in spreads(figures):
        # The measure's words say what it counts (casualties too), in the
        # report's language; its id stays in --explain and the JSON.
        head = f"{measure_words(spread.measure, 'ja' if w.ja else 'en')}: "
        fact = f"{key}.{spread.measure}"
        if len(spread.figures) == 1:
            groups.append(Group(fact, head, (_figure_text(spread.low, w),), depth=1))
            continue
        n = len(spread.figures)
        if spread.low_value == spread.high_value:
            span = w("agree", n=n, value=_amount(spread.low, w))
        else:
            low, high = _end_text(spread.low, w), _end_text(spread.high, w)
            span = w("range", n=n, low=low, high=high)
        items = tuple(_figure_text(f, w) for f in spread.figures)
        groups.append(Group(fact, f"{head}{span}", items, "\n", depth=1))
    return groups


def _personnel_groups(w: _Words, key: str, label: str, p: Personnel) -> list[Group]:
    if not p.deployed:
        return [Group(key, f"{label}: ", (w("not_deployed"),))]
    since = "?" if p.since is None else since_words(p.since, w.lang_code)
    parts = [w("deployed_since", since=since)]
    parts.append(w("fought") if p.fought else w("rear"))
    if p.destinations:
        parts.append(f"{w('to')}: {w.join(p.destinations)}")
    if p.roles:
        parts.append(f"{w('roles')}: {w.join(p.roles)}")
    return [
        Group(key, f"{label}: ", tuple(parts)),
        *_figures(w, f"{key}.estimates", p.estimates),
    ]


def describe(state: RelationshipState, w: _Words) -> list[Group]:
    """The state as groups of the readable report, in a fixed order."""
    groups = [Group("stage", f"{w('stage')}: ", (w.stage(state.stage.value),))]
    items: tuple[str, ...]
    if state.war.episodes:
        items = tuple(
            f"{w.t(e.name)}{w.paren(w.date(e.date))}" for e in state.war.episodes
        )
        groups.append(Group("war", f"{w('war')}: ", items))
    if state.summits:
        items = tuple(
            f"{w.date(s.date)} {w.join(s.leaders)}{w.paren(w.t(s.place))}"
            for s in state.summits
        )
        groups.append(Group("summits", f"{w('summits')}: ", items))
    treaty = state.treaty
    sep = "、" if w.ja else ", "
    if treaty.status == "none":
        groups.append(Group("treaty.status", f"{w('treaty')}: ", (w("treaty_none"),)))
    else:
        parts = [f"{w('signed')} {w.date(treaty.signed)}"]
        if treaty.status == "in_force":
            parts.append(f"{w('in_force')} {w.date(treaty.in_force)}")
        else:
            parts.append(w("not_in_force"))
        name = w.paren(w.t(treaty.name)) if treaty.name else ""
        groups.append(
            Group("treaty.status", f"{w('treaty')}{name}: ", tuple(parts), sep)
        )
        clause = w("yes") if treaty.mutual_defense else w("no")
        if treaty.article:
            clause += w.paren(w.t(treaty.article))
        groups.append(
            Group("treaty.mutual_defense", f"{w('mutual')}: ", (clause,), depth=1)
        )
    if treaty.ratifications:
        items = tuple(
            f"{w.countries([r.party])} {w.t(r.body)} {w.date(r.date)}"
            for r in treaty.ratifications
        )
        groups.append(
            Group("treaty.ratifications", f"{w('ratified')}: ", items, depth=1)
        )
    groups.extend(_personnel_groups(w, "troops", w("troops"), state.troops))
    groups.extend(_figures(w, "casualties", state.casualties))
    for p in state.other_personnel:
        label = _PERSONNEL[p.kind][1] if w.ja else p.kind.replace("_", " ")
        groups.extend(_personnel_groups(w, f"personnel.{p.kind}", label, p))
    if state.announcements:
        items = tuple(_announcement(a, w) for a in state.announcements)
        groups.append(Group("announcements", f"{w('announced')}:", items, "\n"))
    arms = state.arms
    if arms.items:
        items = tuple(w.t(x) for x in arms.items)
        groups.append(Group("arms.items", f"{w('arms')}: ", items))
    if arms.used_in_combat:
        items = tuple(w.t(x) for x in arms.used_in_combat)
        groups.append(Group("arms.used_in_combat", f"{w('used')}: ", items, depth=1))
    groups.extend(_figures(w, "arms.estimates", arms.estimates))
    tech = state.technology
    for key, words, things in (
        ("technology.domains", w("technology"), tech.domains),
        ("technology.assessed", w("assessed"), tech.assessed),
        ("aid.kinds", w("aid"), state.aid.kinds),
    ):
        if things:
            items = tuple(thing(x, w.lang_code) for x in things)
            groups.append(Group(key, f"{words}: ", items, sep))
    aid = state.aid
    groups.extend(_figures(w, "aid.estimates", aid.estimates))
    if aid.backing:
        items = tuple(w.t(x) for x in aid.backing)
        groups.append(Group("aid.backing", f"{w('backing')}: ", items))
    others = [b for b in state.backing if (b.provider, b.beneficiary) == ("KP", "RU")]
    if others:
        items = tuple(f"{w.date(b.date)} {w.t(b.action)}" for b in others)
        groups.append(Group("backing", f"{w('backing_of')}:", items, "\n"))
    for ship in state.warships:
        place = w.paren(w.t(ship.place)) if ship.place else ""
        outcome = outcome_word(ship.outcome.value, "ja") if w.ja else ship.outcome.value
        systems = w.t(ship.russian_systems or "?")
        items = (
            f"{outcome} {w.date(ship.date)}{place}",
            f"{w('russian_systems')}: {systems}",
        )
        head = f"{w('warship')} {w.t(ship.name)}: "
        groups.append(Group(f"warships.{ship.name}", head, items))
    if state.exercises:
        drills = []
        for x in state.exercises:
            aircraft = f"; {', '.join(x.aircraft)}" if x.aircraft else ""
            who = w.countries(x.participants)
            name = w.t(x.name or x.kind)
            drills.append(f"{w.date(x.date)} {name}{w.paren(who + aircraft)}")
        groups.append(Group("exercises", f"{w('exercises')}:", tuple(drills), "\n"))
    if state.responses:
        items = tuple(
            f"{w.date(r.date)} {w.countries(r.actors)}: {w.t(r.measure)}"
            for r in state.responses
        )
        groups.append(Group("responses", f"{w('responses')}:", items, "\n"))
    for a in state.alignments:
        head = f"{w('alignment')} {a.name}: "
        items = (w.countries(a.members), f"{w('named')} {w.date(a.named)}")
        groups.append(Group(f"alignments.{a.name}", head, items))
    if state.stances:
        items = tuple(
            f"{w.countries([s.actor])}: {w.t(s.stance)}{w.paren(w.date(s.date))}"
            for s in state.stances
        )
        groups.append(Group("stances", f"{w('stances')}:", items, "\n"))
    if state.assessments:
        items = tuple(_assessment(a, w) for a in state.assessments)
        groups.append(Group("assessments", f"{w('assessments')}:", items, "\n"))
    if state.monitoring:
        items = tuple(
            f"{w.date(r.date)} {w.t(r.body)}: "
            + ("。" if w.ja else "; ").join(w.t(f) for f in r.findings)
            for r in state.monitoring
        )
        groups.append(Group("monitoring", f"{w('monitoring')}:", items, "\n"))
    if state.unverified:
        items = tuple(
            f"{n.claim}{w.paren(w.t(n.part))}: {w.t(n.reason)}"
            for n in state.unverified
        )
        groups.append(Group("unverified", f"{w('unverified')}:", items, "\n"))
    return groups


def _announcement(a: Any, w: _Words) -> str:
    """A personnel announcement: who, what kind, how many, where to."""
    if not w.ja:
        return (
            f"{w.date(a.date)} {a.announcer}: {a.kind.replace('_', ' ')}"
            + (f", {a.count}" if a.count else "")
            + (f", {a.destination}" if a.destination else "")
        )
    count = f" {estimate_text(a.count, 'ja')}" if a.count else ""
    where = f"（{w.t(a.destination)}）" if a.destination else ""
    return f"{w.date(a.date)} {w.t(a.announcer)}: {_PERSONNEL[a.kind][1]}{count}{where}"


def _assessment(a: Any, w: _Words) -> str:
    """An analyst's or agency's reading, said as a reading."""
    if not w.ja:
        head = f"{w.date(a.date)} {a.assessor} on {a.subject} ({a.topic})"
        return f"{head}: {a.assessment}"
    who, on = w.t(a.assessor), country(a.subject, "ja")
    head = f"{w.date(a.date)} {who}の評価（{w.t(a.topic)}、対象: {on}）"
    return f"{head}: {w.t(a.assessment)}"


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


def report(answer: timeline.AsOf[RelationshipState] | None, lang: str) -> Report:
    """The bundled timeline's report (``answer``: the state it explains)."""
    w = _Words(lang)

    def sources(key: str) -> Sequence[str]:
        return () if answer is None else answer.certain.sources(key)

    def why(key: str) -> Sequence[timeline.Event]:
        if answer is None:
            return ()
        return _why(answer.certain, answer.pending, key, w)

    return Report(
        title=lambda day: w("title", day=day),
        describe=lambda state: describe(state, w),
        sources=sources,
        why=why,
        words=w,
    )


# -- JSON -------------------------------------------------------------------


def source_json(event: timeline.Event) -> dict[str, Any] | None:
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


def event_json(event: timeline.Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": type(event).type_name,
        "occurred": event.occurred.to_edtf(),
        "recorded": event.recorded.isoformat(),
        "summary": None if event.summary is None else event.summary.as_dict(),
        "source": source_json(event),
    }


def state_json(
    answer: timeline.AsOf[RelationshipState],
    log: AnyLog,
    *,
    explain: bool = False,
) -> dict[str, Any]:
    """The object ``timeline state --json`` prints (docs/cli-json.md)."""
    known_at = answer.known_at
    out: dict[str, Any] = {
        "version": JSON_VERSION,
        "form": "relationship",
        "as_of": answer.as_of.isoformat(),
        "known_at": None if known_at is None else known_at.isoformat(),
        "certain": answer.certain.as_dict(),
        "possible": answer.possible.as_dict(),
        "pending": [event_json(e) for e in answer.pending],
    }
    if explain:
        ids: list[str] = []
        for state in (answer.certain, answer.possible):
            for _, behind in state.provenance:
                ids.extend(i for i in behind if i not in ids)
        out["events"] = {i: event_json(log.get(i)) for i in sorted(ids)}
    return out


def payload_text(value: object) -> str:
    """A payload value for ``timeline show``: the bundled timeline's
    estimates with their measure, anything else as :func:`value_text`."""
    if isinstance(value, tuple):
        return "[" + "; ".join(payload_text(v) for v in value) + "]"
    if isinstance(value, Estimate):
        return f"{value} [{value.measure}]"
    if isinstance(value, ArmsItem):
        quantity = value.quantity
        return (
            value.item
            if quantity is None
            else f"{value.item}: {payload_text(quantity)}"
        )
    return value_text(value)
