"""core.train.compaction: a sweep drops its diverged runs from the block as it finds them, and every
History is what keeping them gives: the same divergences (step, reason), the same diverged cells, the same
numbers to rounding (a narrower block's GEMM may add in another order), on every task, with looks every
step and every few steps, and when every run diverges."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.train import batched_step, compaction, training
from core.train.config import TrainConfig
from core.train.divergence import RunDivergence
from core.train.sweep import SweepConfig
from core.train.training import train_together

CASES = {
    "three optimizers": SweepConfig(resolution=(5, 4), epochs=20),
    "momentum and wide lrs": SweepConfig(optimizers=("sgd", "adamw"), options=(("sgd", (("momentum", 0.9),)),),
                                         log10_lr=(-2.0, 1.0), resolution=(6, 3), epochs=15),
    "seed task": SweepConfig(task="seed", optimizers=("sgd", "adam"), log10_lr=(-2.0, 1.0), log10_wd=(-1.0, 1.0),
                             resolution=(5, 5), epochs=30),
    "toy task": SweepConfig(task="toy", optimizers=("adam", "sgd"), log10_lr=(-1.0, 1.5), resolution=(3, 3),
                            epochs=12),
    "every SGD run diverges": SweepConfig(optimizers=("sgd", "adam"), log10_lr=(0.5, 1.0), resolution=(3, 2),
                                          epochs=5),
}


def rows_stepped(monkeypatch) -> list[int]:
    """The block's rows at every batched step from now on."""
    seen, original = [], batched_step.step
    monkeypatch.setattr(batched_step, "step", lambda group, flat, *a, **k: (seen.append(len(flat)),
                                                                           original(group, flat, *a, **k))[1])
    return seen


def close(a, b, what) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=what)


def assert_alike(dropped, kept) -> None:
    for a, b in zip(dropped, kept, strict=True):
        assert [(d.step, d.reason) if d else None for d in a.divergences] == \
            [(d.step, d.reason) if d else None for d in b.divergences]
        close([d.value for d in a.divergences if d], [d.value for d in b.divergences if d], "divergence values")
        for name in ("train_loss", "test_loss", "lr_factor"):
            close(getattr(a, name), getattr(b, name), name)
        for field in ("norms", "final"):
            assert getattr(a, field).keys() == getattr(b, field).keys()
            for name in getattr(a, field):
                close(getattr(a, field)[name], getattr(b, field)[name], f"{field}.{name}")


@pytest.mark.parametrize("looks", ["every step", "every 7 steps"])
@pytest.mark.parametrize("case", list(CASES))
def test_dropping_diverged_runs_changes_no_history(monkeypatch, case, looks):
    if looks == "every 7 steps":  # as on a GPU
        monkeypatch.setattr(training, "LOOK_EVERY_STEP_ON", ())
        monkeypatch.setattr(training, "CHECK_EVERY", 7)
    configs = CASES[case].grid_configs()
    runs = sum(c.runs for c in configs)
    seen = rows_stepped(monkeypatch)
    dropped = train_together(configs, curves=False)
    assert min(seen) < runs  # rows left the block
    monkeypatch.setattr(compaction, "LEAST_SHARE", float("inf"))
    seen.clear()
    kept = train_together(configs, curves=False)
    assert set(seen) == {runs}
    assert_alike(dropped, kept)
    assert any(d is not None for h in kept for d in h.divergences)


def test_every_sgd_run_diverging_drops_the_sgd_rows_and_keeps_adam_stepping(monkeypatch):
    seen = rows_stepped(monkeypatch)
    histories = train_together(CASES["every SGD run diverges"].grid_configs(), curves=False)
    assert all(d is not None for d in histories[0].divergences)
    assert not all(d is not None for d in histories[1].divergences)
    assert seen[-1] <= 6 < seen[0]  # at most Adam's six rows at the end


def test_a_training_drawing_curves_keeps_every_row(monkeypatch):
    """Curves are recorded for every run at every step (blank after a divergence): nothing is dropped."""
    seen = rows_stepped(monkeypatch)
    config = TrainConfig(task="d2l", lrs=(1.0,), weight_decays=(0.0, 10.0, 100.0, 1000.0), epochs=3)
    history = train_together([config])[0]
    assert any(d is not None for d in history.divergences) and set(seen) == {4}


def test_watched_runs_stay_and_are_handed_over_every_step(monkeypatch):
    """The runs in `watch` are never dropped, even diverged (the Sweep's chosen cell judges its own curves):
    on_step gets their rows every step, as keeping every row gives them."""
    configs = CASES["momentum and wide lrs"].grid_configs()
    runs = sum(c.runs for c in configs)
    probe = train_together(configs, curves=False)
    diverged = [i for i, d in enumerate(d for h in probe for d in h.divergences) if d is not None]
    watch = [diverged[0], diverged[-1], runs - 1]

    def watched_steps() -> list[torch.Tensor]:
        got: list[torch.Tensor] = []
        train_together(configs, curves=False, watch=watch, on_step=lambda t, w: got.append(w.clone()))
        return got

    seen = rows_stepped(monkeypatch)
    dropping = watched_steps()
    assert min(seen) < runs and all(w.shape == (3, dropping[0].shape[1]) for w in dropping)
    monkeypatch.setattr(compaction, "LEAST_SHARE", float("inf"))
    keeping = watched_steps()
    assert len(dropping) == len(keeping) == probe[0].steps + 1
    for a, b in zip(dropping, keeping, strict=True):
        close(a.numpy(), b.numpy(), "watched rows")


def test_a_compacted_check_names_runs_by_their_own_index():
    """RunDivergence.compact: the rows left keep their runs' names, a run diverging later is found under its
    own index, and every_run puts each dropped run's last good weights back in its row."""
    flat = torch.arange(5.0, dtype=torch.float64).reshape(5, 1)
    check = RunDivergence(flat)
    blown = flat.clone()
    blown[1] = 1e300
    check.update(1, blown, torch.ones(5, dtype=torch.float64))
    check.resolve()
    assert [d is not None for d in check.found] == [False, True, False, False, False]
    check.compact(torch.tensor([True, False, True, True, True]))
    block = torch.tensor([[0.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
    check.update(2, block, torch.ones(4, dtype=torch.float64))
    check.resolve()
    later = block.clone()
    later[2] = float("nan")  # run 3
    check.update(3, later, torch.ones(4, dtype=torch.float64))
    check.resolve()
    assert check.at == [None, 1, None, 3, None]
    assert check.rows_of(torch.tensor([0, 3, 4])).tolist() == [0, 2, 3]
    assert check.every_run(later)[:, 0].tolist()[:3] == [0.0, 1.0, 2.0]  # run 1's weights from before step 1
    assert check.last_good(check.every_run(later))[3, 0].item() == 3.0
