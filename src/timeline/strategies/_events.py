""":func:`~timeline.strategies.events`, with payloads derived from annotations."""

from __future__ import annotations

import datetime
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs
import hypothesis
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, ResolutionFailed

from timeline._dates import UncertainDate
from timeline._events import (
    CONFIDENCE_LEVELS,
    Event,
    Retraction,
    Source,
    Text,
    fields_of,
    lookup_event_type,
)
from timeline._storage.codec import _type_hints
from timeline.exceptions import UnknownEventTypeError
from timeline.strategies._dates import uncertain_dates

# ---------------------------------------------------------------------------
# Events.
#
# An event is drawn as its envelope and its payload.  The envelope fields have
# fixed strategies; a payload field's strategy is derived from its annotation
# (the same annotation the log format reads the field back by), unless the
# caller gives one.  Every value drawn is one the log format can carry, so an
# event that does not survive a round trip is the event type's fault.

# Text the log format can carry: any string without lone surrogates (UTF-8
# cannot encode them).
_CHARACTERS: Final = st.characters(codec="utf-8")
_TEXTS: Final = st.text(_CHARACTERS)
_IDS: Final = st.text(_CHARACTERS, min_size=1).map(str.strip).filter(bool)
_SUMMARIES: Final = st.dictionaries(_TEXTS, _TEXTS, min_size=1, max_size=3).map(Text.of)


@st.composite
def _rarely(
    draw: st.DrawFn, strategy: st.SearchStrategy[Any], otherwise: Any = None
) -> Any:
    """``otherwise`` three times in four, else a value of ``strategy``: for
    the parts of an envelope that take many choices to draw and matter
    little to a projection (fewer choices, faster shrinking)."""
    return draw(strategy) if draw(st.integers(0, 3)) == 3 else otherwise


_TAGS: Final = _rarely(
    st.lists(st.text(_CHARACTERS, min_size=1), min_size=1, max_size=3).map(tuple), ()
)
# Aware datetimes with a fixed offset in whole minutes, which ISO 8601 text
# keeps exactly; a day away from the ends of datetime's range, so that their
# UTC instant (what orders recorded times) exists.
_OFFSETS: Final = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
#: The latest recorded time drawn: a log refuses recorded times in the
#: future (timeline.Log's clock), and generated events append to any log.
LATEST_RECORDED: Final = datetime.date(2025, 12, 31)
_LATEST_TIME: Final = datetime.datetime.combine(LATEST_RECORDED, datetime.time.max)
_DATETIMES: Final = st.one_of(
    st.datetimes(max_value=_LATEST_TIME),
    st.datetimes(
        datetime.datetime(1, 1, 2),
        _LATEST_TIME - datetime.timedelta(days=1),
        timezones=_OFFSETS,
    ),
)


@st.composite
def _recorded_times(draw: st.DrawFn) -> datetime.date:
    """Mostly a date, else a datetime (naive, or with a fixed offset), up to
    :data:`LATEST_RECORDED`."""
    when: datetime.date | None = draw(_rarely(_DATETIMES, None))
    return when or draw(st.dates(max_value=LATEST_RECORDED))


_RECORDED: Final = _recorded_times()


@functools.cache
def _any_dates() -> st.SearchStrategy[UncertainDate]:
    # Built on first use, not on import: hypothesis imports this module.
    return uncertain_dates()


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@functools.cache
def _sources() -> st.SearchStrategy[Source]:
    return st.builds(
        Source,
        title=_TEXTS,
        url=_optional(_TEXTS),
        publisher=_optional(_TEXTS),
        published=_optional(_any_dates()),
        language=_optional(_TEXTS),
        quote=_optional(_TEXTS),
        confidence=_optional(st.sampled_from(CONFIDENCE_LEVELS)),
    )


def _envelope(cls: type[Event]) -> dict[str, st.SearchStrategy[Any]]:
    """The strategies of the envelope fields (``supersedes`` is empty: a lone
    event has nothing to supersede; :func:`logs` fills it in)."""
    supersedes: st.SearchStrategy[Any] = st.just(())
    if issubclass(cls, Retraction):  # a retraction names what it retracts
        supersedes = st.lists(_IDS, min_size=1, max_size=3, unique=True).map(tuple)
    return {
        "id": _IDS,
        "occurred": _any_dates(),
        "recorded": _RECORDED,
        "source": _rarely(_sources()),
        "summary": _rarely(_SUMMARIES),
        "supersedes": supersedes,
        "tags": _TAGS,
    }


class _Underivable(Exception):
    """No strategy follows from a type annotation; the message says why."""


def _instances(
    cls: type, fields: Mapping[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` from a strategy per init argument; values the
    class refuses (a validator raising ValueError or TypeError) are filtered
    out."""
    return _built(cls, st.fixed_dictionaries(dict(fields)))


@st.composite
def _built(
    draw: st.DrawFn, cls: type, arguments: st.SearchStrategy[dict[str, Any]]
) -> Any:
    # A composite, not .map(cls): hypothesis shows the value's own repr in a
    # falsifying example, not the call that built it.
    value: Any = _REFUSED
    for _ in range(_ATTEMPTS):
        try:
            value = cls(**draw(arguments))
            break
        except (TypeError, ValueError):  # attrs validators, InvalidEventError
            continue
    hypothesis.assume(value is not _REFUSED)
    return value


_REFUSED: Final = object()  # no value the class accepted was drawn
# Draws of arguments before giving up on a class whose validators refuse
# many values (a log gives up if one of its events does).
_ATTEMPTS: Final = 10


def _alias(attribute: attrs.Attribute[Any]) -> str:
    return getattr(attribute, "alias", None) or attribute.name.lstrip("_")


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


def _derive(hint: Any, building: _Building) -> st.SearchStrategy[Any]:
    """The values of a type annotation, as the log format reads them back.

    ``building`` holds the attrs classes being derived (for recursive types).
    """
    if hint is Any or hint is object:
        raise _Underivable(f"{_type_name(hint)} says nothing about the values")
    if hint is None or hint is type(None):
        return st.none()
    simple: dict[Any, Callable[[], st.SearchStrategy[Any]]] = {
        bool: st.booleans,
        int: st.integers,
        float: lambda: st.floats(allow_nan=False, allow_infinity=False),
        str: lambda: _TEXTS,
        UncertainDate: _any_dates,
        datetime.datetime: lambda: _DATETIMES,
        datetime.date: st.dates,
        Text: lambda: _SUMMARIES,
        Source: _sources,
    }
    if isinstance(hint, type) and hint in simple:
        return simple[hint]()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = list(hint)
        if not members:
            raise _Underivable(f"the enum {hint.__qualname__} has no members")
        return st.sampled_from(members)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        # None first: values shrink to it.
        arms = [st.none()] if type(None) in args else []
        arms += [_derive(arm, building) for arm in args if arm is not type(None)]
        return st.one_of(arms)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_derive(args[0], building)).map(tuple)
        return st.tuples(*(_derive(arg, building) for arg in args))
    if origin in (list, set, frozenset) and len(args) == 1:
        item = _derive(args[0], building)
        if origin is list:
            return st.lists(item)
        return st.sets(item) if origin is set else st.frozensets(item)
    if origin in (dict, Mapping) and len(args) == 2:
        return st.dictionaries(_derive(args[0], building), _derive(args[1], building))
    if isinstance(hint, type) and attrs.has(hint):
        return _attrs_instances(hint, building)
    # Anything else: what hypothesis builds for the type, if it can.
    strategy = st.from_type(hint)
    try:
        strategy.validate()
    except (ResolutionFailed, InvalidArgument) as error:
        raise _Underivable(
            f"hypothesis cannot build a {_type_name(hint)}: {error}"
        ) from None
    return strategy


def _attrs_instances(cls: type, building: _Building) -> st.SearchStrategy[Any]:
    """Instances of an attrs class.  A class that holds itself (``children:
    tuple[Node, ...]``) is drawn as a tree of at most :data:`_LEAVES`
    instances (``st.recursive``): drawn as a plain self-reference, a draw
    would nest without end until hypothesis gives it up (an overrun, which
    hypothesis counts as a filtered input: tests failed their health check
    on one seed in eight)."""
    deriving = building.get(cls)
    if deriving is not None:  # a class met inside its own fields
        deriving.recursive = True
        return deriving.inner
    deriving = building[cls] = _Deriving()
    try:
        strategy = _instances(cls, _attrs_fields(cls, building))
    finally:
        del building[cls]
    if not deriving.recursive:
        return strategy
    # The leaves are the instances whose own references draw nothing (an
    # empty tuple, a None); each level up takes the one below as them.
    return st.recursive(strategy, functools.partial(_nested, cls), max_leaves=_LEAVES)


@attrs.define
class _Deriving:
    """An attrs class being derived: what a reference to it inside its own
    fields draws, and whether one was met."""

    inner: st.SearchStrategy[Any] = attrs.field(factory=st.nothing)
    recursive: bool = False


_Building = dict[type, _Deriving]
# The most instances of a recursive class in one value drawn.
_LEAVES: Final = 8


def _nested(cls: type, inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Instances of the recursive ``cls`` whose references to it draw from
    ``inner`` (for st.recursive)."""
    return _instances(cls, _attrs_fields(cls, {cls: _Deriving(inner)}))


def _attrs_fields(cls: type, building: _Building) -> dict[str, st.SearchStrategy[Any]]:
    hints = _type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for attribute in attrs.fields(cls):
        if not attribute.init:
            continue
        try:
            fields[_alias(attribute)] = _derive(
                hints.get(attribute.name, Any), building
            )
        except _Underivable as why:
            raise _Underivable(f"{cls.__qualname__}.{attribute.name}: {why}") from None
    return fields


def _annotation(attribute: attrs.Attribute[Any]) -> str:
    written = attribute.type
    return written if isinstance(written, str) else _type_name(written)


def _check_event_type(value: object, where: str) -> type[Event]:
    if not (isinstance(value, type) and issubclass(value, Event)):
        raise InvalidArgument(
            f"{where}: event_type={value!r} must be an event type, a subclass "
            "of timeline.Event declared with @timeline.event_type(...)"
        )
    try:
        registered = lookup_event_type(value.type_name, value.schema_version)
    except UnknownEventTypeError:
        registered = None
    if registered is not value:
        what = (
            "the envelope every event carries, not an event type"
            if value is Event
            else "not declared with @timeline.event_type(...)"
        )
        raise InvalidArgument(
            f"{where}: event_type={value.__qualname__} is {what}, so no log "
            "accepts its events"
        )
    return value


_Ev = TypeVar("_Ev", bound=Event)


def events(
    event_type: type[_Ev], /, **field_strategies: st.SearchStrategy[Any]
) -> st.SearchStrategy[_Ev]:
    """Valid events of ``event_type``, with any value of each field that the
    log format can carry.

    - The envelope: ``id`` (a non-empty text without surrounding white
      space), ``occurred`` (:func:`uncertain_dates`), ``recorded`` (a date,
      a naive datetime or one with a fixed UTC offset, up to the end of
      2025: a log refuses recorded times in the future), ``source`` and
      ``summary`` (None, or any :class:`~timeline.Source` or
      :class:`~timeline.Text`), ``tags``; ``supersedes`` is empty (a
      :class:`~timeline.Retraction` names some ids), as a lone event has
      nothing to supersede: :func:`logs` points it at earlier events.
    - The payload: from each field's type annotation, as the log format
      reads it back: ``bool``, ``int``, ``float`` (finite), ``str``,
      :class:`~timeline.UncertainDate`, ``date``, ``datetime``, enums,
      ``Literal``, ``tuple``, ``list``, ``set``, ``frozenset``, ``dict``,
      unions and ``X | None``, and nested attrs classes; any other type as
      ``st.from_type`` builds it (which the log format may not carry:
      :func:`timeline.testing.check_projection` then reports the field).

    ``field_strategies`` replace the strategy of any field, by name: this is
    how to give one for a field typed ``object`` or ``Any`` (which says
    nothing about its values) or to narrow one (``occurred=uncertain_dates(
    min_value=...)``).  A field whose values cannot be derived, and has no
    strategy given, is an :class:`~hypothesis.errors.InvalidArgument` naming
    it.  Values the class's own validators refuse are filtered out.

    Events shrink toward id ``"0"``, the date ``2000``, recorded on
    2000-01-01, no source, summary or tags, and the simplest payload.

    >>> import timeline
    >>> @timeline.event_type("doctest.counted")
    ... class Counted(timeline.Event):
    ...     by: int
    >>> strategy = events(Counted, by=st.integers(1, 10))
    """
    cls = _check_event_type(event_type, "events()")
    name = cls.__qualname__
    attributes = [a for a in fields_of(cls) if a.init]
    by_name: dict[str, attrs.Attribute[Any]] = {}
    for attribute in attributes:
        by_name[attribute.name] = by_name[_alias(attribute)] = attribute
    for key, value in field_strategies.items():
        if key not in by_name:
            raise InvalidArgument(
                f"events({name}, {key}=...): {name} has no field {key!r} "
                f"(its fields: {', '.join(a.name for a in attributes)})"
            )
        if not isinstance(value, st.SearchStrategy):
            raise InvalidArgument(
                f"events({name}, {key}={value!r}): {key} must be a hypothesis "
                f"strategy, such as st.just({value!r})"
            )
    given = {by_name[key].name: value for key, value in field_strategies.items()}
    envelope = _envelope(cls)
    hints = _type_hints(cls)
    building: _Building = {}
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for attribute in attributes:
        if attribute.name in given:
            strategy = given[attribute.name]
        elif attribute.name in envelope:
            strategy = envelope[attribute.name]
        else:
            try:
                strategy = _derive(hints.get(attribute.name, Any), building)
            except _Underivable as why:
                raise InvalidArgument(
                    f"events({name}): cannot derive values for the field "
                    f"{attribute.name!r} (annotated {_annotation(attribute)}): "
                    f"{why}; give a strategy for it: "
                    f"events({name}, {attribute.name}=...)"
                ) from None
        fields[_alias(attribute)] = strategy
    return typing.cast("st.SearchStrategy[_Ev]", _instances(cls, fields))
