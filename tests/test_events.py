"""Events: declaration, the registry, and the envelope every event carries."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import timeline
from strategies import Counted, Noted, Special, uncertain_dates
from timeline import Event, Retraction, Source, Text, UncertainDate
from timeline._events import event_types, lookup_event_type

ENVELOPE: dict[str, Any] = {
    "id": "e1",
    "occurred": "2024-06-19",
    "recorded": datetime.date(2025, 1, 2),
}


# -- declaration ----------------------------------------------------------


def test_event_type_makes_a_frozen_keyword_only_registered_class() -> None:
    event = Counted(**ENVELOPE, by=3)
    assert attrs.has(Counted)
    assert (Counted.type_name, Counted.schema_version) == ("tests.counted", 1)
    assert lookup_event_type("tests.counted") is Counted
    assert lookup_event_type("tests.counted", 1) is Counted
    assert Counted in set(event_types())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.by = 4  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Counted("e1", "2024", datetime.date(2025, 1, 1), 3)  # type: ignore[misc]
    assert event.by == 3
    assert event.payload() == {"by": 3}


def test_payload_fields_have_defaults_and_subclasses_keep_the_envelope() -> None:
    special = Special(**ENVELOPE)
    assert special.level == 0
    assert isinstance(special, Noted)
    assert special.payload() == {"level": 0}
    assert Special.type_name == "tests.special" != Noted.type_name


def test_a_payload_field_without_default_is_required() -> None:
    @timeline.event_type("test_events.required")
    class Required(Event):
        value: int

    with pytest.raises(TypeError, match="value"):
        Required(**ENVELOPE)  # type: ignore[call-arg]
    assert Required(**ENVELOPE, value=1).value == 1


def test_versions_are_registered_side_by_side_and_latest_wins() -> None:
    @timeline.event_type("test_events.versioned")
    class V1(Event):
        a: int = 0

    @timeline.event_type("test_events.versioned", version=2)
    class V2(Event):
        a: int = 0
        b: int = 0

    assert lookup_event_type("test_events.versioned") is V2
    assert lookup_event_type("test_events.versioned", 1) is V1
    assert lookup_event_type("test_events.versioned", 2) is V2
    assert V2.schema_version == 2
    assert V1 not in set(event_types())


def test_unknown_names_and_versions_are_lookup_errors() -> None:
    with pytest.raises(timeline.UnknownEventTypeError, match="no-such-type"):
        lookup_event_type("no-such-type")
    with pytest.raises(LookupError, match="version 7"):
        lookup_event_type("tests.counted", 7)


def test_a_different_class_under_a_taken_name_and_version_is_an_error() -> None:
    @timeline.event_type("test_events.taken")
    class First(Event):
        pass

    with pytest.raises(timeline.InvalidEventError, match=r"test_events\.taken"):

        @timeline.event_type("test_events.taken")
        class Second(Event):
            pass

    assert lookup_event_type("test_events.taken") is First
    # The built-in retraction's name is taken too.
    with pytest.raises(timeline.InvalidEventError, match=r"timeline\.retracted"):

        @timeline.event_type("timeline.retracted")
        class Impostor(Event):
            pass

    assert lookup_event_type("timeline.retracted") is Retraction


def test_redeclaring_the_same_class_replaces_the_registration() -> None:
    made = []
    for _ in range(2):

        @timeline.event_type("test_events.reloaded")
        class Reloaded(Event):
            pass

        made.append(Reloaded)
    assert made[0] is not made[1]
    assert lookup_event_type("test_events.reloaded") is made[1]


@pytest.mark.parametrize("name", ["", " padded", 5, None])
def test_bad_type_names_are_refused(name: Any) -> None:
    with pytest.raises(timeline.InvalidEventError, match=re.escape(repr(name))):
        timeline.event_type(name)


@pytest.mark.parametrize("version", [0, -1, True, "1"])
def test_bad_versions_are_refused(version: Any) -> None:
    with pytest.raises(timeline.InvalidEventError, match="version"):
        timeline.event_type("test_events.badversion", version=version)


def test_only_event_subclasses_can_be_declared() -> None:
    with pytest.raises(timeline.InvalidEventError, match="NotAnEvent"):

        @timeline.event_type("test_events.not_an_event")
        class NotAnEvent:
            pass


# -- the envelope ---------------------------------------------------------


@given(uncertain_dates())
def test_an_occurred_text_is_parsed_with_parse_date(date: UncertainDate) -> None:
    from_text = Noted(**{**ENVELOPE, "occurred": date.to_edtf()})
    assert from_text.occurred == timeline.parse_date(date.to_edtf()) == date
    assert Noted(**{**ENVELOPE, "occurred": date}).occurred is date


@pytest.mark.parametrize(
    "text", ["June 2024", "about 2023", "2024年6月頃", "before 2025-07-14", "1985/.."]
)
def test_free_text_occurred(text: str) -> None:
    assert Noted(**{**ENVELOPE, "occurred": text}).occurred == timeline.parse_date(text)


@given(st.dates() | st.datetimes() | st.datetimes(timezones=st.timezones()))
@example(datetime.datetime(2025, 7, 14, 9, 30, tzinfo=datetime.UTC))
@example(
    datetime.datetime(1999, 10, 31, 2, 0, fold=1, tzinfo=ZoneInfo("Asia/Ust-Nera"))
)
def test_recorded_iso_text_is_converted(value: datetime.date) -> None:
    event = Noted(**{**ENVELOPE, "recorded": value.isoformat()})
    # (Aware datetimes in a DST fold never compare equal across zones.)
    assert event.recorded.isoformat() == value.isoformat()
    assert type(event.recorded) is type(value)
    assert Noted(**{**ENVELOPE, "recorded": value}).recorded is value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("id", " e1"),
        ("id", 5),
        ("occurred", "not a date at all"),
        ("occurred", "2023-02-29"),
        ("occurred", 2024),
        ("recorded", "yesterday"),
        ("recorded", "2024-13-01"),
        ("recorded", 20240101),
        ("supersedes", ("",)),
        ("supersedes", ""),
        ("supersedes", 5),
        ("tags", ("ok", 3)),
    ],
)
def test_bad_envelope_values_are_invalid_event_errors(field: str, value: Any) -> None:
    with pytest.raises(timeline.InvalidEventError) as info:
        Noted(**{**ENVELOPE, field: value})
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, timeline.TimelineError)
    shown = value[-1] if isinstance(value, tuple) else value
    assert repr(shown) in str(info.value) or str(shown) in str(info.value)


def test_an_event_cannot_supersede_itself() -> None:
    with pytest.raises(timeline.InvalidEventError, match="'e1'"):
        Noted(**ENVELOPE, supersedes=("e0", "e1"))


def test_a_retraction_must_name_what_it_retracts() -> None:
    with pytest.raises(timeline.InvalidEventError, match="'r1'"):
        Retraction(**{**ENVELOPE, "id": "r1"})
    retraction = Retraction(**{**ENVELOPE, "id": "r1"}, supersedes="e1")
    assert retraction.supersedes == ("e1",)
    assert retraction.payload() == {"reason": None}
    assert lookup_event_type("timeline.retracted") is Retraction


def test_source_summary_and_tags() -> None:
    event = Noted(
        **ENVELOPE,
        source=Source(title="Gazette", published="June 2024", confidence="high"),
        summary={"en": "Treaty signed", "ja": "条約に署名"},
        tags=["treaty", "signing"],
    )
    assert event.source is not None
    assert event.source.published == timeline.parse_date("June 2024")
    assert isinstance(event.summary, Text)
    assert event.summary.get("ja") == "条約に署名"
    assert str(event.summary) == "Treaty signed"
    assert event.tags == ("treaty", "signing")
    with pytest.raises(timeline.InvalidEventError, match="'certain'"):
        Source(title="Gazette", confidence="certain")
    with pytest.raises(timeline.InvalidEventError, match="not a date"):
        Source(title="Gazette", published="not a date")
    with pytest.raises(timeline.InvalidEventError):
        Noted(**ENVELOPE, summary={})
    # A plain text is the source's title (test_a_source_given_as_text_is_its_title).
    assert Noted(**ENVELOPE, source="Gazette").source == Source(title="Gazette")


# -- conveniences (issue 12 item 5) -------------------------------------------


def test_occurred_takes_a_date_or_a_datetime() -> None:
    day = Noted(id="a", occurred=datetime.date(1923, 4, 1), recorded="2024-01-01")
    assert day.occurred == timeline.UncertainDate.from_date(datetime.date(1923, 4, 1))
    assert day.occurred.is_exact_day
    moment = Noted(
        id="b", occurred=datetime.datetime(1923, 4, 1, 10, 30), recorded="2024-01-01"
    )
    assert moment.occurred == timeline.parse_edtf("1923-04-01T10:30:00")
    with pytest.raises(timeline.InvalidEventError, match="whole seconds"):
        Noted(
            id="c",
            occurred=datetime.datetime(1923, 4, 1, 10, 30, 0, 5),
            recorded="2024-01-01",
        )
    with pytest.raises(timeline.InvalidEventError, match=r"datetime\.date.*got 1923"):
        Noted(id="d", occurred=1923, recorded="2024-01-01")  # type: ignore[arg-type]


def test_a_source_given_as_text_is_its_title() -> None:
    event = Noted(id="a", occurred="1923", recorded="2024-01-01", source="KCNA")
    assert event.source == timeline.Source(title="KCNA")
    with pytest.raises(timeline.InvalidEventError, match=r"source: expected.*got 42"):
        Noted(id="b", occurred="1923", recorded="2024-01-01", source=42)  # type: ignore[arg-type]
