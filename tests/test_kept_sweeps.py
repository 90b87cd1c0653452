"""ui.kept_sweeps: the Sweep page's sweeps kept for every visitor: fewer epochs answered from one, a sweep in
another visitor's hands never waited for, one stopped mid-way replaced."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.train.sweep import SweepConfig, run_sweep
from core.train.sweep_cell import cell_configs
from ui import kept_sweeps
from ui.heavy import training_key
from ui.limits import kept_runs as store
from ui.limits import results_cache

CONFIG, CELL = SweepConfig(resolution=(3, 2), epochs=20, seed=777), (1, 1)  # a seed no other test uses; 80 steps


def same_grids(a, b) -> None:
    assert a.keys() == b.keys()
    for key in a:
        for field in ("test_loss", "train_loss", "weight_norm", "diverged"):
            np.testing.assert_array_equal(getattr(a[key], field), getattr(b[key], field))


def test_fewer_epochs_are_answered_from_the_kept_sweep_with_the_cells_curves():
    shorter = replace(CONFIG, epochs=18)
    assert kept_sweeps.answered(shorter) is None  # nothing kept yet
    same_grids(kept_sweeps.trained(CONFIG, CELL, lambda done: None), run_sweep(CONFIG))
    found = kept_sweeps.answered(shorter)
    same_grids(found, run_sweep(shorter))
    assert results_cache().get(training_key(cell_configs(shorter, *CELL)), None) is not None
    assert kept_sweeps.answered(replace(shorter, seed=778)) is None  # another view


def test_a_sweep_in_another_visitors_hands_is_not_waited_for():
    config = replace(CONFIG, seed=779)
    kept_sweeps.trained(config, CELL, lambda done: None)
    run = store().get(("sweep", replace(config, epochs=0)))
    with run.lock:  # another visitor is training it
        assert kept_sweeps.answered(replace(config, epochs=19)) is None
        same_grids(kept_sweeps.trained(replace(config, epochs=21), CELL, lambda done: None),
                   run_sweep(replace(config, epochs=21)))  # its own sweep, trained meanwhile


def test_a_sweep_stopped_mid_way_is_replaced():
    config = replace(CONFIG, seed=780)
    kept_sweeps.trained(config, CELL, lambda done: None)
    key = ("sweep", replace(config, epochs=0))
    store().get(key).broken = True
    assert kept_sweeps.answered(replace(config, epochs=19)) is None
    same_grids(kept_sweeps.trained(replace(config, epochs=19), CELL, lambda done: None),
               run_sweep(replace(config, epochs=19)))
    assert not store().get(key).broken
