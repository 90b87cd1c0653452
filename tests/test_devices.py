"""core.devices: what this machine can run, and clear errors for what it cannot."""

import pytest
import torch

from core import devices
from core.devices import DeviceUnavailableError, available_devices, resolve_device, resolve_dtype


def test_available_devices_start_with_cpu():
    """cpu is always there, and first, so it is the page's default."""
    assert available_devices()[0] == "cpu"


def test_cpu_resolves_for_both_dtypes():
    assert resolve_device("cpu", "float64") == resolve_device("cpu", "float32") == torch.device("cpu")


def test_device_unavailable_error_is_a_value_error():
    """Callers catching ValueError for bad input also catch a missing device."""
    assert issubclass(DeviceUnavailableError, ValueError)


@pytest.mark.parametrize("name", ["cuda", "cuda:0"])
def test_cuda_raises_when_torch_has_no_cuda(name, monkeypatch):
    """Asking for cuda on a machine without it names the device and lists what is available."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailableError, match=rf"'{name}' is not available.*'cpu'"):
        resolve_device(name)


def test_unknown_device_raises_listing_devices():
    with pytest.raises(DeviceUnavailableError, match=r"Unknown device 'tpu'.*\['cpu'"):
        resolve_device("tpu")


def test_mps_with_float64_raises_but_float32_resolves(monkeypatch):
    """mps has no float64: the error says to choose float32, which does resolve."""
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert "mps" in devices.available_devices()
    with pytest.raises(DeviceUnavailableError, match="float32"):
        resolve_device("mps", "float64")
    assert resolve_device("mps", "float32") == torch.device("mps")


@pytest.mark.parametrize(("name", "dtype"), [("float64", torch.float64), ("float32", torch.float32)])
def test_resolve_dtype(name, dtype):
    assert resolve_dtype(name) is dtype


def test_unknown_dtype_raises_listing_dtypes():
    with pytest.raises(ValueError, match=r"'float16'.*float32.*float64"):
        resolve_dtype("float16")


def test_training_pages_use_float32_on_mps(monkeypatch):
    """mps has no float64: the training and sweep pages ask for float32 there."""
    from ui import device

    monkeypatch.setattr(device, "current_device", lambda: "mps")
    assert device.training_dtype() == "float32"
    monkeypatch.setattr(device, "current_device", lambda: "cpu")
    assert device.training_dtype() == "float64"
