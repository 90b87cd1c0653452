"""The chosen cell's curves from the sweep's own run, instead of training the cell again.

The cell is one of the sweep's runs under each optimizer (the same start, minibatch order and
rule), so while the grid trains, the cell's weights are kept after every step, and at the end they
are evaluated in one forward pass (every kept step as another run) into the History that training
the cell alone would give: config.cell(...) for each optimizer, trained together, curves and all
(tests/test_sweep_cell.py compares them). On the Sweep page this spared the 0.15-0.3 s of training
the chosen cell after the grid, every time the grid changed.

Steps are then taken one at a time (train_together's on_step), so a sweep on cuda, whose steps are
replayed in windows, trains its cell alone instead (core.train.replay).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from core.devices import resolve_device, resolve_dtype
from core.train.config import TrainConfig
from core.train.divergence import RunDivergence
from core.train.evaluation import Evaluation
from core.train.layout import Layout
from core.train.recorder import History, norms
from core.train.sweep import Grid, SweepConfig, grids, sweep_histories
from core.train.tasks import make_task


def cell_runs(config: SweepConfig, lr_index: int, wd_index: int) -> list[int]:
    """The cell's run under each optimizer, among all the sweep's runs (SweepConfig.grid_configs: one block of
    runs per optimizer, each row-major over wd, lr)."""
    row, per_optimizer = wd_index * config.resolution[0] + lr_index, config.resolution[0] * config.resolution[1]
    return [i * per_optimizer + row for i in range(len(config.optimizers))]


def cell_configs(config: SweepConfig, lr_index: int, wd_index: int) -> tuple[TrainConfig, ...]:
    """The cell's own configuration under each optimizer, in the sweep's order."""
    lr, wd = float(config.lrs[lr_index]), float(config.weight_decays[wd_index])
    return tuple(config.cell(key, lr, wd) for key in config.optimizers)


def run_sweep_and_cell(config: SweepConfig, lr_index: int, wd_index: int,
                       on_progress: Callable[[float], None] | None = None
                       ) -> tuple[dict[str, Grid], list[History] | None]:
    """The sweep's grids, and the cell's History under each optimizer (cell_configs' order); None for the
    cell when the sweep stopped early (every run diverged) and so did not keep every step it needs."""
    kept: list[Tensor] = []  # kept[t]: the cell's weights under every optimizer after step t, (optimizers, P)
    histories = sweep_histories(config, on_progress, watch=cell_runs(config, lr_index, wd_index),
                                on_step=lambda _t, weights: kept.append(weights))
    return grids(config, histories), kept_cell(config, lr_index, wd_index, histories[0].lr_factor, kept)


def kept_cell(config: SweepConfig, lr_index: int, wd_index: int, lr_factor: np.ndarray, kept: list[Tensor]
              ) -> list[History] | None:
    """The cell's Histories from its weights kept after every step of a sweep of len(lr_factor) steps, or None
    when the sweep stopped before its last step (every run diverged) and so did not keep all it needs."""
    if len(kept) < len(lr_factor) + 1:
        return None
    return cell_histories(cell_configs(config, lr_index, wd_index), lr_factor, kept)


def cell_histories(cells: tuple[TrainConfig, ...], lr_factor: np.ndarray, kept: list[Tensor]) -> list[History]:
    """What train_together(cells) records, from every step's weights: the losses on both sets and the norms
    before every step and after the last; the divergences as its check finds them (on those losses: a sweep's
    check, which records no curves, judges a minibatch's loss instead), each curve blank after its run
    diverged, and, once every cell has diverged, the curves cut where the last one did (where training the
    cells together stops)."""
    first = cells[0]
    task = make_task(first.task, **dict(first.task_options))
    device, dtype = resolve_device(first.device), resolve_dtype(first.dtype)
    layout = Layout(task.init_params(1, first.seed, dtype, device))
    stacked = torch.stack(kept)  # (steps + 1, cells, P): every kept step as more runs
    params = layout.views(stacked.reshape(-1, stacked.shape[-1]))
    with torch.no_grad():
        evaluation = Evaluation(task, task.data(first.seed, dtype, device))
        train, test = (v.view(len(kept), len(cells)) for v in evaluation(params))
        divergence = RunDivergence(kept[0], task.loss_is_nonnegative, window=len(kept))
        # each step judged on the losses of the weights before it, as training._Waiting.flush judges it
        divergence.update_steps(range(1, len(kept)), kept[1:], train[:-1], test[:-1] if task.has_test_set else None)
        divergence.resolve()
    at = divergence.at
    points = len(kept) if None in at else max(at) + 1
    last_good = divergence.last_good(kept[points - 1])
    per_name = {name: v.view(len(kept), len(cells)) for name, v in norms(params).items()}

    def curve(values: Tensor, i: int) -> np.ndarray:
        out = values[:points, i].double().cpu().numpy()[None, :].copy()
        if at[i] is not None:
            out[0, at[i] + 1:] = np.nan
        return out

    final = {name: v.double().cpu().numpy() for name, v in layout.views(last_good).items()}
    return [History(config=cell, lr_factor=np.array(lr_factor), train_loss=curve(train, i), test_loss=curve(test, i),
                    norms={name: curve(v, i) for name, v in per_name.items()},
                    final={name: v[i:i + 1].copy() for name, v in final.items()},
                    divergences=(divergence.found[i],), decayed=tuple(sorted(task.decayed)))
            for i, cell in enumerate(cells)]
