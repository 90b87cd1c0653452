"""Sweep speed: a 16 x 16 lr x wd grid on the d2l regression task for 100 epochs, trained
batched and as a sequential torch.optim loop over the same 256 configurations.

Prints {"batched_s", "sequential_s", "ratio", "max_abs_diff", "grid"}; batched_s is the median of
BATCHED_REPEATS warm runs (each a fraction of a second, so one stall of a shared machine would
otherwise decide the ratio), the sequential loop runs once (minutes). Target on a 2-core CPU:
ratio >= 200 with max |diff| <= 1e-9 (issue 15).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/sweep.py`
from core.allocator import reuse_freed_memory  # noqa: E402
from core.train.reference_loop import torch_optim_run  # noqa: E402
from core.train.sweep import SweepConfig, blown_up  # noqa: E402
from core.train.training import train_together  # noqa: E402

BATCHED_REPEATS = 5

if __name__ == "__main__":
    torch.set_num_threads(1)
    reuse_freed_memory()  # as the server runs (ui/warmup.py)
    sweep = SweepConfig(task="d2l", optimizers=("sgd",), resolution=(16, 16), epochs=100)
    (config,) = sweep.grid_configs()
    train_together([config], curves=False)  # warm-up: first-call costs are not the grid's
    times = []
    for _ in range(BATCHED_REPEATS):
        start = time.perf_counter()
        (batched,) = train_together([config], curves=False)
        times.append(time.perf_counter() - start)
    batched_s = statistics.median(times)
    start = time.perf_counter()
    sequential = [torch_optim_run(config, run) for run in range(config.runs)]
    sequential_s = time.perf_counter() - start
    diverged = blown_up(batched)  # compared where the sweep shows a value: exploded runs are chaos
    diffs = [np.abs(batched.final[name][run] - weights[name].numpy())
             for run, weights in enumerate(sequential) if not diverged[run] for name in weights]
    print(json.dumps({
        "batched_s": round(batched_s, 3),
        "batched_runs_s": [round(t, 3) for t in times],
        "sequential_s": round(sequential_s, 3),
        "ratio": round(sequential_s / batched_s, 1),
        "max_abs_diff": float(max(d.max() for d in diffs)),
        "grid": list(sweep.resolution),
        "compared_cells": int((~diverged).sum()),
    }))
