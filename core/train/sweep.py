"""The sweep lab: a learning-rate x weight-decay grid, every cell trained at once.

Each optimizer's grid is one TrainConfig whose runs are the cells (each its own lr and
weight_decay); all optimizers of a sweep share one program through train_together. Only
final values are recorded; a chosen cell's curves come from its own run, or from the sweep's
(core.train.sweep_cell).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from torch import Tensor

from core.train.config import TrainConfig
from core.train.training import History, train_together

MAX_RESOLUTION = 24  # cells per axis: 24 x 24 = 576 runs per optimizer
DECAY_MODES = {  # how the wd axis is parameterized; both run through torch.optim's own weight_decay
    "coupled": "PyTorch's: the shrink per step is lr·wd (AdamW, and plain SGD's L2 term)",
    "independent": "independent of lr: the shrink per step is wd·(schedule factor), as in Loshchilov & Hutter's "
                   "paper and optax's add_decayed_weights; computed as torch's weight_decay = wd / lr",
}
DEFAULT_LOG10_WD = {"coupled": (-3.0, 3.0), "independent": (-5.0, 1.0)}  # the d2l optimum inside the grid


@dataclass(frozen=True)
class SweepConfig:
    """Plain values: log10 ranges of both axes, the resolution and what to train."""

    task: str = "d2l"
    task_options: tuple[tuple[str, object], ...] = ()
    optimizers: tuple[str, ...] = ("sgd", "adam", "adamw")
    options: tuple[tuple[str, tuple[tuple[str, float | bool], ...]], ...] = ()  # per optimizer
    log10_lr: tuple[float, float] = (-4.0, 0.0)
    log10_wd: tuple[float, float] = DEFAULT_LOG10_WD["coupled"]
    resolution: tuple[int, int] = (12, 12)  # (lr cells, wd cells)
    decay: str = "coupled"  # a key of DECAY_MODES
    epochs: int = 100
    seed: int = 0
    dtype: str = "float64"
    device: str = "cpu"

    def __post_init__(self):
        n_lr, n_wd = self.resolution
        if not (2 <= n_lr <= MAX_RESOLUTION and 2 <= n_wd <= MAX_RESOLUTION):
            raise ValueError(f"Grid resolution must be between 2 and {MAX_RESOLUTION} per axis, got {self.resolution}")
        for name, (lo, hi) in (("learning-rate", self.log10_lr), ("weight-decay", self.log10_wd)):
            if not lo < hi:
                raise ValueError(f"The {name} range must go from low to high, got 1e{lo:g} to 1e{hi:g}")
        if not self.optimizers:
            raise ValueError("Choose at least one optimizer to sweep")
        if self.decay not in DECAY_MODES:
            raise ValueError(f"Unknown decay parameterization {self.decay!r}; choose one of {sorted(DECAY_MODES)}")

    @property
    def lrs(self) -> np.ndarray:
        return np.logspace(*self.log10_lr, self.resolution[0])

    @property
    def weight_decays(self) -> np.ndarray:
        return np.logspace(*self.log10_wd, self.resolution[1])

    def torch_weight_decay(self, lr, weight_decay):
        """torch's weight_decay for a cell: the axis value when coupled; wd / lr when independent,
        so that torch's per-step shrink lr_t·weight_decay becomes wd·(lr_t / lr), lr-free."""
        return weight_decay if self.decay == "coupled" else weight_decay / lr

    def cell(self, optimizer: str, lr: float, weight_decay: float) -> TrainConfig:
        """The ordinary single-run configuration of one cell (for its curves, or a check)."""
        return TrainConfig(task=self.task, task_options=self.task_options, optimizer=optimizer,
                           options=dict(self.options).get(optimizer, ()), lrs=(float(lr),),
                           weight_decays=(float(self.torch_weight_decay(lr, weight_decay)),), epochs=self.epochs,
                           seed=self.seed, dtype=self.dtype, device=self.device)

    def grid_configs(self) -> list[TrainConfig]:
        """One config per optimizer whose runs are the cells, row-major over (wd, lr)."""
        lr_grid, wd_grid = np.meshgrid(self.lrs, self.weight_decays)
        return [TrainConfig(task=self.task, task_options=self.task_options, optimizer=opt,
                            options=dict(self.options).get(opt, ()), lrs=tuple(map(float, lr_grid.ravel())),
                            weight_decays=tuple(map(float, self.torch_weight_decay(lr_grid, wd_grid).ravel())),
                            epochs=self.epochs, seed=self.seed,
                            dtype=self.dtype, device=self.device) for opt in self.optimizers]


@dataclass(frozen=True)
class Grid:
    """One optimizer's final values, each (n_wd, n_lr): rows are weight decays, columns lrs.
    A diverged cell holds NaN and is True in `diverged`."""

    optimizer: str
    test_loss: np.ndarray
    train_loss: np.ndarray
    weight_norm: np.ndarray  # ||W|| over every decayed tensor together
    diverged: np.ndarray

    @property
    def best(self) -> tuple[int, int] | None:
        """(row, col) of the lowest final test loss among cells that did not diverge."""
        if np.isnan(self.test_loss).all():
            return None
        return tuple(int(i) for i in np.unravel_index(np.nanargmin(self.test_loss), self.test_loss.shape))


def blown_up(history: History) -> np.ndarray:
    """Per run: diverged by core.train.divergence's one criterion (inf/NaN, weights past their
    limit, or a training loss past LOSS_GROWTH times its start). Such a cell is diverged,
    not a colour on the heatmap."""
    return np.array([d is not None for d in history.divergences])


def grid_of(optimizer: str, train_loss: np.ndarray, test_loss: np.ndarray, decayed_norm: np.ndarray,
            diverged: np.ndarray, shape: tuple[int, int]) -> Grid:
    """One optimizer's Grid from its runs' final values, each (runs,): a diverged cell, or a loss that is not
    finite, is NaN."""
    diverged = diverged.reshape(shape)

    def final(values: np.ndarray) -> np.ndarray:
        out = values.reshape(shape).copy()
        out[diverged | ~np.isfinite(out)] = np.nan
        return out

    norm = decayed_norm.reshape(shape).copy()
    norm[diverged] = np.nan
    return Grid(optimizer, final(test_loss), final(train_loss), norm, diverged)


def _grid(history: History, shape: tuple[int, int]) -> Grid:
    return grid_of(history.config.optimizer, history.train_loss[:, -1], history.test_loss[:, -1],
                   history.decayed_norms()[:, -1], blown_up(history), shape)


def sweep_histories(config: SweepConfig, on_progress: Callable[[float], None] | None = None,
                    watch: Sequence[int] = (), on_step: Callable[[int, Tensor], None] | None = None) -> list[History]:
    """Each optimizer's History of final values, its runs the cells (train_together's watch and on_step passed
    on)."""
    return train_together(config.grid_configs(), on_progress, curves=False, watch=watch, on_step=on_step)


def grids(config: SweepConfig, histories: list[History]) -> dict[str, Grid]:
    shape = (config.resolution[1], config.resolution[0])
    return {h.config.optimizer: _grid(h, shape) for h in histories}


def run_sweep(config: SweepConfig, on_progress: Callable[[float], None] | None = None) -> dict[str, Grid]:
    return grids(config, sweep_histories(config, on_progress))
