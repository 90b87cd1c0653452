"""core.params.checkpoints: uploads give their tensors' names, shapes and dtypes; anything unsafe, malformed or
over a stated limit is a CheckpointError with a message for the user, never another exception, never
executed code (one upload limit holding in the browser, on the server and here: tests/test_upload_limit.py)."""

import builtins
import os
import pickle
import random
import signal
from contextlib import contextmanager

import pytest
import torch
from safetensors.torch import save as safetensors_save

from core.params.checkpoints import (
    MAX_TENSORS,
    MAX_TOTAL_NUMEL,
    CheckpointError,
    TensorSpec,
    read_checkpoint,
)
from tests.checkpoint_helpers import small_state_dict, specs_of, torch_bytes


@contextmanager
def time_limit(seconds: float):
    """Turn a hang into a TimeoutError (SIGALRM interrupts a pure-Python loop in the main thread)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ----------------------------------------------------------------------------- what an upload gives


def test_safetensors_names_shapes_and_dtypes():
    sd = small_state_dict()
    assert read_checkpoint(safetensors_save(sd), "model.safetensors") == specs_of(sd)


def test_safetensors_upload_comes_back_in_a_stable_order():
    """The explorer lists rows in the order read_checkpoint returns: the same bytes must give the same rows,
    in natural order (layer2 before layer10). With 20 tensors a random order repeating by chance is 1 in 20!."""
    data = safetensors_save({f"layer{i}.weight": torch.zeros(2) for i in range(20)})
    names = list(read_checkpoint(data, "m.safetensors"))
    assert names == list(read_checkpoint(data, "m.safetensors"))
    assert names == [f"layer{i}.weight" for i in range(20)]


@pytest.mark.parametrize("filename", ["model.pt", "model.pth", "pytorch_model.bin", "MODEL.PT"])
def test_torch_save_names_shapes_and_dtypes_in_order(filename):
    sd = small_state_dict()
    specs = read_checkpoint(torch_bytes(sd), filename)
    assert list(specs.items()) == list(specs_of(sd).items())
    assert specs["fc.weight"] == TensorSpec((3, 4), "float32") and specs["fc.weight"].numel == 12


def test_module_state_dict_with_parameters():
    """A real nn.Module.state_dict() (an OrderedDict of detached tensors) is the common upload."""
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    sd = model.state_dict()
    assert read_checkpoint(torch_bytes(sd), "model.pt") == specs_of(dict(sd))
    params = dict(model.named_parameters())
    assert read_checkpoint(torch_bytes(params), "params.pt") == specs_of(params)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda sd: {"state_dict": sd},
        lambda sd: {"model": sd},
        lambda sd: {"state_dict": {"model": sd}},
        lambda sd: {"model_state_dict": sd, "epoch": 3, "optimizer": {"state": {}, "param_groups": []}},
        lambda sd: {"ema": sd},
    ],
    ids=["state_dict", "model", "state_dict-model", "model_state_dict-with-extras", "ema"],
)
def test_nested_checkpoints_are_unwrapped(wrap):
    """Lightning, timm and hand-written training scripts nest the weights one or two levels down."""
    sd = small_state_dict()
    assert read_checkpoint(torch_bytes(wrap(sd)), "ckpt.pt") == specs_of(sd)


def test_non_tensor_entries_next_to_tensors_are_dropped():
    sd = small_state_dict()
    assert read_checkpoint(torch_bytes({**sd, "epoch": 3, "note": "x"}), "ckpt.pt") == specs_of(sd)


# ----------------------------------------------------------------------------- malicious pickles


class Exploit:
    """Unpickling this runs exec(), which writes a marker file: harmless, but detectable."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return builtins.exec, (f"import pathlib; pathlib.Path({str(self.marker)!r}).write_text('pwned')",)


class System:
    """Unpickling this calls os.system: the reported attack (the command only touches a marker file)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


PICKLINGS = {
    "pickle-protocol-2": lambda evil: pickle.dumps(evil, protocol=2),
    "pickle-protocol-4": lambda evil: pickle.dumps(evil, protocol=4),
    "torch.save": torch_bytes,
    "torch.save-inside-state-dict": lambda evil: torch_bytes({"fc.weight": torch.zeros(2), "hook": evil}),
}


@pytest.mark.parametrize("how", list(PICKLINGS))
@pytest.mark.parametrize("filename", ["evil.pt", "evil.bin"])
@pytest.mark.parametrize(("payload", "blocked"), [(Exploit, r"\S*exec"), (System, rf"{os.system.__module__}\.system")],
                         ids=["exec", "os.system"])
def test_code_running_pickle_is_refused_as_code_and_never_runs(payload, blocked, how, filename, tmp_path):
    """The refusal says why: the file contains code, and which global it imports (as torch names it)."""
    marker = tmp_path / "pwned"
    data = PICKLINGS[how](payload(marker))
    with pytest.raises(CheckpointError, match=rf"^{filename} was refused because it contains code: its pickle imports "
                                              rf"{blocked}\.") as err:
        read_checkpoint(data, filename)
    assert "corrupt" not in str(err.value)
    assert not marker.exists(), "the pickle's payload ran"


def test_safetensors_cannot_carry_code(tmp_path):
    """A pickle renamed .safetensors is just a malformed safetensors file."""
    marker = tmp_path / "pwned"
    with pytest.raises(CheckpointError, match="not a valid safetensors file"):
        read_checkpoint(pickle.dumps(Exploit(marker), protocol=2), "evil.safetensors")
    assert not marker.exists()


# ----------------------------------------------------------------------------- refusals with a reason


def test_empty_upload():
    with pytest.raises(CheckpointError, match="empty"):
        read_checkpoint(b"", "model.pt")


def test_upload_over_a_given_limit():
    data = torch_bytes(small_state_dict())
    with pytest.raises(CheckpointError, match="limit"):
        read_checkpoint(data, "model.pt", max_bytes=len(data) - 1)
    assert read_checkpoint(data, "model.pt", max_bytes=len(data))  # exactly at the limit is fine


@pytest.mark.parametrize("filename", ["model.txt", "model", "model.ckpt", "model.safetensors.zip"])
def test_unsupported_suffix(filename):
    with pytest.raises(CheckpointError, match=r"expected one of \.safetensors, \.pt, \.pth, \.bin"):
        read_checkpoint(torch_bytes(small_state_dict()), filename)


GARBAGE = [random.Random(seed).randbytes(256) for seed in range(5)] + [b"hello, not a checkpoint", b"PK\x03\x04junk"]


@pytest.mark.parametrize("filename", ["junk.safetensors", "junk.pt", "junk.bin"])
@pytest.mark.parametrize("data", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_garbage_bytes_are_a_checkpoint_error(data, filename):
    """Whatever torch or safetensors raise inside, the caller sees one exception type with the filename."""
    with pytest.raises(CheckpointError, match=filename.replace(".", r"\.")):
        read_checkpoint(data, filename)


def test_truncated_torch_checkpoint():
    data = torch_bytes(small_state_dict())
    with pytest.raises(CheckpointError, match="model.pt"):
        read_checkpoint(data[: len(data) // 2], "model.pt")


def test_corrupt_pt_is_not_reported_as_unsafe():
    """Random bytes are damaged, not dangerous: telling the user they 'could run code' and quoting torch's
    'Re-running torch.load with weights_only set to False will likely succeed' is wrong and bad advice."""
    with pytest.raises(CheckpointError) as err:
        read_checkpoint(random.Random(0).randbytes(256), "junk.pt")
    message = str(err.value)
    assert "contains code" not in message and "weights_only` set to `False`" not in message


@pytest.mark.parametrize(("obj", "kind"), [([torch.zeros(2)], "list"), (3, "int"), ("weights", "str"),
                                           ((torch.zeros(2),), "tuple")])
def test_pt_that_is_not_a_dict(obj, kind):
    with pytest.raises(CheckpointError, match=rf"holds {kind} data, not a state dict"):
        read_checkpoint(torch_bytes(obj), "model.pt")


@pytest.mark.parametrize("obj", [{"a": 1, "b": "x"}, {}, {"state_dict": {}}, {"state_dict": {"epoch": 1}}])
def test_dict_without_tensors(obj):
    with pytest.raises(CheckpointError, match="no tensors"):
        read_checkpoint(torch_bytes(obj), "model.pt")


def test_empty_safetensors_file_has_no_tensors():
    with pytest.raises(CheckpointError, match="no tensors"):
        read_checkpoint(safetensors_save({}), "model.safetensors")


def test_self_referencing_checkpoint_does_not_hang():
    """pickle memoizes, so d = {}; d['state_dict'] = d survives weights_only loading; an upload like that
    must be refused, not spin the server forever (here cut off after 2 s)."""
    d = {}
    d["state_dict"] = d
    with time_limit(2), pytest.raises(CheckpointError):
        read_checkpoint(torch_bytes(d), "loop.pt")


# ----------------------------------------------------------------------------- sizes the table can count


def test_expanded_tensors_whose_sizes_overflow_64_bits_are_refused_with_the_exact_count():
    """The reported 1.9 KB .pt: four 2^31 x 2^31 stride-0 views of one element. Their 2^64 elements overflow
    int64 (the page said '5 of 5 tensors, 3 of 3 parameters'); here the count is exact, and refused."""
    data = torch_bytes({f"t{i}": torch.zeros(1).expand(2**31, 2**31) for i in range(4)})
    assert len(data) < 4000
    with pytest.raises(CheckpointError, match=rf"claim {4 * 2**62:,} elements in all.*the limit is "
                                              rf"{MAX_TOTAL_NUMEL:,}"):
        read_checkpoint(data, "wide.pt")


def test_a_large_but_countable_expanded_tensor_is_read_exactly():
    specs = read_checkpoint(torch_bytes({"e": torch.zeros(1).expand(2**26, 2**26)}), "e.pt")
    assert specs["e"].numel == 2**52 and type(specs["e"].shape[0]) is int


def test_more_tensors_than_the_limit_are_refused_with_the_limit():
    data = torch_bytes({f"t{i}": torch.zeros(0) for i in range(MAX_TENSORS + 1)})
    with pytest.raises(CheckpointError, match=rf"holds {MAX_TENSORS + 1:,} tensors; the limit is {MAX_TENSORS:,}"):
        read_checkpoint(data, "many.pt")


def test_exactly_the_tensor_limit_is_read_with_names_of_a_hundred_characters():
    """The pickle's limits leave room for MAX_TENSORS tensors with long names."""
    data = torch_bytes({f"{i:0>100}": torch.zeros(0) for i in range(MAX_TENSORS)})
    assert len(read_checkpoint(data, "m.pt")) == MAX_TENSORS
