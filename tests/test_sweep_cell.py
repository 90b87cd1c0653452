"""core.train.sweep_cell: the chosen cell's curves taken from the sweep's own run are what training the cell
alone gives (train_together on its configuration under each optimizer, curves and all), and keeping them
leaves the sweep's grids as they were."""

from __future__ import annotations

import numpy as np
import pytest

from core.train.sweep import SweepConfig, run_sweep
from core.train.sweep_cell import cell_configs, run_sweep_and_cell
from core.train.training import train_together

SMALL = SweepConfig(resolution=(4, 3), epochs=3)
VIEWS = [  # (config, lr index, wd index)
    (SMALL, 1, 2),
    (SMALL, 3, 0),  # lr 1: SGD's cell diverges, the others do not
    (SweepConfig(resolution=(3, 3), epochs=3, log10_lr=(0.5, 1.0), optimizers=("sgd", "adam")), 2, 1),  # both diverge
    (SweepConfig(task="toy", resolution=(2, 2), epochs=2, optimizers=("adamw", "sgd"), decay="independent",
                 log10_wd=(-3.0, 0.0)), 1, 1),
]


def close(a, b) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("config, lr_index, wd_index", VIEWS)
def test_the_kept_cell_is_the_cell_trained_alone(config, lr_index, wd_index):
    grids, kept = run_sweep_and_cell(config, lr_index, wd_index)
    assert kept is not None
    alone = train_together(list(cell_configs(config, lr_index, wd_index)))
    assert [h.config for h in kept] == [h.config for h in alone]
    for mine, theirs in zip(kept, alone, strict=True):
        assert mine.train_loss.shape == theirs.train_loss.shape, mine.config.optimizer
        close(mine.train_loss, theirs.train_loss)
        close(mine.test_loss, theirs.test_loss)
        assert mine.norms.keys() == theirs.norms.keys()
        for name in mine.norms:
            close(mine.norms[name], theirs.norms[name])
        for name in mine.final:
            close(mine.final[name], theirs.final[name])
        assert mine.decayed == theirs.decayed
        assert [(d.step, d.reason) if d else None for d in mine.divergences] \
            == [(d.step, d.reason) if d else None for d in theirs.divergences]
        close([d.value for d in mine.divergences if d], [d.value for d in theirs.divergences if d])
        close(mine.lr_factor, theirs.lr_factor)
    for key, grid in run_sweep(config).items():  # keeping the cell changes nothing of the sweep
        for field in ("test_loss", "train_loss", "weight_norm", "diverged"):
            np.testing.assert_array_equal(getattr(grids[key], field), getattr(grid, field))


def test_the_views_cover_a_cell_that_diverges_and_one_where_all_do():
    found = [[h.divergences[0] is not None for h in run_sweep_and_cell(c, i, j)[1]] for c, i, j in VIEWS[1:3]]
    assert any(found[0]) and not all(found[0]) and all(found[1])


def test_a_sweep_that_stopped_early_keeps_no_cell():
    """Every run diverged, so the sweep stopped before its last step: too few steps kept for the cell's own
    curves (its check may stop it later), which is then trained alone."""
    config = SweepConfig(resolution=(2, 2), epochs=50, log10_lr=(3.0, 4.0), optimizers=("sgd",))
    found, cells = run_sweep_and_cell(config, 0, 0)
    assert cells is None and found["sgd"].diverged.all()
