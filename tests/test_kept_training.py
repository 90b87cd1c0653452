"""core.train.kept_training: a Training page run kept after it trained answers for fewer epochs and goes on
to more, each History what train_together gives afresh: weights, snapshots and divergences bit for bit,
curves to rounding (a window of steps is evaluated at a time, whose width moves a value's last bits)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.train.config import TrainConfig, default_config
from core.train.kept_training import KEEP_BYTES, KeptTraining, keepable, kept_bytes
from core.train.training import train_together

VIEWS = {
    "d2l": [default_config("d2l", o, epochs=6) for o in ("sgd", "adam", "adamw")],
    "toy": [default_config("toy", o, epochs=8) for o in ("sgd", "adamw")],
    "seed, a run diverges": [TrainConfig(task="seed", lrs=(1.0,), weight_decays=(0.0, 1.0, 6.0), epochs=12)],
    "every run diverges": [TrainConfig(task="seed", lrs=(1.0,), weight_decays=(10.0, 12.0), epochs=30)],
}


def with_epochs(configs, epochs: int):
    return [replace(c, epochs=epochs) for c in configs]


def close(a, b, what) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=what)


def assert_alike(mine, fresh) -> None:
    for a, b in zip(mine, fresh, strict=True):
        assert a.config == b.config and a.decayed == b.decayed
        assert a.divergences == b.divergences
        np.testing.assert_array_equal(a.lr_factor, b.lr_factor)
        np.testing.assert_array_equal(a.snapshot_steps, b.snapshot_steps)
        for field in ("final", "snapshots"):
            assert getattr(a, field).keys() == getattr(b, field).keys()
            for name in getattr(a, field):
                np.testing.assert_array_equal(getattr(a, field)[name], getattr(b, field)[name], err_msg=field)
        close(a.train_loss, b.train_loss, "train loss")
        close(a.test_loss, b.test_loss, "test loss")
        assert a.norms.keys() == b.norms.keys()
        for name in a.norms:
            close(a.norms[name], b.norms[name], f"norm {name}")


@pytest.mark.parametrize("view", list(VIEWS))
def test_a_kept_training_answers_fewer_epochs_and_goes_on_as_a_fresh_one(view):
    configs = VIEWS[view]
    kept = KeptTraining(configs)
    assert not kept.answers(configs)
    kept.train(configs)
    epochs = configs[0].epochs
    for shorter in (epochs, epochs - 1, 1):
        asked = with_epochs(configs, shorter)
        assert kept.answers(asked)
        assert_alike(kept.result(asked), train_together(asked))
    longer = with_epochs(configs, epochs + 3)
    assert not kept.answers(longer) and kept.goes_on_to(longer)
    kept.train(longer)
    for asked in (longer, with_epochs(configs, epochs + 1), with_epochs(configs, 2)):
        assert_alike(kept.result(asked), train_together(asked))


def test_the_views_cover_divergences_and_a_stop():
    one = KeptTraining(VIEWS["seed, a run diverges"])
    one.train(VIEWS["seed, a run diverges"])
    found = one.result(VIEWS["seed, a run diverges"])[0].divergences
    assert any(found) and not all(found)
    every = KeptTraining(VIEWS["every run diverges"])
    every.train(VIEWS["every run diverges"])
    assert every.training.stopped_at is not None


def test_only_a_constant_lr_within_the_bytes_is_kept():
    configs = VIEWS["d2l"]
    assert keepable(configs)
    assert not keepable([replace(c, schedule="cosine") for c in configs])
    too_long = with_epochs(configs, 300)
    assert kept_bytes(too_long) > KEEP_BYTES and not keepable(too_long)
    assert kept_bytes(configs) == 12 * 201 * 8 * (6 * 4 + 1)


def test_a_training_stopped_mid_way_answers_nothing_after():
    configs = VIEWS["d2l"]
    kept = KeptTraining(configs)
    kept.train(configs)

    def interrupted(done: float) -> None:
        if done > 0.3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kept.train(with_epochs(configs, 9), interrupted)
    assert not kept.answers(configs) and not kept.goes_on_to(with_epochs(configs, 9))
    with pytest.raises(ValueError, match="does not answer"):
        kept.result(configs)


def test_the_bytes_it_holds_count_every_steps_weights():
    """ui.kept_runs bounds its store by nbytes(): the weights after every step are most of them."""
    configs = VIEWS["d2l"]
    kept = KeptTraining(configs)
    kept.train(configs)
    assert kept_bytes(configs) <= kept.nbytes() < 2 * kept_bytes(configs)
