"""Figure builders: one symmetric diverging scale, readable projector copies, animations."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import figures


def test_heatmap_scale_is_symmetric_and_centred_at_zero():
    fig = figures.matrix_heatmap(np.array([[1.0, -3.0], [0.5, 2.0]]), "W")
    trace = fig.data[0]
    assert (trace.zmin, trace.zmid, trace.zmax) == (-3.0, 0.0, 3.0)
    assert trace.texttemplate == "%{text}" and list(trace.text[0]) == ["1", "-3"]


def test_symmetric_limit_ignores_non_finite_values_and_never_returns_zero():
    assert figures.symmetric_limit(np.array([1.0, np.nan, -np.inf, -2.0])) == 2.0
    assert figures.symmetric_limit(np.zeros((2, 2))) > 0


def test_projector_copy_is_larger_and_leaves_the_original_alone():
    fig = figures.matrix_heatmap(np.ones((2, 2)), "W")
    big = figures.for_projector(fig)
    assert big.layout.font.size > fig.layout.font.size and big.layout.height > fig.layout.height
    assert fig.layout.font.size == 14  # the original untouched


def test_as_matrix_folds_vectors_and_keeps_matrices():
    assert figures.as_matrix(np.zeros((200, 1))).shape == (10, 20)
    assert figures.as_matrix(np.zeros((4, 5))).shape == (4, 5)
    assert figures.as_matrix(np.zeros(7)).shape == (1, 7)


def test_animated_heatmap_has_a_frame_per_step_and_play_controls():
    frames = np.random.default_rng(0).normal(size=(6, 4, 5))
    fig = figures.animated_heatmap(frames, range(0, 12, 2), "W_t", start=3)
    assert [f.name for f in fig.frames] == ["0", "2", "4", "6", "8", "10"]
    np.testing.assert_array_equal(fig.data[0].z, frames[3])
    assert fig.layout.sliders[0].active == 3
    assert fig.layout.updatemenus[0].buttons[0].label == "▶"


def test_sweep_heatmap_marks_diverged_and_best_cells():
    values = np.array([[1.0, np.nan], [0.1, 2.0]])
    diverged = np.array([[False, True], [False, False]])
    fig = figures.sweep_heatmap(np.array([1e-3, 1e-2]), np.array([1e-2, 1e-1]), values, diverged, (1, 0),
                                "t", "loss", (-1.0, 0.5))
    names = [t.name for t in fig.data]
    assert "best" in names
    overlay = fig.data[1]
    assert np.isnan(overlay.z[0][0]) and overlay.z[0][1] == 1.0


def _every_builder():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(4, 5))
    curves = {"a": rng.random((2, 6))}
    yield figures.matrix_heatmap(m, "W")
    yield figures.change_split_bars(m, -m)
    yield figures.norm_curve(np.arange(5.0), np.arange(5.0), 2, 0.5)
    yield figures.pure_decay_scatter(m, m, m, 0.1, 0.5)
    yield figures.curves(curves, (0.0, 1.0), "t", "y", True, overlays=curves)
    yield figures.weight_histogram([m, m], (0.0, 1.0), "h")
    yield figures.schedule(np.linspace(1, 0.1, 5), 0.1, (0.0, 1.0))
    yield figures.boundary(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5), rng.random((5, 5)), rng.random((7, 2)),
                           rng.integers(0, 2, 7), "b")
    yield figures.sweep_heatmap(np.array([1e-3, 1e-2]), np.array([1e-2, 1e-1]), np.ones((2, 2)),
                                np.array([[True, False], [False, False]]), (1, 1), "s", "loss", (0.0, 1.0), (0, 1))
    yield figures.lines({"x": (np.arange(3), np.arange(3.0))}, "l", "x", "y", log_y=True)
    yield figures.points({"p": (np.array([0.1, 0.01]), np.ones(2))}, "p", "x", "y", levels={"level": 0.5})
    yield figures.against_predictions({"x": (np.arange(3), np.arange(1.0, 4.0)), "z": (np.arange(3), np.ones(3))},
                                      {"x": 2.0}, "p", "x", "y", log_y=True)
    yield figures.animated_heatmap(rng.normal(size=(3, 4, 5)), [0, 5, 10], "anim")
    yield figures.live_norms([rng.random((2, 6)), rng.random((2, 6))], ["SGD", "AdamW"], (0.0, 1.0), 5, 40)
    yield figures.for_projector(figures.curves(curves, (0.0, 1.0), "t", "y"))


def test_every_builder_makes_a_figure_plotly_accepts_when_validating():
    """The builders skip plotly's validation for speed; here each one is validated in full."""
    for fig in _every_builder():
        validated = go.Figure(fig.to_dict())  # raises ValueError on any invalid property
        assert len(validated.data) == len(fig.data)


def test_colorscales_are_explicit_lists_plotly_js_can_draw():
    """Unvalidated figures reach plotly.js as they are: a plotly.py-only name like 'RdBu_r'
    would silently fall back to another scale there (seen in a screenshot)."""
    for fig in _every_builder():
        for trace in fig.to_dict()["data"]:
            for scale in (trace.get("colorscale"), trace.get("marker", {}).get("colorscale")):
                assert scale is None or isinstance(scale, (list, tuple)), scale


def test_cells_show_significant_digits_and_wide_matrices_keep_hover_only():
    """At 1440 px the 4x5 values ran together ('0.53160.53180.6344'); a 10x20 step-through was unreadable."""
    fig = figures.matrix_heatmap(np.array([[0.53164, -0.0001234], [12345.6, 2.0]]), "W")
    assert [list(r) for r in fig.data[0].text] == [["0.532", "-1.23e-4"], ["12346", "2"]]
    wide = figures.matrix_heatmap(np.ones((10, 20)), "W")
    assert wide.data[0].text is None and wide.data[0].texttemplate is None and "%{z" in wide.data[0].hovertemplate
    assert list(wide.layout.xaxis.tickvals) == [str(i) for i in range(0, 20, 2)]
    assert list(fig.layout.xaxis.tickvals) == ["0", "1"]  # every column labelled


def test_a_blown_up_run_clips_its_colours_and_says_so():
    """A run at 1e36 set the scale to ±1e36 and every other cell turned white."""
    frames = np.stack([np.full((2, 2), 0.5), np.full((2, 2), 0.7), np.array([[1e36, 1.0], [0.5, 0.2]])])
    fig = figures.animated_heatmap(frames, [0, 1, 2], "W_t")
    assert fig.data[0].zmax == 1e3 * 0.6 and "clipped at ±600" in fig.layout.title.text
    calm = figures.animated_heatmap(frames[:2], [0, 1], "W_t")
    assert "clipped" not in calm.layout.title.text and calm.data[0].zmax == 0.7
    assert fig.frames[2].data[0].text[0][0] == "1e36"  # the number still reads true


def test_every_axis_writes_numbers_without_si_prefixes_and_log_axes_by_decade():
    """Log axes showed bare minor digits ('4,3,2,10,9') and math axes SI prefixes ('1p', '2n', '100u')."""
    for fig in _every_builder():
        layout = fig.to_dict()["layout"]
        for name in ("xaxis", "yaxis"):
            axis = layout.get(name, {})
            assert axis.get("exponentformat") == "power", (layout.get("title"), name)
            if axis.get("type") == "log":
                assert axis.get("dtick") == 1


def test_schedule_keeps_lr_on_top_and_leaves_wd_0_off_a_log_axis():
    fig = figures.schedule(np.linspace(1, 0.1, 5), 0.1, (0.0, 1.0))
    names = [t.name for t in fig.data]
    assert names[-1] == "lr_t" and not any("wd=0" in n for n in names)
    linear = figures.schedule(np.array([1.0, 0.0]), 0.1, (0.0, 1.0))  # a schedule that reaches 0: linear axis
    assert any("wd=0" in t.name for t in linear.data)


def test_sweep_heatmap_ticks_are_powers_of_ten_on_a_square_plot():
    fig = figures.sweep_heatmap(np.logspace(-4, 0, 5), np.logspace(-3, 3, 7), np.ones((7, 5)),
                                np.zeros((7, 5), bool), None, "s", "loss", (0.0, 1.0))
    y = fig.layout.yaxis
    assert list(y.ticktext) == [f"10<sup>{k}</sup>" for k in range(-3, 4)]
    assert y.scaleanchor == "x" and y.scaleratio == 4 / 6


SEED_W = np.array([[0.205, -0.136, 0.169, 0.475, -0.0254], [0.0478, 0.368, 0.369, 0.461, 0.654],
                   [0.497, 0.395, 0.495, 0.136, 0.171], [-0.00892, 0.0678, 0.371, -0.114, 0.194]])


def test_annotation_font_derives_from_the_cell_and_is_hidden_below_12_px():
    """At 1280x720 presentation the heatmap numbers overlapped at a fixed 18 px."""
    assert figures.annotation_font(80, 50, ["-0.0254", "0.5"]) >= 12
    assert figures.annotation_font(30, 50, ["-0.0254"]) is None  # too narrow for 12 px: hidden
    small, large = figures.annotation_font(50, 60, ["-0.0254"]), figures.annotation_font(70, 60, ["-0.0254"])
    assert small < large  # a wider cell, a larger number
    assert figures.annotation_font(500, 500, ["1"], largest=18) == 18


def test_fitted_heatmap_numbers_fit_their_cells_or_are_hidden_with_hover_kept():
    from core.figures.fit import text_width

    fig = figures.matrix_heatmap(SEED_W, "W")
    wide = figures.fit_to_width(fig, 400)
    size = wide.data[0].textfont.size
    assert size >= 12 and wide.data[0].showscale is False  # the numbers say the values
    cell = (400 - 20 - 20) / 5
    assert max(text_width(t, size) for row in wide.data[0].text for t in row) <= cell
    narrow = figures.fit_to_width(fig, 200)
    assert narrow.data[0].text is None and narrow.data[0].showscale is True and "%{z" in narrow.data[0].hovertemplate
    assert fig.data[0].text is not None  # the original untouched


def test_presentation_heatmaps_at_1280_have_numbers_of_12_px_or_none():
    from ui.charts import chart_width

    for width in (chart_width(3, True), chart_width(2, True), chart_width(1, True)):
        fig = figures.fit_to_width(figures.for_projector(figures.matrix_heatmap(SEED_W, "W")), width, 20)
        assert fig.data[0].text is None or fig.data[0].textfont.size >= 12


def test_a_long_title_is_wrapped_to_the_chart_width_not_cut():
    """The "Difference" title was cut at 1280x720 presentation."""
    title = "Difference: W after(wd) − W after(0)"
    fig = figures.fit_to_width(figures.for_projector(figures.matrix_heatmap(SEED_W, title)), 330)
    assert fig.layout.title.text.replace("<br>", " ") == title and "<br>" in fig.layout.title.text
    assert fig.layout.margin.t > 56
    assert figures.fit_to_width(figures.matrix_heatmap(SEED_W, "W"), 330).layout.title.text == "W"


def test_one_colour_per_weight_decay_on_every_builder():
    wds = (0.0, 0.5, 1.0, 5.0)
    colours = {wd: figures.wd_color(wd) for wd in wds}
    assert len(set(colours.values())) == len(wds) and colours[0.0] == "#000000"
    for defaults in ((0.0, 1.0, 3.0, 10.0), (0.0, 0.003, 0.03, 1.0), (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0)):
        assert len({figures.wd_color(w) for w in defaults}) == len(defaults)
    assert figures.wd_color(0.0105) == figures.wd_color(0.01)  # any value: its nearest level's colour
    rng = np.random.default_rng(0)
    curve = figures.curves({"a": rng.random((4, 5)), "b": rng.random((4, 5))}, wds, "t", "y")
    assert [t.line.color for t in curve.data] == [colours[w] for w in wds] * 2
    hist = figures.weight_histogram([rng.random(5)] * 4, wds, "h")
    assert [t.marker.color for t in hist.data] == [colours[w] for w in wds]
    sched = figures.schedule(np.linspace(1, 0.1, 5), 0.1, wds)
    assert [t.line.color for t in sched.data[:-1]] == [colours[w] for w in wds[1:]]
    norm = figures.norm_curve(np.arange(5.0), np.arange(5.0), 2, 0.5)
    assert (norm.data[0].line.color, norm.data[1].line.color) == (colours[0.0], colours[0.5])


def test_grid_charts_leave_the_legend_to_one_shared_legend():
    """Each of three optimizer columns had its own legend taking half its width (24 entries on the toy task)."""
    rng = np.random.default_rng(0)
    assert figures.curves({"a": rng.random((2, 5))}, (0.0, 1.0), "t", "y").layout.showlegend is False
    assert figures.weight_histogram([rng.random(5)] * 2, (0.0, 1.0), "h").layout.showlegend is False
    html = figures.legend_html((0.0, 0.5), {"Loss": ["train", "test"], "Norm": ["‖w‖"]}, "closed form")
    for text in ("wd = 0", "wd = 0.5", figures.wd_color(0.5), "train", "dashed", "closed form"):
        assert text in html
    assert "Norm" not in html  # a chart with one series needs no dash key
    assert "&lt;b&gt;" in figures.legend_html((1.0,), {"L": ["<b>", "x"]})  # labels are escaped


def test_animation_moves_heatmap_and_norm_marker_together_with_controls_off_the_axes():
    """Play moved the heatmap but not the marker on the norm curve; Play sat on the axis title; 200 ticks merged."""
    from core.figures.matrices import CONTROLS_Y, HEATMAP_DOMAIN, NORM_DOMAIN

    frames = np.random.default_rng(0).normal(size=(200, 10, 20))
    fig = figures.animated_heatmap(frames, range(200), "W_t")
    frame = fig.frames[7]
    assert list(frame.traces) == [0, 2]
    np.testing.assert_allclose(frame.data[1].y[0], np.linalg.norm(frames[7]))
    assert frame.data[1].x[0] == 7
    slider, menu = fig.layout.sliders[0], fig.layout.updatemenus[0]
    assert slider.minorticklen == 0  # plotly thins the labels; the unlabelled ticks are not drawn
    # between the heatmap (on top) and the curve (below), clear of both, side by side with each other
    assert NORM_DOMAIN[1] < CONTROLS_Y < HEATMAP_DOMAIN[0]
    assert slider.y == menu.y == CONTROLS_Y and slider.yanchor == menu.yanchor == "top"
    assert fig.layout.yaxis.domain[0] == HEATMAP_DOMAIN[0] and fig.layout.yaxis2.domain[1] == NORM_DOMAIN[1]
    assert menu.x == 0 and slider.x >= 0.2
    assert not fig.layout.xaxis.title.text  # no axis title for the controls to sit on


def test_the_live_chart_is_as_long_as_the_whole_run_and_names_its_step():
    """The curves grow into an x axis that is already the run's length; the title says how far it got."""
    fig = figures.live_norms([np.ones((2, 6)), np.ones((2, 6))], ["SGD", "AdamW"], (0.0, 1.0), 5, 40)
    assert list(fig.layout.xaxis.range) == [0, 40] and fig.layout.title.text == "Training: step 5 of 40"
    assert len(fig.data) == 4 and {t.line.dash for t in fig.data[:2]} != {t.line.dash for t in fig.data[2:]}


def test_points_are_markers_on_a_log_x_axis_with_levels_across_their_range():
    fig = figures.points({"a": (np.array([0.5, 0.01]), np.array([1.0, 2.0])), "b": (np.array([0.2]), np.array([3.0]))},
                         "p", "x", "y", levels={"level": 0.5})
    assert [t.mode for t in fig.data] == ["markers", "markers", "lines"]
    assert fig.layout.xaxis.type == "log" and list(fig.data[2].x) == [0.01, 0.5] and list(fig.data[2].y) == [0.5, 0.5]
    assert fig.data[0].marker.color != fig.data[1].marker.color


def test_every_builder_carries_the_one_small_template_not_plotlys_default():
    """Charts are drawn with Streamlit's theme off (its restyling in the browser was most of a chart's
    drawing time), so each figure brings the app's look itself; plotly's default template would
    also be about nine tenths of a small figure's bytes."""
    from core.figures.style import TEMPLATE

    for fig in _every_builder():
        spec = fig.to_dict()
        assert spec["layout"]["template"] == TEMPLATE, spec["layout"].get("title")
    heatmap = figures.matrix_heatmap(np.arange(20.0).reshape(4, 5), "W")
    assert len(heatmap.to_json()) < 3000


def test_no_builder_has_plotly_measure_its_tick_labels_for_overflow():
    """plotly.js's default for outside tick labels ("hide past div") measures every label again after each
    one it places (19 ms of a Training slider move in chromium); the axes' automargin already makes room."""
    for fig in _every_builder():
        layout = fig.to_dict()["layout"]
        template = layout["template"]["layout"]
        for axis in ("xaxis", "yaxis"):
            overflow = layout.get(axis, {}).get("ticklabeloverflow", template[axis].get("ticklabeloverflow"))
            assert overflow == "allow", (layout.get("title"), axis)
        for trace in fig.to_dict()["data"]:
            if "colorbar" in trace:  # a colour bar's ticks are an axis's too
                assert trace["colorbar"].get("ticklabeloverflow") == "allow", layout.get("title")


def test_a_log_axis_over_less_than_two_decades_labels_1_2_5_with_whole_values():
    """The gradient-growth chart (values 1 to 20) had one labelled tick, '10'; its ticks now read
    1, 2, 5, 10, 20, whole numbers (never a bare 3 that means 30)."""
    from core.figures.style import narrow_log_ticks

    fig = figures.lines({"r": (np.arange(4), np.array([1.2, 3.0, 9.0, 19.0]))}, "t", "step", "r", log_y=True)
    axis = fig.to_dict()["layout"]["yaxis"]
    assert axis["tickvals"] == [2, 5, 10] and axis["ticktext"] == ["2", "5", "10"] and axis["type"] == "log"
    assert narrow_log_ticks(np.array([1e-4, 1.0])) == {}  # four decades: the decades label themselves
    assert narrow_log_ticks(np.array([0.0, -1.0, np.nan])) == {}
    assert narrow_log_ticks(np.array([0.03, 0.3]))["ticktext"] == ["0.05", "0.1", "0.2"]


def test_a_narrow_log_axis_is_labelled_the_same_way_by_every_curve_builder():
    """The 1-2-5 ticks come from the one y-axis helper, so the chart with predicted levels gets them too."""
    y = np.array([0.012, 0.03, 0.09])
    plain = figures.lines({"a": (np.arange(3), y)}, "t", "step", "angle", log_y=True)
    predicted = figures.against_predictions({"a": (np.arange(3), y)}, {"a": 0.05}, "t", "step", "angle", log_y=True)
    assert plain.to_dict()["layout"]["yaxis"]["ticktext"] == ["0.02", "0.05"]
    assert predicted.to_dict()["layout"]["yaxis"]["ticktext"] == ["0.02", "0.05"]
