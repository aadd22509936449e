"""Any projection's state, and any payload, as text and as JSON.

A state is flattened into *facts*: one per leaf of its nested attrs classes,
dataclasses, named tuples and mappings, named by a path (``owner``,
``brewery.address.city``, ``stock.Pils``), and one per collection (a tuple,
list or set), whose elements are its items.  The command line prints facts,
compares them between two states (what is only possible, what a diff
changed), and tracks which events changed each one (:func:`explain`).

>>> import attrs, enum, timeline
>>> class Kind(enum.Enum):
...     ALE = "ale"
>>> @attrs.frozen
... class Beer:
...     name: str
...     kind: Kind
>>> @attrs.frozen
... class Brewery:
...     owner: str | None = None
...     founded: timeline.UncertainDate | None = None
...     beers: tuple[Beer, ...] = ()
>>> founded = timeline.parse_date("about 1850")
>>> state = Brewery("Anna", founded, (Beer("Pils", Kind.ALE),))
>>> for fact in facts(state):
...     print(fact.path, fact.items)
owner ('Anna',)
founded ('about 1850',)
beers ('name: Pils, kind: ale',)
>>> to_json(state)
{'owner': 'Anna', 'founded': '1850~', 'beers': [{'name': 'Pils', 'kind': 'ale'}]}
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

import timeline
from timeline._events import Text
from timeline._render.words import Lang

__all__ = [
    "Fact",
    "date_text",
    "escape",
    "escape_html",
    "explain",
    "facts",
    "fold_explained",
    "safe_json",
    "safe_json_text",
    "to_json",
    "value_text",
]

_COLLECTIONS: Final = (list, tuple, set, frozenset)
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")


# C0 and C1 controls and DEL, the line and paragraph separators, and the
# bidirectional formatting characters (embeddings, overrides, isolates,
# marks), which reorder how a terminal shows the text around them.
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control and bidirectional formatting character
    written as a ``repr``-style escape (printable text is unchanged)."""
    return _UNSAFE.sub(_escaped, text)


def escape_html(text: str) -> str:
    """``text`` for HTML markup: :func:`escape`, then HTML-escaped (quotes
    too, for attributes).

    >>> escape_html("<b>" + chr(0x202E) + "</b>")
    '&lt;b&gt;\\\\u202e&lt;/b&gt;'
    """
    return html.escape(escape(text), quote=True)


# What json.dumps leaves as it is among those: DEL, the C1 range, the
# separators and the bidirectional formatting characters.
_JSON_UNSAFE: Final = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def safe_json(value: Any, *, indent: int | None = None) -> str:
    """``value`` as UTF-8 JSON text whose every control and bidirectional
    formatting character is a ``\\u`` escape.  (Outside strings JSON has only
    ASCII punctuation, so the replacement touches string contents only, and
    the value read back is the same.)

    >>> safe_json({"id": "a\u202eb\x1b"})
    '{"id": "a\\\\u202eb\\\\u001b"}'
    """
    return safe_json_text(json.dumps(value, ensure_ascii=False, indent=indent))


def safe_json_text(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with
    the control characters it leaves as they are written as ``\\u``
    escapes: the same values, nothing a terminal would obey."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def date_text(date: timeline.UncertainDate, lang: Lang = "en") -> str:
    """A date in a column of the command's text output (event lists, the
    date beside an event id): its EDTF, short and exact.  Dates inside a
    state or a payload read in words (:func:`value_text`)."""
    return date.to_edtf()


def _fields(value: Any) -> list[tuple[str, Any]] | None:
    """The named parts of a record-like value (attrs, dataclass, named
    tuple), or None for anything else."""
    kind = type(value)
    if attrs.has(kind):
        return [(a.name, getattr(value, a.name)) for a in attrs.fields(kind)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return list(zip(kind._fields, value, strict=True))
    return None


def _own_str(value: Any) -> bool:
    """Does the value's class say how it reads (its own ``__str__``)?"""
    kind: Any = type(value)
    return kind.__str__ is not object.__str__ and kind.__str__ is not kind.__repr__


def _scalar_text(value: Any, lang: Lang) -> str | None:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timeline.UncertainDate):
        return value.describe(lang)  # in words: "about 1856", "the 1860s"
    if isinstance(value, enum.Enum):
        raw = value.value
        return raw if isinstance(raw, str) else value.name.lower()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return None


def value_text(value: Any, lang: Lang = "en", *, nested: bool = False) -> str:
    """One value on one line: ``name: Pils, kind: ale`` for a record,
    ``Pils, Dunkel`` for a collection, a date as written."""
    scalar = _scalar_text(value, lang)
    if scalar is not None:
        return scalar
    parts = _fields(value)
    if parts is not None and not _own_str(value):
        text = ", ".join(
            f"{name}: {value_text(v, lang, nested=True)}" for name, v in parts
        )
        return f"({text})" if nested else text
    if isinstance(value, Mapping):
        text = ", ".join(
            f"{_key_text(k)}: {value_text(v, lang, nested=True)}"
            for k, v in value.items()
        )
        return f"{{{text}}}" if nested else text
    if isinstance(value, _COLLECTIONS):
        text = ", ".join(value_text(v, lang, nested=True) for v in _ordered(value))
        return f"[{text}]" if nested else text
    return str(value)


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else value_text(key)


def _ordered(items: Iterable[Any]) -> list[Any]:
    """A collection's elements, a set's sorted by their text."""
    if isinstance(items, set | frozenset):
        return sorted(items, key=value_text)
    return list(items)


@attrs.frozen
class Fact:
    """One fact of a state: ``path`` (empty for a state that is a plain
    value), its text as ``items`` (one for a single value, one per element
    for a collection, ``many``)."""

    path: str
    items: tuple[str, ...]
    many: bool = False

    @property
    def label(self) -> str:
        return self.path or "state"


def _join(path: str, key: Any) -> str:
    name = key if isinstance(key, str) else value_text(key)
    if _NAME.match(name):
        return f"{path}.{name}" if path else name
    return f"{path}[{name}]"


def facts(state: Any, lang: Lang = "en") -> list[Fact]:
    """The facts of ``state``, in field order."""
    out: list[Fact] = []
    _flatten(state, "", lang, out)
    return out


def _flatten(value: Any, path: str, lang: Lang, out: list[Fact]) -> None:
    parts = _fields(value)
    if parts is not None and not _own_str(value):
        if not parts:
            out.append(Fact(path, ("-",)))
        for name, item in parts:
            _flatten(item, _join(path, name), lang, out)
        return
    if isinstance(value, Mapping) and not isinstance(value, Text):
        if not value:
            out.append(Fact(path, (), many=True))
        for key, item in value.items():
            _flatten(item, _join(path, key), lang, out)
        return
    if isinstance(value, _COLLECTIONS):
        items = tuple(value_text(v, lang) for v in _ordered(value))
        out.append(Fact(path, items, many=True))
        return
    out.append(Fact(path, (value_text(value, lang),)))


# -- JSON ----------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """``value`` as JSON data: records and mappings as objects, collections
    as arrays (a set's sorted), dates as EDTF or ISO 8601 text, an enum as
    its value, a ``Text`` as language -> text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, timeline.UncertainDate):
        return value.to_edtf()
    if isinstance(value, enum.Enum):
        raw = value.value
        return (
            raw
            if isinstance(raw, str | int) and not isinstance(raw, bool)
            else value.name
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Text):
        return value.as_dict()
    parts = _fields(value)
    if parts is not None:
        return {name: to_json(item) for name, item in parts}
    if isinstance(value, Mapping):
        return {_key_text(key): to_json(item) for key, item in value.items()}
    if isinstance(value, _COLLECTIONS):
        return [to_json(item) for item in _ordered(value)]
    return str(value)


# -- which events changed which fact -------------------------------------------


class HandlerError(timeline.TimelineError, RuntimeError):
    """A projection's handler raised while the command folded an event."""


def fold_explained(
    projection: timeline.Projection[Any],
    events: Sequence[timeline.Event],
    state: Any,
    lang: Lang = "en",
    changes: dict[str, list[timeline.Event]] | None = None,
) -> tuple[Any, dict[str, list[timeline.Event]]]:
    """Fold ``events`` (in the order given) from ``state``, comparing the
    facts before and after each event: returns the final state and, for
    each fact path, the events that changed it, in fold order (added to
    ``changes`` when given)."""
    found: dict[str, list[timeline.Event]] = {} if changes is None else changes
    before = {fact.path: fact for fact in facts(state, lang)}
    for event in events:
        handler = projection.handler_for(type(event))
        if handler is None:
            continue
        try:
            new = handler(state, event)
        except Exception as error:
            raise HandlerError(
                f"the projection's handler {_name(handler)} raised "
                f"{type(error).__name__} on event {event.id!r}: {error}"
            ) from error
        if new is state:
            continue
        after = {fact.path: fact for fact in facts(new, lang)}
        for path in after.keys() | before.keys():
            if after.get(path) != before.get(path):
                found.setdefault(path, []).append(event)
        state, before = new, after
    return state, found


def _name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


def explain(
    projection: timeline.Projection[Any],
    certain_events: Sequence[timeline.Event],
    pending: Sequence[timeline.Event],
    lang: Lang = "en",
) -> tuple[dict[str, list[timeline.Event]], dict[str, list[timeline.Event]]]:
    """Per fact path, the events that changed it on the way to the certain
    state, and (separately) the pending events that change it on top."""
    certain, changed = fold_explained(
        projection, certain_events, projection.initial, lang
    )
    _, on_top = fold_explained(projection, pending, certain, lang)
    return changed, on_top
