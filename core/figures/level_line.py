"""A level line of a gridded function as one SVG path (marching squares), for a chart to draw as a
layout shape instead of a plotly contour trace: the twelve decision boundaries of the toy task
(P = 0.5) were each a contour trace that plotly.js traced again in the browser on every draw,
about a third of those charts' drawing time, and a second copy of the grid to send."""

from __future__ import annotations

import numpy as np


def level_segments(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The straight pieces of the line z = level, z sampled at (xs[j], ys[i]) as z[i, j]: one
    segment per grid cell the line crosses, two in a saddle cell (paired by the cell's mean, the
    usual marching-squares choice). Returns start and end points, each (segments, 2); a crossing is
    placed on its cell edge by linear interpolation."""
    xs, ys, z = (np.asarray(a, dtype=float) for a in (xs, ys, z))
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]  # corners: bottom-left, -right, top-right, -left
    x0, x1 = np.broadcast_to(xs[:-1], a.shape), np.broadcast_to(xs[1:], a.shape)
    y0, y1 = np.broadcast_to(ys[:-1, None], a.shape), np.broadcast_to(ys[1:, None], a.shape)

    def between(p, q):  # where along an edge from value p to value q the level lies
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip((level - p) / (q - p), 0.0, 1.0)

    above = [v > level for v in (a, b, c, d)]
    # the four edges in order: bottom (a-b), right (b-c), top (d-c), left (a-d)
    crosses = [above[0] != above[1], above[1] != above[2], above[3] != above[2], above[0] != above[3]]
    points = [np.stack([x0 + between(a, b) * (x1 - x0), y0], -1), np.stack([x1, y0 + between(b, c) * (y1 - y0)], -1),
              np.stack([x0 + between(d, c) * (x1 - x0), y1], -1), np.stack([x0, y0 + between(a, d) * (y1 - y0)], -1)]
    edges, corners = np.stack(crosses, -1), np.stack(points, -2)  # (cells..., 4) and (cells..., 4, 2)
    count = edges.sum(-1)
    starts, ends = [], []
    two = count == 2
    edges = edges[two]  # exactly two True each
    first, second = edges.argmax(-1), 3 - edges[:, ::-1].argmax(-1)
    rows = np.arange(len(edges))
    starts.append(corners[two][rows, first])
    ends.append(corners[two][rows, second])
    saddle = count == 4
    if saddle.any():
        pts = corners[saddle]
        centre_with_a = ((a + b + c + d)[saddle] / 4 > level) == above[0][saddle]
        # the centre on a's side: the lines cut off b and d (bottom-right, top-left); else a and c
        pairs = np.where(centre_with_a[:, None, None], np.array([[0, 1], [2, 3]]), np.array([[0, 3], [1, 2]]))
        for k in range(2):
            starts.append(pts[np.arange(len(pts)), pairs[:, k, 0]])
            ends.append(pts[np.arange(len(pts)), pairs[:, k, 1]])
    return np.concatenate(starts), np.concatenate(ends)


def level_path(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, level: float) -> str:
    """level_segments as one SVG path in data coordinates ("M x,y L x,y ..."), empty when the
    line does not cross the grid."""
    starts, ends = level_segments(xs, ys, z, level)
    return " ".join(f"M{p[0]:.5g},{p[1]:.5g}L{q[0]:.5g},{q[1]:.5g}" for p, q in zip(starts, ends, strict=True))
