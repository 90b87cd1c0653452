"""core.train.budget: the epochs slider's maximum is exactly the largest request check_request accepts."""

from __future__ import annotations

import pytest
import torch

from core.train.budget import max_epochs
from core.train.config import check_request, default_config, training_points
from core.train.sweep import MAX_RESOLUTION, SweepConfig
from core.train.tasks import TASKS, make_task


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("runs", [1, 12, 48, 3 * 24 * 24])
def test_max_epochs_is_accepted_and_one_more_is_refused(task, runs):
    most = max_epochs(task, runs)
    assert most >= 1
    config = default_config(task, weight_decays=(0.0,) * runs)
    check_request([default_config(task, weight_decays=(0.0,) * runs, epochs=most)])
    with pytest.raises(ValueError, match="at most"):
        check_request([config.__class__(**{**config.__dict__, "epochs": most + 1})])


@pytest.mark.parametrize("task", list(TASKS))
def test_the_largest_sweep_grid_fits_at_its_max_epochs(task):
    """The issue's refusal: 24 x 24 cells of three optimizers. At the slider's maximum the grid runs."""
    n = MAX_RESOLUTION
    epochs = max_epochs(task, 3 * n * n)
    check_request(SweepConfig(task=task, resolution=(n, n), epochs=epochs).grid_configs())
    with pytest.raises(ValueError):
        check_request(SweepConfig(task=task, resolution=(n, n), epochs=epochs + 1).grid_configs())


def test_more_runs_never_allow_more_epochs():
    for task in TASKS:
        maxima = [max_epochs(task, runs) for runs in (1, 10, 100, 1000)]
        assert maxima == sorted(maxima, reverse=True)


def test_training_points_count_what_each_tasks_data_holds():
    """One count of an epoch's examples for the budget, the refusal, the kept run's bytes and the steps sentence:
    the data's own, the toy task's set by its training fraction."""
    for key in TASKS:
        data = make_task(key).data(0, torch.float64, torch.device("cpu"))
        assert training_points(key) == len(data.x_train)
    assert training_points("toy", (("train_fraction", 0.9),)) > training_points("toy", (("train_fraction", 0.1),))
