"""core.train.replay: a sweep's steps replayed as windows (a CUDA graph on cuda) give what the
ordinary loop gives, diverged runs and an early stop included, and the window's body never
looks at a tensor's value (a host sync would break the capture). On cpu the body runs as it is,
which is how these tests check the cuda path's logic on a machine without a GPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.optim import OPTIMIZERS
from core.train import replay, training
from core.train.config import TrainConfig, default_config
from core.train.divergence import RunDivergence
from core.train.sweep import SweepConfig, run_sweep
from core.train.toy_task import ToyClassifier
from core.train.training import train_together

OPTIONS = {  # every rule, with the options whose state or step count a window must carry
    "sgd": (("momentum", 0.9), ("nesterov", True)),
    "adam": (("amsgrad", True),),
    "adamw": (),
    "rmsprop": (("momentum", 0.5), ("centered", True)),
    "adagrad": (("lr_decay", 0.01),),
}


@pytest.fixture
def windows(monkeypatch):
    """Replay on cpu, with short windows so a training has several, and count them."""
    monkeypatch.setattr(replay, "REPLAYED_ON", ("cpu",))
    monkeypatch.setattr(training, "CHECK_EVERY", 7)
    runs = []
    body = replay.Window._body
    monkeypatch.setattr(replay.Window, "_body", lambda self: (runs.append(self.k), body(self))[1])
    return runs


def ordinary(configs):
    saved = replay.REPLAYED_ON
    replay.REPLAYED_ON = ()
    try:
        return train_together(configs, curves=False)
    finally:
        replay.REPLAYED_ON = saved


def assert_same(replayed, plain):
    """Same divergences (step, reason, value) and the same numbers to rounding: Adam's bias
    correction sqrt(1 - β2^t) is computed from a tensor step count in a window (torch takes the
    square root; Python's float ** 0.5 rounds its own way), 4e-16 apart on d2l; the other rules agree
    bit for bit."""
    for r, p in zip(replayed, plain, strict=True):
        assert r.divergences == p.divergences
        for name in p.final:
            np.testing.assert_allclose(r.final[name], p.final[name], rtol=1e-12, atol=1e-15)
        for values in ("train_loss", "test_loss"):
            np.testing.assert_allclose(getattr(r, values), getattr(p, values), rtol=1e-12, atol=1e-15)


def test_every_rule_replayed_equals_the_ordinary_loop(windows):
    assert set(OPTIONS) == set(OPTIMIZERS)  # a new rule is checked here too
    sweep = SweepConfig(optimizers=tuple(OPTIONS), options=tuple(OPTIONS.items()), resolution=(5, 4),
                        log10_lr=(-3.0, 0.5), log10_wd=(-2.0, 2.0), epochs=12)
    configs = sweep.grid_configs()
    replayed = train_together(configs, curves=False)
    assert len(windows) == 6  # 48 steps: the first one and the last five ordinary, 6 x 7 replayed
    plain = ordinary(configs)
    assert_same(replayed, plain)
    diverged = [d for h in plain for d in h.divergences if d is not None]
    assert diverged and any(d.step > 7 for d in diverged)  # some runs diverge inside a replayed window


def test_full_batch_tasks_with_a_test_set_and_without(windows):
    seed = [TrainConfig(task="seed", optimizer="sgd", lrs=(0.25,), weight_decays=(0.0, 1.0, 10.0), epochs=60,
                        seed=123)]
    assert_same(train_together(seed, curves=False), ordinary(seed))
    assert windows
    toy = [default_config("toy", opt, epochs=30, weight_decays=(0.0, 0.03, 30.0)) for opt in ("sgd", "adamw")]
    assert_same(train_together(toy, curves=False), ordinary(toy))


def test_every_run_diverging_inside_a_window_stops_where_the_ordinary_loop_stops(windows):
    """Runs diverge at every step of a window, the first one included, whose last good weights
    (and the message's values) come from before the window: kept apart from the slots it rewrites."""
    wds = tuple(float(w) for w in np.linspace(4.3, 6.0, 24))
    configs = [TrainConfig(task="seed", optimizer="sgd", lrs=(0.5,), weight_decays=wds, epochs=200, seed=123)]
    replayed, plain = train_together(configs, curves=False), ordinary(configs)
    assert_same(replayed, plain)
    steps = [d.step for d in plain[0].divergences]
    assert {step % 7 for step in steps if step > 7} == set(range(7))  # 7 steps a window (the fixture)
    assert plain[0].train_loss.shape[1] == 2  # first and last point only: a sweep's record


def test_the_next_windows_batches_are_gathered_before_the_trainer_waits_for_the_device(monkeypatch, windows):
    """Windows start at the second step; the next window's minibatches queue behind the one in
    flight before the look at its flags (which waits for the device), so the host works meanwhile."""
    events = []
    prepare, resolve = replay.Window.prepare, RunDivergence.resolve
    monkeypatch.setattr(replay.Window, "prepare",
                        lambda self, t0, data: (events.append(("prepare", t0)), prepare(self, t0, data))[1])
    monkeypatch.setattr(RunDivergence, "resolve", lambda self: (events.append(("look",)), resolve(self))[1])
    train_together([default_config("d2l", "adamw", epochs=10)], curves=False)  # 40 steps, windows of 7
    assert events[:7] == [("look",), ("prepare", 1), ("prepare", 8), ("look",), ("prepare", 8), ("prepare", 15),
                          ("look",)]
    assert windows == [7] * 5  # steps 1-35; the first and the last four ordinary


def test_the_window_never_looks_at_a_tensor_value(monkeypatch, windows):
    """What a CUDA graph cannot capture: any read of a value on the host (bool, item, float,
    int, tolist, cpu, numpy), in the rules, the gradient or the divergence flags."""
    looked = []
    body = replay.Window._body

    def guarded(self):
        names = ("__bool__", "item", "__float__", "__int__", "__index__", "tolist", "cpu", "numpy")
        saved = {name: getattr(torch.Tensor, name) for name in names}

        def refuse(name):
            def look(tensor, *args, **kwargs):
                looked.append(name)
                return saved[name](tensor, *args, **kwargs)
            return look
        for name in names:
            setattr(torch.Tensor, name, refuse(name))
        try:
            body(self)
        finally:
            for name, method in saved.items():
                setattr(torch.Tensor, name, method)

    monkeypatch.setattr(replay.Window, "_body", guarded)
    sweep = SweepConfig(optimizers=tuple(OPTIONS), options=tuple(OPTIONS.items()), resolution=(3, 3), epochs=6)
    run_sweep(sweep)
    assert windows and looked == []


def test_only_a_sweep_like_training_is_replayed(windows, monkeypatch):
    train_together([default_config("d2l", "adam")])  # curves: recorded every step, not replayed
    with monkeypatch.context() as patched:
        patched.setattr(ToyClassifier, "closed_form_gradient", False)  # a task whose gradient needs autograd
        train_together([default_config("toy", "adam", epochs=20)], curves=False)
    train_together([default_config("d2l", "adam", schedule="cosine", epochs=10)], curves=False)  # lr factor per step
    assert windows == []
    train_together([default_config("d2l", "adam", epochs=10)], curves=False)
    assert windows


def test_a_refused_capture_leaves_the_windows_running_as_they_are(monkeypatch, windows):
    """Off cuda nothing is captured; this pretends a device refused the capture."""
    monkeypatch.setattr(replay, "CAPTURED_ON", ("cpu",))

    def refuse(body, device):
        raise RuntimeError("operation not permitted when stream is capturing")

    monkeypatch.setattr(replay, "_captured", refuse)
    configs = [default_config("d2l", "adamw", weight_decays=(0.0, 3.0, 30.0), lrs=(0.5,), epochs=20)]
    with pytest.warns(RuntimeWarning, match="capture failed"):
        replayed = train_together(configs, curves=False)
    assert_same(replayed, ordinary(configs))
    assert len(windows) >= 3  # the first window, then every later one as it is


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_on_cuda_the_sweep_is_captured_once_and_matches_the_cpu(monkeypatch):
    captures, emptied = [], []
    first = replay.Window._capture_and_run
    monkeypatch.setattr(replay.Window, "_capture_and_run", lambda self: (first(self), captures.append(self.graph))[0])
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(1))  # torch.cuda.graph's: a slow start
    sweep = SweepConfig(resolution=(12, 12), log10_wd=(-3.0, 3.0))
    cuda = run_sweep(SweepConfig(**{**sweep.__dict__, "device": "cuda"}))
    assert len(captures) == 1 and captures[0] is not None and not emptied
    cpu = run_sweep(sweep)
    for key, grid in cpu.items():
        np.testing.assert_array_equal(cuda[key].diverged, grid.diverged)
        shown = ~grid.diverged
        scale = max(1.0, np.abs(grid.test_loss[shown]).max())
        assert np.abs(cuda[key].test_loss[shown] - grid.test_loss[shown]).max() / scale <= 1e-9
