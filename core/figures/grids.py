"""Two-dimensional maps over inputs or hyperparameters: decision boundaries and sweep grids."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.level_line import level_path
from core.figures.marker_path import marker_path
from core.figures.style import COLORBAR, DIVERGED_COLOR, DIVERGING, NEUTRAL_COLOR, SEQUENTIAL, _axis, _figure

BOUNDARY_LEGEND = ("Background: the network's P(class 1), blue 0 → white 0.5 → red 1; dark line: P = 0.5, the "
                   "decision boundary; points: the training data, ● class 0 (blue), ◆ class 1 (red), "
                   "outlined in white.")


POINT_RADIUS = 0.023  # a point's radius as a share of the x range


def boundary(xs: np.ndarray, ys: np.ndarray, probs: np.ndarray, points: np.ndarray, labels: np.ndarray,
             title: str) -> go.Figure:
    """P(class 1) as a diverging map centred at 0.5, the line P = 0.5 (the decision boundary) dark
    over it, and the training points on top: a symbol per class and a white outline, so a point
    never vanishes into a background of its colour."""
    cls = labels.ravel()
    data = [
        # float32: half the bytes (38 of a 50 kB chart were this map), and hover shows 3 decimals
        dict(type="heatmap", x=xs, y=ys, z=np.asarray(probs, dtype=np.float32), zmin=0, zmax=1, zmid=0.5,
             colorscale=DIVERGING, showscale=False,
             hovertemplate="x=%{x:.2f}, y=%{y:.2f}: P(1)=%{z:.3f}<extra></extra>"),
    ]
    # the points as one path per class (core.figures.marker_path), not a scatter trace of an element each;
    # markers about 7 px across at a laptop's four columns, scaling with the chart
    radius = POINT_RADIUS * (xs[-1] - xs[0])
    shapes = [dict(type="path", path=marker_path(points[cls == c], radius * size, symbol), xref="x", yref="y",
                   layer="above", fillcolor=DIVERGING[-1 if c else 0][1], line=dict(color="#ffffff", width=1.5))
              for c, symbol, size in ((0, "circle", 1.0), (1, "diamond", 1.3)) if (cls == c).any()]
    # the P = 0.5 line traced here, drawn as one path over the points (a contour trace made the browser
    # trace it on every draw)
    line = level_path(xs, ys, probs, 0.5)
    if line:
        shapes.append(dict(type="path", path=line, xref="x", yref="y", layer="above",
                           line=dict(color=NEUTRAL_COLOR, width=2)))
    return _figure(data, 300, _axis("x₁", range=[xs[0], xs[-1]]),
                   _axis("x₂", range=[ys[0], ys[-1]], scaleanchor="x"), title, showlegend=False, shapes=shapes)


def sweep_heatmap(lrs: np.ndarray, weight_decays: np.ndarray, values: np.ndarray, diverged: np.ndarray,
                  best: tuple[int, int] | None, title: str, value_name: str, zrange: tuple[float, float],
                  chosen: tuple[int, int] | None = None, ridge=None) -> go.Figure:
    """Final values over the lr x wd grid on log axes, coloured by log10 on a shared range;
    diverged cells grey with an x, the best cell a star, the chosen cell a square; with a
    core.train.sweep_claims.Ridge, each column's best wd as a dot and the fitted line dashed."""
    x, y = np.log10(lrs), np.log10(weight_decays)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(values)
    rows, cols = np.nonzero(diverged)
    data = [
        dict(type="heatmap", x=x, y=y, z=z, zmin=zrange[0], zmax=zrange[1], colorscale=SEQUENTIAL, customdata=values,
             colorbar=dict(COLORBAR, title=dict(text="log10")),
             hovertemplate=f"lr=10^%{{x:.2f}}, wd=10^%{{y:.2f}}<br>{value_name} = %{{customdata:.6g}}"
                           "<extra></extra>"),
        dict(type="heatmap", x=x, y=y, z=np.where(diverged, 1.0, np.nan), zmin=0, zmax=1, showscale=False,
             colorscale=[[0, DIVERGED_COLOR], [1, DIVERGED_COLOR]],
             hovertemplate="lr=10^%{x:.2f}, wd=10^%{y:.2f}<br>diverged<extra></extra>"),
        dict(type="scatter", x=x[cols], y=y[rows], mode="markers", hoverinfo="skip", showlegend=False,
             marker=dict(symbol="x-thin", size=7, line=dict(color="white", width=1.5))),
    ]
    if ridge is not None and len(ridge.log10_lrs):
        data.append(dict(type="scatter", x=ridge.log10_lrs, y=ridge.log10_wds, mode="markers", showlegend=False,
                         hovertemplate="best wd of this lr<extra></extra>",
                         marker=dict(size=6, color="white", line=dict(color=NEUTRAL_COLOR, width=1))))
        if ridge.slope is not None:
            xs = np.array([x.min(), x.max()])
            data.append(dict(type="scatter", x=xs, y=ridge.slope * xs + ridge.intercept, mode="lines",
                             showlegend=False, hoverinfo="skip", line=dict(color="white", width=2, dash="dash")))
    for cell, symbol, name in ((best, "star", "best"), (chosen, "square-open", "chosen")):
        if cell is not None:
            data.append(dict(type="scatter", x=[x[cell[1]]], y=[y[cell[0]]], mode="markers", name=name,
                             showlegend=False, hovertemplate=f"{name}<extra></extra>",
                             marker=dict(symbol=symbol, size=16, color="white", line=dict(color=NEUTRAL_COLOR,
                                                                                           width=2))))

    def ticks(v):
        """Whole decades written as powers of ten, and the range pinned to the cells so the
        ridge line cannot widen it."""
        half = (v[-1] - v[0]) / (2 * max(len(v) - 1, 1))
        decades = np.arange(np.ceil(v.min() - 1e-9), np.floor(v.max() + 1e-9) + 1).astype(int)
        return dict(tickmode="array", tickvals=decades, ticktext=[f"10<sup>{k}</sup>" for k in decades],
                    range=[v[0] - half, v[-1] + half])

    # Square plot area whatever the decades on each axis: cells keep one shape across a row.
    return _figure(data, 340, _axis("learning rate lr", **ticks(x), constrain="domain"),
                   _axis("weight decay wd", **ticks(y), scaleanchor="x", constrain="domain",
                         scaleratio=float(np.ptp(x) or 1) / float(np.ptp(y) or 1)), title)
