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
from core.divergence import REASONS, Divergence, max_abs, reason_codes
from core.schedules import lr_factors
from core.tasks import TASKS, Task, make_task

MAX_STEPS = 5000  # a run's length: bounds the curves one request keeps
MAX_RUNS = 3 * 24 * 24  # the largest sweep: three optimizers on a 24 x 24 grid
MAX_REQUEST_SECONDS = 5.0  # one request's estimated compute on the reference 2-core CPU (Task.step_us)
SNAPSHOTS = 60  # weights kept for the step-through animation: enough frames, little memory


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
    divergences: tuple[Divergence | None, ...]  # per run: where and why it diverged (core.divergence)
    decayed: tuple[str, ...] = field(default=())
    snapshot_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)  # decayed name -> (G, S, ...) at those steps

    @property
    def steps(self) -> int:
        return len(self.lr_factor)

    @property
    def diverged_at(self) -> tuple[int | None, ...]:
        return tuple(None if d is None else d.step for d in self.divergences)

    def decayed_weights(self, run: int) -> np.ndarray:
        """All decayed tensors of one run's final weights, flattened together (for histograms)."""
        return np.concatenate([self.final[name][run].ravel() for name in self.decayed])


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    return 1 if batch_size is None else -(-n_train // batch_size)


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


def _validate(configs: list[TrainConfig], task: Task, per_epoch: int) -> None:
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


def check_request(configs: list[TrainConfig] | tuple[TrainConfig, ...]) -> None:
    """Refuse what train_together would refuse, before any work: pages call it before a
    request queues for a training slot. Cheap: it builds the task's data on the CPU only."""
    configs = list(configs)
    if not configs:
        raise ValueError("Nothing to train: no configuration given")
    first = configs[0]
    task = make_task(first.task, **dict(first.task_options))
    n_train = len(task.data(first.seed, torch.float64, torch.device("cpu")).x_train)
    _validate(configs, task, steps_per_epoch(n_train, task.batch_size))


def _per_run(values, like: Tensor) -> Tensor:
    """(G,) values shaped (G, 1, ..., 1) to broadcast over a (G, ...) parameter."""
    return torch.as_tensor(values, dtype=like.dtype, device=like.device).reshape(-1, *([1] * (like.dim() - 1)))


def _norms(params: dict[str, Tensor]) -> dict[str, Tensor]:
    """In float64, so a float32 run's norm does not overflow before its weights do."""
    return {name: p.detach().flatten(1).double().norm(dim=1) for name, p in params.items()}


@dataclass
class _Member:
    """One configuration's slice of the runs, its rule and its per-parameter hyperparameters."""

    runs: slice
    step: Callable
    options: dict
    lr: dict[str, Tensor]
    weight_decay: dict[str, Tensor | float]
    state: dict[str, dict]


def _members(configs: list[TrainConfig], params: dict[str, Tensor], decayed: frozenset[str]) -> list[_Member]:
    members, start = [], 0
    for c in configs:
        spec, runs = optim.get(c.optimizer), slice(start, start + c.runs)
        start += c.runs
        members.append(_Member(
            runs, spec.step, spec.resolve(dict(c.options)),
            lr={name: _per_run(c.per_run_lrs(), p) for name, p in params.items()},
            weight_decay={name: _per_run(c.weight_decays, p) if name in decayed else 0.0
                          for name, p in params.items()},
            state={name: {} for name in params},
        ))
    return members


def _step(members: list[_Member], params: dict[str, Tensor], grads, factor: float) -> dict[str, Tensor]:
    """Each configuration's rule on its own slice of every parameter, joined back together."""
    new = {}
    for (name, p), g in zip(params.items(), grads, strict=True):
        pieces = []
        for m in members:
            update = m.step(p[m.runs], g[m.runs], m.state[name], lr=m.lr[name] * factor,
                            weight_decay=m.weight_decay[name], **m.options)
            m.state[name] = update.state
            pieces.append(update.param)
        new[name] = pieces[0] if len(pieces) == 1 else torch.cat(pieces)
    return new


class _Divergence:
    """Which runs diverged (core.divergence's one criterion), at which step and why; each run
    keeps its last weights from before that step."""

    def __init__(self, params: dict[str, Tensor], judge_growth: bool = True):
        groups = next(iter(params.values())).shape[0]
        self.judge_growth = judge_growth  # only for losses bounded below by 0
        self.diverged = torch.zeros(groups, dtype=torch.bool)
        self.found: list[Divergence | None] = [None] * groups
        self.first_loss: Tensor | None = None
        self.last_good = dict(params)

    @property
    def at(self) -> list[int | None]:
        return [None if d is None else d.step for d in self.found]

    def update(self, step: int, before: dict[str, Tensor], after: dict[str, Tensor], losses: list[Tensor]) -> None:
        """losses are those of `before` (train first); a bad loss or bad weights mark `step`."""
        train = losses[0].detach().double()
        if self.first_loss is None:
            self.first_loss = train
        finite = torch.stack([torch.isfinite(lo) for lo in losses]).all(dim=0)  # the test loss counts too
        loss = torch.where(finite, train, torch.full_like(train, float("nan")))
        peak = max_abs(after)
        codes = reason_codes(peak, loss, self.first_loss if self.judge_growth else None).cpu()
        fresh = (codes > 0) & ~self.diverged
        if bool(fresh.any()):
            peak_cpu, peak_before, loss_cpu = peak.cpu(), max_abs(before).cpu(), loss.cpu()
            for i in torch.nonzero(fresh).flatten().tolist():
                reason = REASONS[int(codes[i]) - 1]
                value = {"loss_growth": loss_cpu, "loss_overflow": peak_before}.get(reason, peak_cpu)[i].item()
                self.found[i] = Divergence(step, reason, value)
            self.last_good = self._merge(fresh, before, self.last_good)
            self.diverged |= fresh
        self.last_good = after if not bool(self.diverged.any()) else self._merge(~self.diverged, after, self.last_good)

    @staticmethod
    def _merge(take: Tensor, new: dict[str, Tensor], old: dict[str, Tensor]) -> dict[str, Tensor]:
        return {name: torch.where(_per_run(take, p).to(device=p.device, dtype=torch.bool), p, old[name])
                for name, p in new.items()}


def train(config: TrainConfig, on_progress: Callable[[float], None] | None = None) -> History:
    """Train config.runs models at once; stop early once every run has diverged."""
    return train_together([config], on_progress)[0]


def train_together(configs: list[TrainConfig], on_progress: Callable[[float], None] | None = None,
                   curves: bool = True) -> list[History]:
    """Several configurations on one task (say SGD, Adam and AdamW, each with four weight
    decays) as one program: one forward and backward per step for all their runs, then each
    configuration's rule on its own slice.

    With curves=False only the first and last points are recorded (a sweep needs final
    values only), which skips the per-step evaluation of minibatch tasks."""
    configs = list(configs)
    first = configs[0]
    task = make_task(first.task, **dict(first.task_options))
    device, dtype = resolve_device(first.device, first.dtype), resolve_dtype(first.dtype)
    data = task.data(first.seed, dtype, device)
    n_train, full_batch = len(data.x_train), task.batch_size is None
    per_epoch = steps_per_epoch(n_train, task.batch_size)
    total = first.epochs * per_epoch
    _validate(configs, task, per_epoch)
    factors = lr_factors(first.schedule, total)
    params = task.init_params(sum(c.runs for c in configs), first.seed, dtype, device)
    members = _members(configs, params, task.decayed)
    shuffle = torch.Generator().manual_seed(first.seed + 2)
    x_all = torch.cat([data.x_train, data.x_test]) if task.has_test_set else data.x_train
    y_all = torch.cat([data.y_train, data.y_test]) if task.has_test_set else data.y_train

    def split(losses: Tensor) -> tuple[Tensor, Tensor]:
        """(G, n_train + n_test) sample losses -> (train loss, test loss), each (G,)."""
        train_loss = task.reduce(losses[:, :n_train])
        return train_loss, task.reduce(losses[:, n_train:]) if task.has_test_set else train_loss

    def evaluate() -> tuple[Tensor, Tensor]:
        with torch.no_grad():
            return split(task.sample_losses(params, x_all, y_all))

    train_losses, test_losses, norms = [], [], []
    snapshot_at = set(np.linspace(0, total, min(total, SNAPSHOTS) + 1).round().astype(int).tolist())
    snapshot_at = snapshot_at if curves else set()
    snapshots: dict[int, dict[str, Tensor]] = {}
    divergence = _Divergence(params, task.loss_is_nonnegative)
    for t in range(total):
        leaves = {name: p.detach().requires_grad_(True) for name, p in params.items()}
        record = curves or t == 0
        if full_batch:  # train and test points in one forward pass; only the training part has a gradient
            train_loss, test_loss = split(task.sample_losses(leaves, x_all, y_all))
            objective = train_loss
        else:
            if t % per_epoch == 0:
                order = torch.randperm(n_train, generator=shuffle).to(device)
            idx = order[(t % per_epoch) * task.batch_size:(t % per_epoch + 1) * task.batch_size]
            objective = task.loss(leaves, data.x_train[idx], data.y_train[idx])
            train_loss, test_loss = evaluate() if record else (objective, objective)
        grads = torch.autograd.grad(objective.sum(), list(leaves.values()))
        with torch.no_grad():
            if t in snapshot_at:
                snapshots[t] = {name: params[name].detach() for name in task.decayed}
            if record:
                train_losses.append(train_loss.detach())
                test_losses.append(test_loss.detach())
                norms.append(_norms(params))
            before, params = params, _step(members, params, grads, factors[t])
            divergence.update(t + 1, before, params, [train_loss.detach(), test_loss.detach()])
        if on_progress is not None and (t + 1) % max(1, total // 50) == 0:
            on_progress((t + 1) / total)
        if bool(divergence.diverged.all()):
            break
    if curves:
        snapshots[len(train_losses)] = {name: params[name].detach() for name in task.decayed}
    train_loss, test_loss = evaluate()  # the curves' last point: W after the final step
    train_losses.append(train_loss)
    test_losses.append(test_loss)
    norms.append(_norms(params))

    def stack(values: list[Tensor], runs: slice) -> np.ndarray:
        out = torch.stack(values, dim=1)[runs].double().cpu().numpy()
        for i, step in enumerate(divergence.at[runs]):  # keep curves up to the divergence, blank after
            if step is not None:
                out[i, step + 1 if curves else 1:] = np.nan
        return out

    return [History(
        config=c,
        lr_factor=np.array(factors),
        train_loss=stack(train_losses, m.runs),
        test_loss=stack(test_losses, m.runs),
        norms={name: stack([n[name] for n in norms], m.runs) for name in params},
        final={name: p[m.runs].double().cpu().numpy() for name, p in divergence.last_good.items()},
        divergences=tuple(divergence.found[m.runs]),
        decayed=tuple(sorted(task.decayed)),
        snapshot_steps=np.array(sorted(snapshots), dtype=int),
        snapshots={name: torch.stack([snapshots[t][name][m.runs] for t in sorted(snapshots)], dim=1).double().cpu()
                   .numpy() for name in sorted(task.decayed)} if snapshots else {},
    ) for c, m in zip(configs, members, strict=True)]


DEFAULT_WEIGHT_DECAYS = {key: task.default_weight_decays for key, task in TASKS.items()}
COMPARED_OPTIMIZERS = ("sgd", "adam", "adamw")


def default_config(task: str, optimizer: str = "sgd", **changes) -> TrainConfig:
    """The training page's starting point for one task: the task's lr, epochs and decays."""
    cls = TASKS[task]
    options = (("momentum", cls.default_momentum),) if optimizer == "sgd" and cls.default_momentum else ()
    base = TrainConfig(task=task, optimizer=optimizer, lrs=(cls.default_lr,), epochs=cls.default_epochs,
                       weight_decays=DEFAULT_WEIGHT_DECAYS[task], seed=cls.default_seed, options=options)
    return replace(base, **changes)


def default_configs() -> list[list[TrainConfig]]:
    """The page's first view: per task, the three compared optimizers (trained together)."""
    return [[default_config(task, opt) for opt in COMPARED_OPTIMIZERS] for task in DEFAULT_WEIGHT_DECAYS]
