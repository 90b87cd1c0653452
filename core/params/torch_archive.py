"""A torch.save upload, read for its tensors' names, shapes and dtypes only, within stated bounds.

torch.save writes a zip archive: data.pkl (the pickled object, whose tensors refer to storages)
and one record per storage (data/0, data/1, ...). Records may be deflated, ~1000:1 for zeros, so
a 1 MB upload can claim a 1 GiB tensor. So the archive's directory is checked against the limits
in core.params.checkpoints before anything is decompressed; data.pkl alone is read, decompressed with a
cap whatever its header claims; it goes into a fresh archive whose storage records are empty, and
torch.load(weights_only=True) unpickles that on the meta device, where tensors have shapes but no
data. torch never sees the upload's own archive, so it cannot decompress anything we did not bound.

A file that is not a zip archive is a bare pickle or torch's legacy format (before PyTorch 1.6):
either is refused without being unpickled, and its first pickle is only scanned, to say why.
"""

from __future__ import annotations

import collections
import io
import pickle
import pickletools
import re
import zipfile

import torch

from core.params.checkpoints import (
    MAX_ARCHIVE_ENTRIES,
    MAX_PICKLE_BYTES,
    MAX_PICKLE_CALLS,
    MAX_PICKLE_OPS,
    MAX_TENSORS,
    MAX_UNPACKED_BYTES,
    CheckpointError,
    TensorSpec,
    check_tensor_count,
)

ZIP_MAGIC = b"PK\x03\x04"  # torch.load's own test for its zip format
CD_BYTES_PER_ENTRY = 256  # a directory entry is 46 bytes and its name; torch's names are short
METADATA_RECORDS = ("version", ".data/version", "byteorder")  # what torch.load reads besides the pickle
METADATA_BYTES = 64
CALL_OPCODES = {"REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD", "INST", "OBJ"}  # each calls a function or method
WRAPPERS = ("state_dict", "model", "model_state_dict", "module", "ema")  # common nestings, tried in order


def read_torch_save(data: bytes, filename: str) -> dict[str, TensorSpec]:
    """{name: TensorSpec} in the checkpoint's own order."""
    if not data.startswith(ZIP_MAGIC):
        raise _not_an_archive(data, filename)
    loaded = _load_on_meta(_clean_archive(data, filename), filename)
    tensors = _flatten(_unwrap(loaded, filename), filename)
    return {name: TensorSpec(tuple(int(n) for n in t.shape), str(t.dtype).removeprefix("torch."))
            for name, t in tensors.items()}


def _clean_archive(data: bytes, filename: str) -> bytes:
    """A fresh archive with the upload's pickle and torch's small metadata records, and an empty
    record for each storage; refused if the upload's directory or its pickle is over a limit."""
    damaged = CheckpointError(f"{filename} is a damaged zip archive, not a readable PyTorch checkpoint")
    # zipfile reads the whole directory that the end record points to: bound it first
    try:
        end = zipfile._EndRecData(io.BytesIO(data))
    except Exception:
        end = None
    if end is None:
        raise damaged
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > MAX_ARCHIVE_ENTRIES or directory > MAX_ARCHIVE_ENTRIES * CD_BYTES_PER_ENTRY:
        raise CheckpointError(f"{filename} was refused: its archive lists {entries:,} records in {directory:,} "
                              f"bytes; the limit is {MAX_ARCHIVE_ENTRIES:,} records")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_directory(infos, filename)
            prefix = infos[0].filename.split("/")[0] + "/"  # torch names the archive after its first record
            records = {info.filename.removeprefix(prefix): info for info in infos if info.filename.startswith(prefix)}
            if "constants.pkl" in records:
                raise CheckpointError(f"{filename} is a TorchScript archive (torch.jit.save); upload the model's "
                                      "state_dict() saved with torch.save instead")
            if "data.pkl" not in records:
                raise CheckpointError(f"{filename} is a zip archive but not a PyTorch checkpoint (it has no data.pkl)")
            pickled = _read_capped(archive, records["data.pkl"], MAX_PICKLE_BYTES, filename)
            metadata = {name: _read_capped(archive, records[name], METADATA_BYTES, filename)
                        for name in METADATA_RECORDS if name in records}
    except CheckpointError:
        raise
    except Exception:  # BadZipFile, a bad CRC, struct.error, an encrypted record: all damage for this purpose
        raise damaged from None
    _count_calls(pickled, filename)
    clean = io.BytesIO()
    with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as out:
        out.writestr(prefix + "data.pkl", pickled)
        for name, content in metadata.items():
            out.writestr(prefix + name, content)
        for name in records:
            if name.startswith("data/"):
                out.writestr(prefix + name, b"")
    return clean.getvalue()


def _check_directory(infos: list[zipfile.ZipInfo], filename: str) -> None:
    if not infos:
        raise CheckpointError(f"{filename} is an empty zip archive")
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise CheckpointError(f"{filename} was refused: its archive holds {len(infos):,} records; the limit is "
                              f"{MAX_ARCHIVE_ENTRIES:,}")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise CheckpointError(f"{filename} was refused: its archive unpacks to {unpacked:,} bytes; the limit is "
                              f"{MAX_UNPACKED_BYTES:,} bytes (compressed records, or sizes that lie)")


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, filename: str) -> bytes:
    """A record's content, never more than cap bytes decompressed, whatever its header says."""
    if info.file_size > cap:
        raise CheckpointError(f"{filename} was refused: its {info.filename.rsplit('/', 1)[-1]} is {info.file_size:,} "
                              f"bytes; the limit is {cap:,} bytes")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # bzip2 and lzma read unbounded
        raise CheckpointError(f"{filename} uses a compression torch.save never writes (method {info.compress_type})")
    with archive.open(info) as record:
        content = record.read(cap + 1)
    if len(content) > cap:
        raise CheckpointError(f"{filename} was refused: a record unpacks to more than its header says")
    return content


def _count_calls(pickled: bytes, filename: str) -> None:
    """Refuse a pickle that would run more than MAX_PICKLE_OPS opcodes or call more than
    MAX_PICKLE_CALLS functions. Unpickling costs ~3 us an opcode (the weights-only unpickler is
    Python), and rebuilding a tensor, even on meta, ~0.2 ms: a small pickle of one-byte opcodes or
    memoized references could otherwise ask for seconds. pickletools only reads the opcodes (~1 us
    each): it builds nothing."""
    ops = calls = 0
    try:
        for opcode, _, _ in pickletools.genops(pickled):
            ops += 1
            calls += opcode.name in CALL_OPCODES
            if ops > MAX_PICKLE_OPS or calls > MAX_PICKLE_CALLS:
                break
    except Exception:  # a malformed pickle: torch.load would fail on it too
        raise CheckpointError(f"{filename} is corrupt or not a PyTorch checkpoint (its pickle is malformed)") from None
    if ops > MAX_PICKLE_OPS:
        raise CheckpointError(f"{filename} was refused: its pickle has more than {MAX_PICKLE_OPS:,} instructions")
    if calls > MAX_PICKLE_CALLS:
        raise CheckpointError(f"{filename} was refused: its pickle makes more than {MAX_PICKLE_CALLS:,} calls "
                              f"(torch.save makes two per tensor of a state dict; the limit is {MAX_TENSORS:,} "
                              "tensors)")


def _load_on_meta(archive: bytes, filename: str) -> object:
    try:
        return torch.load(io.BytesIO(archive), weights_only=True, map_location="meta")
    except pickle.UnpicklingError as err:
        blocked = re.search(r"GLOBAL (\S+)", str(err))  # torch names the global it refused
        if blocked:
            raise _contains_code(filename, blocked[1]) from None
        raise CheckpointError(f"{filename} is corrupt or not a PyTorch checkpoint") from None
    except Exception as err:
        raise CheckpointError(f"{filename} could not be read as a PyTorch checkpoint ({type(err).__name__})") from None


def _contains_code(filename: str, name: str) -> CheckpointError:
    return CheckpointError(f"{filename} was refused because it contains code: its pickle imports {name}. Only "
                           "tensors and plain containers are loaded here (torch.load with weights_only=True); "
                           "nothing in the file was run.")


def _not_an_archive(data: bytes, filename: str) -> CheckpointError:
    """Why a file that is not a zip archive is refused, from a scan of its first pickle's opcodes
    (pickletools builds nothing and calls nothing): torch's legacy format begins with its magic
    number; a pickle that imports a global would call it; anything else is not a checkpoint."""
    imported, strings = [], collections.deque(maxlen=2)
    try:
        for opcode, arg, _ in pickletools.genops(io.BytesIO(data[:MAX_PICKLE_BYTES])):
            if arg == torch.serialization.MAGIC_NUMBER:
                return CheckpointError(
                    f"{filename} is in PyTorch's legacy format (torch.save before PyTorch 1.6, or with "
                    "_use_new_zipfile_serialization=False), which cannot be read without loading its data: "
                    "load it and save it again with a current torch.save, or as .safetensors")
            if opcode.name in ("GLOBAL", "INST"):
                imported.append(arg.replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL":
                imported.append(".".join(strings))
            elif isinstance(arg, str):
                strings.append(arg)
    except Exception:  # not a pickle, or cut short: whatever it is, nothing was built from it
        imported = []
    if imported:
        return _contains_code(filename, ", ".join(imported[:3]))
    return CheckpointError(f"{filename} is corrupt or not a PyTorch checkpoint (torch.save writes a zip archive, "
                           "and this file is not one)")


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


def _flatten(state: dict, filename: str) -> dict:
    tensors = {str(k): v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise CheckpointError(f"{filename} holds no tensors")
    check_tensor_count(len(tensors), filename)
    return tensors
