"""Uploads for the checkpoint tests: real ones, and hand-made ones that attack the reader."""

from __future__ import annotations

import collections
import io
import json
import pickle
import zipfile

import torch

from core.params.checkpoints import TensorSpec


def small_state_dict() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {
        "fc.weight": torch.randn(3, 4, generator=gen),
        "fc.bias": torch.randn(3, generator=gen),
        "bn.num_batches_tracked": torch.tensor(7),
        "emb.weight": torch.randn(5, 2, generator=gen).to(torch.bfloat16),
    }


def specs_of(state: dict[str, torch.Tensor]) -> dict[str, TensorSpec]:
    """What read_checkpoint should report for a state dict: shapes and dtypes, in order."""
    return {name: TensorSpec(tuple(t.shape), str(t.dtype).removeprefix("torch.")) for name, t in state.items()}


def torch_bytes(obj, **kwargs) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def zip_bytes(records: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in records.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def safetensors_header_only(count: int, name: str = "blocks.{}.weight") -> bytes:
    """A valid .safetensors file of count empty float32 tensors: all header, no data."""
    header = {name.format(i): {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(count)}
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw


# A data.pkl written the way torch.save writes one, for storages that need not exist in memory.

class Storage:
    """Pickled as torch.save's persistent id of a float32 storage of numel elements."""

    def __init__(self, numel: int, key: str = "0"):
        self.pid = ("storage", torch.FloatStorage, key, "cpu", numel)


SIZE, STRIDE, HOOKS = (1,), (1,), collections.OrderedDict()  # shared, so the pickle memoizes them


class Tensor:
    """Pickled as torch.save pickles a tensor: a call to torch._utils._rebuild_tensor_v2."""

    def __init__(self, storage: Storage, size: tuple[int, ...] = SIZE, stride: tuple[int, ...] = STRIDE):
        self.storage, self.size, self.stride = storage, size, stride

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, (self.storage, 0, self.size, self.stride, False, HOOKS)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, Storage) else None


def data_pkl(obj) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def archive_around(pickled: bytes, storages: dict[str, bytes] | None = None) -> bytes:
    """A torch.save-style archive around a hand-made data.pkl."""
    records = {"archive/data.pkl": pickled, "archive/version": b"3\n", "archive/byteorder": b"little"}
    records.update({f"archive/data/{key}": content for key, content in (storages or {"0": bytes(4)}).items()})
    return zip_bytes(records)


def deflate_bomb(unpacked_bytes: int) -> bytes:
    """A torch.save checkpoint of one float32 tensor of zeros, recompressed with deflate: unpacked_bytes
    of tensor data in about unpacked_bytes / 1000 of upload. Before this module's fix, torch.load
    decompressed all of it."""
    numel = unpacked_bytes // 4
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", data_pkl({"w": Tensor(Storage(numel), (numel,), (1,))}))
        archive.writestr("archive/version", "3\n")
        archive.writestr("archive/byteorder", "little")
        with archive.open("archive/data/0", "w", force_zip64=True) as record:
            chunk = bytes(2**20)
            for _ in range(numel * 4 // len(chunk)):
                record.write(chunk)
    return buffer.getvalue()
