"""core.figures.level_line: the decision boundary traced on the server, one path per chart."""

from __future__ import annotations

from collections import Counter

import numpy as np

from core import figures
from core.figures.level_line import level_path, level_segments

AXIS = np.linspace(-1.3, 1.3, 60)


def test_a_circle_is_traced_as_one_closed_line_on_its_radius():
    z = AXIS[None, :] ** 2 + AXIS[:, None] ** 2
    starts, ends = level_segments(AXIS, AXIS, z, 0.5)
    ends_of = Counter(tuple(np.round(p, 9)) for p in np.concatenate([starts, ends]))
    assert len(starts) > 50 and set(ends_of.values()) == {2}  # every crossing joins two cells' pieces: closed
    radius = np.hypot(*np.concatenate([starts, ends]).T)
    assert np.abs(radius - np.sqrt(0.5)).max() < 1e-3  # linear interpolation along an edge of x² + y²


def test_a_saddle_cell_gets_two_pieces_and_every_crossing_lies_on_the_level():
    z = AXIS[None, :] * AXIS[:, None]  # zero on both axes, where the grid has no point: the centre cell is a saddle
    starts, ends = level_segments(AXIS, AXIS, z, 0.0)
    points = np.concatenate([starts, ends])
    assert np.minimum(np.abs(points[:, 0]), np.abs(points[:, 1])).max() < 1e-12  # on x = 0 or y = 0
    centre = (np.abs(starts).max(axis=1) < AXIS[1] - AXIS[0]) & (np.abs(ends).max(axis=1) < AXIS[1] - AXIS[0])
    assert centre.sum() == 2


def test_no_crossing_no_path():
    assert level_path(AXIS, AXIS, np.full((60, 60), 0.3), 0.5) == ""
    assert level_segments(AXIS, AXIS, np.full((60, 60), 0.7), 0.5)[0].shape == (0, 2)


def test_the_boundary_chart_draws_the_half_line_as_a_shape_not_a_contour_to_trace_in_the_browser():
    probs = 1 / (1 + np.exp(-(AXIS[None, :] - 0.2) * 8)) + 0 * AXIS[:, None]  # P = 0.5 on the line x = 0.2
    fig = figures.boundary(AXIS, AXIS, probs, np.zeros((2, 2)), np.array([0, 1]), "t")
    assert [t.type for t in fig.data] == ["heatmap"]
    shape = fig.layout.shapes[-1]  # over the points' shapes
    xs = [float(v.split(",")[0]) for v in shape.path.replace("M", " ").replace("L", " ").split()]
    assert np.allclose(xs, 0.2, atol=1e-3) and shape.xref == "x" and shape.yref == "y"


def test_the_boundary_map_is_sent_in_float32_and_its_line_traced_from_the_full_values():
    """The 60x60 map was 38 kB of a 50 kB chart, twelve of them on every toy rerun; float32 halves it
    (hover shows 3 decimals), while the P = 0.5 line is still traced from the float64 values."""
    probs = 1 / (1 + np.exp(-(AXIS[None, :] - 0.2) * 8)) + 0 * AXIS[:, None]
    fig = figures.boundary(AXIS, AXIS, probs, np.zeros((2, 2)), np.array([0, 1]), "t")
    assert fig.to_dict()["data"][0]["z"]["dtype"] == "f4"
    assert fig.layout.shapes[-1].path == level_path(AXIS, AXIS, probs, 0.5)
