"""Uploads crafted as issue 11's attacker made them, each small on disk and cheap to make:
a zip-bomb .pt, a safetensors file with thousands of tensors, a .pt of stride-0 giants.
benchmarks/abuse.py uploads them; tests may use them too."""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from pathlib import Path

import torch
from safetensors.torch import save_file


def zip_bomb_pt(path: Path, numel: int) -> Path:
    """A torch .pt (a zip) whose one float32 tensor of numel zeros is deflated ~1000:1. The
    pickle is written directly, as torch.save would write it, so the bomb never exists in memory."""
    storage = object()

    class Tensor:
        def __reduce__(self):
            return torch._utils._rebuild_tensor_v2, (storage, 0, (numel,), (1,), False, collections.OrderedDict())

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", torch.FloatStorage, "0", "cpu", numel) if obj is storage else None

    pkl = io.BytesIO()
    Pickler(pkl, protocol=2).dump({"weight": Tensor()})
    zeros = bytes(2**20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("archive/data.pkl", pkl.getvalue())
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")
        with z.open("archive/data/0", "w", force_zip64=True) as f:
            for start in range(0, numel * 4, len(zeros)):
                f.write(zeros[:min(len(zeros), numel * 4 - start)])
    return path


def many_tensors_safetensors(path: Path, count: int) -> Path:
    save_file({f"layer{i}.weight": torch.zeros(1) for i in range(count)}, str(path))
    return path


def stride0_pt(path: Path) -> Path:
    huge = torch.zeros(1).expand(2**31, 2**31)  # 2^62 elements, one number stored
    torch.save({f"w{i}": huge for i in range(4)} | {"b": torch.zeros(3)}, str(path))
    return path
