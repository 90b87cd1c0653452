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
    assert big.data[0].textfont.size > fig.data[0].textfont.size


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
    assert fig.layout.updatemenus[0].buttons[0].label == "▶ Play"


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
    yield figures.animated_heatmap(rng.normal(size=(3, 4, 5)), [0, 5, 10], "anim")
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
