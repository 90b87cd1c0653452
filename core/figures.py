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


RUN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")  # Okabe-Ito
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def run_color(i: int) -> str:
    return RUN_COLORS[i % len(RUN_COLORS)]


def curves(series: dict[str, np.ndarray], weight_decays, title: str, y_title: str, log_y: bool = False,
           overlays: dict[str, np.ndarray] | None = None) -> go.Figure:
    """Per-step curves: colour = weight decay, dash = series (a layer, or train/test).

    series maps a name to (G, T + 1); overlays maps a name to (G, T + 1) drawn as markers-free
    thin black lines (a closed form to compare with)."""
    fig = go.Figure()
    for s, (name, values) in enumerate(series.items()):
        for i, wd in enumerate(weight_decays):
            fig.add_trace(go.Scatter(
                y=values[i], mode="lines", name=f"{name}, wd={wd:g}", legendgroup=f"wd{i}",
                line=dict(color=run_color(i), dash=DASHES[s % len(DASHES)], width=2),
                hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>",
            ))
    for name, values in (overlays or {}).items():
        for i, wd in enumerate(weight_decays):
            fig.add_trace(go.Scatter(
                y=values[i], mode="lines", name=f"{name}, wd={wd:g}", legendgroup=f"wd{i}",
                line=dict(color=NEUTRAL_COLOR, dash="dot", width=1),
                hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>",
            ))
    fig.update_layout(title=dict(text=title), height=330, hovermode="x unified", **_LAYOUT)
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return fig


def weight_histogram(final: np.ndarray, weight_decays, title: str) -> go.Figure:
    """Distribution of each run's final weights (all decayed tensors together), one colour per wd."""
    fig = go.Figure([
        go.Histogram(x=final[i].ravel(), name=f"wd={wd:g}", opacity=0.6, marker_color=run_color(i), nbinsx=40)
        for i, wd in enumerate(weight_decays)
    ])
    fig.update_layout(title=dict(text=title), barmode="overlay", height=300, **_LAYOUT)
    fig.update_xaxes(title_text="weight value")
    fig.update_yaxes(title_text="count")
    return fig


def schedule(lr_factor: np.ndarray, lr: float, weight_decays) -> go.Figure:
    """lr_t and the per-step decay lr_t * wd it implies (what torch's SGD and AdamW shrink by)."""
    lr_t = lr * lr_factor
    fig = go.Figure([go.Scatter(y=lr_t, mode="lines", name="lr_t", line=dict(color=NEUTRAL_COLOR, width=2))])
    for i, wd in enumerate(weight_decays):
        fig.add_trace(go.Scatter(y=lr_t * wd, mode="lines", name=f"lr_t·wd, wd={wd:g}",
                                 line=dict(color=run_color(i), dash="dash")))
    fig.update_layout(title=dict(text="Learning rate and the decay it applies per step"), height=300,
                      hovermode="x unified", **_LAYOUT)
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="per step", type="log" if (lr_t > 0).all() else "linear")
    return fig


def boundary(xs: np.ndarray, ys: np.ndarray, probs: np.ndarray, points: np.ndarray, labels: np.ndarray,
             title: str) -> go.Figure:
    """P(class 1) as a diverging map centred at 0.5, with the training points on top."""
    fig = go.Figure([
        go.Heatmap(x=xs, y=ys, z=probs, zmin=0, zmax=1, zmid=0.5, colorscale=DIVERGING, showscale=False,
                   hovertemplate="x=%{x:.2f}, y=%{y:.2f}: P(1)=%{z:.3f}<extra></extra>"),
        go.Contour(x=xs, y=ys, z=probs, contours=dict(start=0.5, end=0.5, coloring="none"), showscale=False,
                   line=dict(color=NEUTRAL_COLOR, width=2), hoverinfo="skip"),
        go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", hoverinfo="skip",
                   marker=dict(color=labels.ravel(), colorscale=DIVERGING, cmin=0, cmax=1, size=6,
                               line=dict(color=NEUTRAL_COLOR, width=0.5))),
    ])
    fig.update_layout(title=dict(text=title), height=300, showlegend=False, **_LAYOUT)
    fig.update_xaxes(title_text="x₁", range=[xs[0], xs[-1]])
    fig.update_yaxes(title_text="x₂", range=[ys[0], ys[-1]], scaleanchor="x")
    return fig


DIVERGED_COLOR = "#7f7f7f"


def sweep_heatmap(lrs: np.ndarray, weight_decays: np.ndarray, values: np.ndarray, diverged: np.ndarray,
                  best: tuple[int, int] | None, title: str, value_name: str, zrange: tuple[float, float],
                  chosen: tuple[int, int] | None = None) -> go.Figure:
    """Final values over the lr x wd grid on log axes, coloured by log10 on a shared range;
    diverged cells grey with an x, the best cell a star, the chosen cell a square."""
    x, y = np.log10(lrs), np.log10(weight_decays)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(values)
    traces = [
        go.Heatmap(x=x, y=y, z=z, zmin=zrange[0], zmax=zrange[1], colorscale=SEQUENTIAL, customdata=values,
                   colorbar=dict(title=dict(text="log10"), thickness=12),
                   hovertemplate=f"lr=10^%{{x:.2f}}, wd=10^%{{y:.2f}}<br>{value_name} = %{{customdata:.6g}}"
                                 "<extra></extra>"),
        go.Heatmap(x=x, y=y, z=np.where(diverged, 1.0, np.nan), zmin=0, zmax=1, showscale=False,
                   colorscale=[[0, DIVERGED_COLOR], [1, DIVERGED_COLOR]],
                   hovertemplate="lr=10^%{x:.2f}, wd=10^%{y:.2f}<br>diverged<extra></extra>"),
    ]
    rows, cols = np.nonzero(diverged)
    traces.append(go.Scatter(x=x[cols], y=y[rows], mode="markers", hoverinfo="skip", showlegend=False,
                             marker=dict(symbol="x-thin", size=7, line=dict(color="white", width=1.5))))
    for cell, symbol, name in ((best, "star", "best"), (chosen, "square-open", "chosen")):
        if cell is not None:
            traces.append(go.Scatter(x=[x[cell[1]]], y=[y[cell[0]]], mode="markers", name=name, showlegend=False,
                                     marker=dict(symbol=symbol, size=16, color="white",
                                                 line=dict(color=NEUTRAL_COLOR, width=2)),
                                     hovertemplate=f"{name}<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_layout(title=dict(text=title), height=340, **_LAYOUT)
    ticks = dict(tickmode="array", tickvals=np.arange(np.floor(x.min()), np.ceil(x.max()) + 1))
    fig.update_xaxes(title_text="learning rate (log10)", **ticks)
    fig.update_yaxes(title_text="weight decay (log10)",
                     tickmode="array", tickvals=np.arange(np.floor(y.min()), np.ceil(y.max()) + 1))
    return fig


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy readable from the back of a lecture hall at 1920x1080: bigger text, cell
    annotations and lines, taller plots."""
    fig = go.Figure(fig)
    fig.update_layout(template="plotly_white", font=dict(size=20, color="#000000"), title_font_size=24,
                      hoverlabel=dict(font_size=20), legend=dict(font=dict(size=18)),
                      height=int((fig.layout.height or 300) * 1.35))
    fig.update_traces(textfont_size=22, selector=dict(type="heatmap"))
    fig.update_traces(line_width=4, selector=dict(type="scatter", mode="lines"))
    fig.update_xaxes(title_font_size=22, tickfont_size=18)
    fig.update_yaxes(title_font_size=22, tickfont_size=18)
    return fig


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
    limit = symmetric_limit(frames)
    steps = [int(s) for s in steps]
    fig = matrix_heatmap(frames[start], title, limit, name=name)
    fig.frames = [go.Frame(data=[go.Heatmap(z=f)], name=str(s)) for f, s in zip(frames, steps, strict=True)]
    play = dict(frame=dict(duration=250, redraw=True), fromcurrent=True, transition=dict(duration=0))
    fig.update_layout(
        height=360,
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.18, xanchor="left", yanchor="top",
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False))])])],
        sliders=[dict(active=start, x=0.2, len=0.8, y=-0.12, currentvalue=dict(prefix="step "),
                      steps=[dict(label=str(s), method="animate",
                                  args=[[str(s)], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                             for s in steps])],
        margin=dict(l=10, r=10, t=40, b=90),
    )
    return fig


def lines(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str,
          log_y: bool = False) -> go.Figure:
    """Named (x, y) curves, one colour each from the colourblind-safe palette."""
    fig = go.Figure([go.Scatter(x=x, y=y, mode="lines", name=name, line=dict(color=run_color(i), width=2),
                                hovertemplate=f"{name}<br>%{{x}}: %{{y:.6g}}<extra></extra>")
                     for i, (name, (x, y)) in enumerate(series.items())])
    fig.update_layout(title=dict(text=title), height=330, hovermode="x unified", **_LAYOUT)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return fig
