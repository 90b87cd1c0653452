"""A Training page run kept after it trained, to answer for other epoch counts: the page's Epochs slider.

A training on a constant lr keeps its weights after every step (when they fit KEEP_BYTES). A training of
fewer epochs is then this one cut at its last step: the same weights bit for bit up to there, so its final
and last good weights, its divergences and the snapshots the step-through shows (spaced over the shorter
run) come from the kept weights, and its curves are this run's up to that step, their last point evaluated
afresh from those weights, as the shorter training evaluates it. A training of more epochs goes on from
here (core.train.training.Training.extend) and trains only the steps added. The curves agree with a
training asked for afresh to rounding: curves are evaluated a window of steps at a time, and a window's
width moves a value in its last bits (tests/test_kept_training.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch
from torch import Tensor

from core.train.config import TrainConfig, training_points
from core.train.divergence import RunDivergence
from core.train.layout import Layout
from core.train.minibatch import steps_per_epoch
from core.train.recorder import History, Partial, snapshot_steps
from core.train.resumable import Resumable
from core.train.tasks import make_task
from core.train.training import Training

KEEP_BYTES = 16 * 2**20  # the most a training's kept weights may take (d2l's default run: 7.7 MB, the toy's 6.5 MB)


def view_of(configs) -> tuple[TrainConfig, ...]:
    """What a KeptTraining answers for whatever the epochs: the configurations without them."""
    return tuple(replace(c, epochs=0) for c in configs)


def kept_bytes(configs) -> int:
    """The bytes of the weights after every step of a training of configs (its runs, parameters and steps)."""
    first = configs[0]
    task = make_task(first.task, **dict(first.task_options))
    size = Layout(task.init_params(1, first.seed, torch.float64, torch.device("cpu"))).size
    steps = first.epochs * steps_per_epoch(training_points(first.task, first.task_options, first.seed),
                                           task.batch_size)
    itemsize = torch.finfo(torch.float32 if first.dtype == "float32" else torch.float64).bits // 8
    return sum(c.runs for c in configs) * size * itemsize * (steps + 1)


def keepable(configs) -> bool:
    """A training that can be kept: a constant lr, on the cpu, weights after every step within KEEP_BYTES."""
    first = configs[0]
    return first.schedule == "constant" and first.device == "cpu" and kept_bytes(configs) <= KEEP_BYTES


class _Found:
    """The divergences found by a step, as Recorder.history reads them (`at`, `found`)."""

    def __init__(self, divergence: RunDivergence, steps: int):
        self.found = divergence.found_by(steps)
        self.at = [None if d is None else d.step for d in self.found]


class KeptTraining(Resumable):
    """A training of `configs` (trained together), trained to their epochs by train()."""

    def __init__(self, configs):
        self.weights: list[Tensor] = []  # weights[t]: every run's weights after step t, (runs, P)
        runs = sum(c.runs for c in configs)
        super().__init__(view_of(configs), Training(configs, curves=True, watch=range(runs),
                                                    on_step=lambda _t, weights: self.weights.append(weights)))

    def answers(self, configs) -> bool:
        """Whether result(configs) needs no training: this view, at most the epochs trained."""
        return self.holds(view_of(configs), configs[0].epochs)

    def goes_on_to(self, configs) -> bool:
        return self.continues(view_of(configs), configs[0].epochs)

    def train(self, configs, on_progress: Callable[[float], None] | None = None,
              on_partial: Callable[[Partial], None] | None = None, first_frame_after: float = 0.0) -> None:
        """Train on to configs' epochs (goes_on_to(configs) must hold); a frame to on_partial as train_together."""
        if not self.goes_on_to(configs):
            raise ValueError("A training goes on only to more epochs of the same view")
        self.go_on(configs[0].epochs, None, on_progress, on_partial, first_frame_after)

    def result(self, configs) -> list[History]:
        """Each configuration's History as train_together(configs) gives it (answers(configs) must hold)."""
        if not self.answers(configs):
            raise ValueError("This training does not answer for that view or number of epochs")
        training = self.training
        steps = configs[0].epochs * training.batches.per_epoch
        stop = training.stopped_at
        points = stop if stop is not None and stop <= steps else steps  # a shorter training stops there too
        found = _Found(training.divergence, steps)
        recorder = training.recorder.copy()
        del recorder.train_losses[points:], recorder.test_losses[points:], recorder.norms[points:]
        layout = training.layout
        recorder.snapshots = {}
        for t in sorted(snapshot_steps(steps)):
            if t < points:
                params = layout.views(self.weights[t])
                recorder.snapshots[t] = {name: params[name] for name in recorder.decayed}
        final = self.weights[points]
        params = layout.views(final)
        recorder.finish(params, *training.evaluation(params))
        good = layout.views(training.divergence.last_good(final, until=steps))
        factors = training.factors[:steps]
        return [recorder.history(c, r, factors, found, good) for c, r in zip(configs, training.runs, strict=True)]

    def kept_tensors(self) -> list[Tensor]:
        return self.weights
