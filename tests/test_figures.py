"""Figure builders: one symmetric diverging scale, readable projector copies, animations."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import figures


def test_heatmap_scale_is_symmetric_and_centred_at_zero():
    fig = figures.matrix_heatmap(np.array([[1.0, -3.0], [0.5, 2.0]]), "W")
    trace = fig.data[0]
    assert (trace.zmin, trace.zmid, trace.zmax) == (-3.0, 0.0, 3.0)
    assert trace.colorscale == fig.data[0].colorscale and "%{z:.4f}" in trace.texttemplate


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
