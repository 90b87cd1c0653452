"""core.figures.marker_path: many markers as one SVG path, and the decision boundary's training
points drawn that way, one path per class, under the P = 0.5 line."""

from __future__ import annotations

import re

import numpy as np

from core import figures
from core.figures.grids import POINT_RADIUS
from core.figures.marker_path import ROUND, marker_path
from core.figures.style import DIVERGING

AXIS = np.linspace(-1.3, 1.3, 60)


def _numbers(path: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", path)]).reshape(-1, 2)


def test_each_marker_is_one_closed_subpath_around_its_point():
    points = np.array([[0.5, -0.25], [-1.0, 1.0]])
    for symbol, per_marker in (("circle", 13), ("diamond", 4)):
        path = marker_path(points, 0.1, symbol)
        assert path.count("M") == 2 and path.count("Z") == 2 and "A" not in path  # plotly's shapes take no arcs
        coords = _numbers(path).reshape(2, per_marker, 2)
        np.testing.assert_allclose(coords.mean(axis=1) if symbol == "diamond" else coords[:, [0, 6]].mean(axis=1),
                                   points, atol=1e-3)
        np.testing.assert_allclose(np.abs(coords - points[:, None]).max(axis=(1, 2)), 0.1, atol=1e-3)
    # a circle's Bézier handles sit ROUND * r from the axis points: within 0.03 % of the true circle
    assert abs(ROUND - 4 / 3 * (np.sqrt(2) - 1)) < 1e-4


def test_the_boundary_draws_its_points_as_one_path_per_class_under_the_line():
    rng = np.random.default_rng(0)
    points, labels = rng.uniform(-1, 1, (40, 2)), rng.integers(0, 2, 40)
    probs = 1 / (1 + np.exp(-(AXIS[None, :] - 0.2) * 8)) + 0 * AXIS[:, None]
    fig = figures.boundary(AXIS, AXIS, probs, points, labels, "t")
    circles, diamonds, line = fig.layout.shapes
    radius = POINT_RADIUS * 2.6
    for shape, cls in ((circles, 0), (diamonds, 1)):
        assert shape.path.count("M") == (labels == cls).sum() and shape.xref == "x" and shape.yref == "y"
        assert shape.fillcolor == DIVERGING[-1 if cls else 0][1] and shape.line.color == "#ffffff"
    assert np.isclose(_numbers(circles.path)[0, 0], points[labels == 0][0, 0] + radius, atol=1e-3)
    assert line.line.color != "#ffffff" and "C" not in line.path
    assert fig.layout.yaxis.scaleanchor == "x"  # equal scales: the circles are round
