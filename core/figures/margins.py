"""Margins that already hold a chart's axis labels and titles, so plotly lays the chart out once.

With automargin (the template's), plotly draws a chart, measures its labels, grows the margins when
they do not fit and draws the chart again: a third of a small heatmap's drawing time, and half to two
thirds of a decision-boundary map's, on every rerun; a sweep map, whose plot is held square, was laid out
three or four times. Where the labels are known on the server (a matrix's indices, an axis with a fixed
range, listed tick labels and a colour bar's title) the margins are set to hold them, as upper bounds
fitted to what chromium measured (tests/test_margins.py pins those measurements). Automargin stays on: an
estimate that falls short costs a second drawing, never a cut label; one that is a little long costs a
few px of plot."""

from __future__ import annotations

import math

from core.figures.style import MARGIN, TEMPLATE, TICK_FONT_PX
from core.figures.text_size import font_size, label_width, text_width

# A matrix's index labels: room on top of the widest row label and one more digit, and on top of two
# tick-font lines (at 12 px chromium gave 31 px left for one-digit rows, 38 for two, and 39 px below;
# at 18 px, presentation mode, 36, 46 and 48).
MATRIX_LEFT_PX = 18
MATRIX_BOTTOM_PX = 16

# A titled axis with a fixed range (the decision boundary's x₁ and x₂): chromium gave 72-82 px left and
# 69 px below at tick font 12 px and title 14 px, 86-101 and 83 at 18 and 22 px (presentation mode; 87
# below in the app, with its own font).
FIXED_LEFT_PX = 25  # the tick labels' standoff and room, beyond the labels and the title
FIXED_BOTTOM_PX = 27
TICK_LINE = 1.3  # an x tick label's height in tick-font sizes
TITLE_ROOM = 0.8  # an axis title's room beyond its standoff, in title-font sizes
Y_PX_PER_TICK = 40  # plotly.js aims at a y tick every 40 px
# Listed tick labels (the sweep maps' powers of ten, label_width's estimate, tighter than text_width's numbers):
# chromium pushed 74.3-76.9 px left with the titled y axis at tick font 12 px and title 14, 89.2-93.1 at 18 and
# 22 px (presentation mode); below, 70.2 and 85.0 (FIXED_BOTTOM_PX holds them).
LISTED_LEFT_PX = 23
# A vertical colour bar (plotly's x = 1.02 of the plot's width, xpad 10, the style's thickness 12) beyond the
# wider of its title and its tick labels: chromium pushed 68.6-71.5 px for the sweep's bar titled "log10" at
# font 14 px (the more room the axis labels got on the left, the more) and 84.6-87.1 at 20 px (presentation
# mode), whatever its range.
COLORBAR_SIDE_PX = 30
COLORBAR_X = 1.02


def matrix_margins(margin: dict, y_axis: dict, tick_px: float) -> dict:
    """The left and bottom margins that hold a matrix's row and column labels (never less than margin)."""
    rows = [str(v) for v in y_axis.get("ticktext") or y_axis.get("tickvals") or ["0"]]
    widest = max(text_width(r, tick_px) for r in rows)
    return {"l": max(margin["l"], math.ceil(MATRIX_LEFT_PX + widest + text_width("0", tick_px))),
            "b": max(margin["b"], math.ceil(MATRIX_BOTTOM_PX + 2.1 * tick_px))}


def plotly_dtick(span: float, length_px: float, px_per_tick: float) -> float:
    """The distance between ticks plotly.js picks for a linear axis spanning span over length_px: about one
    tick per px_per_tick (4 to 9 intervals), rounded up to 1, 2 or 5 times a power of ten."""
    rough = span / (min(max(length_px / px_per_tick, 4), 9) + 1)
    base = 10.0 ** math.floor(math.log10(rough))
    return base * next(n for n in (1, 2, 5, 10) if rough / base <= n)


def range_labels(low: float, high: float, dtick: float) -> list[str]:
    """The labels of the multiples of dtick from low to high, as plotly writes them (a true minus sign)."""
    return sorted({f"{k * dtick:.10g}".replace("-", "−")
                   for k in range(math.ceil(low / dtick - 1e-9), math.floor(high / dtick + 1e-9) + 1)})


def _ticks_and_titles(x: dict, y: dict) -> tuple[dict, dict]:
    """Per axis, its tick labels' font size and its title's room (the title's standoff and TITLE_ROOM of its font)."""
    axes, title_px = {"xaxis": x, "yaxis": y}, TEMPLATE["layout"]["xaxis"]["title"]["font"]["size"]
    tick = {a: font_size(axis, ("tickfont", "size"), TICK_FONT_PX) for a, axis in axes.items()}
    title = {a: TEMPLATE["layout"][a]["title"]["standoff"] + TITLE_ROOM * font_size(axis, ("title", "font", "size"),
                                                                                     title_px)
             for a, axis in axes.items()}
    return tick, title


def _bottom(margin: dict, tick: dict, title: dict) -> int:
    """The bottom margin that holds a titled x axis's labels and title (never less than margin's)."""
    return max(margin["b"], math.ceil(FIXED_BOTTOM_PX + TICK_LINE * tick["xaxis"] + title["xaxis"]))


def fixed_range_margins(layout: dict, data: list[dict], width_px: float) -> dict:
    """The left and bottom margins that hold the labels and titles of a figure drawn width_px wide whose x
    and y axes both have a title and a fixed range, and which draws no legend and no colour bar; {} for
    any other. The y labels are those plotly picks for the plot's height, over the range it shows (wider
    than the one asked for when y is held to x's scale on a plot taller than wide)."""
    x, y = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    titled = all(((a.get("title") or {}).get("text")) for a in (x, y))
    bars = any(t.get("type") == "heatmap" and t.get("showscale") is not False for t in data)
    if not (titled and x.get("range") and y.get("range")) or bars or layout.get("showlegend") is not False:
        return {}
    margin = {**MARGIN, **layout.get("margin", {})}
    tick, title = _ticks_and_titles(x, y)
    bottom = _bottom(margin, tick, title)
    low, high = sorted(float(v) for v in y["range"])
    left, found = margin["l"], []
    length = (layout.get("height") or 450) - margin["t"] - bottom
    # The labels' width sets the plot's width, which sets the labels. Where that flips between two tick
    # spacings (presentation mode at four columns), so does plotly's own choice: the wider margin holds both.
    for _ in range(4):
        # a y held to x's scale keeps its length and widens its range when the plot is taller than wide
        wide = max(width_px - left - margin["r"], 1.0)
        span = (high - low) * (max(1.0, length / wide) if y.get("scaleanchor") == "x" else 1.0)
        middle = (high + low) / 2
        labels = range_labels(middle - span / 2, middle + span / 2, plotly_dtick(span, length, Y_PX_PER_TICK))
        widest = max(text_width(label, tick["yaxis"]) for label in labels)
        left = max(margin["l"], math.ceil(FIXED_LEFT_PX + widest + title["yaxis"]))
        found.append(left)
    return {"l": max(found[1:]), "b": bottom}


def listed_ticks_margins(layout: dict, data: list[dict], width_px: float) -> dict:
    """The left, bottom and right margins that hold the labels, titles and colour bar of a figure drawn width_px
    wide whose x and y axes both list their tick labels and have a title, with at most one colour bar and no
    legend (the sweep's maps); {} for any other. Plotly would push them itself, each push moving a plot held
    square (a y axis anchored to x), which moved the labels' room again: in a Sweep column of a laptop a
    map was laid out three or four times, 70-100 ms a map where one layout took about 25."""
    x, y = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    listed = all(a.get("tickmode") == "array" and a.get("ticktext") and (a.get("title") or {}).get("text")
                 for a in (x, y))
    bars = [t for t in data if t.get("type") == "heatmap" and t.get("showscale") is not False]
    if not listed or len(bars) > 1 or layout.get("showlegend") is True:
        return {}
    margin = {**MARGIN, **layout.get("margin", {})}
    tick, title = _ticks_and_titles(x, y)
    widest = max(label_width(str(t), tick["yaxis"]) for t in y["ticktext"])
    held = {"l": max(margin["l"], math.ceil(LISTED_LEFT_PX + widest + title["yaxis"])),
            "b": _bottom(margin, tick, title)}
    if bars:  # the bar stands at COLORBAR_X of the plot's width: its push grows with the plot it sits beside
        bar_title = ((bars[0].get("colorbar") or {}).get("title") or {}).get("text") or ""
        font_px = font_size(layout, ("font", "size"), 12)
        push = COLORBAR_SIDE_PX + max(text_width(str(bar_title), font_px), _bar_labels_px(bars[0], font_px))
        held["r"] = max(margin["r"], math.ceil((push + (COLORBAR_X - 1) * (width_px - held["l"])) / COLORBAR_X))
    return held


def _bar_labels_px(trace: dict, font_px: float) -> float:
    """The widest of a colour bar's tick labels, as plotly labels its range (zmin to zmax) about every
    Y_PX_PER_TICK px of a bar of at most 400 px (the longer the bar, the finer the labels)."""
    low, high = trace.get("zmin"), trace.get("zmax")
    if low is None or high is None or not (math.isfinite(high - low) and high > low):
        return text_width("−0.000", font_px)  # a range plotly finds itself: five digits and a sign
    labels = range_labels(low, high, plotly_dtick(high - low, 400, Y_PX_PER_TICK))
    return max(text_width(label, font_px) for label in labels)
