"""What a training asks for: TrainConfig, the bounds a request must keep, and each task's starting point.

Kept apart from the loop (core.train.training) so pages, links and the cost budget read a request without it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import torch

from core.train.minibatch import steps_per_epoch
from core.train.tasks import TASKS, Task, make_task

MAX_STEPS = 5000  # a run's length: bounds the curves one request keeps
MAX_RUNS = 3 * 24 * 24  # the largest sweep: three optimizers on a 24 x 24 grid
MAX_REQUEST_SECONDS = 5.0  # one request's estimated compute on the reference 2-core CPU (Task.step_us)


@dataclass(frozen=True)
class TrainConfig:
    """Plain values only, so pages can cache on it and links can carry it."""

    task: str = "d2l"
    task_options: tuple[tuple[str, object], ...] = ()
    optimizer: str = "sgd"
    options: tuple[tuple[str, float | bool], ...] = ()
    lrs: tuple[float, ...] = (0.003,)  # one per run, or one shared by all runs
    weight_decays: tuple[float, ...] = (0.0, 3.0)  # one per run
    epochs: int = 100
    schedule: str = "constant"
    seed: int = 0
    dtype: str = "float64"
    device: str = "cpu"

    @property
    def runs(self) -> int:
        return len(self.weight_decays)

    def per_run_lrs(self) -> tuple[float, ...]:
        return self.lrs * self.runs if len(self.lrs) == 1 else self.lrs


def estimated_seconds(task: Task, runs: int, steps: int) -> float:
    """What training `runs` runs for `steps` steps costs on the reference machine, from the
    task's measured costs: a fixed part per step and a part per run and step."""
    return steps * (task.step_us + runs * task.run_step_us) / 1e6


def _over_budget(task: Task, runs: int, steps: int, per_epoch: int) -> str:
    """Why the request is refused and what would fit instead, in the page's terms."""
    budget_us = MAX_REQUEST_SECONDS * 1e6
    epochs = steps // per_epoch
    epochs_fit = int(budget_us / (task.step_us + runs * task.run_step_us)) // per_epoch
    runs_fit = int((budget_us / steps - task.step_us) / task.run_step_us)
    fits = [f"at most {epochs_fit} epochs with these {runs} runs"] if epochs_fit >= 1 else []
    fits += [f"at most {runs_fit} runs with these {epochs} epochs"] if runs_fit >= 1 else []
    return (f"{runs} runs x {epochs} epochs of the {task.key} task would take about "
            f"{estimated_seconds(task, runs, steps):.3g} s of computing; one request may take at most "
            f"{MAX_REQUEST_SECONDS:g} s. Ask for less: {' or '.join(fits) or 'fewer runs and epochs'} "
            "(runs are weight decays or grid cells, times optimizers).")


def validate(configs: list[TrainConfig], task: Task, per_epoch: int) -> None:
    first = configs[0]
    for c in configs:
        if (c.task, c.task_options, c.epochs, c.schedule, c.seed, c.dtype, c.device) != (
                first.task, first.task_options, first.epochs, first.schedule, first.seed, first.dtype, first.device):
            raise ValueError("Configurations trained together must share task, data, epochs, schedule, seed, "
                             "dtype and device")
        if len(c.lrs) not in (1, c.runs):
            raise ValueError(f"lrs must have 1 or {c.runs} entries, got {len(c.lrs)}")
    runs, total_steps = sum(c.runs for c in configs), first.epochs * per_epoch
    if not 1 <= runs <= MAX_RUNS or any(c.runs < 1 for c in configs):
        raise ValueError(f"Choose between 1 and {MAX_RUNS} runs, got {runs}")
    if not 1 <= total_steps <= MAX_STEPS:
        raise ValueError(f"A run is limited to {MAX_STEPS} steps; this one asks for {total_steps}")
    if estimated_seconds(task, runs, total_steps) > MAX_REQUEST_SECONDS:
        raise ValueError(_over_budget(task, runs, total_steps, per_epoch))


@lru_cache(maxsize=256)
def training_points(task: str, task_options: tuple = (), seed: int = 0) -> int:
    """How many training points the task's data holds (the toy task's training fraction sets it), which an
    epoch's steps are counted from: the data built once on the CPU for the count, not kept."""
    t = make_task(task, **dict(task_options))
    return len(t.data(seed, torch.float64, torch.device("cpu")).x_train)


def check_request(configs: list[TrainConfig] | tuple[TrainConfig, ...]) -> None:
    """Refuse what train_together would refuse, before any work: pages call it before a
    request queues for a training slot. Cheap: it builds the task's data on the CPU only."""
    configs = list(configs)
    if not configs:
        raise ValueError("Nothing to train: no configuration given")
    first = configs[0]
    task = make_task(first.task, **dict(first.task_options))
    n_train = training_points(first.task, first.task_options, first.seed)
    validate(configs, task, steps_per_epoch(n_train, task.batch_size))


DEFAULT_WEIGHT_DECAYS = {key: task.default_weight_decays for key, task in TASKS.items()}  # each Task declares its own
COMPARED_OPTIMIZERS = ("sgd", "adam", "adamw")


def default_config(task: str, optimizer: str = "sgd", **changes) -> TrainConfig:
    """The training page's starting point for one task: the task's lr, epochs and decays."""
    cls = TASKS[task]
    options = (("momentum", cls.default_momentum),) if optimizer == "sgd" and cls.default_momentum else ()
    base = TrainConfig(task=task, optimizer=optimizer, lrs=(cls.default_lr,), epochs=cls.default_epochs,
                       weight_decays=cls.default_weight_decays, seed=cls.default_seed, options=options)
    return replace(base, **changes)


def default_configs() -> list[list[TrainConfig]]:
    """The page's first view: per task, the three compared optimizers (trained together)."""
    return [[default_config(task, opt) for opt in COMPARED_OPTIMIZERS] for task in TASKS]
