"""The sweep: each sampled cell equals a plain torch.optim run, diverged cells are marked
and kept out of the values, and the grid has the declared shape."""

from __future__ import annotations

import numpy as np
import pytest

from core.train.reference_loop import torch_optim_run
from core.train.sweep import MAX_RESOLUTION, SweepConfig, blown_up, run_sweep
from core.train.training import train_together

SMALL = dict(task="d2l", resolution=(5, 4), epochs=5, log10_lr=(-3.0, 0.5), log10_wd=(-3.0, 1.5))


@pytest.mark.parametrize("optimizer,options,decay", [
    ("sgd", (), "coupled"), ("sgd", (("momentum", 0.9),), "coupled"), ("adam", (), "coupled"),
    ("adamw", (), "coupled"), ("adam", (("amsgrad", True),), "coupled"), ("adamw", (), "independent"),
    ("sgd", (), "independent"),
])
def test_sampled_cells_equal_plain_torch_optim_runs(optimizer, options, decay):
    sweep = SweepConfig(**SMALL, optimizers=(optimizer,), options=((optimizer, options),), decay=decay)
    (config,) = sweep.grid_configs()
    (history,) = train_together([config], curves=False)
    shown = np.flatnonzero(~blown_up(history))  # the cells the heatmap shows a value for
    assert len(shown) >= 5
    for run in np.random.default_rng(0).choice(shown, size=5, replace=False):
        for name, expected in torch_optim_run(config, int(run)).items():
            assert np.abs(history.final[name][run] - expected.numpy()).max() <= 1e-9


def test_grid_shape_rows_are_weight_decays_and_columns_learning_rates():
    sweep = SweepConfig(**SMALL, optimizers=("sgd", "adamw"))
    grids = run_sweep(sweep)
    assert set(grids) == {"sgd", "adamw"}
    for grid in grids.values():
        for values in (grid.test_loss, grid.train_loss, grid.weight_norm, grid.diverged):
            assert values.shape == (4, 5)
    (config,) = SweepConfig(**SMALL, optimizers=("sgd",)).grid_configs()
    assert config.lrs[:5] == tuple(SweepConfig(**SMALL).lrs)  # first row: every lr at the lowest wd
    assert set(config.weight_decays[:5]) == {SweepConfig(**SMALL).weight_decays[0]}


def test_diverged_cells_are_marked_and_hold_no_value():
    sweep = SweepConfig(task="seed", optimizers=("sgd",), resolution=(4, 4), epochs=60,
                        log10_lr=(-2.0, 0.0), log10_wd=(-1.0, 1.5))
    grid = run_sweep(sweep)["sgd"]
    assert grid.diverged.any() and not grid.diverged.all()
    assert np.isnan(grid.test_loss[grid.diverged]).all() and np.isnan(grid.weight_norm[grid.diverged]).all()
    assert np.isfinite(grid.test_loss[~grid.diverged]).all()
    # lr * wd >= 2 blows the seed problem up: the top-right corner (largest lr and wd) must be diverged
    assert grid.diverged[-1, -1]


def test_best_cell_is_the_lowest_finite_test_loss():
    grid = run_sweep(SweepConfig(**SMALL, optimizers=("adamw",)))["adamw"]
    r, c = grid.best
    assert grid.test_loss[r, c] == np.nanmin(grid.test_loss)


@pytest.mark.parametrize("bad", [
    dict(resolution=(1, 4)), dict(resolution=(MAX_RESOLUTION + 1, 4)), dict(log10_lr=(0.0, -1.0)), dict(optimizers=()),
])
def test_bad_grids_are_refused_with_a_message(bad):
    with pytest.raises(ValueError):
        SweepConfig(**{**SMALL, **bad})
