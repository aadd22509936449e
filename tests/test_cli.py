"""The command line over the bundled timeline: ``timeline state | events |
diff | show``, the ``--json`` contract (docs/cli-json.md), and bad input."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import timeline
import timeline.dataset
from timeline.cli import main
from timeline.dataset import bundled_path

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def section(out: str, title: str) -> str:
    """The lines of one section of the readable report."""
    part = out.split(title, 1)[1]
    return part.split("\n\n", 1)[0]


# -- the JSON Schema of docs/cli-json.md, and a small checker ----------------

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
EDTF = {"type": "string", "format": "edtf"}
NULLABLE_EDTF = {"type": ["string", "null"], "format": "edtf"}
DAY = {"type": "string", "format": "day"}
STRINGS = {"type": "array", "items": STRING}


def obj(properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    """An object with exactly these keys."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **more,
    }


ESTIMATE_FIELDS = {
    "low": {"type": ["integer", "null"], "minimum": 0},
    "high": {"type": ["integer", "null"], "minimum": 0},
    "qualifier": {"enum": ["exact", "about", "at_least", "at_most", "up_to"]},
    "unit": STRING,
    "by": STRING,
}
ESTIMATE = obj({**ESTIMATE_FIELDS, "date": EDTF, "event": STRING})
ESTIMATES = {
    "type": "object",
    "additionalProperties": obj(
        {
            **ESTIMATE["properties"],
            "authors": {"type": "array", "items": ESTIMATE},
            "range": obj(
                {
                    "low": {"type": "integer", "minimum": 0},
                    "high": {"type": "integer", "minimum": 0},
                    **{
                        f"{end}_{key}": kind
                        for end in ("low", "high")
                        for key, kind in (
                            ("by", STRING),
                            ("date", EDTF),
                            ("event", STRING),
                        )
                    },
                }
            ),
        }
    ),
}
PERSONNEL = obj(
    {
        "kind": STRING,
        "deployed": {"type": "boolean"},
        "since": NULLABLE_EDTF,
        "fought": {"type": "boolean"},
        "destinations": STRINGS,
        "roles": STRINGS,
        "estimates": ESTIMATES,
    }
)
STATE = obj(
    {
        "stage": {
            "enum": [
                "none",
                "rapprochement",
                "arms_trade",
                "treaty_signed",
                "troops_deployed",
                "alliance",
                "co_belligerence",
            ]
        },
        "war": obj(
            {
                "began": NULLABLE_EDTF,
                "episodes": {
                    "type": "array",
                    "items": obj({"name": STRING, "date": EDTF}),
                },
            }
        ),
        "summits": {
            "type": "array",
            "items": obj({"date": EDTF, "place": STRING, "leaders": STRINGS}),
        },
        "treaty": obj(
            {
                "name": NULLABLE_STRING,
                "status": {"enum": ["none", "signed", "in_force"]},
                "signed": NULLABLE_EDTF,
                "in_force": NULLABLE_EDTF,
                "mutual_defense": {"type": "boolean"},
                "article": NULLABLE_STRING,
                "ratifications": {
                    "type": "array",
                    "items": obj({"party": STRING, "body": STRING, "date": EDTF}),
                },
            }
        ),
        "troops": PERSONNEL,
        "casualties": ESTIMATES,
        "other_personnel": {"type": "array", "items": PERSONNEL},
        "arms": obj(
            {"items": STRINGS, "used_in_combat": STRINGS, "estimates": ESTIMATES}
        ),
        "technology": obj({"domains": STRINGS, "assessed": STRINGS}),
        "aid": obj({"kinds": STRINGS, "estimates": ESTIMATES, "backing": STRINGS}),
        "warships": {
            "type": "array",
            "items": obj(
                {
                    "name": STRING,
                    "ship_class": STRING,
                    "outcome": {
                        "enum": ["failed", "righted", "launched", "relaunched"]
                    },
                    "date": EDTF,
                    "place": NULLABLE_STRING,
                    "russian_systems": {
                        "enum": [None, "none", "assessed", "confirmed"]
                    },
                    "joint_development": {"type": "boolean"},
                }
            ),
        },
        "exercises": {
            "type": "array",
            "items": obj(
                {
                    "name": NULLABLE_STRING,
                    "date": EDTF,
                    "participants": STRINGS,
                    "aircraft": STRINGS,
                    "kind": STRING,
                }
            ),
        },
        "alignments": {
            "type": "array",
            "items": obj({"name": STRING, "members": STRINGS, "named": EDTF}),
        },
        "stances": {
            "type": "array",
            "items": obj({"actor": STRING, "stance": STRING, "date": EDTF}),
        },
        "monitoring": {
            "type": "array",
            "items": obj({"body": STRING, "date": EDTF, "findings": STRINGS}),
        },
        "announcements": {
            "type": "array",
            "items": obj(
                {
                    "announcer": STRING,
                    "kind": STRING,
                    "date": EDTF,
                    "count": {"anyOf": [obj(ESTIMATE_FIELDS), {"type": "null"}]},
                    "destination": NULLABLE_STRING,
                    "roles": STRINGS,
                }
            ),
        },
        "backing": {
            "type": "array",
            "items": obj(
                {
                    "provider": STRING,
                    "beneficiary": STRING,
                    "action": STRING,
                    "date": EDTF,
                }
            ),
        },
        "responses": {
            "type": "array",
            "items": obj({"actors": STRINGS, "measure": STRING, "date": EDTF}),
        },
        "assessments": {
            "type": "array",
            "items": obj(
                {
                    "assessor": STRING,
                    "subject": STRING,
                    "topic": STRING,
                    "assessment": STRING,
                    "date": EDTF,
                }
            ),
        },
        "unverified": {
            "type": "array",
            "items": obj({"claim": STRING, "part": STRING, "reason": STRING}),
        },
        "provenance": {"type": "object", "additionalProperties": STRINGS},
    }
)
EVENT = obj(
    {
        "id": STRING,
        "type": STRING,
        "occurred": EDTF,
        "recorded": STRING,
        "summary": {
            "type": ["object", "null"],
            "additionalProperties": STRING,
        },
        "source": {
            "anyOf": [
                {"type": "null"},
                obj(
                    {
                        "title": STRING,
                        "url": NULLABLE_STRING,
                        "publisher": NULLABLE_STRING,
                        "published": NULLABLE_EDTF,
                        "language": NULLABLE_STRING,
                        "confidence": {"enum": ["high", "medium", "low", None]},
                        "quote": NULLABLE_STRING,
                    }
                ),
            ]
        },
    }
)
TOP = {
    "version": {"enum": [1]},
    "form": {"enum": ["relationship"]},
    "as_of": DAY,
    "known_at": {"type": ["string", "null"], "format": "day"},
    "certain": STATE,
    "possible": STATE,
    "pending": {"type": "array", "items": EVENT},
}
STATE_JSON = {
    "type": "object",
    # "events" only with --explain
    "properties": {**TOP, "events": {"type": "object", "additionalProperties": EVENT}},
    "required": list(TOP),
    "additionalProperties": False,
}

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def check(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Problems of ``value`` against a JSON Schema subset: type, enum,
    anyOf, properties, required, additionalProperties, items, minimum, and
    the formats "edtf" and "day"."""
    if "anyOf" in schema:
        if any(not check(value, option, where) for option in schema["anyOf"]):
            return []
        return [f"{where}: matches none of anyOf"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, kind) for kind in kinds):
            return [f"{where}: {value!r} is not of type {kinds}"]
    problems = []
    if isinstance(value, str) and "format" in schema:
        try:
            if schema["format"] == "edtf":
                timeline.parse_edtf(value)
            elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                problems.append(f"{where}: {value!r} is not a day")
        except timeline.InvalidDateError as error:
            problems.append(f"{where}: {error}")
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing {key!r}")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                problems.extend(check(item, properties[key], f"{where}.{key}"))
            elif extra is False:
                problems.append(f"{where}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                problems.extend(check(item, extra, f"{where}.{key}"))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems.extend(check(item, schema["items"], f"{where}[{i}]"))
    return problems


def test_the_checker_catches_what_it_should() -> None:
    good = {"status": "signed", "since": "2024-10"}
    schema = obj({"status": {"enum": ["signed"]}, "since": NULLABLE_EDTF})
    assert check(good, schema) == []
    assert check({**good, "x": 1}, schema) == ["$: unexpected key 'x'"]
    assert check({"status": "signed"}, schema) == ["$: missing 'since'"]
    assert check({**good, "since": "2024-13"}, schema)
    assert check({**good, "since": 2024}, schema)
    assert check(True, {"type": "integer"})


# -- state ----------------------------------------------------------------------


def test_state_mid_2024_current_record(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "state", "--as-of", "2024-07-01")
    assert (status, err) == (0, "")
    assert out.startswith("North Korea–Russia relationship as of 2024-07-01\n")
    certain = section(out, "Certain (happened by the end of 2024-07-01):")
    assert "stage: treaty signed" in certain
    assert (
        "treaty (comprehensive-strategic-partnership): signed 19 June 2024, "
        "not in force" in certain
    )
    assert "mutual-assistance clause: yes (Article 4)" in certain
    assert "troops in Russia: not deployed" in certain
    possible = section(out, "Only possible")
    assert "in force" not in possible
    assert (
        "because of: ver-shells-rockets-in-the-millions-2023-09 (2023-09/2024-12)"
        in possible
    )
    # the shells and rockets in the millions (2023-09/2024-12), Russia's
    # missile-data help (2023-12-30/2025-05-29), the workers sent in 2024
    assert "Pending events (3), dated across 2024-07-01:" in out
    assert "ver-nis-workers-sent-in-2024" in out.split("Pending events")[1]


def test_state_december_2024_as_the_programme_had_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "state", "--as-of", "2024-12-15", "--known-at", "2025-07-14"
    )
    assert status == 0
    assert "record: as known on 2025-07-14 (21 events counted)" in out
    certain = section(out, "Certain")
    assert "signed June 2024, not in force" in certain
    assert "troops in Russia: not deployed" in certain
    possible = section(out, "Only possible")
    assert "signed June 2024, in force December 2024" in possible
    assert "because of: prog-treaty-in-force (2024-12)" in possible
    assert "troops in Russia" not in possible  # the programme's 2025: not yet
    pending = out.split("Pending events", 1)[1]
    assert "2024-12        prog-treaty-in-force: The Treaty" in pending


def test_state_explain_names_events_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "state", "--as-of", "2025-01-01", "--explain")
    assert (
        "← ver-treaty-in-force-2024-12-04 (2024-12-04): Russia-N. Korea Treaty "
        "of Comprehensive Strategic Partnership takes effect - KCNA, Interfax, "
        "2024-12-05, https://interfax.com/newsroom/top-stories/108291/" in out
    )
    assert "← ver-troops-first-shipment-2024-10-08 (2024-10-08/2024-10-13): " in out
    _, out, _ = run(
        capsys,
        "state",
        "--as-of",
        "2024-12-15",
        "--known-at",
        "2025-07-14",
        "--explain",
    )
    assert (
        "← prog-treaty-in-force (2024-12): クローズアップ現代, NHK, 2025-07-14" in out
    )


def test_state_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "state",
        "--as-of",
        "2024-12-15",
        "--known-at",
        "2025-07-14",
        "--lang",
        "ja",
    )
    assert out.startswith("2024-12-15時点の北朝鮮・ロシア関係\n")
    assert "確実（2024-12-15までに起きた）:" in out
    assert "「包括的戦略的パートナーシップ条約」は2024年12月に発効した。" in out


# -- state --json -------------------------------------------------------------

VIEWS = [
    ("2022-01-01", None),
    ("2022-01-01", "2025-07-14"),
    ("2024-07-01", None),
    ("2024-07-01", "2025-07-14"),
    ("2024-12-15", None),
    ("2024-12-15", "2025-07-14"),
    ("2025-03-01", None),
    ("2025-03-01", "2025-07-14"),
    ("2025-12-31", None),
]


def state_json(
    capsys: pytest.CaptureFixture[str], as_of: str, known_at: str | None, *more: str
) -> dict[str, Any]:
    argv = ["state", "--as-of", as_of, "--json", *more]
    if known_at is not None:
        argv += ["--known-at", known_at]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize(("as_of", "known_at"), VIEWS)
def test_state_json_matches_its_schema(
    capsys: pytest.CaptureFixture[str], as_of: str, known_at: str | None
) -> None:
    data = state_json(capsys, as_of, known_at)
    assert check(data, STATE_JSON) == []
    assert "events" not in data
    assert (data["as_of"], data["known_at"]) == (as_of, known_at)


def test_state_json_explain_lists_every_cited_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = state_json(capsys, "2025-03-01", None, "--explain")
    assert check(data, STATE_JSON) == []
    cited = {
        i
        for part in ("certain", "possible")
        for ids in data[part]["provenance"].values()
        for i in ids
    }
    assert set(data["events"]) == cited
    assert data["events"]["ver-treaty-in-force-2024-12-04"]["source"]["url"] == (
        "https://interfax.com/newsroom/top-stories/108291/"
    )


def test_state_json_answers(capsys: pytest.CaptureFixture[str]) -> None:
    mid = state_json(capsys, "2024-07-01", None)
    assert mid["certain"]["treaty"]["status"] == "signed"
    assert mid["certain"]["treaty"]["mutual_defense"] is True
    assert mid["certain"]["troops"]["deployed"] is False
    assert mid["certain"]["troops"]["since"] is None
    december = state_json(capsys, "2024-12-15", "2025-07-14")
    assert december["certain"]["treaty"]["status"] == "signed"
    assert december["possible"]["treaty"]["status"] == "in_force"
    assert december["possible"]["troops"]["deployed"] is False
    assert "prog-treaty-in-force" in [e["id"] for e in december["pending"]]
    now = state_json(capsys, "2024-12-15", None)
    assert now["certain"]["treaty"]["status"] == "in_force"
    assert now["certain"]["troops"] | {"estimates": {}} == now["certain"]["troops"] | {
        "deployed": True,
        "since": "2024-10-08/2024-10-13",
        "fought": True,
        "estimates": {},
    }


def test_docs_describe_every_state_key() -> None:
    doc = (ROOT / "docs" / "cli-json.md").read_text(encoding="utf-8")
    for key in STATE["properties"]:
        assert f"| `{key}` |" in doc, key
    for key in STATE["properties"]["treaty"]["properties"]:
        assert f"| `{key}` |" in doc, key
    for key in PERSONNEL["properties"]:
        assert f"| `{key}` |" in doc, key


# -- events, diff, show ---------------------------------------------------------


def test_events_filters(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "events", "--type", "nkru.treaty", "--known-at", "2025-07-14"
    )
    assert status == 0
    ids = re.findall(r"^\S+\s+(\S+)  \[", out, flags=re.MULTILINE)
    assert ids == [
        "prog-treaty-signed",
        "prog-treaty-mutual-defense",
        "prog-treaty-in-force",
    ]
    _, out, _ = run(
        capsys,
        "events",
        "--from",
        "2024-11-01",
        "--to",
        "2024-11-10",
        "--type",
        "nkru.treaty.ratified",
    )
    ids = re.findall(r"^\S+\s+(\S+)  \[", out, flags=re.MULTILINE)
    assert ids == [
        "ver-federation-council-ratifies-2024-11-06",
        "ver-putin-signs-ratification-2024-11-09",
    ]
    _, out, _ = run(capsys, "events", "--lang", "ja", "--type", "nkru.treaty.in_force")
    summary = timeline.dataset.open_bundled().get("ver-treaty-in-force-2024-12-04")
    assert summary.summary is not None
    assert summary.summary.get("ja") in out


def test_diff(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "diff", "2024-06-01", "2024-12-31")
    assert status == 0
    assert out.startswith(
        "What became certain between 2024-06-01 and 2024-12-31 (current record):"
    )
    assert "  - treaty: none signed" in out
    assert (
        "  + treaty (comprehensive-strategic-partnership): signed 19 June 2024" in out
    )
    assert "ver-treaty-in-force-2024-12-04" in out.split("Events that became", 1)[1]
    _, out, _ = run(
        capsys, "diff", "2024-12-01", "2025-01-31", "--known-at", "2025-07-14"
    )
    assert "  - treaty (comprehensive-strategic-partnership): not in force" in out
    assert (
        "  + treaty (comprehensive-strategic-partnership): in force December 2024"
        in out
    )


def test_show_an_event_its_source_and_what_superseded_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "show", "prog-treaty-in-force")
    assert status == 0
    lines = dict(
        re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines()
    )
    assert lines["type"] == "nkru.treaty.in_force (v1)"
    assert lines["occurred"] == "2024-12 (December 2024)"
    assert lines["source"] == "クローズアップ現代"
    assert (
        lines["superseded by"] == "ver-treaty-in-force-2024-12-04 (recorded 2026-12-04)"
    )
    _, out, _ = run(capsys, "show", "ver-troops-first-shipment-2024-10-08")
    assert "count" in out
    assert "about 1,500 soldiers (NIS) [kp-troops-sent]" in out
    assert "supersedes     prog-troops-deployed-2025" in out


# -- other logs ---------------------------------------------------------------------


def test_log_option_reads_a_copy_and_a_sqlite_conversion(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, expected, _ = run(capsys, "state", "--as-of", "2025-01-01")
    copy = tmp_path / "copy.jsonl"
    shutil.copyfile(bundled_path(), copy)
    copy.chmod(0o444)  # reading needs no write access
    _, out, _ = run(capsys, "state", "--as-of", "2025-01-01", "--log", str(copy))
    assert out == expected
    database = tmp_path / "copy.sqlite"
    timeline.convert(copy, database)
    _, out, _ = run(capsys, "state", "--as-of", "2025-01-01", "--log", str(database))
    assert out == expected


READ_COMMANDS = (
    ("state", "--as-of", "2025-01-01"),
    ("state", "--as-of", "2024-07-01", "--known-at", "2024-09-01", "--explain"),
    ("state", "--as-of", "2025-06-30", "--json", "--explain"),
    ("state", "--as-of", "2025-06-30", "--generic", "--explain", "--lang", "ja"),
    ("diff", "2024-01-01", "2025-01-01"),
    ("events", "--type", "nkru.treaty"),
    ("events", "--from", "2024-10", "--to", "2024-12"),
    ("events", "--known-at", "2025-08-01"),
)


def test_read_commands_query_a_sqlite_log_in_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """state, diff, events and show on a SQLite log ask the database (no
    in-memory copy of the log is built) and print what the in-memory log
    of the same records prints."""
    copy = tmp_path / "copy.jsonl"
    shutil.copyfile(bundled_path(), copy)
    database = tmp_path / "copy.sqlite"
    timeline.convert(copy, database)
    bundled = timeline.dataset.open_bundled()
    first, last = bundled.at(1).id, bundled.at(len(bundled)).id
    commands = [*READ_COMMANDS, ("show", first), ("show", last)]
    expected = []
    for argv in commands:
        status, out, err = run(capsys, *argv, "--log", str(copy))
        assert (status, err) == (0, ""), argv
        expected.append(out)
    built: list[object] = []
    real = timeline.Log.__init__

    def spy(self: timeline.Log, *args: Any, **kwargs: Any) -> None:
        built.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(timeline.Log, "__init__", spy)
    for argv, wanted in zip(commands, expected, strict=True):
        status, out, err = run(capsys, *argv, "--log", str(database))
        assert (status, err) == (0, ""), argv
        assert out == wanted, argv
    assert built == []


def test_installed_command_runs_outside_the_checkout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "state", "--as-of", "2024-07-01"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "signed 19 June 2024, not in force" in done.stdout


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["state", "--as-of", "2024-13-01"], "invalid date '2024-13-01'"),
        (["state", "--as-of", "2024-06/2024-08"], "expected a day (2024-06-19), or"),
        (["state", "--as-of", "about 2024"], "not '2024~'"),
        (["diff", "2024", "../2025"], "DAY2 '../2025': expected a day"),
        (["state", "--as-of", "yesterday-ish"], "invalid date"),
        (
            ["state", "--as-of", "2024-07-01", "--known-at", "2025-02-30"],
            "invalid date",
        ),
        (["events", "--from", "someday"], "invalid date 'someday'"),
        (["events", "--type", "nosuch"], "--type 'nosuch': no such event type"),
        (["diff", "2024-01-01", "2024-99-01"], "invalid date"),
        (["show", "no-such-event"], "no event with id 'no-such-event' in the log"),
        (
            ["state", "--as-of", "2024-07-01", "--log", "/nonexistent/x.jsonl"],
            "no log file at '/nonexistent/x.jsonl'",
        ),
        (
            ["state", "--as-of", "2024-07-01", "--log", "/nonexistent/x.sqlite"],
            "no log file at '/nonexistent/x.sqlite'",
        ),
        (["show", "x", "--log", "notes.txt"], "expected a .jsonl or"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("timeline: error: ")
    assert message in err


def test_a_tampered_log_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = bundled_path().read_bytes().replace(b'"2024-12-04"', b'"2024-12-05"', 1)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(data)
    status, _, err = run(
        capsys, "state", "--as-of", "2025-01-01", "--log", str(tampered)
    )
    assert status == 2
    assert err.count("\n") == 1
    assert "hash mismatch" in err


def test_a_directory_is_not_a_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "dir.jsonl"
    folder.mkdir()
    status, _, err = run(capsys, "show", "x", "--log", str(folder))
    assert status == 2
    assert "is a directory, not a log" in err


def test_usage_errors_exit_2_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "state"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--as-of" in done.stderr
    assert "Traceback" not in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "state", "--as-of", "2024-02-30"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


# -- the README's sample output ------------------------------------------------


def test_readme_sample_output_is_what_the_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("## The bundled timeline", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```console\n(.+?)\n```", part, flags=re.DOTALL)
    command, *sample = block.split("\n")
    assert command.startswith("$ timeline ")
    status, out, _ = run(capsys, *shlex.split(command)[2:])
    assert status == 0
    actual = out.rstrip("\n").split("\n")
    position, skipping = 0, False
    for line in sample:
        if line == "...":
            skipping = True
            continue
        if skipping:
            assert line in actual[position:], line
            position = actual.index(line, position)
        else:
            assert actual[position] == line
        position += 1
        skipping = False
    assert skipping or position == len(actual)


def test_a_reader_that_goes_away_is_not_an_error() -> None:
    # `timeline state ... | head -1`: stdout's reader is gone before we write
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "timeline", "state", "--as-of", "2024-07-01"],
            stdout=write,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, b"")


def test_version_names_the_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    version = importlib.metadata.version("timeline-ledger")
    assert capsys.readouterr().out == f"timeline (timeline-ledger) {version}\n"


# -- estimates of several authors ------------------------------------------------


def test_state_shows_each_authors_estimate_and_the_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "state", "--as-of", "2025-07-14")
    certain = section(out, "Certain (happened by the end of 2025-07-14):")
    assert (
        "    killed and wounded: 4 authors, from about 4,000 soldiers "
        "(Ukraine (Zelensky), 9 January 2025) to at least 6,000 soldiers (UK MoD, "
        "15 June 2025)\n"
        "      about 4,000 soldiers (Ukraine (Zelensky)), 9 January 2025\n"
        "      about 4,000 soldiers (ROK JCS), 27 March 2025\n"
        "      about 4,700 soldiers (NIS), 30 April 2025\n"
        "      at least 6,000 soldiers (UK MoD), 15 June 2025\n" in certain
    )
    # one author: one line, as before
    assert "    killed: about 600 soldiers (NIS), 30 April 2025" in certain
    # authors who agree
    assert "oil since Mar 2024: 2 authors, each at least 1,000,000 barrels" in certain
    # what the programme said is a reading, and the unverifiable claims are named
    assert "5 September 2022 US intelligence on RU (arms procurement): " in certain
    assert "    prog-aid-fuel-food-materials (construction materials): " in certain


def test_state_json_gives_the_authors_and_the_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = state_json(capsys, "2025-07-14", None)
    assert check(data, STATE_JSON) == []
    total = data["certain"]["casualties"]["kp-casualties-total"]
    assert (total["by"], total["low"]) == ("UK MoD", 6000)  # the latest, as before
    assert [a["by"] for a in total["authors"]] == [
        "Ukraine (Zelensky)",
        "ROK JCS",
        "NIS",
        "UK MoD",
    ]
    assert total["range"] == {
        "low": 4000,
        "high": 6000,
        "low_by": "Ukraine (Zelensky)",
        "low_date": "2025-01-09",
        "low_event": "ver-zelensky-casualties-4000-2025-01-09",
        "high_by": "UK MoD",
        "high_date": "2025-06-15",
        "high_event": "ver-uk-mod-casualties-6000-2025-06-15",
    }
    sent = data["certain"]["troops"]["estimates"]["kp-troops-sent"]["range"]
    from timeline.dataset import Relationship, open_bundled

    state = open_bundled().state(Relationship, as_of="2025-07-14").certain
    (spread,) = [s for s in state.troops.ranges if s.measure == "kp-troops-sent"]
    assert len(spread.figures) > 1
    assert spread.low_value < spread.high_value
    assert (sent["low"], sent["low_by"], sent["high"], sent["high_by"]) == (
        spread.low_value,
        spread.low.estimate.by,
        spread.high_value,
        spread.high.estimate.by,
    )


# -- timeline date -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["about 1850", "between 1884 and 1886", "the 1860s", "before 14 July 2025"]
)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_date_says_the_date_in_describes_words(
    capsys: pytest.CaptureFixture[str], text: str, lang: str
) -> None:
    status, out, err = run(capsys, "date", text, "--lang", lang)
    assert (status, err) == (0, "")
    fields = dict(row.split(":", 1) for row in out.splitlines())
    date = timeline.parse_date(text)
    assert fields["edtf"].strip() == date.to_edtf()
    assert fields["words"].strip() == date.describe(lang)
    # the words read back as the date
    assert timeline.parse_date(fields["words"].strip()) == date
    if (text, lang) == ("about 1850", "ja"):
        assert fields["words"].strip() == "1850年頃"
