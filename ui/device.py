"""The sidebar device picker shared by every page; pages read the choice with current_device()."""

from __future__ import annotations

import streamlit as st

from core.devices import available_devices
from core.schema import Field
from ui.state import bind, sync_query

DEVICE = (Field("device", "cpu", choices=tuple(available_devices())),)


def device_picker() -> None:
    bind(DEVICE)
    st.sidebar.selectbox(
        "Device", available_devices(), key="device",
        help="Where tensors live and steps run. Only devices this server has are listed.",
    )
    sync_query(DEVICE)


def current_device() -> str:
    return st.session_state.get("device", "cpu")


def training_dtype() -> str:
    """float64 for exact comparisons with torch.optim, float32 on mps, which has no float64."""
    return "float32" if current_device().startswith("mps") else "float64"
