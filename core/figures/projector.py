"""A copy of any figure readable from the back of a lecture hall."""

from __future__ import annotations

import plotly.graph_objects as go


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
