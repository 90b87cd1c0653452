"""CSV exports hold the numbers the pages show."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from core.exports import history_csv, step_csv, sweep_csv
from core.step import StepConfig, run_step
from core.train.config import TrainConfig
from core.train.sweep import SweepConfig, run_sweep
from core.train.training import train


def test_step_csv_holds_every_matrix_and_the_seed_numbers():
    result = run_step(StepConfig("sgd", 0.1, 1.0, steps=3))
    frame = pd.read_csv(io.StringIO(step_csv(result)))
    after = frame[frame.matrix == "w_after"].pivot(index="row", columns="col", values="value").to_numpy()
    np.testing.assert_allclose(after, result.w_after)
    assert set(frame.matrix) == {"w_before", "gradient", "decay_term", "w_after_no_decay", "w_after", "difference",
                                 "w_t"}
    assert frame[frame.matrix == "w_t"].step.max() == 3


def test_history_csv_has_a_row_per_optimizer_decay_and_step():
    h = train(TrainConfig("seed", lrs=(0.1,), weight_decays=(0.0, 1.0), epochs=5))
    frame = pd.read_csv(io.StringIO(history_csv({"sgd": h})))
    assert len(frame) == 2 * 6 and {"train_loss", "test_loss", "norm_W"} <= set(frame.columns)
    np.testing.assert_allclose(frame[frame.weight_decay == 1.0].norm_W, h.norms["W"][1])


def test_sweep_csv_marks_diverged_cells():
    config = SweepConfig(task="seed", optimizers=("sgd",), resolution=(3, 3), epochs=40, log10_lr=(-2, 0),
                         log10_wd=(-1, 1.5))
    grids = run_sweep(config)
    frame = pd.read_csv(io.StringIO(sweep_csv(config, grids)))
    assert len(frame) == 9 and frame.diverged.sum() == grids["sgd"].diverged.sum()
    assert frame[frame.diverged].test_loss.isna().all()
