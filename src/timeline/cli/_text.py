"""What the command prints, and the one rule for it: text taken from a log
(ids, summaries, payloads, sources) never reaches the terminal raw.

A record could otherwise clear the screen (``ESC [2J``), move the cursor,
fake a line of output with a newline, or reorder what is shown with a
bidirectional override.  :func:`escape` writes every such character the way
Python's ``repr`` does (``\\x1b``, ``\\n``, ``\\u202e``), and :func:`line`
and :func:`error` pass everything they print through it, so the commands
print only through them.  JSON output stays JSON: :func:`dump_json` also
escapes, as ``\\u`` escapes, the control characters that the json module
leaves as they are (DEL and the C1 range).

>>> escape("ok\\x1b[2Jfake\\nline")
'ok\\\\x1b[2Jfake\\\\nline'
>>> escape("条約 ✓")
'条約 ✓'
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from timeline._render.values import escape, safe_json
from timeline.exceptions import StorageError

__all__ = ["dump_json", "error", "escape", "flush", "line", "print_json", "write"]


def line(text: str = "", *, file: TextIO | None = None) -> None:
    """Print one line of output, escaped: a newline inside ``text`` is shown
    as ``\\n``, never started."""
    if file is None or file is sys.stdout:
        write(escape(text) + "\n")
    else:
        print(escape(text), file=file)


@contextmanager
def _stdout() -> Iterator[None]:
    """A failed write to standard output (a full disk, a file-size limit)
    as a StorageError naming it; a closed pipe stays a BrokenPipeError (the
    command ends quietly)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StorageError.of(error, "standard output", "write") from error


def write(data: str | bytes) -> None:
    """Write ``data`` (already escaped, or JSON, or a file's bytes) to
    standard output as it is."""
    with _stdout():
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)


def flush() -> None:
    """Flush standard output (a failure named as :func:`write` names it)."""
    with _stdout():
        sys.stdout.flush()


def error(text: str) -> None:
    """Print one line on standard error, escaped."""
    line(text, file=sys.stderr)


def dump_json(value: Any) -> str:
    """``value`` as indented UTF-8 JSON whose every control character is a
    ``\\u`` escape (:func:`timeline._render.values.safe_json`)."""
    return safe_json(value, indent=2)


def print_json(value: Any) -> None:
    """Print ``value`` as JSON (:func:`dump_json`), its lines as they are:
    they hold no control character but the newlines between them."""
    write(dump_json(value) + "\n")
