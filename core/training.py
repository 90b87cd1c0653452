"""One training function for every task and optimizer: G runs (one per weight decay, or
per (lr, wd) cell) trained at once as one tensor program.

Each parameter has a leading run dimension; lr and weight_decay become (G, 1, ...) tensors
that broadcast into the written-out update rules of core.optim, the same rules that are
tested against torch.optim. The loss is the sum of the G runs' losses, so autograd gives
every run its own gradient in one backward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import Tensor

from core import optim
from core.devices import resolve_device, resolve_dtype
from core.schedules import lr_factors
from core.tasks import TASKS, make_task

MAX_STEPS = 5000  # bounds one visitor's work: steps x runs is what a request costs
MAX_RUNS = 1024


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


@dataclass(frozen=True)
class History:
    """Per-step curves of every run as float64 numpy arrays; step 0 is before training."""

    config: TrainConfig
    lr_factor: np.ndarray  # (T,) schedule multiplier of each step
    train_loss: np.ndarray  # (G, T + 1), mean loss without the penalty
    test_loss: np.ndarray  # (G, T + 1); the training loss again for tasks without a test set
    norms: dict[str, np.ndarray]  # name -> (G, T + 1) Frobenius norm of that parameter
    final: dict[str, np.ndarray]  # name -> (G, ...) final weights (last finite ones)
    diverged_at: tuple[int | None, ...]  # per run: first step with a non-finite weight
    decayed: tuple[str, ...] = field(default=())

    @property
    def steps(self) -> int:
        return len(self.lr_factor)

    def decayed_weights(self, run: int) -> np.ndarray:
        """All decayed tensors of one run's final weights, flattened together (for histograms)."""
        return np.concatenate([self.final[name][run].ravel() for name in self.decayed])


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    return 1 if batch_size is None else -(-n_train // batch_size)


def _validate(config: TrainConfig, total_steps: int) -> None:
    if config.runs < 1 or config.runs > MAX_RUNS:
        raise ValueError(f"Choose between 1 and {MAX_RUNS} runs, got {config.runs}")
    if len(config.lrs) not in (1, config.runs):
        raise ValueError(f"lrs must have 1 or {config.runs} entries, got {len(config.lrs)}")
    if not 1 <= total_steps <= MAX_STEPS:
        raise ValueError(f"A run is limited to {MAX_STEPS} steps; this one asks for {total_steps}")


def _per_run(values, like: Tensor) -> Tensor:
    """(G,) values shaped (G, 1, ..., 1) to broadcast over a (G, ...) parameter."""
    return torch.as_tensor(values, dtype=like.dtype, device=like.device).reshape(-1, *([1] * (like.dim() - 1)))


def _norms(params: dict[str, Tensor]) -> dict[str, Tensor]:
    """In float64, so a float32 run's norm does not overflow before its weights do."""
    return {name: p.detach().flatten(1).double().norm(dim=1) for name, p in params.items()}


def train(config: TrainConfig, on_progress: Callable[[float], None] | None = None) -> History:
    """Train config.runs models at once; stop early once every run has diverged."""
    spec = optim.get(config.optimizer)
    options = spec.resolve(dict(config.options))
    task = make_task(config.task, **dict(config.task_options))
    device, dtype = resolve_device(config.device, config.dtype), resolve_dtype(config.dtype)
    data = task.data(config.seed, dtype, device)
    n_train = len(data.x_train)
    per_epoch = steps_per_epoch(n_train, task.batch_size)
    total = config.epochs * per_epoch
    _validate(config, total)
    factors = lr_factors(config.schedule, total)
    groups = config.runs
    params = task.init_params(groups, config.seed, dtype, device)
    lrs = {name: _per_run(config.per_run_lrs(), p) for name, p in params.items()}
    wds = {name: _per_run(config.weight_decays, p) if name in task.decayed else 0.0 for name, p in params.items()}
    states: dict[str, dict] = {name: {} for name in params}
    shuffle = torch.Generator().manual_seed(config.seed + 2)

    def test_loss_and_norms():
        with torch.no_grad():
            return task.loss(params, data.x_test, data.y_test), _norms(params)

    full_batch = task.batch_size is None
    train_losses, test_losses, norms = [], [], []
    diverged = torch.zeros(groups, dtype=torch.bool, device=device)
    diverged_at: list[int | None] = [None] * groups
    last_good = dict(params)
    for t in range(total):
        if t % per_epoch == 0:
            order = None if full_batch else torch.randperm(n_train, generator=shuffle).to(device)
        if full_batch:
            xb, yb = data.x_train, data.y_train
        else:
            idx = order[(t % per_epoch) * task.batch_size:(t % per_epoch + 1) * task.batch_size]
            xb, yb = data.x_train[idx], data.y_train[idx]
        leaves = {name: p.detach().requires_grad_(True) for name, p in params.items()}
        batch_loss = task.loss(leaves, xb, yb)
        grads = torch.autograd.grad(batch_loss.sum(), list(leaves.values()))
        with torch.no_grad():
            # Curves at W_t; a full batch's loss is the training loss itself, no second pass
            train_losses.append(batch_loss.detach() if full_batch else task.loss(params, data.x_train, data.y_train))
            test, norm = test_loss_and_norms()
            test_losses.append(test)
            norms.append(norm)
            before = params
            params = {name: spec.step(p, g, states[name], lr=lrs[name] * factors[t], weight_decay=wds[name],
                                      **options) for (name, p), g in zip(params.items(), grads, strict=True)}
            states = {name: update.state for name, update in params.items()}
            params = {name: update.param for name, update in params.items()}
            # A run has diverged once any of its weights, or its loss, is inf/NaN; keep its last finite weights
            bad = ~torch.isfinite(train_losses[-1]) | ~torch.isfinite(test)
            for p in params.values():
                bad |= ~torch.isfinite(p.flatten(1)).all(dim=1)
            fresh = bad & ~diverged
            if bool(fresh.any()):
                for i in torch.nonzero(fresh).flatten().tolist():
                    diverged_at[i] = t + 1
                for name, p in before.items():
                    last_good[name] = torch.where(_per_run(fresh, p).to(torch.bool), p, last_good[name])
                diverged |= fresh
            for name, p in params.items():
                if not bool(diverged.any()):
                    last_good[name] = p
                else:
                    last_good[name] = torch.where(_per_run(~diverged, p).to(torch.bool), p, last_good[name])
        if on_progress is not None and (t + 1) % max(1, total // 50) == 0:
            on_progress((t + 1) / total)
        if bool(diverged.all()):
            break
    with torch.no_grad():  # the curves' last point, W after the final step
        train_losses.append(task.loss(params, data.x_train, data.y_train))
        test, norm = test_loss_and_norms()
        test_losses.append(test)
        norms.append(norm)

    def stack(values: list[Tensor]) -> np.ndarray:
        out = torch.stack(values, dim=1).double().cpu().numpy()
        for i, step in enumerate(diverged_at):  # keep curves up to the divergence, blank after
            if step is not None:
                out[i, step + 1:] = np.nan
        return out

    return History(
        config=config,
        lr_factor=np.array(factors),
        train_loss=stack(train_losses),
        test_loss=stack(test_losses),
        norms={name: stack([n[name] for n in norms]) for name in params},
        final={name: p.double().cpu().numpy() for name, p in last_good.items()},
        diverged_at=tuple(diverged_at),
        decayed=tuple(sorted(task.decayed)),
    )


DEFAULT_WEIGHT_DECAYS = {"seed": (0.0, 0.5, 1.0, 5.0), "d2l": (0.0, 1.0, 3.0, 10.0), "toy": (0.0, 0.001, 0.01, 0.1)}
COMPARED_OPTIMIZERS = ("sgd", "adam", "adamw")


def default_config(task: str, optimizer: str = "sgd", **changes) -> TrainConfig:
    """The training page's starting point for one task: the task's lr, epochs and decays."""
    cls = TASKS[task]
    base = TrainConfig(task=task, optimizer=optimizer, lrs=(cls.default_lr,), epochs=cls.default_epochs,
                       weight_decays=DEFAULT_WEIGHT_DECAYS[task])
    return replace(base, **changes)


def default_configs() -> list[TrainConfig]:
    """Every task x the three compared optimizers, as the page first computes them."""
    return [default_config(task, opt) for task in DEFAULT_WEIGHT_DECAYS for opt in COMPARED_OPTIMIZERS]
