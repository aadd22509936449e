"""Build the bundled log events/nk_russia.jsonl from the curated events.

Usage:
    python tools/build_dataset.py           # (re)write events/nk_russia.jsonl
    python tools/build_dataset.py --check   # exit 1 if the file is not what
                                            # the curation builds

Reads tools/curation/nk_russia.json (the curated events: the programme layer,
recorded 2025-07-14, then the verified layer, recorded on the curation day) and
appends them as typed events of timeline.dataset.events through the library,
one append batch per layer, to a fresh JSON Lines log.  The output depends
only on the curation file, so rebuilding gives the same bytes (and head).

Only this tool reads tools/curation; the library and its tests read the
built log.
"""

from __future__ import annotations

import argparse
import datetime
import enum
import json
import sys
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

import attrs

import timeline
from timeline.dataset import BUNDLED_NAME, StoryEvent
from timeline.dataset.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tools" / "curation" / "nk_russia.json"
OUTPUT = ROOT / "events" / BUNDLED_NAME
LAYERS = ("prog", "ver")
TYPES = {cls.type_name: cls for cls in EVENT_TYPES}


def convert(value: Any, hint: Any) -> Any:
    """Turn a curated JSON value into the type a payload field declares:
    arrays into tuples, objects into attrs values (Estimate, ArmsItem),
    strings into enum members."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [arg for arg in args if arg is not type(None)]
        return convert(value, arms[0]) if len(arms) == 1 else value
    if origin is tuple:
        return tuple(convert(item, args[0]) for item in value)
    if hint is timeline.UncertainDate:
        return timeline.parse_edtf(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and attrs.has(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{k: convert(v, hints[k]) for k, v in value.items()})
    return value


def build_event(raw: dict[str, Any]) -> StoryEvent:
    cls: type[StoryEvent] = TYPES[raw["type"]]
    hints = typing.get_type_hints(cls)
    payload = {k: convert(v, hints[k]) for k, v in raw["payload"].items()}
    source = raw["source"]
    return cls(
        id=raw["id"],
        occurred=timeline.parse_edtf(raw["occurred"]),
        recorded=datetime.date.fromisoformat(raw["recorded"]),
        source=timeline.Source(
            title=source["title"],
            url=source["url"],
            publisher=source["publisher"],
            published=timeline.parse_edtf(source["published"]),
            language=source["language"],
            quote=source["quote"],
            confidence=source["confidence"],
        ),
        summary=timeline.Text.of(raw["summary"]),
        supersedes=tuple(raw["supersedes"]),
        tags=tuple(raw["tags"]),
        facts=tuple(raw["facts"]),
        **payload,
    )


def build(path: Path) -> timeline.Verification:
    """Write the log to ``path`` (which must not exist yet)."""
    curated = json.loads(CURATED.read_text(encoding="utf-8"))
    events = [build_event(raw) for raw in curated]
    with timeline.open_log(path) as log:
        for layer in LAYERS:
            batch = [e for e in events if e.id.startswith(layer + "-")]
            log.append(*batch, expected_seq=log.last_seq)
        assert len(log) == len(curated)
    return timeline.verify(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / BUNDLED_NAME
        result = build(built)
        data = built.read_bytes()
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_bytes() != data:
            print(
                f"{OUTPUT.relative_to(ROOT)} is out of date: run "
                "python tools/build_dataset.py",
                file=sys.stderr,
            )
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date (head {result})")
        return 0
    OUTPUT.parent.mkdir(exist_ok=True)
    temporary = OUTPUT.with_suffix(".jsonl.tmp")
    temporary.write_bytes(data)
    temporary.replace(OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {result.last_seq} events, head {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
