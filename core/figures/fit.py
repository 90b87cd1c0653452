"""Fit a figure to the width it is drawn at: heatmap numbers sized from the cell, long titles wrapped,
listed tick labels thinned to the axis's length.

Plotly draws a heatmap's numbers at one fixed font size whatever the cell, so at 1280 px
they ran together. Here the size is derived from the cell's estimated width and height and
the widest number's estimated width; when that is below MIN_FONT_PX the numbers are dropped
(hover keeps them) and the colour bar comes back to read the colours by. The page knows the
width a chart gets (ui.charts); this module only measures, in plain arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from core.figures.margins import fixed_range_margins, listed_ticks_margins, matrix_margins
from core.figures.style import LABEL_STANDOFF_PX, MARGIN, TICK_FONT_PX, TITLE_PAD
from core.figures.text_size import font_size, text_width
from core.figures.text_size import label_width as _label_width
from core.figures.thin import plotly_array

MIN_FONT_PX = 12  # numbers smaller than this are not drawn (readable from a laptop seat and a projector)
MAX_FONT_PX = 20
CELL_PAD_PX = 6  # room left around a number inside its cell
COLORBAR_PX = 70  # bar, its padding and its tick labels
TITLE_LINE = 1.35  # a title line's height in font sizes
TITLE_EM_SCALE = 0.9  # a title is mostly letters, narrower on average than the digits GLYPH_EM bounds


def annotation_font(cell_w: float, cell_h: float, texts, largest: float = MAX_FONT_PX) -> int | None:
    """The font size (px) that fits the widest of texts inside a cell_w x cell_h cell, at most
    largest; None when it would be below MIN_FONT_PX (the numbers are then hidden)."""
    em = max((text_width(t, 1.0) for t in texts), default=0.0)
    if em == 0:
        return None
    size = min((cell_w - CELL_PAD_PX) / em, (cell_h - CELL_PAD_PX) / 1.2, largest)
    return int(size) if size >= MIN_FONT_PX else None


def wrap_title(title: str, width_px: float, font_px: float) -> str:
    """title on one line if it fits width_px, else split at the space nearest its middle."""
    if "<br>" in title or text_width(title, font_px) * TITLE_EM_SCALE <= width_px or " " not in title:
        return title
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "<br>" + title[cut + 1:]


def _title_px(title_size: float | None, font_size: float | None) -> float:
    """A title's font size: its own, else 1.25 times the figure's (12 px when neither is set)."""
    return float(title_size or (font_size or 12) * 1.25)


AXIS_TITLE_LINE = 1.4  # an axis title's height (or a y title's width) in font sizes
TICK_GAP_PX = 8  # room between two x tick labels
TICK_LINE = 1.5  # a y tick label's height, with room around it, in font sizes


def _plot_area(layout: dict, data: list[dict], width_px: float, held: dict | None = None) -> tuple[float, float]:
    """Estimated (width, height) in px of the plot area of a figure drawn width_px wide: the figure less
    its margins, its colour bar, and each axis's tick labels and title; a margin in `held` (core.figures.margins)
    already holds what lies on its side. A plot held square (a y axis anchored to x) gets the smaller of the
    two for both."""
    margin, held = {**MARGIN, **layout.get("margin", {})}, held or {}
    y = layout.get("yaxis", {})
    tick = {a: font_size(layout, (a, "tickfont", "size"), TICK_FONT_PX) for a in ("xaxis", "yaxis")}
    title = {a: font_size(layout, (a, "title", "font", "size"), font_size(layout, ("font", "size"), 14))
             if (layout.get(a, {}).get("title") or {}).get("text") else 0.0 for a in ("xaxis", "yaxis")}
    y_labels = max((_label_width(t, tick["yaxis"]) for t in y.get("ticktext") or ["0.0"]), default=0.0)
    bar = COLORBAR_PX if any(t.get("type") == "heatmap" and t.get("showscale") is not False for t in data) else 0
    left = held.get("l", margin["l"] + y_labels + LABEL_STANDOFF_PX + title["yaxis"] * AXIS_TITLE_LINE)
    bottom = held.get("b", margin["b"] + tick["xaxis"] * TICK_LINE + LABEL_STANDOFF_PX
                      + title["xaxis"] * AXIS_TITLE_LINE)
    width = width_px - left - held.get("r", margin["r"] + bar)
    height = (layout.get("height") or 450) - margin["t"] - bottom
    if y.get("scaleanchor") == "x":
        width = height = min(width, height)
    return max(width, 1.0), max(height, 1.0)


def _listed_ticks(layout: dict) -> list[str]:
    """The axes that list their own tick labels (tickmode "array"), more than two of them."""
    return [a for a in ("xaxis", "yaxis") if (layout.get(a) or {}).get("tickmode") == "array"
            and len(layout[a].get("ticktext") or ()) > 2]


def _decades(data: list[dict], axis: str) -> int:
    """How many powers of ten a log axis labels: those spanned by its traces' positive finite values."""
    letter, ref = axis[0], axis[0] + axis[5:]
    values = [np.asarray(plotly_array(t[letter])).ravel() for t in data
              if t.get(letter) is not None and (t.get(f"{letter}axis") or letter) == ref]
    numeric = [v.astype(float) for v in values if v.dtype.kind in "iuf"]  # categories have no decades
    values = np.concatenate(numeric) if numeric else np.zeros(0)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return 0
    return int(np.floor(np.log10(values.max())) - np.ceil(np.log10(values.min())) + 1)


def _decade_axes(layout: dict) -> list[str]:
    """The log axes that label every power of ten (style._axis: dtick 1)."""
    return [a for a in ("xaxis", "yaxis") if (layout.get(a) or {}).get("type") == "log"
            and (layout[a].get("dtick") == 1) and layout[a].get("tickmode") != "array"]


def _tick_changes(layout: dict, data: list[dict], width_px: float, held: dict | None = None) -> dict[str, dict]:
    """Per axis, what shows every k-th tick label so that the labels fit the axis's estimated length:
    listed labels (the last always kept), and the powers of ten of a log axis (every k-th decade).
    At every decade they ran into each other on a narrow grid and on a short projector chart."""
    width, height = _plot_area(layout, data, width_px, held)
    changes = {}
    for a in _decade_axes(layout):
        tick = font_size(layout, (a, "tickfont", "size"), TICK_FONT_PX)
        need = (_label_width("10<sup>-10</sup>", tick) + TICK_GAP_PX) if a == "xaxis" else tick * TICK_LINE
        every = math.ceil(_decades(data, a) * need / (width if a == "xaxis" else height))
        if every > 1:
            changes[a] = {"dtick": every}
    for a in _listed_ticks(layout):
        axis, tick = layout[a], font_size(layout, (a, "tickfont", "size"), TICK_FONT_PX)
        texts, values = list(axis["ticktext"]), list(plotly_array(axis["tickvals"]))
        need = (max(_label_width(t, tick) for t in texts) + TICK_GAP_PX) if a == "xaxis" else tick * TICK_LINE
        every = math.ceil(len(texts) * need / (width if a == "xaxis" else height))
        if every > 1:
            keep = [i for i in range(len(texts)) if (len(texts) - 1 - i) % every == 0]
            changes[a] = {"ticktext": [texts[i] for i in keep], "tickvals": [float(values[i]) for i in keep]}
    return changes


def fit_to_width(fig: go.Figure, width_px: float, largest_font: float = MAX_FONT_PX) -> go.Figure:
    """A copy of fig for a chart drawn width_px wide (fit_spec; the pages fit the plain form in ui.charts)."""
    return go.Figure(fit_spec(fig.to_dict(), width_px, largest_font), _validate=False)


def fit_spec(spec: dict, width_px: float, largest_font: float = MAX_FONT_PX) -> dict:
    """spec (a figure as plotly's to_dict gives it) fitted to a chart drawn width_px wide, in place:
    heatmap numbers sized from their cells (or hidden), a title too long for the width wrapped onto
    two lines, tick labels thinned to the axis's length. Returns spec."""
    layout = spec["layout"]
    margin = {**MARGIN, **layout.get("margin", {})}
    title = layout.get("title") or {}
    if title.get("text"):
        size = _title_px(font_size(title, ("font", "size"), 0), font_size(layout, ("font", "size"), 0))
        wrapped = wrap_title(title["text"], width_px - 40, size)
        if wrapped != title["text"]:
            title["text"] = wrapped
            margin["t"] += int(size * TITLE_LINE)
            # plotly.js 4 hangs a two-line title from "top" as if centred: its first line rose half a line
            # above the figure's top edge, cut off (measured in chromium; tests/test_fit.py, tests/test_readability.py)
            title["pad"] = {**TITLE_PAD, "t": TITLE_PAD["t"] + round(size * TITLE_LINE / 2)}
        layout["margin"] = margin
    # margins that hold the labels as listed: thinned, the widest is no wider
    held = fixed_range_margins(layout, spec["data"], width_px) or listed_ticks_margins(layout, spec["data"], width_px)
    for axis, change in _tick_changes(layout, spec["data"], width_px, held).items():
        layout[axis].update(change)
    if held:
        layout["margin"] = {**MARGIN, **layout.get("margin", {}), **held}
    heatmaps = [t for t in spec["data"] if t.get("type") == "heatmap" and t.get("text") is not None]
    if heatmaps:  # a matrix figure: one annotated heatmap, perhaps beside or above a curve (its axes' domains say)
        trace = heatmaps[0]
        rows, cols = len(trace["text"]), len(trace["text"][0])  # z may come binary-encoded; the text is lists
        x_axis = layout.get("xaxis" + trace.get("xaxis", "x")[1:], {})
        y_axis = layout.get("yaxis" + trace.get("yaxis", "y")[1:], {})
        share = float(x_axis.get("domain", (0, 1))[1]) - float(x_axis.get("domain", (0, 1))[0])
        tall = float(y_axis.get("domain", (0, 1))[1]) - float(y_axis.get("domain", (0, 1))[0])
        tick = font_size(layout, ("yaxis", "tickfont", "size"), TICK_FONT_PX)
        y_ticks = text_width(str(rows - 1), tick) + 12
        x_ticks = tick * 1.6
        texts = [t for frame in [trace, *(f["data"][0] for f in spec.get("frames", []))]
                 for row in frame.get("text") or [] for t in row]
        plot_h = ((layout.get("height") or 260) - margin["t"] - margin["b"]) * tall - x_ticks
        # first without the colour bar: the numbers say the values; if they cannot be drawn, the bar must
        size = annotation_font(((width_px - margin["l"] - margin["r"]) * share - y_ticks) / cols, plot_h / rows, texts,
                               largest_font)
        if size is not None:
            trace.update(textfont={"size": size}, showscale=False)
            if (trace.get("xaxis", "x"), trace.get("yaxis", "y")) == ("x", "y"):
                layout["margin"] = {**margin, **matrix_margins(margin, y_axis, tick)}
        else:
            for t in [trace, *(f["data"][0] for f in spec.get("frames", []))]:
                t.pop("text", None)
                t.pop("texttemplate", None)
            trace.pop("textfont", None)
            trace["showscale"] = True
    return spec
