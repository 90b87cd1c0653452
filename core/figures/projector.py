"""A copy of any figure readable from the back of a lecture hall."""

from __future__ import annotations

import plotly.graph_objects as go

# Plots grow by this factor in presentation mode: the text grows more than the plots, and a 1280x720
# projector's first screen must still hold a whole chart (1.35 put Training's first row past it).
TALLER = 1.1


def projector_spec(spec: dict) -> dict:
    """spec (a figure as plotly's to_dict gives it) made readable from the back of a lecture hall at
    1920x1080, in place: bigger text, thicker lines, taller plots. Heatmap numbers are sized afterwards
    from their cells (core.figures.fit), and the axes push their own margins (automargin) instead of a
    fixed 90 px that squeezed narrow charts."""
    layout = spec["layout"]
    margin = layout.get("margin", {})
    layout.update(font=dict(size=20, color="#000000"), hoverlabel=dict(font=dict(size=20)),
                  margin={**margin, "l": max(margin.get("l", 0), 10), "r": 20, "t": max(margin.get("t", 0), 56),
                          "b": max(margin.get("b", 0), 20)},
                  legend={**layout.get("legend", {}), "font": dict(size=18)},
                  height=int((layout.get("height") or 300) * TALLER))
    layout.setdefault("title", {})["font"] = dict(size=22)
    for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]:
        layout[axis] = {**layout.get(axis, {}), "tickfont": dict(size=18), "automargin": True}
        layout[axis].setdefault("title", {})["font"] = dict(size=22)
    for trace in spec["data"]:
        if trace.get("type") == "scatter" and trace.get("mode") == "lines":
            trace["line"] = {**trace.get("line", {}), "width": 4}
    return spec


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy of fig for a projector (projector_spec)."""
    return go.Figure(projector_spec(fig.to_dict()), _validate=False)
