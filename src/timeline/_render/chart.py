"""Draw a :class:`~timeline._render.layout.Layout` with matplotlib (the
``timeline-ledger[plot]`` extra), as SVG or PNG.

Every event drawn has one mark whose SVG group id is ``event-<id>``
(:func:`mark_id`); its label, whiskers and connectors have other ids.  Text
is drawn as paths, so the SVG needs no font to display.

matplotlib is imported when a chart is drawn, not when this module is.
"""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs

import timeline
from timeline._render.fonts import LATIN, families
from timeline._render.layout import (
    LABEL_OFFSET_PX,
    Geometry,
    Layout,
    Mark,
    Shape,
    Status,
)
from timeline._render.values import escape
from timeline._render.words import Lang, day_text, say
from timeline.exceptions import TimelineError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "Frame",
    "PlotUnavailableError",
    "draw",
    "frame_for",
    "frame_of",
    "mark_id",
    "require_matplotlib",
    "save",
]

DPI: Final = 100
WIDTH_IN: Final = 15.0
LEFT_IN: Final = 2.15
RIGHT_IN: Final = 0.3
TOP_IN: Final = 1.55
BOTTOM_IN: Final = 0.45
ROW_IN: Final = 0.205
LANE_GAP: Final = 0.55  # in rows
LABEL_PT: Final = 7.4
RANGES_TOP_IN: Final = 0.4  # the heading of the block of estimate ranges
RANGES_LEFT_IN: Final = 0.3

SUPERSEDED_GREY: Final = "#9ca3af"
AS_OF_RED: Final = "#dc2626"
TEXT: Final = "#1f2937"
MUTED: Final = "#6b7280"
INSTALL_HINT: Final = "pip install 'timeline-ledger[plot]'"


class PlotUnavailableError(TimelineError, ImportError):
    """matplotlib (the ``timeline-ledger[plot]`` extra) is not installed."""


def require_matplotlib() -> None:
    """Raise :class:`PlotUnavailableError`, one clear line, if matplotlib
    cannot be imported."""
    if "matplotlib.figure" not in sys.modules:
        _check_room()
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401
    except ImportError as error:
        if isinstance(error, ModuleNotFoundError) and error.name == "matplotlib":
            raise PlotUnavailableError(
                f"rendering SVG, PNG and HTML needs matplotlib: {INSTALL_HINT}"
            ) from None
        raise PlotUnavailableError(_broken(error)) from error
    except MemoryError as error:
        raise PlotUnavailableError(_broken(error)) from error


CHART_MEMORY: Final = 192 << 20
"""About how much address space loading matplotlib and drawing a chart
takes (measured: ~80 MiB for numpy with one OpenBLAS thread, ~40 MiB for
matplotlib, ~40 MiB to draw and save the bundled chart)."""


def _check_room() -> None:
    """Under an address-space limit (``ulimit -v``) too tight to load
    matplotlib, say so in one line: numpy's OpenBLAS would otherwise abort
    the whole process with its own message when it cannot allocate its
    buffers, and Python cannot catch that."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return
    try:
        with open("/proc/self/statm", "rb") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):  # not Linux: no way to tell
        return
    if soft - used < CHART_MEMORY:
        raise PlotUnavailableError(
            "rendering SVG, PNG and HTML needs about "
            f"{CHART_MEMORY >> 20} MiB more memory (address space) than this process "
            f"may use ({(soft - used) >> 20} MiB left under ulimit -v "
            f"{soft >> 10}): allow the process more, or export with --format "
            "timelinejs"
        )


def _broken(error: BaseException) -> str:
    """Why an installed matplotlib could not be loaded, in one line: the
    innermost cause (a library that could not be mapped into memory, a
    missing dependency)."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    cause = str(error).strip().splitlines()[0] if str(error).strip() else ""
    cause = f"{type(error).__name__}: {cause}" if cause else type(error).__name__
    memory = isinstance(error, MemoryError) or "failed to map segment" in cause
    if memory:
        return (
            "rendering SVG, PNG and HTML: matplotlib could not be loaded in the "
            f"memory this process may use ({cause}): allow the process more "
            "(ulimit -v)"
        )
    return (
        f"rendering SVG, PNG and HTML: matplotlib is installed but could not be "
        f"loaded ({cause}); reinstall it: {INSTALL_HINT}"
    )


def mark_id(event_id: str) -> str:
    """The SVG id of an event's mark (its control characters escaped, as
    everywhere in the chart: :func:`timeline._render.values.escape`)."""
    return f"event-{escape(event_id)}"


@attrs.frozen
class Frame:
    """The figure's size and the plot's place in it, in inches."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def pixels(self) -> tuple[int, int]:
        """The PNG's size: (width, height) in pixels."""
        return round(self.width * DPI), round(self.height * DPI)

    def geometry(self, lang: Lang | None = None) -> Geometry:
        """What the layout needs to know; with ``lang``, labels are measured
        in the fonts they will be drawn in (needs matplotlib)."""
        return Geometry(
            plot_width_px=self.plot_width * DPI,
            label_em_px=LABEL_PT * DPI / 72,
            measure=None if lang is None else _measurer(lang),
        )


def frame_for(rows: int, lanes: int, range_rows: int = 0) -> Frame:
    """The figure for ``rows`` rows in ``lanes`` lanes, with a block of
    ``range_rows`` rows of estimate ranges under the plot."""
    plot = (rows + LANE_GAP * max(lanes - 1, 0) + 0.6) * ROW_IN
    bottom = BOTTOM_IN + (RANGES_TOP_IN + range_rows * ROW_IN if range_rows else 0)
    return Frame(
        width=WIDTH_IN,
        height=round(TOP_IN + plot + bottom, 2),
        left=LEFT_IN,
        right=RIGHT_IN,
        top=TOP_IN,
        bottom=round(bottom, 2),
    )


def frame_of(layout: Layout, *, live: bool = False) -> Frame:
    """The figure :func:`draw` draws ``layout`` in (``live``: no block of
    estimate ranges, as the page shows them beside the chart)."""
    return frame_for(layout.rows, len(layout.lanes), 0 if live else layout.range_rows)


DEFAULT_FRAME: Final = frame_for(40, 8)


def _measurer(lang: Lang) -> Callable[[str], float]:
    """A function giving a label's width in pixels, as drawn."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer: Any = cast(Any, RendererAgg)(100, 100, DPI)
    prop = FontProperties(family=families(lang), size=LABEL_PT)

    def measure(text: str) -> float:
        width, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return float(width)

    return measure


# -- drawing --------------------------------------------------------------


@contextmanager
def _style(lang: Lang) -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context(
        {
            "font.family": families(lang),
            "svg.fonttype": "path",
            "svg.hashsalt": "timeline",
            "axes.unicode_minus": False,
            "path.simplify": False,
        }
    ):
        yield


def _bold(lang: Lang) -> dict[str, Any]:
    """Bold text: DejaVu Sans Bold in English; the Japanese fonts have no
    bold face, so Japanese stays regular (rather than a warning)."""
    if lang == "ja":
        return {}
    return {"fontweight": "bold", "fontfamily": [LATIN]}


def _y(layout: Layout, mark: Mark) -> float:
    index = next(i for i, lane in enumerate(layout.lanes) if lane.key == mark.lane)
    return mark.row + index * LANE_GAP + 0.5 + 0.3


def _lane_span(layout: Layout, index: int) -> tuple[float, float]:
    lane = layout.lanes[index]
    top = lane.first_row + index * LANE_GAP + 0.3
    return top - LANE_GAP / 2 if index else 0.0, top + lane.rows + LANE_GAP / 2


def _blend(color: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    r, g, b, _ = to_rgba(color)
    return (r, g, b, alpha)


def _colors(mark: Mark, lane_color: str, live: bool) -> tuple[str, float, float]:
    """(colour, face alpha, edge alpha) of a mark."""
    if mark.superseded:
        return SUPERSEDED_GREY, 0.45, 0.9
    if live or mark.status is Status.CERTAIN:
        return lane_color, 0.85, 1.0
    if mark.status is Status.PENDING:
        return lane_color, 0.3, 1.0
    return lane_color, 0.0, 0.75


def _draw_mark(
    ax: Axes, layout: Layout, mark: Mark, lane_color: str, live: bool
) -> None:
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Rectangle

    y = _y(layout, mark)
    color, face, edge = _colors(mark, lane_color, live)
    pending = mark.status is Status.PENDING and not live
    dashed = pending or mark.superseded
    linestyle = (0, (2.2, 1.4)) if dashed else "solid"
    hatch = "//////" if pending and not mark.superseded else None
    gid = mark_id(mark.id)
    height = 0.56
    if mark.shape is Shape.DAY:
        x = mark.start + 0.5
        ax.plot(
            [x],
            [y],
            marker="o",
            markersize=6.2,
            markerfacecolor=_blend(color, face) if face else "white",
            markeredgecolor=_blend(color, edge),
            markeredgewidth=1.3,
            linestyle="none",
            gid=gid,
            zorder=4,
        )
        return
    if mark.shape is Shape.BAND:
        per_px = (layout.x_max - layout.x_min) / (ax.bbox.width or 1.0)
        width = mark.end - mark.start
        start = mark.start
        minimum = 7 * per_px
        if width < minimum:
            start -= (minimum - width) / 2
            width = minimum
        rect = Rectangle(
            (start, y - height / 2),
            width,
            height,
            facecolor=_blend(color, face) if face else "white",
            edgecolor=_blend(color, edge),
            linewidth=1.0,
            linestyle=linestyle,
            hatch=hatch,
            gid=gid,
            zorder=3,
        )
        if hatch:
            rect.set_hatch_linewidth(0.6)
        ax.add_patch(rect)
        return
    # An open end: segments whose opacity falls away from the known end.
    steps = 18
    span = mark.end - mark.start
    polys = []
    faces = []
    for i in range(steps):
        a = mark.start + span * i / steps
        b = mark.start + span * (i + 1) / steps
        polys.append(
            [
                (a, y - height / 2),
                (b, y - height / 2),
                (b, y + height / 2),
                (a, y + height / 2),
            ]
        )
        t = (i + 0.5) / steps
        strength = t if mark.shape is Shape.OPEN_START else 1 - t
        alpha = max(face, 0.12) * strength**1.3
        faces.append(_blend(color, alpha))
    ax.add_collection(
        PolyCollection(
            polys,
            facecolors=faces,
            edgecolors="none",
            gid=gid,
            zorder=3,
            hatch=hatch,
        )
    )
    known = mark.end if mark.shape is Shape.OPEN_START else mark.start
    ax.plot(
        [known, known],
        [y - height / 2 - 0.08, y + height / 2 + 0.08],
        color=_blend(color, edge),
        linewidth=1.8,
        linestyle=linestyle,
        solid_capstyle="butt",
        gid=f"bound-{escape(mark.id)}",
        zorder=4,
    )


def _draw_label(ax: Axes, layout: Layout, mark: Mark, live: bool) -> None:
    y = _y(layout, mark)
    per_px = (layout.x_max - layout.x_min) / (ax.bbox.width or 1.0)
    pad = LABEL_OFFSET_PX * per_px
    if mark.shape is Shape.DAY:
        left, right = mark.start + 0.5 - 4 * per_px, mark.start + 0.5 + 4 * per_px
    else:
        left, right = mark.start, mark.end
    x, ha = (left - pad, "right") if mark.label_left else (right + pad, "left")
    later = mark.status is Status.LATER and not live
    color = MUTED if mark.superseded or later else TEXT
    ax.text(
        x,
        y,
        mark.label,
        ha=ha,
        va="center",
        fontsize=LABEL_PT,
        color=color,
        fontstyle="italic" if mark.superseded else "normal",
        gid=f"label-{escape(mark.id)}",
        zorder=5,
        bbox={
            "boxstyle": "square,pad=0.08",
            "facecolor": (1, 1, 1, 0.72),
            "edgecolor": "none",
        },
    )


def _draw_connectors(ax: Axes, layout: Layout) -> None:
    by_id = {mark.id: mark for mark in layout.marks}
    for mark in layout.marks:
        for target_id in mark.corrections:
            target = by_id.get(target_id)
            if target is None:
                continue
            ax.annotate(
                "",
                xy=(target.anchor, _y(layout, target)),
                xytext=(mark.anchor, _y(layout, mark)),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": SUPERSEDED_GREY,
                    "linewidth": 0.9,
                    "linestyle": (0, (1.5, 1.5)),
                    "shrinkA": 3,
                    "shrinkB": 4,
                    "mutation_scale": 7,
                    "connectionstyle": "arc3,rad=0.0",
                },
                gid=escape(f"correction-{mark.id}-{target_id}"),
                zorder=2,
            )


def _draw_fuzz(ax: Axes, layout: Layout, mark: Mark, lane_color: str) -> None:
    if mark.fuzzy is None:
        return
    y = _y(layout, mark)
    color = SUPERSEDED_GREY if mark.superseded else lane_color
    lo, hi = mark.fuzzy
    ax.errorbar(
        [(mark.start + mark.end) / 2],
        [y],
        xerr=[[(mark.start + mark.end) / 2 - lo], [hi - (mark.start + mark.end) / 2]],
        fmt="none",
        ecolor=_blend(color, 0.7),
        elinewidth=0.9,
        capsize=2.5,
        zorder=2,
    )


def _years(layout: Layout) -> tuple[list[float], list[str], list[float]]:
    """Year ticks: every year over a few years (quarters between them), or
    every 2, 5, 10, ... years over a longer span, about a dozen at most."""
    first = timeline.from_day_number(int(layout.x_min)).year
    last = timeline.from_day_number(int(layout.x_max)).year
    years = last - first + 1
    step = next(
        (s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if years / s <= 12),
        1000,
    )
    minor_step = {1: 0, 2: 1, 5: 1, 10: 2, 20: 5, 25: 5, 50: 10}.get(step, step // 5)
    majors, labels, minors = [], [], []
    for year in range(max(first - first % step, 1), min(last + 2, 10_000)):
        day = datetime.date(year, 1, 1).toordinal()
        if not layout.x_min <= day <= layout.x_max:
            continue
        if year % step == 0:
            majors.append(float(day))
            labels.append(f"{year}年" if layout.lang == "ja" else str(year))
        elif minor_step and year % minor_step == 0:
            minors.append(float(day))
        if step == 1:
            for month in (4, 7, 10):
                q = datetime.date(year, month, 1).toordinal()
                if layout.x_min <= q <= layout.x_max:
                    minors.append(float(q))
    return majors, labels, minors


def _legend(fig: Figure, layout: Layout, frame: Frame, live: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang = layout.lang
    ink = "#4b5563"
    status: list[tuple[Any, str]] = [
        (Patch(facecolor=_blend(ink, 0.85), edgecolor=ink), say("certain", lang)),
        (
            Patch(
                facecolor=_blend(ink, 0.3),
                edgecolor=ink,
                hatch="//////",
                linestyle=(0, (2.2, 1.4)),
            ),
            say("pending", lang),
        ),
        (Patch(facecolor="white", edgecolor=_blend(ink, 0.75)), say("later", lang)),
        (
            Patch(
                facecolor=_blend(SUPERSEDED_GREY, 0.45),
                edgecolor=SUPERSEDED_GREY,
                linestyle=(0, (2.2, 1.4)),
            ),
            say("superseded", lang),
        ),
    ]
    dates: list[tuple[Any, str]] = [
        (
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markersize=6,
                markerfacecolor=_blend(ink, 0.85),
                markeredgecolor=ink,
            ),
            say("day", lang),
        ),
        (Patch(facecolor=_blend(ink, 0.85), edgecolor=ink), say("band", lang)),
        (_FadeHandle(ink), say("open", lang)),
        (
            Line2D([], [], marker="|", markersize=7, color=ink, linewidth=0.9),
            say("approx", lang),
        ),
    ]
    top = 1 - 0.74 / frame.height
    common: dict[str, Any] = {
        "loc": "upper left",
        "frameon": False,
        "fontsize": 8.2,
        "handlelength": 2.2,
        "handleheight": 0.9,
        "columnspacing": 1.6,
        "borderaxespad": 0,
    }
    handler_map = {_FadeHandle: _FadeHandler()}
    if live:
        # The page styles marks by the slider's day, and explains how.
        status = status[3:]
    first = fig.legend(
        [h for h, _ in status],
        [t for _, t in status],
        bbox_to_anchor=(frame.left / frame.width, top),
        ncols=4,
        handler_map=handler_map,
        **common,
    )
    first.set_gid("legend-status")
    second = fig.legend(
        [h for h, _ in dates],
        [t for _, t in dates],
        bbox_to_anchor=(frame.left / frame.width, top - 0.24 / frame.height),
        ncols=4,
        handler_map=handler_map,
        **common,
    )
    second.set_gid("legend-dates")


class _FadeHandle:
    def __init__(self, color: str) -> None:
        self.color = color


class _FadeHandler:
    """Draws a fading bar in a legend."""

    def legend_artist(
        self, legend: Any, orig_handle: Any, fontsize: float, handlebox: Any
    ) -> Any:
        from matplotlib.patches import Rectangle

        x0, y0 = handlebox.xdescent, handlebox.ydescent
        width, height = handlebox.width, handlebox.height
        steps = 10
        artist = None
        for i in range(steps):
            t = (i + 0.5) / steps
            artist = Rectangle(
                (x0 + width * i / steps - x0 * 0, y0),
                width / steps,
                height,
                facecolor=_blend(orig_handle.color, 0.85 * t**1.3),
                edgecolor="none",
                transform=handlebox.get_transform(),
            )
            handlebox.add_artist(artist)
        return artist


def draw(
    layout: Layout, frame: Frame, title: str, subtitle: str, *, live: bool = False
) -> Figure:
    """The chart of ``layout`` as a matplotlib Figure (inside the style's
    font settings: call it within :func:`_style`).

    ``live``: for a page that shows the status of events itself (by a
    slider's day): every mark drawn alike, and no as-of line."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, NullFormatter

    fig = Figure(figsize=(frame.width, frame.height), dpi=DPI, facecolor="white")
    ax = fig.add_axes(
        (
            frame.left / frame.width,
            frame.bottom / frame.height,
            frame.plot_width / frame.width,
            (frame.height - frame.top - frame.bottom) / frame.height,
        )
    )
    ax.set_gid("chart")
    total = layout.rows + LANE_GAP * max(len(layout.lanes) - 1, 0) + 0.6
    ax.set_xlim(layout.x_min, layout.x_max)
    ax.set_ylim(total, 0)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#9ca3af")
    majors, labels, minors = _years(layout)
    ax.xaxis.set_major_locator(FixedLocator(majors))
    ax.set_xticks(majors, labels)
    ax.xaxis.set_minor_locator(FixedLocator(minors))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", which="major", labelsize=9.5, colors="#374151", length=5)
    ax.tick_params(axis="x", which="minor", length=3, colors="#9ca3af")
    ax.tick_params(axis="x", labeltop=True, top=True, which="both")
    for x in majors:
        ax.axvline(x, color="#d1d5db", linewidth=0.9, zorder=0)
    for x in minors:
        ax.axvline(x, color="#eef0f3", linewidth=0.7, zorder=0)

    colors = {lane.key: lane.color for lane in layout.lanes}
    for index, lane in enumerate(layout.lanes):
        top, bottom = _lane_span(layout, index)
        if index % 2 == 0:
            ax.axhspan(top, bottom, color="#f5f6f8", zorder=-1, linewidth=0)
        ax.text(
            -0.012,
            (top + bottom) / 2,
            escape(lane.label),
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=9.6,
            color=lane.color,
            **_bold(layout.lang),
            gid=f"lane-{escape(lane.key)}",
        )
        ax.plot(
            [-0.006, -0.006],
            [top + 0.15, bottom - 0.15],
            transform=ax.get_yaxis_transform(),
            color=lane.color,
            linewidth=3.2,
            solid_capstyle="butt",
            clip_on=False,
        )

    _draw_connectors(ax, layout)
    for mark in layout.marks:
        _draw_fuzz(ax, layout, mark, colors[mark.lane])
        _draw_mark(ax, layout, mark, colors[mark.lane], live)
        _draw_label(ax, layout, mark, live)
    _draw_titles(fig, frame, title, subtitle, layout.lang)
    _legend(fig, layout, frame, live)
    if not live:
        _draw_as_of(ax, layout, frame)
        _draw_ranges(fig, layout, frame)
    return fig


def _draw_ranges(fig: Figure, layout: Layout, frame: Frame) -> None:
    """The block under the plot: each estimate measure's range across
    authors on the as-of day, with the author and date of each end."""
    if not layout.ranges:
        return
    top = frame.bottom - BOTTOM_IN  # inches from the figure's bottom
    lang = layout.lang
    fig.text(
        RANGES_LEFT_IN / frame.width,
        (top + 0.05) / frame.height,
        say("ranges", lang, day=day_text(layout.as_of, lang)),
        ha="left",
        va="top",
        fontsize=9.2,
        color=TEXT,
        **_bold(lang),
        gid="ranges-title",
    )
    for line in layout.ranges:
        y = top - RANGES_TOP_IN + 0.05 - (line.row + 0.5) * ROW_IN
        fig.text(
            (RANGES_LEFT_IN + line.x / DPI) / frame.width,
            y / frame.height,
            line.text,
            ha="left",
            va="center",
            fontsize=LABEL_PT,
            color=TEXT,
            gid=f"range-{line.measure}",
        )


def _draw_as_of(ax: Axes, layout: Layout, frame: Frame) -> None:
    as_of = layout.as_of.toordinal() + 1.0
    ax.axvline(
        as_of,
        color=AS_OF_RED,
        linewidth=1.5,
        linestyle=(0, (5, 2.5)),
        zorder=6,
        gid="as-of",
    )
    ax.text(
        as_of,
        1.0,
        " " + say("as_of", layout.lang, day=layout.as_of.isoformat()) + " ",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontsize=8.4,
        color="white",
        **_bold(layout.lang),
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": AS_OF_RED,
            "edgecolor": "none",
        },
        zorder=7,
        gid="as-of-label",
    ).set_y(1.0 + 0.27 / (frame.height - frame.top - frame.bottom))


def _draw_titles(
    fig: Figure, frame: Frame, title: str, subtitle: str, lang: Lang
) -> None:
    fig.text(
        frame.left / frame.width,
        1 - 0.22 / frame.height,
        title,
        ha="left",
        va="top",
        fontsize=15,
        color=TEXT,
        **_bold(lang),
        gid="title",
    )
    fig.text(
        frame.left / frame.width,
        1 - 0.5 / frame.height,
        subtitle,
        ha="left",
        va="top",
        fontsize=9.5,
        color=MUTED,
        gid="subtitle",
    )


def plot_box(layout: Layout, frame: Frame) -> dict[str, float]:
    """Where the plot lies in the SVG's coordinates (points, from the top
    left), and the days at its edges: for a page that draws on the chart."""
    return {
        "x0": frame.left * 72,
        "x1": (frame.width - frame.right) * 72,
        "y0": frame.top * 72,
        "y1": (frame.height - frame.bottom) * 72,
        "d0": layout.x_min,
        "d1": layout.x_max,
    }


def _count(n: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def subtitle(layout: Layout, counted: int, superseded: int) -> str:
    lang = layout.lang
    day = day_text(layout.as_of, lang)
    record = (
        say("current", lang)
        if layout.known_at is None
        else say("known_on", lang, day=layout.known_at.isoformat())
    )
    if lang == "ja":
        text = f"{day}時点 · {record}（{counted}件"
        text += f"、訂正された主張{superseded}件を薄く表示）" if superseded else "）"
        return text
    text = f"as of {day} · {record} ({_count(counted, 'event')}"
    faded = _count(superseded, "superseded claim")
    text += f"; {faded} shown faded)" if superseded else ")"
    return text


def save(
    layout: Layout,
    frame: Frame,
    title: str,
    fmt: Literal["svg", "png"],
    *,
    live: bool = False,
    subtitle_text: str | None = None,
) -> bytes:
    """The chart as SVG or PNG bytes (``live``: see :func:`draw`)."""
    require_matplotlib()
    counted = sum(1 for m in layout.marks if not m.superseded)
    superseded = len(layout.marks) - counted
    if subtitle_text is None:
        subtitle_text = subtitle(layout, counted, superseded)
    with _style(layout.lang):
        fig = draw(layout, frame, escape(title), escape(subtitle_text), live=live)
        buffer = io.BytesIO()
        metadata: dict[str, Any] = (
            {"Date": None, "Creator": "timeline"}
            if fmt == "svg"
            else {"Software": "timeline"}
        )
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return buffer.getvalue()
