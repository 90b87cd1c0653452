"""core.figures.fit, the parts that keep text apart at the width a chart is drawn at: a wrapped
title hung inside the figure, and tick labels thinned to the axis's length (the browser check of
both is tests/test_readability.py)."""

from __future__ import annotations

import numpy as np

from core import figures
from core.figures.fit import TITLE_LINE, _plot_area, fit_to_width
from core.figures.style import TITLE_PAD
from core.figures.text_size import label_width
from ui.charts import chart_width

GRID = dict(lrs=np.logspace(-4, 0, 12), weight_decays=np.logspace(-3, 3, 12), values=np.random.default_rng(0).random(
    (12, 12)), diverged=np.zeros((12, 12), bool), best=(1, 1), title="SGD: final test loss", value_name="loss",
            zrange=(-2.0, 1.0))


def test_a_wrapped_title_hangs_half_a_line_lower_and_a_one_line_title_keeps_the_templates_place():
    """plotly.js 4 hangs a two-line title as if centred on its first line: that line rose above the
    figure (16 px at a laptop's three columns) and was cut off."""
    title = "Difference: W after(wd) − W after(0)"
    fig = fit_to_width(figures.for_projector(figures.matrix_heatmap(np.ones((4, 5)), title)), chart_width(3, True), 20)
    size = fig.layout.title.font.size
    assert "<br>" in fig.layout.title.text
    assert fig.layout.title.pad.t == TITLE_PAD["t"] + round(size * TITLE_LINE / 2) and fig.layout.title.pad.l == 4
    one_line = fit_to_width(figures.matrix_heatmap(np.ones((4, 5)), "W"), 330)
    assert one_line.layout.title.pad.t is None  # the template's TITLE_PAD
    assert fig.layout.template.layout.title.yanchor == "top" and fig.layout.template.layout.title.y == 1


def test_a_narrow_sweep_grid_labels_every_other_decade_and_a_wide_one_every_decade():
    grid = figures.sweep_heatmap(**GRID)
    wide = fit_to_width(grid, chart_width(3, False))
    assert len(wide.layout.xaxis.ticktext) == 5 and len(wide.layout.yaxis.ticktext) == 7
    narrow = fit_to_width(figures.for_projector(grid), 290, 20)  # a third of a 1280 px screen less a sidebar
    x, y = narrow.layout.xaxis, narrow.layout.yaxis
    assert 2 <= len(x.ticktext) < 5 and 2 <= len(y.ticktext) < 7
    assert x.ticktext[-1] == "10<sup>0</sup>" and y.ticktext[-1] == "10<sup>3</sup>"  # the last kept
    assert [float(v) for v in x.tickvals] == [-3.0, 0.0] and [float(v) for v in y.tickvals] == [-3, -1, 1, 3]
    layout = narrow.to_dict()["layout"]  # its margins already hold the labels, titles and colour bar
    width, height = _plot_area(layout, narrow.to_dict()["data"], 290, held=layout["margin"])
    assert width == height  # the square plot: its labels, as far apart as kept, fit their length
    px_per_decade = {a: width / (axis.range[1] - axis.range[0]) for a, axis in (("x", x), ("y", y))}
    assert (y.tickvals[1] - y.tickvals[0]) * px_per_decade["y"] >= 18 * 1.5
    assert (x.tickvals[1] - x.tickvals[0]) * px_per_decade["x"] >= max(label_width(t, 18) for t in x.ticktext) + 8
    assert len(grid.layout.xaxis.ticktext) == 5  # the original untouched


def test_a_short_log_axis_over_many_decades_labels_every_kth_power_of_ten():
    series = {"‖w‖": np.logspace(-9, 1, 3 * 201).reshape(3, 201)}  # ten decades
    fig = figures.curves(series, (0.0, 1.0, 3.0), "Weight norm per layer", "Frobenius norm", True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.dtick == 1
    tall = fit_to_width(fig, 900)
    assert tall.layout.yaxis.dtick == 1
    short = fit_to_width(figures.for_projector(fig), 200, 20)  # a wrapped title leaves less height
    assert short.layout.yaxis.dtick >= 2
    _, height = _plot_area(short.to_dict()["layout"], short.to_dict()["data"], 200)
    assert 11 / short.layout.yaxis.dtick * 18 * 1.5 <= height + 18 * 1.5


def test_a_matrix_heatmap_has_no_empty_axis_titles():
    """plotly reserved an empty title's room: a 4x5 heatmap lost 33 px of width and 31 of height to it."""
    fig = figures.matrix_heatmap(np.ones((4, 5)), "W")
    assert fig.layout.xaxis.title.text is None and fig.layout.yaxis.title.text is None
