"""Wall time of the training page's default configuration: every task, three optimizers,
four weight decays. Prints {"cold_s", "warm_s"}; target on a 2-core CPU: under 1 s.

cold: first call in a fresh process (imports excluded); warm: the same call again.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/training.py`
from core.allocator import reuse_freed_memory  # noqa: E402
from core.train.config import default_configs  # noqa: E402
from core.train.training import train_together  # noqa: E402


def run_all() -> float:
    """As the page does it: per task, the three optimizers trained together."""
    start = time.perf_counter()
    for group in default_configs():
        train_together(group)
    return time.perf_counter() - start


if __name__ == "__main__":
    torch.set_num_threads(1)
    reuse_freed_memory()  # as the server runs (ui/warmup.py)
    cold = run_all()
    warm = min(run_all() for _ in range(3))
    print(json.dumps({"cold_s": round(cold, 3), "warm_s": round(warm, 3)}))
