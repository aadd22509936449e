"""Your own timeline, end to end: a family brewery, 1850–1990
(tests/brewery/brewery.py: four event types and a projection the package
does not ship), through the installed ``timeline`` command, run in a folder
of its own as a user would: ``--import brewery`` finds the module there,
with no PYTHONPATH.  The same steps on a JSON Lines and a SQLite log.

In-process runs (``main``) check the details; each command also runs once
through the console script.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import timeline
from timeline.cli import main

BREWERY = Path(__file__).parent / "brewery"


def load_brewery() -> ModuleType:
    """The example module, imported as ``brewery`` in this process (the
    commands run in-process then find it in sys.modules)."""
    if "brewery" in sys.modules:
        return sys.modules["brewery"]
    spec = importlib.util.spec_from_file_location("brewery", BREWERY / "brewery.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["brewery"] = module
    spec.loader.exec_module(module)
    return module


def chronicle(b: ModuleType) -> list[timeline.Event]:
    """The brewery's history: the family chronicle (recorded 1995) and a
    correction from the city archive (recorded 2010)."""
    chron = timeline.Source(
        title="Huber family chronicle", publisher="self-published", published="1995"
    )
    archive = timeline.Source(
        title="Bamberg city archive, trade register",
        url="https://example.org/archive/1885",
        confidence="high",
    )
    day, later = "1995-03-01", "2010-06-01"
    return [
        b.Founded(
            id="founded",
            occurred="1850",
            recorded=day,
            name="Brauerei Huber",
            founder="Josef Huber",
            town="Bamberg",
            tags=("generation-1",),
            summary="Josef Huber founds the brewery in Bamberg.",
            source=chron,
        ),
        b.BeerIntroduced(
            id="helles",
            occurred="about 1856",
            recorded=day,
            beer="Helles",
            style=b.Style.LAGER,
            strength=4.9,
            tags=("generation-1",),
        ),
        b.BeerIntroduced(
            id="dunkel",
            occurred="186X",
            recorded=day,
            beer="Dunkel",
            style=b.Style.DARK,
            tags=("generation-1",),
        ),
        b.OwnerChanged(
            id="maria",
            occurred="between 1884 and 1886",
            recorded=day,
            owner="Maria Huber",
            how=b.How.INHERITED,
            tags=("generation-2",),
            summary="Maria Huber takes over from her father.",
            source=chron,
        ),
        b.OutputMeasured(
            id="output-1900",
            occurred="1900",
            recorded=day,
            year=1900,
            hectolitres=12000,
            tags=("generation-2",),
        ),
        b.OwnerChanged(
            id="karl",
            occurred="before 1914",
            recorded=day,
            owner="Karl Huber",
            how=b.How.INHERITED,
            tags=("generation-3",),
        ),
        b.BeerIntroduced(
            id="weizen",
            occurred="1948-22",
            recorded=day,
            beer="Weizen",
            style=b.Style.WHEAT,
            strength=5.2,
            tags=("generation-3",),
        ),
        b.OutputMeasured(
            id="output-1950",
            occurred="1950",
            recorded=day,
            year=1950,
            hectolitres=30000,
            tags=("generation-3",),
        ),
        b.OwnerChanged(
            id="sold",
            occurred="1972-05",
            recorded=day,
            owner="Frankenbräu AG",
            how=b.How.BOUGHT,
            summary="The family sells the brewery.",
        ),
        b.BeerIntroduced(
            id="bock", occurred="1975/..", recorded=day, beer="Bock", style=b.Style.BOCK
        ),
        b.OwnerChanged(
            id="maria-1885",
            occurred="1885-04-02",
            recorded=later,
            owner="Maria Huber",
            how=b.How.INHERITED,
            supersedes=("maria",),
            tags=("generation-2",),
            summary="The trade register dates Maria Huber's takeover to 2 April 1885.",
            source=archive,
        ),
    ]


@pytest.fixture(scope="module")
def brewery() -> ModuleType:
    return load_brewery()


@pytest.fixture(params=["jsonl", "sqlite"])
def folder(
    request: pytest.FixtureRequest,
    brewery: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A user's folder: brewery.py and the log ``history.<suffix>``, as the
    current folder."""
    shutil.copy(BREWERY / "brewery.py", tmp_path / "brewery.py")
    log = tmp_path / f"history.{request.param}"
    with timeline.open_log(log) as opened:
        opened.append(*chronicle(brewery))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def log_of(folder: Path) -> Path:
    (found,) = [p for p in folder.iterdir() if p.stem == "history"]
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def console(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, in ``folder``, without PYTHONPATH."""
    script = Path(sys.executable).with_name("timeline")
    assert script.exists(), f"no console script next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(script), *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        env=env,
        timeout=120,
    )


MINE = ("--import", "brewery", "--projection", "brewery:history")


# -- state: the console script, text ------------------------------------------


def test_state_through_the_console_script(folder: Path) -> None:
    done = console(
        folder, "state", "--log", log_of(folder).name, *MINE, "--as-of", "1905"
    )
    assert (done.returncode, done.stderr) == (0, "")
    out = done.stdout
    assert out.startswith("The brewery as of 1905-12-31\n")
    assert "record: current (10 events counted; 1 superseded by corrections)" in out
    certain = out.split("Certain (happened by the end of 1905-12-31):\n", 1)[1]
    certain = certain.split("\n\n", 1)[0].splitlines()
    assert certain == [
        "  name: Brauerei Huber",
        "  town: Bamberg",
        "  founded: 1850",
        "  owner: Maria Huber",
        "  owners: Josef Huber, Maria Huber",
        "  beers:",
        "    name: Helles, style: lager, since: about 1856",
        "    name: Dunkel, style: dark, since: the 1860s",
        "  output[1900]: 12000",
    ]
    # "before 1914" may already have happened by 1905.
    possible = out.split("Only possible", 1)[1].split("\n\n", 1)[0]
    assert "  owner: Karl Huber\n    because of: karl (../1914)" in possible
    assert "  owners: + Karl Huber" in possible
    assert "Pending events (1), dated across 1905-12-31:" in out
    assert "../1914        karl: owner: Karl Huber, how: inherited" in out


def test_state_as_the_chronicle_had_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = log_of(folder).name
    argv = ["state", "--log", log, *MINE, "--as-of", "1885-06-01"]
    _, now, _ = run(capsys, *argv)
    assert "  owner: Maria Huber\n" in now.split("Only possible")[0]
    status, then, _ = run(capsys, *argv, "--known-at", "1995")
    assert status == 0
    assert "record: as known on 1995-12-31 (10 events counted)" in then
    assert "  owner: Josef Huber\n" in then.split("Only possible")[0]
    assert "because of: maria (1884/1886)" in then


def test_explain_names_the_events_behind_each_fact(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = log_of(folder).name
    status, out, _ = run(
        capsys, "state", "--log", log, *MINE, "--as-of", "1960", "--explain"
    )
    assert status == 0
    lines = out.splitlines()
    at = lines.index("  owner: Karl Huber")
    assert lines[at + 1 : at + 4] == [
        "    ← karl (../1914)",
        "    ← maria-1885 (1885-04-02): Bamberg city archive, trade register, "
        "https://example.org/archive/1885",
        "    ← founded (1850): Huber family chronicle, self-published, 1995",
    ]
    at = lines.index("  output[1950]: 30000")
    assert lines[at + 1] == "    ← output-1950 (1950)"


# -- state --json: the generic form ----------------------------------------------

VALUE: dict[str, Any] = {}  # any JSON value
EVENT = {
    "type": "object",
    "required": [
        "id",
        "type",
        "occurred",
        "recorded",
        "summary",
        "source",
        "payload",
        "tags",
        "supersedes",
    ],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string"},
        "occurred": {"type": "string", "format": "edtf"},
        "recorded": {"type": "string"},
        "summary": {"type": ["object", "null"]},
        "source": {"type": ["object", "null"]},
        "payload": {"type": "object"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "supersedes": {"type": "array", "items": {"type": "string"}},
    },
}
PATHS = {"type": "object", "additionalProperties": {"type": "array"}}
GENERIC = {
    "type": "object",
    "required": [
        "version",
        "form",
        "projection",
        "as_of",
        "known_at",
        "certain",
        "possible",
        "pending",
    ],
    "additionalProperties": False,
    "properties": {
        "version": {"enum": [1]},
        "form": {"enum": ["generic"]},
        "projection": {"type": "string"},
        "as_of": {"type": "string", "format": "day"},
        "known_at": {"type": ["string", "null"], "format": "day"},
        "certain": VALUE,
        "possible": VALUE,
        "pending": {"type": "array", "items": EVENT},
        "provenance": {
            "type": "object",
            "required": ["certain", "possible"],
            "additionalProperties": False,
            "properties": {"certain": PATHS, "possible": PATHS},
        },
        "events": {"type": "object", "additionalProperties": EVENT},
    },
}


def test_state_json_generic_form(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_cli import check

    log = log_of(folder).name
    status, out, _ = run(
        capsys, "state", "--log", log, *MINE, "--as-of", "1905", "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert check(data, GENERIC) == []
    assert "provenance" not in data
    assert data["projection"] == "brewery:history"
    # Named by its module alone, it is still written as MODULE:ATTR.
    status, out, _ = run(
        capsys, *("state", "--log", log, "--import", "brewery"),
        *("--projection", "brewery", "--as-of", "1905", "--json"),
    )  # fmt: skip
    assert (status, json.loads(out)["projection"]) == (0, "brewery:history")
    assert data["certain"] == {
        "name": "Brauerei Huber",
        "town": "Bamberg",
        "founded": "1850",
        "owner": "Maria Huber",
        "owners": ["Josef Huber", "Maria Huber"],
        "beers": [
            {"name": "Helles", "style": "lager", "since": "1856~"},
            {"name": "Dunkel", "style": "dark", "since": "186X"},
        ],
        "output": {"1900": 12000},
    }
    assert data["possible"]["owner"] == "Karl Huber"
    (karl,) = data["pending"]
    assert karl["payload"] == {"owner": "Karl Huber", "how": "inherited"}
    assert karl["tags"] == ["generation-3"]

    _, out, _ = run(
        capsys, "state", "--log", log, *MINE, "--as-of", "1905", "--json", "--explain"
    )
    data = json.loads(out)
    assert check(data, GENERIC) == []
    provenance = data["provenance"]
    assert provenance["certain"]["owner"] == ["founded", "maria-1885"]
    assert provenance["possible"]["owner"] == ["founded", "maria-1885", "karl"]
    assert provenance["certain"]["output[1900]"] == ["output-1900"]
    cited = {i for part in provenance.values() for ids in part.values() for i in ids}
    assert set(data["events"]) == cited
    assert data["events"]["maria-1885"]["source"]["url"] == (
        "https://example.org/archive/1885"
    )


def test_the_generic_form_of_the_bundled_relationship(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from test_cli import check

    status, out, _ = run(
        capsys, "state", "--as-of", "2024-12-15", "--generic", "--json", "--explain"
    )
    assert status == 0
    data = json.loads(out)
    assert check(data, GENERIC) == []
    assert data["projection"] == "timeline.dataset:Relationship"
    assert data["certain"]["treaty"]["status"] == "in_force"
    assert data["certain"]["treaty"]["in_force"] == "2024-12-04"
    assert (
        "ver-treaty-in-force-2024-12-04"
        in (data["provenance"]["certain"]["treaty.status"])
    )
    status, out, _ = run(capsys, "state", "--as-of", "2024-12-15", "--generic")
    assert status == 0
    assert out.startswith("north-korea-russia relationship as of 2024-12-15\n")
    assert "  treaty.status: in_force\n" in out


# -- the other commands ----------------------------------------------------------


def test_diff_events_show(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = log_of(folder).name
    status, out, _ = run(capsys, "diff", "--log", log, *MINE, "1880", "1960")
    assert status == 0
    assert out.startswith(
        "What became certain between 1880-12-31 and 1960-12-31 (current record):\n"
        "  - owner: Josef Huber\n"
        "  + owner: Karl Huber\n"
        "  + owners: Maria Huber\n"
        "  + owners: Karl Huber\n"
        "  + beers: name: Weizen, style: wheat, since: summer 1948\n"
        "  + output[1900]: 12000\n"
        "  + output[1950]: 30000\n\n"
        "Events that became certain (5):\n"
    )
    status, out, _ = run(
        capsys, "events", "--log", log, "--import", "brewery", "--tag", "generation-1"
    )
    assert status == 0
    assert re.findall(r"^\S+\s+(\S+)  \[", out, flags=re.MULTILINE) == [
        "founded",
        "helles",
        "dunkel",
    ]
    assert "beer: Dunkel, style: dark, strength: -" in out
    status, out, _ = run(
        capsys,
        "events",
        "--log",
        log,
        "--import",
        "brewery",
        "--type",
        "brewery.owner_changed",
    )
    assert re.findall(r"^\S+\s+(\S+)  \[", out, flags=re.MULTILINE) == [
        "maria-1885",
        "karl",
        "sold",
    ]
    status, out, _ = run(capsys, "show", "--log", log, "--import", "brewery", "maria")
    assert status == 0
    rows = dict(
        re.split(r"\s{2,}", row.strip(), maxsplit=1) for row in out.splitlines()
    )
    assert rows["type"] == "brewery.owner_changed (v1)"
    assert rows["occurred"] == "1884/1886 (1884–1886)"
    assert rows["how"] == "inherited"
    assert rows["superseded by"] == "maria-1885 (recorded 2010-06-01)"
    # A summary given as plain text has no language to name ("und").
    assert rows["summary"] == "Maria Huber takes over from her father."


def test_every_command_through_the_console_script(folder: Path) -> None:
    log = log_of(folder).name
    steps = [
        ["events", "--log", log, "--import", "brewery"],
        ["show", "--log", log, "--import", "brewery", "sold"],
        ["diff", "--log", log, *MINE, "1900", "1950"],
        ["state", "--log", log, *MINE, "--as-of", "1990", "--json"],
        ["verify", log, "--import", "brewery"],
    ]
    for argv in steps:
        done = console(folder, *argv)
        assert (done.returncode, done.stderr) == (0, ""), argv
        assert done.stdout, argv
    target = folder / ("copy.sqlite" if log.endswith(".jsonl") else "copy.jsonl")
    done = console(folder, "convert", log, target.name, "--import", "brewery")
    assert (done.returncode, done.stderr) == (0, "")
    assert str(timeline.verify(target)) == str(timeline.verify(folder / log))
    done = console(folder, "repair", log, "--import", "brewery")
    assert done.returncode == 0
    assert done.stdout.startswith("nothing to repair")


# -- the project file ---------------------------------------------------------------


def test_a_project_file_saves_the_options(folder: Path) -> None:
    log = log_of(folder).name
    (folder / "timeline.toml").write_text(
        f'log = "{log}"\nimport = ["brewery"]\nprojection = "brewery:history"\n',
        encoding="utf-8",
    )
    done = console(folder, "state", "--as-of", "1905")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("The brewery as of 1905-12-31\n")
    # From a folder below, as git finds its repository.
    below = folder / "notes" / "drafts"
    below.mkdir(parents=True)
    done = console(below, "events", "--type", "brewery.founded")
    assert (done.returncode, done.stderr) == (0, "")
    assert "founded  [brewery.founded]" in done.stdout
    done = console(below, "verify")
    assert done.returncode == 0, done.stderr
    # Options on the command line win.
    shutil.copy(folder / log, folder / f"other{Path(log).suffix}")
    done = console(folder, "state", "--as-of", "1905", "--log", "missing.jsonl")
    assert done.returncode == 2
    assert "no log file at 'missing.jsonl'" in done.stderr


def test_a_pyproject_table_is_a_project_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = log_of(folder).name
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "brewery-history"\n\n'
        f'[tool.timeline]\nlog = "{log}"\nimport = "brewery"\n'
        'projection = "brewery"\n',
        encoding="utf-8",
    )
    status, out, err = run(capsys, "state", "--as-of", "1850")
    assert (status, err) == (0, "")
    assert "  name: Brauerei Huber" in out


# -- bad input: one line, exit 2, the log untouched ----------------------------------


@pytest.mark.parametrize(
    ("argv", "project", "message"),
    [
        (
            ["state", "--as-of", "1900"],
            None,
            "has event types the bundled Relationship projection does not handle "
            "(brewery.beer_introduced, brewery.founded, ",
        ),
        (
            ["state", "--as-of", "1900", "--import", "brewry"],
            None,
            "--import brewry: no module named 'brewry' in the current folder",
        ),
        (
            ["state", "--as-of", "1900", "--import", "brewery.py"],
            None,
            "--import brewery.py: expected a module name, such as 'brewery'",
        ),
        (
            ["state", "--as-of", "1900", "--projection", "brewery:histroy"],
            None,
            "--projection brewery:histroy: module 'brewery' has no attribute "
            "'histroy' (its projections: history)",
        ),
        (
            ["state", "--as-of", "1900", "--projection", "brewery:Brewery"],
            None,
            "--projection brewery:Brewery: expected a timeline.Projection, but "
            "Brewery is a class",
        ),
        (
            ["diff", "1900", "1950", "--projection", "brewery:"],
            None,
            "--projection brewery:: expected MODULE:ATTR",
        ),
        (
            ["state", "--as-of", "1900", "--projection", "timeline"],
            None,
            "--projection timeline: module 'timeline' defines no timeline.Projection",
        ),
        (["state", "--as-of", "1900"], "import = 3\n", "import must be a module name"),
        (["state", "--as-of", "1900"], "logs = 'x'\n", "unknown key 'logs'"),
        (["state", "--as-of", "1900"], "log = [\n", "not valid TOML"),
        (["show", "x"], None, "no event with id 'x' in the log"),
        (["verify", "--head", "1:" + "z" * 64], None, "expected SEQ:HASH"),
    ],
)
def test_bad_input_is_one_line_and_leaves_the_log_alone(
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    project: str | None,
    message: str,
) -> None:
    log = log_of(folder)
    before = log.read_bytes()
    if project is not None:
        (folder / "timeline.toml").write_text(project, encoding="utf-8")
        options = ["--log", log.name]
    elif argv[0] == "verify":
        options = [log.name, "--import", "brewery"]
    else:
        options = ["--log", log.name, "--import", "brewery"]
    status, out, err = run(capsys, *argv, *options)
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("timeline: error: ")
    assert message in err
    assert log.read_bytes() == before


def test_a_module_that_fails_to_import(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "broken_types.py").write_text("1 / 0\n", encoding="utf-8")
    status, _, err = run(
        capsys, "events", "--log", log_of(folder).name, "--import", "broken_types"
    )
    assert status == 2
    assert err == (
        "timeline: error: --import broken_types: importing it raised "
        "ZeroDivisionError: division by zero\n"
    )


def test_without_the_import_the_message_says_how(folder: Path) -> None:
    done = console(folder, "events", "--log", log_of(folder).name)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "no event type is registered as 'brewery." in done.stderr
    assert "--import MODULE (or import = [...] in timeline.toml)" in done.stderr
    assert "Traceback" not in done.stderr


# -- render: the chart and the page of your own timeline ----------------------------


def test_render_my_own_timeline(folder: Path) -> None:
    import xml.etree.ElementTree as ET

    from test_render import need_matplotlib

    need_matplotlib()
    log = log_of(folder).name
    argv = ["render", "--log", log, "--import", "brewery", "-o", "a.svg"]
    if log.endswith(".jsonl"):  # once through the console script
        done = console(folder, *argv)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
    else:
        assert main(argv) == 0
    root = ET.parse(folder / "a.svg").getroot()
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    # A lane per event type by default, a mark per event.
    assert {i for i in ids if i and i.startswith("lane-")} == {
        "lane-brewery.founded",
        "lane-brewery.beer_introduced",
        "lane-brewery.owner_changed",
        "lane-brewery.output_measured",
    }
    assert {i for i in ids if i and i.startswith("event-")} == {
        f"event-{e.id}" for e in chronicle(load_brewery())
    }
    # One superseded claim, in the singular.
    svg = (folder / "a.svg").read_text(encoding="utf-8")
    assert "(10 events; 1 superseded claim shown faded)" in svg
    # Lanes by a function of the user's module, or by tag; PNG and HTML
    # (in-process: drawing in a new process costs seconds).
    status = main(
        [
            "render",
            "--log",
            log,
            *MINE,
            "--lanes",
            "brewery:by_generation",
            "--as-of",
            "1905",
            "-o",
            "b.html",
        ]
    )
    assert status == 0
    page = (folder / "b.html").read_text(encoding="utf-8")
    assert 'id="current-lane-generation 1"' in page or "generation 1" in page
    assert 'id="facet-owner"' in page  # the projection's state beside the chart
    assert "The state on" in page
    done = console(
        folder,
        "render",
        "--log",
        log,
        "--import",
        "brewery",
        "--lanes",
        "tag",
        "-o",
        "c.png",
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (folder / "c.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("lanes", "message"),
    [
        ("brewery:nothing", "expected a function of module 'brewery', found nothing"),
        ("sideways", "--lanes 'sideways': expected type, tag, facet or MODULE:FUNC"),
        ("brewery:Style", "the lane function Style raised ValueError on event"),
        # A class called with the event: the message says what it gave, briefly.
        (
            "brewery:Brewery",
            "the lane function Brewery gave a Brewery for event 'founded': expected",
        ),
    ],
)  # fmt: skip
def test_bad_lanes(
    folder: Path, capsys: pytest.CaptureFixture[str], lanes: str, message: str
) -> None:
    log = log_of(folder).name
    argv = ["render", "--log", log, "--import", "brewery", "--lanes", lanes]
    status, _, err = run(capsys, *argv, "--format", "timelinejs", "-o", "-")
    assert status == 2
    assert err.count("\n") == 1
    assert message in err
    assert len(err) < 300, err


# -- the README's walk through a timeline of your own -------------------------------


def test_the_readme_walk_through_works_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of the README's "Your own timeline" section, in a
    folder holding only brewery.py and history.csv; the output shown is
    what the commands print."""
    import shlex

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    part = readme.split("## Your own timeline on the command line", 1)[1]
    part = part.split("\n## ", 1)[0]
    first, second = re.findall(r"```console\n(.+?)\n```", part, flags=re.DOTALL)
    (project,) = re.findall(r"```toml\n(.+?)```", part, flags=re.DOTALL)
    # The module and the CSV file it shows are the ones the commands run on.
    (code,) = re.findall(r"```python\n(.+?)```", part, flags=re.DOTALL)
    assert code in (BREWERY / "brewery.py").read_text(encoding="utf-8")
    (rows,) = re.findall(r"```csv\n(.+?)```", part, flags=re.DOTALL)
    csv_lines = (BREWERY / "history.csv").read_text(encoding="utf-8").splitlines()
    assert rows.splitlines() == csv_lines[: len(rows.splitlines())]
    for name in ("brewery.py", "history.csv"):
        shutil.copy(BREWERY / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    load_brewery()
    # The first block: commands, each followed by its whole output.
    steps = re.split(r"^\$ ", first, flags=re.MULTILINE)[1:]
    for step in steps:
        command, _, expected = step.partition("\n")
        argv = shlex.split(command)
        assert argv[0] == "timeline"
        status, out, err = run(capsys, *argv[1:])
        assert (status, err) == (0, ""), command
        assert out.rstrip("\n") == expected.rstrip("\n"), command
    # The second: with the project file, every command runs.
    (tmp_path / "timeline.toml").write_text(project, encoding="utf-8")
    for command in re.findall(r"^\$ (.+)$", second, flags=re.MULTILINE):
        argv = shlex.split(command)
        if argv[1] == "render":
            from test_render import need_matplotlib

            need_matplotlib()
        status, out, err = run(capsys, *argv[1:])
        assert (status, err) == (0, ""), command
        assert out, command
    assert (tmp_path / "brewery.png").read_bytes().startswith(b"\x89PNG")
    assert timeline.read_events("back.csv") == chronicle(load_brewery())


# -- what a new user reads: --help, and the report of a fact of long items --------

READS_EVENTS = ("state", "events", "diff", "show", "render", "export", "verify")
READS_EVENTS += ("convert", "repair", "append")


def test_help_names_import_and_projection_where_they_apply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert "--import MODULE" in top
    assert "--projection MODULE:ATTR" in top
    assert "timeline.toml" in top
    for command in (*READS_EVENTS, "date"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert ("--import MODULE" in text) == (command in READS_EVENTS), command
        wants = command in ("state", "diff", "render")
        assert ("--projection MODULE:ATTR" in text) == wants, command


AWARDS = """
import attrs
import timeline


@timeline.event_type("meadow.award_won")
class AwardWon(timeline.Event):
    award: str


@attrs.frozen
class Meadow:
    awards: tuple[str, ...] = ()


story = timeline.Projection(initial=Meadow(), name="Meadow Lane")


@story.on(AwardWon)
def _(state: Meadow, event: AwardWon) -> Meadow:
    return attrs.evolve(state, awards=(*state.awards, event.award))
"""


def test_a_fact_of_long_items_shows_only_what_is_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One long item reads "awards: X" on one line, two read one a line:
    what is only possible is still the item added ("+ Y"), and a diff from
    nothing is "+ awards: X", without a "- awards: -" line."""
    (tmp_path / "meadow.py").write_text(AWARDS, encoding="utf-8")
    first = ("Gold at the county show " * 3).strip()
    second = ("Silver at the national show " * 3).strip()
    (tmp_path / "m.csv").write_text(
        "id,type,occurred,award\n"
        f"gold,meadow.award_won,June 2001,{first}\n"
        f"silver,meadow.award_won,before 2010,{second}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    argv = ["--log", "m.jsonl", "--import", "meadow", "--projection", "meadow:story"]
    assert main(["append", "m.jsonl", "--import", "meadow", "--from", "m.csv"]) == 0
    capsys.readouterr()
    assert main(["state", "--as-of", "2004", *argv]) == 0
    out = capsys.readouterr().out
    possible = out.split("Only possible")[1].split("Pending events")[0]
    assert f"+ {second}" in possible
    assert first not in possible
    assert main(["diff", "1990", "2004", *argv]) == 0
    out = capsys.readouterr().out
    assert f"  + awards: {first}\n" in out
    assert "- awards" not in out


def test_the_page_of_a_log_recorded_on_days_and_at_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A log whose first rows were recorded on a day and later ones at the
    time of the append (no recorded column): the page's other record is a
    day, and events without a summary say their payload in the list."""
    from test_render import need_matplotlib

    need_matplotlib()
    (tmp_path / "meadow.py").write_text(AWARDS, encoding="utf-8")
    (tmp_path / "old.csv").write_text(
        "id,type,occurred,recorded,award\ngold,meadow.award_won,2001,2002-01-05,Gold\n",
        encoding="utf-8",
    )
    (tmp_path / "new.csv").write_text(
        "id,type,occurred,award\nsilver,meadow.award_won,before 2010,Silver Cup\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for name in ("old.csv", "new.csv"):
        assert main(["append", "m.jsonl", "--import", "meadow", "--from", name]) == 0
    argv = ["render", "--log", "m.jsonl", "--import", "meadow", "-o", "m.html"]
    assert main(argv) == 0, capsys.readouterr().err
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "as known on 2002-01-05<" in page
    assert '<div class="summary">Silver Cup</div>' in page


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["state", "--as-of", "19x5"], "--as-of"),
        (["state", "--as-of", "1905", "--known-at", "someday"], "--known-at"),
        (["diff", "1880", "19x0"], "DAY2"),
        (["events", "--from", "19x0"], "--from"),
        (["events", "--to", "19x0"], "--to"),
        (["render", "--as-of", "19x5", "-o", "a.svg"], "--as-of"),
        (["export", "--known-at", "19x5"], "--known-at"),
    ],
)  # fmt: skip
def test_a_bad_date_names_the_option_it_was_given_to(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    log = log_of(folder).name
    mine = MINE if argv[0] in ("state", "diff", "render") else MINE[:2]
    status, out, err = run(capsys, *argv, "--log", log, *mine)
    assert (status, out) == (2, "")
    assert err.startswith(f"timeline: error: {option}: invalid date '"), err
    assert err.count("\n") == 1
