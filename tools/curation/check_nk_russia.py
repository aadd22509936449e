"""The curation check of the North Korea–Russia dataset (tools/curation/*.json).

Usage:  python tools/curation/check_nk_russia.py     (exit 1 on any problem)
Also run by the test suite (tests/test_dataset.py), so CI runs it.

It reads only this folder: nk_russia.json (the curated events) and
seed_map.json (the broadcast summary, line by line, with the programme events
each line carries).  Every problem is reported as ``<event id>: <rule>:
<what is wrong>``; the rules are listed in RULES below.  The rules that
replay the events (``stage-never-backwards``, ``nothing-pending-before-the-war``)
need the ``timeline`` package (run it with the project's environment).
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

PROGRAMME_DAY = "2025-07-14"
CURATION_DAY = "2026-12-04"
WAR_DAY = "2022-02-24"
N_FACTS = 53  # shared/reference/facts.json holds F01..F53

RULES = {
    "keys": "an event has exactly the curation's keys, and its type's payload keys",
    "id": "ids are prog-/ver- kebab-case and unique",
    "layers": "the programme layer comes first, recorded on the broadcast day; "
    "the verified layer after it, recorded on the curation day",
    "date-order": "within a layer, events are in order of their earliest day",
    "edtf": "occurred and published are valid EDTF",
    "programme-source": "a programme event cites the broadcast, quoting a whole "
    "line of the summary, and supersedes nothing",
    "seed-map": "seed_map.json is the summary line by line; every fact line is "
    "carried by programme events, and every programme event by a line",
    "claim-resolved": "every programme claim is superseded by a verified event "
    "or by a note that marks it unverifiable",
    "source-complete": "a verified event has a URL, title (a headline, or "
    "'[headline not shown in the stored copy]', never a URL slug), publisher, a "
    "plain publication date (YYYY-MM-DD), a language, a confidence and a quote",
    "no-aggregator": "no aggregator, content-farm mirror or Wikipedia as a source",
    "published-after-event": "a source is not published before its event began",
    "no-open-start": "no verified event has an open start ('../...')",
    "cause-bound": "no casualties or fighting before troops were first sent, "
    "no combat use of arms before the war began",
    "note": "a note names a programme claim, quotes it, and gives a reason",
    "supersedes": "a verified event supersedes only earlier programme events, "
    "and is tagged 'correction' when it does",
    "facts": "fact ids are F01..F53",
    "post-broadcast": "an event after the broadcast is tagged 'post-broadcast', "
    "and only such an event",
    "estimate": "an estimate is well-formed and its author is one known author",
    "series": "the estimates of one measure share unit and start point "
    "('since'), and are all capacity upper bounds ('up_to', a measure "
    "named '...capacity...') or none is",
    "stage-never-backwards": "in both views (the broadcast's and the current "
    "record), the stage never moves backwards from 2022-01-01 to 2025-12-31",
    "nothing-pending-before-the-war": "in the current record, no event is "
    "pending on any day before 2022-02-24",
}

AUTHORS = frozenset(
    {
        "NHK",
        "NIS",
        "ROK JCS",
        "ROK MND",
        "ROK DIA",
        "US DoD",
        "US State Dept",
        "US NSC",
        "UK MoD",
        "Ukraine (Zelensky)",
        "MSMT",
        "OSC",
        "Shoigu",
    }
)
BLOCKED_HOSTS = (
    "menafn.com",
    "devdiscourse.com",
    "news.az",
    "post-truth.eu",
    "fastseoul.com",
    "wikipedia.org",
    "wikimili.com",
    "rise-to-thrive.co",
    "morningstarjournal.com",
)
EVENT_KEYS = {
    "id",
    "type",
    "occurred",
    "recorded",
    "source",
    "summary",
    "supersedes",
    "tags",
    "facts",
    "payload",
}
SOURCE_KEYS = {
    "title",
    "url",
    "publisher",
    "published",
    "language",
    "quote",
    "confidence",
}
PAYLOAD_KEYS = {
    "nkru.war.began": {"aggressor", "target", "name"},
    "nkru.war.episode": {"war", "name", "initiator", "place"},
    "nkru.summit.held": {"leaders", "place"},
    "nkru.treaty.signed": {"treaty", "parties", "mutual_defense", "article"},
    "nkru.treaty.ratified": {"treaty", "party", "body"},
    "nkru.treaty.in_force": {"treaty"},
    "nkru.arms.transferred": {"supplier", "recipient", "items", "used_in_combat"},
    "nkru.personnel.announced": {
        "announcer",
        "sender",
        "host",
        "kind",
        "count",
        "roles",
        "destination",
    },
    "nkru.personnel.deployed": {
        "sender",
        "host",
        "kind",
        "count",
        "roles",
        "destination",
        "fought",
    },
    "nkru.casualties.estimated": {"force", "killed", "wounded", "total"},
    "nkru.technology.transferred": {
        "provider",
        "recipient",
        "domains",
        "assessment",
        "platform",
    },
    "nkru.aid.provided": {"provider", "recipient", "kinds", "quantity"},
    "nkru.diplomatic.backing": {"provider", "beneficiary", "action"},
    "nkru.warship.launched": {
        "name",
        "ship_class",
        "displacement_t",
        "place",
        "outcome",
        "russian_systems",
    },
    "nkru.exercise.held": {"name", "participants", "aircraft", "kind"},
    "nkru.alignment.named": {"name", "members"},
    "nkru.stance.stated": {"actor", "stance"},
    "nkru.assessment.made": {"assessor", "subject", "topic", "assessment"},
    "nkru.response.taken": {"actors", "measure"},
    "nkru.monitoring.reported": {"body", "findings"},
    "nkru.claim.unverified": {"claim", "part", "reason"},
}
ESTIMATE_KEYS = {"measure", "low", "high", "qualifier", "unit", "by", "since"}
QUALIFIERS = {"exact", "about", "at_least", "at_most", "up_to"}
PROGRAMME_SOURCE = {
    "title": "クローズアップ現代",
    "url": None,
    "publisher": "NHK",
    "published": PROGRAMME_DAY,
    "language": "ja",
    "confidence": "medium",
}
ID_RE = re.compile(r"^(prog|ver)-[a-z0-9]+(-[a-z0-9]+)*$")
FACT_RE = re.compile(r"^F(\d{2})$")
PLAIN_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?$")


# -- dates (EDTF level 0/1 subset, standard library only) ----------------------


def _day(text: str, end: bool) -> datetime.date | None:
    m = DATE_RE.match(text)
    if not m:
        return None
    year = int(m[1])
    if m[2] is None:
        return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)
    month = int(m[2])
    if not 1 <= month <= 12:
        return None
    if m[3] is None:
        if not end:
            return datetime.date(year, month, 1)
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        return nxt - datetime.timedelta(days=1)
    try:
        return datetime.date(year, month, int(m[3]))
    except ValueError:
        return None


def bounds(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """(earliest, latest) day of an EDTF date or interval; None for an open
    end.  ValueError if it is not valid."""
    if "/" in text:
        a, b = text.split("/", 1)
        lo = None if a == ".." else _day(a, end=False)
        hi = None if b == ".." else _day(b, end=True)
        if (a != ".." and lo is None) or (b != ".." and hi is None):
            raise ValueError(text)
        if lo is None and hi is None or (lo and hi and lo > hi):
            raise ValueError(text)
        return lo, hi
    lo, hi = _day(text, end=False), _day(text, end=True)
    if lo is None:
        raise ValueError(text)
    return lo, hi


def _earliest(text: str) -> datetime.date:
    lo, hi = bounds(text)
    return lo or hi or datetime.date.min


# -- the checks -------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, where: str, rule: str, message: str) -> None:
        assert rule in RULES, rule
        self.problems.append(f"{where}: {rule}: {message}")


def seed_text(seed_map: list[dict[str, Any]]) -> str:
    """The summary's text, as the seed map carries it (line by line)."""
    return "\n".join(entry["text"] for entry in seed_map)


def _estimates(ev: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    p = ev["payload"]
    t = ev["type"]
    if t == "nkru.arms.transferred":
        for i, item in enumerate(p.get("items") or ()):
            if isinstance(item, dict) and item.get("quantity") is not None:
                yield f"items[{i}]", item["quantity"]
    for key in ("count", "quantity", "killed", "wounded", "total"):
        if isinstance(p.get(key), dict):
            yield key, p[key]


def _check_estimate(report: Report, eid: str, where: str, e: dict[str, Any]) -> None:
    if set(e) != ESTIMATE_KEYS:
        report(eid, "estimate", f"{where}: keys {sorted(set(e) ^ ESTIMATE_KEYS)}")
        return
    low, high, q = e["low"], e["high"], e["qualifier"]
    if q not in QUALIFIERS:
        report(eid, "estimate", f"{where}: qualifier {q!r}")
    if low is None and high is None:
        report(eid, "estimate", f"{where}: no bound")
    for name, value in (("low", low), ("high", high)):
        if value is not None and (not isinstance(value, int) or value < 0):
            report(eid, "estimate", f"{where}: {name} {value!r} is not an int >= 0")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        report(eid, "estimate", f"{where}: low {low} > high {high}")
    if q == "at_least" and low is None:
        report(eid, "estimate", f"{where}: at_least without low")
    if q in ("up_to", "at_most") and high is None:
        report(eid, "estimate", f"{where}: {q} without high")
    if e["by"] not in AUTHORS:
        report(
            eid,
            "estimate",
            f"{where}: author {e['by']!r} is not one known author "
            "(one series per author: add it to AUTHORS if it is new)",
        )
    if not e["measure"] or not e["unit"]:
        report(eid, "estimate", f"{where}: empty measure or unit")
    if e["since"] is not None:
        try:
            bounds(e["since"])
        except ValueError:
            report(eid, "estimate", f"{where}: since {e['since']!r} is not EDTF")


def _check_series(report: Report, events: list[dict[str, Any]]) -> None:
    first: dict[str, tuple[str, dict[str, Any]]] = {}
    for ev in events:
        if set(ev) != EVENT_KEYS or not isinstance(ev.get("payload"), dict):
            continue
        for where, e in _estimates(ev):
            if not isinstance(e, dict) or set(e) != ESTIMATE_KEYS:
                continue
            measure = e["measure"]
            capacity = e["qualifier"] == "up_to"
            if capacity != ("capacity" in measure):
                report(
                    ev["id"],
                    "series",
                    f"{where}: measure {measure!r} mixes a capacity upper bound "
                    "and a count: up_to belongs to a '...capacity...' measure only",
                )
            if measure not in first:
                first[measure] = (ev["id"], e)
                continue
            origin, seen = first[measure]
            for key in ("unit", "since"):
                if e[key] != seen[key]:
                    report(
                        ev["id"],
                        "series",
                        f"{where}: measure {measure!r} has {key} {e[key]!r}, but "
                        f"{origin} gave {seen[key]!r}: a different start or unit "
                        "is a different measure",
                    )


def check_events(
    events: list[dict[str, Any]], seed_map: list[dict[str, Any]]
) -> list[str]:
    """The problems of the curated events, without replaying them."""
    report = Report()
    text = seed_text(seed_map)
    seen: dict[str, dict[str, Any]] = {}
    in_verified = False
    last_day = {"prog": datetime.date.min, "ver": datetime.date.min}
    broadcast = datetime.date.fromisoformat(PROGRAMME_DAY)
    for i, ev in enumerate(events):
        eid = ev.get("id", f"#{i}")
        if set(ev) != EVENT_KEYS:
            report(eid, "keys", f"keys differ by {sorted(set(ev) ^ EVENT_KEYS)}")
            continue
        if not ID_RE.match(eid) or eid in seen:
            report(eid, "id", "not prog-/ver- kebab-case, or a duplicate")
        layer = eid.split("-", 1)[0]
        if layer == "ver":
            in_verified = True
        elif in_verified:
            report(eid, "layers", "a programme event after verified events")
        want = PROGRAMME_DAY if layer == "prog" else CURATION_DAY
        if ev["recorded"] != want:
            report(eid, "layers", f"recorded {ev['recorded']}, expected {want}")
        if ev["type"] not in PAYLOAD_KEYS:
            report(eid, "keys", f"unknown type {ev['type']!r}")
            continue
        if set(ev["payload"]) != PAYLOAD_KEYS[ev["type"]]:
            diff = sorted(set(ev["payload"]) ^ PAYLOAD_KEYS[ev["type"]])
            report(eid, "keys", f"payload keys differ by {diff}")
            continue
        try:
            lo, hi = bounds(ev["occurred"])
        except ValueError:
            report(eid, "edtf", f"occurred {ev['occurred']!r} is not EDTF")
            continue
        start = lo or hi or datetime.date.min
        if start < last_day[layer]:
            report(eid, "date-order", f"starts {start}, before the event before it")
        last_day[layer] = max(last_day[layer], start)
        src = ev["source"]
        if not isinstance(src, dict) or set(src) != SOURCE_KEYS:
            report(eid, "keys", "source keys differ")
            continue
        summary = ev["summary"]
        if not isinstance(summary, dict) or set(summary) != {"ja", "en"}:
            report(eid, "keys", "summary must have 'ja' and 'en'")
        elif not all(isinstance(v, str) and v.strip() for v in summary.values()):
            report(eid, "keys", "empty summary")
        for fid in ev["facts"]:
            m = FACT_RE.match(fid)
            if not m or not 1 <= int(m[1]) <= N_FACTS:
                report(eid, "facts", f"{fid!r} is not a fact id F01..F{N_FACTS}")
        for where, e in _estimates(ev):
            _check_estimate(report, eid, where, e)
        note = ev["type"] == "nkru.claim.unverified"
        if layer == "prog":
            for key, value in PROGRAMME_SOURCE.items():
                if src[key] != value:
                    report(eid, "programme-source", f"source.{key} = {src[key]!r}")
            if not src["quote"] or src["quote"] not in text.split("\n"):
                report(eid, "programme-source", "quote is not a whole summary line")
            if ev["supersedes"] or ev["facts"]:
                report(eid, "programme-source", "supersedes events or cites facts")
        elif note:
            claim = seen.get(ev["payload"]["claim"])
            if claim is None or not claim["id"].startswith("prog-"):
                report(
                    eid,
                    "note",
                    f"claim {ev['payload']['claim']!r} is no programme event",
                )
            elif src != claim["source"]:
                report(eid, "note", "source is not the claim's (quoting its line)")
            if not str(ev["payload"]["reason"]).strip() or not ev["payload"]["part"]:
                report(eid, "note", "no part or no reason")
            if "unverifiable" not in ev["tags"]:
                report(eid, "note", "not tagged 'unverifiable'")
        else:
            url = src["url"] or ""
            if not url.startswith(("http://", "https://")):
                report(eid, "source-complete", f"url {src['url']!r}")
            for key in ("title", "publisher", "quote", "language"):
                if not isinstance(src[key], str) or not src[key].strip():
                    report(eid, "source-complete", f"no {key}")
            if isinstance(src["title"], str) and src["title"].startswith("[slug]"):
                report(eid, "source-complete", "title is a URL slug, not a headline")
            if src["confidence"] not in ("high", "medium", "low"):
                report(eid, "source-complete", f"confidence {src['confidence']!r}")
            published = src["published"]
            if not isinstance(published, str) or not PLAIN_DAY_RE.match(published):
                report(
                    eid,
                    "source-complete",
                    f"published {published!r} is not a plain date",
                )
            elif _day(published, end=False) is None:
                report(eid, "edtf", f"published {published!r} is not a date")
            elif datetime.date.fromisoformat(published) < start:
                report(
                    eid,
                    "published-after-event",
                    f"published {published}, before the event began ({start})",
                )
            host = urlparse(url).netloc.lower()
            if any(host == b or host.endswith("." + b) for b in BLOCKED_HOSTS):
                report(eid, "no-aggregator", f"{host} is an aggregator or mirror")
            if ev["occurred"].startswith(".."):
                report(eid, "no-open-start", f"occurred {ev['occurred']}")
            post = start > broadcast
            if post != ("post-broadcast" in ev["tags"]):
                report(eid, "post-broadcast", f"starts {start}; tags {ev['tags']}")
        if layer == "ver":
            for old in ev["supersedes"]:
                if old not in seen or not old.startswith("prog-"):
                    report(
                        eid, "supersedes", f"{old} is not an earlier programme event"
                    )
            if ev["supersedes"] and "correction" not in ev["tags"]:
                report(eid, "supersedes", "not tagged 'correction'")
        seen[eid] = ev
    _check_series(report, events)
    _check_causes(report, list(seen.values()))
    _check_resolved(report, list(seen.values()))
    _check_seed_map(report, seed_map, seen)
    return report.problems


def _check_causes(report: Report, events: list[dict[str, Any]]) -> None:
    verified = [e for e in events if e["id"].startswith("ver-")]
    troop_days = [
        _earliest(e["occurred"])
        for e in verified
        if e["type"] == "nkru.personnel.deployed"
        and e["payload"]["kind"] in ("combat_troops", "special_forces")
        and e["payload"]["fought"] is not True  # a fight does not date its cause
    ]
    first_troops = min(troop_days, default=None)
    war = datetime.date.fromisoformat(WAR_DAY)
    for ev in verified:
        start = _earliest(ev["occurred"])
        p = ev["payload"]
        fought = ev["type"] == "nkru.personnel.deployed" and p["fought"] is True
        if ev["type"] == "nkru.casualties.estimated" or fought:
            if first_troops is None or start < first_troops:
                report(
                    ev["id"],
                    "cause-bound",
                    f"starts {start}, before troops were first sent ({first_troops})",
                )
        if (
            ev["type"] == "nkru.arms.transferred"
            and p["used_in_combat"]
            and start < war
        ):
            report(ev["id"], "cause-bound", f"combat use from {start}, before the war")


def _check_resolved(report: Report, events: list[dict[str, Any]]) -> None:
    superseded = {
        old for e in events if e["id"].startswith("ver-") for old in e["supersedes"]
    }
    for ev in events:
        if ev["id"].startswith("prog-") and ev["id"] not in superseded:
            report(
                ev["id"],
                "claim-resolved",
                "neither superseded by a verified event nor marked unverifiable",
            )


def _check_seed_map(
    report: Report, seed_map: list[dict[str, Any]], seen: dict[str, dict[str, Any]]
) -> None:
    reached: set[str] = set()
    for n, entry in enumerate(seed_map, 1):
        where = f"seed line {entry.get('line', n)}"
        if set(entry) != {"line", "text", "kind", "events"} or entry["line"] != n:
            report(where, "seed-map", "bad entry or out of order")
            continue
        if entry["kind"] not in ("fact", "heading", "framing"):
            report(where, "seed-map", f"kind {entry['kind']!r}")
        if bool(entry["events"]) != (entry["kind"] == "fact"):
            report(where, "seed-map", "a fact line needs events, other lines none")
        for eid in entry["events"]:
            if eid not in seen or not eid.startswith("prog-"):
                report(where, "seed-map", f"{eid} is not a programme event")
            reached.add(eid)
            ev = seen.get(eid)
            if ev is not None and ev["source"]["quote"] not in {
                e["text"] for e in seed_map if eid in e["events"]
            }:
                report(eid, "seed-map", "its quote is none of the lines that map to it")
    for eid in seen:
        if eid.startswith("prog-") and eid not in reached:
            report(eid, "seed-map", "no line of the summary carries it")


# -- the rules that replay the events ------------------------------------------


def _build_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_dataset", ROOT / "tools" / "build_dataset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_replay(
    events: list[dict[str, Any]],
    first: str = "2022-01-01",
    last: str = "2025-12-31",
) -> list[str]:
    """The problems found by replaying the events day by day, in the
    broadcast's view and the current record."""
    import timeline
    from timeline.dataset import Relationship

    report = Report()
    build = _build_module()
    log = timeline.Log(build.build_event(raw) for raw in events)
    day = datetime.date.fromisoformat(first)
    end = datetime.date.fromisoformat(last)
    war = datetime.date.fromisoformat(WAR_DAY)
    held: dict[tuple[str | None, str], tuple[int, str, str]] = {}
    while day <= end:
        for known_at in (PROGRAMME_DAY, None):
            answer = log.state(Relationship, as_of=day, known_at=known_at)
            view = "broadcast view" if known_at else "current record"
            for which, state in (
                ("certain", answer.certain),
                ("possible", answer.possible),
            ):
                rank = state.stage.rank
                before = held.get((known_at, which))
                if before is not None and rank < before[0]:
                    causes = ", ".join(state.sources("troops") or ("?",))
                    report(
                        f"{day} ({view}, {which})",
                        "stage-never-backwards",
                        f"{before[1]} on {before[2]} -> {state.stage.value} "
                        f"(troops from {causes})",
                    )
                held[(known_at, which)] = (rank, state.stage.value, str(day))
            if known_at is None and day < war and answer.pending:
                ids = ", ".join(sorted(e.id for e in answer.pending))
                report(
                    f"{day} (current record)",
                    "nothing-pending-before-the-war",
                    f"pending: {ids}",
                )
        day += datetime.timedelta(days=1)
    return report.problems


def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    events = json.loads((HERE / "nk_russia.json").read_text(encoding="utf-8"))
    seed_map = json.loads((HERE / "seed_map.json").read_text(encoding="utf-8"))
    return events, seed_map


def main(argv: list[str] | None = None) -> int:
    events, seed_map = load()
    checks: list[Callable[[], list[str]]] = [
        lambda: check_events(events, seed_map),
        lambda: check_replay(events),
    ]
    problems = [p for check in checks for p in check()]
    layers = {"prog": 0, "ver": 0}
    for ev in events:
        layers[ev["id"].split("-", 1)[0]] += 1
    print(
        f"events: {len(events)} (programme {layers['prog']}, verified {layers['ver']})"
    )
    if problems:
        print(f"{len(problems)} problem(s):")
        for problem in problems:
            print("  -", problem)
        return 1
    print("OK: " + ", ".join(RULES))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
