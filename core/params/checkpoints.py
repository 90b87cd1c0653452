"""Read an uploaded checkpoint's tensor names, shapes and dtypes, safely and within stated bounds,
or say clearly why not.

The parameter table needs nothing else, so no tensor data is ever read: a .safetensors file's
JSON header is parsed by hand, and a torch.save archive is unpickled on the meta device from a
clean copy holding only its (size-checked) pickle (core.params.torch_archive). Pickles go through
torch.load(weights_only=True), which refuses any that would build other objects or run code:
we never fall back to full unpickling. Every limit an upload meets is stated here, once.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePath
from typing import NamedTuple

# The upload limit. Streamlit states upload limits in MB: server.maxUploadSize in
# .streamlit/config.toml must say UPLOAD_LIMIT_MB (tests/test_upload_limit.py checks it). The
# browser counts a MB as 10**6 bytes (1024**2 on Windows), and the server answers 413 once the
# request, multipart framing included, passes maxUploadSize * 1024**2 bytes; so a file of exactly
# MAX_UPLOAD_BYTES passes the browser, the server (its framing takes < 1 KB of the 971,520 bytes
# to spare) and this module alike, and one byte more is refused by the browser and here. (A
# Windows browser lets files up to 20 MiB through; here they get the same clear refusal.)
UPLOAD_LIMIT_MB = 20
MAX_UPLOAD_BYTES = UPLOAD_LIMIT_MB * 1_000_000

# What one upload may hold. Each bound keeps a request to about a second of CPU at most and
# under 100 MB of memory, whatever the file claims: benchmarks/uploads.py reads the worst
# uploads they let through. Unpickling (torch's weights-only unpickler is Python) costs ~2 us
# and up to ~80 bytes of memory per instruction, and ~0.1 ms per tensor rebuilt, even on meta.
MAX_TENSORS = 5_000  # rows in the table
MAX_TOTAL_NUMEL = 2**53  # elements over all tensors: beyond, float64 and the browser cannot count exactly
MAX_HEADER_BYTES = 200 * MAX_TENSORS  # a .safetensors JSON header: ~60 bytes per tensor, and its name
MAX_PICKLE_BYTES = 200 * MAX_TENSORS  # a .pt's pickle: ~80 bytes per tensor, and its name
MAX_PICKLE_OPS = MAX_PICKLE_BYTES // 2  # its instructions: torch.save's pickles spend ~2.5 bytes on each
MAX_PICKLE_CALLS = 2 * MAX_TENSORS + 16  # its calls: torch.save makes two per tensor, and a few more
MAX_ARCHIVE_ENTRIES = MAX_TENSORS + 16  # a .pt archive holds one record per storage, plus torch's own few
MAX_UNPACKED_BYTES = 64 * 2**20  # a .pt archive's declared uncompressed sizes, all records together

SUFFIXES = (".safetensors", ".pt", ".pth", ".bin")


class CheckpointError(ValueError):
    """An upload that cannot be read as weights; the message is meant for the user (and may quote
    the upload's own text: show it literally)."""


class TensorSpec(NamedTuple):
    """What the parameter table needs of a tensor: its shape (Python ints, exact at any size) and dtype."""

    shape: tuple[int, ...]
    dtype: str  # torch's name without the prefix: "float32", "bfloat16"

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def read_checkpoint(data: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, TensorSpec]:
    """{name: TensorSpec} of an upload, in the file's order (natural order for .safetensors)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise CheckpointError(f"{filename}: expected one of {', '.join(SUFFIXES)}")
    if len(data) == 0:
        raise CheckpointError(f"{filename} is empty")
    if len(data) > max_bytes:
        raise CheckpointError(f"{filename} is {len(data):,} bytes; the limit is {max_bytes:,} bytes "
                              f"({max_bytes / 1e6:g} MB)")
    # imported here because both readers import this module's limits
    if suffix == ".safetensors":
        from core.params.safetensors_header import read_header as read
    else:
        from core.params.torch_archive import read_torch_save as read
    return _bounded(read(data, filename), filename)


def check_tensor_count(count: int, filename: str) -> None:
    if count > MAX_TENSORS:
        raise CheckpointError(f"{filename} holds {count:,} tensors; the limit is {MAX_TENSORS:,} "
                              "(upload a part of the model, e.g. one block's state dict)")


def _bounded(specs: dict[str, TensorSpec], filename: str) -> dict[str, TensorSpec]:
    if not specs:
        raise CheckpointError(f"{filename} holds no tensors")
    check_tensor_count(len(specs), filename)
    total = sum(spec.numel for spec in specs.values())
    if total > MAX_TOTAL_NUMEL:
        raise CheckpointError(f"{filename}'s tensors claim {total:,} elements in all (shapes larger than their "
                              f"data, e.g. expanded views); the limit is {MAX_TOTAL_NUMEL:,}")
    return specs


def natural_key(name: str) -> list:
    """layer2 before layer10: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
