"""core.train.training.Training: a training without curves on a constant lr that goes on for more epochs
(extend) is, bit for bit, the training asked for those epochs from the start; its History mid-way is that of
the shorter training; the final values it records at an epoch's end are those of a training of that many
epochs. What the Sweep page's Epochs slider stands on (core.train.sweep_run)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.train.config import TrainConfig
from core.train.minibatch import Minibatches
from core.train.sweep import SweepConfig
from core.train.training import Training, train_together

SWEEPS = {
    "d2l, three optimizers": SweepConfig(resolution=(4, 3), epochs=3),
    "d2l, wide lrs": SweepConfig(optimizers=("sgd", "adamw"), options=(("sgd", (("momentum", 0.9),)),),
                                 log10_lr=(-2.0, 1.0), resolution=(5, 3), epochs=2),
    "seed": SweepConfig(task="seed", optimizers=("sgd", "adam"), log10_lr=(-2.0, 1.0), resolution=(4, 4), epochs=4),
    "toy": SweepConfig(task="toy", optimizers=("adam", "sgd"), log10_lr=(-1.0, 1.5), resolution=(3, 2), epochs=3),
    "every run diverges": SweepConfig(optimizers=("sgd",), log10_lr=(3.0, 4.0), resolution=(2, 2), epochs=2),
}


def configs_for(sweep: SweepConfig, epochs: int) -> list[TrainConfig]:
    return replace(sweep, epochs=epochs).grid_configs()


def assert_same(a, b) -> None:
    assert a.config == b.config
    assert a.divergences == b.divergences
    for name in ("train_loss", "test_loss", "lr_factor"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for field in ("norms", "final"):
        assert getattr(a, field).keys() == getattr(b, field).keys()
        for name in getattr(a, field):
            np.testing.assert_array_equal(getattr(a, field)[name], getattr(b, field)[name], err_msg=field)


@pytest.mark.parametrize("case", list(SWEEPS))
def test_a_training_that_goes_on_is_the_longer_training(case):
    sweep = SWEEPS[case]
    watch = [0, sum(c.runs for c in sweep.grid_configs()) - 1]
    kept_on, kept_fresh = [], []
    training = Training(configs_for(sweep, sweep.epochs), curves=False, watch=watch,
                        on_step=lambda t, w: kept_on.append(w.clone()))
    training.run()
    for mine, fresh in zip(training.histories(), train_together(configs_for(sweep, sweep.epochs), curves=False),
                           strict=True):
        assert_same(mine, fresh)  # mid-way: the shorter training's
    longer = sweep.epochs + 3
    training.extend(longer)
    training.run()
    fresh = train_together(configs_for(sweep, longer), curves=False, watch=watch,
                           on_step=lambda t, w: kept_fresh.append(w.clone()))
    for mine, theirs in zip(training.histories(), fresh, strict=True):
        assert_same(mine, theirs)
    assert len(kept_on) == len(kept_fresh)
    for a, b in zip(kept_on, kept_fresh, strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("case", [c for c in SWEEPS if c != "every run diverges"])
def test_the_values_recorded_at_an_epochs_end_are_the_shorter_trainings_final_ones(case):
    sweep = SWEEPS[case]
    training = Training(configs_for(sweep, sweep.epochs + 2), curves=False)
    training.record_epochs = {1, sweep.epochs}
    training.run()
    for epochs in (1, sweep.epochs):
        train, test, norms = training.recorded(epochs)
        fresh = train_together(configs_for(sweep, epochs), curves=False)
        alive = np.concatenate([[d is None for d in h.divergences] for h in fresh])
        np.testing.assert_array_equal(train.double().numpy()[alive],
                                      np.concatenate([h.train_loss[:, -1] for h in fresh])[alive])
        np.testing.assert_array_equal(test.double().numpy()[alive],
                                      np.concatenate([h.test_loss[:, -1] for h in fresh])[alive])
        for name, values in norms.items():
            np.testing.assert_array_equal(values.numpy()[alive],
                                          np.concatenate([h.norms[name][:, -1] for h in fresh])[alive])
    assert training.recorded(sweep.epochs + 1) is None  # not asked for


def test_only_a_training_on_a_constant_lr_goes_on():
    with pytest.raises(ValueError, match="constant lr"):
        Training([TrainConfig(epochs=2, schedule="cosine")], curves=False).extend(3)
    with pytest.raises(ValueError, match="constant lr"):
        Training([TrainConfig(epochs=2)], curves=False).extend(1)
    with pytest.raises(ValueError, match="A run is limited"):
        Training([TrainConfig(epochs=2)], curves=False).extend(10**6)


def test_more_epochs_drawn_later_are_the_ones_drawn_at_the_start():
    later = Minibatches(20, 5, 3, epochs=4)
    later.extend(9)
    at_once = Minibatches(20, 5, 3, epochs=9)
    assert torch.equal(later.steps(0, 36), at_once.steps(0, 36))


def test_a_training_that_goes_on_reports_progress_from_where_it_stands():
    """Its live chart draws every step from 0 ("step 352 of 450"): the progress bar beside it said 61 % there,
    the share of the added steps only. Now both say where the training stands."""
    sweep = SWEEPS["d2l, three optimizers"]
    training = Training(configs_for(sweep, sweep.epochs), curves=False)
    training.run()
    reported: list[float] = []
    training.extend(2 * sweep.epochs)
    training.run(on_progress=reported.append)
    assert reported and reported[0] > 0.5 and reported[-1] == 1.0 and reported == sorted(reported)
