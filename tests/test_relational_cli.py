"""SQLite and PostgreSQL logs through the installed ``timeline`` command,
as a user without the event types' module runs it (issue 12 item 8):
``verify`` checks the chain, the records' envelopes and the log's rules and
says in one line what it could not check; ``convert`` copies records byte
for byte in every direction; ``repair`` finds nothing to cut.  Run in a
folder of the user's (tests/brewery), with no ``--import``.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

import _postgres
import timeline
from test_cli_user import BREWERY, chronicle, console, load_brewery
from timeline._storage.jsonl import raw_records

brewery = load_brewery()
EVENTS = chronicle(brewery)
TYPES = sorted({type(event).type_name for event in EVENTS})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The user's folder: brewery.py and its log, history.jsonl."""
    shutil.copy(BREWERY / "brewery.py", tmp_path / "brewery.py")
    with timeline.open_log(tmp_path / "history.jsonl") as log:
        log.append(*EVENTS[:-1])  # a batch, then the correction alone
        log.append(EVENTS[-1])
    return tmp_path


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, folder: Path) -> str:
    """The user's log copied into SQLite or PostgreSQL (with the types)."""
    target = (
        _postgres.fresh_url("cli")
        if request.param == "postgres"
        else str(folder / "history.sqlite")
    )
    timeline.convert(folder / "history.jsonl", target)
    return target


def records(target: Any) -> list[tuple[bytes, bytes]]:
    if str(target).endswith(".jsonl"):
        return list(raw_records(Path(target)))
    with timeline.open_log(target, create=False) as log:
        return list(log.raw_records())


def test_verify_without_the_types_checks_what_it_can_and_says_so(
    folder: Path, database: str
) -> None:
    head = str(timeline.verify(database))
    count = len(EVENTS)
    done = console(folder, "verify", database)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    ok, unchecked = done.stdout.splitlines()
    assert ok == f"ok: {count} records; head {head}"
    assert unchecked == (
        f"not checked: the payloads of {count} records of {len(TYPES)} event "
        f"types not registered ({', '.join(TYPES)}); the chain, record "
        "structure and log rules were; --import the modules that declare them "
        "to check their payloads too"
    )
    done = console(folder, "verify", database, "--import", "brewery")
    assert (done.returncode, done.stdout) == (0, f"ok: {count} records; head {head}\n")
    done = console(folder, "repair", database)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith("nothing to repair")


def test_convert_copies_records_byte_for_byte_in_every_direction(
    folder: Path,
) -> None:
    """jsonl -> sqlite -> postgresql -> jsonl -> postgresql -> sqlite ->
    jsonl, none with the types: the same records, the same head."""
    source = folder / "history.jsonl"
    head = str(timeline.verify(source))
    stored = records(source)
    chain = [
        "history.jsonl",
        "a.sqlite",
        _postgres.fresh_url("cli"),
        "b.jsonl",
        _postgres.fresh_url("cli"),
        "c.sqlite",
        "d.jsonl",
    ]
    for src, dst in itertools.pairwise(chain):
        done = console(folder, "convert", src, dst)
        assert (done.returncode, done.stderr) == (0, ""), (src, dst, done.stderr)
        assert done.stdout.endswith(f"; head {head}\n"), done.stdout
        target = dst if "://" in dst else folder / dst
        assert records(target) == stored, dst
    assert (folder / "d.jsonl").read_bytes() == source.read_bytes()


def test_a_derived_column_is_checked_without_the_types(folder: Path) -> None:
    """Without the types, a record's columns are checked against its
    envelope: an edited date column is found, exit 1."""
    path = folder / "history.sqlite"
    timeline.convert(folder / "history.jsonl", path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET hi = hi + 1 WHERE seq = 2")
    db.close()
    done = console(folder, "verify", path.name)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(
        f"timeline: verify: FAILED: {path.name}: seq 2: the indexed columns"
    ), done.stderr


def test_an_append_recorded_in_the_future_is_refused(folder: Path) -> None:
    """Issue 12 item 6 on SQLite, through the command: a row recorded in
    2099 (a typo that would refuse every later append as back-dated) is
    one line, exit 2, and the log is as it was."""
    path = folder / "history.sqlite"
    timeline.convert(folder / "history.jsonl", path)
    rows = (BREWERY / "history.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    first[0], first[3] = "typo", "2099-03-01"
    (folder / "late.csv").write_text(f"{header}\n{','.join(first)}\n", encoding="utf-8")
    before = records(path)
    done = console(
        folder, "append", path.name, "--from", "late.csv", "--import", "brewery"
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "'typo'" in done.stderr
    assert "recorded 2099-03-01 is later than now" in done.stderr
    assert records(path) == before


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_append_from_csv_into_a_database_log(folder: Path, kind: str) -> None:
    """``timeline append URL|FILE.sqlite --from F.csv``: the same records as
    the same rows appended to a JSON Lines log; a URL's password is not
    shown."""
    csv = str(BREWERY / "history.csv")
    done = console(folder, "append", "x.jsonl", "--import", "brewery", "--from", csv)
    assert done.returncode == 0, done.stderr
    if kind == "postgres":
        parts = urllib.parse.urlsplit(_postgres.fresh_url("append"))
        netloc = f"{parts.username}:s3cret@{parts.hostname}:{parts.port}"
        target = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    else:
        target = "x.sqlite"
    done = console(folder, "append", target, "--import", "brewery", "--from", csv)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith("appended "), done.stdout
    assert "s3cret" not in done.stdout
    stored = target if kind == "postgres" else folder / target
    assert records(stored) == records(folder / "x.jsonl")


@pytest.mark.parametrize(
    "argv",
    [
        ("state", "--as-of", "1905", "--explain"),
        ("state", "--as-of", "1905", "--json", "--explain"),
        ("events",),
        ("diff", "1880", "1910"),
    ],
)
def test_read_commands_on_a_database_print_what_the_jsonl_log_prints(
    folder: Path, database: str, argv: tuple[str, ...]
) -> None:
    """state/events/diff query a SQLite or PostgreSQL log in its database
    (no in-memory copy) and print what the same records in JSON Lines print."""
    mine = ("--import", "brewery")
    if argv[0] != "events":
        mine += ("--projection", "brewery:history")
    wanted = console(folder, *argv, "--log", "history.jsonl", *mine)
    assert (wanted.returncode, wanted.stderr) == (0, ""), wanted.stderr
    done = console(folder, *argv, "--log", database, *mine)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == wanted.stdout
