"""One training function for every task and optimizer: G runs (one per weight decay, or
per (lr, wd) cell) trained at once as one tensor program.

Each parameter has a leading run dimension, and all of them live in one (G, P) block
(core.train.layout); the loss is the sum of the G runs' losses, so autograd, or a task's
closed-form gradient, gives every run its own gradient in one pass. The pieces live beside it:
the batches in core.train.minibatch (shared with the torch.optim reference loop), the step in
core.train.batched_step, the curves and snapshots in core.train.recorder, divergence in core.train.divergence,
a sweep's diverged runs leaving the block in core.train.compaction.
This module runs the loop; what a request may ask and each task's starting point are core.train.config's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import torch
from torch import Tensor

from core.devices import resolve_device, resolve_dtype
from core.train import batched_step, compaction, replay
from core.train.config import TrainConfig, validate
from core.train.divergence import RunDivergence
from core.train.evaluation import Evaluation, step_gradients
from core.train.layout import Layout
from core.train.minibatch import Minibatches, steps_per_epoch
from core.train.recorder import History, Partial, Recorder, norms
from core.train.schedules import lr_factors
from core.train.tasks import make_task

CHECK_EVERY = 32  # steps between two looks at the divergence flags (each look waits for the device)
RECENT_BYTES = 32 * 2**20  # the last steps' weights kept meanwhile, to stop exactly where a per-step look would
# Device types where a look waits for nothing, so a training with nothing else to gather for a window looks after
# every step (training._check_every says why). Tests empty it to hold the windowed looks to per-step ones on the cpu.
LOOK_EVERY_STEP_ON = ("cpu",)


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
    the first step (t = 0) and after each step t (a (len(watch), P) block no step writes again: the trainer's
    own block when `watch` is every run, in order), and steps are then taken one at a time (no replayed
    windows): core.train.sweep_cell keeps the chosen cell's weights this way, core.train.kept_training all.

    Without curves, runs that diverged leave the block as they are found (core.train.compaction), except
    the watched ones."""
    training = Training(configs, curves, watch, on_step)
    training.run(on_progress, on_partial, first_frame_after)
    return training.histories()


class Training:
    """train_together's program, kept between calls: run() trains to the configurations' last epoch, and a
    training on a constant lr may then go on for more epochs (extend()), as if it had been asked for them
    from the start (the same batches and steps, weights bit for bit: tests/test_training_resume.py).
    `record_epochs` are epochs at whose end every run's losses and norms are kept (recorded()), so a
    shorter training's final values need no training either (core.train.sweep_run)."""

    def __init__(self, configs: Sequence[TrainConfig], curves: bool = True, watch: Sequence[int] = (),
                 on_step: Callable[[int, Tensor], None] | None = None):
        self.configs = configs = list(configs)
        first = configs[0]
        self.curves, self.on_step = curves, on_step
        self.task = task = make_task(first.task, **dict(first.task_options))
        device, dtype = resolve_device(first.device, first.dtype), resolve_dtype(first.dtype)
        self.device, self.data = device, task.data(first.seed, dtype, device)
        validate(configs, task, steps_per_epoch(len(self.data.x_train), task.batch_size))  # before any work
        self.batches = Minibatches(len(self.data.x_train), task.batch_size, first.seed, device, epochs=first.epochs)
        self.total = first.epochs * self.batches.per_epoch
        self.factors = lr_factors(first.schedule, self.total)
        params = task.init_params(sum(c.runs for c in configs), first.seed, dtype, device)
        self.layout = Layout(params)
        self.flat = self.layout.flatten(params)
        self.group = batched_step.members(configs, self.flat, self.layout.mask(task.decayed, self.flat))
        self.evaluation, self.recorder = Evaluation(task, self.data), Recorder(self.total, task.decayed, curves)
        # A minibatch task's curves need both sets evaluated before every step: the weights wait, and the
        # steps since the last look are evaluated and recorded together (one forward pass instead of one a step).
        waits = curves and not self.batches.full_batch
        self.replayable = (replay.applies(self.evaluation, self.batches, first.schedule, curves, device)
                           and on_step is None)
        self.every = _check_every(self.flat, gathers=waits or self.replayable)
        self.runs = [m.runs for m in self.group]
        self.divergence = RunDivergence(self.flat, task.loss_is_nonnegative, window=self.every)
        self.waiting = _Waiting(self.evaluation, self.layout, self.recorder, self.divergence) if waits else None
        self.window = None
        self.compacts = not curves and not self.replayable
        self.watched = torch.zeros(len(self.flat), dtype=torch.bool)  # per row of the block: a run in `watch`
        self.watched[list(watch)] = True
        self.watch_runs = torch.tensor(list(watch), dtype=torch.int64)
        self.watch_rows = self.watch_runs.to(device)
        # every run watched, in order: on_step gets the block itself, which no step writes again (each writes a new one)
        self.watch_block = list(watch) == list(range(len(self.flat)))
        self.t, self.looked, self.stopped_at = 0, 0, None
        self.record_epochs: set[int] = set()
        self._recorded: dict[int, tuple[Tensor, Tensor, dict[str, Tensor]]] = {}
        if on_step is not None:
            on_step(0, self._watched(self.flat))

    @property
    def epochs(self) -> int:
        return self.configs[0].epochs

    def _watched(self, flat: Tensor) -> Tensor:
        return flat if self.watch_block else flat.index_select(0, self.watch_rows)

    def extend(self, epochs: int) -> None:
        """Go on to `epochs` epochs at the next run(): only on a constant lr (a schedule's factors depend on the
        length) and outside replayed windows. After every run has diverged there is nothing left to train: run()
        returns. With curves, the curves go on, but the snapshots for the step-through are spaced over a run's
        length: the recorder takes no more, and a caller that goes on keeps the weights to take them itself
        (core.train.kept_training)."""
        first = self.configs[0]
        if epochs < first.epochs or first.schedule != "constant" or self.replayable:
            raise ValueError("Only a training on a constant lr goes on for more epochs")
        self.recorder.snapshot_at = set()
        configs = [replace(c, epochs=epochs) for c in self.configs]
        validate(configs, self.task, self.batches.per_epoch)
        self.configs = configs
        self.batches.extend(epochs)
        self.total = epochs * self.batches.per_epoch
        self.factors = lr_factors(first.schedule, self.total)

    def _replays_at(self, t: int) -> bool:
        """A sweep on cuda replays windows of `every` steps from its second step (the first creates
        the rules' state and the divergence check's loss bound) for as long as a whole window fits."""
        return self.replayable and t > 0 and t + self.every <= self.total

    def run(self, on_progress: Callable[[float], None] | None = None,
            on_partial: Callable[[Partial], None] | None = None, first_frame_after: float = 0.0) -> None:
        """Train to the last step of the configurations' epochs, or until every run has diverged."""
        data, evaluation, layout, recorder = self.data, self.evaluation, self.layout, self.recorder
        waiting = self.waiting
        divergence, total, every, t, flat = self.divergence, self.total, self.every, self.t, self.flat
        next_frame = time.monotonic() + max(1 / FRAMES_PER_SECOND, first_frame_after)
        stride, start = max(1, total // 50), t
        with torch.inference_mode(self.task.closed_form_gradient):  # no autograd graph: less bookkeeping
            while t < total and self.stopped_at is None:
                if self._replays_at(t):
                    self.window = self.window or replay.Window(evaluation, layout, self.group, divergence,
                                                               self.batches, flat, every)
                    flat, done = self.window.run(t, flat, data), every
                    if self._replays_at(t + every):
                        self.window.prepare(t + every, data)  # while the device runs this window
                else:
                    train_loss, test_loss, grad = step_gradients(data, self.batches, evaluation, layout, flat, t,
                                                                 recorder.records(t) and waiting is None)
                    with torch.no_grad():
                        before = flat
                        if waiting is None:
                            recorder.before_step(t, layout, flat, train_loss, test_loss)
                        flat = batched_step.step(self.group, flat, grad, self.factors[t])
                        if self.on_step is not None:
                            self.on_step(t + 1, self._watched(flat))
                        if waiting is None:
                            divergence.update(t + 1, flat, train_loss,
                                              None if test_loss is train_loss else test_loss)
                        else:
                            waiting.add(t, before, flat)
                    done = 1
                t += done
                self.t, self.flat = t, flat
                if (t // self.batches.per_epoch in self.record_epochs and t % self.batches.per_epoch == 0
                        and done == 1):
                    self._record(t // self.batches.per_epoch)
                if on_progress is not None and (t - start) // stride > (t - done - start) // stride:
                    on_progress(t / total)  # where the training stands, as the live chart's step: going on starts there
                if on_partial is not None and self.curves and time.monotonic() >= next_frame:
                    if waiting is not None:
                        waiting.flush()
                    on_partial(recorder.partial(t, total, self.runs))
                    next_frame = time.monotonic() + 1 / FRAMES_PER_SECOND
                ahead = every if self._replays_at(t) else 1  # the steps until the next chance to look
                if t == total or t - self.looked + ahead > every:  # as late as the kept weights allow
                    self.looked = t
                    if waiting is not None:
                        waiting.flush()
                    if divergence.resolve():
                        self.stopped_at = stop = max(divergence.at)  # the step at which the last run diverged
                        self.flat = divergence.recent[stop]
                        recorder.truncate(stop)
                        break
                    # whatever the total: a longer training drops its rows at the very same steps
                    dropped = compaction.drop_diverged(flat, self.group, divergence, self.watched) \
                        if self.compacts else None
                    if dropped is not None:
                        flat, self.group, self.watched = dropped
                        self.flat = flat
                        self.watch_rows = divergence.rows_of(self.watch_runs).to(self.device)

    def _record(self, epoch: int) -> None:
        """Every run's losses on both sets and norms at the end of `epoch`, as histories() finds them at the
        end of a training of that many epochs (the same evaluation of the same block)."""
        final = self.layout.views(self.divergence.every_run(self.flat))
        self._recorded[epoch] = (*self.evaluation(final), norms(final))

    def recorded(self, epoch: int) -> tuple[Tensor, Tensor, dict[str, Tensor]] | None:
        """(train loss, test loss, norms per parameter) of every run at the end of `epoch`, if recorded."""
        return self._recorded.get(epoch)

    def histories(self) -> list[History]:
        """Each configuration's History of the training so far (which may go on after)."""
        block = self.divergence.every_run(self.flat)
        final = self.layout.views(block)
        recorder = self.recorder.copy()  # its last point is this call's: a training that goes on has none yet
        recorder.finish(final, *self.evaluation(final))
        last_good = self.layout.views(self.divergence.last_good(block))
        return [recorder.history(c, r, self.factors, self.divergence, last_good)
                for c, r in zip(self.configs, self.runs, strict=True)]
