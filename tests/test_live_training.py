"""A run watched while it trains (issue 15): train_together's on_partial gets the curves so far,
each frame a prefix of the finished run's curves, and a callback that raises stops the run."""

from __future__ import annotations

import numpy as np
import pytest

from core.train import training
from core.train.config import default_config
from core.train.training import train_together


@pytest.fixture
def every_step(monkeypatch):
    monkeypatch.setattr(training, "FRAMES_PER_SECOND", float("inf"))  # a frame after every step: no clock in the test


def test_each_frame_is_a_prefix_of_the_finished_curves(every_step):
    configs = [default_config("d2l", o, epochs=5) for o in ("sgd", "adamw")]
    frames = []
    final = train_together(configs, on_partial=frames.append)
    total = final[0].steps
    assert [f.step for f in frames] == list(range(1, total + 1)) and {f.total for f in frames} == {total}
    for f in frames:
        for i, h in enumerate(final):
            np.testing.assert_array_equal(f.decayed_norms[i], h.decayed_norms()[:, :f.step])
            np.testing.assert_array_equal(f.train_loss[i], h.train_loss[:, :f.step])


def test_a_callback_that_raises_stops_the_run(every_step):
    class Stop(Exception):
        pass

    seen = []

    def stop_at_three(frame):
        seen.append(frame.step)
        if frame.step == 3:
            raise Stop

    with pytest.raises(Stop):
        train_together([default_config("d2l", "sgd", epochs=5)], on_partial=stop_at_three)
    assert seen == [1, 2, 3]


def test_without_a_watcher_or_curves_no_frame_is_made(every_step, monkeypatch):
    calls = []
    train_together([default_config("d2l", "sgd", epochs=2)], curves=False, on_partial=calls.append)
    assert calls == []


def test_no_frame_comes_before_first_frame_after(every_step, monkeypatch):
    """A clock that moves a second each time it is read: the first frame waits for 3.5 s, then one per step."""
    ticks = iter(range(10**6))
    monkeypatch.setattr(training.time, "monotonic", lambda: float(next(ticks)))
    frames = []
    final = train_together([default_config("d2l", "sgd", epochs=5)], on_partial=frames.append, first_frame_after=3.5)
    total = final[0].steps
    assert [f.step for f in frames] == list(range(4, total + 1))  # read at 0 (start), then once a step: 1, 2, 3, 4...
