"""Every chart goes through show(): presentation mode enlarges it, and the toolbar's camera
button exports it as PNG or SVG (the sidebar's choice)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from core.figures import for_projector


def show(where, fig: go.Figure, key: str) -> None:
    if st.session_state.get("present"):
        fig = for_projector(fig)
    where.plotly_chart(fig, key=key, config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": st.session_state.get("export_format", "png"), "filename": key,
                                 "scale": 2},
    })
