"""``timeline render``: the chart (SVG, PNG), the HTML page in a real
browser, the TimelineJS export, and the message without matplotlib.

Tests that need matplotlib (the ``plot`` extra) or Debian's chromium skip
when those are missing, unless CI is set: CI installs both (.ci/run), and
there a missing one fails the test instead of hiding it.
"""

from __future__ import annotations

import datetime
import html.parser
import importlib.util
import io
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import timeline
from _browser import Chromium, Page, find_chromium
from timeline._render.facets import describe
from timeline._render.layout import Shape, Status, build_layout
from timeline._render.timelinejs import timelinejs
from timeline._render.words import Lang
from timeline.cli import main
from timeline.dataset import (
    PROGRAMME_DAY,
    CasualtiesEstimated,
    Relationship,
    open_bundled,
)

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
SVG = "{http://www.w3.org/2000/svg}"


def need(available: bool, reason: str) -> None:
    """Skip without ``available``, except under CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason}; CI installs it (.ci/run), so this must run there")
    pytest.skip(reason)


def need_matplotlib() -> None:
    need(
        importlib.util.find_spec("matplotlib") is not None,
        "matplotlib is not installed (pip install 'timeline-ledger[plot]')",
    )


def need_chromium() -> str:
    exe = find_chromium()
    need(
        exe is not None, "Debian's chromium is not installed (apt-get install chromium)"
    )
    assert exe is not None
    return exe


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def log() -> timeline.Log:
    return open_bundled()


def known_ids(log: timeline.Log, known_at: str | None) -> set[str]:
    """Every event known then: the record and the claims it superseded."""
    count = log.count_known_at(known_at)
    return {log.at(seq).id for seq in range(1, count + 1)}


# -- words and layout: no drawing ------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_export_and_the_page_say_dates_as_describe_does(
    log: timeline.Log, lang: Lang
) -> None:
    """One way to say a date (issue 17 item 5): the TimelineJS export, the
    page's event list and pending list, and the state beside the chart all
    say dates as UncertainDate.describe does."""
    slides = timelinejs(log, lang=lang)["events"]
    assert slides
    for slide in slides:
        occurred = log.get(slide["unique_id"]).occurred
        assert slide["display_date"] == occurred.describe(lang)
    state = log.state(Relationship, as_of="2024-07-01").certain
    assert state.treaty.signed is not None
    assert describe(state, lang)["treaty"].startswith(
        ("signed " if lang == "en" else "署名 ") + state.treaty.signed.describe(lang)
    )
    # a span of days in "since": both ends in describe's words
    troops = describe(log.state(Relationship, as_of="2025-01-01").certain, lang)
    first = log.get("ver-troops-first-shipment-2024-10-08").occurred
    assert first.is_interval
    ends = [
        timeline.parse_edtf(part).describe(lang) for part in first.to_edtf().split("/")
    ]
    assert all(end in troops["troops"] for end in ends)


def test_lanes_follow_the_facets_of_the_relationship(log: timeline.Log) -> None:
    layout = build_layout(log, as_of="2025-07-14")
    assert [lane.label for lane in layout.lanes] == [
        "War",
        "Treaty & summits",
        "Troops & personnel",
        "Arms to Russia",
        "Technology & aid to NK",
        "Joint development",
        "Regional responses",
        "Alignments",
    ]
    lane_of = {mark.id: mark.lane for mark in layout.marks}
    assert lane_of["ver-treaty-signed-2024-06-19"] == "treaty"
    assert lane_of["ver-nis-casualties-2025-01-13"] == "troops"
    assert lane_of["ver-un-panel-veto-2024-03-28"] == "tech_aid"
    assert lane_of["ver-choe-hyon-launched-2025-04-25"] == "joint"
    assert lane_of["prog-russia-turns-to-nk"] == "treaty"  # a party's motive
    assert lane_of["prog-trilateral-bmd-cooperation"] == "responses"
    # Rows never mix lanes, and lanes are stacked in order.
    for mark in layout.marks:
        lane = layout.lane(mark.lane)
        assert lane.first_row <= mark.row < lane.first_row + lane.rows


def test_other_event_types_get_a_lane_each() -> None:
    @timeline.event_type("test_render.launched")
    class Launched(timeline.Event):
        rocket: str

    @timeline.event_type("test_render.landed")
    class Landed(timeline.Event):
        site: str

    log = timeline.Log(
        [
            Launched(id="a", occurred="2024-05", recorded="2025-01-01", rocket="R"),
            Landed(id="b", occurred="2024-06-02", recorded="2025-01-01", site="S"),
            Launched(id="c", occurred="2024/..", recorded="2025-01-01", rocket="Q"),
        ]
    )
    layout = build_layout(log, as_of="2024-06-01")
    # A lane per type, in the order their first events start.
    assert [lane.key for lane in layout.lanes] == [
        "test_render.launched",
        "test_render.landed",
    ]
    assert {m.id: (m.shape, m.status) for m in layout.marks} == {
        "a": (Shape.BAND, Status.CERTAIN),
        "b": (Shape.DAY, Status.LATER),
        "c": (Shape.OPEN_END, Status.PENDING),
    }


@pytest.mark.parametrize(
    ("as_of", "known_at"),
    [("2024-12-15", None), ("2024-12-15", PROGRAMME_DAY), ("2025-06-01", None)],
)
def test_status_of_each_mark_is_what_the_log_says(
    log: timeline.Log, as_of: str, known_at: str | None
) -> None:
    layout = build_layout(log, as_of=as_of, known_at=known_at)
    answer = log.state(Relationship, as_of=as_of, known_at=known_at)
    record = [m for m in layout.marks if not m.superseded]
    assert {m.id for m in record} == {e.id for e in log.timeline(known_at)}
    pending = {m.id for m in record if m.status is Status.PENDING}
    assert pending == {e.id for e in answer.pending}
    assert {m.id for m in layout.marks} == known_ids(log, known_at)


def test_shapes_show_the_precision(log: timeline.Log) -> None:
    layout = build_layout(log, as_of="2025-07-14")
    shape = {m.id: m.shape for m in layout.marks}
    assert shape["ver-treaty-signed-2024-06-19"] is Shape.DAY
    assert shape["prog-treaty-signed"] is Shape.BAND  # 2024-06
    assert shape["prog-troops-deployed-2025"] is Shape.BAND  # 2025
    assert shape["ver-troops-first-shipment-2024-10-08"] is Shape.BAND  # an interval
    assert shape["prog-russia-turns-to-nk"] is Shape.OPEN_START  # ../2025-07-14
    # the bundled record has no approximate (~) date left: one of its own
    approx = CasualtiesEstimated(
        id="approx",
        occurred=timeline.parse_edtf("2025-04-01~"),
        recorded=datetime.date(2025, 7, 14),
        force="KP-in-RU",
    )
    fuzzy = build_layout(timeline.Log([approx]), as_of="2025-07-14").mark("approx")
    assert fuzzy.fuzzy is not None  # 2025-04-01~: whiskers


def test_superseded_claims_sit_beside_their_correction(log: timeline.Log) -> None:
    layout = build_layout(log, as_of="2025-07-14")
    claims = [m for m in layout.marks if m.superseded]
    assert {m.id for m in claims} == {e.id for e in log if log.superseded_by(e.id)}
    for claim in claims:
        corrections = [layout.mark(i) for i in claim.corrections]
        assert corrections, claim.id
        nearest = min(abs(claim.row - c.row) for c in corrections)
        same_lane = any(c.lane == claim.lane for c in corrections)
        if same_lane:
            assert nearest <= 2, (claim.id, claim.row, [c.row for c in corrections])
    # In the programme's picture nothing was corrected yet.
    then = build_layout(log, as_of="2025-07-14", known_at=PROGRAMME_DAY)
    assert not any(m.superseded for m in then.marks)


# -- TimelineJS -------------------------------------------------------------


def test_timelinejs_export(
    log: timeline.Log, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "timeline.json"
    status, said, _ = run(capsys, "render", "--format", "timelinejs", "-o", str(out))
    assert status == 0
    assert "wrote" in said
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"title", "events", "scale"}
    assert data["title"]["text"]["headline"]
    slides = data["events"]
    assert [s["unique_id"] for s in slides] == [e.id for e in log.timeline()]
    for slide in slides:
        assert set(slide) <= {
            "unique_id",
            "start_date",
            "end_date",
            "display_date",
            "text",
            "group",
        }
        assert "media" not in slide
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["start_date"]) <= {"year", "month", "day"}
        assert slide["text"]["headline"]
        assert slide["text"]["text"].startswith("<p>")
        assert slide["display_date"]
    by_id = {s["unique_id"]: s for s in slides}
    troops = by_id["ver-troops-first-shipment-2024-10-08"]
    assert troops["display_date"] == "from 8 October 2024 to 13 October 2024"
    assert troops["start_date"] == {"year": 2024, "month": 10, "day": 8}
    assert troops["end_date"] == {"year": 2024, "month": 10, "day": 13}
    assert "Corrects the earlier claim" in troops["text"]["text"]
    assert 'href="http' in troops["text"]["text"]
    # every programme claim is superseded in the current record: the
    # programme's open-start dates are in the broadcast's view
    assert "prog-russia-turns-to-nk" not in by_id


def test_timelinejs_of_the_programme_in_japanese_to_stdout(
    log: timeline.Log, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "render",
        "--format",
        "timelinejs",
        "--known-at",
        PROGRAMME_DAY,
        "--lang",
        "ja",
        "-o",
        "-",
    )
    assert status == 0
    slides = json.loads(out)["events"]
    assert len(slides) == len(log.timeline(PROGRAMME_DAY)) == 21
    in_force = next(s for s in slides if s["unique_id"] == "prog-treaty-in-force")
    assert in_force["display_date"] == "2024年12月"
    assert in_force["start_date"] == {"year": 2024, "month": 12}
    assert in_force["group"] == "条約・首脳会談"


# -- the command line without matplotlib, and bad input ----------------------


def test_without_matplotlib_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    for name in ("chart.svg", "chart.png", "page.html"):
        status, out, err = run(capsys, "render", "-o", str(tmp_path / name))
        assert status == 2
        assert out == ""
        assert err.count("\n") == 1, err
        assert "pip install 'timeline-ledger[plot]'" in err
        assert not (tmp_path / name).exists()
    # The TimelineJS export needs no plotting library.
    status, _, _ = run(capsys, "render", "-o", str(tmp_path / "t.json"))
    assert status == 0


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["-o", "chart.gif"], "expected a file name ending in .svg, .png or .html"),
        (
            ["--as-of", "2024-13-01", "--format", "timelinejs", "-o", "-"],
            "invalid date",
        ),
        (
            ["--as-of", "2024-06/..", "--format", "timelinejs", "-o", "-"],
            "--as-of '2024-06/..': expected a day",
        ),
        (["--log", "missing.jsonl", "-o", "x.json"], "no log file"),
        (["-o", "-", "--format", "png"], "standard output"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    argv: list[str],
    words: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "render", *argv)
    assert status == 2
    assert err.count("\n") == 1, err
    assert words in err


# -- the chart: SVG and PNG --------------------------------------------------


@pytest.fixture(scope="module")
def svg_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_matplotlib()
    out = tmp_path_factory.mktemp("svg") / "timeline.svg"
    assert main(["render", "--as-of", "2025-07-14", "-o", str(out)]) == 0
    return out


def test_svg_parses_with_one_mark_per_event(log: timeline.Log, svg_file: Path) -> None:
    root = ET.parse(svg_file).getroot()
    assert root.tag == f"{SVG}svg"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    marks = [i for i in ids if i.startswith("event-")]
    assert sorted(marks) == sorted(f"event-{i}" for i in known_ids(log, None))
    assert len(marks) == len(log)
    for mark in marks:  # each mark draws something
        group = root.find(f".//{SVG}g[@id='{mark}']")
        assert group is not None
        assert list(group.iter(f"{SVG}path")) or list(group.iter(f"{SVG}use")), mark
    assert "as-of" in ids
    assert sum(1 for i in ids if i.startswith("label-")) == len(log)
    assert sum(1 for i in ids if i.startswith("lane-")) == 8


def test_svg_of_the_programme_has_its_21_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_matplotlib()
    out = tmp_path / "programme.svg"
    status, _, _ = run(
        capsys,
        "render",
        "--as-of",
        "2024-12-15",
        "--known-at",
        PROGRAMME_DAY,
        "-o",
        str(out),
    )
    assert status == 0
    root = ET.parse(out).getroot()
    marks = [
        el.get("id") for el in root.iter() if (el.get("id") or "").startswith("event-")
    ]
    assert len(marks) == 21


def image(data: bytes) -> Any:
    from PIL import Image

    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture.convert("RGB")


def assert_has_content(picture: Any, min_colours: int, min_ink: float) -> None:
    """Not blank: many colours, and a fair share of pixels that are not the
    background (the most common colour)."""
    colours = picture.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) >= min_colours, len(colours)
    background = max(colours)[0]
    total = picture.width * picture.height
    assert 1 - background / total >= min_ink, 1 - background / total


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_png_has_the_expected_size_and_is_not_blank(
    log: timeline.Log, lang: str, tmp_path: Path
) -> None:
    need_matplotlib()
    from timeline._render import chart

    out = tmp_path / f"timeline-{lang}.png"
    # Warnings are errors here: a glyph missing from the fonts would fail.
    assert (
        main(["render", "--as-of", "2025-07-14", "--lang", lang, "-o", str(out)]) == 0
    )
    layout = build_layout(
        log,
        as_of="2025-07-14",
        lang=lang,
        geometry=chart.DEFAULT_FRAME.geometry(lang),
    )
    expected = chart.frame_of(layout).pixels
    picture = image(out.read_bytes())
    assert picture.size == expected
    assert picture.width == 1500
    assert 900 <= picture.height <= 2400
    assert_has_content(picture, min_colours=200, min_ink=0.08)
    # The as-of line is drawn in red.
    import numpy as np

    pixels = np.asarray(picture).reshape(-1, 3)
    assert ((pixels == (220, 38, 38)).all(axis=1)).sum() > 500


def test_japanese_font_is_found() -> None:
    need_matplotlib()
    from timeline._render.fonts import families, japanese_font

    assert japanese_font() is not None
    assert families("ja")[0] == japanese_font()


def test_readme_png_is_the_commands_output_size(log: timeline.Log) -> None:
    need_matplotlib()
    from timeline._render import chart

    committed = image((ROOT / "docs" / "images" / "timeline.png").read_bytes())
    layout = build_layout(
        log, as_of="2025-07-14", geometry=chart.DEFAULT_FRAME.geometry("en")
    )
    expected = chart.frame_of(layout).pixels
    assert committed.size == expected, (
        "docs/images/timeline.png is out of date: run "
        "timeline render --as-of 2025-07-14 -o docs/images/timeline.png"
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "timeline render --as-of 2025-07-14 -o docs/images/timeline.png" in readme
    assert "](docs/images/timeline.png)" in readme


# -- the HTML page, in a real browser ------------------------------------------


class _Resources(html.parser.HTMLParser):
    """Every URL the page would load (not the links a reader may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if tag == "a" and name == "href":
                self.links.append(value)
            elif name in ("src", "href", "xlink:href", "srcset", "data", "poster"):
                self.loads.append(value)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_matplotlib()
    out = tmp_path_factory.mktemp("html") / "timeline.html"
    assert main(["render", "--as-of", "2025-07-14", "-o", str(out)]) == 0
    return out


def test_page_is_self_contained(page_file: Path) -> None:
    text = page_file.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    external = [u for u in parser.loads if not u.startswith("#")]
    assert external == []
    assert "@import" not in text
    assert "url(http" not in text
    assert len(parser.links) >= 60  # the sources, linked
    assert all(u.startswith("http") for u in parser.links)
    assert text.count("<svg") == 2  # the chart of each record


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    exe = need_chromium()
    with Chromium.start(tmp_path / "profile", exe) as chromium:
        yield chromium


def move_slider(page: Page, day: str) -> None:
    number = timeline.parse_edtf(day).earliest_day
    page.evaluate(
        f"(() => {{ const s = document.getElementById('day'); s.value = '{number}';"
        " s.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )
    assert page.evaluate("document.getElementById('day-text').textContent") == day


def facet(page: Page, name: str, column: str) -> str:
    text: str = page.evaluate(
        f"document.querySelector('#facet-{name} .{column}').textContent"
    )
    return text


def mark_class(page: Page, view: str, event_id: str) -> str:
    value: str = page.evaluate(
        f"document.getElementById('{view}-event-{event_id}').getAttribute('class')"
    )
    return value


def test_page_in_chromium_slider_and_switch(
    browser: Chromium, page_file: Path, tmp_path: Path
) -> None:
    page = browser.open(page_file.as_uri(), width=1400, height=1000)
    assert page.evaluate("document.title").startswith("North Korea–Russia")
    # The page loaded nothing but itself.
    assert page.requested_urls() == [page_file.as_uri()]

    # It opens on the as-of day, with the current record.
    assert (
        page.evaluate("document.getElementById('day-text').textContent") == "2025-07-14"
    )
    assert "in force 4 December 2024" in facet(page, "treaty", "certain")
    assert facet(page, "stage", "certain").startswith("co-belligerence")
    assert mark_class(page, "current", "ver-treaty-in-force-2024-12-04") == "st-certain"
    line_x = page.evaluate(
        "document.getElementById('current-asof-line').getAttribute('x1')"
    )

    # Move the slider: the state shown beside the chart changes with it.
    move_slider(page, "2024-01-01")
    assert facet(page, "treaty", "certain") == "none signed"
    assert facet(page, "stage", "certain") == "arms trade"
    assert mark_class(page, "current", "ver-treaty-in-force-2024-12-04") == "st-later"
    assert (
        page.evaluate("document.getElementById('current-asof-line').getAttribute('x1')")
        != line_x
    )

    move_slider(page, "2024-07-01")
    assert facet(page, "treaty", "certain").startswith(
        "signed 19 June 2024, not in force"
    )
    assert facet(page, "troops", "certain") == "no troops deployed"

    move_slider(page, "2024-10-10")  # the troops' arrival is dated 8–13 October
    assert facet(page, "troops", "certain") == "no troops deployed"
    assert facet(page, "troops", "possible").startswith(
        "troops since between 8 October 2024 and 13 October 2024"
    )
    assert (
        mark_class(page, "current", "ver-troops-first-shipment-2024-10-08")
        == "st-pending"
    )
    assert "ver-troops-first-shipment-2024-10-08" in page.evaluate(
        "document.getElementById('pending').textContent"
    )

    # Switch to the programme's picture: in December 2024 the treaty's entry
    # into force (dated only "2024-12") is pending.
    move_slider(page, "2024-12-15")
    assert "in force 4 December 2024" in facet(page, "treaty", "certain")
    page.evaluate("document.querySelector('input[value=alt]').click()")
    assert page.evaluate("document.body.getAttribute('data-view')") == "alt"
    assert (
        page.evaluate("document.querySelector('.chart[data-view=alt]').hidden") is False
    )
    assert (
        page.evaluate("document.querySelector('.chart[data-view=current]').hidden")
        is True
    )
    assert facet(page, "treaty", "certain").startswith("signed June 2024, not in force")
    assert "in force December 2024" in facet(page, "treaty", "possible")
    assert mark_class(page, "alt", "prog-treaty-in-force") == "st-pending"
    assert (
        int(page.evaluate("document.getElementById('pending-count').textContent")) == 15
    )

    # The event list follows the switch: 21 claims, none superseded yet.
    shown_rows = (
        "Array.from(document.querySelectorAll('#events tbody tr'))"
        ".filter(r => !r.hidden).length"
    )
    assert page.evaluate(shown_rows) == 21
    page.evaluate("document.querySelector('input[value=current]').click()")
    assert page.evaluate(shown_rows) == len(open_bundled())
    struck = page.evaluate("document.querySelectorAll('#events tr.superseded').length")
    assert struck == 21

    assert page.console_errors() == []
    shot = page.screenshot()
    (tmp_path / "page.png").write_bytes(shot)
    picture = image(shot)
    assert picture.size == (1400, 1000)
    assert_has_content(picture, min_colours=150, min_ink=0.05)
    # Only the page itself was ever loaded.
    assert page.requested_urls() == [page_file.as_uri()]


def test_page_in_japanese(
    browser: Chromium, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_matplotlib()
    out = tmp_path / "ja.html"
    status, _, _ = run(
        capsys, "render", "--as-of", "2024-07-01", "--lang", "ja", "-o", str(out)
    )
    assert status == 0
    page = browser.open(out.as_uri(), width=1200, height=900)
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert facet(page, "treaty", "certain").startswith("署名 2024年6月19日")
    move_slider(page, "2025-01-01")
    assert "発効 2024年12月4日" in facet(page, "treaty", "certain")
    assert page.console_errors() == []
    assert_has_content(image(page.screenshot()), min_colours=100, min_ink=0.04)


# -- another log of the bundled timeline's event types -------------------------


def test_render_another_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from timeline.dataset import TreatyInForce, TreatySigned

    path = tmp_path / "mine.jsonl"
    # (recorded in the future: a log refuses that unless it has no clock)
    with timeline.open_log(path, clock=None) as mine:
        mine.append(
            TreatySigned(
                id="signed",
                occurred="2030-05",
                recorded="2031-01-01",
                treaty="t",
                parties=("KP", "RU"),
                mutual_defense=False,
            ),
            TreatyInForce(
                id="in-force", occurred="2030/..", recorded="2031-01-01", treaty="t"
            ),
        )
        mine.append(
            TreatySigned(
                id="signed-exactly",
                occurred="2030-05-02",
                recorded="2031-02-01",
                treaty="t",
                parties=("KP", "RU"),
                mutual_defense=False,
                supersedes=("signed",),
            )
        )
    status, out, _ = run(
        capsys, "render", "--log", str(path), "-o", "-", "--format", "timelinejs"
    )
    assert status == 0
    data = json.loads(out)
    assert data["title"]["text"]["headline"] == "Timeline of mine.jsonl"
    assert [s["unique_id"] for s in data["events"]] == ["signed-exactly", "in-force"]
    assert data["events"][1]["display_date"] == "after 2030"

    need_matplotlib()
    svg = tmp_path / "mine.svg"
    assert run(capsys, "render", "--log", str(path), "-o", str(svg))[0] == 0
    root = ET.parse(svg).getroot()
    marks = {
        el.get("id") for el in root.iter() if (el.get("id") or "").startswith("event-")
    }
    assert marks == {"event-signed", "event-signed-exactly", "event-in-force"}
    page = tmp_path / "mine.html"
    assert run(capsys, "render", "--log", str(path), "-o", str(page))[0] == 0
    text = page.read_text(encoding="utf-8")
    assert "as known on 2031-01-01" in text  # the switch shows the first record
    assert text.count("<svg") == 2


# -- the layout's promises, measured on the drawn figure ----------------------------


def _drawn(
    log: timeline.Log, as_of: str, known_at: str | None, lang: str = "en"
) -> tuple[Any, Any, Any, Any]:
    """The bundled chart drawn: the figure, its renderer, the chart's axes
    and the layout."""
    need_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from timeline._render import chart

    geometry = chart.DEFAULT_FRAME.geometry(lang)  # type: ignore[arg-type]
    layout = build_layout(
        log,
        as_of=as_of,
        known_at=known_at,
        lang=lang,  # type: ignore[arg-type]
        geometry=geometry,
    )
    with chart._style(layout.lang):
        figure = chart.draw(layout, chart.frame_of(layout), "title", "subtitle")
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    (ax,) = [a for a in figure.axes if a.get_gid() == "chart"]
    return figure, canvas.get_renderer(), ax, layout


def _drawn_labels(
    log: timeline.Log, as_of: str, known_at: str | None, lang: str = "en"
) -> tuple[dict[str, Any], float, Any]:
    """The bundled chart drawn: each label's box in pixels, the as-of line's
    x in pixels, and the layout."""
    _, renderer, ax, layout = _drawn(log, as_of, known_at, lang)
    boxes = {
        text.get_gid(): text.get_window_extent(renderer)
        for text in ax.texts
        if (text.get_gid() or "").startswith("label-")
    }
    line_x = ax.transData.transform((layout.as_of.toordinal() + 1.0, 0))[0]
    return boxes, float(line_x), layout


@pytest.mark.parametrize(
    ("as_of", "known_at"),
    [("2025-07-14", None), ("2024-12-15", PROGRAMME_DAY), ("2024-12-15", None)],
)
def test_labels_overlap_neither_each_other_nor_the_as_of_line(
    log: timeline.Log, as_of: str, known_at: str | None
) -> None:
    boxes, line_x, layout = _drawn_labels(log, as_of, known_at)
    assert len(boxes) == len(layout.marks)
    crossing = [gid for gid, box in boxes.items() if box.x0 - 1 < line_x < box.x1 + 1]
    assert crossing == []
    items = sorted(boxes.items())
    overlapping = [
        (a, b)
        for i, (a, box_a) in enumerate(items)
        for b, box_b in items[i + 1 :]
        if box_a.overlaps(box_b)
    ]
    assert overlapping == []
    # Two labels in one row are apart by more than a space's width.
    for i, (a, box_a) in enumerate(items):
        for b, box_b in items[i + 1 :]:
            if abs(box_a.y0 - box_b.y0) < 1:
                assert box_a.x1 + 6 <= box_b.x0 or box_b.x1 + 6 <= box_a.x0, (a, b)


def test_labels_are_cut_at_a_word_not_inside_one(log: timeline.Log) -> None:
    layout = build_layout(log, as_of="2025-07-14")
    cut = [m.label for m in layout.marks if m.label.endswith("…")]
    for label in cut:
        whole = next(
            w
            for w in (
                timeline._render.words.event_label(m.event, "en", short=False)  # type: ignore[attr-defined]
                for m in layout.marks
                if m.label == label
            )
        )
        kept = label.removesuffix("…")
        assert whole.startswith(kept)
        assert whole[len(kept)] in " ,;:&", (label, whole)


def test_a_pending_open_start_reaches_back_across_the_as_of_line(
    log: timeline.Log,
) -> None:
    """../2025-07-14 at as-of 2024-12-15 "may already have happened": its
    bar straddles the as-of line, it does not lie wholly after it."""
    layout = build_layout(log, as_of="2024-12-15", known_at=PROGRAMME_DAY)
    line = layout.as_of.toordinal() + 1.0
    opens = [m for m in layout.marks if m.shape is Shape.OPEN_START]
    assert opens
    for mark in opens:
        if mark.status is Status.PENDING:
            assert mark.start < line < mark.end, mark.id


def _end_of(text: str, who: str, lang: str) -> timeline.UncertainDate:
    """The date written after ``who`` in a range line ("NIS, 30 Apr 2025")."""
    sep = "、" if lang == "ja" else ", "
    assert who + sep in text, (who, text)
    rest = text.split(who + sep, 1)[1]
    for stop in (")", "）", ";", "；"):
        rest = rest.split(stop, 1)[0]
    return timeline.parse_date(rest)


@pytest.mark.parametrize(
    ("as_of", "known_at", "lang"),
    [
        ("2025-07-14", None, "en"),
        ("2025-07-14", None, "ja"),
        ("2025-07-14", PROGRAMME_DAY, "en"),
        ("2025-01-15", None, "ja"),
        ("2022-06-01", None, "en"),
    ],
)
def test_the_chart_shows_each_measures_range_with_author_and_date_of_each_end(
    log: timeline.Log, as_of: str, known_at: str | None, lang: str
) -> None:
    """Issue 14 item 4: under the plot, one line per estimate measure of the
    state on the as-of day, giving the authors' range and, at each end, the
    author and the date of the figure; the lines overlap neither each other
    nor the chart's labels, and stay out of the plot."""
    from timeline._render.facets import author
    from timeline.dataset._figures import spreads

    figure, renderer, ax, layout = _drawn(log, as_of, known_at, lang)
    state = log.state(Relationship, as_of=as_of, known_at=known_at).certain
    figures = [
        *state.troops.estimates,
        *state.casualties,
        *state.arms.estimates,
        *state.aid.estimates,
        *(f for p in state.other_personnel for f in p.estimates),
    ]
    expected = spreads(figures)
    drawn = {
        text.get_gid(): text
        for text in figure.texts
        if (text.get_gid() or "").startswith("range")
    }
    if not expected:  # no estimate yet: no block, and no room kept for one
        assert drawn == {}
        assert layout.range_rows == 0
        return
    assert drawn.pop("ranges-title").get_text()
    assert sorted(drawn) == sorted(f"range-{s.measure}" for s in expected)
    ranged = 0
    for spread in expected:
        text = drawn[f"range-{spread.measure}"].get_text()
        ends = (
            {spread.low, spread.high}
            if spread.low_value != spread.high_value
            else set(spread.figures)
        )
        for end in ends:
            assert _end_of(text, author(end.estimate.by, lang), lang) == end.date
        if spread.low_value != spread.high_value:
            ranged += 1
            assert text.count("～" if lang == "ja" else " – ") >= 1, text
    if as_of == "2025-07-14" and known_at is None:
        assert ranged >= 3  # troops sent, casualties, containers at least
    boxes = {gid: t.get_window_extent(renderer) for gid, t in drawn.items()}
    labels = [
        t.get_window_extent(renderer)
        for t in ax.texts
        if (t.get_gid() or "").startswith("label-")
    ]
    plot = ax.get_tightbbox(renderer)  # the plot with its tick labels
    items = sorted(boxes.items())
    for i, (a, box) in enumerate(items):
        assert box.y1 < plot.y0, a  # below the plot (pixels count upwards)
        assert box.x0 >= 0, a
        assert box.x1 <= figure.bbox.width, a
        assert not any(box.overlaps(label) for label in labels), a
        for b, other in items[i + 1 :]:
            assert not box.overlaps(other), (a, b)
