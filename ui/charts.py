"""Every chart goes through show(): presentation mode enlarges it, and the toolbar's camera
button exports it as PNG or SVG (the sidebar's choice)."""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures import for_projector
from ui.state import value


def show(where, fig: go.Figure, key: str) -> None:
    present = bool(value("app", "present"))
    if present:
        fig = for_projector(fig)
    # Streamlit's chart theme overrides layout fonts; a projector copy brings its own template.
    where.plotly_chart(fig, key=key, theme=None if present else "streamlit", config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": value("app", "export_format", "png"), "filename": key,
                                 "scale": 2},
    })
