"""The README's quick start stays true: CI runs its test command verbatim.

(The README's ``pycon`` examples themselves run as doctests, through
``--doctest-glob=README.md`` in pyproject.toml.)
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.+?)\n```", section)


def test_quick_start_has_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all(c.startswith("python -m pip install") for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = quick_start_commands()[1].split(" && ", 1)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test_command in ci_lines
