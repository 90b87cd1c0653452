"""Matrices as annotated heatmaps, still and animated (W, its gradient, its change)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import _axis, _figure, _heatmap_trace, cell_text, robust_limit
from core.numbers import fmt


def _ticks(n: int) -> dict:
    """Every row or column index labelled (not only 0, 2, 4), thinned to about ten."""
    step = max(1, -(-n // 10))
    return dict(tickmode="array", tickvals=[str(i) for i in range(0, n, step)])


def _clipped_title(title: str, limit: float, clipped: bool) -> str:
    return f"{title} (colours clipped at ±{fmt(limit)})" if clipped else title


def matrix_heatmap(values: np.ndarray, title: str, limit: float | None = None, name: str = "W") -> go.Figure:
    """A matrix as an annotated heatmap, row 0 on top, coloured on [-limit, limit] (a robust
    limit, said in the title when it clips, unless the caller shares one)."""
    values = np.asarray(values, dtype=float)
    clipped = False
    if limit is None:
        limit, clipped = robust_limit(values)
    rows, cols = values.shape
    return _figure([_heatmap_trace(values, limit, name)], 260, _axis("column", side="bottom", **_ticks(cols)),
                   _axis("row", autorange="reversed", **_ticks(rows)), _clipped_title(title, limit, clipped))


def as_matrix(values: np.ndarray) -> np.ndarray:
    """A tensor as a 2-D grid for a heatmap: matrices stay, vectors (and (n, 1) columns) fold
    into the most square rows x cols that holds them exactly."""
    values = np.asarray(values)
    if values.ndim == 2 and min(values.shape) > 1:
        return values
    flat = values.ravel()
    rows = max(r for r in range(1, int(np.sqrt(flat.size)) + 1) if flat.size % r == 0)
    return flat.reshape(rows, flat.size // rows)


def animated_heatmap(frames: np.ndarray, steps, title: str, start: int = 0, name: str = "W") -> go.Figure:
    """W_t as an annotated heatmap with a play button and a step slider (plotly frames: the
    animation runs in the browser, no rerun per step). frames is (S, rows, cols)."""
    frames = np.asarray(frames, dtype=float)
    limit, clipped = robust_limit(frames)
    title = _clipped_title(title, limit, clipped)
    texts = [cell_text(f) for f in frames]
    steps = [int(s) for s in steps]
    play = dict(frame=dict(duration=250, redraw=True), fromcurrent=True, transition=dict(duration=0))
    pause = dict(mode="immediate", frame=dict(duration=0, redraw=False))
    spec = {
        "data": [_heatmap_trace(frames[start], limit, name)],
        "frames": [{"data": [{"type": "heatmap", "z": f, **({"text": t} if t is not None else {})}], "name": str(s)}
                   for f, t, s in zip(frames, texts, steps, strict=True)],
        "layout": {
            "title": {"text": title}, "height": 360, "font": dict(size=14), "margin": dict(l=10, r=10, t=40, b=90),
            "xaxis": _axis("column", side="bottom", **_ticks(frames.shape[2])),
            "yaxis": _axis("row", autorange="reversed", **_ticks(frames.shape[1])),
            "updatemenus": [dict(type="buttons", direction="left", x=0.0, y=-0.18, xanchor="left", yanchor="top",
                                 buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                          dict(label="❚❚ Pause", method="animate", args=[[None], pause])])],
            "sliders": [dict(active=start, x=0.2, len=0.8, y=-0.12, currentvalue=dict(prefix="step "),
                             steps=[dict(label=str(s), method="animate",
                                         args=[[str(s)], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                                    for s in steps])],
        },
    }
    return go.Figure(spec, _validate=False)
