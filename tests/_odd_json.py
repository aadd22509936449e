"""JSON text of a value with the knobs the canonical writer never turns:
white space, other escapes and number spellings, members reordered or
repeated, now and then a lone surrogate.  For the tests of what readers
accept (issue 16: exactly what the writer writes)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

__all__ = ["respell"]


def respell(value: Any, draw: st.DataObject, depth: int = 0) -> str:
    """JSON text of ``value`` (as parsed from a record body), written with
    knobs the canonical writer never turns: white space, other escapes and
    number spellings, members reordered or repeated."""
    knob = draw.draw(st.integers(0, 9), label=f"knob{depth}")
    if isinstance(value, dict):
        items = list(value.items())
        if items and knob == 1:
            items = draw.draw(st.permutations(items), label="member order")
        if items and knob == 2:
            index = draw.draw(st.integers(0, len(items) - 1), label="repeated")
            items.insert(index, items[index])
        colon, comma = (": ", ", ") if knob == 3 else (":", ",")
        inner = comma.join(
            json.dumps(k, ensure_ascii=knob == 4) + colon + respell(v, draw, depth + 1)
            for k, v in items
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        items = [respell(v, draw, depth + 1) for v in value]
        if len(items) > 1 and knob == 1:
            items = draw.draw(st.permutations(items), label="item order")
        return ("[ " if knob == 3 else "[") + ",".join(items) + "]"
    if isinstance(value, str):
        if knob == 5:  # a lone surrogate, escaped (UTF-8 cannot hold it)
            return json.dumps(value + "\ud800")
        text = json.dumps(value, ensure_ascii=False)
        if value and knob == 4:
            at = draw.draw(st.integers(0, len(value) - 1), label="escaped")
            escaped = f"\\u{ord(value[at]):04x}" if ord(value[at]) < 0x10000 else None
            if escaped is not None:
                return (
                    json.dumps(value[:at], ensure_ascii=False)[:-1]
                    + escaped
                    + (json.dumps(value[at + 1 :], ensure_ascii=False)[1:])
                )
        return text
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return [str(value), f"{value}.0", f"{value}e0", str(value)][knob % 4]
    if isinstance(value, float):
        spelled = repr(value)
        return [spelled, f"{value:.17g}", f"{value:e}", spelled + "0"][knob % 4]
    raise AssertionError(value)  # pragma: no cover
