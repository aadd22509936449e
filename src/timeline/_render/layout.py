"""Where each event goes on a chart: its lane, its row, its extent, the
shape that shows its uncertainty and its status on the as-of day.  Plain
Python, no plotting library: :mod:`timeline._render.chart` draws a
:class:`Layout`, and tests can check one without drawing.

Lanes follow the facets of the bundled timeline's ``Relationship``
projection (the treaty, troops and personnel, arms, technology and aid,
joint development, regional responses, alignments), with the war that set
it going on top; an event type that is not the bundled timeline's gets a
lane of its own.

>>> from timeline.dataset import open_bundled
>>> layout = build_layout(open_bundled(), as_of="2025-07-14")
>>> [lane.key for lane in layout.lanes]
['war', 'treaty', 'troops', 'arms', 'tech_aid', 'joint', 'responses', 'alignments']
>>> mark = layout.mark("prog-treaty-in-force")
>>> mark.shape.value, mark.superseded, mark.corrections
('band', True, ('ver-treaty-in-force-2024-12-04',))
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Final

import attrs

import timeline
from timeline._log import as_day
from timeline._render.words import Lang, em_width, event_label, say

__all__ = [
    "Lane",
    "LaneError",
    "LaneOf",
    "Layout",
    "Mark",
    "Range",
    "Shape",
    "Status",
    "build_layout",
    "by_tag",
    "by_type",
    "checked",
    "default_lanes",
    "lane_key",
    "lane_label",
]


class Shape(enum.Enum):
    """How a date is drawn."""

    DAY = "day"  # one known day: a point
    BAND = "band"  # a month, season, year or closed interval: a band across it
    OPEN_START = "open_start"  # no earliest day: a bar fading into the past
    OPEN_END = "open_end"  # no latest day: a bar fading into the future


class Status(enum.Enum):
    """An event on the as-of day."""

    CERTAIN = "certain"  # happened by the end of the day, whatever its date
    PENDING = "pending"  # its date straddles the day: may have happened
    LATER = "later"  # certainly after the day


@attrs.frozen
class LaneSpec:
    key: str
    en: str
    ja: str
    color: str


# The lanes of the bundled timeline, top to bottom.
DATASET_LANES: Final = (
    LaneSpec("war", "War", "戦争", "#57534e"),
    LaneSpec("treaty", "Treaty & summits", "条約・首脳会談", "#1d4ed8"),
    LaneSpec("troops", "Troops & personnel", "派兵・人員", "#b91c1c"),
    LaneSpec("arms", "Arms to Russia", "ロシアへの武器", "#c2410c"),
    LaneSpec("tech_aid", "Technology & aid to NK", "北朝鮮への技術・支援", "#7e22ce"),
    LaneSpec("joint", "Joint development", "共同開発（艦艇）", "#0f766e"),
    LaneSpec("responses", "Regional responses", "地域の対応・監視", "#15803d"),
    LaneSpec("alignments", "Alignments", "連携", "#a16207"),
)
_OTHER_COLORS: Final = (
    "#0369a1",
    "#be185d",
    "#4d7c0f",
    "#9333ea",
    "#b45309",
    "#0f766e",
    "#b91c1c",
    "#1d4ed8",
)

_LANE_OF_TYPE: Final = {
    "nkru.war.began": "war",
    "nkru.summit.held": "treaty",
    "nkru.treaty.signed": "treaty",
    "nkru.treaty.ratified": "treaty",
    "nkru.treaty.in_force": "treaty",
    "nkru.personnel.deployed": "troops",
    "nkru.casualties.estimated": "troops",
    "nkru.arms.transferred": "arms",
    "nkru.technology.transferred": "tech_aid",
    "nkru.aid.provided": "tech_aid",
    "nkru.diplomatic.backing": "tech_aid",
    "nkru.warship.launched": "joint",
    "nkru.exercise.held": "responses",
    "nkru.monitoring.reported": "responses",
    "nkru.alignment.named": "alignments",
    "nkru.war.episode": "war",
    "nkru.personnel.announced": "troops",
    "nkru.response.taken": "responses",
    "nkru.claim.unverified": "responses",
}
# The relationship's two parties: their stances are motives (next to the
# treaty and summits); anyone else's is a response.
_PARTIES: Final = frozenset({"KP", "RU"})


LaneOf = Callable[[timeline.Event], str]
"""Which lane an event goes in: a facet function, given the event."""


def lane_key(event: timeline.Event) -> str:
    """The lane of an event: a facet of the bundled timeline, or the event's
    type name for other types."""
    name = type(event).type_name
    if name in ("nkru.stance.stated", "nkru.assessment.made"):
        who = getattr(event, "actor", None) or getattr(event, "subject", "")
        actors = {a.strip() for a in str(who).split(",")}
        return "treaty" if actors <= _PARTIES else "responses"
    return _LANE_OF_TYPE.get(name, name)


def by_type(event: timeline.Event) -> str:
    """A lane per event type (the default for a log of your own types)."""
    return type(event).type_name


def by_tag(event: timeline.Event) -> str:
    """A lane per tag: an event's first tag (untagged events together)."""
    return event.tags[0] if event.tags else "(untagged)"


def is_bundled(log: Iterable[timeline.Event]) -> bool:
    """Are all the log's events of the bundled timeline's types?"""
    return all(
        type(e).__module__.startswith("timeline.dataset")
        or isinstance(e, timeline.Retraction)
        for e in log
    )


def default_lanes(log: timeline.Log) -> LaneOf:
    """The bundled timeline's facets for its own log, else a lane per type."""
    return lane_key if is_bundled(log) else by_type


@attrs.frozen
class Lane:
    key: str
    label: str
    color: str
    first_row: int
    rows: int


@attrs.frozen
class Mark:
    """One event on the chart.  Positions are day numbers (the proleptic
    Gregorian ordinal); a day ``d`` spans ``[d, d + 1)``.  ``start``/``end``
    is what is drawn (an open end fades over a fixed length), ``fuzzy`` the
    bounds widened for ``~``/``?`` qualifiers."""

    event: timeline.Event
    lane: str
    row: int
    shape: Shape
    start: float
    end: float
    status: Status
    superseded: bool
    corrections: tuple[str, ...]
    corrects: tuple[str, ...]
    label: str
    label_left: bool
    fuzzy: tuple[float, float] | None = None

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def anchor(self) -> float:
        """Where the mark is strongest: the day, the band's middle, the known
        end of an open-ended bar."""
        if self.shape is Shape.OPEN_START:
            return self.end
        if self.shape is Shape.OPEN_END:
            return self.start
        return (self.start + self.end) / 2


@attrs.frozen
class Range:
    """One estimate measure in the block under the chart: the range of the
    authors' current figures on the as-of day, with the author and date of
    each end (``text``), at ``row`` of ``column`` (``x``: the column's left
    edge, in pixels from the block's left edge)."""

    measure: str
    text: str
    row: int
    column: int
    x: float


RANGE_BLOCK_PX: Final = 1440.0
"""The width of the block of estimate ranges under the chart, in pixels."""
RANGE_GAP_PX: Final = 28.0
"""Between two columns of the block."""


@attrs.frozen
class Layout:
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    rows: int
    x_min: float
    x_max: float
    as_of: datetime.date
    known_at: datetime.date | None
    lang: Lang
    fade: float
    ranges: tuple[Range, ...] = ()

    @property
    def range_rows(self) -> int:
        """The rows of the block of estimate ranges (0: no block)."""
        return max((r.row + 1 for r in self.ranges), default=0)

    def mark(self, event_id: str) -> Mark:
        for mark in self.marks:
            if mark.id == event_id:
                return mark
        raise KeyError(f"no mark for event {event_id!r}")

    def lane(self, key: str) -> Lane:
        for lane in self.lanes:
            if lane.key == key:
                return lane
        raise KeyError(f"no lane {key!r}")


def status_on(date: timeline.UncertainDate, day: int) -> Status:
    """An event's status on day number ``day`` (as :meth:`timeline.Log.state`
    counts it: certain when its latest day is ``day`` or before)."""
    lo, hi = date.earliest_day, date.latest_day
    if hi is not None and hi <= day:
        return Status.CERTAIN
    if lo is None or lo <= day:
        return Status.PENDING
    return Status.LATER


def _shape(date: timeline.UncertainDate) -> Shape:
    if date.earliest_day is None:
        return Shape.OPEN_START
    if date.latest_day is None:
        return Shape.OPEN_END
    if date.earliest_day == date.latest_day:
        return Shape.DAY
    return Shape.BAND


@attrs.frozen
class Geometry:
    """What the layout needs to know of the drawing: the plot's width in
    pixels, the labels' em in pixels, and (when a drawing library can tell)
    a function giving a label's width in pixels."""

    plot_width_px: float = 1180.0
    label_em_px: float = 10.5
    pad_px: float = 6.0
    min_mark_px: float = 7.0
    measure: Callable[[str], float] | None = attrs.field(default=None, eq=False)

    def width(self, text: str) -> float:
        if self.measure is not None:
            return self.measure(text)
        return em_width(text) * self.label_em_px


def _known_events(
    log: timeline.Log, known_at: datetime.date | None
) -> tuple[list[timeline.Event], list[timeline.Event]]:
    """The events counted as known on ``known_at`` (fold order), and the
    ones known then but superseded by then."""
    current = list(log.timeline(known_at))
    ids = {event.id for event in current}
    count = log.count_known_at(known_at)
    superseded = [log.at(seq) for seq in range(1, count + 1)]
    return current, [e for e in superseded if e.id not in ids]


def _bounds(events: Iterable[timeline.Event]) -> tuple[int, int] | None:
    days = [
        day
        for event in events
        for day in (event.occurred.earliest_day, event.occurred.latest_day)
        if day is not None
    ]
    return (min(days), max(days)) if days else None


def default_as_of(
    log: timeline.Log, known_at: datetime.date | str | None = None
) -> str:
    """The as-of day when none is given: the last day that the record's
    dates reach (as known on ``known_at``)."""
    known = None if known_at is None else as_day(known_at, "known_at")
    bounds = _bounds(log.timeline(known))
    if bounds is None:
        return datetime.date.today().isoformat()
    return timeline.from_day_number(bounds[1]).isoformat()


def lane_label(key: str, lang: Lang) -> str:
    """A lane's name in ``lang`` (an event type name for other lanes)."""
    for spec in DATASET_LANES:
        if spec.key == key:
            return spec.ja if lang == "ja" else spec.en
    return key


def _brief(text: str, most: int = 100) -> str:
    """``text``, cut to ``most`` characters (an error message stays one
    readable line, however large the value it names)."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _lane(lane_of: LaneOf, event: timeline.Event) -> str:
    name = getattr(lane_of, "__qualname__", lane_of)
    try:
        lane = lane_of(event)
    except LaneError:
        raise
    except Exception as error:
        raise LaneError(
            f"the lane function {name} raised {type(error).__name__} on event "
            f"{event.id!r}: {_brief(str(error))}"
        ) from error
    if not isinstance(lane, str) or not lane:
        shown = repr(lane) if len(repr(lane)) <= 40 else f"a {type(lane).__name__}"
        raise LaneError(
            f"the lane function {name} gave {shown} for event {event.id!r}: "
            "expected a lane name (a str)"
        )
    return lane


def checked(lane_of: LaneOf) -> LaneOf:
    """``lane_of`` (a user's function) raising :class:`LaneError`, naming
    the event, when it fails or gives something other than a name."""

    def lane(event: timeline.Event) -> str:
        return _lane(lane_of, event)

    lane.__qualname__ = getattr(lane_of, "__qualname__", repr(lane_of))
    return lane


class LaneError(timeline.TimelineError, ValueError):
    """A lane function failed or gave something other than a lane name."""


def _lane_specs(keys: Iterable[str], lang: Lang) -> list[tuple[str, str, str]]:
    """The lanes, top to bottom: the bundled timeline's facets in their
    order, then any other lane in the order its first event starts."""
    present = list(dict.fromkeys(keys))
    out = [
        (spec.key, spec.ja if lang == "ja" else spec.en, spec.color)
        for spec in DATASET_LANES
        if spec.key in present
    ]
    known = {spec.key for spec in DATASET_LANES}
    others = [key for key in present if key not in known]
    for i, key in enumerate(others):
        out.append((key, key, _OTHER_COLORS[i % len(_OTHER_COLORS)]))
    return out


LABEL_OFFSET_PX: Final = 5.0
"""Between a mark and its label, in pixels (the chart draws it so)."""


def _side(
    drawn: tuple[float, float],
    width: float,
    offset: float,
    as_x: float,
    margin: float,
    x_min: float,
    x_max: float,
) -> tuple[bool, float, float]:
    """Which side of the mark its label goes (True: left), and how far it
    then overflows the plot on the left and on the right.  Right by
    default; left when the right side would cross the as-of line or the
    plot's edge and the left would not; else the side that does not cross
    the line, overflowing the plot (which is then widened)."""
    right = (drawn[1] + offset, drawn[1] + offset + width)
    left = (drawn[0] - offset - width, drawn[0] - offset)

    def crosses(span: tuple[float, float]) -> bool:
        return span[0] - margin < as_x < span[1] + margin

    def fits(span: tuple[float, float]) -> bool:
        return x_min <= span[0] and span[1] <= x_max

    if fits(right) and not crosses(right):
        return False, 0.0, 0.0
    if fits(left) and not crosses(left):
        return True, 0.0, 0.0
    if not crosses(right):
        return False, 0.0, right[1] - x_max
    if not crosses(left):
        return True, x_min - left[0], 0.0
    return False, 0.0, max(right[1] - x_max, 0.0)


class _Rows:
    """First-fit packing of extents into the rows of one lane."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[float, float]]] = []

    def free(self, row: int, a: float, b: float) -> bool:
        if row >= len(self.rows):
            return True
        return all(b <= x or a >= y for x, y in self.rows[row])

    def put(self, row: int, a: float, b: float) -> int:
        while row >= len(self.rows):
            self.rows.append([])
        self.rows[row].append((a, b))
        return row

    def first_fit(self, a: float, b: float) -> int:
        row = 0
        while not self.free(row, a, b):
            row += 1
        return self.put(row, a, b)

    def block(self, extents: Sequence[tuple[float, float]]) -> int:
        """Put extents in consecutive rows, at the first row where all fit;
        returns that row."""
        row = 0
        while not all(self.free(row + i, a, b) for i, (a, b) in enumerate(extents)):
            row += 1
        for i, (a, b) in enumerate(extents):
            self.put(row + i, a, b)
        return row


@attrs.frozen
class _Item:
    event: timeline.Event
    lane: str
    shape: Shape
    start: float
    end: float
    label: str
    label_left: bool
    extent: tuple[float, float]
    superseded: bool
    corrections: tuple[str, ...]


def build_layout(
    log: timeline.Log,
    *,
    as_of: timeline.UncertainDate | datetime.date | str | None = None,
    known_at: datetime.date | str | None = None,
    lang: Lang = "en",
    geometry: Geometry = Geometry(),
    lanes: LaneOf | None = None,
) -> Layout:
    """The layout of the events known on ``known_at`` (default: the whole
    log), with their status on ``as_of`` (default: :func:`default_as_of`),
    in the lanes ``lanes`` puts them (default: :func:`default_lanes`).

    Superseded claims (known then, corrected by then) are kept, beside their
    correction, with ``superseded`` set."""
    known_day = None if known_at is None else as_day(known_at, "known_at")
    if as_of is None:
        as_of = default_as_of(log, known_day)
    as_of_day = as_day(as_of, "as_of")
    lane_of = default_lanes(log) if lanes is None else lanes
    current, superseded = _known_events(log, known_day)
    count = log.count_known_at(known_day)
    everything = [*current, *superseded]
    bounds = _bounds(everything) or (as_of_day.toordinal(), as_of_day.toordinal())
    lo = min(bounds[0], as_of_day.toordinal())
    hi = max(bounds[1] + 1, as_of_day.toordinal() + 1)
    span = max(hi - lo, 60)
    x_min = lo - 0.03 * span
    x_max = hi + 0.05 * span
    fade = max(0.12 * span, 40.0)
    as_x = as_of_day.toordinal() + 1.0  # the as-of line: the end of the day
    current_ids = {e.id for e in current}
    lane_by_id = {event.id: _lane(lane_of, event) for event in everything}

    def place(
        x_min: float, x_max: float
    ) -> tuple[list[_Item], dict[str, list[str]], float, float]:
        """The items with their labels placed, and how far (in days) the
        labels that must go outside the plot overflow it, left and right."""
        per_px = (x_max - x_min) / geometry.plot_width_px
        offset = LABEL_OFFSET_PX * per_px  # from the mark to its label
        gap = geometry.pad_px * per_px  # kept free around each item of a row
        margin = 3 * per_px  # kept free around the as-of line
        min_half = geometry.min_mark_px * per_px / 2
        corrects: dict[str, list[str]] = {}
        items: list[_Item] = []
        over_left = over_right = 0.0
        for event in everything:
            date = event.occurred
            shape = _shape(date)
            lo_day, hi_day = date.earliest_day, date.latest_day
            if shape is Shape.OPEN_START:
                assert hi_day is not None
                end = hi_day + 1.0
                start = max(end - fade, x_min)
                if as_x < end:
                    # Pending: it may already have happened, so the bar
                    # reaches back across the as-of line, not after it.
                    start = max(min(start, as_x - fade / 2), x_min)
            elif shape is Shape.OPEN_END:
                assert lo_day is not None
                start = float(lo_day)
                end = min(start + fade, x_max)
            else:
                assert lo_day is not None
                assert hi_day is not None
                start, end = float(lo_day), hi_day + 1.0
            drawn = (
                min(start, (start + end) / 2 - min_half),
                max(end, (start + end) / 2 + min_half),
            )
            label = event_label(event, lang)
            width = geometry.width(label) * per_px
            label_left, left_over, right_over = _side(
                drawn, width, offset, as_x, margin, x_min, x_max
            )
            over_left, over_right = (
                max(over_left, left_over),
                max(over_right, right_over),
            )
            if label_left:
                extent = (drawn[0] - offset - width - gap, drawn[1] + gap)
            else:
                extent = (drawn[0] - gap, drawn[1] + offset + width + gap)
            corrections = tuple(
                e.id for e in log.superseded_by(event.id) if log.seq(e.id) <= count
            )
            for c in corrections:
                corrects.setdefault(c, []).append(event.id)
            items.append(
                _Item(
                    event=event,
                    lane=lane_by_id[event.id],
                    shape=shape,
                    start=start,
                    end=end,
                    label=label,
                    label_left=label_left,
                    extent=extent,
                    superseded=event.id not in current_ids,
                    corrections=corrections,
                )
            )
        return items, corrects, over_left, over_right

    # Widen the plot until every label fits beside its mark without crossing
    # the as-of line (a few rounds: widening shrinks the days a pixel holds).
    for _ in range(5):
        items, corrects, over_left, over_right = place(x_min, x_max)
        if not (over_left or over_right):
            break
        x_min -= over_left * 1.05
        x_max += over_right * 1.05

    by_start = sorted(items, key=lambda i: (i.start, i.event.id))
    specs = _lane_specs((item.lane for item in by_start), lang)
    rows_of: dict[str, int] = {}
    packers = {key: _Rows() for key, _, _ in specs}
    claims = {item.event.id: item for item in items if item.superseded}

    # Corrections first, each with the claims it supersedes in the rows
    # right below it; then claims whose correction is elsewhere.
    for item in sorted(items, key=lambda i: (i.superseded, i.extent[0], i.event.id)):
        if item.event.id in rows_of:
            continue
        below = [
            claims[c]
            for c in corrects.get(item.event.id, ())
            if c in claims and c not in rows_of and claims[c].lane == item.lane
        ]
        row = packers[item.lane].block([i.extent for i in (item, *below)])
        for i, placed in enumerate((item, *below)):
            rows_of[placed.event.id] = row + i

    stacked: list[Lane] = []
    first = 0
    for key, label, color in specs:
        n = max(len(packers[key].rows), 1)
        stacked.append(Lane(key=key, label=label, color=color, first_row=first, rows=n))
        first += n
    first_row = {lane.key: lane.first_row for lane in stacked}
    day = as_of_day.toordinal()
    marks = tuple(
        Mark(
            event=item.event,
            lane=item.lane,
            row=first_row[item.lane] + rows_of[item.event.id],
            shape=item.shape,
            start=item.start,
            end=item.end,
            status=status_on(item.event.occurred, day),
            superseded=item.superseded,
            corrections=item.corrections,
            corrects=tuple(corrects.get(item.event.id, ())),
            label=item.label,
            label_left=item.label_left,
            fuzzy=_fuzzy(item.event.occurred),
        )
        for item in items
    )
    return Layout(
        ranges=_ranges(log, as_of_day, known_day, lang, geometry),
        lanes=tuple(stacked),
        marks=marks,
        rows=first,
        x_min=x_min,
        x_max=x_max,
        as_of=as_of_day,
        known_at=known_day,
        lang=lang,
        fade=fade,
    )


def _ranges(
    log: timeline.Log,
    as_of: datetime.date,
    known_at: datetime.date | None,
    lang: Lang,
    geometry: Geometry,
) -> tuple[Range, ...]:
    """The bundled timeline's estimate measures on the as-of day (as known
    on ``known_at``), in two columns when they fit side by side, else one."""
    if not len(log) or not is_bundled(log):
        return ()
    from timeline._render.facets import estimate_lines
    from timeline.dataset import Relationship

    state = log.state(Relationship, as_of=as_of, known_at=known_at).certain
    lines = estimate_lines(state, lang)
    half = (len(lines) + 1) // 2
    widths = [geometry.width(text) for _, text in lines]
    first = max(widths[:half], default=0.0)
    second = max(widths[half:], default=0.0)
    two = first + RANGE_GAP_PX + second <= RANGE_BLOCK_PX
    per = half if two else len(lines)
    return tuple(
        Range(
            measure=measure,
            text=text,
            row=i % per,
            column=i // per,
            x=(first + RANGE_GAP_PX) * (i // per),
        )
        for i, (measure, text) in enumerate(lines)
    )


def _fuzzy(date: timeline.UncertainDate) -> tuple[float, float] | None:
    if date.qualifier is timeline.Qualifier.NONE:
        return None
    lo, hi = date.fuzzy_days()
    if lo is None or hi is None:
        return None
    return float(lo), hi + 1.0


def lane_labels(layout: Layout) -> Sequence[str]:
    return [lane.label for lane in layout.lanes]


def title(log_name: str | None, lang: Lang) -> str:
    """The chart's title: the bundled timeline's, or "Timeline of NAME"."""
    if log_name is None:
        return say("title_bundled", lang)
    return say("title_log", lang, name=log_name)
