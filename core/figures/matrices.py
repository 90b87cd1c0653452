"""Matrices as annotated heatmaps, still and animated (W, its gradient, its change)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import (
    COLORBAR,
    DECAY_COLOR,
    NEUTRAL_COLOR,
    TEMPLATE,
    PlainFigure,
    _axis,
    _figure,
    _heatmap_trace,
    cell_text,
    robust_limit,
)
from core.numbers import fmt


def _ticks(n: int) -> dict:
    """Every row or column index labelled (not only 0, 2, 4), thinned to about ten."""
    step = max(1, -(-n // 10))
    return dict(tickmode="array", tickvals=[str(i) for i in range(0, n, step)])


def clipped_title(title: str, limit: float, clipped: bool) -> str:
    return f"{title} (colours clipped at ±{fmt(limit)})" if clipped else title


def matrix_heatmap(values: np.ndarray, title: str, limit: float | None = None, name: str = "W") -> go.Figure:
    """A matrix as an annotated heatmap, row 0 on top, coloured on [-limit, limit] (a robust
    limit, said in the title when it clips, unless the caller shares one). The indices need no
    axis titles (hover names the cell), which leaves the cells room for their numbers."""
    values = np.asarray(values, dtype=float)
    clipped = False
    if limit is None:
        limit, clipped = robust_limit(values)
    rows, cols = values.shape
    return _figure([_heatmap_trace(values, limit, name)], 260, _axis("", side="bottom", **_ticks(cols)),
                   _axis("", autorange="reversed", **_ticks(rows)), clipped_title(title, limit, clipped))


def as_matrix(values: np.ndarray) -> np.ndarray:
    """A tensor as a 2-D grid for a heatmap: matrices stay, vectors (and (n, 1) columns) fold
    into the most square rows x cols that holds them exactly."""
    values = np.asarray(values)
    if values.ndim == 2 and min(values.shape) > 1:
        return values
    flat = values.ravel()
    rows = max(r for r in range(1, int(np.sqrt(flat.size)) + 1) if flat.size % r == 0)
    return flat.reshape(rows, flat.size // rows)


# The animated matrix on top, its norm curve below, the play controls between them: side by side,
# a phone's 358 px put the colour bar's ticks on the curve's axis and the slider's label on ▶.
HEATMAP_DOMAIN = (0.5, 1.0)  # heights, as fractions of the plot area
NORM_DOMAIN = (0.0, 0.2)
CONTROLS_Y = 0.42  # the top of the buttons and the slider; pad keeps them below the heatmap's column labels


def animated_heatmap(frames: np.ndarray, steps, title: str, start: int = 0, name: str = "W") -> go.Figure:
    """W_t as a heatmap above the curve of ‖W_t‖_F, in ONE figure animated in the browser (plotly
    frames, no rerun per step): each frame moves the heatmap and the curve's marker together, and
    plotly's own slider is the one step control, so play, slider, heatmap and marker never disagree.
    The buttons and the slider sit between the two, clear of both axes. frames is (S, rows, cols)."""
    frames = np.asarray(frames, dtype=float)
    limit, clipped = robust_limit(frames)
    title = clipped_title(title, limit, clipped)
    texts = [cell_text(f) for f in frames]
    steps = [int(s) for s in steps]
    with np.errstate(over="ignore", invalid="ignore"):  # a blown-up run's norm is inf, drawn off the curve
        norms = np.sqrt(np.nansum(frames.reshape(len(frames), -1) ** 2, axis=1))
    play = dict(frame=dict(duration=250, redraw=True), fromcurrent=True, transition=dict(duration=0))
    pause = dict(mode="immediate", frame=dict(duration=0, redraw=False))
    heatmap = {**_heatmap_trace(frames[start], limit, name),
               "colorbar": dict(COLORBAR, y=HEATMAP_DOMAIN[0], yanchor="bottom",
                                len=HEATMAP_DOMAIN[1] - HEATMAP_DOMAIN[0])}
    marker = dict(type="scatter", x=[steps[start]], y=[norms[start]], mode="markers", xaxis="x2", yaxis="y2",
                  marker=dict(color=NEUTRAL_COLOR, size=11), hovertemplate="step %{x}: %{y:.6g}<extra></extra>")
    curve = dict(type="scatter", x=steps, y=norms, mode="lines", xaxis="x2", yaxis="y2", line=dict(color=DECAY_COLOR),
                 hovertemplate=f"‖{name}‖ at step %{{x}}: %{{y:.6g}}<extra></extra>")
    spec = {
        "data": [heatmap, curve, marker],
        # frames in float32: half the bytes to send, and hover shows 6 digits
        "frames": [{"data": [{"type": "heatmap", "z": f.astype(np.float32), **({"text": t} if t is not None else {})},
                             {"type": "scatter", "x": [s], "y": [n]}],
                    "traces": [0, 2], "name": str(s)}
                   for f, t, s, n in zip(frames, texts, steps, norms, strict=True)],
        "layout": {
            "template": TEMPLATE, "title": {"text": title}, "height": 640, "font": dict(size=14),
            "margin": dict(l=10, r=10, t=50, b=40),
            "showlegend": False,
            "xaxis": _axis("", side="bottom", **_ticks(frames.shape[2])),
            "yaxis": _axis("", autorange="reversed", domain=list(HEATMAP_DOMAIN), **_ticks(frames.shape[1])),
            "xaxis2": _axis("step", anchor="y2"),
            "yaxis2": _axis(f"‖{name}‖", domain=list(NORM_DOMAIN), anchor="x2"),
            "updatemenus": [dict(type="buttons", direction="left", x=0.0, y=CONTROLS_Y, xanchor="left",
                                 yanchor="top", pad=dict(t=16, r=6), showactive=False,
                                 buttons=[dict(label="▶", method="animate", args=[None, play]),
                                          dict(label="❚❚", method="animate", args=[[None], pause])])],
            # the rail's ticks only for labelled steps (plotly thins the labels itself): 200 ticks made a black bar
            "sliders": [dict(active=start, x=0.25, len=0.75, y=CONTROLS_Y, yanchor="top",
                             pad=dict(t=16), minorticklen=0, currentvalue=dict(prefix="step ", xanchor="right"),
                             steps=[dict(label=str(s), method="animate",
                                         args=[[str(s)], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                                    for s in steps])],
        },
    }
    return PlainFigure(spec)
