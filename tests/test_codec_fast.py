"""The fast paths of the record codec against its reference.

``encode_event`` (orjson, exact type checks) must write exactly the bytes of
``encode_event_reference`` (stdlib json, every value decoded back and
compared), refuse exactly what it refuses, with the same message; the fast
reader must read back exactly what the stdlib reader does.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import orjson
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import event as event_
from hypothesis import strategies as st

import timeline
from _odd_json import respell
from timeline import Event, Text, TimelineError, UncertainDate
from timeline._storage.codec import (
    GENESIS,
    HEADER,
    CodecError,
    chain_hash,
    decode_fast,
    decode_record,
    encode_batch,
    encode_event,
    encode_event_reference,
    read_record,
    seal,
)
from timeline._storage.jsonl import scan_bytes
from timeline.exceptions import IntegrityError
from timeline.strategies import events, uncertain_dates


class Hue(enum.Enum):
    RED = "red"
    BLUE = "blue"
    ALSO_RED = "red"  # noqa: PIE796 - an alias, on purpose


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


class Odd(enum.Enum):
    """Values the fast path does not pass as they are."""

    YES = True
    PAIR = (1, 2)
    HALF = 0.5


class Perm(enum.Flag):
    R = 4
    W = 2


@attrs.frozen
class Span:
    low: float
    high: float
    unit: str = "km"


@timeline.event_type("codecfast.simple")
class Simple(Event):
    """Only field types the fast path checks by type alone."""

    count: int = 0
    ratio: float = 0.0
    label: str = ""
    flag: bool = False
    hue: Hue = Hue.RED
    size: Size | None = None
    when: UncertainDate | None = None
    day: datetime.date | None = None
    stamp: datetime.datetime | None = None
    caption: Text | None = None


@timeline.event_type("codecfast.mixed")
class Mixed(Event):
    """Field types that take the reference's decode-and-compare."""

    anything: Any = None
    span: Span | None = None
    pair: tuple[int, str] = (0, "")
    names: tuple[str, ...] = ()
    members: frozenset[str] = frozenset()
    scores: Mapping[str, float] = attrs.field(factory=dict, hash=False)
    either: int | str = 0
    mode: Literal["a", "b"] = "a"
    odd: Odd | None = None
    perm: Perm | None = None


_ENVELOPE = {"id": "e1", "occurred": "2024-06", "recorded": "2024-07-01"}
_zones = st.sampled_from(
    [
        None,
        datetime.UTC,
        datetime.timezone(datetime.timedelta(hours=9)),
        datetime.timezone(datetime.timedelta(hours=-3, minutes=-30, seconds=-7)),
    ]
)
# Floats of every magnitude, ints beyond 64 bits, text with lone surrogates.
_floats = st.floats() | st.floats(-1e-3, 1e-3) | st.sampled_from([1e-5, 1e16, -0.0])
_ints = st.integers() | st.integers(-(2**70), 2**70)
_texts = st.text(st.characters(codec=None, categories=None), max_size=6)
_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | _ints | _floats | _texts,
    lambda inner: (
        st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_texts, inner, max_size=3)
    ),
    max_leaves=6,
)


def _same(event: Event, seq: int = 7, more: bool = False) -> bytes | None:
    """Both encoders agree: the same bytes, or the same CodecError."""
    try:
        expected = encode_event_reference(event, seq, more=more)
    except CodecError as error:
        refused = str(error)
    else:
        assert encode_event(event, seq, more=more) == expected
        return expected
    with pytest.raises(CodecError) as caught:
        encode_event(event, seq, more=more)
    assert str(caught.value) == refused
    return None


def _round_trip(event: Event, body: bytes | None) -> None:
    if body is not None:
        assert decode_record(json.loads(body), "test").event == event


@given(
    events(
        Simple,
        stamp=st.none() | st.datetimes(timezones=_zones),
        recorded=st.dates() | st.datetimes(timezones=_zones),
    ),
    st.integers(1, 2**40),
    st.booleans(),
)
@settings(max_examples=400, deadline=None)
def test_simple_fields_encode_as_the_reference(
    event: Simple, seq: int, more: bool
) -> None:
    body = _same(event, seq, more)
    _round_trip(event, body)


@given(events(Mixed, anything=_values, scores=st.dictionaries(_texts, _floats)))
@settings(max_examples=400, deadline=None)
def test_mixed_fields_encode_as_the_reference(event: Mixed) -> None:
    _same(event)


@given(
    count=_ints,
    ratio=_floats | _ints,
    label=_texts,
    event_id=_texts.filter(lambda s: s and s == s.strip()),
    tags=st.lists(_texts.filter(bool), max_size=2),
)
@example(count=2**64, ratio=1.0, label="", event_id="x", tags=[])
@example(count=-(2**63) - 1, ratio=1e-5, label="", event_id="x", tags=[])
@example(count=0, ratio=float("nan"), label="", event_id="x", tags=[])
@example(count=0, ratio=float("-inf"), label="", event_id="x", tags=[])
@example(count=0, ratio=2**60 + 1, label="", event_id="x", tags=[])  # an int
@example(count=0, ratio=0.0, label="\ud800", event_id="x", tags=[])
@example(count=0, ratio=0.0, label="", event_id="\udfff", tags=[])
@example(count=0, ratio=0.0, label="", event_id="x", tags=["\ud800"])
@example(count=0, ratio=0.0, label='\x00\x1f\x7f\u2028"\\', event_id="x", tags=[])
@settings(max_examples=400, deadline=None)
def test_numbers_and_text_encode_as_the_reference(
    count: int, ratio: Any, label: str, event_id: str, tags: list[str]
) -> None:
    event = Simple(
        **{**_ENVELOPE, "id": event_id},
        tags=tags,
        count=count,
        ratio=ratio,
        label=label,
    )
    body = _same(event)
    if body is not None and not isinstance(ratio, int):
        _round_trip(event, body)


#: Values of the wrong type for their field: refused, naming the field.
WRONG: list[tuple[str, Any]] = [
    ("count", True),
    ("count", 2.0),
    ("count", "3"),
    ("count", None),
    ("ratio", "1.5"),
    ("ratio", True),
    ("label", 3),
    ("label", None),
    ("flag", 1),
    ("hue", "red"),
    ("hue", Size.SMALL),
    ("when", "2024"),
    ("when", datetime.date(2024, 1, 1)),
    ("day", datetime.datetime(2024, 1, 1, 10)),
    ("day", "2024-01-01"),
    ("stamp", datetime.date(2024, 1, 1)),
    ("caption", {"en": "x"}),
    ("caption", Text((("en", "a"), ("en", "b")))),
    ("caption", Text(())),
]


@pytest.mark.parametrize(("field", "value"), WRONG)
def test_values_of_the_wrong_type_are_refused_as_by_the_reference(
    field: str, value: Any
) -> None:
    event = Simple(**_ENVELOPE, **{field: value})
    with pytest.raises(CodecError, match=f"payload field {field}"):
        encode_event(event, 1)
    assert _same(event) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("anything", (1, 2)),  # would read back as a list
        ("anything", object()),
        ("anything", {1: "a"}),
        ("anything", float("nan")),
        ("span", Span(1.0, float("inf"))),
        ("pair", (1, 2)),
        ("odd", Odd.PAIR),
        ("mode", "c"),
        ("scores", {"a": 10**400}),
    ],
)
def test_complex_values_are_refused_as_by_the_reference(field: str, value: Any) -> None:
    event = Mixed(**_ENVELOPE, **{field: value})
    with pytest.raises(CodecError, match=f"payload field {field}"):
        encode_event(event, 1)
    assert _same(event) is None


def test_values_that_read_back_pass_as_in_the_reference() -> None:
    for event in [
        Simple(**_ENVELOPE, hue=Hue.ALSO_RED, size=Size.LARGE, ratio=1e-7),
        Simple(**_ENVELOPE, ratio=3),  # an int reads back as 3.0 == 3
        Simple(**_ENVELOPE, size=1),  # reads back as Size.SMALL == 1
        Mixed(**_ENVELOPE, odd=Odd.YES, perm=Perm.R | Perm.W, span=Span(1e-9, 1e300)),
    ]:
        body = _same(event)
        assert body is not None
        _round_trip(event, body)


@given(st.lists(events(Simple), min_size=1, max_size=5), st.integers(0, 10**6))
@settings(max_examples=100, deadline=None)
def test_a_batch_is_the_chained_lines_of_the_reference(
    batch: list[Simple], seq: int
) -> None:
    head = start = chain_hash(GENESIS, b"{}")
    expected = []
    for index, event in enumerate(batch):
        body = encode_event_reference(
            event, seq + index + 1, more=index != len(batch) - 1
        )
        head = chain_hash(head, body)
        expected.append(seal(body, head))
    lines, last = encode_batch(batch, seq, start)
    assert b"".join(lines) == b"".join(expected)
    assert last == head


def test_a_refused_event_is_named_by_its_place_in_the_batch() -> None:
    fine = Simple(**_ENVELOPE)
    bad = Simple(**{**_ENVELOPE, "id": "e2"}, count="3")
    with pytest.raises(CodecError) as caught:
        encode_batch([fine, bad], 0, GENESIS)
    assert str(caught.value).startswith("event 2 of the batch: event 'e2': ")
    assert "payload field count" in str(caught.value)


@given(uncertain_dates())
def test_dates_in_payloads_encode_as_the_reference(date: UncertainDate) -> None:
    _round_trip(Simple(**_ENVELOPE, when=date), _same(Simple(**_ENVELOPE, when=date)))


# -- the fast reader ---------------------------------------------------------


def _read_both(body: bytes, seq: int) -> None:
    """decode_fast reads ``body``, record ``seq``, as the reference does, or
    leaves it to the reference."""
    try:
        reference = read_record(body, "test")
    except (ValueError, TimelineError):
        reference = None
    if reference is not None:
        # The reference takes exactly what the writer writes (the writer's
        # reference path as the oracle: read_record checks with the fast one).
        again = encode_event_reference(
            reference.event, reference.seq, more=reference.more
        )
        assert again == body
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return
    if type(parsed) is not dict or type(parsed.get("seq")) is not int:
        return
    if parsed["seq"] != seq:  # the caller's check, before decode_fast
        return
    fast = decode_fast(parsed, body, {})
    if fast is None:
        return
    assert reference is not None, "the fast reader took what the reference refuses"
    event, more = fast
    # repr, not ==: 1.0 == 1, but a float must not come back for an int.
    assert repr(event) == repr(reference.event)
    assert more is reference.more


@given(
    events(
        Simple,
        stamp=st.none() | st.datetimes(timezones=_zones),
        recorded=st.dates() | st.datetimes(timezones=_zones),
    ),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_the_fast_reader_reads_simple_events_as_written(
    event: Simple, more: bool
) -> None:
    body = encode_event(event, 3, more=more)
    _read_both(body, 3)
    fast = decode_fast(orjson.loads(body), body, {})
    if fast is not None:  # None for ints beyond 64 bits, which orjson reads as floats
        assert fast == (event, more)


def test_the_fast_reader_takes_ordinary_events() -> None:
    ordinary = [
        Simple(**_ENVELOPE),
        Simple(
            **_ENVELOPE,
            source=timeline.Source(title="t", published="2024"),
            summary={"en": "a", "ja": "b"},
            tags=("x",),
            supersedes=("e0",),
            count=-(2**63),
            ratio=1e-3,  # (below 1e-4, orjson spells floats otherwise)
            label="\x00é",
            flag=True,
            hue=Hue.BLUE,
            size=Size.LARGE,
            when=timeline.parse_edtf("2024-06~"),
            day=datetime.date(2024, 1, 2),
            stamp=datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC),
            caption=Text.of("c"),
        ),
        Mixed(**_ENVELOPE, anything=[1, {"a": None}], span=Span(1.0, 2.5)),
    ]
    for event in ordinary:
        for more in (False, True):
            body = encode_event(event, 3, more=more)
            assert decode_fast(orjson.loads(body), body, {}) == (event, more)


@given(events(Mixed, anything=_values, scores=st.dictionaries(_texts, _floats)))
@settings(max_examples=300, deadline=None)
def test_the_fast_reader_reads_mixed_events_as_the_reference(event: Mixed) -> None:
    try:
        body = encode_event(event, 3)
    except CodecError:
        return
    _read_both(body, 3)


def _not_negative(instance: object, attribute: Any, value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name}: expected at least 0, got {value}")


@timeline.event_type("codecfast.checked")
class Checked(Event):
    """Fields with their own validator and converter, and a check after
    __init__: the fast reader builds these by calling the class."""

    count: int = attrs.field(default=0, validator=_not_negative)
    label: str = attrs.field(default="", converter=str.strip)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.count == 13:
            raise ValueError("count: 13 is refused")


@timeline.event_type("codecfast.plain")
class Plain(Event):
    """Plain fields: the fast reader sets its slots itself."""

    count: int = 0
    label: str = ""


@given(
    st.sampled_from([Checked, Plain]),
    st.integers(-3, 20) | _ints,
    st.sampled_from(["", "a", " a", "a ", "\t"]) | _texts,
    st.lists(st.sampled_from(["e0", "e1", "", " e2"]), max_size=2),
    st.lists(st.sampled_from(["x", "", "x"]), max_size=2),
    st.sampled_from(["e1", "", " e1", "e1 "]),
)
@example(Checked, 13, "a", [], [], "e1")
@example(Checked, -1, "a", [], [], "e1")
@example(Checked, 1, " a", [], [], "e1")
@example(Plain, 1, "a", ["e1"], [], "e1")
@example(Plain, 1, "a", [""], [], "e1")
@example(Plain, 1, "a", [], [""], "e1")
@example(Plain, 1, "a", [], [], " e1")
@settings(max_examples=300, deadline=None)
def test_the_fast_reader_builds_events_as_their_class_does(
    kind: type[Event],
    count: int,
    label: str,
    supersedes: list[str],
    tags: list[str],
    event_id: str,
) -> None:
    """Whether it calls the class or sets the slots itself, the fast reader
    takes only what the reference takes, as the same event: a validator,
    converter or __attrs_post_init__ of the class refuses there too, and
    the envelope's own checks (an empty id or tag, an event superseding
    itself) are made without its converters."""
    record = json.loads(encode_event_reference(kind(**_ENVELOPE), 1))
    record.update(id=event_id, supersedes=supersedes, tags=tags)
    record["payload"] = {"count": count, "label": label}
    _read_json(record, ascii_only=False)


def test_the_fast_reader_sets_the_slots_of_plain_classes_only() -> None:
    from timeline._storage.codec import _trusted

    assert _trusted(Plain)
    assert _trusted(Simple)
    assert _trusted(Mixed)
    assert not _trusted(Checked)
    assert not _trusted(timeline.Retraction)  # (its __attrs_post_init__)


_MEMBERS = [
    "seq",
    "id",
    "type",
    "v",
    "occurred",
    "recorded",
    "source",
    "summary",
    "supersedes",
    "tags",
    "more",
    "payload",
]


@given(
    st.sampled_from([Simple(**_ENVELOPE), Mixed(**_ENVELOPE)]),
    st.sampled_from(_MEMBERS)
    | st.sampled_from([a.name for a in attrs.fields(Simple)][7:]).map(
        "payload.{}".format
    )
    | st.sampled_from([a.name for a in attrs.fields(Mixed)][7:]).map(
        "payload.{}".format
    ),
    _values | st.sampled_from([2**64, -(2**63) - 1, 10**30, 1e300, 1.0, "2024", True]),
    st.booleans(),
)
@example(Mixed(**_ENVELOPE), "payload.anything", 2**64, False)
@example(Mixed(**_ENVELOPE), "payload.anything", 10**25, True)
@example(Mixed(**_ENVELOPE), "payload.either", 2**64, False)
@example(Mixed(**_ENVELOPE), "payload.scores", {"a": 2**70}, False)
@example(Simple(**_ENVELOPE), "payload.count", 2**64, False)
@example(Simple(**_ENVELOPE), "payload.ratio", 2**64, False)
@example(Simple(**_ENVELOPE), "payload.ratio", 10**400, False)
@example(Simple(**_ENVELOPE), "payload.size", 2**64, False)
@example(Simple(**_ENVELOPE), "payload.hue", "red", True)
@example(Simple(**_ENVELOPE), "v", True, False)
@example(Simple(**_ENVELOPE), "tags", "ab", False)
@example(Simple(**_ENVELOPE), "supersedes", {"a": 1}, False)
@example(Simple(**_ENVELOPE), "more", 1, False)
@example(Simple(**_ENVELOPE), "payload.label", "\ud800", False)
@settings(max_examples=500, deadline=None)
def test_the_fast_reader_never_takes_what_the_reference_refuses(
    event: Event, member: str, value: Any, ascii_only: bool
) -> None:
    record = json.loads(encode_event_reference(event, 1))
    if member.startswith("payload."):
        record["payload"][member.removeprefix("payload.")] = value
    else:
        record[member] = value
    _read_json(record, ascii_only=ascii_only)


def _read_json(record: dict[str, Any], *, ascii_only: bool) -> None:
    """_read_both of record 1 written as compact JSON (if UTF-8 holds it)."""
    text = json.dumps(record, ensure_ascii=ascii_only, separators=(",", ":"))
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    _read_both(body, 1)


def _log_bytes(bodies: list[bytes]) -> bytes:
    lines = [HEADER + b"\n"]
    head = GENESIS
    for body in bodies:
        head = chain_hash(head, body)
        lines.append(seal(body, head))
    return b"".join(lines)


def test_a_log_reads_what_orjson_would_read_otherwise_as_the_stdlib_does() -> None:
    """Long ints (orjson: floats) are read by the reference path, as the
    stdlib reads them."""
    long_int = encode_event(Mixed(**_ENVELOPE, anything=2**64, either=-(2**70)), 1)
    small = encode_event(Simple(**{**_ENVELOPE, "id": "e2"}, ratio=1e-7), 2)
    scan = scan_bytes(_log_bytes([long_int, small]))
    first, second = scan.events
    assert isinstance(first, Mixed)
    assert type(first.anything) is int
    assert first.anything == 2**64
    assert first.either == -(2**70)
    assert isinstance(second, Simple)
    assert second.ratio == 1e-7
    assert [r.event for r in scan.records] == [first, second]


def test_an_escaped_lone_surrogate_is_refused() -> None:
    """The writer cannot write a lone surrogate (UTF-8 cannot hold one), so a
    record holding one escaped, with a valid hash, is refused (issue 16: it
    used to verify, then crash ``timeline events`` when printed)."""
    for member, replaced in [
        (b'"label":""', b'"label":"\\ud800"'),
        (b'"id":"e2"', b'"id":"\\ud800x"'),
        (b'"tags":[]', b'"tags":["\\udfff"]'),
    ]:
        body = encode_event(Simple(**{**_ENVELOPE, "id": "e2"}), 1)
        assert member in body
        with pytest.raises(IntegrityError, match=r"line 2: .*lone surrogate \(U\+D"):
            scan_bytes(_log_bytes([body.replace(member, replaced)]), "x.jsonl")


def test_a_number_too_large_for_a_float_is_refused() -> None:
    """1e400 is valid JSON, but the stdlib parser (which reads what orjson
    refuses) makes it inf, and the format stores finite numbers only, as the
    writer refuses inf: a hand-edited log holding it does not read."""
    huge = encode_event(Simple(**_ENVELOPE), 1).replace(
        b'"ratio":0.0', b'"ratio":1e400'
    )
    with pytest.raises(IntegrityError, match=r"line 2.*ratio.*finite number"):
        scan_bytes(_log_bytes([huge]))


def test_errors_name_the_line_as_before() -> None:
    good = encode_event(Simple(**_ENVELOPE), 1)
    wrong_type = encode_event(Simple(**{**_ENVELOPE, "id": "e2"}), 2).replace(
        b'"count":0', b'"count":"0"'
    )
    with pytest.raises(CodecError) as reference:
        decode_record(json.loads(wrong_type), "seq 2")
    assert str(reference.value) == "seq 2.count: expected an integer, got '0'"
    with pytest.raises(IntegrityError) as caught:
        scan_bytes(_log_bytes([good, wrong_type]), "x.jsonl")
    assert str(caught.value) == f"x.jsonl: line 3: {reference.value}"


def test_the_installed_orjson_writes_the_canonical_bytes() -> None:
    """The fast encoder is on only if orjson spells its sample as the stdlib
    encoder does; with a different spelling it would be off, not wrong."""
    from timeline._storage import codec

    assert codec._FAST is codec._orjson_writes_canonical_json() is True


def test_without_the_fast_encoder_a_batch_has_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the self-check failed (_FAST off), encode_batch writes through the
    reference encoder, and the bytes are the same."""
    from timeline._storage import codec

    events = [
        Simple(id=f"e{i}", occurred="2024-06", recorded="2024-07-01", count=i)
        for i in range(3)
    ]
    fast = codec.encode_batch(events, 0, codec.GENESIS)
    calls = []
    reference = codec.encode_event_reference

    def counted(*args: Any, **kwargs: Any) -> bytes:
        calls.append(args)
        return reference(*args, **kwargs)

    monkeypatch.setattr(codec, "_FAST", False)
    monkeypatch.setattr(codec, "encode_event_reference", counted)
    assert codec.encode_batch(events, 0, codec.GENESIS) == fast
    assert len(calls) == len(events)


# -- other spellings of a record ---------------------------------------------


@given(
    st.sampled_from(
        [
            Simple(
                **_ENVELOPE,
                summary={"en": "a", "ja": "条約"},
                source=timeline.Source(title="t", url="u"),
                tags=("x", "y"),
                count=-5,
                ratio=2.5,
                label='é\t"x',
                hue=Hue.BLUE,
                when=timeline.parse_edtf("2024-06~"),
                stamp=datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC),
                caption=Text.of("c"),
            ),
            Mixed(
                **_ENVELOPE,
                anything={"b": [1, 2.5], "a": None},
                span=Span(1.0, 2.5),
                pair=(3, "x"),
                names=("b", "a"),
                members=frozenset({"p", "q", "r"}),
                scores={"x": 1.5, "y": 2},
                either="s",
            ),
        ]
    ),
    st.booleans(),
    st.data(),
)
@settings(max_examples=600, deadline=None)
def test_a_record_the_writer_would_not_write_is_refused(
    event: Event, more: bool, draw: st.DataObject
) -> None:
    """Hash aside, a body is read only if it is exactly what the writer
    writes for the event it reads as (issue 16): any other spelling of the
    same JSON (white space, escapes, number forms), members repeated or
    reordered, is refused by the reference reader and never taken by the
    fast one."""
    body = encode_event(event, 5, more=more)
    text = respell(json.loads(body), draw)
    changed = text.encode("utf-8")
    assume(changed != body)
    try:
        record = read_record(changed, "test")
    except TimelineError:
        record = None
    if record is not None:
        # Another record the writer writes (say, a summary's languages in
        # another order): the writer's bytes for it are these.
        event_("another record the writer writes")
        assert encode_event_reference(record.event, 5, more=record.more) == changed
    else:
        event_("refused")
        try:
            parsed = orjson.loads(changed)
        except orjson.JSONDecodeError:  # a lone surrogate
            parsed = None
        if type(parsed) is dict and type(parsed.get("seq")) is int:  # (as scan)
            assert decode_fast(parsed, changed, {}) is None
    _read_both(changed, 5)
