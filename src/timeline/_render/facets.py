"""The state of the bundled timeline's relationship, one line per facet, in
English or Japanese: what the HTML page shows beside the chart.

>>> from timeline.dataset import Relationship, open_bundled
>>> state = open_bundled().state(Relationship, as_of="2024-07-01").certain
>>> describe(state, "en")["treaty"]
'signed 19 June 2024, not in force; mutual-assistance clause (Article 4)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from timeline import Point, UncertainDate
from timeline._render.layout import lane_label
from timeline._render.words import (
    _PERSONNEL,
    Lang,
    arms_item,
    country,
    estimate_text,
    outcome_word,
    short_months,
    thing,
)
from timeline.dataset._figures import Spread, spreads
from timeline.dataset._ja import term
from timeline.dataset.relationship import Figure, Personnel, RelationshipState

__all__ = [
    "FACETS",
    "describe",
    "estimate_lines",
    "facet_label",
    "measure_words",
    "since_words",
]

FACETS: Final = (
    "stage",
    "treaty",
    "troops",
    "arms",
    "tech_aid",
    "joint",
    "responses",
    "alignments",
)

_STAGES: Final = {
    "none": ("no cooperation recorded", "協力の記録なし"),
    "rapprochement": ("rapprochement", "接近"),
    "arms_trade": ("arms trade", "武器取引"),
    "treaty_signed": ("treaty signed", "条約署名"),
    "alliance": ("alliance: the treaty is in force", "同盟: 条約発効"),
    "troops_deployed": ("North Korean troops in Russia", "北朝鮮兵がロシアに派遣"),
    "co_belligerence": (
        "co-belligerence: North Korean troops fought",
        "共同参戦: 北朝鮮兵が戦闘に参加",
    ),
}


def facet_label(facet: str, lang: Lang) -> str:
    if facet == "stage":
        return "段階" if lang == "ja" else "Stage"
    return lane_label(facet, lang)


def _w(lang: Lang, en: str, ja: str) -> str:
    return ja if lang == "ja" else en


def _sep(lang: Lang) -> str:
    return "、" if lang == "ja" else ", "


# What each quantity of the bundled timeline measures, in a few words.
_MEASURES: Final = {
    "kp-troops-sent": ("sent", "派遣総数"),
    "kp-troops-in-kursk": ("in Kursk", "クルスク展開"),
    "kp-troops-sent-in-2025": ("sent in 2025", "2025年の派遣"),
    "kp-casualties-total": ("killed and wounded", "死傷者"),
    "kp-killed": ("killed", "死者"),
    "kp-wounded": ("wounded", "負傷者"),
    "kp-casualties-in-the-week-to-2024-12-27": (
        "killed and wounded in the week to 27 Dec 2024",
        "2024年12月27日までの1週間の死傷者",
    ),
    "kp-rounds-in-2024": ("rounds in 2024", "2024年の砲弾"),
    "kp-shells-since-2023-08": ("shells since Aug 2023", "2023年8月以降の砲弾"),
    "kp-rounds": ("rounds", "砲弾"),
    "kp-containers-since-2023-09": (
        "containers since Sep 2023",
        "2023年9月以降のコンテナ",
    ),
    "kp-containers-since-2022": (
        "containers since mid-2022",
        "2022年半ば以降のコンテナ",
    ),
    "kp-shell-capacity-since-2023-09": (
        "shell capacity of those containers",
        "同コンテナの砲弾積載能力",
    ),
    "kp-shell-capacity-since-2022": (
        "shell capacity since mid-2022",
        "2022年半ば以降の砲弾積載能力",
    ),
    "kp-long-range-artillery": ("long-range artillery", "長距離砲"),
    "ru-oil-to-kp-since-2024-03": ("oil since Mar 2024", "2024年3月以降の石油"),
    "kp-workers-dispatched": ("dispatched", "派遣"),
    "kp-workers-employed": ("employed", "就労"),
    "kp-sappers-arrived": ("arrived", "到着"),
    "kp-builders-and-deminers": ("builders and deminers", "建設・地雷除去要員"),
}


def measure_words(key: str, lang: Lang) -> str:
    """What a measure of the bundled timeline counts, in a few words."""
    words = _MEASURES.get(key)
    if words is not None:
        return words[1 if lang == "ja" else 0]
    return key.removeprefix("kp-").removeprefix("ru-").replace("-", " ")


def _by(figure: Figure, lang: Lang) -> str:
    return _end(figure, lang)


def _spread(spread: Spread, lang: Lang, named: bool = True) -> str:
    """One measure: its one author's figure, or the range across authors
    with the author and date of each end."""
    low, high = spread.low, spread.high
    if len(spread.figures) == 1:
        text = estimate_text(low.estimate, lang)
        text = (
            f"{text}（{author(low.estimate.by, lang)}）"
            if lang == "ja"
            else f"{text} ({author(low.estimate.by, lang)})"
        )
    elif spread.low_value == spread.high_value:
        n = len(spread.figures)
        text = estimate_text(low.estimate, lang)
        text += _w(lang, f" ({n} sources agree)", f"（{n}者一致）")
    else:
        n = len(spread.figures)
        a, b = estimate_text(low.estimate, lang), estimate_text(high.estimate, lang)
        text = _w(
            lang,
            f"{a} ({_by(low, lang)}) to {b} ({_by(high, lang)}), {n} sources",
            f"{a}（{_by(low, lang)}）〜{b}（{_by(high, lang)}）、{n}者",
        )
    if not named:
        return text
    what = measure_words(spread.measure, lang)
    return f"{what} {text}" if lang == "ja" else f"{what}: {text}"


_ORDER: Final = {key: i for i, key in enumerate(_MEASURES)}


def _figures(
    figures: Iterable[Figure], lang: Lang, limit: int = 3, named: bool = True
) -> list[str]:
    """The first few measures, the bundled timeline's main measures first:
    each author's figure, or the range across authors."""
    ranked = sorted(spreads(figures), key=lambda s: _ORDER.get(s.measure, len(_ORDER)))
    return [_spread(s, lang, named) for s in ranked[:limit]]


def _treaty(state: RelationshipState, lang: Lang) -> str:
    treaty = state.treaty
    if treaty.status == "none":
        return _w(lang, "none signed", "署名なし")
    signed = "?" if treaty.signed is None else treaty.signed.describe(lang)
    parts = [_w(lang, f"signed {signed}", f"署名 {signed}")]
    if treaty.status == "in_force":
        day = "?" if treaty.in_force is None else treaty.in_force.describe(lang)
        parts.append(_w(lang, f"in force {day}", f"発効 {day}"))
    else:
        parts.append(_w(lang, "not in force", "未発効"))
    text = _sep(lang).join(parts)
    if treaty.mutual_defense:
        article = term(treaty.article, lang) if treaty.article else ""
        text += _w(
            lang,
            "; mutual-assistance clause" + (f" ({article})" if article else ""),
            "。相互支援条項あり" + (f"（{article}）" if article else ""),
        )
    if treaty.ratifications:
        text += _w(
            lang,
            f"; {len(treaty.ratifications)} ratification steps",
            f"、批准手続き{len(treaty.ratifications)}件",
        )
    return text


def since_words(date: UncertainDate, lang: Lang) -> str:
    """A date after "since", in describe's words: "June 2024", or for a span
    of days (the first arrivals) "between 8 October 2024 and 13 October
    2024" (Japanese: "2024年10月8日〜2024年10月13日")."""
    start, end = date.start, date.end
    if date.is_interval and isinstance(start, Point) and isinstance(end, Point):
        first = UncertainDate(start=start, end=start).describe(lang)
        last = UncertainDate(start=end, end=end).describe(lang)
        return f"{first}〜{last}" if lang == "ja" else f"between {first} and {last}"
    return date.describe(lang)


def _since(date: UncertainDate | None, lang: Lang) -> str:
    words = "?" if date is None else since_words(date, lang)
    return _w(lang, f"since {words}", f"{words}から")


def _personnel(p: Personnel, lang: Lang) -> str:
    parts = [_since(p.since, lang)]
    if p.fought:
        parts.append(_w(lang, "fought", "戦闘に参加"))
    parts.extend(_figures(p.estimates, lang, 2, named=p.kind == "troops"))
    return _sep(lang).join(parts)


_KINDS: Final = {
    "sappers": ("sappers", "工兵"),
    "military_builders": ("military builders", "軍事建設要員"),
    "workers": ("workers", "労働者"),
}


def _troops(state: RelationshipState, lang: Lang) -> str:
    lines: list[str] = []
    if state.troops.deployed:
        lines.append(_w(lang, "troops ", "兵士: ") + _personnel(state.troops, lang))
    else:
        lines.append(_w(lang, "no troops deployed", "派兵なし"))
    if state.casualties:
        figures = _sep(lang).join(_figures(state.casualties, lang, 3))
        lines.append(_w(lang, f"casualties: {figures}", f"死傷者: {figures}"))
    for p in state.other_personnel:
        if p.deployed:
            en, ja = _KINDS.get(p.kind, (p.kind, p.kind))
            lines.append(_w(lang, f"{en} ", f"{ja}: ") + _personnel(p, lang))
    return "; ".join(lines) if lang == "en" else "。".join(lines)


def _arms(state: RelationshipState, lang: Lang) -> str:
    arms = state.arms
    if not arms.items:
        return _w(lang, "none recorded", "記録なし")
    names = list(dict.fromkeys(arms_item(item, lang) for item in arms.items))
    items = _sep(lang).join(names[:5])
    more = len(names) - 5
    if more > 0:
        items += _w(lang, f" and {more} more", f" ほか{more}件")
    text = items
    if arms.estimates:
        text += _w(lang, "; ", "。") + _sep(lang).join(
            _figures(arms.estimates, lang, 3)
        )
    return text


def _tech_aid(state: RelationshipState, lang: Lang) -> str:
    parts: list[str] = []
    tech, aid = state.technology, state.aid
    if tech.domains:
        parts.append(_w(lang, "technology: ", "技術: ") + _words(tech.domains, lang))
    if tech.assessed:
        parts.append(
            _w(lang, "assessed only: ", "推定のみ: ") + _words(tech.assessed, lang)
        )
    if aid.kinds:
        parts.append(_w(lang, "aid: ", "支援: ") + _words(aid.kinds, lang))
    if aid.backing:
        parts.append(_w(lang, "diplomatic backing", "外交的後ろ盾"))
    return (
        _w(lang, "; ", "。").join(parts)
        if parts
        else _w(lang, "none recorded", "記録なし")
    )


def _words(keys: Iterable[str], lang: Lang) -> str:
    return _sep(lang).join(thing(key, lang) for key in keys)


def _joint(state: RelationshipState, lang: Lang) -> str:
    ships = []
    for ship in state.warships:
        day = ship.date.describe(lang)
        name = term(ship.name, lang)
        text = f"{name} {outcome_word(ship.outcome.value, lang)} {day}"
        if ship.russian_systems:
            systems = term(ship.russian_systems, lang)
            text += _w(
                lang,
                f" (Russian systems: {systems})",
                f"（ロシア製装備: {systems}）",
            )
        ships.append(text)
    return (
        _w(lang, "; ", "。").join(ships)
        if ships
        else _w(lang, "none recorded", "記録なし")
    )


def _responses(state: RelationshipState, lang: Lang) -> str:
    parts: list[str] = []
    if state.exercises:
        last = state.exercises[-1]
        name = term(last.name or last.kind, lang)
        n = len(state.exercises)
        parts.append(
            _w(lang, f"{n} exercises, latest: {name}", f"共同訓練{n}件、最新: {name}")
        )
    others = [
        s
        for s in state.stances
        if not {a.strip() for a in s.actor.split(",")} <= {"KP", "RU"}
    ]
    if others:
        who = _sep(lang).join(
            "/".join(country(a.strip(), lang) for a in s.actor.split(","))
            for s in others
        )
        parts.append(_w(lang, f"positions stated: {who}", f"表明された立場: {who}"))
    if state.monitoring:
        bodies = _sep(lang).join(dict.fromkeys(r.body for r in state.monitoring))
        parts.append(_w(lang, f"reports: {bodies}", f"報告: {bodies}"))
    return (
        _w(lang, "; ", "。").join(parts)
        if parts
        else _w(lang, "none recorded", "記録なし")
    )


def _alignments(state: RelationshipState, lang: Lang) -> str:
    if not state.alignments:
        return _w(lang, "none named", "なし")
    return "; ".join(f"{a.name} ({', '.join(a.members)})" for a in state.alignments)


def describe(state: RelationshipState, lang: Lang) -> dict[str, str]:
    """One line per facet of :data:`FACETS`."""
    stage = _STAGES.get(state.stage.value, (state.stage.value, state.stage.value))
    return {
        "stage": stage[1 if lang == "ja" else 0],
        "treaty": _treaty(state, lang),
        "troops": _troops(state, lang),
        "arms": _arms(state, lang),
        "tech_aid": _tech_aid(state, lang),
        "joint": _joint(state, lang),
        "responses": _responses(state, lang),
        "alignments": _alignments(state, lang),
    }


# The authors of estimates as Japanese readers know them.
def author(by: str, lang: Lang) -> str:
    """An estimate's author as a reader of ``lang`` knows it."""
    return term(by, lang)


def _end(figure: Figure, lang: Lang) -> str:
    """Who gave a figure, and when: "NIS, 30 Apr 2025"."""
    day = figure.date.describe(lang)
    number = figure.date.earliest_day
    if lang == "en" and number is not None and number == figure.date.latest_day:
        day = short_months(day)
    return f"{author(figure.estimate.by, lang)}{_sep(lang)}{day}"


# Measures whose words in the text lean on the line before them.
_CHART_MEASURES: Final = {
    "kp-shell-capacity-since-2023-09": (
        "shell capacity of the containers since Sep 2023",
        "2023年9月以降のコンテナの砲弾積載能力",
    ),
}


def _range_line(head: str, spread: Spread, lang: Lang) -> str:
    low, high = spread.low, spread.high
    words = _CHART_MEASURES.get(spread.measure)
    what = measure_words(spread.measure, lang) if words is None else _w(lang, *words)
    if head:
        what = f"{head}（{what}）" if lang == "ja" else f"{head} {what}"
    elif lang == "en":
        what = what[:1].upper() + what[1:]
    n = len(spread.figures)
    if n == 1 or spread.low_value == spread.high_value:
        ends = _w(lang, "; ", "；").join(_end(f, lang) for f in spread.figures)
        agree = _w(lang, f", {n} agree", f"、{n}者一致") if n > 1 else ""
        text = estimate_text(low.estimate, lang)
        return _w(
            lang, f"{what}: {text} ({ends}){agree}", f"{what}: {text}（{ends}）{agree}"
        )
    a = estimate_text(low.estimate, lang, unit=False)
    b = estimate_text(high.estimate, lang)
    return _w(
        lang,
        f"{what}: {a} ({_end(low, lang)}) – {b} ({_end(high, lang)}), {n} authors",
        f"{what}: {a}（{_end(low, lang)}）～{b}（{_end(high, lang)}）、{n}者",
    )


def estimate_lines(state: RelationshipState, lang: Lang) -> tuple[tuple[str, str], ...]:
    """Every estimate measure of ``state`` as (measure, line): the range of
    the authors' current figures, with the author and date of each end (the
    chart's block of estimates), the main measures first."""
    groups: list[tuple[str, Iterable[Figure]]] = [
        ("troops", state.troops.estimates),
        ("", state.casualties),
        *((p.kind, p.estimates) for p in state.other_personnel),
        ("", state.arms.estimates),
        ("", state.aid.estimates),
    ]
    lines = [
        (
            spread.measure,
            _range_line(_pick_head(kind, spread.measure, lang), spread, lang),
        )
        for kind, figures in groups
        for spread in spreads(figures)
    ]
    return tuple(sorted(lines, key=lambda m: _ORDER.get(m[0], len(_ORDER))))


def _pick_head(kind: str, measure: str, lang: Lang) -> str:
    """The head of a personnel measure's line ("Troops sent"); other
    measures name themselves ("containers since Sep 2023")."""
    words = _PERSONNEL.get("combat_troops" if kind == "troops" else kind)
    if words is None or measure == "kp-builders-and-deminers":
        return ""
    return words[1 if lang == "ja" else 0]
