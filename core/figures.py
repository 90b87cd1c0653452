"""Plotly figure builders: plain functions from arrays to figures, no streamlit.

One diverging scale (ColorBrewer RdBu, colorblind-safe) centred at 0 for signed
matrices, one sequential scale for magnitudes, and two Okabe-Ito colours for the
gradient/decay split, so every page reads the same way.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"  # negative blue, positive red, white at 0
SEQUENTIAL = "Viridis"
GRADIENT_COLOR = "#0072B2"  # Okabe-Ito blue
DECAY_COLOR = "#E69F00"  # Okabe-Ito orange
NEUTRAL_COLOR = "#000000"
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), font=dict(size=14))


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The largest finite |value| over arrays that share one colour scale (at least 1e-12,
    so an all-zero matrix still gets a valid scale)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    finite = np.abs(values[np.isfinite(values)])
    return float(max(finite.max() if finite.size else 0.0, 1e-12))


def matrix_heatmap(values: np.ndarray, title: str, limit: float | None = None, fmt: str = ".4f",
                   name: str = "W") -> go.Figure:
    """A matrix as an annotated heatmap, row 0 on top, coloured on [-limit, limit]."""
    values = np.asarray(values, dtype=float)
    limit = symmetric_limit(values) if limit is None else limit
    rows, cols = values.shape
    fig = go.Figure(go.Heatmap(
        z=values.astype(np.float32) if values.dtype != np.float64 else values,
        x=[str(j) for j in range(cols)], y=[str(i) for i in range(rows)],
        zmin=-limit, zmax=limit, zmid=0.0, colorscale=DIVERGING,
        texttemplate=f"%{{z:{fmt}}}", textfont=dict(size=13),
        hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.8g}}<extra></extra>",
        colorbar=dict(thickness=12),
    ))
    fig.update_layout(title=dict(text=title), height=260, **_LAYOUT)
    fig.update_xaxes(title_text="column", side="bottom")
    fig.update_yaxes(title_text="row", autorange="reversed")
    return fig


def change_split_bars(gradient_part: np.ndarray, decay_part: np.ndarray) -> go.Figure:
    """Each cell's step-1 change, stacked from its gradient part and its decay part."""
    labels = [f"({i},{j})" for i in range(gradient_part.shape[0]) for j in range(gradient_part.shape[1])]
    g, d = gradient_part.ravel(), decay_part.ravel()
    fig = go.Figure([
        go.Bar(x=labels, y=g, name="gradient part", marker_color=GRADIENT_COLOR,
               hovertemplate="cell %{x}: %{y:.6g}<extra>gradient part</extra>"),
        go.Bar(x=labels, y=d, name="decay part", marker_color=DECAY_COLOR,
               hovertemplate="cell %{x}: %{y:.6g}<extra>decay part</extra>"),
        go.Scatter(x=labels, y=g + d, name="total change", mode="markers",
                   marker=dict(color=NEUTRAL_COLOR, symbol="line-ew-open", size=14, line=dict(width=2)),
                   hovertemplate="cell %{x}: %{y:.6g}<extra>total</extra>"),
    ])
    fig.update_layout(barmode="relative", height=320, legend=dict(orientation="h", y=1.12), **_LAYOUT)
    fig.update_xaxes(title_text="cell (row, column)")
    fig.update_yaxes(title_text="change in w after step 1")
    return fig


def norm_curve(norms: np.ndarray, norms_no_decay: np.ndarray, current: int, weight_decay: float) -> go.Figure:
    """||W_t||_F against step, with and without decay, a marker at the step being shown."""
    steps = np.arange(len(norms))
    fig = go.Figure([
        go.Scatter(x=steps, y=norms_no_decay, name="weight_decay = 0", mode="lines",
                   line=dict(color=GRADIENT_COLOR, dash="dash")),
        go.Scatter(x=steps, y=norms, name=f"weight_decay = {weight_decay:g}", mode="lines",
                   line=dict(color=DECAY_COLOR)),
        go.Scatter(x=[current], y=[norms[current]], name=f"step {current}", mode="markers",
                   marker=dict(color=NEUTRAL_COLOR, size=11)),
    ])
    fig.update_layout(height=300, hovermode="x unified", legend=dict(orientation="h", y=1.15), **_LAYOUT)
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(title_text="‖W_t‖_F (Frobenius norm)")
    return fig


def pure_decay_scatter(w_before: np.ndarray, adam_change: np.ndarray, adamw_change: np.ndarray,
                       lr: float, weight_decay: float) -> go.Figure:
    """|change| against |w| under zero gradient: Adam-L2 is flat near lr, AdamW a line lr*wd*|w|."""
    w = np.abs(w_before.ravel())
    order = np.argsort(w)
    fig = go.Figure([
        go.Scatter(x=w, y=np.abs(adam_change.ravel()), mode="markers", name="Adam(weight_decay): |Δw|",
                   marker=dict(color=GRADIENT_COLOR, size=10, symbol="circle")),
        go.Scatter(x=w, y=np.abs(adamw_change.ravel()), mode="markers", name="AdamW: |Δw|",
                   marker=dict(color=DECAY_COLOR, size=10, symbol="diamond")),
        go.Scatter(x=w[order], y=lr * weight_decay * w[order], mode="lines", name="lr·wd·|w|",
                   line=dict(color=DECAY_COLOR, dash="dot")),
        go.Scatter(x=w[order], y=np.full(w.size, lr), mode="lines", name="lr",
                   line=dict(color=GRADIENT_COLOR, dash="dot")),
    ])
    fig.update_layout(height=320, legend=dict(orientation="h", y=1.18), **_LAYOUT)
    fig.update_xaxes(title_text="|w| before the step")
    fig.update_yaxes(title_text="|change| in one step")
    return fig
