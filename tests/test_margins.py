"""core.figures.margins: margins that hold a chart's labels, so plotly lays it out once. Each estimate is
pinned against what chromium's plotly gave (plotly.js as Streamlit 1.67 ships it): at least that, or plotly
draws the chart again; at most a few px more, or the plot loses room."""

from __future__ import annotations

import numpy as np

from core import figures
from core.figures.fit import fit_spec, fit_to_width
from core.figures.margins import (
    COLORBAR_X,
    fixed_range_margins,
    listed_ticks_margins,
    matrix_margins,
    plotly_dtick,
    range_labels,
)
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


# The sweep's maps (listed powers of ten on both axes, both titled, a colour bar titled "log10") in the app's page,
# over 864 maps (lr and wd ranges, 12 and 24 cells, three z ranges, one to three columns): the largest push
# plotly's automargin made, per presentation mode: y labels and title on the left, x labels and title below, the
# colour bar on the right (beyond the 2 % of the plot's width it stands off).
MEASURED_SWEEP_PUSHES = {False: {"l": 78.9, "b": 70.2, "bar": 71.5}, True: {"l": 95.1, "b": 85.0, "bar": 87.1}}


def _sweep_spec(present: bool, columns: int, wd=(-3, 3), zrange=(-2.18, 1.99)) -> tuple[dict, float]:
    n = 12
    values = 10 ** np.random.default_rng(0).uniform(*zrange, size=(n, n))
    fig = figures.sweep_heatmap(np.logspace(-4, 0, n), np.logspace(*wd, n), values, np.zeros((n, n), bool), (1, 1),
                                "AdamW: final test loss", "test loss", zrange, chosen=(2, 2))
    spec = fig.to_dict()
    if present:
        projector_spec(spec)
    width = chart_width(columns, present)
    return fit_spec(spec, width, 20 if present else 16), width


def test_a_sweep_map_holds_its_labels_titles_and_colour_bar_so_plotly_lays_it_out_once():
    """Plotly pushed these margins itself, and with the plot held square each push moved the room the others
    needed: a map in a Sweep column was laid out three or four times (70-100 ms instead of about 25)."""
    for present, pushed in MEASURED_SWEEP_PUSHES.items():
        for columns in (1, 2, 3):
            spec, width = _sweep_spec(present, columns)
            margin = spec["layout"]["margin"]
            bar = pushed["bar"] + (COLORBAR_X - 1) * (width - margin["l"] - margin["r"])
            assert pushed["l"] <= margin["l"] <= pushed["l"] + 6, (present, columns, margin)
            assert pushed["b"] <= margin["b"] <= pushed["b"] + 6, (present, columns, margin)
            assert bar <= margin["r"] <= bar + 6, (present, columns, margin)


def test_a_sweep_maps_left_margin_follows_its_widest_label():
    wide, _ = _sweep_spec(False, 3, wd=(-3, 3))
    short, _ = _sweep_spec(False, 3, wd=(0, 1))  # 10^0, 10^1: no minus sign
    assert short["layout"]["margin"]["l"] < wide["layout"]["margin"]["l"]


def test_only_figures_that_list_their_labels_on_titled_axes_get_sweep_margins():
    boundary = _boundary_spec(False, 3)
    assert listed_ticks_margins(boundary["layout"], boundary["data"], 300) == {}
    spec, _ = _sweep_spec(False, 3)
    assert listed_ticks_margins({**spec["layout"], "showlegend": True}, spec["data"], 300) == {}
    two_bars = [{**spec["data"][0]}, {**spec["data"][0]}]
    assert listed_ticks_margins(spec["layout"], two_bars, 300) == {}
    matrix = fit_to_width(figures.matrix_heatmap(np.arange(20.0).reshape(4, 5) / 10, "W"), 300).to_dict()
    assert listed_ticks_margins(matrix["layout"], matrix["data"], 300) == {}


def test_a_colour_bar_without_a_finite_range_gets_room_for_five_digits_and_a_sign():
    """zmin and zmax unset, equal, NaN or infinite: plotly labels a range it finds itself."""
    spec, _ = _sweep_spec(False, 3)
    for low, high in ((None, None), (1.0, 1.0), (float("nan"), 1.0), (-float("inf"), 1.0), (0.0, float("inf"))):
        data = [{**spec["data"][0], "zmin": low, "zmax": high}]
        assert listed_ticks_margins(spec["layout"], data, 316)["r"] >= 73
