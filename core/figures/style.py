"""The one chart style: palette, axes, figure wrapper and number formats every builder shares."""

from __future__ import annotations

import numpy as np
import plotly.colors
import plotly.graph_objects as go

# Explicit colour lists, not names: plotly.js knows "RdBu" but not plotly.py's reversed
# "RdBu_r", and without validation nothing would translate the name.
DIVERGING = plotly.colors.get_colorscale("RdBu_r")  # negative blue, positive red, white at 0
SEQUENTIAL = plotly.colors.get_colorscale("Viridis")
GRADIENT_COLOR = "#0072B2"  # Okabe-Ito blue
DECAY_COLOR = "#E69F00"  # Okabe-Ito orange
NEUTRAL_COLOR = "#000000"
DIVERGED_COLOR = "#7f7f7f"
RUN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")  # Okabe-Ito
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

# One colour per weight decay on every page. The levels are the weight decays a page offers
# (1-3-10 steps per decade); any other value takes the colour of its nearest level on a log
# axis. Neighbouring levels get far-apart hues: eight colour-blind-safe colours (Okabe-Ito,
# yellow left out as unreadable on white, plus Tol's wine and olive) cycle, so any eight
# consecutive levels (every task's default set) are all distinct; wd = 0 is black.
WD_LEVELS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 5.0, 10.0, 15.0, 25.0)
WD_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255", "#999933")
WD_ZERO_COLOR = "#000000"


ANNOTATION_DIGITS = 3  # significant digits written in a heatmap cell; hover shows more
ANNOTATION_FONT_PX = 13
MAX_ANNOTATED_COLUMNS = 10  # wider matrices (a step-through of 200 values) keep hover only: text would run together
CLIP_FACTOR = 1e3  # a colour scale wider than this times the median |value| is clipped there (blown-up runs)


LABEL_STANDOFF_PX = 6

# The one template every chart carries, drawn with Streamlit's theme off (ui/charts.py): Streamlit's
# "streamlit" theme restyles each chart in the browser, which profiled at about two thirds of
# the charts' drawing time on a page load, and plotly's default template is about nine tenths of
# a small figure's bytes (8 kB for a 4x5 heatmap). This one says only what differs from
# plotly.js's own defaults, and copies the look Streamlit's theme gave (its font and colours,
# titles at the left, axes that make room for their labels, no x grid).
FONT_FAMILY = '"Source Sans", "Source Sans Pro", sans-serif'
TEXT_COLOR = "#31333F"
GRID_COLOR = "#E6EAF1"
TICK_FONT_PX = 12  # Streamlit's theme drew ticks at 12 px: at 14 a log axis's powers of ten ran together on a phone
# ticklabeloverflow "allow": plotly.js's default for labels outside the plot ("hide past div") measures every tick
# label again after each label it places, a forced layout each time (in a CPU profile of Training's slider moves,
# 19 ms a move in getBoundingClientRect); automargin already makes room for the labels, so none overflows the div.
# Alternated twice with the default, 20 moves each: Training's first change 261-319 ms against 300-337, Single
# step's 194-217 against 209-226 (benchmarks/browser_latency.py, 2026-11-28).
COLORBAR = {"thickness": 12, "ticklabeloverflow": "allow"}  # a colour bar's ticks are an axis's: the same reason
_AXIS_STYLE = {"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, "tickcolor": GRID_COLOR, "automargin": True,
               "ticklabelposition": "outside", "ticklabeloverflow": "allow",
               "tickfont": {"color": TEXT_COLOR, "size": TICK_FONT_PX}}
TITLE_PAD = {"l": 4, "t": 8}
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}  # every builder's, unless it states its own
TEMPLATE = {"layout": {
    "font": {"family": FONT_FAMILY, "color": TEXT_COLOR},
    # automargin: a title wrapped onto two lines pushes the plot down instead of running into its top tick label.
    # Hung from the figure's top (TITLE_PAD below it): centred in the margin, a second line pushed the first
    # above the figure, where it was cut off (core.figures.fit moves a wrapped title down by half a line).
    "title": {"font": {"family": FONT_FAMILY, "size": 16, "weight": 600, "color": TEXT_COLOR}, "x": 0,
              "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top", "pad": TITLE_PAD,
              "automargin": True},
    "legend": {"bordercolor": "rgba(0,0,0,0)", "borderwidth": 0, "valign": "top", "title": {"side": "top"}},
    "paper_bgcolor": "#FFFFFF", "plot_bgcolor": "#FFFFFF", "colorway": list(RUN_COLORS),
    "xaxis": {**_AXIS_STYLE, "showgrid": False, "zeroline": False, "title": {"font": {"size": 14}, "standoff": 20}},
    "yaxis": {**_AXIS_STYLE, "title": {"font": {"size": 14}, "standoff": 24}},
    "hoverlabel": {"bgcolor": "#FFFFFF", "bordercolor": GRID_COLOR,
                   "font": {"family": FONT_FAMILY, "color": TEXT_COLOR}},
}}


def _axis(title: str, log: bool = False, **extra) -> dict:
    """Numbers as plain digits or powers of ten, never SI prefixes (1p, 2n, 100u); a log axis
    labels whole decades only, so 30 is never read as 3. Labels stand a little off their axis, so
    the x axis's first and the y axis's last never meet in the corner. No title, no title object: plotly
    reserves a title's room for an empty text (a 4x5 heatmap lost 33 px of width and 31 of height)."""
    axis = {"exponentformat": "power", "ticklabelstandoff": LABEL_STANDOFF_PX, **extra}
    if title:
        axis["title"] = {"text": title}
    if log:
        axis.update(type="log", dtick=1)
    return axis


def narrow_log_ticks(*arrays) -> dict:
    """Ticks for a log axis whose data span less than two decades: at 1, 2 and 5 times each power of
    ten, each labelled with its whole value (a decades-only axis labelled one tick, or none, there).
    Empty when the data span two decades or more, or hold no positive finite value."""
    values = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays]) if arrays else np.zeros(0)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {}
    low, high = float(values.min()), float(values.max())
    if np.log10(high / low) >= 2:
        return {}
    ticks = [m * 10.0 ** e for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
             for m in (1, 2, 5) if low <= m * 10.0 ** e <= high]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]} if len(ticks) >= 2 else {}


def _value_axis(title: str, log: bool, values) -> dict:
    """A y axis for these curves' values: on a log axis narrower than two decades, 1-2-5 ticks."""
    axis = _axis(title, log=log)
    if log:
        axis.update(narrow_log_ticks(*values))
    return axis


class PlainFigure(go.Figure):
    """A figure kept as the plain dict its builder wrote; plotly's objects are made only when
    something asks for them (a test reading fig.data, a page calling update_layout). Making them
    and copying them back out with to_dict cost a chart 10-20 ms on the server: 0.45 s of a toy
    Training rerun's 1.1 s. ui.charts.show sends plain() as it is."""

    def __init__(self, spec: dict):
        object.__setattr__(self, "_plain", spec)  # BaseFigure's own __init__ waits (see __getattr__)
        object.__setattr__(self, "_made", False)

    def __getattr__(self, name: str):
        """Reached only for an attribute not set yet: until plotly's objects exist, any of theirs."""
        if name.startswith("__") or self._made:
            raise AttributeError(name)
        object.__setattr__(self, "_made", True)
        go.Figure.__init__(self, self._plain, _validate=False)
        return getattr(self, name)

    def plain(self) -> dict | None:
        """The builder's dict while no plotly object exists (so nothing can have changed it), else None."""
        return None if self._made else self._plain

    def __reduce__(self):
        """Copied or pickled (st.cache_data) as the plain dict while it is one."""
        return (PlainFigure, (self._plain,)) if not self._made else (go.Figure, (self.to_dict(),))


def _figure(data: list[dict], height: int, x: dict, y: dict, title: str | None = None, **layout) -> PlainFigure:
    """One figure from plain dicts, unvalidated (see the module docstring)."""
    spec = {"template": TEMPLATE, "margin": dict(MARGIN), "font": dict(size=14), "height": height,
            "xaxis": x, "yaxis": y, **layout}
    if title is not None:
        spec["title"] = {"text": title}
    return PlainFigure({"data": data, "layout": spec})


def run_color(i: int) -> str:
    return RUN_COLORS[i % len(RUN_COLORS)]


def wd_color(wd: float) -> str:
    """The colour of weight decay wd, the same on every chart of every page (see WD_LEVELS)."""
    wd = float(wd)
    if not wd > 0:
        return WD_ZERO_COLOR
    nearest = int(np.argmin(np.abs(np.log10(WD_LEVELS) - np.log10(wd))))
    return WD_PALETTE[nearest % len(WD_PALETTE)]


def series_dash(i: int) -> str:
    """The dash of the i-th series (a layer, or train/test) of a chart whose colour is the wd."""
    return DASHES[i % len(DASHES)]


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The largest finite |value| over arrays that share one colour scale (at least 1e-12,
    so an all-zero matrix still gets a valid scale)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    finite = np.abs(values[np.isfinite(values)])
    return float(max(finite.max() if finite.size else 0.0, 1e-12))


def robust_limit(*arrays: np.ndarray) -> tuple[float, bool]:
    """symmetric_limit, clipped at CLIP_FACTOR times the median |value| when a few blown-up
    values would otherwise stretch the scale until every other cell is white. Returns
    (limit, clipped) so the chart can say so."""
    limit = symmetric_limit(*arrays)
    values = np.abs(np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]))
    median = float(np.median(values[np.isfinite(values) & (values > 0)])) if (values > 0).any() else 0.0
    if median > 0 and limit > CLIP_FACTOR * median:
        return CLIP_FACTOR * median, True
    return limit, False


def cell_text(values: np.ndarray) -> list[list[str]] | None:
    """Each cell's number with ANNOTATION_DIGITS significant digits, or None when the matrix is
    too wide for its numbers to stay apart."""
    from core.numbers import fmt

    values = np.asarray(values, dtype=float)
    if values.shape[1] > MAX_ANNOTATED_COLUMNS:
        return None
    return [[fmt(v, ANNOTATION_DIGITS) for v in row] for row in values]


def _heatmap_trace(values: np.ndarray, limit: float, name: str) -> dict:
    rows, cols = values.shape
    text = cell_text(values)
    trace = dict(type="heatmap", z=values, x=[str(j) for j in range(cols)], y=[str(i) for i in range(rows)],
                 zmin=-limit, zmax=limit, zmid=0.0, colorscale=DIVERGING,
                 hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.8g}}<extra></extra>", colorbar=dict(COLORBAR))
    if text is not None:
        trace.update(text=text, texttemplate="%{text}", textfont=dict(size=ANNOTATION_FONT_PX))
    return trace
