"""The one divergence criterion: each reason, its order, its message, and that the single step,
the training page and the sweep all judge a run by it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.step import StepConfig, run_step
from core.train.config import TrainConfig
from core.train.divergence import LOSS_GROWTH, WEIGHT_LIMIT, Divergence, criterion, first_divergence, reason_codes
from core.train.sweep import SweepConfig, blown_up
from core.train.training import train, train_together


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


def test_the_flags_resolved_later_name_the_step_and_reason_a_per_step_check_names():
    """RunDivergence flags every step on the device and names reasons only when resolved: the
    first flagged step and its reason must be those of reason_codes judged step by step."""
    from core.train.divergence import REASONS, RunDivergence, reason_codes

    gen = torch.Generator().manual_seed(3)
    runs, steps, window = 40, 30, 4
    peaks = torch.rand(steps + 1, runs, generator=gen, dtype=torch.float64) * 10
    losses = torch.rand(steps, runs, generator=gen, dtype=torch.float64) + 0.5
    for i in range(runs):  # a bad value somewhere in most runs, of every kind
        t = int(torch.randint(1, steps + 1, (1,), generator=gen))
        kind = i % 5
        if kind == 0:
            peaks[t, i] = float("nan")
        elif kind == 1:
            peaks[t, i] = 2 * WEIGHT_LIMIT
        elif kind == 2:
            losses[t - 1, i] = float("inf")
        elif kind == 3:
            losses[t - 1, i] = 1000.0 * losses[0, i]
    divergence = RunDivergence(peaks[0].reshape(-1, 1), judge_growth=True, window=window)
    for t in range(1, steps + 1):
        divergence.update(t, peaks[t].reshape(-1, 1), losses[t - 1])
        if t % window == 0 or t == steps:
            divergence.resolve()
    finite_losses = torch.where(torch.isfinite(losses), losses, torch.nan)
    codes = reason_codes(peaks[1:], finite_losses, losses[:1].expand_as(losses))
    for i in range(runs):
        bad = torch.nonzero(codes[:, i]).flatten()
        if bad.numel() == 0:
            assert divergence.found[i] is None
            continue
        k = int(bad[0])
        found = divergence.found[i]
        assert (found.step, found.reason) == (k + 1, REASONS[codes[k, i] - 1])
        assert torch.equal(divergence.last_good(peaks[-1].reshape(-1, 1))[i], peaks[k, i].reshape(1))
    assert divergence.found_by(steps) == divergence.found
    for cut in range(steps + 1):  # a training cut at step `cut` has found what came by then, each run's own
        by_then = divergence.found_by(cut)
        assert [d is not None for d in by_then] == [d is not None and d.step <= cut for d in divergence.found]
        assert all(d is None or d is divergence.found[i] for i, d in enumerate(by_then))


def test_runs_that_diverge_at_many_steps_are_named_from_one_read_of_the_device(monkeypatch):
    """Naming reads the flags once and the fresh runs' evidence once, however many different steps
    they diverged at: on cuda every read waits for the device (a 24 x 24 sweep's runs diverge at
    dozens of steps), and each read used to be several per step."""
    from core.train.divergence import RunDivergence

    runs = 6
    flat = torch.zeros(runs, 3, dtype=torch.float64)
    divergence = RunDivergence(flat, window=8)
    for step in range(1, runs + 1):  # run r blows up at step r + 1, its loss at step r + 1 stays finite
        after = flat.clone()
        after[:step] = 2 * WEIGHT_LIMIT
        divergence.update(step, after, torch.ones(runs, dtype=torch.float64))
    reads = []
    cpu = torch.Tensor.cpu
    monkeypatch.setattr(torch.Tensor, "cpu", lambda self, *a, **k: (reads.append(1), cpu(self, *a, **k))[1])
    divergence.resolve()
    assert [d.step for d in divergence.found] == [1, 2, 3, 4, 5, 6]
    assert {d.reason for d in divergence.found} == {"weights"}
    assert len(reads) == 2  # the flags, then every fresh run's evidence


def assert_same_history(a, b):
    assert a.divergences == b.divergences
    for name in ("train_loss", "test_loss", "lr_factor", "snapshot_steps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for field in ("norms", "final", "snapshots"):
        assert getattr(a, field).keys() == getattr(b, field).keys()
        for name in getattr(a, field):
            np.testing.assert_array_equal(getattr(a, field)[name], getattr(b, field)[name], err_msg=f"{field}.{name}")


@pytest.mark.parametrize("case", ["sweep", "all runs diverge", "training page"])
def test_looking_every_few_steps_gives_what_a_look_every_step_gives(monkeypatch, case):
    """On a GPU the trainer looks at its divergence flags every CHECK_EVERY steps (each look waits for
    the device); the histories, including a stop once every run has diverged, must be those of a look
    after every step. Bit for bit, so the sweep keeps its diverged runs here: it drops them at its looks
    (core.train.compaction), and a narrower block's GEMM may round otherwise (tests/test_compaction.py)."""
    from core.train import compaction, training

    if case == "sweep":
        configs = SweepConfig(task="d2l", optimizers=("sgd", "adamw"), log10_lr=(-2.0, 0.5), log10_wd=(-1.0, 1.5),
                              resolution=(4, 4), epochs=25).grid_configs()
        curves = False
    elif case == "all runs diverge":
        configs = [TrainConfig(task="seed", lrs=(1.0,), weight_decays=(10.0, 12.0), epochs=500, dtype="float32")]
        curves = True
    else:
        configs = [TrainConfig(task="toy", optimizer="adam", lrs=(0.5,), weight_decays=(0.0, 1.0), epochs=30)]
        curves = True
    monkeypatch.setattr(training, "LOOK_EVERY_STEP_ON", ())  # windows on the cpu too, as on a GPU
    monkeypatch.setattr(training, "CHECK_EVERY", 7)
    monkeypatch.setattr(compaction, "LEAST_SHARE", float("inf"))
    seldom = train_together(configs, curves=curves)
    monkeypatch.setattr(training, "CHECK_EVERY", 1)
    always = train_together(configs, curves=curves)
    for a, b in zip(seldom, always, strict=True):
        assert_same_history(a, b)
    if case == "all runs diverge":
        assert seldom[0].train_loss.shape[1] - 1 == max(seldom[0].diverged_at) < 500
    if case == "sweep":
        assert any(seldom[0].diverged_at) and not all(seldom[0].diverged_at)


def test_on_the_cpu_a_sweep_looks_after_every_step_and_keeps_no_window_of_weights(monkeypatch):
    """A look on the cpu waits for nothing, and a window of kept weights (32 blocks of 0.7 MB for the
    default sweep) pushed the step's own tensors out of the cache: a sweep, which gathers nothing else
    for a window, looks every step and holds at most the weights before and after it."""
    from core.train import divergence as divergence_module

    most = {"kept": 0}
    original = divergence_module.RunDivergence.keep

    def keep(self, step, weights):
        original(self, step, weights)
        most["kept"] = max(most["kept"], len(self.recent))

    monkeypatch.setattr(divergence_module.RunDivergence, "keep", keep)
    configs = SweepConfig(task="d2l", optimizers=("sgd", "adamw"), log10_lr=(-2.0, 0.5), log10_wd=(-1.0, 1.5),
                          resolution=(4, 4), epochs=25).grid_configs()
    histories = train_together(configs, curves=False)
    assert any(histories[0].diverged_at)
    assert most["kept"] <= 3, most  # the window's 32 steps before
