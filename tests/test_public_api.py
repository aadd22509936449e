"""The public surface is deliberate: ``__all__`` is sorted and complete."""

from __future__ import annotations

import subprocess
import sys

import timeline
import timeline.exceptions


def test_all_is_sorted_and_defined() -> None:
    assert list(timeline.__all__) == sorted(timeline.__all__)
    for name in timeline.__all__:
        assert hasattr(timeline, name), name


def test_every_public_error_is_a_timeline_error_and_a_builtin() -> None:
    for name in timeline.exceptions.__all__:
        error = getattr(timeline.exceptions, name)
        assert issubclass(error, timeline.TimelineError)
        if error is not timeline.TimelineError:
            builtin_bases = [b for b in error.__mro__ if b.__module__ == "builtins"]
            assert builtin_bases[0] is not Exception, name


def test_import_does_not_load_hypothesis_or_dateutil_parser() -> None:
    code = (
        "import sys, timeline; "
        "heavy = ('hypothesis', 'dateutil.parser', 'sqlite3'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_reading_and_writing_events_is_public() -> None:
    """CSV and JSON Lines in and out are library functions (the CLI's
    ``append`` and ``export`` call them), imported on first use."""
    from timeline import _exchange

    assert timeline.read_events is _exchange.read_events
    assert timeline.write_events is _exchange.write_events
    assert {"read_events", "write_events"} <= set(timeline.__all__)
