"""A scatter of named point sets on a log x axis, with horizontal reference levels: one value per
item (an embedding row's norm against its token's frequency), where a line through the points
would suggest an order between neighbours that is not there."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import NEUTRAL_COLOR, _axis, _figure, run_color, series_dash


def points(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str,
           levels: dict[str, float] | None = None, log_x: bool = True) -> go.Figure:
    """Named (x, y) point sets, one colour each, and each level a dashed line across the x range."""
    data = [dict(type="scatter", x=x, y=y, mode="markers", name=name,
                 marker=dict(color=run_color(i), size=6, opacity=0.8),
                 hovertemplate=f"{name}<br>%{{x:.3g}}: %{{y:.4g}}<extra></extra>")
            for i, (name, (x, y)) in enumerate(series.items())]
    xs = [np.asarray(x, dtype=float) for x, _ in series.values()]
    span = (min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)) if xs else (1.0, 10.0)
    for k, (name, level) in enumerate((levels or {}).items()):
        data.append(dict(type="scatter", x=list(span), y=[level, level], mode="lines", name=name,
                         line=dict(color=NEUTRAL_COLOR, dash=series_dash(k + 1), width=1.5),
                         hovertemplate=f"{name}: {level:.4g}<extra></extra>"))
    return _figure(data, 360, _axis(x_title, log=log_x), _axis(y_title), title)
