"""Data in and out: ``timeline append`` from CSV and JSON Lines (all or
nothing, the line and column named), ``timeline export`` to CSV, JSON Lines,
a TimelineJS sheet and Linked Places; and the round trip of
:func:`timeline.write_events` / :func:`timeline.read_events`."""

from __future__ import annotations

import csv
import datetime
import enum
import io
import json
import shutil
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from test_cli_user import BREWERY, chronicle, console, load_brewery
from timeline.cli import main
from timeline.dataset import open_bundled
from timeline.strategies import events, logs

brewery = load_brewery()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("brewery.py", "history.csv"):
        shutil.copy(BREWERY / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- append ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["jsonl", "sqlite"])
def test_append_from_csv_gives_the_chronicle(
    folder: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "append", f"h.{suffix}", "--import", "brewery", "--from", "history.csv"
    )
    assert (status, err) == (0, "")
    assert out == f"appended 11 events to h.{suffix} (seq 1-11)\n"
    with timeline.open_log(folder / f"h.{suffix}") as log:
        assert list(log) == chronicle(brewery)


def test_the_whole_story_through_the_console_script(folder: Path) -> None:
    """The README's steps: append from CSV, then every command, on a log
    with types the package does not ship."""
    done = console(
        folder, "append", "h.sqlite", "--import", "brewery", "--from", "history.csv"
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    done = console(
        folder, "export", "h.sqlite", "--import", "brewery", "-o", "back.csv"
    )
    assert (done.returncode, done.stderr) == (0, "")
    done = console(
        folder, "append", "copy.jsonl", "--import", "brewery", "--from", "back.csv"
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert str(timeline.verify(folder / "copy.jsonl")) == str(
        timeline.verify(folder / "h.sqlite")
    )


def test_append_more_later_and_from_standard_input(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = (folder / "history.csv").read_text(encoding="utf-8").splitlines()
    (folder / "first.csv").write_text("\n".join(rows[:5]) + "\n", encoding="utf-8")
    (folder / "rest.csv").write_text(
        "\n".join([rows[0], *rows[5:]]) + "\n", encoding="utf-8"
    )
    assert (
        run(capsys, "append", "h.jsonl", "--import", "brewery", "--from", "first.csv")[
            0
        ]
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO((folder / "rest.csv").read_text()))
    status, out, _ = run(
        capsys, "append", "h.jsonl", "--import", "brewery", "--format", "csv"
    )
    assert status == 0
    assert out == "appended 7 events to h.jsonl (seq 5-11)\n"


def test_append_and_export_take_the_log_as_every_other_command_does(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user who typed ``--log h.jsonl`` for state, events and render types
    it for append and export too; the positional form stays."""
    status, out, err = run(
        capsys,
        "append",
        "--log",
        "h.jsonl",
        "--import",
        "brewery",
        "--from",
        "history.csv",
    )
    assert (status, err) == (0, ""), err
    assert out == "appended 11 events to h.jsonl (seq 1-11)\n"
    by_option = run(capsys, "export", "--log", "h.jsonl", "--import", "brewery")
    by_position = run(capsys, "export", "h.jsonl", "--import", "brewery")
    assert by_option == by_position
    assert by_option[0] == 0
    assert by_option[1].count("\n") == 12  # the header and 11 events


def test_a_line_that_is_not_json_names_the_line_and_character(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = '{"id": "a", "type": "brewery.founded", "occurred": "1850", "name": "N"'
    good += ', "founder": "F", "town": "T"}'
    (folder / "bad.jsonl").write_text(f'{good}\n{{"id": "b", oops}}\n', "utf-8")
    status, out, err = run(
        capsys, "append", "h.jsonl", "--import", "brewery", "--from", "bad.jsonl"
    )
    assert (status, out) == (2, "")
    assert err == (
        "timeline: error: bad.jsonl: line 2: not JSON at character 13: "
        "Expecting property name enclosed in double quotes\n"
    )
    # A key left out is named as a missing cell is, not as a TypeError.
    (folder / "bad.jsonl").write_text(good.replace(', "town": "T"', "") + "\n", "utf-8")
    status, out, err = run(
        capsys, "append", "h.jsonl", "--import", "brewery", "--from", "bad.jsonl"
    )
    assert (status, out) == (2, "")
    assert err == (
        "timeline: error: bad.jsonl: line 1: column 'town': brewery.founded needs "
        "a value here (the row gives none)\n"
    )
    assert not (folder / "h.jsonl").exists()


def test_one_event_appended_is_said_in_the_singular(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (folder / "history.csv").read_text(encoding="utf-8").splitlines()
    (folder / "one.csv").write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    status, out, _ = run(
        capsys, "append", "h.jsonl", "--import", "brewery", "--from", "one.csv"
    )
    assert (status, out) == (0, "appended 1 event to h.jsonl (seq 1)\n")


def test_append_jsonl_with_dates_as_people_write_them(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "f", "type": "brewery.founded", "occurred": "about 1850",
         "recorded": "2000-01-01", "name": "B", "founder": "J", "town": "T",
         "summary": {"en": "Founded", "de": "Gegründet"}, "tags": ["x"]},
        {"id": "b", "type": "brewery.beer_introduced", "occurred": "before 1860",
         "recorded": "2000-01-01", "beer": "Pils", "style": "LAGER", "strength": None,
         "source": {"title": "Chronicle", "published": "1995"}},
    ]  # fmt: skip
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / "more.jsonl").write_text(text, encoding="utf-8")
    status, _, err = run(
        capsys, "append", "h.sqlite", "--import", "brewery", "--from", "more.jsonl"
    )
    assert (status, err) == (0, "")
    with timeline.open_log(folder / "h.sqlite") as log:
        founded, beer = list(log)
    assert str(founded.occurred) == "1850~"
    assert founded.summary is not None
    assert founded.summary.get("de") == "Gegründet"
    assert str(beer.occurred) == "../1860"
    assert beer.style is brewery.Style.LAGER
    assert beer.source is not None
    assert str(beer.source.published) == "1995"


HEADER = (BREWERY / "history.csv").read_text(encoding="utf-8").splitlines()[0]


def row(**cells: str) -> str:
    """A line of history.csv with these cells (the others empty)."""
    columns = HEADER.split(",")
    assert set(cells) <= set(columns)
    return ",".join(cells.get(column, "") for column in columns)


def beer(**cells: str) -> str:
    base = {
        "id": "helles",
        "type": "brewery.beer_introduced",
        "occurred": "1856",
        "recorded": "1995-03-01",
        "beer": "Helles",
        "style": "lager",
    }
    return row(**{**base, **cells})


BAD_ROWS = [
    (
        beer(strength="strong"),
        "line 3: column 'strength': expected a number, not 'strong'",
    ),
    (
        beer(style="ale"),
        "line 3: column 'style': expected one of lager, dark, wheat, bock, not 'ale'",
    ),
    (beer(occurred="sometime"), "line 3: column 'occurred': invalid date 'sometime'"),
    (
        beer(type="brewery.beer"),
        "line 3: no event type is registered as 'brewery.beer'",
    ),
    (
        beer(town="Bamberg"),
        "line 3: column 'town': is not a field of brewery.beer_introduced",
    ),
    (
        beer(type="brewery.output_measured", beer="", style="", year="1856"),
        "line 3: column 'hectolitres': brewery.output_measured needs a value here",
    ),
    # Refused by the log's rules, after the file was read: still the line and
    # the column of the row.
    (
        beer(id="founded"),
        "line 3: column 'id': event 'founded': the id is already in the log",
    ),
    (beer(id="dunkel"), "line 3: column 'id': event 'dunkel': the id is"),
    (
        beer(id="pils", supersedes="nosuch"),
        "line 3: column 'supersedes': event 'pils': supersedes 'nosuch', which",
    ),
    (
        beer(id="pils", recorded="1990-01-01"),
        "line 3: column 'recorded': event 'pils': recorded 1990-01-01 is earlier",
    ),
    (
        beer(id="pils", recorded="2999-01-01"),
        "line 3: column 'recorded': event 'pils': recorded 2999-01-01 is later",
    ),
    (beer() + ",,,", "line 3: more cells than columns"),
    # A quoted cell over two lines: the row's first line is named.
    (
        beer(summary='"two\nlines"', strength="strong"),
        "line 3: column 'strength': expected a number, not 'strong'",
    ),
    (
        beer(summary='"not closed'),
        "line 3: ',' expected after '\"': is a quoted cell not closed?",
    ),
]


@pytest.mark.parametrize("suffix", ["jsonl", "sqlite"])
@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file_and_leaves_the_log_alone(
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    bad: str,
    message: str,
) -> None:
    log = folder / f"h.{suffix}"
    lines = (folder / "history.csv").read_text(encoding="utf-8").splitlines()
    (folder / "start.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    assert (
        run(capsys, "append", log.name, "--import", "brewery", "--from", "start.csv")[0]
        == 0
    )
    before = log.read_bytes()
    # Line 2 a good new row, line 3 the bad one, then the rest.
    bad_file = [lines[0], lines[3], bad, *lines[4:]]
    (folder / "bad.csv").write_text("\n".join(bad_file) + "\n", encoding="utf-8")
    status, out, err = run(
        capsys, "append", log.name, "--import", "brewery", "--from", "bad.csv"
    )
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert message in err
    assert log.read_bytes() == before
    # A refused first append creates no log at all.
    status, _, _ = run(
        capsys, "append", f"new.{suffix}", "--import", "brewery", "--from", "bad.csv"
    )
    assert status == (0 if bad.startswith("founded,") else 2)  # (not in new.*)
    if status == 0:
        return
    assert not (folder / f"new.{suffix}").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["append", "h.jsonl", "--from", "nope.csv"], "'nope.csv': no such file"),
        (["append", "h.jsonl", "--from", "."], "--from '.': a folder, not a file"),
        (["append", "h.jsonl"], "needs --format csv or --format jsonl"),
        (
            ["append", "h.txt", "--from", "history.csv", "--import", "brewery"],
            "expected a log file ending in .jsonl",
        ),
        (["append", "h.jsonl", "--from", "history.txt"], "expected a .csv or .jsonl"),
        (["export", "x.jsonl", "--log", "y.jsonl"], "name the log once"),
        (["append", "h.jsonl", "--log", "y.jsonl"], "name the log once"),
        (["export", "missing.jsonl"], "no log file at 'missing.jsonl'"),
    ],
)  # fmt: skip
def test_bad_options(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (folder / "history.txt").write_text("id\n", encoding="utf-8")
    with pytest.raises(SystemExit) if "unrecognized" in message else _nothing():
        status, _, err = run(capsys, *argv)
        assert status == 2
        assert err.count("\n") == 1
        assert message in err
    if "unrecognized" in message:
        assert message in capsys.readouterr().err
    assert not (folder / "h.jsonl").exists()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- export --------------------------------------------------------------------------


def test_export_csv_has_bounds_columns(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "append", "h.jsonl", "--import", "brewery", "--from", "history.csv")
    status, out, _ = run(capsys, "export", "h.jsonl", "--import", "brewery")
    assert status == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (
        rows["maria"]["occurred"],
        rows["maria"]["earliest"],
        rows["maria"]["latest"],
    ) == (
        "1884/1886",
        "1884-01-01",
        "1886-12-31",
    )
    assert (rows["karl"]["earliest"], rows["karl"]["latest"]) == ("", "1914-12-31")
    assert rows["maria-1885"]["supersedes"] == "maria"
    assert rows["helles"]["strength"] == "4.9"
    assert rows["helles"]["style"] == "lager"


def test_export_timelinejs_sheet_and_linked_places(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "append", "h.jsonl", "--import", "brewery", "--from", "history.csv")
    status, out, _ = run(
        capsys, "export", "h.jsonl", "--import", "brewery", "--format", "timelinejs"
    )
    assert status == 0
    sheet = list(csv.DictReader(io.StringIO(out)))
    assert list(sheet[0])[:4] == ["Year", "Month", "Day", "Time"]
    assert len(sheet) == 10  # the current record: the corrected claim is left out
    maria = next(r for r in sheet if r["Display Date"] == "2 April 1885")
    assert (maria["Year"], maria["Month"], maria["Day"]) == ("1885", "4", "2")
    status, out, _ = run(
        capsys,
        "export",
        "h.jsonl",
        "--import",
        "brewery",
        "--format",
        "linked-places",
        "-o",
        "lp.json",
    )
    assert status == 0
    data = json.loads((folder / "lp.json").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    by_id = {f["@id"]: f for f in data["features"]}
    assert set(by_id) == {e.id for e in chronicle(brewery) if e.id != "maria"}
    span = by_id["karl"]["when"]["timespans"][0]
    assert span == {"start": {"latest": "1914-12-31"}, "end": {"latest": "1914-12-31"}}
    assert by_id["karl"]["properties"]["edtf"] == "../1914"
    # The label says the date in words, as TimelineJS's display_date does.
    assert by_id["karl"]["when"]["label"] == "before 1914"
    assert by_id["dunkel"]["when"]["label"] == "the 1860s"


def test_export_of_the_bundled_log_reads_back_as_the_same_events(
    tmp_path: Path,
) -> None:
    bundled = list(open_bundled())
    for fmt in ("csv", "jsonl"):
        path = tmp_path / f"bundled.{fmt}"
        timeline.write_events(bundled, path)
        assert timeline.read_events(path) == bundled, fmt


# -- the round trip, for any events ---------------------------------------------------


class Grade(enum.Enum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Batch:
    size: int
    note: str | None = None


@timeline.event_type("test_exchange.everything")
class Everything(timeline.Event):
    text: str
    number: float
    flag: bool
    grade: Grade
    when: timeline.UncertainDate
    day: datetime.date
    names: tuple[str, ...]
    batch: Batch
    counts: dict[str, int]
    maybe: int | None = None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    log=logs(
        events(Everything),
        events(brewery.Founded),
        events(brewery.BeerIntroduced),
        events(brewery.OutputMeasured),
        max_size=6,
    ),
    fmt=st.sampled_from(["csv", "jsonl"]),
)
def test_write_then_read_gives_the_same_events(log: timeline.Log, fmt: str) -> None:
    written = list(log)
    buffer = io.StringIO()
    timeline.write_events(written, buffer, format=fmt)  # type: ignore[arg-type]
    buffer.seek(0)
    assert timeline.read_events(buffer, format=fmt) == written  # type: ignore[arg-type]
    # And a log takes them back in the same order.
    assert (
        list(
            timeline.Log(
                timeline.read_events(io.StringIO(buffer.getvalue()), format=fmt)
            )
        )
        == written
    )  # type: ignore[arg-type]


def _chronicle_module() -> ModuleType:
    return brewery


def test_append_to_a_postgresql_log_by_url(folder: Path) -> None:
    """``timeline append URL`` (a Path would turn ``postgresql://`` into
    ``postgresql:/``), then the commands read it back as the same events,
    and a refused append leaves it as it was."""
    import _postgres

    url = _postgres.fresh_url("cli-append")
    done = console(
        folder, "append", url, "--import", "brewery", "--from", "history.csv"
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == f"appended 11 events to {url} (seq 1-11)\n"
    with timeline.open_log(url, create=False) as log:
        assert list(log) == chronicle(brewery)
        head = log.head
    assert (
        main(["append", "--log", url, "--import", "brewery", "--from", "history.csv"])
        == 2
    )
    with timeline.open_log(url, create=False) as log:
        assert log.head == head
