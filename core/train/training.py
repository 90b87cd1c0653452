"""One training function for every task and optimizer: G runs (one per weight decay, or
per (lr, wd) cell) trained at once as one tensor program.

Each parameter has a leading run dimension, and all of them live in one (G, P) block
(core.train.layout); the loss is the sum of the G runs' losses, so autograd, or a task's
closed-form gradient, gives every run its own gradient in one pass. The pieces live beside it:
the batches in core.train.minibatch (shared with the torch.optim reference loop), the step in
core.train.batched_step, the curves and snapshots in core.train.recorder, divergence in core.train.divergence,
a sweep's diverged runs leaving the block in core.train.compaction.
This module validates a request, runs the loop and knows each task's starting point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from core.devices import resolve_device, resolve_dtype
from core.train import batched_step, compaction, replay
from core.train.divergence import RunDivergence
from core.train.evaluation import Evaluation, step_gradients
from core.train.layout import Layout
from core.train.minibatch import Minibatches, steps_per_epoch
from core.train.recorder import History, Partial, Recorder
from core.train.schedules import lr_factors
from core.train.tasks import TASKS, Task, make_task

MAX_STEPS = 5000  # a run's length: bounds the curves one request keeps
MAX_RUNS = 3 * 24 * 24  # the largest sweep: three optimizers on a 24 x 24 grid
MAX_REQUEST_SECONDS = 5.0  # one request's estimated compute on the reference 2-core CPU (Task.step_us)
CHECK_EVERY = 32  # steps between two looks at the divergence flags (each look waits for the device)
RECENT_BYTES = 32 * 2**20  # the last steps' weights kept meanwhile, to stop exactly where a per-step look would
# Device types where a look waits for nothing, so a training with nothing else to gather for a window looks after
# every step (training._check_every says why). Tests empty it to hold the windowed looks to per-step ones on the cpu.
LOOK_EVERY_STEP_ON = ("cpu",)


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


class _Waiting:
    """Steps whose curves' point is not yet computed: each step's weights before and after it.
    flush() evaluates them in one forward pass and flags them in one pass, then records them in
    step order, as a per-step evaluation would have."""

    def __init__(self, evaluation: Evaluation, layout: Layout, recorder: Recorder, divergence: RunDivergence):
        self.evaluation, self.layout, self.recorder, self.divergence = evaluation, layout, recorder, divergence
        self.steps: list[tuple[int, Tensor, Tensor]] = []

    def add(self, t: int, before: Tensor, after: Tensor) -> None:
        self.steps.append((t, before, after))

    def flush(self) -> None:
        if not self.steps:
            return
        befores = [before for _, before, _ in self.steps]
        # the steps' (G, P) blocks stacked as more runs: a run's losses and norms are its own whatever
        # runs stand beside it, so one forward pass and one norm pass serve them all
        stacked = torch.stack(befores)
        params = self.layout.views(stacked.reshape(-1, stacked.shape[-1]))
        train, test = (losses.view(len(befores), -1) for losses in self.evaluation(params))
        self.recorder.before_steps([t for t, _, _ in self.steps], self.layout, befores, params, train, test)
        self.divergence.update_steps([t + 1 for t, _, _ in self.steps], [after for _, _, after in self.steps],
                                     train, test if self.evaluation.task.has_test_set else None)
        self.steps = []


def _check_every(flat: Tensor, gathers: bool) -> int:
    """Steps between two looks at the divergence flags: as many as the weights kept to stop
    exactly where a per-step look would have (RECENT_BYTES) allow, at most CHECK_EVERY.

    A look after every step where it costs no wait (LOOK_EVERY_STEP_ON) and a window would gather nothing
    else (`gathers`: a minibatch task's curves evaluated a window at a time, a replayed window): there the
    window's kept weights only cost. A 12 x 12 x 3 sweep keeps 32 blocks of 0.7 MB, which push the step's
    own tensors out of the cpu's cache; looking every step, it trained in 0.50-0.58 s instead of 0.59-0.65 s
    (one thread, 2026-11-28)."""
    if flat.device.type in LOOK_EVERY_STEP_ON and not gathers:
        return 1
    return max(1, min(CHECK_EVERY, RECENT_BYTES // max(1, flat.numel() * flat.element_size())))


def train(config: TrainConfig, on_progress: Callable[[float], None] | None = None) -> History:
    """Train config.runs models at once; stop early once every run has diverged."""
    return train_together([config], on_progress)[0]


FRAMES_PER_SECOND = 10  # how often a run watched as it trains (on_partial) is drawn again, at most


def train_together(configs: list[TrainConfig], on_progress: Callable[[float], None] | None = None,
                   curves: bool = True, on_partial: Callable[[Partial], None] | None = None,
                   first_frame_after: float = 0.0, watch: Sequence[int] = (),
                   on_step: Callable[[int, Tensor], None] | None = None) -> list[History]:
    """Several configurations on one task (say SGD, Adam and AdamW, each with four weight
    decays) as one program: one forward and backward per step for all their runs, then each
    configuration's rule on its own rows of the (runs, parameters) block (core.train.batched_step).

    With curves=False only the first and last points are recorded (a sweep needs final
    values only), which skips the per-step evaluation of minibatch tasks (core.train.recorder);
    with curves, a minibatch task's steps are evaluated a window at a time (_Waiting): d2l's
    default training 0.23 s -> 0.16 s, the Sweep's chosen cell 0.23-0.32 s -> 0.13-0.16 s.
    Divergence is flagged on the device every step and looked at every few steps; when all
    runs have diverged the result is cut back to the step a per-step look would have stopped at.

    on_partial, if given (with curves), is called with the curves so far at most
    FRAMES_PER_SECOND times a second, so a page can draw the run as it trains; it may raise to stop the run.
    Its first frame comes first_frame_after seconds in at the earliest: a page that shows only runs still
    training by then is not handed the frames before (each makes the waiting steps evaluate at once).

    on_step, if given, is called with the weights of the runs in `watch` (indices among all runs) before
    the first step (t = 0) and after each step t (a (len(watch), P) block of its own), and steps are then
    taken one at a time (no replayed windows): core.train.sweep_cell keeps the chosen cell's weights this way.

    Without curves, runs that diverged leave the block as they are found (core.train.compaction), except
    the watched ones."""
    configs = list(configs)
    first = configs[0]
    task = make_task(first.task, **dict(first.task_options))
    device, dtype = resolve_device(first.device, first.dtype), resolve_dtype(first.dtype)
    data = task.data(first.seed, dtype, device)
    _validate(configs, task, steps_per_epoch(len(data.x_train), task.batch_size))  # before any work sized by them
    batches = Minibatches(len(data.x_train), task.batch_size, first.seed, device, epochs=first.epochs)
    total = first.epochs * batches.per_epoch
    factors = lr_factors(first.schedule, total)
    params = task.init_params(sum(c.runs for c in configs), first.seed, dtype, device)
    layout = Layout(params)
    flat = layout.flatten(params)
    group = batched_step.members(configs, flat, layout.mask(task.decayed, flat))
    evaluation, recorder = Evaluation(task, data), Recorder(total, task.decayed, curves)
    # A minibatch task's curves need both sets evaluated before every step: the weights wait, and the
    # steps since the last look are evaluated and recorded together (one forward pass instead of one a step).
    waits = curves and not batches.full_batch
    replayable = replay.applies(evaluation, batches, first.schedule, curves, device) and on_step is None
    every = _check_every(flat, gathers=waits or replayable)
    runs = [m.runs for m in group]
    next_frame = time.monotonic() + max(1 / FRAMES_PER_SECOND, first_frame_after)
    divergence = RunDivergence(flat, task.loss_is_nonnegative, window=every)
    waiting = _Waiting(evaluation, layout, recorder, divergence) if waits else None
    window = None
    compacts = not curves and not replayable
    watched = torch.zeros(len(flat), dtype=torch.bool)  # per row of the block: a run in `watch`
    watched[list(watch)] = True
    watch_runs = torch.tensor(list(watch), dtype=torch.int64)
    watch_rows = watch_runs.to(device)
    if on_step is not None:
        on_step(0, flat.index_select(0, watch_rows))

    def replays_at(t: int) -> bool:
        """A sweep on cuda replays windows of `every` steps from its second step (the first creates
        the rules' state and the divergence check's loss bound) for as long as a whole window fits."""
        return replayable and t > 0 and t + every <= total

    stride, t, looked = max(1, total // 50), 0, 0
    with torch.inference_mode(task.closed_form_gradient):  # no autograd graph: less bookkeeping per operation
        while t < total:
            if replays_at(t):
                window = window or replay.Window(evaluation, layout, group, divergence, batches, flat, every)
                flat, done = window.run(t, flat, data), every
                if replays_at(t + every):
                    window.prepare(t + every, data)  # while the device runs this window
            else:
                train_loss, test_loss, grad = step_gradients(data, batches, evaluation, layout, flat, t,
                                                             recorder.records(t) and waiting is None)
                with torch.no_grad():
                    before = flat
                    if waiting is None:
                        recorder.before_step(t, layout, flat, train_loss, test_loss)
                    flat = batched_step.step(group, flat, grad, factors[t])
                    if on_step is not None:
                        on_step(t + 1, flat.index_select(0, watch_rows))
                    if waiting is None:
                        divergence.update(t + 1, flat, train_loss, None if test_loss is train_loss else test_loss)
                    else:
                        waiting.add(t, before, flat)
                done = 1
            t += done
            if on_progress is not None and t // stride > (t - done) // stride:
                on_progress(t / total)
            if on_partial is not None and curves and time.monotonic() >= next_frame:
                if waiting is not None:
                    waiting.flush()
                on_partial(recorder.partial(t, total, runs))
                next_frame = time.monotonic() + 1 / FRAMES_PER_SECOND
            ahead = every if replays_at(t) else 1  # the steps until the next chance to look
            if t == total or t - looked + ahead > every:  # as late as the kept weights allow: every `every` steps
                looked = t
                if waiting is not None:
                    waiting.flush()
                if divergence.resolve():
                    stop = max(divergence.at)  # the step at which the last run diverged
                    flat = divergence.recent[stop]
                    recorder.truncate(stop)
                    break
                dropped = compaction.drop_diverged(flat, group, divergence, watched) if compacts and t < total else None
                if dropped is not None:
                    flat, group, watched = dropped
                    watch_rows = divergence.rows_of(watch_runs).to(device)
    flat = divergence.every_run(flat)
    final = layout.views(flat)
    recorder.finish(final, *evaluation(final))
    last_good = layout.views(divergence.last_good(flat))
    return [recorder.history(c, r, factors, divergence, last_good) for c, r in zip(configs, runs, strict=True)]


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
