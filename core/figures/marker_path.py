"""Many markers drawn as one SVG path: a chart that shows a hundred training points as a scatter
trace makes a hundred SVG elements, each styled on its own, on every draw (12-20 ms a decision
boundary in chromium, twelve boundaries on a toy rerun); as one path shape per symbol they are one
element. Plotly's path shapes take data coordinates and no arcs, so a circle is four cubic Béziers."""

from __future__ import annotations

import numpy as np

ROUND = 0.5523  # a quarter circle's control-point distance, as a share of the radius


def _circle(x: float, y: float, r: float) -> str:
    k = ROUND * r
    return (f"M{x + r:.4g},{y:.4g}C{x + r:.4g},{y + k:.4g} {x + k:.4g},{y + r:.4g} {x:.4g},{y + r:.4g}"
            f"C{x - k:.4g},{y + r:.4g} {x - r:.4g},{y + k:.4g} {x - r:.4g},{y:.4g}"
            f"C{x - r:.4g},{y - k:.4g} {x - k:.4g},{y - r:.4g} {x:.4g},{y - r:.4g}"
            f"C{x + k:.4g},{y - r:.4g} {x + r:.4g},{y - k:.4g} {x + r:.4g},{y:.4g}Z")


def _diamond(x: float, y: float, r: float) -> str:
    return f"M{x:.4g},{y - r:.4g}L{x + r:.4g},{y:.4g}L{x:.4g},{y + r:.4g}L{x - r:.4g},{y:.4g}Z"


SYMBOLS = {"circle": _circle, "diamond": _diamond}


def marker_path(points: np.ndarray, radius: float, symbol: str) -> str:
    """(n, 2) points as one path of `symbol`s (a key of SYMBOLS) of `radius` in data units, which
    are round only on an axis pair of equal scale (scaleanchor)."""
    draw = SYMBOLS[symbol]
    return "".join(draw(float(x), float(y), radius) for x, y in np.asarray(points, dtype=float))
