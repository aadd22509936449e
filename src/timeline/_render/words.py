"""Words for rendered timelines, in English and Japanese: amounts, short
labels of events, and the words of the charts and the page.  Dates are said
by :meth:`timeline.UncertainDate.describe` everywhere (the command line,
the chart, the page, the TimelineJS export); :func:`day_text` says one day.

>>> import datetime
>>> [day_text(datetime.date(2025, 7, 14), lang) for lang in ("en", "ja")]
['14 July 2025', '2025年7月14日']
>>> compact_amount(1_000_000, None, "at_least", "ja")
'100万以上'
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Mapping
from typing import Final, Literal

import timeline
from timeline import Point, UncertainDate
from timeline.dataset._ja import term

__all__ = [
    "Lang",
    "country",
    "day_text",
    "event_label",
    "say",
    "short_months",
]

Lang = Literal["en", "ja"]

# Words of the charts and the page, by key: (English, Japanese).
WORDS: Final[dict[str, tuple[str, str]]] = {
    "as_of": ("as of {day}", "{day}時点"),
    "ranges": (
        "Estimates on {day}: each measure's range across authors, with the author"
        " and date of each end",
        "{day}時点の推計: 指標ごとの推計元による値の幅（両端の推計元と発表日）",
    ),
    "current": ("current record", "現在の記録"),
    "known_on": ("as known on {day}", "{day}時点で知られていた記録"),
    "programme": (
        "the programme's picture (known on {day})",
        "番組の描いた姿（{day}時点の記録）",
    ),
    "certain": ("certain by the as-of day", "as-of日までに確実"),
    "pending": ("pending: may have happened by then", "未確定: 起きていた可能性"),
    "later": ("not yet: after the as-of day", "まだ: as-of日より後"),
    "superseded": ("superseded claim → correction", "訂正された主張 → 訂正"),
    "day": ("known day", "日付が確定"),
    "band": ("month, season or year", "月・季節・年単位"),
    "open": ("open start or end (fades)", "始まり・終わりが不明（フェード）"),
    "approx": ("approximate (~): ±1 unit", "おおよそ（~）: ±1単位"),
    "legend_status": ("Status", "状態"),
    "legend_dates": ("Dates", "日付"),
    "certain_h": ("Certain", "確実"),
    "key_certain": ("certain by that day", "その日までに確実"),
    "key_pending": ("pending: may have happened", "未確定: 起きていた可能性"),
    "key_later": ("not yet", "まだ起きていない"),
    "possible_h": ("Only possible", "可能性のみ"),
    "pending_h": ("Pending events", "未確定のイベント"),
    "same": ("same as certain", "確実と同じ"),
    "none": ("none", "なし"),
    "events_h": ("Events", "イベント"),
    "date_h": ("Date", "日付"),
    "lane_h": ("Lane", "分類"),
    "event_h": ("Event", "内容"),
    "source_h": ("Source", "出典"),
    "superseded_by": ("superseded by {ids}", "{ids}により訂正"),
    "corrects": ("corrects {ids}", "{ids}を訂正"),
    "view_h": ("Record", "記録"),
    "day_h": ("Day", "日付"),
    "state_h": ("The relationship on {day}", "{day}時点の関係"),
    "state_h_generic": ("The state on {day}", "{day}時点の状態"),
    "offline": (
        "This page works offline; source links open the original reports.",
        "このページはオフラインで動作します。出典のリンクは元の報道を開きます。",
    ),
    "slider": (
        "Move the slider to change the day.",
        "スライダーで日付を変更できます。",
    ),
    "title_bundled": (
        "North Korea–Russia military cooperation, 2022–2025",
        "北朝鮮・ロシアの軍事協力 2022–2025",
    ),
    "title_log": ("Timeline of {name}", "{name}のタイムライン"),
    "recorded": ("recorded {day}", "{day}記録"),
}


def say(key: str, lang: Lang, **values: object) -> str:
    """A word of the charts and the page in ``lang``."""
    return WORDS[key][1 if lang == "ja" else 0].format(**values)


_COUNTRIES: Final = {
    "KP": ("North Korea", "北朝鮮"),
    "RU": ("Russia", "ロシア"),
    "UA": ("Ukraine", "ウクライナ"),
    "US": ("US", "米国"),
    "KR": ("South Korea", "韓国"),
    "JP": ("Japan", "日本"),
    "CN": ("China", "中国"),
    "IR": ("Iran", "イラン"),
}


def country(code: str, lang: Lang) -> str:
    """A country's name for an ISO code (the code itself if unknown)."""
    names = _COUNTRIES.get(code.strip())
    if names is None:
        return code
    return names[1 if lang == "ja" else 0]


# -- dates ----------------------------------------------------------------


def day_text(day: datetime.date, lang: Lang) -> str:
    """One calendar day in words (:meth:`UncertainDate.describe`)."""
    point = Point(day.year, day.month, day.day)
    return UncertainDate(start=point, end=point).describe(lang)


_MONTH_BEFORE_YEAR: Final = re.compile(r"\b([A-Z][a-z]{2})[a-z]+(?= -?\d{4}\b)")


def short_months(words: str) -> str:
    """English date words with each month's name cut to three letters, for
    the chart's tight lines: a thin layer over
    :meth:`UncertainDate.describe`, which owns the names.

    >>> import timeline
    >>> short_months(timeline.parse_date("30 September 2024").describe())
    '30 Sep 2024'
    """
    return _MONTH_BEFORE_YEAR.sub(r"\1", words)


# -- amounts --------------------------------------------------------------

_UNITS: Final = {
    "soldiers": ("troops", "人"),
    "people": ("people", "人"),
    "rounds": ("rounds", "発"),
    "missiles": ("missiles", "発"),
    "containers": ("containers", "個"),
    "systems": ("systems", "基"),
    "barrels": ("barrels", "バレル"),
    "percent": ("%", "%"),
    "workers": ("workers", "人"),
    "sappers": ("sappers", "人"),
    "builders": ("builders", "人"),
    "pieces": ("pieces", "門"),
    "152mm rounds": ("152mm rounds", "発（152mm砲弾換算）"),
}


def _number(value: int, lang: Lang) -> str:
    if lang == "ja" and value >= 10_000:
        return f"{value / 10_000:.4g}万"
    if lang == "en" and value >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    return f"{value:,}"


def _amount_parts(
    low: int | None, high: int | None, qualifier: str, lang: Lang
) -> tuple[str, str, str]:
    """(prefix, number, suffix) of an estimate's bounds."""
    lo = None if low is None else _number(low, lang)
    hi = None if high is None else _number(high, lang)
    if lo is not None and hi is not None and lo != hi:
        core = f"{lo}～{hi}" if lang == "ja" else f"{lo}–{hi}"
        prefix = ("約" if lang == "ja" else "~") if qualifier == "about" else ""
        return prefix, core, ""
    core = lo or hi or "?"
    if qualifier == "about":
        return ("約" if lang == "ja" else "~"), core, ""
    if qualifier == "at_least":
        return ("", core, "以上") if lang == "ja" else ("≥", core, "")
    if qualifier in ("at_most", "up_to"):
        return ("最大" if lang == "ja" else "≤"), core, ""
    return "", core, ""


def compact_amount(
    low: int | None, high: int | None, qualifier: str, lang: Lang
) -> str:
    """An estimate's bounds in a few characters: ``~12,000``, ``≥1M``,
    ``約1.2万``, ``100万以上``."""
    return "".join(_amount_parts(low, high, qualifier, lang))


def estimate_text(estimate: object, lang: Lang, *, unit: bool = True) -> str:
    """An :class:`~timeline.dataset.events.Estimate` compactly, with its unit
    (``unit=False``: without it)."""
    low = getattr(estimate, "low", None)
    high = getattr(estimate, "high", None)
    qualifier = str(getattr(estimate, "qualifier", "about"))
    prefix, core, suffix = _amount_parts(low, high, qualifier, lang)
    name = re.sub(r"\s*\(.*\)$", "", str(getattr(estimate, "unit", "")))
    words = _UNITS.get(name)
    word = name if words is None else words[1 if lang == "ja" else 0]
    if not unit:
        word = "%" if word == "%" else ""
    if word == "%" or (lang == "ja" and words is not None):
        return f"{prefix}{core}{word}{suffix}"
    return f"{prefix}{core}{suffix} {word}".strip()


# -- short labels of events ------------------------------------------------

_DOMAINS: Final = {
    "satellite": ("satellite", "衛星"),
    "submarine": ("submarine", "潜水艦"),
    "ballistic_missile": ("ballistic missile", "弾道ミサイル"),
    "air_defense": ("air defence", "防空"),
    "naval": ("naval", "艦艇"),
    "electronic_warfare": ("electronic warfare", "電子戦"),
}
_AID: Final = {
    "fuel": ("fuel", "燃料"),
    "oil": ("oil", "石油"),
    "food": ("food", "食料"),
    "construction_materials": ("construction materials", "建設資材"),
}
_PERSONNEL: Final = {
    "combat_troops": ("Troops", "派兵"),
    "special_forces": ("Special forces", "特殊部隊"),
    "sappers": ("Sappers", "工兵"),
    "military_builders": ("Military builders", "軍事建設要員"),
    "workers": ("Workers", "労働者"),
}
_OUTCOMES: Final = {
    "launched": ("launched", "進水"),
    "failed": ("launch failed", "進水失敗"),
    "righted": ("righted", "復原"),
    "relaunched": ("relaunched", "再進水"),
}
_RATIFIERS: Final = {
    "State Duma": "下院",
    "Federation Council": "上院",
    "President": "大統領",
    "Chairman of State Affairs": "国務委員長",
}
_MAX_LABEL_EM: Final = 23.0


def arms_item(name: str, lang: Lang) -> str:
    """A weapon's name, short (and in Japanese for ``ja``) when known."""
    words = _ARMS.get(re.sub(r"\s*\(.*\)$", "", name))
    if words is None:
        return name
    return words[1] if lang == "ja" else name


def outcome_word(outcome: str, lang: Lang) -> str:
    """A warship launch's outcome in words."""
    return _pick(_OUTCOMES, outcome, lang)


def thing(key: str, lang: Lang) -> str:
    """A technology domain or a kind of aid in words (``air_defense``:
    "air defence", 防空)."""
    table = _DOMAINS if key in _DOMAINS else _AID
    return _pick(table, key, lang)


def _pick(table: Mapping[str, tuple[str, str]], key: str, lang: Lang) -> str:
    words = table.get(key)
    if words is None:
        return key.replace("_", " ")
    return words[1 if lang == "ja" else 0]


def _join(items: list[str], lang: Lang) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


def em_width(text: str) -> float:
    """A text's width in ems, roughly: wide (CJK) characters one em,
    others a little over half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.58 for ch in text)


def _shorten(text: str, limit: float = _MAX_LABEL_EM) -> str:
    """``text`` cut to ``limit`` ems, at a word's end where it has spaces
    (never "shells & roc…"), with an ellipsis."""
    if em_width(text) <= limit:
        return text
    cut = text
    while cut and em_width(cut) > limit - 0.6:
        cut = cut[:-1]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:、&") + "…"


def _g(event: timeline.Event, name: str, default: object = None) -> object:
    return getattr(event, name, default)


def _items(event: timeline.Event, name: str) -> tuple[object, ...]:
    value = getattr(event, name, ())
    return tuple(value) if isinstance(value, tuple | list) else ()


def _strs(event: timeline.Event, name: str) -> list[str]:
    return [str(item) for item in _items(event, name)]


def _label_war(e: timeline.Event, lang: Lang) -> str:
    name = re.sub(r"\s*\(.*\)$", "", str(_g(e, "name", "")))
    if lang == "ja":
        if "Kursk" in name:
            return "ウクライナ軍のクルスク越境攻撃"
        aggressor = country(str(_g(e, "aggressor", "")), lang)
        target = country(str(_g(e, "target", "")), lang)
        return f"{aggressor}の{target}侵攻"
    if "Kursk" in name:
        return "Ukraine's Kursk incursion"
    return name


def _label_summit(e: timeline.Event, lang: Lang) -> str:
    place = str(_g(e, "place", "")).split(",")[0]
    return f"首脳会談（{term(place, lang)}）" if lang == "ja" else f"Summit: {place}"


def _label_signed(e: timeline.Event, lang: Lang) -> str:
    mutual = bool(_g(e, "mutual_defense", False))
    if lang == "ja":
        return "条約署名（相互支援条項）" if mutual else "条約署名"
    return "Treaty signed (mutual defence)" if mutual else "Treaty signed"


def _label_ratified(e: timeline.Event, lang: Lang) -> str:
    party = country(str(_g(e, "party", "")), lang)
    body = str(_g(e, "body", ""))
    if lang == "ja":
        body = re.sub(r"\s*\(.*\)$", "", body)
        return f"批准: {party}{_RATIFIERS.get(body, body)}"
    return f"Ratified: {body}" if body else f"Ratified: {party}"


def _label_in_force(e: timeline.Event, lang: Lang) -> str:
    return "条約発効" if lang == "ja" else "Treaty in force"


def _author(text: str, estimate: object, lang: Lang) -> str:
    """``text`` with the estimate's author: figures of one measure come
    from several authors, and the chart says whose each is."""
    by = getattr(estimate, "by", "")
    if not by:
        return text
    return f"{text}（{term(by, lang)}）" if lang == "ja" else f"{text} ({by})"


def _label_arms(e: timeline.Event, lang: Lang) -> str:
    parts: list[str] = []
    author: object = None
    for item in _items(e, "items")[:2]:
        name = re.sub(r"\s*\(.*\)$", "", str(getattr(item, "item", "")))
        words = _ARMS.get(name)
        if words is not None:
            name = words[1 if lang == "ja" else 0]
        quantity = getattr(item, "quantity", None)
        if quantity is not None:
            author = author or quantity
            if getattr(quantity, "unit", "") == "containers":
                name = estimate_text(quantity, lang)
                name = f"コンテナ{name}" if lang == "ja" else name
            else:
                name = f"{name} {estimate_text(quantity, lang, unit=lang == 'ja')}"
        parts.append(name)
    head = "武器: " if lang == "ja" else "Arms: "
    text = head + _join(parts, lang)
    return text if author is None else _author(text, author, lang)


_ARMS: Final = {
    "artillery shells": ("shells", "砲弾"),
    "artillery shells and rockets": ("shells & rockets", "砲弾・ロケット弾"),
    "containers of munitions": ("containers", "コンテナ"),
    "containers of munitions and equipment": ("containers", "コンテナ"),
    "short-range ballistic missiles": ("SRBMs", "短距離弾道ミサイル"),
    "M1989 Koksan SPG": ("Koksan SPG", "M1989自走砲"),
    "240mm MRL": ("240mm MRL", "240mm多連装砲"),
    "170mm SPGs and 240mm MRLs": (
        "170mm SPGs & 240mm MRLs",
        "170mm自走砲・240mm多連装砲",
    ),
    "ammunition": ("ammunition", "弾薬"),
    "rockets": ("rockets", "ロケット弾"),
}


def _label_personnel(e: timeline.Event, lang: Lang) -> str:
    kind = str(getattr(_g(e, "kind", ""), "value", _g(e, "kind", "")))
    head = _pick(_PERSONNEL, kind, lang)
    count = _g(e, "count")
    if count is not None:
        plain = lang == "en" and getattr(count, "unit", "") in ("soldiers", "people")
        text = f"{head}: {estimate_text(count, lang, unit=not plain)}"
        return _author(text, count, lang)
    if _g(e, "fought") is True:
        return f"{head}（戦闘）" if lang == "ja" else f"{head} in combat"
    destination = _g(e, "destination")
    if destination:
        return f"{head}: {term(str(destination), lang)}"
    return head


def _label_casualties(e: timeline.Event, lang: Lang) -> str:
    for name, en, ja in (
        ("total", "Casualties", "死傷者"),
        ("killed", "Killed", "死者"),
        ("wounded", "Wounded", "負傷者"),
    ):
        estimate = _g(e, name)
        head = ja if lang == "ja" else en
        if estimate is not None:
            plain = lang == "en" and getattr(estimate, "unit", "") == "soldiers"
            text = f"{head}: {estimate_text(estimate, lang, unit=not plain)}"
            return _author(text, estimate, lang)
    return "死傷者" if lang == "ja" else "Casualties"


def _label_technology(e: timeline.Event, lang: Lang) -> str:
    domains = [_pick(_DOMAINS, d, lang) for d in _strs(e, "domains")]
    assessed = bool(_g(e, "assessment", False))
    if lang == "ja":
        return f"技術: {_join(domains, lang)}" + ("（推定）" if assessed else "")
    return f"Tech: {_join(domains, lang)}" + (" (assessed)" if assessed else "")


def _label_aid(e: timeline.Event, lang: Lang) -> str:
    kinds = [_pick(_AID, k, lang) for k in _strs(e, "kinds")]
    text = ("支援: " if lang == "ja" else "Aid: ") + _join(kinds, lang)
    quantity = _g(e, "quantity")
    if quantity is not None:
        text = _author(f"{text} {estimate_text(quantity, lang)}", quantity, lang)
    return text


def _label_backing(e: timeline.Event, lang: Lang) -> str:
    action = str(_g(e, "action", ""))
    if lang == "ja":
        return "国連安保理で拒否権" if "veto" in action else "外交的後ろ盾"
    return "UN veto" if "veto" in action else "Diplomatic backing"


def _label_warship(e: timeline.Event, lang: Lang) -> str:
    name = term(str(_g(e, "name") or _g(e, "ship_class", "")), lang)
    outcome = str(getattr(_g(e, "outcome", ""), "value", _g(e, "outcome", "")))
    if lang == "ja":
        text = f"{name}: {_pick(_OUTCOMES, outcome, lang)}"
    else:
        text = f"{name} {_pick(_OUTCOMES, outcome, lang)}"
    if _g(e, "russian_systems") in ("assessed", "confirmed"):
        text += "（ロシア製装備）" if lang == "ja" else " (Russian systems)"
    return text


def _label_exercise(e: timeline.Event, lang: Lang) -> str:
    name = _g(e, "name")
    if name:
        return term(str(name), lang)
    aircraft = _strs(e, "aircraft")
    participants = _strs(e, "participants")
    if lang == "ja":
        order = {"JP": 0, "US": 1, "KR": 2}
        ranked = sorted(participants, key=lambda c: order.get(c, 9))
        who = "".join(country(c, lang)[0] for c in ranked)
        return f"{who}共同訓練" + (f"（{'、'.join(aircraft)}）" if aircraft else "")
    who = "/".join(participants)
    return "Drill: " + (", ".join(aircraft) if aircraft else who)


def _label_alignment(e: timeline.Event, lang: Lang) -> str:
    name = str(_g(e, "name", ""))
    return f"「{name}」" if lang == "ja" else f"'{name}' named"


def _label_stance(e: timeline.Event, lang: Lang) -> str:
    actors = [country(a, lang) for a in str(_g(e, "actor", "")).split(",")]
    who = ("・" if lang == "ja" else "/").join(actors)
    return f"{who}の立場" if lang == "ja" else f"{who}: stance"


def _label_monitoring(e: timeline.Event, lang: Lang) -> str:
    body = str(_g(e, "body", ""))
    return f"{body}報告" if lang == "ja" else f"{body} report"


def _label_episode(e: timeline.Event, lang: Lang) -> str:
    if lang == "ja" and "Kursk" in str(_g(e, "name", "")):
        return "ウクライナ軍のクルスク越境攻撃"
    return str(_g(e, "name", ""))


def _label_announced(e: timeline.Event, lang: Lang) -> str:
    kind = str(getattr(_g(e, "kind", ""), "value", _g(e, "kind", "")))
    head = _pick(_PERSONNEL, kind, lang)
    count = _g(e, "count")
    text = f"{head} {estimate_text(count, lang)}" if count is not None else head
    return f"派遣発表: {text}" if lang == "ja" else f"Announced: {text}"


def _label_assessment(e: timeline.Event, lang: Lang) -> str:
    who = term(str(_g(e, "assessor", "")), lang)
    return f"{who}の評価" if lang == "ja" else f"{who} assessment"


def _label_response(e: timeline.Event, lang: Lang) -> str:
    actors = [country(str(a), lang) for a in getattr(e, "actors", ())]
    who = ("・" if lang == "ja" else "/").join(actors)
    return f"{who}の対応措置" if lang == "ja" else f"{who}: measure"


def _label_unverified(e: timeline.Event, lang: Lang) -> str:
    return "検証できない主張" if lang == "ja" else "Unverifiable claim"


_LABELS: Final[dict[str, Callable[[timeline.Event, Lang], str]]] = {
    "nkru.war.began": _label_war,
    "nkru.summit.held": _label_summit,
    "nkru.treaty.signed": _label_signed,
    "nkru.treaty.ratified": _label_ratified,
    "nkru.treaty.in_force": _label_in_force,
    "nkru.arms.transferred": _label_arms,
    "nkru.personnel.deployed": _label_personnel,
    "nkru.casualties.estimated": _label_casualties,
    "nkru.technology.transferred": _label_technology,
    "nkru.aid.provided": _label_aid,
    "nkru.diplomatic.backing": _label_backing,
    "nkru.warship.launched": _label_warship,
    "nkru.exercise.held": _label_exercise,
    "nkru.alignment.named": _label_alignment,
    "nkru.stance.stated": _label_stance,
    "nkru.monitoring.reported": _label_monitoring,
    "nkru.war.episode": _label_episode,
    "nkru.personnel.announced": _label_announced,
    "nkru.assessment.made": _label_assessment,
    "nkru.response.taken": _label_response,
    "nkru.claim.unverified": _label_unverified,
}


def _payload_label(event: timeline.Event) -> str:
    """A label from an event without a summary: its text and enum values
    ("Helles, lager"), else its whole payload, else its id."""
    from timeline._render.values import value_text

    payload = event.payload()
    words = [
        value_text(v)
        for v in payload.values()
        if isinstance(v, str | enum.Enum) and value_text(v)
    ]
    if words:
        return ", ".join(words)
    return value_text(payload) if payload else event.id


def event_label(event: timeline.Event, lang: Lang, *, short: bool = True) -> str:
    """A short label for a mark on the chart: from the payload for the
    bundled timeline's event types, else the summary (or the id), cut short
    (``short=False``: whole).

    >>> from timeline.dataset import open_bundled
    >>> log = open_bundled()
    >>> event_label(log.get("ver-nis-15000-troops-2025-04-30"), "en")
    'Troops: ~15,000 (NIS)'
    >>> event_label(log.get("ver-nis-15000-troops-2025-04-30"), "ja")
    '派兵: 約1.5万人（韓国国家情報院）'
    """
    make = _LABELS.get(type(event).type_name)
    if make is not None:
        text = make(event, lang)
    elif event.summary is not None:
        text = event.summary.get(lang)
    else:
        text = _payload_label(event)
    # A record's control characters are shown, never obeyed (and a font has
    # no glyph for them).
    from timeline._render.values import escape

    text = escape(text)
    return _shorten(text) if short else text
