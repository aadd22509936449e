"""Self-check for the curated North Korea–Russia dataset (tools/curation/*.json).

Usage: python3 tools/curation/check_nk_russia.py
Needs only the standard library; reads the seed and facts.json from ../shared (or $SHARED_DIR).
"""
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SHARED_DIR", HERE.parents[2] / "shared"))
SEED = SHARED / "seed" / "000_7721ccf800a83251.txt"
FACTS_PATH = SHARED / "reference" / "facts.json"

PROG_REC, VER_REC, BROADCAST = "2025-07-14", "2025-10-31", "2025-07-14"
EVENT_KEYS = {"id", "type", "occurred", "recorded", "source", "summary", "supersedes", "tags", "facts", "payload"}
SOURCE_KEYS = {"title", "url", "publisher", "published", "language", "quote", "confidence"}
PAYLOAD_KEYS = {
    "nkru.war.began": {"aggressor", "target", "name"},
    "nkru.summit.held": {"leaders", "place"},
    "nkru.treaty.signed": {"treaty", "parties", "mutual_defense", "article"},
    "nkru.treaty.ratified": {"treaty", "party", "body"},
    "nkru.treaty.in_force": {"treaty"},
    "nkru.arms.transferred": {"supplier", "recipient", "items", "used_in_combat"},
    "nkru.personnel.deployed": {"sender", "host", "kind", "count", "roles", "destination", "fought"},
    "nkru.casualties.estimated": {"force", "killed", "wounded", "total"},
    "nkru.technology.transferred": {"provider", "recipient", "domains", "assessment"},
    "nkru.aid.provided": {"provider", "recipient", "kinds", "quantity"},
    "nkru.diplomatic.backing": {"provider", "beneficiary", "action"},
    "nkru.warship.launched": {"name", "ship_class", "displacement_t", "place", "outcome", "russian_systems"},
    "nkru.exercise.held": {"name", "participants", "aircraft", "kind"},
    "nkru.alignment.named": {"name", "members"},
    "nkru.stance.stated": {"actor", "stance"},
    "nkru.monitoring.reported": {"body", "findings"},
}
ESTIMATE_KEYS = {"measure", "low", "high", "qualifier", "unit", "by"}
QUALIFIERS = {"exact", "about", "at_least", "at_most", "up_to"}
KINDS = {"combat_troops", "special_forces", "sappers", "military_builders", "workers"}
OUTCOMES = {"launched", "failed", "righted", "relaunched"}
RUSSIAN_SYSTEMS = {"none", "assessed", "confirmed", None}
ID_RE = re.compile(r"^(prog|ver)-[a-z0-9]+(-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?$")

errors = []


def err(msg):
    errors.append(msg)


def parse_date(s, end=False):
    """Return (y, m, d) of the start (or end) of an EDTF level 0/1 date, or None if invalid."""
    m = DATE_RE.match(s)
    if not m:
        return None
    y, mo, d = int(m[1]), m[2], m[3]
    if mo is None:
        return (y, 12, 31) if end else (y, 1, 1)
    mo = int(mo)
    if not 1 <= mo <= 12:
        return None
    if d is None:
        return (y, mo, 31) if end else (y, mo, 1)
    d = int(d)
    return (y, mo, d) if 1 <= d <= 31 else None


def edtf_bounds(s):
    """(lower, upper) tuples; None for an open end. Raises ValueError if not valid EDTF (subset)."""
    if "/" in s:
        a, b = s.split("/")
        lo = None if a == ".." else parse_date(a)
        hi = None if b == ".." else parse_date(b, end=True)
        if (a != ".." and lo is None) or (b != ".." and hi is None) or (lo is None and hi is None):
            raise ValueError(s)
        if lo and hi and lo > hi:
            raise ValueError(s)
        return lo, hi
    lo, hi = parse_date(s), parse_date(s, end=True)
    if lo is None:
        raise ValueError(s)
    return lo, hi


def sort_key(s):
    lo, hi = edtf_bounds(s)
    return lo if lo is not None else hi


def check_estimate(eid, where, e):
    if e is None:
        return
    if not isinstance(e, dict) or set(e) != ESTIMATE_KEYS:
        err(f"{eid}: bad Estimate at {where}: {e}")
        return
    if e["qualifier"] not in QUALIFIERS:
        err(f"{eid}: bad qualifier at {where}")
    if e["low"] is None and e["high"] is None:
        err(f"{eid}: Estimate without numbers at {where}")
    for k in ("low", "high"):
        if e[k] is not None and not isinstance(e[k], int):
            err(f"{eid}: non-int {k} at {where}")
    if e["low"] is not None and e["high"] is not None and e["low"] > e["high"]:
        err(f"{eid}: low > high at {where}")
    if e["qualifier"] == "at_least" and e["low"] is None:
        err(f"{eid}: at_least without low at {where}")
    if e["qualifier"] in ("up_to", "at_most") and e["high"] is None:
        err(f"{eid}: {e['qualifier']} without high at {where}")
    if not e["measure"] or not e["by"] or not e["unit"]:
        err(f"{eid}: empty measure/unit/by at {where}")


def main():
    seed_text = SEED.read_text(encoding="utf-8")
    seed_lines = seed_text.split("\n")
    facts = {f["id"]: f for f in json.loads(FACTS_PATH.read_text(encoding="utf-8"))}
    events = json.loads((HERE / "nk_russia.json").read_text(encoding="utf-8"))
    seed_map = json.loads((HERE / "seed_map.json").read_text(encoding="utf-8"))
    assert (HERE / "NOTES.md").is_file(), "NOTES.md missing"

    seen, layer_seen_ver = {}, False
    used_facts = set()
    prev_key = {"prog": None, "ver": None}
    for i, ev in enumerate(events):
        eid = ev.get("id", f"#{i}")
        if set(ev) != EVENT_KEYS:
            err(f"{eid}: keys {sorted(set(ev) ^ EVENT_KEYS)}")
            continue
        if not ID_RE.match(eid):
            err(f"{eid}: id not kebab-case with prog-/ver- prefix")
        if eid in seen:
            err(f"{eid}: duplicate id")
        layer = eid.split("-")[0]
        if layer == "ver":
            layer_seen_ver = True
        elif layer_seen_ver:
            err(f"{eid}: programme event after verified events")
        if ev["type"] not in PAYLOAD_KEYS:
            err(f"{eid}: unknown type {ev['type']}")
            continue
        # dates
        try:
            key = sort_key(ev["occurred"])
        except ValueError:
            err(f"{eid}: occurred not EDTF: {ev['occurred']}")
            key = None
        if key and prev_key[layer] and key < prev_key[layer]:
            err(f"{eid}: out of date order in layer {layer}")
        if key:
            prev_key[layer] = key
        want_rec = PROG_REC if layer == "prog" else VER_REC
        if ev["recorded"] != want_rec:
            err(f"{eid}: recorded {ev['recorded']} != {want_rec}")
        # source
        src = ev["source"]
        if set(src) != SOURCE_KEYS:
            err(f"{eid}: source keys {sorted(set(src) ^ SOURCE_KEYS)}")
            continue
        if src["confidence"] not in ("high", "medium", "low"):
            err(f"{eid}: bad confidence")
        try:
            edtf_bounds(src["published"])
        except ValueError:
            err(f"{eid}: published not EDTF: {src['published']}")
        if src["published"] == VER_REC:
            err(f"{eid}: published is the curation day")
        if layer == "prog":
            exp = {"title": "クローズアップ現代", "url": None, "publisher": "NHK", "published": "2025-07-14",
                   "language": "ja", "confidence": "medium"}
            for k, v in exp.items():
                if src[k] != v:
                    err(f"{eid}: source.{k} = {src[k]!r}, expected {v!r}")
            q = src["quote"]
            if not q or q not in seed_text:
                err(f"{eid}: quote not an exact substring of the seed")
            if ev["facts"]:
                err(f"{eid}: programme event with facts")
            if ev["supersedes"]:
                err(f"{eid}: programme event supersedes something")
        else:
            if not src["url"]:
                err(f"{eid}: verified event without url")
            if not ev["facts"]:
                err(f"{eid}: verified event without facts")
            for fid in ev["facts"]:
                if fid not in facts:
                    err(f"{eid}: unknown fact {fid}")
            used_facts.update(ev["facts"])
            primary = [facts[f] for f in ev["facts"] if f in facts and facts[f]["source_url"] == src["url"]]
            if not primary:
                err(f"{eid}: source url matches none of its facts")
            else:
                f = primary[0]
                if src["title"] != f["source_title"] or src["confidence"] != f["confidence"]:
                    err(f"{eid}: source title/confidence differ from {f['id']}")
            for sid in ev["supersedes"]:
                if sid not in seen:
                    err(f"{eid}: supersedes {sid}, not an earlier event")
                elif not sid.startswith("prog-"):
                    err(f"{eid}: supersedes a non-programme event {sid}")
            if ev["supersedes"] and "correction" not in ev["tags"]:
                err(f"{eid}: correction without 'correction' tag")
            post = key and key > (2025, 7, 14)
            if post and "post-broadcast" not in ev["tags"]:
                err(f"{eid}: after the broadcast but not tagged post-broadcast")
            if "post-broadcast" in ev["tags"] and not post:
                err(f"{eid}: tagged post-broadcast but occurred before it")
        if not isinstance(ev["summary"], dict) or set(ev["summary"]) != {"ja", "en"} or not all(ev["summary"].values()):
            err(f"{eid}: bad summary")
        if not isinstance(ev["tags"], list) or not all(isinstance(t, str) and t for t in ev["tags"]):
            err(f"{eid}: bad tags")
        # payload
        p = ev["payload"]
        if set(p) != PAYLOAD_KEYS[ev["type"]]:
            err(f"{eid}: payload keys {sorted(set(p) ^ PAYLOAD_KEYS[ev['type']])}")
            continue
        t = ev["type"].removeprefix("nkru.")
        if t == "arms.transferred":
            if p["supplier"] != "KP" or p["recipient"] != "RU" or not p["items"]:
                err(f"{eid}: bad arms payload")
            for j, it in enumerate(p["items"]):
                if set(it) != {"item", "quantity"}:
                    err(f"{eid}: bad item {it}")
                else:
                    check_estimate(eid, f"items[{j}]", it["quantity"])
        elif t == "personnel.deployed":
            if p["kind"] not in KINDS:
                err(f"{eid}: bad kind")
            check_estimate(eid, "count", p["count"])
        elif t == "casualties.estimated":
            for k in ("killed", "wounded", "total"):
                check_estimate(eid, k, p[k])
        elif t == "aid.provided":
            check_estimate(eid, "quantity", p["quantity"])
        elif t == "technology.transferred":
            if not isinstance(p["assessment"], bool):
                err(f"{eid}: assessment must be bool")
            if layer == "ver" and p["assessment"] and "assessment" not in ev["tags"]:
                err(f"{eid}: assessed transfer without 'assessment' tag")
        elif t == "warship.launched":
            if p["outcome"] not in OUTCOMES or p["russian_systems"] not in RUSSIAN_SYSTEMS:
                err(f"{eid}: bad warship payload")
        elif t in ("treaty.signed", "treaty.ratified", "treaty.in_force"):
            if p["treaty"] != "comprehensive-strategic-partnership":
                err(f"{eid}: bad treaty")
        seen[eid] = ev

    missing = set(facts) - used_facts
    if missing:
        err(f"facts not used by any event: {sorted(missing)}")

    # seed map
    nonempty = [(n, t) for n, t in enumerate(seed_lines, 1) if t.strip()]
    if [(e["line"], e["text"]) for e in seed_map] != nonempty:
        err("seed_map lines/texts do not match the seed's non-empty lines in order")
    reached = set()
    for e in seed_map:
        if set(e) != {"line", "text", "kind", "events"} or e["kind"] not in ("fact", "heading", "framing"):
            err(f"seed_map line {e.get('line')}: bad entry")
            continue
        if e["kind"] == "fact" and not e["events"]:
            err(f"seed_map line {e['line']}: fact line without events")
        for eid in e["events"]:
            if eid not in seen or not eid.startswith("prog-"):
                err(f"seed_map line {e['line']}: {eid} is not a programme event")
            reached.add(eid)
    unreached = {i for i in seen if i.startswith("prog-")} - reached
    if unreached:
        err(f"programme events not reachable from the seed map: {sorted(unreached)}")

    # report
    from collections import Counter
    by_layer = Counter(i.split("-")[0] for i in seen)
    by_type = Counter((i.split("-")[0], ev["type"]) for i, ev in seen.items())
    print(f"events: {len(seen)} (programme {by_layer['prog']}, verified {by_layer['ver']})")
    for (layer, t), n in sorted(by_type.items()):
        print(f"  {layer:4} {t:24} {n}")
    print(f"seed_map: {len(seed_map)} lines "
          f"({Counter(e['kind'] for e in seed_map)})")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  -", e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
