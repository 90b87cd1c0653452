"""Load an uploaded checkpoint as a flat {name: tensor} dict, safely, or say clearly why not.

.safetensors holds tensors only. .pt/.pth/.bin go through torch.load(weights_only=True),
which refuses any pickle that would build other objects or run code: we never fall back
to full unpickling.
"""

from __future__ import annotations

import io
import pickle
import re
from pathlib import PurePath

import torch

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # matches server.maxUploadSize; enforced here too
SUFFIXES = (".safetensors", ".pt", ".pth", ".bin")
WRAPPERS = ("state_dict", "model", "model_state_dict", "module", "ema")  # common nestings, tried in order


class CheckpointError(ValueError):
    """An upload that cannot be read as weights; the message is meant for the user."""


def load_state_dict(data: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, torch.Tensor]:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise CheckpointError(f"{filename}: expected one of {', '.join(SUFFIXES)}")
    if len(data) == 0:
        raise CheckpointError(f"{filename} is empty")
    if len(data) > max_bytes:
        raise CheckpointError(f"{filename} is {len(data):,} bytes; the limit is {max_bytes:,} bytes "
                              f"({max_bytes / 2**20:.3g} MB)")
    raw = _load_safetensors(data, filename) if suffix == ".safetensors" else _load_pickle(data, filename)
    return _flatten(_unwrap(raw, filename), filename)


def _natural_key(name: str) -> list:
    """layer2 before layer10: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _load_safetensors(data: bytes, filename: str) -> dict:
    """safetensors keeps no insertion order (load() returns a different one each call), so
    names are sorted naturally for a stable table."""
    from safetensors.torch import load

    try:
        tensors = load(data)
    except Exception as err:  # safetensors raises its own SafetensorError for any malformed header
        raise CheckpointError(f"{filename} is not a valid safetensors file ({err})") from None
    return {name: tensors[name] for name in sorted(tensors, key=_natural_key)}


def _load_pickle(data: bytes, filename: str) -> object:
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        if "Unsupported global" in str(err):  # the pickle names a callable: a class, or exec itself
            raise CheckpointError(
                f"{filename} was refused: it holds Python objects other than tensors and plain containers, "
                "which could run code when unpickled. Only weights_only=True loading is allowed."
            ) from None
        raise CheckpointError(f"{filename} is corrupt or not a PyTorch checkpoint") from None
    except Exception as err:
        raise CheckpointError(f"{filename} could not be read as a PyTorch checkpoint ({type(err).__name__})") from None


def _unwrap(raw: object, filename: str) -> dict:
    """{"state_dict": {...}} and friends, as Lightning, timm and training scripts save them.
    Bounded: a dict that contains itself must not loop forever."""
    for _ in range(len(WRAPPERS) * 2):
        if not isinstance(raw, dict) or any(isinstance(v, torch.Tensor) for v in raw.values()):
            break
        inner = next((raw[k] for k in WRAPPERS if isinstance(raw.get(k), dict) and raw[k] is not raw), None)
        if inner is None:
            break
        raw = inner
    if not isinstance(raw, dict):
        raise CheckpointError(f"{filename} holds {type(raw).__name__} data, not a state dict of named tensors")
    return raw


def _flatten(state: dict, filename: str) -> dict[str, torch.Tensor]:
    tensors = {str(k): v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise CheckpointError(f"{filename} holds no tensors")
    return tensors
