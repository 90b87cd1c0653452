"""ui.live_chart: a keyed chart keeps its element id across reruns (so the browser updates it in place, not
drawn anew; tests/test_browser.py checks the element itself), and plotly.js is served from the app's static
folder, or the charts fall back to st.plotly_chart."""

from __future__ import annotations

import json

from tests.page_helpers import charts, figures, run_page
from ui import live_chart


def chart_ids(at) -> list[str]:
    """Each chart's element id in page order, st.plotly_chart's and ui.live_chart's alike."""
    return [chart.proto.id for chart in charts(at)]


def test_a_chart_keeps_its_element_id_when_a_slider_changes_its_figure():
    """st.plotly_chart's id includes the figure: a new figure was a new element, drawn with Plotly.newPlot."""
    at = run_page("single_step")
    ids, before = chart_ids(at), figures(at)
    assert len(ids) == 2  # the change split and the norm curve
    at.slider(key="single_step:weight_decay").set_value(0.5).run()
    assert not at.exception
    assert chart_ids(at) == ids
    assert figures(at) != before  # the same elements, new figures


def test_the_message_holds_the_figure_the_versioned_script_and_the_config():
    spec = {"data": [{"type": "scatter", "y": [1, 2]}], "layout": {"title": {"text": "t"}}}
    sent = json.loads(live_chart.message(spec, {"displaylogo": False}))
    assert sent == {"src": live_chart.PLOTLY_URL, "config": {"displaylogo": False}, "figure": spec}
    assert live_chart.PLOTLY_URL.startswith("/app/static/plotly.min.js?v=")


def test_plotly_js_is_copied_once_and_again_when_it_differs(tmp_path):
    source = tmp_path / "plotly.min.js"
    source.write_text("/* plotly.js v1 */")
    static = tmp_path / "static"
    assert live_chart.serve_plotly_js(static, source)
    served = static / live_chart.SERVED_NAME
    assert served.read_text() == "/* plotly.js v1 */"
    stamp = served.stat().st_mtime_ns
    assert live_chart.serve_plotly_js(static, source) and served.stat().st_mtime_ns == stamp  # not copied again
    source.write_text("/* plotly.js v2 */")  # another plotly installed
    assert live_chart.serve_plotly_js(static, source) and served.read_text() == "/* plotly.js v2 */"
    assert [p.name for p in static.iterdir()] == [live_chart.SERVED_NAME]  # no partial copy left


def test_an_unwritable_place_gives_false_not_an_error(tmp_path):
    source = tmp_path / "plotly.min.js"
    source.write_text("x")
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    assert live_chart.serve_plotly_js(blocker / "static", source) is False
    assert live_chart.serve_plotly_js(tmp_path / "static", tmp_path / "missing.js") is False


def test_the_installed_plotly_js_is_what_gets_served():
    assert live_chart.PLOTLY_JS.is_file() and live_chart.PLOTLY_JS.stat().st_size > 1_000_000
