"""What a training step costs per task, measured, beside what core.train.tasks declares.

The request budget (core.train.config.MAX_REQUEST_SECONDS) trusts each task's declared
step_us (one step's fixed cost: Python, autograd, one update per optimizer) and
run_step_us (each run's share of a step). This measures both the way the pages train:
the three compared optimizers together, float64, one thread, with and without curves,
at 3 runs (the fixed cost) and at a 12 x 12 and the largest sweep's run counts (the
per-run cost; the larger of the two, since big batches fall out of the CPU caches). Each
time is the best of three, so other processes on the machine inflate it less.

Prints JSON per task: measured and declared microseconds, and their ratio; declared
values should stay at or above the measured ones (ratio <= 1) on the reference 2-core
machine. Takes about a minute.

    .venv/bin/python benchmarks/cost.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/cost.py`
from core.train.config import COMPARED_OPTIMIZERS, MAX_RUNS, TrainConfig  # noqa: E402
from core.train.minibatch import steps_per_epoch  # noqa: E402
from core.train.tasks import TASKS, make_task  # noqa: E402
from core.train.training import train_together  # noqa: E402

SIZES = (3, 432, MAX_RUNS)  # runs, all optimizers together: the fixed part from the first, per run from the others
TARGET_S = 0.4  # time per measurement: enough steps to average, few enough to finish


def seconds_per_step(task: str, runs: int, curves: bool) -> float:
    per_opt = runs // len(COMPARED_OPTIMIZERS)
    t = make_task(task)
    per_epoch = steps_per_epoch(len(t.data(0, torch.float64, torch.device("cpu")).x_train), t.batch_size)

    def configs(epochs: int) -> list[TrainConfig]:
        return [TrainConfig(task=task, optimizer=o, lrs=(1e-4,), weight_decays=(1e-4,) * per_opt, epochs=epochs)
                for o in COMPARED_OPTIMIZERS]

    start = time.perf_counter()
    train_together(configs(1), curves=curves)  # warm-up, and a first guess of the step time
    guess = (time.perf_counter() - start) / per_epoch
    epochs = max(2, min(200, int(TARGET_S / guess / per_epoch)))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        train_together(configs(epochs), curves=curves)
        best = min(best, time.perf_counter() - start)
    return best / (epochs * per_epoch)


def main() -> None:
    torch.set_num_threads(1)
    report = {}
    for key, cls in TASKS.items():
        per_step = {(runs, curves): seconds_per_step(key, runs, curves) * 1e6
                    for runs in SIZES for curves in (True, False)}
        step_us = max(per_step[SIZES[0], curves] for curves in (True, False))
        run_step_us = max((us - step_us) / runs for (runs, _), us in per_step.items() if runs > SIZES[0])
        report[key] = {
            "step_us": round(step_us, 1), "declared_step_us": cls.step_us,
            "run_step_us": round(run_step_us, 2), "declared_run_step_us": cls.run_step_us,
            "ratio": round(max(step_us / cls.step_us, run_step_us / cls.run_step_us), 2),
            "us_per_step": {f"{runs} runs{'' if curves else ', no curves'}": round(us)
                            for (runs, curves), us in per_step.items()},
        }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
