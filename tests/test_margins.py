"""core.figures.margins: margins that hold a chart's labels, so plotly lays it out once. Each estimate is
pinned against what chromium's plotly gave (plotly.js as Streamlit 1.67 ships it): at least that, or plotly
draws the chart again; at most a few px more, or the plot loses room."""

from __future__ import annotations

import numpy as np

from core import figures
from core.figures.fit import fit_spec, fit_to_width
from core.figures.margins import fixed_range_margins, matrix_margins, plotly_dtick, range_labels
from core.figures.projector import projector_spec
from ui.charts import chart_width

# What plotly's automargin gave a matrix heatmap's index labels in chromium (plotly.js 3.x as Streamlit 1.67
# ships it): (tick font px, rows) -> (left, bottom) margin in px.
MEASURED_MATRIX_MARGINS = {(12, 4): (31, 39), (12, 12): (38, 39), (18, 4): (36, 48), (18, 12): (46, 48)}


def test_a_matrix_heatmap_holds_its_index_labels_so_plotly_lays_it_out_once():
    """A margin smaller than the labels need makes plotly grow it and draw the chart again; one a few px
    larger costs a few px of plot. So each estimate is at least the measured margin and at most 8 px more."""
    for (tick, rows), (left, bottom) in MEASURED_MATRIX_MARGINS.items():
        y_axis = {"tickvals": [str(i) for i in range(rows)]}
        got = matrix_margins({"l": 10, "b": 10}, y_axis, tick)
        assert left <= got["l"] <= left + 8 and bottom <= got["b"] <= bottom + 8, (tick, rows, got)
    fig = fit_to_width(figures.matrix_heatmap(np.arange(20.0).reshape(4, 5) / 10, "W"), chart_width(3, False))
    want = matrix_margins({"l": 10, "b": 10}, {"tickvals": ["0", "1", "2", "3"]}, 12)
    assert (fig.layout.margin.l, fig.layout.margin.b) == (want["l"], want["b"])



# The decision boundary (x and y from -1.3 to 1.3, titled x₁ and x₂, no legend, no colour bar) in chromium:
# (presentation mode, columns) -> (left, bottom) margin in px, and the y labels plotly wrote.
# (In the app, with its own font, presentation mode's bottom was 87.)
MEASURED_BOUNDARY_MARGINS = {(False, 3): (82, 69), (False, 4): (72, 69), (True, 3): (101, 87), (True, 4): (86, 87)}
AXIS = np.linspace(-1.3, 1.3, 60)


def _boundary_spec(present: bool, columns: int) -> dict:
    probs = 1 / (1 + np.exp(-(AXIS[None, :] - 0.2) * 8)) + 0 * AXIS[:, None]
    spec = figures.boundary(AXIS, AXIS, probs, np.zeros((2, 2)), np.array([0, 1]), "SGD, wd=0.001").to_dict()
    if present:
        projector_spec(spec)
    return fit_spec(spec, chart_width(columns, present), 20 if present else 16)


def test_a_decision_boundary_holds_its_labels_and_titles_so_plotly_lays_it_out_once():
    for (present, columns), (left, bottom) in MEASURED_BOUNDARY_MARGINS.items():
        margin = _boundary_spec(present, columns)["layout"]["margin"]
        slack = 20 if (present, columns) == (True, 4) else 6  # there plotly's tick spacing flips with the margin
        assert left <= margin["l"] <= left + slack and bottom <= margin["b"] <= bottom + 6, (present, columns, margin)
    assert range_labels(-1.3, 1.3, 0.5) == ["0", "0.5", "1", "−0.5", "−1"]
    assert plotly_dtick(2.6, 151, 40) == 1.0 and plotly_dtick(2.6, 224, 40) == 0.5  # 4 and 3 columns


def test_only_figures_whose_labels_are_known_get_margins():
    """A legend, a colour bar or an axis without a fixed range: plotly's automargin decides alone."""
    spec = _boundary_spec(False, 3)
    assert fixed_range_margins({**spec["layout"], "showlegend": True}, spec["data"], 300) == {}
    assert fixed_range_margins(spec["layout"], [{**spec["data"][0], "showscale": True}], 300) == {}
    curves = fit_to_width(figures.curves({"a": np.ones((1, 5))}, (0.0,), "t", "y"), 300)
    assert curves.layout.margin.l == 10
