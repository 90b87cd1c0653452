"""The one divergence criterion: each reason, its order, its message, and that the single step,
the training page and the sweep all judge a run by it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.step import StepConfig, run_step
from core.train.divergence import LOSS_GROWTH, WEIGHT_LIMIT, Divergence, criterion, first_divergence, reason_codes
from core.train.sweep import SweepConfig, blown_up
from core.train.training import TrainConfig, train, train_together


def test_each_reason_and_the_earliest_wins():
    peak = torch.tensor([1.0, float("nan"), 2 * WEIGHT_LIMIT, 1.0, 1.0, float("inf")], dtype=torch.float64)
    loss = torch.tensor([1.0, 1.0, 1.0, float("inf"), 2 * LOSS_GROWTH, float("nan")], dtype=torch.float64)
    codes = reason_codes(peak, loss, torch.ones(6, dtype=torch.float64))
    assert codes.tolist() == [0, 1, 2, 3, 4, 1]


def test_loss_growth_needs_a_positive_start():
    peak = torch.ones(2, dtype=torch.float64)
    codes = reason_codes(peak, torch.tensor([500.0, 500.0]), torch.tensor([0.0, -1.0]))
    assert codes.tolist() == [0, 0]


def test_a_loss_overflow_says_the_weights_were_finite():
    """The defect: 'a weight became inf/NaN' when it was the loss that overflowed (weights ~1e153)."""
    weights = torch.tensor([[1.0], [1e5], [3e5]], dtype=torch.float64)
    d = first_divergence(weights, torch.tensor([1.0, 2.0, float("inf")]))
    assert d == Divergence(2, "loss_overflow", 3e5)
    assert "loss overflowed" in d.message() and "weights were still finite" in d.message()
    assert "weight became" not in d.message()


def test_criterion_sentence_is_built_from_the_constants():
    text = criterion()
    assert "1e6" in text and "100" in text


def test_training_at_lr_1_adamw_wd_3_is_flagged():
    """The defect: d2l at lr=1, AdamW wd=3 reached 1e135 with no warning."""
    h = train(TrainConfig(task="d2l", optimizer="adamw", lrs=(1.0,), weight_decays=(3.0,), epochs=100))
    d = h.divergences[0]
    assert d is not None and d.reason in ("weights", "loss_growth")
    finite = h.norms["w"][0][np.isfinite(h.norms["w"][0])]
    assert finite.max() <= WEIGHT_LIMIT * np.sqrt(200)  # the curve stops before the blow-up goes on


def test_single_step_training_and_sweep_share_the_criterion():
    """The same seed run diverges at the same step on the single-step page and the training page."""
    step = run_step(StepConfig("sgd", lr=0.25, weight_decay=10.0, steps=200))
    h = train(TrainConfig(task="seed", lrs=(0.25,), weight_decays=(10.0,), epochs=200, seed=123))
    assert step.divergence.reason == h.divergences[0].reason == "weights"
    assert step.divergence.step == h.divergences[0].step
    config = SweepConfig(task="d2l", optimizers=("adamw",), log10_lr=(-3.0, 0.0), log10_wd=(-1.0, 1.0),
                         resolution=(3, 2), epochs=20)
    (history,) = train_together(config.grid_configs(), curves=False)
    for run, flagged in enumerate(blown_up(history)):
        lr, wd = history.config.lrs[run], history.config.weight_decays[run]
        alone = train(config.cell("adamw", lr, wd))
        assert flagged == (alone.divergences[0] is not None)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_the_criterion_judges_a_cuda_run_like_a_cpu_run():
    """Found on an H200: the single step's weights on cuda and its losses on the host met in one
    torch.where and raised. Each run is now judged wherever its tensors live."""
    cpu, gpu = (run_step(StepConfig("sgd", lr=0.25, weight_decay=10.0, steps=200, device=d)) for d in ("cpu", "cuda"))
    assert cpu.divergence == gpu.divergence
