"""Which torch devices this machine has, and a clear error for one it lacks.

torch's own error for a missing device surfaces deep inside a kernel call; checking
first lets the page say "cuda is not available here" and offer what is.
"""

from __future__ import annotations

import torch

from core.registry import lookup

DTYPES = {"float64": torch.float64, "float32": torch.float32}


class DeviceUnavailableError(ValueError):
    """Asked for a device (or device/dtype pair) this machine cannot run."""


def available_devices() -> list[str]:
    """cpu always; cuda and mps only when torch can use them."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def dtypes_for(device: str) -> tuple[str, ...]:
    """The dtypes a device runs, the preferred first: float64 for exact comparisons with
    torch.optim, except on mps, which has no float64. Pages offer exactly these."""
    return ("float32",) if str(device).split(":")[0] == "mps" else ("float64", "float32")


def resolve_device(name: str, dtype: str = "float32") -> torch.device:
    """The torch.device for a name from available_devices(), checked against the dtype."""
    kind = str(name).split(":")[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise DeviceUnavailableError(f"Unknown device {name!r}; choose one of {available_devices()}")
    if kind not in available_devices():
        raise DeviceUnavailableError(
            f"Device {name!r} is not available on this machine; available: {available_devices()}"
        )
    if dtype not in dtypes_for(kind):
        raise DeviceUnavailableError("The mps device has no float64; choose float32 for mps")
    return torch.device(name)


def resolve_dtype(name: str) -> torch.dtype:
    return lookup(DTYPES, name, "dtype")
