"""benchmarks/gpu.py is the one prepared script a session with a GPU runs (issue 15): on a machine
without one it says so and succeeds, and it imports neither streamlit nor plotly, which the GPU
machine's image lacks (it has PyTorch, numpy and pandas)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("streamlit", "plotly", "playwright"):
            raise ImportError("not on the GPU machine: " + name)
sys.meta_path.insert(0, Block())
sys.path.insert(0, {root!r})
import benchmarks.gpu
"""


def test_it_runs_where_only_pytorch_is_installed():
    done = subprocess.run([sys.executable, "-c", BLOCK.format(root=str(ROOT))], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_without_a_gpu_it_says_so_and_succeeds(capsys):
    sys.path.insert(0, str(ROOT))
    from benchmarks import gpu

    assert gpu.main([]) == 0
    assert json.loads(capsys.readouterr().out) == {"device": None, "note": "no CUDA device: nothing to compare"}
