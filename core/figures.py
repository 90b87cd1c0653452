"""Plotly figure builders: plain functions from arrays to figures, no streamlit.

One diverging scale (ColorBrewer RdBu, colorblind-safe) centred at 0 for signed
matrices, one sequential scale for magnitudes, and Okabe-Ito colours for lines, so every
page reads the same way.

Figures are built from plain dicts and wrapped without plotly's per-property validation:
validating costs about 5 ms a figure, most of a rerun's budget on a page with ten charts.
tests/test_figures.py validates every builder's output instead (go.Figure(fig.to_dict())).
"""

from __future__ import annotations

import numpy as np
import plotly.colors
import plotly.graph_objects as go

# Explicit colour lists, not names: plotly.js knows "RdBu" but not plotly.py's reversed
# "RdBu_r", and without validation nothing would translate the name.
DIVERGING = plotly.colors.get_colorscale("RdBu_r")  # negative blue, positive red, white at 0
SEQUENTIAL = plotly.colors.get_colorscale("Viridis")
GRADIENT_COLOR = "#0072B2"  # Okabe-Ito blue
DECAY_COLOR = "#E69F00"  # Okabe-Ito orange
NEUTRAL_COLOR = "#000000"
DIVERGED_COLOR = "#7f7f7f"
RUN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")  # Okabe-Ito
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, **extra}


def _figure(data: list[dict], height: int, x: dict, y: dict, title: str | None = None, **layout) -> go.Figure:
    """One go.Figure from plain dicts, unvalidated (see the module docstring)."""
    spec = {"margin": dict(l=10, r=10, t=40, b=10), "font": dict(size=14), "height": height, "xaxis": x, "yaxis": y,
            **layout}
    if title is not None:
        spec["title"] = {"text": title}
    return go.Figure({"data": data, "layout": spec}, _validate=False)


def run_color(i: int) -> str:
    return RUN_COLORS[i % len(RUN_COLORS)]


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The largest finite |value| over arrays that share one colour scale (at least 1e-12,
    so an all-zero matrix still gets a valid scale)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    finite = np.abs(values[np.isfinite(values)])
    return float(max(finite.max() if finite.size else 0.0, 1e-12))


def _heatmap_trace(values: np.ndarray, limit: float, fmt: str, name: str) -> dict:
    rows, cols = values.shape
    return dict(type="heatmap", z=values, x=[str(j) for j in range(cols)], y=[str(i) for i in range(rows)],
                zmin=-limit, zmax=limit, zmid=0.0, colorscale=DIVERGING, texttemplate=f"%{{z:{fmt}}}",
                textfont=dict(size=13), hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.8g}}<extra></extra>",
                colorbar=dict(thickness=12))


def matrix_heatmap(values: np.ndarray, title: str, limit: float | None = None, fmt: str = ".4f",
                   name: str = "W") -> go.Figure:
    """A matrix as an annotated heatmap, row 0 on top, coloured on [-limit, limit]."""
    values = np.asarray(values, dtype=float)
    limit = symmetric_limit(values) if limit is None else limit
    return _figure([_heatmap_trace(values, limit, fmt, name)], 260, _axis("column", side="bottom"),
                   _axis("row", autorange="reversed"), title)


def change_split_bars(gradient_part: np.ndarray, decay_part: np.ndarray) -> go.Figure:
    """Each cell's step-1 change, stacked from its gradient part and its decay part."""
    labels = [f"({i},{j})" for i in range(gradient_part.shape[0]) for j in range(gradient_part.shape[1])]
    g, d = gradient_part.ravel(), decay_part.ravel()
    data = [
        dict(type="bar", x=labels, y=g, name="gradient part", marker=dict(color=GRADIENT_COLOR),
             hovertemplate="cell %{x}: %{y:.6g}<extra>gradient part</extra>"),
        dict(type="bar", x=labels, y=d, name="decay part", marker=dict(color=DECAY_COLOR),
             hovertemplate="cell %{x}: %{y:.6g}<extra>decay part</extra>"),
        dict(type="scatter", x=labels, y=g + d, name="total change", mode="markers",
             marker=dict(color=NEUTRAL_COLOR, symbol="line-ew-open", size=14, line=dict(width=2)),
             hovertemplate="cell %{x}: %{y:.6g}<extra>total</extra>"),
    ]
    return _figure(data, 320, _axis("cell (row, column)"), _axis("change in w after step 1"), barmode="relative",
                   legend=dict(orientation="h", y=1.12))


def norm_curve(norms: np.ndarray, norms_no_decay: np.ndarray, current: int, weight_decay: float) -> go.Figure:
    """||W_t||_F against step, with and without decay, a marker at the step being shown."""
    steps = np.arange(len(norms))
    data = [
        dict(type="scatter", x=steps, y=norms_no_decay, name="weight_decay = 0", mode="lines",
             line=dict(color=GRADIENT_COLOR, dash="dash")),
        dict(type="scatter", x=steps, y=norms, name=f"weight_decay = {weight_decay:g}", mode="lines",
             line=dict(color=DECAY_COLOR)),
        dict(type="scatter", x=[current], y=[norms[current]], name=f"step {current}", mode="markers",
             marker=dict(color=NEUTRAL_COLOR, size=11)),
    ]
    return _figure(data, 300, _axis("step t"), _axis("‖W_t‖_F (Frobenius norm)"), hovermode="x unified",
                   legend=dict(orientation="h", y=1.15))


def pure_decay_scatter(w_before: np.ndarray, adam_change: np.ndarray, adamw_change: np.ndarray,
                       lr: float, weight_decay: float) -> go.Figure:
    """|change| against |w| under zero gradient: Adam-L2 is flat near lr, AdamW a line lr*wd*|w|."""
    w = np.abs(w_before.ravel())
    order = np.argsort(w)
    data = [
        dict(type="scatter", x=w, y=np.abs(adam_change.ravel()), mode="markers", name="Adam(weight_decay): |Δw|",
             marker=dict(color=GRADIENT_COLOR, size=10, symbol="circle")),
        dict(type="scatter", x=w, y=np.abs(adamw_change.ravel()), mode="markers", name="AdamW: |Δw|",
             marker=dict(color=DECAY_COLOR, size=10, symbol="diamond")),
        dict(type="scatter", x=w[order], y=lr * weight_decay * w[order], mode="lines", name="lr·wd·|w|",
             line=dict(color=DECAY_COLOR, dash="dot")),
        dict(type="scatter", x=w[order], y=np.full(w.size, lr), mode="lines", name="lr",
             line=dict(color=GRADIENT_COLOR, dash="dot")),
    ]
    return _figure(data, 320, _axis("|w| before the step"), _axis("|change| in one step"),
                   legend=dict(orientation="h", y=1.18))


def curves(series: dict[str, np.ndarray], weight_decays, title: str, y_title: str, log_y: bool = False,
           overlays: dict[str, np.ndarray] | None = None) -> go.Figure:
    """Per-step curves: colour = weight decay, dash = series (a layer, or train/test).

    series maps a name to (G, T + 1); overlays maps a name to (G, T + 1) drawn as thin
    dotted black lines (a closed form to compare with)."""
    data = []
    for s, (name, values) in enumerate(series.items()):
        for i, wd in enumerate(weight_decays):
            data.append(dict(type="scatter", y=values[i], mode="lines", name=f"{name}, wd={wd:g}",
                             legendgroup=f"wd{i}", line=dict(color=run_color(i), dash=DASHES[s % len(DASHES)], width=2),
                             hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>"))
    for name, values in (overlays or {}).items():
        for i, wd in enumerate(weight_decays):
            data.append(dict(type="scatter", y=values[i], mode="lines", name=f"{name}, wd={wd:g}",
                             legendgroup=f"wd{i}", line=dict(color=NEUTRAL_COLOR, dash="dot", width=1),
                             hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>"))
    return _figure(data, 330, _axis("step"), _axis(y_title, type="log" if log_y else "linear"), title,
                   hovermode="x unified")


def weight_histogram(final: list[np.ndarray], weight_decays, title: str) -> go.Figure:
    """Distribution of each run's final weights (all decayed tensors together), one colour per wd."""
    data = [dict(type="histogram", x=final[i].ravel(), name=f"wd={wd:g}", opacity=0.6,
                 marker=dict(color=run_color(i)), nbinsx=40) for i, wd in enumerate(weight_decays)]
    return _figure(data, 300, _axis("weight value"), _axis("count"), title, barmode="overlay")


def schedule(lr_factor: np.ndarray, lr: float, weight_decays) -> go.Figure:
    """lr_t and the per-step decay lr_t * wd it implies (what torch's SGD and AdamW shrink by)."""
    lr_t = lr * lr_factor
    data = [dict(type="scatter", y=lr_t, mode="lines", name="lr_t", line=dict(color=NEUTRAL_COLOR, width=2))]
    data += [dict(type="scatter", y=lr_t * wd, mode="lines", name=f"lr_t·wd, wd={wd:g}",
                  line=dict(color=run_color(i), dash="dash")) for i, wd in enumerate(weight_decays)]
    return _figure(data, 300, _axis("step"), _axis("per step", type="log" if (lr_t > 0).all() else "linear"),
                   "Learning rate and the decay it applies per step", hovermode="x unified")


BOUNDARY_LEGEND = ("Background: the network's P(class 1), blue 0 → white 0.5 → red 1; dark line: P = 0.5, the "
                   "decision boundary; points: the training data, ● class 0 (blue), ◆ class 1 (red), "
                   "outlined in white.")


def boundary(xs: np.ndarray, ys: np.ndarray, probs: np.ndarray, points: np.ndarray, labels: np.ndarray,
             title: str) -> go.Figure:
    """P(class 1) as a diverging map centred at 0.5, with the training points on top: a symbol
    per class and a white outline, so a point never vanishes into a background of its colour."""
    cls = labels.ravel()
    data = [
        dict(type="heatmap", x=xs, y=ys, z=probs, zmin=0, zmax=1, zmid=0.5, colorscale=DIVERGING, showscale=False,
             hovertemplate="x=%{x:.2f}, y=%{y:.2f}: P(1)=%{z:.3f}<extra></extra>"),
        dict(type="contour", x=xs, y=ys, z=probs, contours=dict(start=0.5, end=0.5, coloring="none"),
             showscale=False, line=dict(color=NEUTRAL_COLOR, width=2), hoverinfo="skip"),
        *(dict(type="scatter", x=points[cls == c, 0], y=points[cls == c, 1], mode="markers", hoverinfo="skip",
               name=f"class {c}", marker=dict(color=DIVERGING[-1 if c else 0][1], symbol=symbol, size=7,
                                              line=dict(color="#ffffff", width=1.5)))
          for c, symbol in ((0, "circle"), (1, "diamond"))),
    ]
    return _figure(data, 300, _axis("x₁", range=[xs[0], xs[-1]]),
                   _axis("x₂", range=[ys[0], ys[-1]], scaleanchor="x"), title, showlegend=False)


def sweep_heatmap(lrs: np.ndarray, weight_decays: np.ndarray, values: np.ndarray, diverged: np.ndarray,
                  best: tuple[int, int] | None, title: str, value_name: str, zrange: tuple[float, float],
                  chosen: tuple[int, int] | None = None, ridge=None) -> go.Figure:
    """Final values over the lr x wd grid on log axes, coloured by log10 on a shared range;
    diverged cells grey with an x, the best cell a star, the chosen cell a square; with a
    core.sweep_claims.Ridge, each column's best wd as a dot and the fitted line dashed."""
    x, y = np.log10(lrs), np.log10(weight_decays)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(values)
    rows, cols = np.nonzero(diverged)
    data = [
        dict(type="heatmap", x=x, y=y, z=z, zmin=zrange[0], zmax=zrange[1], colorscale=SEQUENTIAL, customdata=values,
             colorbar=dict(title=dict(text="log10"), thickness=12),
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
        """Integer powers of ten, and the range pinned to the cells so the ridge line cannot widen it."""
        half = (v[-1] - v[0]) / (2 * max(len(v) - 1, 1))
        return dict(tickmode="array", tickvals=np.arange(np.floor(v.min()), np.ceil(v.max()) + 1),
                    range=[v[0] - half, v[-1] + half])

    return _figure(data, 340, _axis("learning rate (log10)", **ticks(x)), _axis("weight decay (log10)", **ticks(y)),
                   title)


def lines(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str,
          log_y: bool = False) -> go.Figure:
    """Named (x, y) curves, one colour each from the colourblind-safe palette."""
    data = [dict(type="scatter", x=x, y=y, mode="lines", name=name, line=dict(color=run_color(i), width=2),
                 hovertemplate=f"{name}<br>%{{x}}: %{{y:.6g}}<extra></extra>")
            for i, (name, (x, y)) in enumerate(series.items())]
    return _figure(data, 330, _axis(x_title), _axis(y_title, type="log" if log_y else "linear"), title,
                   hovermode="x unified")


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
    limit = symmetric_limit(frames)
    steps = [int(s) for s in steps]
    play = dict(frame=dict(duration=250, redraw=True), fromcurrent=True, transition=dict(duration=0))
    pause = dict(mode="immediate", frame=dict(duration=0, redraw=False))
    spec = {
        "data": [_heatmap_trace(frames[start], limit, ".4f", name)],
        "frames": [{"data": [{"type": "heatmap", "z": f}], "name": str(s)} for f, s in zip(frames, steps,
                                                                                         strict=True)],
        "layout": {
            "title": {"text": title}, "height": 360, "font": dict(size=14), "margin": dict(l=10, r=10, t=40, b=90),
            "xaxis": _axis("column", side="bottom"), "yaxis": _axis("row", autorange="reversed"),
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


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy readable from the back of a lecture hall at 1920x1080: bigger text, cell
    annotations and lines, taller plots."""
    spec = fig.to_dict()
    layout = spec["layout"]
    margin = layout.get("margin", {})
    layout.update(template="plotly_white", font=dict(size=20, color="#000000"), hoverlabel=dict(font=dict(size=20)),
                  margin={**margin, "l": 90, "r": 20, "t": 60, "b": max(margin.get("b", 0), 80)},
                  legend={**layout.get("legend", {}), "font": dict(size=18)},
                  height=int((layout.get("height") or 300) * 1.35))
    layout.setdefault("title", {})["font"] = dict(size=24)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**layout.get(axis, {}), "tickfont": dict(size=18), "automargin": True}
        layout[axis].setdefault("title", {})["font"] = dict(size=22)
    for trace in spec["data"]:
        if trace.get("type") == "heatmap":
            trace["textfont"] = dict(size=18)  # 22 made neighbouring negative numbers touch at 1920 px
        if trace.get("type") == "scatter" and trace.get("mode") == "lines":
            trace["line"] = {**trace.get("line", {}), "width": 4}
    return go.Figure(spec, _validate=False)
