"""core.checkpoints: uploads round-trip, common nestings unwrap, and anything unsafe or malformed is a
CheckpointError with a message for the user, never another exception and never executed code."""

import builtins
import io
import pickle
import random
import signal
from contextlib import contextmanager

import pytest
import torch
from safetensors.torch import save as safetensors_save

from core.checkpoints import MAX_UPLOAD_BYTES, CheckpointError, load_state_dict


def small_state_dict() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {
        "fc.weight": torch.randn(3, 4, generator=gen),
        "fc.bias": torch.randn(3, generator=gen),
        "bn.num_batches_tracked": torch.tensor(7),
        "emb.weight": torch.randn(5, 2, generator=gen).to(torch.bfloat16),
    }


def torch_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def assert_same_tensors(got: dict[str, torch.Tensor], want: dict[str, torch.Tensor], ordered: bool = True):
    assert (list(got) if ordered else sorted(got)) == (list(want) if ordered else sorted(want))
    for name in want:
        assert got[name].dtype == want[name].dtype and torch.equal(got[name], want[name]), name


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


# ----------------------------------------------------------------------------- round trips


def test_safetensors_round_trip():
    """The format keeps names, dtypes and values but not insertion order, so compare as sets of names."""
    sd = small_state_dict()
    assert_same_tensors(load_state_dict(safetensors_save(sd), "model.safetensors"), sd, ordered=False)


def test_safetensors_upload_comes_back_in_a_stable_order():
    """The explorer lists rows in the order load_state_dict returns: the same bytes must give the same rows,
    in natural order (layer2 before layer10). With 20 tensors a random order repeating by chance is 1 in 20!."""
    data = safetensors_save({f"layer{i}.weight": torch.zeros(2) for i in range(20)})
    names = list(load_state_dict(data, "m.safetensors"))
    assert names == list(load_state_dict(data, "m.safetensors"))
    assert names == [f"layer{i}.weight" for i in range(20)]


@pytest.mark.parametrize("filename", ["model.pt", "model.pth", "pytorch_model.bin", "MODEL.PT"])
def test_torch_save_round_trip(filename):
    sd = small_state_dict()
    assert_same_tensors(load_state_dict(torch_bytes(sd), filename), sd)


def test_module_state_dict_with_parameters_round_trips():
    """A real nn.Module.state_dict() (an OrderedDict of detached tensors) is the common upload."""
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    sd = model.state_dict()
    assert_same_tensors(load_state_dict(torch_bytes(sd), "model.pt"), dict(sd))


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
    assert_same_tensors(load_state_dict(torch_bytes(wrap(sd)), "ckpt.pt"), sd)


def test_non_tensor_entries_next_to_tensors_are_dropped():
    sd = small_state_dict()
    assert_same_tensors(load_state_dict(torch_bytes({**sd, "epoch": 3, "note": "x"}), "ckpt.pt"), sd)


# ----------------------------------------------------------------------------- malicious pickles


class Exploit:
    """Unpickling this runs exec(), which writes a marker file: harmless, but detectable."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return builtins.exec, (f"import pathlib; pathlib.Path({str(self.marker)!r}).write_text('pwned')",)


@pytest.mark.parametrize("how", ["pickle-protocol-2", "torch.save", "torch.save-inside-state-dict"])
@pytest.mark.parametrize("filename", ["evil.pt", "evil.bin"])
def test_code_running_pickle_is_refused_and_never_runs(how, filename, tmp_path):
    marker = tmp_path / "pwned"
    evil = Exploit(marker)
    data = {
        "pickle-protocol-2": lambda: pickle.dumps(evil, protocol=2),
        "torch.save": lambda: torch_bytes(evil),
        "torch.save-inside-state-dict": lambda: torch_bytes({"fc.weight": torch.zeros(2), "hook": evil}),
    }[how]()
    assert not marker.exists()
    with pytest.raises(CheckpointError, match=r"refused.*weights_only") as err:
        load_state_dict(data, filename)
    assert filename in str(err.value)
    assert not marker.exists(), "the pickle's payload ran"


def test_safetensors_cannot_carry_code(tmp_path):
    """A pickle renamed .safetensors is just a malformed safetensors file."""
    marker = tmp_path / "pwned"
    with pytest.raises(CheckpointError, match="not a valid safetensors file"):
        load_state_dict(pickle.dumps(Exploit(marker), protocol=2), "evil.safetensors")
    assert not marker.exists()


# ----------------------------------------------------------------------------- refusals with a reason


def test_empty_upload():
    with pytest.raises(CheckpointError, match="empty"):
        load_state_dict(b"", "model.pt")


def test_upload_over_the_limit():
    data = torch_bytes(small_state_dict())
    with pytest.raises(CheckpointError, match="limit"):
        load_state_dict(data, "model.pt", max_bytes=len(data) - 1)
    assert load_state_dict(data, "model.pt", max_bytes=len(data))  # exactly at the limit is fine


def test_default_limit_is_twenty_megabytes():
    with pytest.raises(CheckpointError, match=r"the limit is 20,971,520 bytes \(20 MB\)"):
        load_state_dict(b"\0" * (MAX_UPLOAD_BYTES + 1), "model.pt")


@pytest.mark.parametrize("filename", ["model.txt", "model", "model.ckpt", "model.safetensors.zip"])
def test_unsupported_suffix(filename):
    with pytest.raises(CheckpointError, match=r"expected one of \.safetensors, \.pt, \.pth, \.bin"):
        load_state_dict(torch_bytes(small_state_dict()), filename)


GARBAGE = [random.Random(seed).randbytes(256) for seed in range(5)] + [b"hello, not a checkpoint", b"PK\x03\x04junk"]


@pytest.mark.parametrize("filename", ["junk.safetensors", "junk.pt", "junk.bin"])
@pytest.mark.parametrize("data", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_garbage_bytes_are_a_checkpoint_error(data, filename):
    """Whatever torch or safetensors raise inside, the caller sees one exception type with the filename."""
    with pytest.raises(CheckpointError, match=filename.replace(".", r"\.")):
        load_state_dict(data, filename)


def test_truncated_torch_checkpoint():
    data = torch_bytes(small_state_dict())
    with pytest.raises(CheckpointError, match="model.pt"):
        load_state_dict(data[: len(data) // 2], "model.pt")


def test_corrupt_pt_is_not_reported_as_unsafe():
    """Random bytes are damaged, not dangerous: telling the user they 'could run code' and quoting torch's
    'Re-running torch.load with weights_only set to False will likely succeed' is wrong and bad advice."""
    with pytest.raises(CheckpointError) as err:
        load_state_dict(random.Random(0).randbytes(256), "junk.pt")
    message = str(err.value)
    assert "could run code" not in message and "weights_only` set to `False`" not in message


@pytest.mark.parametrize(("obj", "kind"), [([torch.zeros(2)], "list"), (3, "int"), ("weights", "str"),
                                           ((torch.zeros(2),), "tuple")])
def test_pt_that_is_not_a_dict(obj, kind):
    with pytest.raises(CheckpointError, match=rf"holds {kind} data, not a state dict"):
        load_state_dict(torch_bytes(obj), "model.pt")


@pytest.mark.parametrize("obj", [{"a": 1, "b": "x"}, {}, {"state_dict": {}}, {"state_dict": {"epoch": 1}}])
def test_dict_without_tensors(obj):
    with pytest.raises(CheckpointError, match="no tensors"):
        load_state_dict(torch_bytes(obj), "model.pt")


def test_empty_safetensors_file_has_no_tensors():
    with pytest.raises(CheckpointError, match="no tensors"):
        load_state_dict(safetensors_save({}), "model.safetensors")


def test_self_referencing_checkpoint_does_not_hang():
    """pickle memoizes, so d = {}; d['state_dict'] = d survives weights_only loading; an upload like that
    must be refused, not spin the server forever (here cut off after 2 s)."""
    d = {}
    d["state_dict"] = d
    with time_limit(2), pytest.raises(CheckpointError):
        load_state_dict(torch_bytes(d), "loop.pt")
