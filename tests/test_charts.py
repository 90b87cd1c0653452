"""ui.charts.show, the one way a figure reaches the browser: it thins, enlarges for a projector and fits on
the figure's plain form, and hands that form, without the copies a go.Figure costs, to ui.live_chart (a keyed
chart, kept mounted) or st.plotly_chart (a keyless one, or where plotly.js cannot be served). What it sends
either way is what the figure-level steps (core.figures: thin, for_projector, fit_to_width) give."""

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
from ui import charts, live_chart


class _Where:
    """Stands in for a Streamlit container: keeps the figure JSON st.plotly_chart or ui.live_chart would send."""

    entered: list[_Where] = []

    def __init__(self):
        self.sent = []

    def plotly_chart(self, fig, **_):
        self.sent.append(json.loads(pio.to_json(return_figure_from_figure_or_data(fig, True), validate=False)))

    def __enter__(self):
        _Where.entered.append(self)

    def __exit__(self, *_):
        _Where.entered.pop()


@pytest.fixture(autouse=True, params=["live_chart", "plotly_chart"])
def way(request, monkeypatch):
    """Every test below runs both ways a chart is sent."""
    live = request.param == "live_chart"
    monkeypatch.setattr(charts, "plotly_js_served", lambda: live)
    monkeypatch.setattr(live_chart, "_COMPONENT",
                        lambda data, key: _Where.entered[-1].sent.append(json.loads(data)["figure"]))
    return request.param


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


def test_show_sends_the_builders_dict_without_making_plotly_objects_or_changing_it(monkeypatch):
    """A builder's figure is a PlainFigure: show() sends its dict (copied where it writes), so plotly's
    objects, 10-20 ms a chart, are never made; a figure something did change goes through to_dict."""
    import pickle

    import plotly.graph_objects as go

    from core.figures.style import PlainFigure

    monkeypatch.setattr(charts, "presenting", lambda: True)
    monkeypatch.setattr(charts, "value", lambda *a: "png")
    built = [*_every_builder(), _long_curves()]
    assert [type(fig) for fig in built if not isinstance(fig, PlainFigure)] == [go.Figure]  # for_projector's copy
    for fig in [fig for fig in built if isinstance(fig, PlainFigure)]:
        assert fig.plain() is not None
        before = pickle.dumps(fig.plain())
        charts.show(_Where(), fig, key="k", columns=3)
        assert fig.plain() is not None and pickle.dumps(fig.plain()) == before
    fig = _long_curves()
    fig.update_layout(title_text="changed")  # made plotly's objects: plain() is gone, to_dict carries the change
    assert fig.plain() is None
    where = _Where()
    charts.show(where, fig, key="k")
    assert where.sent[0]["layout"]["title"]["text"] == "changed"


def test_a_plain_figure_is_plotlys_figure_when_asked_and_copies_as_one():
    import copy
    import pickle

    import plotly.graph_objects as go

    from core.figures.style import PlainFigure

    fig = _long_curves()
    twin = pickle.loads(pickle.dumps(fig))
    deep = copy.deepcopy(fig)
    assert fig.plain() is not None and isinstance(twin, PlainFigure) and twin.plain() is not None
    assert fig.to_dict() == go.Figure(twin.plain(), _validate=False).to_dict() == deep.to_dict()
    assert fig.layout.title.text == "Weight norm per layer" and len(fig.data) == 2
