"""The batched trainer: each run equals a plain torch.optim loop, d2l's published effect,
divergence handling, and the device argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.devices import DeviceUnavailableError
from core.train.config import MAX_STEPS, TrainConfig, default_configs
from core.train.reference_loop import torch_optim_run
from core.train.schedules import lr_factors
from core.train.training import train


@pytest.mark.parametrize("task,optimizer,options,schedule", [
    ("d2l", "sgd", (), "constant"),
    ("d2l", "sgd", (("momentum", 0.9),), "cosine"),
    ("seed", "adamw", (), "step"),
    ("toy", "adam", (("amsgrad", True),), "cosine"),
    ("toy", "adamw", (), "constant"),
    ("toy", "sgd", (("momentum", 0.9), ("nesterov", True)), "step"),
])
def test_every_batched_run_equals_a_plain_torch_optim_loop(task, optimizer, options, schedule):
    config = TrainConfig(task=task, optimizer=optimizer, options=options, schedule=schedule, epochs=6,
                         lrs=(0.01,), weight_decays=(0.0, 0.1, 1.0))
    history = train(config)
    for run in range(config.runs):
        for name, expected in torch_optim_run(config, run).items():
            np.testing.assert_allclose(history.final[name][run], expected.numpy(), rtol=1e-9, atol=1e-12)


def test_d2l_effect_without_decay_overfits_and_wd3_generalizes():
    """Dive into Deep Learning's published result: wd=0 drives training loss to ~0 while
    the test loss stays high; wd=3 gets a far lower test loss and a far smaller ||w||."""
    h = train(TrainConfig(task="d2l", lrs=(0.003,), weight_decays=(0.0, 3.0), epochs=100))
    (train0, _), (test0, test3) = h.train_loss[:, -1], h.test_loss[:, -1]
    norm0, norm3 = h.norms["w"][:, -1]
    assert train0 < 1e-3 and test0 > 10  # overfit: memorised 20 points, 200 features
    assert test3 < test0 / 100
    assert 10 < norm0 < 20 and 0.2 < norm3 < 0.6  # d2l reports ~13 and ~0.36


def test_seed_task_follows_its_closed_form_under_plain_sgd():
    from core.train.closed_form import seed_norm_curves

    wds = (0.0, 0.5, 1.0, 15.0)
    h = train(TrainConfig(task="seed", lrs=(0.1,), weight_decays=wds, epochs=40))
    np.testing.assert_allclose(h.norms["W"], seed_norm_curves(0, 0.1, wds, 40), rtol=1e-10)


def test_closed_form_converges_to_minus_g_over_wd():
    from core.train.closed_form import seed_sgd_weights

    w0, g = np.ones((2, 2)), np.full((2, 2), 0.5)
    np.testing.assert_allclose(seed_sgd_weights(w0, g, 0.1, 2.0, 2000)[-1], -g / 2.0)
    assert np.abs(seed_sgd_weights(w0, g, 0.1, 25.0, 60)[-1]).max() > 1e10  # lr*wd = 2.5 >= 2 blows up


def test_a_diverging_run_stops_and_keeps_its_curves_up_to_that_step():
    h = train(TrainConfig(task="seed", lrs=(1.0,), weight_decays=(0.0, 10.0), epochs=500, dtype="float32"))
    assert h.diverged_at[0] is None
    step = h.diverged_at[1]
    assert step is not None and step < 500
    assert np.isfinite(h.norms["W"][1, :step]).all() and np.isnan(h.norms["W"][1, step + 1:]).all()
    assert np.isfinite(h.final["W"][1]).all()  # the last finite weights are kept


def test_all_runs_diverging_stops_early():
    h = train(TrainConfig(task="seed", lrs=(1.0,), weight_decays=(10.0,), epochs=500, dtype="float32"))
    assert h.diverged_at[0] is not None
    assert h.norms["W"].shape[1] < 500


def test_device_argument_is_checked_and_cpu_runs():
    with pytest.raises(DeviceUnavailableError):
        train(TrainConfig(task="seed", epochs=2, device="tpu"))
    h = train(TrainConfig(task="seed", epochs=2, device="cpu", lrs=(0.1,), weight_decays=(0.5,)))
    assert h.norms["W"].shape == (1, 3)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_matches_cpu_within_float_tolerance():
    kw = dict(task="d2l", lrs=(0.003,), weight_decays=(0.0, 3.0), epochs=5)
    cpu, gpu = train(TrainConfig(**kw)), train(TrainConfig(**kw, device="cuda"))
    np.testing.assert_allclose(cpu.final["w"], gpu.final["w"], rtol=1e-9, atol=1e-12)


def test_limits_are_enforced_in_core():
    with pytest.raises(ValueError, match="steps"):
        train(TrainConfig(task="d2l", epochs=MAX_STEPS))  # 4 steps per epoch
    with pytest.raises(ValueError, match="lrs"):
        train(TrainConfig(task="seed", lrs=(0.1, 0.2, 0.3), weight_decays=(0.0, 1.0)))


def test_a_refused_training_draws_no_minibatch_order_first(monkeypatch):
    """The trainer draws every epoch's order at the start (core.train.minibatch): the limits must
    refuse first, or a request for millions of epochs drew millions of permutations before its
    ValueError, and zero epochs failed with torch.stack's RuntimeError instead."""
    draws = []
    randperm = torch.randperm
    monkeypatch.setattr(torch, "randperm", lambda *a, **k: (draws.append(1), randperm(*a, **k))[1])
    for epochs in (0, MAX_STEPS):
        with pytest.raises(ValueError, match="steps"):
            train(TrainConfig(task="d2l", epochs=epochs))
    assert draws == []


def test_default_configs_cover_every_task_and_the_three_optimizers():
    groups = default_configs()
    assert all(len({c.task for c in group}) == 1 for group in groups)  # each group can train together
    configs = [c for group in groups for c in group]
    assert {c.task for c in configs} == {"seed", "d2l", "toy"}
    assert {c.optimizer for c in configs} == {"sgd", "adam", "adamw"}
    assert all(c.runs == 4 for c in configs)


def test_schedules_start_at_one_and_cosine_ends_near_zero():
    assert lr_factors("constant", 10) == [1.0] * 10
    assert lr_factors("step", 9)[:3] == [1.0] * 3 and lr_factors("step", 9)[3] == pytest.approx(0.1)
    cos = lr_factors("cosine", 100)
    assert cos[0] == 1.0 and cos[-1] < 0.01
    with pytest.raises(ValueError, match="schedule"):
        lr_factors("linear", 10)


def test_training_configurations_together_equals_training_them_apart():
    """The page trains SGD, Adam and AdamW as one program; each must match its own run."""
    from core.train.config import default_config
    from core.train.training import train_together

    configs = [default_config("toy", opt, epochs=20, options=opts)
               for opt, opts in (("sgd", (("momentum", 0.9),)), ("adam", ()), ("adamw", ()))]
    for together, config in zip(train_together(configs), configs, strict=True):
        apart = train(config)
        for name in apart.final:
            np.testing.assert_allclose(together.final[name], apart.final[name], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(together.test_loss, apart.test_loss, rtol=1e-9)


def test_configurations_that_cannot_share_a_program_are_refused():
    from core.train.training import train_together

    with pytest.raises(ValueError, match="must share"):
        train_together([TrainConfig(task="seed", epochs=5), TrainConfig(task="seed", epochs=6)])


def test_every_task_declares_what_a_step_costs():
    from core.train.tasks import TASKS

    for cls in TASKS.values():  # the request budget trusts these (benchmarks/cost.py measures them)
        assert cls.step_us > 0 and cls.run_step_us > 0, cls.key


def test_a_costly_request_says_what_would_fit_and_that_is_true():
    """The refusal's numbers come from the same estimate: its "at most N epochs" and "at most
    M runs" are accepted, one more is not."""
    import re

    from core.train.config import check_request

    def request(runs: int, epochs: int) -> list[TrainConfig]:
        return [TrainConfig(task="toy", weight_decays=(0.1,) * runs, epochs=epochs)]

    with pytest.raises(ValueError, match="at most") as refused:
        check_request(request(300, 400))
    message = str(refused.value)
    epochs = int(re.search(r"at most (\d+) epochs with these 300 runs", message)[1])
    runs = int(re.search(r"at most (\d+) runs with these 400 epochs", message)[1])
    check_request(request(300, epochs))
    check_request(request(runs, 400))
    for too_much in (request(300, epochs + 1), request(runs + 1, 400)):
        with pytest.raises(ValueError, match="at most"):
            check_request(too_much)


def test_the_step_loop_does_not_wait_for_the_device_every_step(monkeypatch):
    """On a GPU each look at a tensor's value from the host (bool, item, cpu, ...) waits for the
    device's queue to drain; the loop looks only every CHECK_EVERY steps (the divergence flags),
    so a run of 400 steps looks far fewer than 400 times. Counted here on the cpu."""
    from core.train import training

    looks = {"n": 0}

    def counting(name):
        original = getattr(torch.Tensor, name)

        def wrapper(self, *args, **kwargs):
            looks["n"] += 1
            return original(self, *args, **kwargs)
        return wrapper

    for name in ("__bool__", "item", "cpu", "tolist", "__float__", "__int__", "numpy"):
        monkeypatch.setattr(torch.Tensor, name, counting(name))
    config = TrainConfig(task="d2l", optimizer="adamw", lrs=(0.003,), weight_decays=(0.0, 3.0), epochs=100)
    history = train(config)
    steps = history.steps
    assert steps == 400 and not any(history.diverged_at)
    assert looks["n"] < steps / 4, looks  # the loop before this engine looked about 5 times per step
    assert steps / 4 < 2 * steps / training.CHECK_EVERY + 100  # the bound leaves room for the looks it does make


@pytest.mark.parametrize("weight_decays,lr", [((0.0, 3.0), 0.003), ((0.0, 3.0, 300.0), 0.3)])  # the second diverges
def test_a_minibatch_tasks_curves_are_evaluated_a_window_at_a_time_as_a_per_step_evaluation_would(
        monkeypatch, weight_decays, lr):
    """The training and test losses before each step of a minibatch task are evaluated for the steps
    since the last look in one forward pass (training._Waiting), not one pass a step: same curves,
    same divergences, same stop, to rounding."""
    from core.train import tasks, training

    passes = {"n": 0}
    original = tasks.D2LRegression.sample_losses

    def counting(self, params, x, y):
        passes["n"] += 1
        return original(self, params, x, y)

    configs = [TrainConfig(task="d2l", optimizer=k, lrs=(lr,), weight_decays=weight_decays, epochs=25)
               for k in ("sgd", "adam", "adamw")]
    monkeypatch.setattr(tasks.D2LRegression, "sample_losses", counting)
    windowed = training.train_together(configs)
    steps = 25 * 4
    assert passes["n"] <= steps // training.CHECK_EVERY + 3, passes  # a pass per step: 100 and more
    monkeypatch.setattr(training, "_Waiting", lambda *args: None)  # the per-step evaluation
    per_step = training.train_together(configs)
    for a, b in zip(windowed, per_step, strict=True):
        assert [d and (d.step, d.reason) for d in a.divergences] == [d and (d.step, d.reason) for d in b.divergences]
        curves = [(a.train_loss, b.train_loss), (a.test_loss, b.test_loss),
                  *((a.norms[n], b.norms[n]) for n in a.norms)]
        for got, want in curves:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
        for name in a.snapshots:
            np.testing.assert_array_equal(a.snapshots[name], b.snapshots[name])
    assert any(d is not None for h in windowed for d in h.divergences) == (lr == 0.3)
