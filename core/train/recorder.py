"""What a training keeps of its runs: loss and norm curves, snapshots of the decayed weights,
and the History each configuration gets back.

A page drawing curves needs every step; a sweep needs only the final values, so without
curves only the first and last points are recorded (and a minibatch task skips the
per-step evaluation that recording would cost).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor

from core.train.divergence import Divergence, RunDivergence
from core.train.layout import Layout

if TYPE_CHECKING:
    from core.train.config import TrainConfig

SNAPSHOTS = 60  # weights kept for the step-through animation: enough frames, little memory


def decayed_norms(norms: dict[str, np.ndarray], decayed: Sequence[str]) -> np.ndarray:
    """The Frobenius norm of the decayed tensors together, from each one's (float64 numpy arrays alike)."""
    return np.sqrt(sum(norms[name] ** 2 for name in decayed))


@dataclass(frozen=True)
class History:
    """Per-step curves of every run as float64 numpy arrays; step 0 is before training."""

    config: TrainConfig
    lr_factor: np.ndarray  # (T,) schedule multiplier of each step
    train_loss: np.ndarray  # (G, T + 1), mean loss without the penalty
    test_loss: np.ndarray  # (G, T + 1); the training loss again for tasks without a test set
    norms: dict[str, np.ndarray]  # name -> (G, T + 1) Frobenius norm of that parameter
    final: dict[str, np.ndarray]  # name -> (G, ...) final weights (last finite ones)
    divergences: tuple[Divergence | None, ...]  # per run: where and why it diverged (core.train.divergence)
    decayed: tuple[str, ...] = field(default=())
    snapshot_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)  # decayed name -> (G, S, ...) at those steps

    @property
    def steps(self) -> int:
        return len(self.lr_factor)

    @property
    def diverged_at(self) -> tuple[int | None, ...]:
        return tuple(None if d is None else d.step for d in self.divergences)

    def decayed_norms(self) -> np.ndarray:
        """(G, T + 1) Frobenius norm of every decayed tensor together, per run and step."""
        return decayed_norms(self.norms, self.decayed)

    def decayed_weights(self, run: int) -> np.ndarray:
        """All decayed tensors of one run's final weights, flattened together (for histograms)."""
        return np.concatenate([self.final[name][run].ravel() for name in self.decayed])


@dataclass(frozen=True)
class Partial:
    """A run in progress as far as it got, for a page to draw while it trains: per configuration,
    the norm of its decayed tensors together and its training loss, (runs, step + 1) float64."""

    step: int
    total: int
    decayed_norms: tuple[np.ndarray, ...]
    train_loss: tuple[np.ndarray, ...]


def norms(params: dict[str, Tensor]) -> dict[str, Tensor]:
    """Per run, in float64, so a float32 run's norm does not overflow before its weights do."""
    return {name: p.detach().flatten(1).double().norm(dim=1) for name, p in params.items()}


def snapshot_steps(total_steps: int) -> set[int]:
    """The steps whose weights the step-through shows: SNAPSHOTS + 1 of them spread over the run, ends included."""
    return set(np.linspace(0, total_steps, min(total_steps, SNAPSHOTS) + 1).round().astype(int).tolist())


class Recorder:
    """Collects, step by step, the values a History is made of (all runs together)."""

    def __init__(self, total_steps: int, decayed: frozenset[str], curves: bool = True):
        self.curves, self.decayed = curves, tuple(sorted(decayed))
        self.train_losses: list[Tensor] = []
        self.test_losses: list[Tensor] = []
        self.norms: list[dict[str, Tensor]] = []
        self.snapshots: dict[int, dict[str, Tensor]] = {}
        self.snapshot_at = snapshot_steps(total_steps) if curves else set()

    def copy(self) -> Recorder:
        """Another recorder holding what this one recorded so far (the tensors shared, the lists its own)."""
        other = copy.copy(self)
        other.train_losses, other.test_losses = list(self.train_losses), list(self.test_losses)
        other.norms, other.snapshots = list(self.norms), dict(self.snapshots)
        return other

    def records(self, t: int) -> bool:
        """Whether the losses before step t are kept (then the trainer must compute them)."""
        return self.curves or t == 0

    def before_step(self, t: int, layout: Layout, flat: Tensor, train_loss: Tensor, test_loss: Tensor) -> None:
        """The weights (a (G, P) block) and losses before step t: a snapshot when one is due, the
        curves' point when kept."""
        if t not in self.snapshot_at and not self.records(t):
            return
        params = layout.views(flat)
        if t in self.snapshot_at:
            self._snapshot(t, params)
        if self.records(t):
            self._point(params, train_loss, test_loss)

    def before_steps(self, steps: Sequence[int], layout: Layout, flats: Sequence[Tensor],
                     stacked: dict[str, Tensor], train_losses: Tensor, test_losses: Tensor) -> None:
        """before_step for consecutive recorded steps at once: `stacked` holds their parameters with the
        steps as more runs (steps * G, ...), so each norm is one pass over all of them; the snapshots
        come from each step's own block in `flats` (a view of the stack would keep all of it alive);
        train_losses and test_losses are (steps, G)."""
        per_step = {name: v.view(len(flats), -1) for name, v in norms(stacked).items()}
        for i, (t, flat) in enumerate(zip(steps, flats, strict=True)):
            if t in self.snapshot_at:
                self._snapshot(t, layout.views(flat))
            self.train_losses.append(train_losses[i])
            self.test_losses.append(test_losses[i])
            self.norms.append({name: v[i] for name, v in per_step.items()})

    def partial(self, step: int, total: int, runs: Sequence[slice]) -> Partial:
        """What was recorded before step `step`, per slice of runs (one copy to the host per frame)."""
        decayed = torch.stack([torch.stack([n[name] for name in self.decayed]).square().sum(0).sqrt()
                               for n in self.norms], dim=1).double().cpu().numpy()
        losses = torch.stack(self.train_losses, dim=1).double().cpu().numpy()
        return Partial(step, total, tuple(decayed[r] for r in runs), tuple(losses[r] for r in runs))

    def truncate(self, steps: int) -> None:
        """Forget what was recorded before step `steps` and later (a trainer that noticed late
        that it could have stopped there)."""
        del self.train_losses[steps:], self.test_losses[steps:], self.norms[steps:]
        for t in [t for t in self.snapshots if t >= steps]:
            del self.snapshots[t]

    def finish(self, params: dict[str, Tensor], train_loss: Tensor, test_loss: Tensor) -> None:
        """The curves' last point: the weights after the final step taken."""
        if self.curves:
            self._snapshot(len(self.train_losses), params)
        self._point(params, train_loss, test_loss)

    def _snapshot(self, t: int, params: dict[str, Tensor]) -> None:
        self.snapshots[t] = {name: params[name].detach() for name in self.decayed}

    def _point(self, params: dict[str, Tensor], train_loss: Tensor, test_loss: Tensor) -> None:
        self.train_losses.append(train_loss.detach())
        self.test_losses.append(test_loss.detach())
        self.norms.append(norms(params))

    def _stack(self, values: list[Tensor], runs: slice, diverged_at: list[int | None]) -> np.ndarray:
        """(runs, points) as float64 numpy: each curve kept up to its divergence, blank after."""
        out = torch.stack(values, dim=1)[runs].double().cpu().numpy()
        for i, step in enumerate(diverged_at[runs]):
            if step is not None:
                out[i, step + 1 if self.curves else 1:] = np.nan
        return out

    def history(self, config: TrainConfig, runs: slice, lr_factor: Sequence[float],
                divergence: RunDivergence, final: dict[str, Tensor]) -> History:
        """One configuration's History from its slice of the runs; `final` is every run's last good weights."""
        at, steps = divergence.at, sorted(self.snapshots)
        return History(
            config=config,
            lr_factor=np.array(lr_factor),
            train_loss=self._stack(self.train_losses, runs, at),
            test_loss=self._stack(self.test_losses, runs, at),
            norms={name: self._stack([n[name] for n in self.norms], runs, at) for name in self.norms[0]},
            final={name: p[runs].double().cpu().numpy().copy() for name, p in final.items()},
            divergences=tuple(divergence.found[runs]),
            decayed=self.decayed,
            snapshot_steps=np.array(steps, dtype=int),
            snapshots={name: torch.stack([self.snapshots[t][name][runs] for t in steps], dim=1).double().cpu().numpy()
                       for name in self.decayed} if steps else {},
        )
