"""``timeline verify | repair | convert``: what they print and their exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import timeline
from strategies import Counted, Noted
from timeline.cli import main

TESTS = Path(__file__).parent


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def command(*argv: str, imports: bool = True) -> subprocess.CompletedProcess[str]:
    """The real command, in a process of its own (``imports``: with the test
    event types importable as ``strategies``)."""
    env = dict(os.environ)
    if imports:
        env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "timeline", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=TESTS.parent,
    )


EVENTS = [
    Noted(id="a", occurred="2024-06", recorded="2024-07-01"),
    Counted(id="b", occurred="../2024", recorded="2024-07-02", by=2),
    Noted(id="c", occurred="2023/..", recorded="2024-07-02", supersedes=("a",)),
    Counted(id="d", occurred="2024-06-15", recorded="2024-07-03T10:00:00", by=0),
]


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "log.jsonl"
    with timeline.open_log(path) as log:
        log.append(*EVENTS[:2])
        log.append(EVENTS[2])
        log.append(EVENTS[3])
    return path


def test_verify_prints_the_head(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = cli(["verify", str(log_file)], capsys)
    head = timeline.verify(log_file)
    assert (status, err) == (0, "")
    assert out == f"ok: 4 records; head {head.last_seq}:{head.head}\n"


def test_verify_head(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    early = str(timeline.verify(log_file))
    with timeline.open_log(log_file) as log:
        log.append(Noted(id="e", occurred="2025", recorded="2025-01-01"))
    # The head published earlier is still there: nothing up to it changed.
    status, out, _ = cli(["verify", str(log_file), "--head", early], capsys)
    assert status == 0
    assert out.startswith("ok: 5 records")
    now = str(timeline.verify(log_file))
    assert cli(["verify", str(log_file), "--head", now], capsys)[0] == 0
    seq, digest = now.split(":")
    wrong = f"{seq}:{'0' * 64}"
    status, out, err = cli(["verify", str(log_file), "--head", wrong], capsys)
    assert (status, out) == (1, "")
    assert "record 5 has hash" in err
    assert "the log was rewritten" in err
    # Cut the last record off: a valid chain, but not the published one.
    data = log_file.read_bytes()
    log_file.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1])
    assert cli(["verify", str(log_file)], capsys)[0] == 0
    status, out, err = cli(["verify", str(log_file), "--head", now], capsys)
    assert (status, out) == (1, "")
    assert "expected head is record 5, but the log ends at record 4" in err
    assert "cut off the end" in err
    assert digest not in out


def test_verify_chain_only_and_import(log_file: Path) -> None:
    """Without the module that declares the event types, the chain, record
    structure and rules are checked, and one line says which payloads were
    not and how to check them (issue 12 item 8: it printed FAILED for a
    valid chain); --import names that module."""
    done = command("verify", str(log_file), imports=False)
    assert (done.returncode, done.stderr) == (0, "")
    ok, note = done.stdout.splitlines()
    assert ok.startswith("ok: 4 records; head 4:")
    assert note.startswith("not checked: the payloads of 4 records of ")
    assert "tests.noted" in note
    assert "--import the modules that declare them" in note
    done = command("verify", str(log_file), "--chain-only", imports=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("ok: 4 records; head 4:")
    done = command("verify", str(log_file), "--import", "strategies")
    assert (done.returncode, done.stderr) == (0, "")
    done = command("verify", str(log_file), "--import", "no_such_module")
    assert done.returncode == 2
    assert "--import no_such_module: no module named 'no_such_module'" in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_the_bundled_log() -> None:
    done = command("verify", "events/nk_russia.jsonl", "--import", "timeline.dataset")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")


def test_repair_cuts_a_torn_tail_and_nothing_else(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = log_file.read_bytes()
    head = str(timeline.verify(log_file))
    torn = b'{"seq":5,"id":"e","type":"tests.no'
    log_file.write_bytes(whole + torn)
    status, out, err = cli(["verify", str(log_file)], capsys)
    assert status == 1
    assert out == f"ok: 4 records; head {head}\n"
    assert f"torn tail: {len(torn)} bytes after record 4" in err
    assert "an unfinished line at the end" in err
    assert f"timeline repair {log_file}" in err
    status, out, err = cli(["repair", str(log_file)], capsys)
    assert (status, err) == (0, "")
    assert out == f"removed a torn tail of {len(torn)} bytes; nothing else changed\n"
    assert log_file.read_bytes() == whole
    status, out, _ = cli(["repair", str(log_file)], capsys)
    assert status == 0
    assert out == "nothing to repair: the log ends with a complete record\n"
    assert cli(["verify", str(log_file), "--head", head], capsys)[0] == 0


def test_repair_refuses_anything_but_a_torn_tail(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = log_file.read_bytes().replace(b'"id":"b"', b'"id":"B"') + b'{"seq":'
    log_file.write_bytes(damaged)
    status, out, err = cli(["repair", str(log_file)], capsys)
    assert (status, out) == (1, "")
    assert err.startswith("timeline: repair: refused, not a torn tail: ")
    assert "line 3: hash mismatch" in err
    assert log_file.read_bytes() == damaged


def test_repair_of_a_sqlite_log_has_nothing_to_do(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "log.sqlite"
    assert cli(["convert", str(log_file), str(database)], capsys)[0] == 0
    status, out, _ = cli(["repair", str(database)], capsys)
    assert status == 0
    assert out.startswith("nothing to repair")


def test_convert_round_trip_is_byte_identical(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = str(timeline.verify(log_file))
    database, back = tmp_path / "log.sqlite", tmp_path / "back.jsonl"
    status, out, err = cli(["convert", str(log_file), str(database)], capsys)
    assert (status, err) == (0, "")
    assert out == f"converted 4 records to {database}; head {head}\n"
    assert str(timeline.verify(database)) == head
    status, out, _ = cli(["convert", str(database), str(back)], capsys)
    assert status == 0
    assert back.read_bytes() == log_file.read_bytes()
    with timeline.open_log(database) as stored, timeline.open_log(back) as copied:
        assert list(stored) == list(copied) == EVENTS
        assert [stored.seq(e.id) for e in EVENTS] == [1, 2, 3, 4]
        assert stored.superseded_by("a") == (EVENTS[2],)
    # The copy goes on as the original would: same records for the same appends.
    later = Noted(id="e", occurred="2025", recorded="2025-01-01")
    for path in (log_file, database, back):
        with timeline.open_log(path) as log:
            log.append(later, expected_seq=4)
    assert str(timeline.verify(log_file)) == str(timeline.verify(database))
    assert back.read_bytes() == log_file.read_bytes()


def test_convert_the_bundled_log_and_back(tmp_path: Path) -> None:
    database, back = tmp_path / "bundled.db", tmp_path / "bundled.jsonl"
    done = command(
        "convert",
        "events/nk_russia.jsonl",
        str(database),
        "--import",
        "timeline.dataset",
    )
    assert done.returncode == 0, done.stderr
    done = command("convert", str(database), str(back), "--import", "timeline.dataset")
    assert done.returncode == 0, done.stderr
    original = TESTS.parent / "events" / "nk_russia.jsonl"
    assert back.read_bytes() == original.read_bytes()


def test_convert_refuses(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.sqlite"
    assert cli(["convert", str(log_file), str(taken)], capsys)[0] == 0
    before = taken.read_bytes()
    status, _, err = cli(["convert", str(log_file), str(taken)], capsys)
    assert status == 2
    assert "exists; convert writes a new log" in err
    assert taken.read_bytes() == before
    # A torn source: repair it first.
    log_file.write_bytes(log_file.read_bytes() + b'{"seq":5')
    status, _, err = cli(["convert", str(log_file), str(tmp_path / "t.sqlite")], capsys)
    assert status == 1
    assert "torn tail" in err
    assert "timeline repair" in err
    assert not (tmp_path / "t.sqlite").exists()
    # A damaged source: nothing is written.
    log_file.write_bytes(log_file.read_bytes().replace(b'"by":2', b'"by":3'))
    status, _, err = cli(["convert", str(log_file), str(tmp_path / "u.jsonl")], capsys)
    assert status == 1
    assert "line 3: hash mismatch" in err
    assert not (tmp_path / "u.jsonl").exists()


def test_verify_repair_convert_take_the_log_as_an_option_too(log_file: Path) -> None:
    """``--log PATH`` as on every other command (through the console script),
    or the log as the first argument as before; both or neither is a usage
    error of one line."""
    from test_cli_user import console

    folder, head = log_file.parent, str(timeline.verify(log_file))
    done = console(folder, "verify", "--log", "log.jsonl", "--head", head)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith(f"ok: 4 records; head {head}\n")
    done = console(folder, "repair", "--log", "log.jsonl")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith("nothing to repair")
    done = console(folder, "convert", "--log", "log.jsonl", "copy.sqlite")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == f"converted 4 records to copy.sqlite; head {head}\n"
    assert str(timeline.verify(folder / "copy.sqlite")) == head
    refused = [
        (["verify", "log.jsonl", "--log", "copy.sqlite"], "name the log once"),
        (["repair", "--log", "log.jsonl", "log.jsonl"], "name the log once"),
        (["convert", "log.jsonl", "x.sqlite", "--log", "log.jsonl"], "once"),
        (["verify"], "name the log, as LOG or --log LOG"),
        (["repair"], "name the log, as LOG or --log LOG"),
        (["convert", "x.sqlite"], "name the log to read, as SOURCE or --log"),
    ]
    for argv, message in refused:
        done = console(folder, *argv)
        assert (done.returncode, done.stdout) == (2, ""), argv
        assert done.stderr.count("\n") == 1, done.stderr
        assert message in done.stderr, done.stderr
    assert not (folder / "x.sqlite").exists()
