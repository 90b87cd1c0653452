"""Every chart goes through show(): long curves are thinned, presentation mode enlarges it, its
heatmap numbers and title are fitted to the width it gets, and the toolbar's camera button
exports it as PNG or SVG (the sidebar's choice)."""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures.fit import fit_spec
from core.figures.projector import projector_spec
from core.figures.style import PlainFigure
from core.figures.thin import encode_arrays, structure_copy, thin_spec
from ui.classroom import presenting
from ui.live_chart import live_chart, plotly_js_served
from ui.state import value

# The main column's width in px at the smallest screen each mode is designed for: a 1440 px
# laptop with the sidebar open, and a 1280 px projector, where presentation mode lays the sidebar
# over the page when a lecturer opens it (ui.classroom), so the charts keep their width (measured
# in chromium). A chart in one of n columns gets about 1/n of it; narrower windows stack the
# columns (Streamlit does below 640 px), so a chart is rarely drawn narrower than assumed here.
CONTENT_PX = {False: 980, True: 1200}
COLUMN_GAP_PX = 16
LARGEST_FONT_PX = {False: 16, True: 20}
# Only the camera stays in the toolbar: a full plotly toolbar covered the chart titles when a
# touch screen showed it; it shows on hover (tap) only.
TOOLBAR_REMOVED = ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d"]


def chart_width(columns: int, present: bool) -> float:
    return (CONTENT_PX[present] - COLUMN_GAP_PX * (columns - 1)) / columns


class _Prepared(go.Figure):
    """A figure already in the form st.plotly_chart sends (plotly's to_dict: arrays base64-encoded), handed
    over as it is. st.plotly_chart takes a go.Figure through to_dict, a deep copy; a plain dict it
    validates, property by property. Each copy of a figure cost a Training rerun 5-10 ms a chart (the
    thinning, the projector's copy and the fitting each made one, and each new go.Figure another)."""

    def __init__(self, spec: dict):  # no go.Figure.__init__: Streamlit only calls to_dict (3 ms a chart saved)
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def show(where, fig: go.Figure, key: str | None, columns: int = 1) -> None:
    """Draw fig in where, one of columns side by side. A keyed chart stays mounted in the browser and is
    updated in place; key None: a chart drawn again and again in one placeholder within a script run (a
    key may appear once a run), drawn anew each time by st.plotly_chart."""
    present = presenting()
    plain = fig.plain() if isinstance(fig, PlainFigure) else None
    # the builder's own dict, its structure copied (the steps below write into it), or plotly's copy
    spec = fig.to_dict() if plain is None else structure_copy(plain)
    thin_spec(spec)  # long curves at most 200 points: less to send and to draw on every rerun
    if present:
        projector_spec(spec)
    fit_spec(spec, chart_width(columns, present), LARGEST_FONT_PX[present])
    encode_arrays(spec)
    config = {
        "displaylogo": False,
        "displayModeBar": "hover",
        "modeBarButtonsToRemove": TOOLBAR_REMOVED,
        "toImageButtonOptions": {"format": value("app", "export_format", "png"), "filename": key or "chart",
                                 "scale": 2},
    }
    if key is not None and plotly_js_served():  # kept mounted, updated in place (ui.live_chart says why)
        live_chart(where, spec, key, config)
        return
    # Streamlit's theme off: each figure carries core.figures.style.TEMPLATE, and the theme's restyling in
    # the browser was most of a chart's drawing time.
    where.plotly_chart(_Prepared(spec), key=key, theme=None, config=config)


def show_matrix(where, table_html: str) -> None:
    """A small matrix drawn as core.figures.matrix_table's coloured table, not a plotly heatmap (why: its
    docstring)."""
    where.html(table_html)
