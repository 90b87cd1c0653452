"""core.train.sweep_run: a kept sweep answers for fewer epochs (its last recorded ones) and goes on to
more, and every answer (the grids, the chosen cell's curves) is what training that sweep afresh gives."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.train.sweep import SweepConfig
from core.train.sweep_cell import run_sweep_and_cell
from core.train.sweep_run import RECORDED_EPOCHS, SweepRun, recorded_epochs

VIEWS = {  # d2l records ten epochs, the seed task's short sweep two, the toy task's none (recorded_epochs)
    "d2l": (SweepConfig(resolution=(3, 3), log10_lr=(-3.0, 0.5), epochs=100), (2, 1)),
    "seed, a diverging cell": (SweepConfig(task="seed", optimizers=("sgd", "adamw"), log10_lr=(-2.0, 1.0),
                                           resolution=(3, 2), epochs=90), (2, 0)),
    "toy": (SweepConfig(task="toy", optimizers=("sgd",), resolution=(2, 2), epochs=12), (0, 1)),
}


def assert_same_answer(mine, fresh) -> None:
    (grids, cells), (their_grids, their_cells) = mine, fresh
    assert grids.keys() == their_grids.keys()
    for key, grid in grids.items():
        for field in ("test_loss", "train_loss", "weight_norm", "diverged"):
            np.testing.assert_array_equal(getattr(grid, field), getattr(their_grids[key], field), err_msg=field)
    assert (cells is None) == (their_cells is None)
    for a, b in zip(cells or [], their_cells or [], strict=True):
        assert a.config == b.config and a.divergences == b.divergences
        for name in ("train_loss", "test_loss", "lr_factor"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        for name in a.norms:
            np.testing.assert_array_equal(a.norms[name], b.norms[name])


@pytest.mark.parametrize("view", list(VIEWS))
def test_a_kept_sweep_answers_for_its_last_epochs_and_goes_on_as_a_fresh_one(view):
    config, cell = VIEWS[view]
    run = SweepRun(config, cell)
    assert not run.answers(config)
    run.train(config)
    recorded = recorded_epochs(config.epochs, run.training.batches.per_epoch)
    fewest = recorded.start if recorded else config.epochs
    for epochs in sorted({config.epochs, config.epochs - 1, fewest}):
        shorter = replace(config, epochs=epochs)
        assert run.answers(shorter) == (epochs >= fewest)
        if epochs >= fewest:
            assert_same_answer(run.result(shorter), run_sweep_and_cell(shorter, *cell))
    assert not run.answers(replace(config, epochs=fewest - 1))
    assert not run.answers(replace(config, epochs=config.epochs + 1))
    assert not run.answers(replace(config, seed=config.seed + 1))
    longer = replace(config, epochs=config.epochs + 2)
    assert run.goes_on_to(longer) and not run.goes_on_to(replace(config, epochs=fewest - 1))
    run.train(longer)
    now_recorded = recorded_epochs(longer.epochs, run.training.batches.per_epoch)
    for epochs in (longer.epochs, config.epochs + 1):
        asked = replace(config, epochs=epochs)
        assert run.answers(asked) == (epochs == longer.epochs or epochs in now_recorded)
        if run.answers(asked):
            assert_same_answer(run.result(asked), run_sweep_and_cell(asked, *cell))


def test_a_sweep_records_as_many_epochs_as_its_length_pays_for():
    assert recorded_epochs(100, 4) == range(100 - RECORDED_EPOCHS, 101)  # d2l's default sweep: 400 steps
    assert recorded_epochs(90, 1) == range(88, 91)
    assert recorded_epochs(25, 1) == range(0)  # the toy task's default sweep: 25 full-batch steps


def test_past_the_step_where_every_run_diverged_every_epoch_count_is_answered():
    config = SweepConfig(resolution=(2, 2), epochs=30, log10_lr=(3.0, 4.0), optimizers=("sgd",))
    run = SweepRun(config, (0, 0))
    run.train(config)
    assert run.training.stopped_at is not None
    short = replace(config, epochs=2)
    assert run.answers(short)
    assert_same_answer(run.result(short), run_sweep_and_cell(short, 0, 0))


def test_it_refuses_what_it_cannot_answer():
    config, cell = VIEWS["toy"]
    run = SweepRun(config, cell)
    run.train(config)
    with pytest.raises(ValueError, match="does not answer"):
        run.result(replace(config, epochs=1))
    with pytest.raises(ValueError, match="goes on only"):
        run.train(replace(config, epochs=1))
    assert run.nbytes() > 0


def test_a_training_stopped_mid_way_answers_nothing_after():
    """A rerun stops the page's script inside a progress report: the kept sweep is then between two epoch
    counts and must not answer for either (ui.kept_sweeps trains a new one)."""
    config, cell = VIEWS["d2l"]
    run = SweepRun(config, cell)
    run.train(config)
    longer = replace(config, epochs=config.epochs + 5)

    def interrupted(done: float) -> None:
        if done > 0.3:
            raise KeyboardInterrupt  # what Streamlit's StopException is to this code: not an Exception either

    with pytest.raises(KeyboardInterrupt):
        run.train(longer, interrupted)
    assert not run.answers(config) and not run.answers(longer) and not run.goes_on_to(longer)
