"""Curves against the step, bars and histograms: one colour per weight decay."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import (
    DECAY_COLOR,
    GRADIENT_COLOR,
    NEUTRAL_COLOR,
    _axis,
    _figure,
    _value_axis,
    run_color,
    series_dash,
    wd_color,
)


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
             line=dict(color=wd_color(0), dash="dash")),
        dict(type="scatter", x=steps, y=norms, name=f"weight_decay = {weight_decay:g}", mode="lines",
             line=dict(color=wd_color(weight_decay), width=3)),
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
    """Per-step curves: colour = weight decay (wd_color), dash = series (a layer, or train/test).

    series maps a name to (G, T + 1); overlays maps a name to (G, T + 1) drawn as thin
    dotted black lines (a closed form to compare with). No legend: the charts of a row share
    one (core.figures.legend), which a legend per chart squeezed out of narrow columns."""
    data = []
    for s, (name, values) in enumerate(series.items()):
        for i, wd in enumerate(weight_decays):
            data.append(dict(type="scatter", y=values[i], mode="lines", name=f"{name}, wd={wd:g}",
                             legendgroup=f"wd{i}", line=dict(color=wd_color(wd), dash=series_dash(s), width=2),
                             hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>"))
    for name, values in (overlays or {}).items():
        for i, wd in enumerate(weight_decays):
            data.append(dict(type="scatter", y=values[i], mode="lines", name=f"{name}, wd={wd:g}",
                             legendgroup=f"wd{i}", line=dict(color=NEUTRAL_COLOR, dash="dot", width=1),
                             hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>"))
    return _figure(data, 330, _axis("step"), _axis(y_title, log=log_y), title,
                   hovermode="x unified", showlegend=False)


def weight_histogram(final: list[np.ndarray], weight_decays, title: str) -> go.Figure:
    """Distribution of each run's final weights (all decayed tensors together), one colour per wd;
    no legend of its own (the row's shared legend)."""
    data = [dict(type="histogram", x=final[i].ravel(), name=f"wd={wd:g}", opacity=0.6,
                 marker=dict(color=wd_color(wd)), nbinsx=40) for i, wd in enumerate(weight_decays)]
    return _figure(data, 300, _axis("weight value"), _axis("count"), title, barmode="overlay", showlegend=False)


def schedule(lr_factor: np.ndarray, lr: float, weight_decays) -> go.Figure:
    """lr_t and the per-step decay lr_t * wd it implies (what torch's SGD and AdamW shrink by)."""
    lr_t = lr * lr_factor
    log = bool((lr_t > 0).all())
    data = [dict(type="scatter", y=lr_t * wd, mode="lines", name=f"lr_t·wd, wd={wd:g}",
                 line=dict(color=wd_color(wd), dash="dash", width=2))
            for wd in weight_decays if wd > 0 or not log]  # 0 has no place on a log axis
    # lr_t last and dotted on top: with wd = 1 its line is the same curve and would hide under it
    data.append(dict(type="scatter", y=lr_t, mode="lines", name="lr_t", line=dict(color=NEUTRAL_COLOR, width=3,
                                                                                  dash="dot")))
    return _figure(data, 300, _axis("step"), _axis("per step", log=log),
                   "Learning rate and the decay it applies per step", hovermode="x unified")


def lines(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str,
          log_y: bool = False) -> go.Figure:
    """Named (x, y) curves, one colour each from the colourblind-safe palette."""
    data = [dict(type="scatter", x=x, y=y, mode="lines", name=name, line=dict(color=run_color(i), width=2),
                 hovertemplate=f"{name}<br>%{{x}}: %{{y:.6g}}<extra></extra>")
            for i, (name, (x, y)) in enumerate(series.items())]
    return _figure(data, 330, _axis(x_title), _value_axis(y_title, log_y, [y for _, y in series.values()]), title,
                   hovermode="x unified")


def against_predictions(series: dict[str, tuple[np.ndarray, np.ndarray]], predicted: dict[str, float], title: str,
                        x_title: str, y_title: str, log_y: bool = False) -> go.Figure:
    """Named measured curves, each colour solid, and for each name in predicted a dotted level line
    in that curve's colour across the same steps (in the hover, not the legend: the caption says
    what dotted means). The legend sits below, across the chart's width."""
    data = []
    for i, (name, (x, y)) in enumerate(series.items()):
        data.append(dict(type="scatter", x=x, y=y, mode="lines", name=name, legendgroup=name,
                         line=dict(color=run_color(i), width=2),
                         hovertemplate=f"{name}<br>%{{x}}: %{{y:.6g}}<extra></extra>"))
        if name in predicted:
            ends = [x[0], x[-1]] if len(x) else []
            data.append(dict(type="scatter", x=ends, y=[predicted[name]] * len(ends), mode="lines",
                             name=f"{name}: predicted", legendgroup=name, showlegend=False,
                             line=dict(color=run_color(i), dash="dot", width=2),
                             hovertemplate=f"{name}, predicted: %{{y:.6g}}<extra></extra>"))
    y_axis = _value_axis(y_title, log_y, [y for _, y in series.values()] + [list(predicted.values())])
    return _figure(data, 400, _axis(x_title), y_axis, title,
                   legend=dict(orientation="h", yref="container", yanchor="bottom", y=0))  # below the x title


def live_norms(decayed_norms, names, weight_decays, step: int, total: int) -> go.Figure:
    """A run as it trains: the norm of the decayed weights of every run so far, one colour per
    weight decay, one dash per optimizer (names), its x axis already as long as the whole run so
    the curves grow into it. decayed_norms: per optimizer, (runs, step + 1)."""
    data = [dict(type="scatter", y=values[i], mode="lines", name=f"{name}, wd={wd:g}",
                 line=dict(color=wd_color(wd), dash=series_dash(k), width=2),
                 hovertemplate=f"{name}, wd={wd:g}<br>step %{{x}}: %{{y:.6g}}<extra></extra>")
            for k, (name, values) in enumerate(zip(names, decayed_norms, strict=True))
            for i, wd in enumerate(weight_decays)]
    return _figure(data, 330, _axis("step", range=[0, total]), _axis("‖W‖ (decayed tensors)", log=True),
                   f"Training: step {step} of {total}", showlegend=False, uirevision="live")
