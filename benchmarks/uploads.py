"""The worst uploads the limits in core.params.checkpoints still let through (and the reported attacks they
refuse), each read once by read_checkpoint in a fresh process: seconds and peak RSS growth. Prints
{"CASE": {"s", "rss_mb", "result"}}. Target on 2 cores: every case a few seconds at most, < 100 MB.

    .venv/bin/python benchmarks/uploads.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {  # an expression building the upload's bytes, and its filename
    "legit_state_dict_at_max_tensors": (
        "torch_bytes({f'model.layers.{i // 10}.mlp.proj{i % 10}.weight': torch.zeros(1) for i in range(MAX_TENSORS)})",
        "m.pt"),
    "calls_just_under_max_pickle_calls": (
        "archive_around(data_pkl([Tensor(Storage(1)) for _ in range(MAX_PICKLE_CALLS - 1)]))", "calls.pt"),
    "empty_dicts_just_under_max_pickle_ops": (
        r"archive_around(b'\x80\x02]q\x00(' + b'}' * (MAX_PICKLE_OPS - 8) + b'e.')", "dicts.pt"),
    "long_names_at_max_tensors": (
        "torch_bytes({f'{i:0>100}': torch.zeros(1) for i in range(MAX_TENSORS)})", "long.pt"),
    "safetensors_header_at_max_tensors": ("safetensors_header_only(MAX_TENSORS, name='{:0>100}')", "m.safetensors"),
    "deflate_bomb_256_mib (refused)": ("deflate_bomb(2**28)", "bomb.pt"),
    "stride0_2^64_elements (refused)": (
        "torch_bytes({f't{i}': torch.zeros(1).expand(2**31, 2**31) for i in range(4)})", "wide.pt"),
}

MEASURE = """
import json, sys, time
sys.path.insert(0, {root!r})
import torch
from core.params.checkpoints import *
from tests.checkpoint_helpers import *

def status(field):  # kB, from /proc/self/status
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field))

data = {build}
before = status("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
start = time.perf_counter()
try:
    result = f"{{len(read_checkpoint(data, {filename!r}))}} tensors"
except CheckpointError as err:
    result = str(err)[:100]
print(json.dumps({{"s": round(time.perf_counter() - start, 3),
                   "rss_mb": round((status("VmHWM:") - before) / 1024, 1), "result": result}}))
"""


def measure(build: str, filename: str) -> dict:
    script = MEASURE.format(root=str(ROOT), build=build, filename=filename)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps({case: measure(*spec) for case, spec in CASES.items()}, indent=1))
