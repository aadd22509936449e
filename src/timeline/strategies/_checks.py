"""Argument checking, shared by every strategy of :mod:`timeline.strategies`."""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import TypeVar

from hypothesis.errors import InvalidArgument

_E = TypeVar("_E", bound=enum.Enum)

# ---------------------------------------------------------------------------
# Argument checking, shared by every strategy of this module.


def _check_bool(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, bool):
        expected = "True, False or None" if optional else "True or False"
        raise InvalidArgument(f"{name}={value!r} must be {expected}")


def _check_members(value: object, name: str, kind: type[_E]) -> tuple[_E, ...]:
    """All of ``kind`` for None, else the members of a non-empty collection of
    ``kind``'s members, in definition order (so the first ones shrink best)."""
    members = list(kind)
    if value is None:
        return tuple(members)
    if isinstance(value, str | bytes | enum.Enum) or not isinstance(value, Collection):
        raise InvalidArgument(
            f"{name}={value!r} must be None or a collection of {kind.__name__} "
            f"members, e.g. [{kind.__name__}.{members[-1].name}]"
        )
    wrong = [v for v in value if not isinstance(v, kind)]
    if wrong:
        raise InvalidArgument(
            f"{name}={value!r} must hold only {kind.__name__} members, not {wrong[0]!r}"
        )
    if not value:
        raise InvalidArgument(
            f"{name}={value!r} must hold at least one {kind.__name__} "
            "(None stands for all of them)"
        )
    return tuple(m for m in members if m in value)
