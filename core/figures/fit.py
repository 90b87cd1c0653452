"""Fit a figure to the width it is drawn at: heatmap numbers sized from the cell, long titles wrapped.

Plotly draws a heatmap's numbers at one fixed font size whatever the cell, so at 1280 px
they ran together. Here the size is derived from the cell's estimated width and height and
the widest number's estimated width; when that is below MIN_FONT_PX the numbers are dropped
(hover keeps them) and the colour bar comes back to read the colours by. The page knows the
width a chart gets (ui.charts); this module only measures, in plain arithmetic.
"""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures.style import TICK_FONT_PX

MIN_FONT_PX = 12  # numbers smaller than this are not drawn (readable from a laptop seat and a projector)
MAX_FONT_PX = 20
CELL_PAD_PX = 6  # room left around a number inside its cell
# Advance widths in em of the sans-serif fonts plotly uses (Open Sans, Arial, Source Sans),
# rounded up: a digit is ~0.556-0.572 em, so text estimated here is never wider in the browser.
GLYPH_EM = {".": 0.3, "-": 0.36, "−": 0.6, " ": 0.28, "e": 0.58, ",": 0.3}
DEFAULT_GLYPH_EM = 0.6
COLORBAR_PX = 70  # bar, its padding and its tick labels
TITLE_LINE = 1.35  # a title line's height in font sizes
TITLE_EM_SCALE = 0.9  # a title is mostly letters, narrower on average than the digits GLYPH_EM bounds


def text_width(text: str, font_px: float) -> float:
    """Estimated drawn width of text in px (upper bound for digits, signs and ASCII letters)."""
    return font_px * sum(GLYPH_EM.get(ch, DEFAULT_GLYPH_EM) for ch in text)


def annotation_font(cell_w: float, cell_h: float, texts, largest: float = MAX_FONT_PX) -> int | None:
    """The font size (px) that fits the widest of texts inside a cell_w x cell_h cell, at most
    largest; None when it would be below MIN_FONT_PX (the numbers are then hidden)."""
    em = max((text_width(t, 1.0) for t in texts), default=0.0)
    if em == 0:
        return None
    size = min((cell_w - CELL_PAD_PX) / em, (cell_h - CELL_PAD_PX) / 1.2, largest)
    return int(size) if size >= MIN_FONT_PX else None


def _font_size(spec: dict, path: tuple[str, ...], default: float) -> float:
    node = spec
    for key in path:
        node = node.get(key) or {}
    return float(node) if isinstance(node, (int, float)) else default


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


def _needs_fitting(fig: go.Figure, width_px: float) -> bool:
    """Whether fit_to_width would change fig: an annotated heatmap, or a title too long for the width."""
    if any(t.type == "heatmap" and t.text is not None for t in fig.data):
        return True
    title = fig.layout.title.text
    if not title:
        return False
    return wrap_title(title, width_px - 40, _title_px(fig.layout.title.font.size, fig.layout.font.size)) != title


def fit_to_width(fig: go.Figure, width_px: float, largest_font: float = MAX_FONT_PX) -> go.Figure:
    """A copy of fig for a chart drawn width_px wide: heatmap numbers sized from their cells
    (or hidden), and a title too long for the width wrapped onto two lines. fig itself when there
    is nothing to fit (a copy cost a Training rerun about 17 ms a chart)."""
    if not _needs_fitting(fig, width_px):
        return fig
    spec = fig.to_dict()
    layout = spec["layout"]
    margin = {"l": 10, "r": 10, "t": 40, "b": 10, **layout.get("margin", {})}
    title = layout.get("title") or {}
    if title.get("text"):
        size = _title_px(_font_size(title, ("font", "size"), 0), _font_size(layout, ("font", "size"), 0))
        wrapped = wrap_title(title["text"], width_px - 40, size)
        if wrapped != title["text"]:
            title["text"] = wrapped
            margin["t"] += int(size * TITLE_LINE)
        layout["margin"] = margin
    heatmaps = [t for t in spec["data"] if t.get("type") == "heatmap" and t.get("text") is not None]
    if heatmaps:  # a matrix figure: one annotated heatmap, perhaps beside or above a curve (its axes' domains say)
        trace = heatmaps[0]
        rows, cols = len(trace["text"]), len(trace["text"][0])  # z may come binary-encoded; the text is lists
        x_axis = layout.get("xaxis" + trace.get("xaxis", "x")[1:], {})
        y_axis = layout.get("yaxis" + trace.get("yaxis", "y")[1:], {})
        share = float(x_axis.get("domain", (0, 1))[1]) - float(x_axis.get("domain", (0, 1))[0])
        tall = float(y_axis.get("domain", (0, 1))[1]) - float(y_axis.get("domain", (0, 1))[0])
        tick = _font_size(layout, ("yaxis", "tickfont", "size"), TICK_FONT_PX)
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
        else:
            for t in [trace, *(f["data"][0] for f in spec.get("frames", []))]:
                t.pop("text", None)
                t.pop("texttemplate", None)
            trace.pop("textfont", None)
            trace["showscale"] = True
    return go.Figure(spec, _validate=False)
