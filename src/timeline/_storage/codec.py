"""The record format shared by every durable log (see docs/format.md).

An event becomes a *record*: one canonical JSON object with a fixed key
order, UTF-8, no insignificant white space.  Payload values are written by
type and read back by the type annotations of the event class, so the file
stays plain, reviewable JSON (a date is ``"2024-06"``, not a tagged object).
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import functools
import hashlib
import inspect
import json
import math
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import orjson

from timeline._dates import UncertainDate
from timeline._dates import edtf as _edtf
from timeline._dates.edtf import parse_edtf
from timeline._events import (
    Event,
    Source,
    Text,
    _to_recorded,
    fields_of,
    lookup_event_type,
    payload_fields,
)
from timeline.exceptions import (
    InvalidDateError,
    InvalidEventError,
    UnknownEventTypeError,
)

__all__ = [
    "FORMAT_VERSION",
    "GENESIS",
    "HEADER",
    "Record",
    "chain_hash",
    "decode_fast",
    "decode_record",
    "decode_usual",
    "encode_event",
    "upcaster",
]

FORMAT_VERSION: Final = 1
HEADER: Final = b'{"timeline":"jsonl","format":1}'
# The chain starts from the hash of the header line.
GENESIS: Final = hashlib.sha256(HEADER).digest()
_HASH_SUFFIX_LEN: Final = len(',"hash":""}') + 64

Decoder = Callable[[Any, str], Any]

_dumps = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False
).encode


class CodecError(InvalidEventError):
    """A value cannot be written to, or read from, the record format."""


def chain_hash(previous: bytes, body: bytes) -> bytes:
    """SHA-256 over the previous record's hash and this record's body."""
    return hashlib.sha256(previous + body).digest()


# -- encoding -------------------------------------------------------------


def _encode_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CodecError(f"{where}: non-finite float {value!r} cannot be stored")
        return value
    if isinstance(value, UncertainDate):
        return value.to_edtf()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _encode_value(value.value, where)
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, tuple | list):
        return [_encode_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, frozenset | set):
        items = [_encode_value(item, f"{where}{{}}") for item in value]
        return sorted(items, key=_dumps)
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise CodecError(f"{where}: mapping keys must be str, got {key!r}")
        return {
            key: _encode_value(value[key], f"{where}.{key}") for key in sorted(value)
        }
    if attrs.has(type(value)):
        return {
            a.name: _encode_value(getattr(value, a.name), f"{where}.{a.name}")
            for a in attrs.fields(type(value))
            if a.init
        }
    raise CodecError(
        f"{where}: a {type(value).__name__} cannot be stored; use None, bool, "
        "int, float, str, UncertainDate, date, datetime, Enum, tuple, "
        "frozenset, a str-keyed mapping or an attrs class of these"
    )


def encode_event_reference(event: Event, seq: int, *, more: bool = False) -> bytes:
    """The record body of ``event``, the reference way: stdlib json, and
    every payload value decoded back and compared with the original.

    :func:`encode_event` writes the same bytes faster and falls back to this
    for anything unusual (and to name what is wrong); the tests compare the
    two.
    """
    kind = type(event)
    source = event.source
    try:
        occurred = _edtf_text(event.occurred)
        payload = {
            name: _encode_value(getattr(event, name), f"payload field {name}")
            for name in _payload_names(kind)
        }
        record: dict[str, Any] = {
            "seq": seq,
            "id": event.id,
            "type": kind.type_name,
            "v": kind.schema_version,
            "occurred": occurred,
            "recorded": event.recorded.isoformat(),
            "source": None if source is None else _encode_value(source, "source"),
            "summary": None if event.summary is None else event.summary.as_dict(),
            "supersedes": list(event.supersedes),
            "tags": list(event.tags),
            "payload": payload,
        }
        if more:
            record["more"] = True
        _check_readable(event, record)
    except CodecError as error:
        raise CodecError(f"event {event.id!r}: {error}") from None
    try:
        return _dumps(record).encode("utf-8")
    except ValueError:  # a lone surrogate, an int too long for JSON text
        pass
    parts = [(f"payload field {k}", v) for k, v in record["payload"].items()]
    parts += [(k, v) for k, v in record.items() if k != "payload"]
    for label, item in parts:
        try:
            _dumps(item).encode("utf-8")
        except ValueError as error:
            raise CodecError(
                f"event {event.id!r}: {label}: cannot be stored: {error}"
            ) from None
    raise CodecError(f"event {event.id!r}: cannot be stored")  # pragma: no cover


_PAYLOAD_NAMES: dict[type, tuple[str, ...]] = {}


def _payload_names(kind: type[Event]) -> tuple[str, ...]:
    names = _PAYLOAD_NAMES.get(kind)
    if names is None:
        names = _PAYLOAD_NAMES[kind] = payload_fields(kind)
    return names


@functools.lru_cache(maxsize=1 << 16)
def _edtf_text(date: UncertainDate) -> str:
    """The EDTF text of a date, once it is known to read back as the same."""
    if not isinstance(date, UncertainDate):
        raise CodecError(f"occurred: expected an UncertainDate, got {date!r}")
    text = date.to_edtf()
    try:
        again = _parse_edtf_cached(text)
    except InvalidDateError as error:
        raise CodecError(f"occurred: {date!r} is written {text!r}: {error}") from None
    # parse_edtf caches its dates: the same object is the common case, and
    # attrs' == compares every field even then (about 0.5 us).
    if again is not date and again != date:
        raise CodecError(f"occurred: {date!r} would read back as {again!r}")
    return text


def _check_readable(event: Event, record: dict[str, Any]) -> None:
    """Refuse to write what would not read back as the same event: a value
    of the wrong type for its field would make the whole log unreadable."""
    decoders = _event_decoders(type(event))
    checks = [
        (name, f"payload field {name}", encoded)
        for name, encoded in record["payload"].items()
    ]
    if event.source is not None:
        checks.append(("source", "source", record["source"]))
    if event.summary is not None:
        checks.append(("summary", "summary", record["summary"]))
    for name, label, encoded in checks:
        original = getattr(event, name)
        try:
            decoded = decoders[name](encoded, label)
        except CodecError as error:
            raise CodecError(
                f"{error} (the value of {label} does not match its declared "
                "type, so the log could not read it back)"
            ) from None
        if not (decoded == original):
            raise CodecError(
                f"{label}: {original!r} would read back as {decoded!r}; "
                "give the field a value of its declared type"
            )
    recorded = record["recorded"]
    if not isinstance(event.recorded, datetime.date) or not _reads_back(
        recorded, event.recorded
    ):
        raise CodecError(
            f"recorded: {event.recorded!r} would read back as {recorded!r}"
        )


def _reads_back(text: str, value: datetime.date) -> bool:
    """Does the recorded ``text`` read back as ``value``?  An aware time
    reads back with a fixed offset: the same instant at the same offset will
    do, though a time in a zone's repeated hour compares unequal to it."""
    again = _parse_recorded(text)
    if again == value:
        return True
    return (
        isinstance(again, datetime.datetime)
        and isinstance(value, datetime.datetime)
        and again.tzinfo is not None
        and value.tzinfo is not None
        and again.utcoffset() == value.utcoffset()
        and again.replace(tzinfo=None) == value.replace(tzinfo=None, fold=0)
    )


def _parse_recorded(text: str) -> datetime.date | None:
    try:
        if "T" in text:
            return datetime.datetime.fromisoformat(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def seal(body: bytes, digest: bytes) -> bytes:
    """The full line: the body with its hash as the last member, and a newline."""
    return body[:-1] + b',"hash":"' + digest.hex().encode("ascii") + b'"}\n'


def unseal(line: bytes) -> tuple[bytes, str]:
    """Split a line (without its newline) into body bytes and hash text."""
    if len(line) < _HASH_SUFFIX_LEN or not line.endswith(b'"}'):
        raise ValueError("the record does not end with its hash member")
    suffix = line[-_HASH_SUFFIX_LEN:]
    if not suffix.startswith(b',"hash":"'):
        raise ValueError("the record does not end with its hash member")
    return line[:-_HASH_SUFFIX_LEN] + b"}", suffix[9:-2].decode("ascii")


# -- what the writer writes ------------------------------------------------
#
# A reader accepts exactly the records the writer writes (issue 16): a body
# must be, byte for byte, the canonical JSON text of the value it parses as
# (which refuses a member given twice, since the parsed object keeps one; a
# lone surrogate, which UTF-8 cannot hold; white space; and any other
# spelling of a number, a string or an escape); then its envelope and its
# payload must be what the writer writes for the event they read as.


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (the format stores finite ones)")


_JSON: Final = json.JSONDecoder(parse_constant=_reject_constant)


def canonical_json(body: bytes) -> Any:
    """The JSON value of ``body``, which must be exactly the canonical JSON
    text of that value (UTF-8, no white space, the stdlib's spelling of
    numbers and escapes, each member once): :class:`CodecError` saying what
    differs otherwise (without a location: the caller names the record)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CodecError(
            f"not valid UTF-8: byte 0x{body[error.start]:02x} at byte "
            f"{error.start} of the record"
        ) from None
    try:
        value = _JSON.decode(text)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise CodecError(f"invalid JSON: {reason}") from None
    try:
        again = _dumps(value).encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(error.object[error.start])
        raise CodecError(
            f"a string holds a lone surrogate (U+{code:04X}), which UTF-8 "
            "cannot hold: the writer never writes one"
        ) from None
    except RecursionError:
        raise CodecError("invalid JSON: nested too deeply") from None
    except ValueError:  # a number beyond the floats, which parses as inf
        raise CodecError(
            f"{_infinite(value) or 'the record'}: a number too large for a "
            "float (it reads as infinity); the format stores finite numbers only"
        ) from None
    if again != body:
        repeated = _repeated_member(text)
        if repeated is not None:
            raise CodecError(
                f"the member {repeated!r} appears twice in one object; the "
                "writer writes each member once"
            )
        raise CodecError(
            "not the canonical JSON the writer writes: " + _difference(body, again)
        )
    return value


def _infinite(value: Any, where: str = "") -> str:
    """The path (``payload.ratio``) of the first infinite float in ``value``."""
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    elif isinstance(value, float) and not math.isfinite(value):
        return where or "the record"
    for key, item in items:
        label = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}"
        found = _infinite(item, label.lstrip("."))
        if found:
            return found
    return ""


def _difference(found: bytes, written: bytes) -> str:
    """Where ``found`` first differs from ``written``, and how."""
    at = next(
        (i for i, (a, b) in enumerate(zip(found, written, strict=False)) if a != b),
        min(len(found), len(written)),
    )
    start = max(0, at - 12)
    return (
        f"at byte {at}, {found[start : at + 12]!r} where the writer writes "
        f"{written[start : at + 12]!r}"
    )


def _repeated_member(text: str) -> str | None:
    """The first key given twice in one object of ``text`` (valid JSON)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen = set()
        for key, _ in items:
            if key in seen and not repeated:
                repeated.append(key)
            seen.add(key)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)
    return repeated[0] if repeated else None


# The spellings of floats below 1e-4 in magnitude where orjson differs from
# the stdlib (0.00001 and 1e-6 for 1e-05 and 1e-06; the writer writes the
# latter): a body holding one is not taken as canonical by its orjson text
# (a string holding one only costs the slower check).
_SHORT_EXPONENT: Final = re.compile(rb"e-[0-9](?![0-9])").search


def is_canonical(value: Any, body: bytes) -> bool:
    """Is ``body`` surely the canonical JSON text of ``value``, the object
    orjson parsed from it?  (False: let :func:`canonical_json` decide.)"""
    # (bytes.find first: the regular expression alone costs 2.5 us a record)
    if not _FAST or b"0.0000" in body:
        return False
    if b"e-" in body and _SHORT_EXPONENT(body) is not None:
        return False
    try:
        return orjson.dumps(value) == body
    except TypeError:  # pragma: no cover - orjson parses what it writes
        return False


def read_record(body: bytes, where: str) -> Record:
    """Read the record ``body`` (without its hash member) as the reference
    reader does: the canonical JSON (:func:`canonical_json`), the envelope,
    the event (:func:`decode_record`), and, for a record at its type's
    registered version, the writer's own body for that event equal to
    ``body`` byte for byte.  Raises :class:`CodecError` naming ``where``.

    Every reader uses it (or :func:`decode_fast`, which takes a subset of
    what it takes): the JSON Lines reader and ``verify``, and the SQLite
    reader for a body it rebuilds.
    """
    try:
        obj = canonical_json(body)
    except CodecError as error:
        raise CodecError(f"{where}: {error}") from None
    return read_parsed(obj, body, where)


def read_parsed(obj: Any, body: bytes, where: str) -> Record:
    """:func:`read_record` of a body already parsed by :func:`canonical_json`."""
    version = obj.get("v") if type(obj) is dict else None
    record = decode_record(obj, where)
    check_written(record, version, body, where)
    return record


def check_written(record: Record, version: Any, body: bytes, where: str) -> None:
    """Raise :class:`CodecError` unless ``body`` is what the writer writes
    for ``record``, stored at schema ``version`` (a record upcast from an
    older version is not checked beyond its envelope and canonical JSON:
    the writer of that version is gone)."""
    if version != type(record.event).schema_version:
        return
    try:
        again = encode_event(record.event, record.seq, more=record.more)
    except CodecError as error:
        raise CodecError(
            f"{where}: the writer refuses the event this record reads as: {error}"
        ) from None
    if again != body:
        raise CodecError(
            f"{where}: not what the writer writes for the event it reads as: "
            + _difference(body, again)
        )


# -- the fast encoder -------------------------------------------------------
#
# encode_event writes exactly the bytes of encode_event_reference, about 4x
# faster (1.6 against 6.5 us an event of the benchmark's workload, with the
# read-back guarantee kept).  Per event type, a plan made
# once says, for each payload field, which value types prove by themselves
# that the value reads back as the same (an exact int in an int field, an
# exact str in a str field, ...) and pass to orjson as they are, which are
# converted first (dates, enums, floats), and falls back to the reference's
# decode-and-compare for anything else (attrs classes, collections, Any,
# unions, and values of an unexpected type), whose canonical JSON (stdlib)
# enters as an orjson.Fragment.  orjson writes the same bytes as the stdlib
# encoder for everything passed to it (tests/test_codec_fast.py), except
# floats below 1e-4 in magnitude (orjson 0.00001, repr 1e-05), which go to
# the stdlib encoder; it refuses ints beyond 64 bits and lone surrogates,
# and then the whole record takes the reference path.

_SLOW: Final = object()  # "this value needs the reference's check"
_NONE_TYPE: Final = type(None)

# (field name, label, types passed as they are, converter or None, decoder)
_FieldPlan = tuple[str, str, frozenset[type], Callable[[Any], Any] | None, Decoder]
_ENCODE_PLANS: dict[type, tuple[_FieldPlan, ...]] = {}


def _orjson_writes_canonical_json() -> bool:
    """Does the installed orjson write what the stdlib encoder writes, for
    the values the fast encoder hands it?  Checked once, so that another
    orjson version spelling a float or escaping a character differently
    turns the fast encoder off instead of changing the canonical bytes."""
    sample: dict[str, Any] = {
        "floats": [0.1, 1.5, 100.0, 1e-4, -0.0, 123456789.123, 1e15, 1e16, 1e22],
        "big": [1.7976931348623157e308, -2.5e-4, 9007199254740993.0],
        "ints": [0, -1, 2**63 - 1, -(2**63)],
        "text": ['\u2028\x7f\x1f"\\/', "条約 ü 🙂", ""],
        "nested": {"z": None, "a": [True, False, {}]},
    }
    return orjson.dumps(sample) == _dumps(sample).encode("utf-8")


_FAST: Final = _orjson_writes_canonical_json()


def encode_event(event: Event, seq: int, *, more: bool = False) -> bytes:
    """The record body of ``event`` (canonical JSON, without its hash).

    Raises :class:`CodecError` (an InvalidEventError), naming the field, for
    anything that could not be stored or would not read back as the same
    value: appending it would make the log unreadable.
    """
    if not _FAST:
        return encode_event_reference(event, seq, more=more)
    kind = type(event)
    plan = _ENCODE_PLANS.get(kind)
    if plan is None:
        plan = _ENCODE_PLANS[kind] = _encode_plan(kind)
    body = _encode_fast(event, seq, more, plan)
    if body is None:
        return encode_event_reference(event, seq, more=more)
    return body


def _encode_fast(
    event: Event, seq: int, more: bool, plan: tuple[_FieldPlan, ...]
) -> bytes | None:
    """The record body, or None where the reference must decide."""
    record = _record_fast(event, seq, more, plan)
    if record is None:
        return None
    try:
        return orjson.dumps(record)
    except TypeError:  # orjson.JSONEncodeError: a long int, a lone surrogate
        return None


def _record_fast(
    event: Event, seq: int, more: bool, plan: tuple[_FieldPlan, ...]
) -> dict[str, Any] | None:
    """The record as orjson takes it, or None where the reference must
    decide (every value checked but the text of strings, and ints that
    orjson cannot write)."""
    payload: dict[str, Any] = {}
    for name, label, exact, convert, decoder in plan:
        value = getattr(event, name)
        if type(value) in exact:
            payload[name] = value
            continue
        encoded = _SLOW if convert is None else convert(value)
        if encoded is _SLOW:
            encoded = _checked(value, label, decoder)
            if encoded is _SLOW:
                return None
        payload[name] = encoded
    recorded = event.recorded
    if type(recorded) is datetime.date:
        recorded_text = _DAY_TEXT.get(recorded)
        if recorded_text is None:
            recorded_text = _day_text(recorded)
    elif type(recorded) is datetime.datetime:
        recorded_text = recorded.isoformat()
        if not _reads_back(recorded_text, recorded):
            return None
    else:
        return None
    try:
        occurred = _edtf_text(event.occurred)
    except CodecError:
        return None
    source: Any = event.source
    if source is not None:
        source = _checked(source, "source", _decoder_for(Source | None))
        if source is _SLOW:
            return None
    summary: Any = event.summary
    if summary is not None:
        summary = _text_dict(summary)
        if summary is _SLOW:
            return None
    kind = type(event)
    record = {
        "seq": seq,
        "id": event.id,
        "type": kind.type_name,
        "v": kind.schema_version,
        "occurred": occurred,
        "recorded": recorded_text,
        "source": source,
        "summary": summary,
        "supersedes": event.supersedes,
        "tags": event.tags,
        "payload": payload,
    }
    if more:
        record["more"] = True
    return record


# Events of a day share its text: a dict lookup instead of isoformat()
# (about 0.15 us an event, 10% of encode_event, on the benchmark's workload).
_DAY_TEXT: dict[datetime.date, str] = {}


def _day_text(day: datetime.date) -> str:
    if len(_DAY_TEXT) >= 1 << 14:
        _DAY_TEXT.clear()
    text = _DAY_TEXT[day] = day.isoformat()
    return text


def encode_batch(
    events: Sequence[Event], seq: int, head: bytes
) -> tuple[list[bytes], bytes]:
    """The lines (with hashes and newlines) of a batch appended after the
    record ``seq`` whose hash is ``head``, and the hash of its last record.

    Raises :class:`CodecError` naming the event of the batch and its field.
    """
    lines: list[bytes] = []
    sha256 = hashlib.sha256
    last = len(events) - 1
    for index, event in enumerate(events):
        seq += 1
        kind = type(event)
        plan = _ENCODE_PLANS.get(kind)
        if plan is None:
            plan = _ENCODE_PLANS[kind] = _encode_plan(kind)
        more = index != last
        body = _encode_fast(event, seq, more, plan) if _FAST else None
        if body is None:
            try:
                body = encode_event_reference(event, seq, more=more)
            except CodecError as error:
                raise CodecError(f"event {index + 1} of the batch: {error}") from None
        head = sha256(head + body).digest()
        # As seal(), without building each line on its own (about 0.1 us).
        lines += (body[:-1], b',"hash":"', head.hex().encode(), b'"}\n')
    return lines, head


def check_events(events: Sequence[Event]) -> None:
    """Refuse a batch holding a value the durable logs could not store and
    read back as the same (the very check :func:`encode_batch` makes),
    naming the event of the batch and its field: the in-memory log's
    validation, so that every log accepts the same events.

    An event that :func:`_writable` passes is one the fast encoder writes
    (tests/test_check_values.py: the same refusals as encode_batch); any
    other is the reference encoder's to accept or refuse."""
    plans = _ENCODE_PLANS
    for index, event in enumerate(events):
        kind = type(event)
        plan = plans.get(kind)
        if plan is None:
            plan = plans[kind] = _encode_plan(kind)
        if _FAST and _writable(event, plan):
            continue
        try:
            encode_event_reference(event, 1)
        except CodecError as error:
            raise CodecError(f"event {index + 1} of the batch: {error}") from None


def _writable(event: Event, plan: tuple[_FieldPlan, ...]) -> bool:
    """Would _record_fast build the event's record, with every string of it
    one UTF-8 holds (what orjson refuses but a long int)?  The same checks,
    without building the record: 1.1 -> 0.5 us an event of the benchmark's
    workload, a third of an in-memory append."""
    for name, label, exact, convert, decoder in plan:
        value = getattr(event, name)
        if type(value) in exact:
            if type(value) is str and not (value.isascii() or _encodes(value)):
                return False
            continue
        encoded = _SLOW if convert is None else convert(value)
        if encoded is _SLOW:
            # (a Fragment: the stdlib's JSON of it, already UTF-8)
            if _checked(value, label, decoder) is _SLOW:
                return False
        elif type(encoded) is str and not (encoded.isascii() or _encodes(encoded)):
            return False
    recorded = event.recorded
    if type(recorded) is datetime.datetime:
        if not _reads_back(recorded.isoformat(), recorded):
            return False
    elif type(recorded) is not datetime.date:
        return False
    try:
        _edtf_text(event.occurred)
    except CodecError:
        return False
    source = event.source
    if source is not None and _SLOW is _checked(
        source, "source", _decoder_for(Source | None)
    ):
        return False
    if event.summary is not None:
        summary = _text_dict(event.summary)
        if summary is _SLOW or not all(map(_encodes, (*summary, *summary.values()))):
            return False
    event_id = event.id
    if not (event_id.isascii() or _encodes(event_id)):
        return False
    for texts in (event.tags, event.supersedes):
        for text in texts:
            if not (text.isascii() or _encodes(text)):
                return False
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _checked(value: Any, label: str, decoder: Decoder) -> Any:
    """The reference's check of one value: its canonical JSON (stdlib) as an
    orjson.Fragment if it reads back as the same value, else _SLOW."""
    try:
        encoded = _encode_value(value, label)
        decoded = decoder(encoded, label)
    except CodecError:
        return _SLOW
    if not (decoded == value):  # noqa: SIM201 - as the reference
        return _SLOW
    try:
        return orjson.Fragment(_dumps(encoded).encode("utf-8"))
    except ValueError:
        return _SLOW


def _encode_plan(kind: type[Event]) -> tuple[_FieldPlan, ...]:
    decoders = _event_decoders(kind)
    hints = _type_hints(kind)
    plan = []
    for name in _payload_names(kind):
        exact, convert = _fast_path(hints.get(name, Any))
        plan.append((name, f"payload field {name}", exact, convert, decoders[name]))
    return tuple(plan)


_Path = tuple[frozenset[type], Callable[[Any], Any] | None]


def _optional_path(hint: Any, path: Callable[[Any], _Path]) -> _Path:
    """For ``X | None``: the path of ``X`` (by ``path``), None taken as it
    is too; for any other type, no fast path (empty, no converter)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if len(args) == 2 and _NONE_TYPE in args:
            (other,) = (arg for arg in args if arg is not _NONE_TYPE)
            exact, convert = path(other)
            if exact or convert is not None:
                return exact | {_NONE_TYPE}, convert
    return frozenset(), None


def _fast_path(hint: Any) -> _Path:
    """For a declared type: the value types that read back as themselves
    (passed as they are), and a converter for a few more (or None)."""
    if hint in (int, str, bool, None, _NONE_TYPE):
        return frozenset({_NONE_TYPE if hint is None else hint}), None
    convert = _CONVERTERS.get(hint)
    if convert is not None:
        return frozenset(), convert
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return frozenset(), _enum_converter(hint)
    return _optional_path(hint, _fast_path)


def _float(value: Any) -> Any:
    # repr and orjson agree on finite floats but those below 1e-4 in
    # magnitude; NaN and infinities fail the test and are refused later.
    if type(value) is float and (value == 0.0 or 1e-4 <= abs(value) < math.inf):
        return value
    return _SLOW


def _uncertain(value: Any) -> Any:
    if type(value) is UncertainDate:
        try:
            return _edtf_text(value)
        except CodecError:
            pass
    return _SLOW


def _day(value: Any) -> Any:
    return value.isoformat() if type(value) is datetime.date else _SLOW


def _instant(value: Any) -> Any:
    if type(value) is datetime.datetime:
        text = value.isoformat()
        if datetime.datetime.fromisoformat(text) == value:
            return text
    return _SLOW


def _text_dict(value: Any) -> Any:
    if type(value) is Text:
        mapping = dict(value.translations)
        # What Text.of makes of the mapping: the same pairs, none repeated.
        if mapping and tuple(mapping.items()) == value.translations:
            for language, text in value.translations:
                if type(language) is not str or type(text) is not str:
                    return _SLOW
            return mapping
    return _SLOW


_CONVERTERS: Final[dict[Any, Callable[[Any], Any]]] = {
    float: _float,
    UncertainDate: _uncertain,
    datetime.date: _day,
    datetime.datetime: _instant,
    Text: _text_dict,
}


def _enum_converter(kind: type[enum.Enum]) -> Callable[[Any], Any]:
    # Members are kept alive by their class, so their ids are stable; a
    # member whose value is an exact str or int reads back as itself.
    values = {
        id(member): member.value
        for member in kind.__members__.values()
        if type(member.value) in (str, int) and kind(member.value) is member
    }

    def convert(value: Any) -> Any:
        return values.get(id(value), _SLOW)

    return convert


# -- decoding -------------------------------------------------------------

_DECODERS: dict[Any, Decoder] = {}
_CLASS_DECODERS: dict[type, dict[str, Decoder]] = {}
_ALIASES: dict[type, dict[str, str]] = {}
_EVENT_DECODERS: dict[type, dict[str, Decoder]] = {}
_UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upcaster(
    type_name: str, from_version: int
) -> Callable[
    [Callable[[dict[str, Any]], dict[str, Any]]],
    Callable[[dict[str, Any]], dict[str, Any]],
]:
    """Register a function that turns a payload of ``type_name`` at
    ``from_version`` into the shape of ``from_version + 1``.

    Stored records are never rewritten: upcasters run when a log is read.
    """

    def register(
        function: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        _UPCASTERS[(type_name, from_version)] = function
        return function

    return register


# Logs repeat the same dates many times; UncertainDate is immutable.
# The parser without parse_edtf's own cache of 65,536 dates (about 40 MB
# when full): a read of a log keeps its dates in the cache below, sized for
# a bounded ``verify`` (16,384 dates, about 10 MB; on the benchmark's
# realistic 10^6-event log, 99,886 misses against 89,123 with 65,536).
_parse_uncached: Callable[[str], UncertainDate] = getattr(
    _edtf, "_parse_cached", parse_edtf
)
_parse_uncached = getattr(_parse_uncached, "__wrapped__", parse_edtf)


@functools.lru_cache(maxsize=1 << 14)
def _parse_edtf_cached(text: str) -> UncertainDate:
    """The date of an EDTF text the writer wrote: the normalized EDTF of
    the date it reads as (another spelling of it is not what the writer
    writes, and is refused)."""
    date = _parse_uncached(text)
    normal = date.to_edtf()
    if normal != text:
        raise InvalidDateError(
            text, f"the normalized EDTF {normal!r} that the writer writes"
        )
    return date


def _fail(where: str, expected: str, value: Any) -> CodecError:
    return CodecError(f"{where}: expected {expected}, got {value!r}")


def _decoder_for(hint: Any) -> Decoder:
    try:
        return _DECODERS[hint]
    except (KeyError, TypeError):
        pass
    decoder = _make_decoder(hint)
    with contextlib.suppress(TypeError):
        _DECODERS[hint] = decoder
    return decoder


def _make_decoder(hint: Any) -> Decoder:
    if hint is Any or hint is object:
        return lambda value, where: value
    if hint is type(None) or hint is None:

        def none(value: Any, where: str) -> None:
            if value is not None:
                raise _fail(where, "null", value)

        return none
    if hint is bool:

        def boolean(value: Any, where: str) -> bool:
            if not isinstance(value, bool):
                raise _fail(where, "true or false", value)
            return value

        return boolean
    if hint is int:

        def integer(value: Any, where: str) -> int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _fail(where, "an integer", value)
            return value

        return integer
    if hint is float:

        def real(value: Any, where: str) -> float:
            # An int stays an int (as the event held it, and as the writer
            # wrote it): reading gives back the very value appended.
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise _fail(where, "a number", value)
            try:
                result = float(value)
            except OverflowError:  # an int beyond the floats
                raise CodecError(
                    f"{where}: expected a number, got an integer of "
                    f"{int(value).bit_length()} bits, too large for a float"
                ) from None
            if not math.isfinite(result):  # 1e400 in the text parses as inf
                raise CodecError(
                    f"{where}: expected a finite number, got {result!r} (the "
                    "format stores finite numbers only)"
                )
            return value

        return real
    if hint is str:

        def string(value: Any, where: str) -> str:
            if not isinstance(value, str):
                raise _fail(where, "a string", value)
            return value

        return string
    if hint is UncertainDate:

        def uncertain(value: Any, where: str) -> UncertainDate:
            if not isinstance(value, str):
                raise _fail(where, "an EDTF date string", value)
            try:
                return _parse_edtf_cached(value)
            except InvalidDateError as error:
                raise CodecError(f"{where}: {error}") from None

        return uncertain
    if hint is datetime.datetime or hint is datetime.date:
        kind = hint

        def iso(value: Any, where: str) -> datetime.date:
            if not isinstance(value, str):
                raise _fail(where, "an ISO 8601 string", value)
            try:
                parsed: datetime.date = kind.fromisoformat(value)
            except ValueError:
                raise _fail(where, f"an ISO 8601 {kind.__name__}", value) from None
            if parsed.isoformat() != value:
                raise _fail(
                    where,
                    f"the ISO 8601 text {parsed.isoformat()!r} the writer writes",
                    value,
                )
            return parsed

        return iso
    if hint is Text:

        def text(value: Any, where: str) -> Text:
            if not isinstance(value, dict) or not value:
                raise _fail(where, "an object of language -> text", value)
            return Text.of(value)

        return text
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        enum_type = hint

        def member(value: Any, where: str) -> enum.Enum:
            try:
                return enum_type(value)
            except ValueError:
                raise _fail(where, f"a {enum_type.__name__} value", value) from None

        return member
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [_decoder_for(arg) for arg in args]
        optional = type(None) in args

        def union(value: Any, where: str) -> Any:
            if value is None and optional:
                return None
            errors = []
            for arm in arms:
                try:
                    return arm(value, where)
                except CodecError as error:
                    errors.append(str(error))
            raise CodecError("; ".join(errors))

        return union
    if origin is typing.Literal:
        allowed = args

        def literal(value: Any, where: str) -> Any:
            if value not in allowed:
                raise _fail(where, f"one of {allowed!r}", value)
            return value

        return literal
    if origin in (tuple, list, frozenset, set):
        container = origin
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            items = [_decoder_for(arg) for arg in args]

            def fixed(value: Any, where: str) -> tuple[Any, ...]:
                if not isinstance(value, list) or len(value) != len(items):
                    raise _fail(where, f"an array of {len(items)} items", value)
                return tuple(
                    d(v, f"{where}[{i}]")
                    for i, (d, v) in enumerate(zip(items, value, strict=True))
                )

            return fixed
        item = _decoder_for(args[0]) if args else _decoder_for(Any)

        def sequence(value: Any, where: str) -> Any:
            if not isinstance(value, list):
                raise _fail(where, "an array", value)
            return container(item(v, f"{where}[{i}]") for i, v in enumerate(value))

        return sequence
    if origin in (dict, Mapping, typing.Mapping) or hint is dict:
        item = _decoder_for(args[1]) if len(args) == 2 else _decoder_for(Any)

        def mapping(value: Any, where: str) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _fail(where, "an object", value)
            return {k: item(v, f"{where}.{k}") for k, v in value.items()}

        return mapping
    if isinstance(hint, type) and attrs.has(hint):
        cls = hint

        def structured(value: Any, where: str) -> Any:
            if not isinstance(value, dict):
                raise _fail(where, f"an object for {cls.__name__}", value)
            return _build(cls, value, where, _field_decoders(cls))

        return structured
    return lambda value, where: value  # unknown annotation: take the JSON value


def _field_decoders(cls: type) -> dict[str, Decoder]:
    try:
        return _CLASS_DECODERS[cls]
    except KeyError:
        pass
    hints = _type_hints(cls)
    decoders = {
        a.name: _decoder_for(hints.get(a.name, Any))
        for a in attrs.fields(cls)
        if a.init
    }
    _CLASS_DECODERS[cls] = decoders
    aliases = {
        a.name: getattr(a, "alias", None) or a.name.lstrip("_")
        for a in attrs.fields(cls)
        if a.init
    }
    _ALIASES[cls] = {k: v for k, v in aliases.items() if k != v}
    return decoders


def _type_hints(cls: type) -> dict[str, Any]:
    """The resolved field annotations of ``cls``; one that cannot be resolved
    (a name local to a function) counts as ``Any``, not all of them."""
    try:
        return typing.get_type_hints(cls)
    except Exception:
        pass
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        namespace = dict(vars(module)) if module is not None else {}
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            try:
                hints[name] = (
                    eval(annotation, namespace, dict(vars(klass)))
                    if isinstance(annotation, str)
                    else annotation
                )
            except Exception:
                hints[name] = Any
    return hints


def _build(
    cls: type, value: dict[str, Any], where: str, decoders: dict[str, Decoder]
) -> Any:
    if not value.keys() <= decoders.keys():
        unknown = sorted(set(value) - set(decoders))
        raise CodecError(f"{where}: unknown fields {unknown} for {cls.__name__}")
    try:
        # The common case first, without building a location per field.
        kwargs = {name: decoders[name](item, name) for name, item in value.items()}
    except CodecError:
        for name, item in value.items():  # again, to say where
            decoders[name](item, f"{where}.{name}")
        raise  # pragma: no cover - the second pass raises
    alias = _ALIASES.get(cls)
    if alias:
        kwargs = {alias.get(name, name): item for name, item in kwargs.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise CodecError(f"{where}: {error}") from None


@attrs.frozen
class Record:
    """A decoded record: the event, its sequence number and batch flag."""

    seq: int
    event: Event
    more: bool


_ENVELOPE_KEYS: Final = (
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
    "payload",
)


_MORE_KEYS: Final = (*_ENVELOPE_KEYS, "more")


def check_envelope(obj: Any, where: str) -> bool:
    """Check the envelope of a parsed record body (hash member removed)
    without its event type, as the writer writes it: the members in order
    (``more`` last, only as ``true``), a positive ``seq``, an id and type
    name without surrounding white space, a positive ``v``, ``occurred`` in
    normalized EDTF, ``recorded`` in ISO 8601 as ``isoformat()`` writes it,
    ``source`` and ``summary`` null or of their shape, ``supersedes`` and
    ``tags`` arrays of non-empty strings, ``payload`` an object.  Returns
    the batch flag; raises :class:`CodecError` naming ``where``."""
    if type(obj) is not dict:
        raise _fail(where, "a JSON object", obj)
    keys = tuple(obj)
    if keys == _ENVELOPE_KEYS:
        more = False
    elif keys == _MORE_KEYS:
        more = obj["more"]
        if more is not True:
            raise _fail(f"{where}: more", "true (or no member at all)", more)
    else:
        raise CodecError(
            f"{where}: expected the members {list(_ENVELOPE_KEYS)} in this order "
            f'(then "more":true inside a batch), got {list(keys)}'
        )
    try:
        _check_envelope_values(obj)
    except InvalidEventError as error:
        raise CodecError(f"{where}: {error}") from None
    return more


def _check_envelope_values(obj: dict[str, Any]) -> None:
    seq, name, version = obj["seq"], obj["type"], obj["v"]
    if type(seq) is not int or seq < 1:
        raise _fail("seq", "a positive integer", seq)
    event_id = obj["id"]
    if type(event_id) is not str:
        raise _fail("id", "a string", event_id)
    if not event_id or event_id != event_id.strip():
        raise _fail(
            "id", "a non-empty string without surrounding white space", event_id
        )
    if type(name) is not str or not name or name != name.strip():
        raise _fail("type", "a string naming an event type", name)
    if type(version) is not int or version < 1:
        raise _fail("v", "a positive integer", version)
    _decoder_for(UncertainDate)(obj["occurred"], "occurred")
    _recorded(obj["recorded"], "recorded")
    source, summary = obj["source"], obj["summary"]
    if source is not None:
        _exactly(_decoder_for(Source), source, "source")
    if summary is not None:
        _decoder_for(Text)(summary, "summary")
    for member in ("supersedes", "tags"):
        items = obj[member]
        if type(items) is not list:
            raise _fail(member, "an array of strings", items)
        for item in items:
            if type(item) is not str or not item:
                raise _fail(member, "an array of non-empty strings", items)
    if event_id in obj["supersedes"]:
        raise CodecError(f"supersedes: event {event_id!r} cannot supersede itself")
    if type(obj["payload"]) is not dict:
        raise _fail("payload", "an object", obj["payload"])


def _exactly(decoder: Decoder, value: Any, where: str) -> Any:
    """``decoder(value, where)``, which the writer must write as ``value``
    (the JSON value parsed from a canonical body): raise otherwise."""
    decoded = decoder(value, where)
    written = _dumps(_encode_value(decoded, where))
    if written != _dumps(value):
        raise CodecError(
            f"{where}: not what the writer writes for the value it reads as: "
            + _difference(_dumps(value).encode(), written.encode())
        )
    return decoded


def decode_record(obj: Any, where: str) -> Record:
    """Build the event of a parsed record body (hash member removed)."""
    more = check_envelope(obj, where)
    seq, name, version = obj["seq"], obj["type"], obj["v"]
    try:
        cls = lookup_event_type(name)
    except UnknownEventTypeError as error:
        raise UnknownEventTypeError(f"{where}: {error}") from None
    payload = obj["payload"]
    if version > cls.schema_version:
        raise UnknownEventTypeError(
            f"{where}: event type {name!r} version {version} is newer than the "
            f"registered version {cls.schema_version}"
        )
    for step in range(version, cls.schema_version):
        up = _UPCASTERS.get((name, step))
        if up is None:
            raise UnknownEventTypeError(
                f"{where}: no upcaster from {name!r} version {step} to {step + 1}"
            )
        try:
            payload = up(dict(payload))
        except Exception as error:
            raise CodecError(
                f"{where}: the upcaster of {name!r} from version {step} to "
                f"{step + 1} failed on this payload: {type(error).__name__}: {error}"
            ) from None
        if not isinstance(payload, dict):
            raise CodecError(
                f"{where}: the upcaster of {name!r} from version {step} returned "
                f"{payload!r}, not a dict"
            )
    decoders = _event_decoders(cls)
    fields = {
        "id": obj["id"],
        "occurred": obj["occurred"],
        "recorded": obj["recorded"],
        "source": obj["source"],
        "summary": obj["summary"],
        "supersedes": obj["supersedes"],
        "tags": obj["tags"],
        **payload,
    }
    if not payload.keys().isdisjoint(_ENVELOPE_KEYS):
        overlap = sorted(set(payload) & set(_ENVELOPE_KEYS))
        raise CodecError(f"{where}: payload repeats envelope members {overlap}")
    event = _build(cls, fields, where, decoders)
    return Record(seq=seq, event=event, more=more)


@functools.lru_cache(maxsize=1 << 14)
def _recorded_cached(text: str) -> datetime.date:
    """The recorded time of an envelope's text, which must be the ISO 8601
    text the writer writes for it (``isoformat()``)."""
    value = _to_recorded(text)
    if value.isoformat() != text:
        raise InvalidEventError(
            f"expected the ISO 8601 text {value.isoformat()!r} the writer "
            f"writes, got {text!r}"
        )
    return value


def _recorded(value: Any, where: str) -> datetime.date:
    """The envelope's recorded time (as the Event converter reads it)."""
    if not isinstance(value, str):
        raise _fail(where, "an ISO 8601 date or date-time string", value)
    try:
        return _recorded_cached(value)
    except InvalidEventError as error:
        raise CodecError(f"{where}: {error}") from None


def _event_decoders(cls: type[Event]) -> dict[str, Decoder]:
    try:
        return _EVENT_DECODERS[cls]
    except KeyError:
        pass
    decoders = dict(_field_decoders(cls))
    # The envelope has fixed types; recorded keeps its date-or-datetime text.
    decoders["occurred"] = _decoder_for(UncertainDate)
    decoders["recorded"] = _recorded
    decoders["source"] = _decoder_for(Source | None)
    decoders["summary"] = _decoder_for(Text | None)
    decoders["supersedes"] = _decoder_for(tuple[str, ...])
    decoders["tags"] = _decoder_for(tuple[str, ...])
    for a in fields_of(cls):
        decoders.setdefault(a.name, _decoder_for(Any))
    _EVENT_DECODERS[cls] = decoders
    return decoders


# -- the fast reader --------------------------------------------------------
#
# decode_fast reads a record body parsed by orjson into the very event that
# the reference path (the stdlib parser, then decode_record) reads, or gives
# up (None) on anything unusual: the caller then takes the reference path,
# which names what is wrong.  orjson parses what the format allows as the
# stdlib does, but for integers beyond 64 bits, which it reads as floats: a
# field read by exact type checks refuses a float where an int belongs, and
# an event type with other fields (read by their decoders) gives up on any
# body with 19 digits in a row.  What orjson refuses and the stdlib takes
# (an escaped lone surrogate, 1e400) goes to the reference path whole.
#
# Per event type, a reader made once (_read_plan) checks the payload's
# members in the writer's order and builds the event.  Where the type adds
# nothing to the envelope's own checks (no validator, converter or
# __attrs_post_init__ of its own, only the slots of its fields), the event is
# built as its __init__ would build it from values already of their final
# type, without the converters and validators of the envelope, which the
# reader has checked itself: about 0.9 us an event less than calling the
# class (1.3 us on the benchmark's workload).

_LONG_DIGITS: Final = re.compile(rb"[0-9]{19}").search

# (payload key, keyword of the class, types taken as they are, converter)
_ReadField = tuple[str, str, frozenset[type], Callable[[Any], Any] | None]

# The members of the last record read, as orjson made them: orjson keeps
# the strings of keys it has read, and tuples of the same objects compare
# at once (about 0.1 us a record less than comparing the text).
_SEEN_KEYS: Final = [_ENVELOPE_KEYS, _MORE_KEYS]

# reader(id, occurred, recorded, source, summary, supersedes, tags, payload):
# the event, or None where the reference must decide
_Reader = Callable[..., Event | None]


@attrs.frozen
class _ReadPlan:
    cls: type[Event]
    version: int
    fields: tuple[_ReadField, ...]
    guarded: bool  # some field is read by its decoder: refuse long ints
    read: _Reader


def decode_fast(
    obj: Any, body: bytes, plans: dict[str, _ReadPlan | None], seq: int = 0
) -> tuple[Event, bool] | None:
    """The event and batch flag of ``obj``, the record ``body`` as orjson
    parsed it, or None where the reference path must decide: its ``seq``
    must be ``seq`` (0: already checked by the caller).  ``plans`` is a
    cache the caller keeps for one read of a log (event types are not
    registered in the middle of it)."""
    try:
        # The body must be the canonical JSON of what it parses as.  orjson
        # writes it as the writer does but for floats below 1e-4 (0.00001
        # for 1e-05): the plan's float fields refuse those, and a field read
        # by its decoder is compared as the writer writes it (_exactly).
        if not _FAST or orjson.dumps(obj) != body:
            return None
        keys = tuple(obj)
        seen = _SEEN_KEYS
        if keys == seen[0]:
            more = False
            seen[0] = keys
        elif keys == seen[1] and obj.pop("more") is True:
            more = True
            seen[1] = keys
        else:
            return None
        (
            stored_seq,
            event_id,
            name,
            version,
            occurred,
            recorded,
            source,
            summary,
            supersedes,
            tags,
            payload,
        ) = obj.values()
        try:
            plan = plans[name]
        except KeyError:
            plan = plans[name] = _read_plan(name)
        if (
            plan is None
            or (seq and (type(stored_seq) is not int or stored_seq != seq))
            or type(version) is not int
            or version != plan.version
            or type(payload) is not dict
            or (plan.guarded and _LONG_DIGITS(body) is not None)
            or type(event_id) is not str
            or not event_id
            or event_id != event_id.strip()
            or type(occurred) is not str
            or type(recorded) is not str
            or type(supersedes) is not list
            or type(tags) is not list
        ):
            return None
        if supersedes:
            supersedes = _superseded_ids(supersedes, event_id)
            if supersedes is None:
                return None
        else:
            supersedes = ()
        if tags:
            for item in tags:
                if type(item) is not str or not item:
                    return None
            tags = tuple(tags)
        else:
            tags = ()
        event = plan.read(
            event_id,
            # (the caches raise on a text that is not what the writer writes)
            _parse_edtf_cached(occurred),
            _recorded_cached(recorded),
            None if source is None else _read_source(source),
            None if summary is None else _decoder_for(Text)(summary, "x"),
            supersedes,
            tags,
            payload,
        )
        if event is None:
            return None
        return event, more
    except Exception:  # the reference path says what is wrong
        return None


def _superseded_ids(items: Any, event_id: str) -> tuple[str, ...] | None:
    """The ``supersedes`` of a record as orjson parsed it (a list), or None
    where the reference path must decide."""
    if not items:
        return ()
    for item in items:
        if type(item) is not str or not item:
            return None
    if event_id in items:
        return None
    return tuple(items)


def decode_usual(
    plans: dict[str, _ReadPlan | None],
    name: str,
    version: int,
    event_id: str,
    occurred: bytes,
    recorded: bytes,
    payload: bytes,
    supersedes: bytes = b"",
) -> Event | None:
    """The event of a record with the usual envelope (no source, summary,
    or tags; supersedes none, or those of the JSON list ``[SUPERSEDES]``)
    given by its parts, or None where the reference path must decide: the
    body the parts make,
    ``{"seq":S,"id":ID,"type":NAME,"v":VERSION,"occurred":"OCCURRED",
    "recorded":"RECORDED","source":null,"summary":null,
    "supersedes":[SUPERSEDES],"tags":[],"payload":PAYLOAD}``, is canonical
    where the id is written as the writer writes it (an ASCII
    ``encode_basestring``, the caller's), the two texts are what the writer
    writes for the dates they read as (no character that JSON escapes) and
    PAYLOAD and ``[SUPERSEDES]`` are the canonical JSON of an object and of
    a list (orjson's text of what it parses as).  For a reader that keeps
    records in parts (SQLite's compact rows): no body to build and parse."""
    try:
        plan = plans[name]
    except KeyError:
        plan = plans[name] = _read_plan(name)
    try:
        if (
            plan is None
            or version != plan.version
            or type(version) is not int
            or not event_id
            or event_id != event_id.strip()
            or (plan.guarded and _LONG_DIGITS(payload) is not None)
        ):
            return None
        date = _USUAL_DATES.get(occurred)
        if date is None:
            date = _usual_text(occurred, _parse_edtf_cached, _USUAL_DATES)
        when = _USUAL_RECORDED.get(recorded)
        if when is None:
            when = _usual_text(recorded, _recorded_cached, _USUAL_RECORDED)
        obj = orjson.loads(payload)
        if type(obj) is not dict or orjson.dumps(obj) != payload:
            return None
        targets: tuple[str, ...] | None = ()
        if supersedes:
            text = b"[%b]" % supersedes
            items = orjson.loads(text)
            if type(items) is not list or orjson.dumps(items) != text:
                return None
            targets = _superseded_ids(items, event_id)
            if not targets:
                return None
        return plan.read(event_id, date, when, None, None, targets, (), obj)
    except Exception:  # the reference path says what is wrong
        return None


# The texts of dates read by decode_usual, checked (by the bytes, as rows
# hold them; a few MB at most).
_USUAL_DATES: dict[bytes, UncertainDate] = {}
_USUAL_RECORDED: dict[bytes, datetime.date] = {}


def _usual_text(
    text: bytes, read: Callable[[str], Any], cache: dict[bytes, Any]
) -> Any:
    """``read`` of ``text``, which must be a JSON string's canonical content
    (ASCII; no quote, backslash or control character): raises otherwise."""
    decoded = text.decode("ascii")
    if _dumps(decoded) != f'"{decoded}"':
        raise ValueError(text)
    value = read(decoded)
    if len(cache) >= 1 << 15:
        cache.clear()
    cache[text] = value
    return value


def _read_plan(name: str) -> _ReadPlan | None:
    try:
        cls = lookup_event_type(name)
    except UnknownEventTypeError:
        return None
    decoders = _field_decoders(cls)
    aliases = _ALIASES[cls]
    hints = _type_hints(cls)
    converted = {a.name for a in fields_of(cls) if a.converter is not None}
    fields = []
    guarded = False
    for key in _payload_names(cls):
        if key not in decoders or key in converted:
            # Not set by __init__, or by a converter: the value read may
            # not be the value stored, which the writer would not write.
            return None
        exact, convert = _read_path(hints.get(key, Any))
        if not exact and convert is None:
            convert, guarded = _exact_reader(decoders[key]), True
        fields.append((key, aliases.get(key, key), exact, convert))
    return _ReadPlan(
        cls, cls.schema_version, tuple(fields), guarded, _reader(cls, tuple(fields))
    )


_ENVELOPE_FIELDS: Final = _ENVELOPE_KEYS[1:2] + _ENVELOPE_KEYS[4:10]


def _trusted(cls: type[Event]) -> bool:
    """Can an event of ``cls`` be built by setting its slots, from values
    the reader checked as the envelope's converters and validators would
    (the payload's taken as the class's own __init__ takes them)?"""
    fields = fields_of(cls)
    envelope = {a.name: a for a in fields_of(Event)}
    if [a.name for a in fields[: len(envelope)]] != list(envelope):
        return False
    for a in fields:
        mine = envelope.get(a.name)
        if mine is not None:
            if (a.converter, a.validator) != (mine.converter, mine.validator):
                return False
        elif a.converter is not None or a.validator is not None or not a.init:
            return False
    slots: set[str] = set()
    for klass in cls.__mro__:
        slots.update(klass.__dict__.get("__slots__", ()))
    return (
        "__slots__" in cls.__dict__
        and slots - {"__weakref__"} == {a.name for a in fields}
        and getattr(cls, "__attrs_post_init__", None) is Event.__attrs_post_init__
        and not hasattr(cls, "__attrs_pre_init__")
        and all(
            type(inspect.getattr_static(cls, a.name)).__name__ == "member_descriptor"
            for a in fields
        )
    )


def _reader(cls: type[Event], fields: tuple[_ReadField, ...]) -> _Reader:
    """The reader of a payload of ``cls`` and builder of its event: made
    for the type as Python code (as attrs makes __init__), the checks and
    assignments of each field written out (a loop over the fields costs
    about 0.1 us a field more)."""
    names = [f"_{index}" for index in range(len(fields))]
    scope: dict[str, Any] = {"cls": cls, "new": object.__new__}
    lines = [
        "def read(event_id, occurred, recorded, source, summary, supersedes, "
        "tags, payload):",
        f"    if len(payload) != {len(fields)}:",
        "        return None",
    ]
    if fields:
        pairs = ", ".join(f"(k{name}, v{name})" for name in names)
        lines.append(f"    {pairs}, = payload.items()")
    for name, (key, _, exact, convert) in zip(names, fields, strict=True):
        scope[f"key{name}"], scope[f"exact{name}"] = key, exact
        scope[f"convert{name}"] = convert
        lines.append(f"    if k{name} != key{name}:")
        lines.append("        return None")
        if len(exact) == 1:
            (only,) = exact
            scope[f"type{name}"] = only
            test = f"type(v{name}) is not type{name}"
        else:
            test = f"type(v{name}) not in exact{name}"
        lines.append(f"    if {test}:")
        if convert is not None:
            lines.append(f"        v{name} = convert{name}(v{name})")
        else:
            lines.append("        return None")
    envelope = [
        *("event_id", "occurred", "recorded", "source", "summary"),
        *("supersedes", "tags"),
    ]
    if _trusted(cls):
        attributes = [*_ENVELOPE_FIELDS, *(key for key, *_ in fields)]
        values = [*envelope, *(f"v{name}" for name in names)]
        lines.append("    event = new(cls)")
        for index, (attribute, value) in enumerate(
            zip(attributes, values, strict=True)
        ):
            scope[f"set{index}"] = inspect.getattr_static(cls, attribute).__set__
            lines.append(f"    set{index}(event, {value})")
        lines.append("    return event")
    else:
        keywords = [*_ENVELOPE_FIELDS, *(keyword for _, keyword, *_ in fields)]
        values = [*envelope, *(f"v{name}" for name in names)]
        given = zip(keywords, values, strict=True)
        arguments = ", ".join(f"{keyword}={value}" for keyword, value in given)
        lines.append(f"    return cls({arguments})")
    exec("\n".join(lines), scope)  # (from names and values it checked)
    read: _Reader = scope["read"]
    return read


def _read_source(value: Any) -> Source:
    source: Source = _exactly(_decoder_for(Source), value, "x")
    return source


def _exact_reader(decoder: Decoder) -> Callable[[Any], Any]:
    """A field read by its decoder, which the writer must write as the body
    has it (orjson's text of the value, as the body is orjson's text)."""

    def read(value: Any) -> Any:
        decoded = decoder(value, "x")
        if _dumps(_encode_value(decoded, "x")).encode("utf-8") != orjson.dumps(value):
            raise ValueError(value)
        return decoded

    return read


def _labelled(decoder: Decoder) -> Callable[[Any], Any]:
    # The label would only name a failure, and the reference path does that.
    return lambda value: decoder(value, "x")


def _read_path(hint: Any) -> _Path:
    """For a declared type: the JSON value types taken as they are, and a
    converter that reads a few more (raising on what it cannot)."""
    if hint in (int, str, bool, None, _NONE_TYPE):
        return frozenset({_NONE_TYPE if hint is None else hint}), None
    if hint is float:
        return frozenset(), _read_float
    if hint in (UncertainDate, datetime.date, datetime.datetime, Text):
        # Their decoders refuse numbers: a long int cannot sneak in.
        return frozenset(), _labelled(_decoder_for(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return frozenset(), _enum_reader(hint)
    return _optional_path(hint, _read_path)


def _read_float(value: Any) -> float:
    # orjson reads ints of up to 64 bits only: finite as floats, and kept as
    # ints (as the reference does).  A float below 1e-4 in magnitude is
    # left to the reference, whose spelling of it orjson's differs from.
    if type(value) is int or (
        type(value) is float and (value == 0.0 or abs(value) >= 1e-4)
    ):
        return value
    raise TypeError(value)


def _enum_reader(kind: type[enum.Enum]) -> Callable[[Any], Any]:
    members = {
        (type(member.value), member.value): member
        for member in kind.__members__.values()
        if type(member.value) in (str, int) and kind(member.value) is member
    }

    def read(value: Any) -> Any:
        return members[type(value), value]

    return read
