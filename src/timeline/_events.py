"""Events: the envelope every event carries, and the registry of event types.

An event type is an attrs frozen, keyword-only subclass of :class:`Event`,
declared with :func:`event_type`, which also registers it under a stable
name and schema version so that stored logs can be read back.
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final, TypeVar

import attrs

from timeline._dates import UncertainDate
from timeline._dates.freetext import parse_date
from timeline.exceptions import (
    InvalidDateError,
    InvalidEventError,
    UnknownEventTypeError,
)

__all__ = [
    "Event",
    "Retraction",
    "Source",
    "Text",
    "event_type",
    "event_types",
    "fields_of",
    "is_declared",
    "lookup_event_type",
    "recorded_key",
]

_C = TypeVar("_C", bound=type)
_E = TypeVar("_E", bound="type[Event]")

CONFIDENCE_LEVELS: Final = ("high", "medium", "low")


def _to_date(value: UncertainDate | str | datetime.date) -> UncertainDate:
    if isinstance(value, UncertainDate):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except InvalidDateError as error:
            raise InvalidEventError(str(error)) from error
    if isinstance(value, datetime.datetime):
        if value.microsecond:
            raise InvalidEventError(
                f"expected a datetime in whole seconds (EDTF has no fractions "
                f"of a second), got {value!r}"
            )
        return parse_date(value.isoformat())
    if isinstance(value, datetime.date):
        return UncertainDate.from_date(value)
    raise InvalidEventError(
        f"expected an UncertainDate, a datetime.date or a date text, got "
        f"{value!r} ({type(value).__name__})"
    )


def _to_optional_date(
    value: UncertainDate | str | datetime.date | None,
) -> UncertainDate | None:
    return None if value is None else _to_date(value)


def _to_recorded(
    value: datetime.date | datetime.datetime | str,
) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.date):  # a datetime is a date too
        return value
    if isinstance(value, str):
        try:
            if "T" in value or " " in value.strip():
                return datetime.datetime.fromisoformat(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidEventError(
        f"recorded: expected a datetime.date, a datetime.datetime or an ISO "
        f"8601 text such as '2025-07-14', got {value!r}"
    )


def recorded_key(value: datetime.date | datetime.datetime) -> tuple[int, float]:
    """Sort key of a recorded time: (day number, seconds into the day).

    A plain date counts as the start of its day.  An aware datetime is taken
    as its UTC instant.
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        seconds = (
            value.hour * 3600 + value.minute * 60 + value.second
        ) + value.microsecond / 1e6
        return value.toordinal(), seconds
    return value.toordinal(), 0.0


def _tuple_of_str(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise InvalidEventError(
            f"expected a str or an iterable of str, got {value!r}"
        ) from None
    for item in items:
        if not isinstance(item, str) or not item:
            raise InvalidEventError(f"expected non-empty strings, got {item!r}")
    return items


@typing.dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(attrs.field,)
)
def _frozen(cls: _C) -> _C:
    # No __weakref__ slot: 8 bytes an event, and nothing holds events weakly.
    return attrs.frozen(kw_only=True, weakref_slot=False)(cls)


@attrs.frozen
class Text:
    """A short text with translations, keyed by language tag (``"en"``, ``"ja"``).

    >>> t = Text.of({"en": "Treaty signed", "ja": "条約に署名"})
    >>> t.get("ja"), t.get("fr")
    ('条約に署名', 'Treaty signed')
    """

    translations: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: Text | str | Mapping[str, str]) -> Text:
        if isinstance(value, Text):
            return value
        if isinstance(value, str):
            return cls((("und", value),))
        if isinstance(value, Mapping):
            pairs = tuple(value.items())
            for lang, text in pairs:
                if not isinstance(lang, str) or not isinstance(text, str):
                    raise InvalidEventError(
                        f"summary: expected language -> text strings, got "
                        f"{lang!r}: {text!r}"
                    )
            if not pairs:
                raise InvalidEventError("summary: expected at least one text")
            return cls(pairs)
        raise InvalidEventError(
            f"summary: expected a str or a mapping of language to text, got {value!r}"
        )

    def get(self, language: str = "en") -> str:
        """The text in ``language``, else English, else the first one given."""
        mapping = dict(self.translations)
        return mapping.get(language) or mapping.get("en") or self.translations[0][1]

    def as_dict(self) -> dict[str, str]:
        return dict(self.translations)

    def __str__(self) -> str:
        return self.get()


def _to_text(value: Text | str | Mapping[str, str] | None) -> Text | None:
    return None if value is None else Text.of(value)


def _check_confidence(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value not in CONFIDENCE_LEVELS:
        raise InvalidEventError(
            f"{attribute.name}: expected one of {CONFIDENCE_LEVELS} or None, "
            f"got {value!r}"
        )


@_frozen
class Source:
    """Where a claim comes from.  ``published`` is the source's own date
    (not when the log learned of it: that is the event's ``recorded``)."""

    title: str
    url: str | None = None
    publisher: str | None = None
    published: UncertainDate | None = attrs.field(
        default=None, converter=_to_optional_date
    )
    language: str | None = None
    quote: str | None = None
    confidence: str | None = attrs.field(default=None, validator=_check_confidence)


def _to_source(value: Source | str | None) -> Source | None:
    """A source as given, or a plain text taken as its title."""
    if value is None or isinstance(value, Source):
        return value
    if isinstance(value, str):
        return Source(title=value)
    raise InvalidEventError(
        f"source: expected a timeline.Source, a title (str) or None, got "
        f"{value!r} ({type(value).__name__})"
    )


def _check_id(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidEventError(
            f"{attribute.name}: expected a non-empty str without surrounding "
            f"white space, got {value!r}"
        )


@_frozen
class Event:
    """The envelope every event carries.

    Subclass it with :func:`event_type` to declare a domain event type::

        @timeline.event_type("counter.incremented")
        class Incremented(timeline.Event):
            by: int

    ``occurred`` is the valid time (an :class:`UncertainDate`, a text read
    with :func:`timeline.parse_date`, or a ``datetime.date``: that exact
    day); ``recorded`` is when the log learned of the event (a date, a
    datetime, or ISO 8601 text); ``source`` is a :class:`Source` or, as
    plain text, its title; ``supersedes`` lists ids of earlier events this
    one corrects or retracts.
    """

    type_name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 0

    id: str = attrs.field(validator=_check_id)
    occurred: UncertainDate = attrs.field(converter=_to_date)
    recorded: datetime.date = attrs.field(converter=_to_recorded)
    source: Source | None = attrs.field(default=None, converter=_to_source)
    summary: Text | None = attrs.field(default=None, converter=_to_text)
    supersedes: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)

    def __attrs_post_init__(self) -> None:
        if self.id in self.supersedes:
            raise InvalidEventError(f"event {self.id!r} cannot supersede itself")

    def payload(self) -> dict[str, Any]:
        """The fields this event type adds to the envelope, by name."""
        return {name: getattr(self, name) for name in payload_fields(type(self))}


def fields_of(cls: type[Event]) -> tuple[attrs.Attribute[Any], ...]:
    """The attrs fields of an event type (envelope first, then payload)."""
    # Declared through dataclass_transform, event types are attrs classes that
    # mypy's attrs plugin does not recognise as such.
    found: tuple[attrs.Attribute[Any], ...] = attrs.fields(typing.cast(Any, cls))
    return found


_ENVELOPE: Final = frozenset(a.name for a in fields_of(Event))
_REGISTRY: dict[str, dict[int, type[Event]]] = {}


def payload_fields(cls: type[Event]) -> tuple[str, ...]:
    """Names of the fields an event type adds to the envelope, in order."""
    return tuple(a.name for a in fields_of(cls) if a.name not in _ENVELOPE)


@typing.dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(attrs.field,)
)
def event_type(name: str, *, version: int = 1) -> Callable[[_E], _E]:
    """Declare an event type: make the class attrs-frozen and keyword-only,
    and register it under ``name`` and schema ``version``.

    Re-declaring the same class (same module and qualified name, as on a
    module reload) replaces the registration; a different class under a
    name and version already taken is an error.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise InvalidEventError(
            f"event type name: expected a non-empty str, got {name!r}"
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidEventError(
            f"event type version: expected an int >= 1, got {version!r}"
        )

    def register(cls: _E) -> _E:
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise InvalidEventError(
                f"@event_type({name!r}) decorates subclasses of timeline.Event, "
                f"not {cls!r}"
            )
        made = attrs.frozen(kw_only=True, weakref_slot=False)(cls)
        made.type_name = name
        made.schema_version = version
        versions = _REGISTRY.setdefault(name, {})
        taken = versions.get(version)
        if taken is not None and (taken.__module__, taken.__qualname__) != (
            made.__module__,
            made.__qualname__,
        ):
            raise InvalidEventError(
                f"event type {name!r} version {version} is already registered "
                f"by {taken.__module__}.{taken.__qualname__}"
            )
        versions[version] = made
        return made

    return register


def lookup_event_type(name: str, version: int | None = None) -> type[Event]:
    """The class registered under ``name`` (and ``version``; default: latest)."""
    versions = _REGISTRY.get(name)
    if not versions:
        raise UnknownEventTypeError(
            f"no event type is registered as {name!r}; import the module that "
            "declares it (known: " + ", ".join(sorted(_REGISTRY)) + ")"
        )
    if version is None:
        return versions[max(versions)]
    try:
        return versions[version]
    except KeyError:
        raise UnknownEventTypeError(
            f"event type {name!r} has no version {version} "
            f"(registered: {sorted(versions)})"
        ) from None


def is_declared(kind: type) -> bool:
    """Is ``kind`` itself registered with :func:`event_type` (not merely a
    subclass of a registered type, nor a class shadowed by a newer one)?"""
    name = getattr(kind, "type_name", None)
    version = getattr(kind, "schema_version", None)
    if not isinstance(name, str) or not isinstance(version, int):
        return False
    return _REGISTRY.get(name, {}).get(version) is kind


def event_types() -> Iterator[type[Event]]:
    """Every registered event type (latest version of each name)."""
    for versions in _REGISTRY.values():
        yield versions[max(versions)]


@event_type("timeline.retracted")
class Retraction(Event):
    """Withdraws the events it supersedes, with no other effect."""

    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.supersedes:
            raise InvalidEventError(
                f"retraction {self.id!r} must name the events it retracts in supersedes"
            )
