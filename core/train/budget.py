"""The most epochs a request may train, so a page's epochs control offers only what will run.

core.train.training refuses a request longer than MAX_STEPS steps or costlier than
MAX_REQUEST_SECONDS of estimated compute (check_request, from each Task's measured
step_us and run_step_us). A page asks here how many epochs fit its runs (weight decays or
grid cells, times optimizers) and makes that its slider's maximum: the slider then never
reaches a refusal, and a larger grid lowers the maximum instead of failing.
"""

from __future__ import annotations

from functools import lru_cache

from core.train.config import MAX_REQUEST_SECONDS, MAX_STEPS, estimated_seconds, training_points
from core.train.tasks import make_task
from core.train.training import steps_per_epoch


@lru_cache(maxsize=256)
def max_epochs(task: str, runs: int, task_options: tuple[tuple[str, object], ...] = (), seed: int = 0) -> int:
    """The largest epoch count check_request accepts for `runs` runs of this task (0 if none)."""
    t = make_task(task, **dict(task_options))
    per_epoch = steps_per_epoch(training_points(task, task_options, seed), t.batch_size)
    per_step_us = t.step_us + runs * t.run_step_us
    epochs = min(MAX_STEPS // per_epoch, int(MAX_REQUEST_SECONDS * 1e6 / per_step_us) // per_epoch)
    while epochs > 0 and estimated_seconds(t, runs, epochs * per_epoch) > MAX_REQUEST_SECONDS:  # float rounding
        epochs -= 1
    return max(epochs, 0)
