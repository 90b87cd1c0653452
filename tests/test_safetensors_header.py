"""core.params.safetensors_header: names, shapes and dtypes from the JSON header alone, each entry checked against the
file, and the header and the tensor count bounded before anything is built."""

import json

import pytest
import torch
from safetensors.torch import save as safetensors_save

from core.params import safetensors_header
from core.params.checkpoints import MAX_HEADER_BYTES, MAX_TENSORS, CheckpointError, TensorSpec, read_checkpoint
from tests.checkpoint_helpers import safetensors_header_only


def with_header(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool,
                                   torch.float8_e4m3fn, torch.float8_e5m2])
def test_every_common_dtype_is_named_as_torch_names_it(dtype):
    data = safetensors_save({"t": torch.zeros(2, 3, dtype=dtype)})
    assert read_checkpoint(data, "t.safetensors") == {"t": TensorSpec((2, 3), str(dtype).removeprefix("torch."))}


def test_metadata_is_not_a_tensor():
    data = safetensors_save({"w": torch.zeros(2)}, metadata={"format": "pt"})
    assert list(read_checkpoint(data, "w.safetensors")) == ["w"]


def test_the_reported_21846_tensors_are_refused_with_a_clear_message():
    """1.5 MB of header made the page's Styler raise (262,144 cells); now the upload is refused."""
    with pytest.raises(CheckpointError, match=r"the limit is"):
        read_checkpoint(safetensors_header_only(21_846), "many.safetensors")


def test_one_tensor_over_the_limit_is_refused_before_any_entry_is_checked(monkeypatch):
    data = safetensors_header_only(MAX_TENSORS + 1, name="{}")
    monkeypatch.setattr(safetensors_header, "_spec", lambda *a: pytest.fail("checked an entry"))
    with pytest.raises(CheckpointError, match=rf"holds {MAX_TENSORS + 1:,} tensors; the limit is {MAX_TENSORS:,}"):
        read_checkpoint(data, "many.safetensors")


def test_exactly_the_tensor_limit_is_read_with_names_of_a_hundred_characters():
    data = safetensors_header_only(MAX_TENSORS, name="{:0>100}")
    assert len(read_checkpoint(data, "m.safetensors")) == MAX_TENSORS


def test_a_header_over_its_limit_is_refused_before_parsing(monkeypatch):
    data = with_header({"pad": "x" * MAX_HEADER_BYTES})
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(CheckpointError, match=rf"header is [\d,]+ bytes; the limit is {MAX_HEADER_BYTES:,} bytes"):
        read_checkpoint(data, "big.safetensors")


@pytest.mark.parametrize(("entry", "reason"), [
    ({"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}, "do not lie within the file"),
    ({"dtype": "F32", "shape": [2], "data_offsets": [4, 2]}, "do not lie within the file"),
    ({"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}, "do not lie within the file"),
    ({"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}, "do not match its shape and dtype"),
    ({"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 8]}, "do not match its shape and dtype"),
    ({"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}, "no list of sizes"),
    ({"dtype": "F32", "shape": "2", "data_offsets": [0, 8]}, "no list of sizes"),
    ({"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}, "no list of sizes"),
    ({"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}, "unknown dtype"),
    ("not an object", "not an object"),
])
def test_an_entry_that_does_not_fit_the_file_is_refused(entry, reason):
    with pytest.raises(CheckpointError, match=rf"not a valid safetensors file \(.*{reason}"):
        read_checkpoint(with_header({"w": entry}, bytes(8)), "w.safetensors")


def test_a_shape_of_huge_sizes_is_refused_without_multiplying_them_out():
    """A few thousand sizes of a thousand digits each would make a product of millions of digits."""
    huge = 10**1000
    with pytest.raises(CheckpointError, match="do not match"):
        read_checkpoint(with_header({"w": {"dtype": "U8", "shape": [huge] * 500, "data_offsets": [0, 8]}}, bytes(8)),
                        "w.safetensors")


@pytest.mark.parametrize("data", [b"\x05\x00", (10**9).to_bytes(8, "little") + b"{}", with_header([1, 2]),
                                  b"\x02\x00\x00\x00\x00\x00\x00\x00{\xff", with_header({}).replace(b"{}", b"[[")])
def test_malformed_headers_are_refused(data):
    with pytest.raises(CheckpointError, match=r"w\.safetensors is not a valid safetensors file"):
        read_checkpoint(data, "w.safetensors")


def test_a_deeply_nested_header_is_refused_not_a_recursion_error():
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(CheckpointError, match="not JSON"):
        read_checkpoint(len(raw).to_bytes(8, "little") + raw, "deep.safetensors")
