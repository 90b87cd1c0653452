"""ui.charts.show, the one way a figure reaches the browser: it thins, enlarges for a projector and fits on
the figure's plain form, and hands st.plotly_chart that form without the copies a go.Figure costs. What it
sends is what the figure-level steps (core.figures: thin, for_projector, fit_to_width) give."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest
from plotly.tools import return_figure_from_figure_or_data

from core import figures
from core.figures.fit import fit_to_width
from core.figures.thin import thin
from tests.test_figures import _every_builder
from ui import charts


class _Where:
    """Stands in for a Streamlit container: keeps the JSON st.plotly_chart would send."""

    def __init__(self):
        self.sent = []

    def plotly_chart(self, fig, **_):
        self.sent.append(json.loads(pio.to_json(return_figure_from_figure_or_data(fig, True), validate=False)))


def _long_curves():
    steps = np.arange(1001)
    y = np.exp(-steps / 300.0)
    return figures.curves({"a": np.stack([y, 2 * y])}, (0.0, 1.0), "Weight norm per layer", "norm", True)


@pytest.mark.parametrize("present", [False, True])
def test_show_sends_what_the_figure_level_steps_give(monkeypatch, present):
    monkeypatch.setattr(charts, "presenting", lambda: present)
    monkeypatch.setattr(charts, "value", lambda *a: "png")
    for columns in (1, 3):
        for fig in [*_every_builder(), _long_curves()]:
            where = _Where()
            charts.show(where, fig, key="k", columns=columns)
            want = thin(fig)
            if present:
                want = figures.for_projector(want)
            want = fit_to_width(want, charts.chart_width(columns, present), charts.LARGEST_FONT_PX[present])
            expected = json.loads(pio.to_json(want, validate=False))
            assert where.sent == [expected], (fig.layout.title.text, columns)


def test_show_leaves_the_builders_figure_as_it_was(monkeypatch):
    monkeypatch.setattr(charts, "presenting", lambda: True)
    monkeypatch.setattr(charts, "value", lambda *a: "png")
    fig = _long_curves()
    before = fig.to_json()
    charts.show(_Where(), fig, key="k", columns=3)
    assert fig.to_json() == before
    assert len(json.loads(before)["data"][0]["y"]["bdata"]) > 1000  # still every point
