"""A self-contained HTML page of the bundled timeline: the chart (inline
SVG, one per record), a date slider that updates the state of the
relationship shown beside it, a switch between the current record and an
earlier one (the programme's picture, known on 2025-07-14), and the event
list with linked sources.

Everything is inline (CSS, JavaScript, SVG with text drawn as paths, the
data as JSON): the page loads nothing and works offline.  The states are
computed here, with :meth:`timeline.Log.state`, for every day on which the
state changes, in both records; the page only looks them up.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any, Final

import attrs

import timeline
from timeline._log import as_day
from timeline._render import chart
from timeline._render.facets import FACETS, describe, facet_label
from timeline._render.layout import (
    LaneOf,
    Layout,
    build_layout,
    default_lanes,
    lane_label,
)
from timeline._render.values import escape, escape_html, facts
from timeline._render.words import Lang, event_label, say
from timeline.dataset import Relationship

__all__ = ["render_html"]

VIEWS: Final = ("current", "alt")


# Text for the page's markup: its control and bidirectional formatting
# characters shown as escapes (a record cannot reorder or fake what the page
# says), then HTML-escaped.
_h: Final = escape_html


def _clean(value: Any) -> Any:
    """The page's data with every string (and key) escaped as in the
    markup (:func:`escape`, HTML aside): the script puts these strings on
    the page as text, and looks marks up by the ids the chart drew (escaped
    alike)."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every id of an SVG unique in a page holding several."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    # Drop the XML prolog and DOCTYPE: the SVG is inline.
    start = svg.find("<svg")
    return svg[start:]


def _state_days(
    log: timeline.Log, known_at: datetime.date | None, first: int, last: int
) -> list[int]:
    """The days on which the state may change: an event becomes pending on
    its earliest day and certain on its latest."""
    days = {first}
    for event in log.timeline(known_at):
        for day in (event.occurred.earliest_day, event.occurred.latest_day):
            if day is not None and first < day <= last:
                days.add(day)
    return sorted(days)


@attrs.frozen
class Panel:
    """The state shown beside the chart: the projection folded, and its
    state as one text per facet (a row of the table)."""

    projection: timeline.Projection[Any]
    describe: Callable[[Any], dict[str, str]]
    label: Callable[[str], str]
    facets: tuple[str, ...] = ()
    heading: str = "state_h"


def bundled_panel(lang: Lang) -> Panel:
    """The bundled timeline's relationship, facet by facet."""
    return Panel(
        projection=Relationship,
        describe=lambda state: describe(state, lang),
        label=lambda facet: facet_label(facet, lang),
        facets=FACETS,
    )


def generic_panel(projection: timeline.Projection[Any] | None, lang: Lang) -> Panel:
    """Any projection's state, a row per top-level field (nested facts as
    ``path: value``); without a projection, no rows (the pending events
    are still listed)."""
    if projection is None:
        return Panel(
            projection=_NOTHING,
            describe=lambda state: {},
            label=str,
            heading="state_h_generic",
        )

    def rows(state: Any) -> dict[str, str]:
        out: dict[str, list[str]] = {}
        for fact in facts(state, lang):
            head, _, rest = fact.label.partition(".")
            if "[" in head:
                head, rest = head.split("[", 1)[0], fact.label[len(head) :]
            text = ", ".join(fact.items) if fact.many else fact.items[0]
            out.setdefault(head, []).append(f"{rest}: {text}" if rest else text)
        return {head: "; ".join(parts) or "-" for head, parts in out.items()}

    return Panel(
        projection=projection,
        describe=rows,
        label=str,
        heading="state_h_generic",
    )


_NOTHING: Final = timeline.Projection(initial=None, name="no projection")


def _state_json(
    log: timeline.Log,
    day: int,
    known_at: datetime.date | None,
    lang: Lang,
    panel: Panel,
) -> dict[str, Any]:
    answer = log.state(
        panel.projection, as_of=timeline.from_day_number(day), known_at=known_at
    )
    certain = panel.describe(answer.certain)
    possible = panel.describe(answer.possible)
    return {
        "certain": certain,
        "possible": {
            f: (None if possible.get(f) == certain.get(f) else possible.get(f, "-"))
            for f in possible.keys() | certain.keys()
        },
        "pending": [
            [e.id, e.occurred.describe(lang), event_label(e, lang, short=False)]
            for e in answer.pending
        ],
    }


_CONFIDENCE_JA: Final = {"high": "高", "medium": "中", "low": "低"}


def _source_html(event: timeline.Event, lang: Lang) -> str:
    source = event.source
    if source is None:
        return ""
    title = _h(source.title)
    if source.url:
        url = _h(source.url)
        title = f'<a href="{url}" rel="noopener noreferrer">{title}</a>'
    details = [_h(source.publisher)] if source.publisher else []
    if source.published is not None:
        details.append(_h(source.published.describe(lang)))
    if source.confidence:
        if lang == "ja":
            level = _CONFIDENCE_JA.get(source.confidence, source.confidence)
            details.append(f"確度: {_h(level)}")
        else:
            details.append(f"confidence: {_h(source.confidence)}")
    extra = f'<span class="muted"> · {" · ".join(details)}</span>' if details else ""
    return title + extra


def _membership(layout: Layout) -> dict[str, str]:
    return {m.id: ("superseded" if m.superseded else "in") for m in layout.marks}


_CSS: Final = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --soft: #f5f6f8;
  --red: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
    "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", "Noto Sans JP",
    "IPAexGothic", "IPAPGothic", "IPAGothic", sans-serif; }
body.ja { font-family: "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP",
    "Noto Sans JP", "IPAexGothic", "IPAPGothic", "IPAGothic", system-ui,
    "DejaVu Sans", sans-serif; }
header { padding: 18px 24px 4px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.muted { color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 10px 28px; align-items: center;
  padding: 10px 24px; position: sticky; top: 0; background: rgba(255,255,255,.96);
  border-bottom: 1px solid var(--line); z-index: 2; }
.controls fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 16px; }
.controls legend { font-weight: 600; float: left; margin-right: 10px; }
.slider { display: flex; align-items: center; gap: 10px; flex: 1 1 420px; }
.slider input { flex: 1; accent-color: var(--red); }
#day-text { font-weight: 700; font-variant-numeric: tabular-nums; color: var(--red);
  min-width: 7.5em; }
.key { display: flex; gap: 16px; font-size: 12px; color: var(--muted); }
.key span::before { content: ""; display: inline-block; width: 18px; height: 10px;
  margin-right: 5px; vertical-align: middle; border: 1px solid #4b5563;
  background: #4b5563; }
.key .k-pending::before { opacity: .42; border-style: dashed; }
.key .k-later::before { opacity: .13; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 390px; gap: 18px;
  padding: 12px 24px; align-items: start; }
.chart svg { width: 100%; height: auto; display: block; }
.st-pending { opacity: .42; }
.st-pending path { stroke-dasharray: 3 2 !important; }
.st-later { opacity: .13; }
.hl { filter: drop-shadow(0 0 2.5px #111); opacity: 1 !important; }
aside { position: sticky; top: 70px; border: 1px solid var(--line);
  border-radius: 8px; padding: 12px 14px; font-size: 12.5px; background: #fff;
  max-height: calc(100vh - 84px); overflow: auto; }
aside table { border-collapse: collapse; width: 100%; }
aside th, aside td { text-align: left; vertical-align: top; padding: 5px 4px;
  border-top: 1px solid var(--line); }
aside thead th { border-top: 0; color: var(--muted); font-weight: 600; }
aside tbody th { width: 7.5em; font-weight: 600; }
td.possible { color: #92400e; }
td.same { color: var(--muted); font-style: italic; }
#pending li { margin: 2px 0; }
#events { padding: 8px 24px 32px; }
#events table { border-collapse: collapse; width: 100%; font-size: 13px; }
#events th, #events td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-top: 1px solid var(--line); }
#events thead th { background: var(--soft); }
#events td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
#events tr.superseded td { color: var(--muted); }
#events tr.superseded .summary { text-decoration: line-through; }
#events .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace;
  font-size: 11px; color: var(--muted); }
.note { font-size: 12px; color: #92400e; }
footer { padding: 0 24px 24px; font-size: 12px; color: var(--muted); }
@media (max-width: 1100px) { main { grid-template-columns: 1fr; }
  aside { position: static; max-height: none; } }
"""

_JS: Final = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var EPOCH = 719163;  // 1970-01-01 as a day number (proleptic ordinal)
  var slider = document.getElementById("day");
  var radios = document.querySelectorAll('input[name="view"]');

  function iso(n) {
    return new Date((n - EPOCH) * 86400000).toISOString().slice(0, 10);
  }
  function currentView() {
    for (var i = 0; i < radios.length; i++) {
      if (radios[i].checked) { return radios[i].value; }
    }
    return "current";
  }
  function stateAt(view, n) {
    var days = data.views[view].days, lo = 0, hi = days.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (days[mid] <= n) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return data.states[data.views[view].states[found]];
  }
  function statusOf(ev, n) {
    if (ev.hi !== null && ev.hi <= n) { return "certain"; }
    if (ev.lo === null || ev.lo <= n) { return "pending"; }
    return "later";
  }
  function setStatus(el, status) {
    if (!el) { return; }
    el.classList.remove("st-certain", "st-pending", "st-later");
    el.classList.add("st-" + status);
  }

  function showState(view, n) {
    var s = stateAt(view, n);
    document.getElementById("state-day").textContent = iso(n);
    data.facets.forEach(function (facet) {
      var row = document.getElementById("facet-" + facet);
      row.querySelector(".certain").textContent = s.certain[facet];
      var cell = row.querySelector(".possible");
      var text = s.possible[facet];
      cell.textContent = text === null ? data.words.same : text;
      cell.classList.toggle("same", text === null);
    });
    var list = document.getElementById("pending");
    list.textContent = "";
    s.pending.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p[1] + " — " + p[2] + " ";
      var id = document.createElement("span");
      id.className = "id";
      id.textContent = p[0];
      li.appendChild(id);
      list.appendChild(li);
    });
    if (!s.pending.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = data.words.none;
      list.appendChild(none);
    }
    document.getElementById("pending-count").textContent = String(s.pending.length);
  }

  function showChart(view, n) {
    var box = data.views[view].box;
    var x = box.x0 + (n + 1 - box.d0) / (box.d1 - box.d0) * (box.x1 - box.x0);
    var line = document.getElementById(view + "-asof-line");
    line.setAttribute("x1", x);
    line.setAttribute("x2", x);
    var label = document.getElementById(view + "-asof-text");
    label.setAttribute("x", x);
    label.textContent = iso(n);
    Object.keys(data.events).forEach(function (id) {
      var status = statusOf(data.events[id], n);
      setStatus(document.getElementById(view + "-event-" + id), status);
      setStatus(document.getElementById(view + "-label-" + id), status);
      setStatus(document.getElementById(view + "-bound-" + id), status);
    });
  }

  function update() {
    var n = parseInt(slider.value, 10);
    var view = currentView();
    document.getElementById("day-text").textContent = iso(n);
    slider.setAttribute("aria-valuetext", iso(n));
    showState(view, n);
    showChart(view, n);
    document.body.setAttribute("data-day", iso(n));
  }

  function switchView() {
    var view = currentView();
    document.querySelectorAll(".chart").forEach(function (el) {
      el.hidden = el.getAttribute("data-view") !== view;
    });
    document.querySelectorAll("#events tbody tr").forEach(function (row) {
      var member = row.getAttribute("data-" + view);
      row.hidden = !member;
      row.classList.toggle("superseded", member === "superseded");
    });
    document.getElementById("record").textContent = data.views[view].label;
    document.body.setAttribute("data-view", view);
    update();
  }

  // The as-of line, tooltips and highlighting on each chart.
  VIEWS.forEach(function (view) {
    var holder = document.querySelector('.chart[data-view="' + view + '"]');
    var svg = holder.querySelector("svg");
    var box = data.views[view].box;
    var line = document.createElementNS(SVGNS, "line");
    line.setAttribute("id", view + "-asof-line");
    line.setAttribute("y1", box.y0 - 19);
    line.setAttribute("y2", box.y1);
    line.setAttribute("stroke", "#dc2626");
    line.setAttribute("stroke-width", "1.4");
    line.setAttribute("stroke-dasharray", "5 2.5");
    svg.appendChild(line);
    var text = document.createElementNS(SVGNS, "text");
    text.setAttribute("id", view + "-asof-text");
    text.setAttribute("y", box.y0 - 22);
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("font-size", "10");
    text.setAttribute("font-weight", "700");
    text.setAttribute("fill", "#dc2626");
    svg.appendChild(text);
    Object.keys(data.events).forEach(function (id) {
      var mark = document.getElementById(view + "-event-" + id);
      if (!mark) { return; }
      var ev = data.events[id];
      var title = document.createElementNS(SVGNS, "title");
      title.textContent = ev.date + " — " + ev.label + "\\n" + ev.summary;
      mark.appendChild(title);
    });
  });
  document.querySelectorAll("#events tbody tr").forEach(function (row) {
    function mark() {
      var id = row.getAttribute("data-id");
      return document.getElementById(currentView() + "-event-" + id);
    }
    row.addEventListener("mouseenter", function () {
      var m = mark(); if (m) { m.classList.add("hl"); }
    });
    row.addEventListener("mouseleave", function () {
      var m = mark(); if (m) { m.classList.remove("hl"); }
    });
  });

  slider.addEventListener("input", update);
  for (var i = 0; i < radios.length; i++) {
    radios[i].addEventListener("change", switchView);
  }
  switchView();
}());
"""


def render_html(
    log: timeline.Log,
    *,
    as_of: datetime.date | str,
    alt_known_at: datetime.date | str,
    alt_label: str,
    lang: Lang = "en",
    title: str,
    lanes: LaneOf | None = None,
    panel: Panel | None = None,
) -> str:
    """The page, as text.  ``alt_known_at`` is the day of the earlier
    record the switch shows (``alt_label`` names it); ``panel`` the state
    beside the chart (default: the bundled relationship)."""
    panel = bundled_panel(lang) if panel is None else panel
    lane_of = default_lanes(log) if lanes is None else lanes
    chart.require_matplotlib()
    day = as_day(as_of, "as_of")
    alt_day = as_day(alt_known_at, "known_at")
    geometry = chart.DEFAULT_FRAME.geometry(lang)
    known: dict[str, datetime.date | None] = {"current": None, "alt": alt_day}
    labels = {"current": say("current", lang), "alt": alt_label}
    layouts = {
        view: build_layout(
            log,
            as_of=day,
            known_at=known[view],
            lang=lang,
            geometry=geometry,
            lanes=lane_of,
        )
        for view in VIEWS
    }
    first = int(min(layout.x_min for layout in layouts.values()))
    last = int(max(layout.x_max for layout in layouts.values()))
    svgs: dict[str, str] = {}
    boxes: dict[str, dict[str, float]] = {}
    for view, layout in layouts.items():
        frame = chart.frame_for(layout.rows, len(layout.lanes))
        svg = chart.save(
            layout, frame, labels[view], "svg", live=True, subtitle_text=""
        )
        svgs[view] = _prefix_ids(svg.decode("utf-8"), view)
        boxes[view] = chart.plot_box(layout, frame)

    states: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    views: dict[str, Any] = {}
    for view in VIEWS:
        days = _state_days(log, known[view], first, last)
        refs = []
        for n in days:
            state = _state_json(log, n, known[view], lang, panel)
            key = json.dumps(state, sort_keys=True, ensure_ascii=False)
            if key not in index:
                index[key] = len(states)
                states.append(state)
            refs.append(index[key])
        views[view] = {
            "days": days,
            "states": refs,
            "box": boxes[view],
            "label": labels[view],
        }

    member = {view: _membership(layouts[view]) for view in VIEWS}
    shown = sorted(
        {eid for view in VIEWS for eid in member[view]},
        key=lambda eid: (
            log.get(eid).occurred.latest_day or 2**62,
            log.get(eid).occurred.earliest_day or -(2**62),
            log.seq(eid),
        ),
    )
    events: dict[str, Any] = {}
    rows: list[str] = []
    for eid in shown:
        event = log.get(eid)
        date = event.occurred.describe(lang)
        # (an event without a summary says what its payload says)
        summary = (
            event.summary.get(lang)
            if event.summary is not None
            else event_label(event, lang, short=False)
        )
        events[eid] = {
            "lo": event.occurred.earliest_day,
            "hi": event.occurred.latest_day,
            "date": date,
            "label": event_label(event, lang, short=False),
            "summary": summary,
        }
        notes = []
        later = [e.id for e in log.superseded_by(eid)]
        if later:
            notes.append(say("superseded_by", lang, ids=", ".join(later)))
        if event.supersedes:
            notes.append(say("corrects", lang, ids=", ".join(event.supersedes)))
        recorded = say("recorded", lang, day=event.recorded.isoformat())
        note = "".join(f'<div class="note">{_h(n)}</div>' for n in notes)
        attrs = "".join(
            f' data-{view}="{member[view][eid]}"'
            for view in VIEWS
            if eid in member[view]
        )
        rows.append(
            f'<tr data-id="{_h(eid)}"{attrs}>'
            f'<td class="date">{_h(date)}</td>'
            f"<td>{_h(lane_label(lane_of(event), lang))}</td>"
            f'<td><div class="summary">{_h(summary)}</div>'
            f'<div class="id">{_h(eid)} · {_h(recorded)}</div>'
            f"{note}</td>"
            f"<td>{_source_html(event, lang)}</td></tr>"
        )

    found = dict.fromkeys(panel.facets)
    for state in states:
        found.update(dict.fromkeys(state["certain"]))
        found.update(dict.fromkeys(state["possible"]))
    facets = list(found)
    for state in states:  # every facet in every state, for the page's table
        state["certain"] = {f: state["certain"].get(f, "-") for f in facets}
        state["possible"] = {f: state["possible"].get(f) for f in facets}
    data = {
        "facets": facets,
        "views": views,
        "states": states,
        "events": events,
        "words": {"same": say("same", lang), "none": say("none", lang)},
    }
    text = json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":"))
    payload = text.replace("</", "<\\/")
    facet_rows = "".join(
        f'<tr id="facet-{_h(f)}">'
        f"<th>{_h(panel.label(f))}</th>"
        f'<td class="certain"></td><td class="possible"></td></tr>'
        for f in facets
    )
    charts = "".join(
        f'<div class="chart" data-view="{view}"{"" if view == "current" else " hidden"}'
        f">{svgs[view]}</div>"
        for view in VIEWS
    )
    day_number = day.toordinal()
    js = _JS.replace("VIEWS.forEach", f"{json.dumps(list(VIEWS))}.forEach")
    e = _h
    heading = [e(part) for part in say(panel.heading, lang, day="\0").split("\0")]
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>{_CSS}</style>
</head>
<body class="{lang}">
<header>
<h1>{e(title)}</h1>
<p class="muted">{e(say("slider", lang))} {e(say("offline", lang))}</p>
</header>
<div class="controls">
<fieldset id="view"><legend>{e(say("view_h", lang))}</legend>
<label><input type="radio" name="view" value="current" checked>
{e(labels["current"])}</label>
<label><input type="radio" name="view" value="alt"> {e(labels["alt"])}</label>
</fieldset>
<div class="slider"><label for="day">{e(say("day_h", lang))}</label>
<input type="range" id="day" min="{first}" max="{last}" step="1" value="{day_number}">
<output id="day-text" for="day">{day.isoformat()}</output></div>
<div class="key"><span class="k-certain">{e(say("key_certain", lang))}</span>
<span class="k-pending">{e(say("key_pending", lang))}</span>
<span class="k-later">{e(say("key_later", lang))}</span></div>
</div>
<main>
<div id="charts">{charts}</div>
<aside id="state">
<h2>{heading[0]}<span id="state-day"></span>{heading[1]}</h2>
<p class="muted" id="record"></p>
<table><thead><tr><th></th><th>{e(say("certain_h", lang))}</th>
<th>{e(say("possible_h", lang))}</th></tr></thead>
<tbody id="facets">{facet_rows}</tbody></table>
<h3>{e(say("pending_h", lang))} (<span id="pending-count">0</span>)</h3>
<ul id="pending"></ul>
</aside>
</main>
<section id="events">
<h2>{e(say("events_h", lang))}</h2>
<table><thead><tr><th>{e(say("date_h", lang))}</th><th>{e(say("lane_h", lang))}</th>
<th>{e(say("event_h", lang))}</th><th>{e(say("source_h", lang))}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</section>
<script type="application/json" id="timeline-data">{payload}</script>
<script>{js}</script>
</body>
</html>
"""
