"""core.params.torch_archive: a torch.save upload is refused, before anything is decompressed or unpickled, when its
archive or its pickle is over a stated limit; and no tensor data is ever read, only names, shapes and dtypes."""

import io
import tracemalloc
import zipfile

import pytest
import torch

from core.params.checkpoints import (
    MAX_ARCHIVE_ENTRIES,
    MAX_PICKLE_BYTES,
    MAX_PICKLE_CALLS,
    MAX_PICKLE_OPS,
    MAX_UNPACKED_BYTES,
    CheckpointError,
    TensorSpec,
    read_checkpoint,
)
from tests.checkpoint_helpers import (
    Storage,
    Tensor,
    archive_around,
    data_pkl,
    deflate_bomb,
    small_state_dict,
    specs_of,
    torch_bytes,
    zip_bytes,
)


def forbid_loading(monkeypatch):
    """From here on, fail the test if torch.load runs or any zip record is opened: a refusal must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("reached torch.load / opened a record before refusing")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return deflate_bomb(MAX_UNPACKED_BYTES + 2**20)


def test_a_deflate_bomb_is_refused_before_decompressing(bomb, monkeypatch):
    """The reported attack: a tensor of zeros recompressed with deflate, ~1000:1. Before, torch.load unpacked
    all of it (a 4 MB upload became a 4 GiB tensor). Now the declared sizes are summed first."""
    assert len(bomb) < MAX_UNPACKED_BYTES // 500
    forbid_loading(monkeypatch)
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=r"unpacks to [\d,]+ bytes; the limit is "
                                                  rf"{MAX_UNPACKED_BYTES:,} bytes"):
            read_checkpoint(bomb, "bomb.pt")
        assert tracemalloc.get_traced_memory()[1] < 4 * len(bomb) + 2**20
    finally:
        tracemalloc.stop()


def test_a_deflated_pickle_over_its_limit_is_refused_before_decompressing(monkeypatch):
    padded = data_pkl({"w": Tensor(Storage(1)), "pad": "x" * (MAX_PICKLE_BYTES + 1)})
    data = zip_bytes({"archive/data.pkl": padded, "archive/version": b"3\n", "archive/data/0": bytes(4)},
                     zipfile.ZIP_DEFLATED)
    assert len(data) < MAX_PICKLE_BYTES // 100
    forbid_loading(monkeypatch)
    with pytest.raises(CheckpointError, match=rf"its data.pkl is {len(padded):,} bytes; the limit is "
                                              rf"{MAX_PICKLE_BYTES:,} bytes"):
        read_checkpoint(data, "padded.pt")


def test_an_archive_of_too_many_records_is_refused_before_its_directory_is_read(monkeypatch):
    data = zip_bytes({f"archive/data/{i}": b"" for i in range(MAX_ARCHIVE_ENTRIES + 1)})
    monkeypatch.setattr(zipfile, "ZipFile", None)  # the end record alone decides
    with pytest.raises(CheckpointError, match=rf"lists {MAX_ARCHIVE_ENTRIES + 1:,} records .*the limit is "
                                              rf"{MAX_ARCHIVE_ENTRIES:,} records"):
        read_checkpoint(data, "records.pt")


def test_a_pickle_of_one_byte_instructions_is_refused_before_unpickling(monkeypatch):
    """Each EMPTY_DICT opcode (one byte) makes a dict of ~64 bytes in Python's slow weights-only unpickler."""
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("unpickled"))
    dicts = b"\x80\x02]q\x00(" + b"}" * (MAX_PICKLE_OPS + 1) + b"e."
    assert len(dicts) < MAX_PICKLE_BYTES
    with pytest.raises(CheckpointError, match=rf"more than {MAX_PICKLE_OPS:,} instructions"):
        read_checkpoint(archive_around(dicts), "dicts.pt")


def test_a_pickle_of_many_memoized_tensors_is_refused_before_unpickling(monkeypatch):
    """A tensor costs ~0.2 ms to rebuild even on meta, and ~26 bytes of pickle when its arguments are memoized."""
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("unpickled"))
    storage = Storage(1)
    pickled = data_pkl([Tensor(storage) for _ in range(MAX_PICKLE_CALLS + 1)])
    assert len(pickled) < MAX_PICKLE_BYTES
    with pytest.raises(CheckpointError, match=rf"more than {MAX_PICKLE_CALLS:,} calls"):
        read_checkpoint(archive_around(pickled), "views.pt")


def test_tensor_data_is_never_read():
    """Storage records are never opened: here each is damaged (wrong length and checksum) and the upload still
    reads, while torch.load itself refuses it."""
    sd = small_state_dict()
    source = zipfile.ZipFile(io.BytesIO(torch_bytes(sd)))
    records = {info.filename: (b"?" if "/data/" in info.filename else source.read(info)) for info in source.infolist()}
    damaged = zip_bytes(records)
    with pytest.raises(RuntimeError):
        torch.load(io.BytesIO(damaged), weights_only=True)
    assert read_checkpoint(damaged, "damaged.pt") == specs_of(sd)


def test_a_checkpoint_recompressed_with_deflate_but_within_the_limits_reads():
    sd = small_state_dict()
    source = zipfile.ZipFile(io.BytesIO(torch_bytes(sd)))
    recompressed = zip_bytes({info.filename: source.read(info) for info in source.infolist()}, zipfile.ZIP_DEFLATED)
    assert read_checkpoint(recompressed, "deflated.pt") == specs_of(sd)


def test_a_huge_declared_storage_is_read_as_its_shape():
    pickled = data_pkl({"w": Tensor(Storage(2**40), (2**20, 2**20), (2**20, 1))})
    assert read_checkpoint(archive_around(pickled), "huge.pt") == {"w": TensorSpec((2**20, 2**20), "float32")}


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compressions_torch_never_writes_are_refused(method):
    """Python's zipfile reads bzip2 and lzma records without an output bound."""
    sd = small_state_dict()
    source = zipfile.ZipFile(io.BytesIO(torch_bytes(sd)))
    data = zip_bytes({info.filename: source.read(info) for info in source.infolist()}, method)
    with pytest.raises(CheckpointError, match="compression torch.save never writes"):
        read_checkpoint(data, "bz.pt")


def test_the_legacy_format_is_refused_without_loading(monkeypatch):
    """torch.save(_use_new_zipfile_serialization=False), the format before PyTorch 1.6: torch.load allocates its
    storages at their declared sizes, so it is never called on one."""
    data = torch_bytes(small_state_dict(), _use_new_zipfile_serialization=False)
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("loaded"))
    with pytest.raises(CheckpointError, match=r"old\.pt is in PyTorch's legacy format .* save it again"):
        read_checkpoint(data, "old.pt")


def test_a_torchscript_archive_gets_its_own_message():
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), buffer)
    with pytest.raises(CheckpointError, match="TorchScript archive"):
        read_checkpoint(buffer.getvalue(), "scripted.pt")


def test_a_zip_without_a_pickle_is_not_a_checkpoint():
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint"):
        read_checkpoint(zip_bytes({"archive/readme.txt": b"hi"}), "notes.pt")


def test_a_bare_pickle_without_code_is_not_a_checkpoint():
    import pickle

    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint") as err:
        read_checkpoint(pickle.dumps({"a": 1}, protocol=2), "plain.pt")
    assert "contains code" not in str(err.value)

