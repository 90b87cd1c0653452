"""The sidebar device picker shared by every page; pages read the choice with current_device()."""

from __future__ import annotations

import streamlit as st

from core.devices import available_devices, dtypes_for
from core.schema import Field
from ui import widgets
from ui.state import PageState, value


def device_fields() -> tuple[Field, ...]:
    """Declared when the app runs, so the choices are the devices this server has now."""
    return (Field("device", "cpu", choices=tuple(available_devices()), label="Device",
                  help="Where tensors live and steps run. Only devices this server has are listed."),)


def device_picker(shared: PageState) -> None:
    widgets.select(shared, "device", where=st.sidebar)


def current_device() -> str:
    return value("app", "device", "cpu")


def training_dtype() -> str:
    """The device's preferred dtype (core.devices.dtypes_for): float64, float32 on mps."""
    return dtypes_for(current_device())[0]
