"""Tampering: any change to a valid JSON Lines log is caught by ``verify``.

Hypothesis writes a random log through :class:`FileLog` (batches of several
records included), then changes it once: any byte replaced, inserted or
deleted, a line deleted, duplicated, inserted or two lines swapped, or the
file cut short.  Whatever the change, ``verify`` either raises
:class:`IntegrityError` naming the first changed line, or, when the change
leaves nothing but an unfinished end (the final newline gone, bytes after
it, a cut), reports a torn tail; and checking against the head published
before the change (``verify(path, head=...)``) fails whenever a record was
lost.  A cut at a line boundary leaves a valid, shorter chain, which only
the head can show.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import timeline
from strategies import Noted, batches, event_logs
from timeline import IntegrityError

MUTATIONS = (
    "replace byte",
    "insert byte",
    "delete byte",
    "delete line",
    "duplicate line",
    "insert line",
    "swap lines",
    "cut",
    "cut records",
    "drop the final newline",
    "bytes after the end",
)


def write_log(directory: Path, cuts: list[list[timeline.Event]]) -> Path:
    path = directory / "log.jsonl"
    with timeline.open_log(path) as log:
        for batch in cuts:
            if batch:
                log.append(*batch)
    return path


def lines_of(data: bytes) -> list[bytes]:
    """The lines of ``data``, each with its newline (the last may lack one).
    Only a newline ends a line (``bytes.splitlines`` would also split at CR)."""
    *whole, rest = data.split(b"\n")
    return [line + b"\n" for line in whole] + ([rest] if rest else [])


def mutate(data: bytes, draw: st.DataObject) -> tuple[str, bytes]:
    kind = draw.draw(st.sampled_from(MUTATIONS), label="mutation")
    lines = lines_of(data)
    if kind == "replace byte":
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        byte = draw.draw(
            st.sampled_from(b'\n"{}:,0a9f \\x\xff') | st.integers(0, 255), label="byte"
        )
        return kind, data[:at] + bytes([byte]) + data[at + 1 :]
    if kind == "insert byte":
        at = draw.draw(st.integers(0, len(data)), label="at")
        byte = draw.draw(st.integers(0, 255), label="byte")
        return kind, data[:at] + bytes([byte]) + data[at:]
    if kind == "delete byte":
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        return kind, data[:at] + data[at + 1 :]
    if kind == "cut":
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        return kind, data[:at]
    if kind == "cut records":
        keep = draw.draw(st.integers(1, len(lines) - 1), label="lines kept")
        return kind, b"".join(lines[:keep])
    if kind == "drop the final newline":
        return kind, data[:-1]
    if kind == "bytes after the end":
        extra = draw.draw(st.binary(min_size=1, max_size=40), label="extra")
        return kind, data + extra.replace(b"\n", b"")
    index = draw.draw(st.integers(0, len(lines) - 1), label="line index")
    if kind == "delete line":
        del lines[index]
    elif kind == "duplicate line":
        lines.insert(index + 1, lines[index])
    elif kind == "insert line":
        at = draw.draw(st.integers(0, len(lines)), label="before line index")
        garbage = st.binary(max_size=80).map(lambda b: b.replace(b"\n", b""))
        new = draw.draw(st.sampled_from(lines) | garbage, label="new line")
        lines.insert(at, new.rstrip(b"\n") + b"\n")
    else:
        other = draw.draw(st.integers(0, len(lines) - 1), label="other line index")
        lines[index], lines[other] = lines[other], lines[index]
    return kind, b"".join(lines)


def first_changed_line(old: bytes, new: bytes) -> int:
    """The 1-based number of the first line of ``new`` that is not the same
    line (newline included) of ``old``."""
    old_lines = lines_of(old)
    for number, line in enumerate(lines_of(new), start=1):
        if number > len(old_lines) or line != old_lines[number - 1]:
            return number
    return len(lines_of(new)) + 1


@given(
    cuts=event_logs(min_size=1, max_size=7).flatmap(batches),
    draw=st.data(),
    chain_only=st.booleans(),
)
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_verify_catches_every_change(
    cuts: list[list[timeline.Event]], draw: st.DataObject, chain_only: bool
) -> None:
    assume(any(cuts))
    with tempfile.TemporaryDirectory() as name:
        path = write_log(Path(name), cuts)
        original = path.read_bytes()
        published = timeline.verify(path)
        assert published.torn_bytes == 0
        kind, changed = mutate(original, draw)
        assume(changed != original)  # no-op mutations are not tampering
        path.write_bytes(changed)
        decode = not chain_only

        if original.startswith(changed) and changed.endswith(b"\n"):
            # Whole lines cut off the end: a valid, shorter chain (or one
            # ending inside a batch: torn), which only the head shows.
            event("cut at a line boundary")
            result = timeline.verify(path, decode=decode)
            assert result.last_seq < published.last_seq
            with pytest.raises(IntegrityError, match="cut off the end"):
                timeline.verify(path, head=str(published), decode=decode)
            return

        line = first_changed_line(original, changed)
        last_line_unfinished = not changed.endswith(b"\n") and line == len(
            lines_of(changed)
        )
        if last_line_unfinished:
            # The final newline gone, part of a line cut, or bytes after the
            # end: exactly what a crash in mid-append leaves.
            event(f"torn tail ({kind})")
            result = timeline.verify(path, decode=decode)
            assert result.torn_bytes > 0, kind
            assert result.torn_reason is not None
            assert result.torn_reason.startswith("an unfinished")
            lost = result.last_seq < published.last_seq
            if lost:
                with pytest.raises(IntegrityError, match="cut off the end"):
                    timeline.verify(path, head=str(published), decode=decode)
            else:
                assert timeline.verify(path, head=str(published)).torn_bytes > 0
            return

        event(f"IntegrityError ({kind})")
        with pytest.raises(IntegrityError) as caught:
            timeline.verify(path, decode=decode)
        message = str(caught.value)
        assert re.match(rf"{re.escape(str(path))}: line {line}: ", message), (
            kind,
            message,
        )
        with pytest.raises(IntegrityError):
            timeline.verify(path, head=str(published), decode=decode)
        with pytest.raises(IntegrityError, match=f"line {line}"):
            timeline.open_log(path, create=False)
        assert path.read_bytes() == changed  # nothing was "fixed" on the way


def test_a_rewritten_log_fails_the_published_head(tmp_path: Path) -> None:
    """A log rewritten from scratch (a valid chain with other content) is
    caught by the head published before."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    with timeline.open_log(first) as log:
        log.append(Noted(id="a", occurred="2024", recorded="2024-01-01"))
        log.append(Noted(id="b", occurred="2024", recorded="2024-01-02"))
    published = timeline.verify(first)
    with timeline.open_log(second) as log:
        log.append(Noted(id="a", occurred="2023", recorded="2024-01-01"))
        log.append(Noted(id="b", occurred="2024", recorded="2024-01-02"))
    second.replace(first)
    assert timeline.verify(first).last_seq == 2
    with pytest.raises(IntegrityError, match=r"record 2 has hash .* was rewritten"):
        timeline.verify(first, head=str(published))
    with pytest.raises(IntegrityError, match="record 1 has hash"):
        timeline.verify(first, head=(1, published.head))
    with pytest.raises(IntegrityError, match="record 3, but the log ends at record 2"):
        timeline.verify(first, head=f"3:{published.head}")
    genesis = hashlib.sha256(b'{"timeline":"jsonl","format":1}').hexdigest()
    assert timeline.verify(first, head=f"0:{genesis}").last_seq == 2
