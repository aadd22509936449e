"""The README's quick start stays true: two commands a new user can paste on
a stock Debian (``python3``, no ``python`` on PATH, pip refusing the
system's environment), and CI runs its test command verbatim.

(The README's ``pycon`` examples themselves run as doctests, through
``--doctest-glob=README.md`` in pyproject.toml.)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def quick_start_commands() -> list[str]:
    return re.findall(r"```console\n(.+?)\n```", quick_start())


def test_quick_start_has_two_commands_that_make_their_own_venv() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    for command in commands:
        steps = command.split(" && ")
        # No `python` (Debian has python3 only), and no pip outside the venv
        # (Debian's pip refuses: externally-managed-environment).
        assert steps[0] == "python3 -m venv .venv"
        assert steps[1].startswith(".venv/bin/pip install ")
        assert all(step.startswith(".venv/bin/") for step in steps[1:])
    assert commands[0].endswith(".venv/bin/timeline state --as-of 2024-07-01")
    assert commands[1].endswith(".venv/bin/python -m pytest")


def test_quick_start_says_how_long_the_tests_take() -> None:
    assert re.search(r"about \d+ minutes", quick_start())


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = quick_start_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test_command in ci_lines


def test_the_test_extra_brings_the_plot_extra() -> None:
    """The render tests must run, not skip, wherever the tests are installed
    as the README says."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    name = project["project"]["name"]
    assert name == "timeline-ledger"
    assert f"{name}[plot]" in project["project"]["optional-dependencies"]["test"]
