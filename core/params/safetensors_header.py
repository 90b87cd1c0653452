"""Names, shapes and dtypes of a .safetensors upload, from its JSON header alone: no tensor is built.

The format (https://github.com/huggingface/safetensors) is 8 bytes of little-endian header length,
a JSON object {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the tensors' bytes. The header is bounded before it is parsed, and every entry is checked
against the file: its bytes must lie inside the data and match its shape and dtype, so no shape
can claim more elements than the file holds.
"""

from __future__ import annotations

import json

from core.params.checkpoints import (
    MAX_HEADER_BYTES,
    MAX_TENSORS,
    CheckpointError,
    TensorSpec,
    check_tensor_count,
    natural_key,
)

DTYPES = {  # safetensors' dtype name -> (torch's name, bytes per element)
    "BOOL": ("bool", 1), "U8": ("uint8", 1), "I8": ("int8", 1), "U16": ("uint16", 2), "I16": ("int16", 2),
    "U32": ("uint32", 4), "I32": ("int32", 4), "U64": ("uint64", 8), "I64": ("int64", 8),
    "F16": ("float16", 2), "BF16": ("bfloat16", 2), "F32": ("float32", 4), "F64": ("float64", 8),
    "C64": ("complex64", 8), "F8_E4M3": ("float8_e4m3fn", 1), "F8_E5M2": ("float8_e5m2", 1),
    "F8_E4M3FNUZ": ("float8_e4m3fnuz", 1), "F8_E5M2FNUZ": ("float8_e5m2fnuz", 1), "F8_E8M0": ("float8_e8m0fnu", 1),
}
METADATA = "__metadata__"


def read_header(data: bytes, filename: str) -> dict[str, TensorSpec]:
    """{name: TensorSpec}, in natural name order (the format keeps no order of its own)."""
    def invalid(reason: str) -> CheckpointError:
        return CheckpointError(f"{filename} is not a valid safetensors file ({reason})")

    if len(data) < 8:
        raise invalid("shorter than its 8-byte header length")
    length = int.from_bytes(data[:8], "little")
    if 8 + length > len(data):
        raise invalid(f"its header claims {length:,} bytes, more than the file holds")
    if length > MAX_HEADER_BYTES:
        raise CheckpointError(f"{filename}'s safetensors header is {length:,} bytes; the limit is "
                              f"{MAX_HEADER_BYTES:,} bytes, room for the {MAX_TENSORS:,} tensors the table lists "
                              "at most")
    try:
        header = json.loads(data[8:8 + length])
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise invalid(f"its header is not JSON: {type(err).__name__}") from None
    if not isinstance(header, dict):
        raise invalid("its header is not a JSON object")
    check_tensor_count(len(header) - (METADATA in header), filename)
    buffer = len(data) - 8 - length
    specs = {name: _spec(name, entry, buffer, invalid) for name, entry in header.items() if name != METADATA}
    return {name: specs[name] for name in sorted(specs, key=natural_key)}


def _spec(name: str, entry: object, buffer: int, invalid) -> TensorSpec:
    if not isinstance(entry, dict):
        raise invalid(f"entry {name!r} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPES:
        raise invalid(f"entry {name!r} has an unknown dtype {str(dtype)[:20]!r}")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise invalid(f"entry {name!r} has no list of sizes as its shape")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(type(n) is int for n in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= buffer):
        raise invalid(f"entry {name!r}'s data offsets do not lie within the file")
    torch_name, size = DTYPES[dtype]
    nbytes = offsets[1] - offsets[0]
    if _numel_up_to(shape, nbytes // size) * size != nbytes:
        raise invalid(f"entry {name!r} has {nbytes:,} bytes, which do not match its shape and dtype")
    return TensorSpec(tuple(shape), torch_name)


def _numel_up_to(shape: list[int], limit: int) -> int:
    """The product of shape, or limit + 1 once it passes limit: a shape of huge sizes must not cost
    a product of thousands of digits to refuse."""
    if 0 in shape:
        return 0
    numel = 1
    for n in shape:
        numel *= n
        if numel > limit:
            return limit + 1
    return numel
