"""Trainings kept after they trained, for every visitor: the Epochs sliders without training again.

A kept run (core.train.sweep_run.SweepRun, core.train.kept_training.KeptTraining) answers for fewer epochs
from what it kept and goes on to more, training only the epochs added; anything else (another view) trains
a new one, which is kept in its turn. They live in one store bounded by the bytes they hold
(ui.limits.kept_runs). A run another visitor is training is never waited for: that visitor's page is the one
that waits, and this one answers or trains its own. A run stopped mid-way (a rerun interrupts the script)
answers nothing after and is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from core.cache import MISSING
from ui.limits import kept_runs


def answered(key: Hashable, request) -> Any | None:
    """The kept run's result for `request` without training, or None."""
    run = kept_runs().get(key)
    if run is MISSING or not run.lock.acquire(blocking=False):
        return None
    try:
        return run.result(request) if run.answers(request) else None
    finally:
        run.lock.release()


def trained(key: Hashable, request, make: Callable[[], Any], *args, **kwargs) -> Any:
    """The result for `request` of the kept run trained on to it (run.train(request, *args, **kwargs)), or of
    a new one (make()), which is then kept."""
    store = kept_runs()
    run = store.get(key)
    if run is MISSING or not run.lock.acquire(blocking=False):
        run = make()  # a run in another visitor's hands is left to them
        run.lock.acquire()
    try:
        if not run.answers(request):
            if not run.goes_on_to(request):
                run.lock.release()
                run = make()
                run.lock.acquire()
            run.train(request, *args, **kwargs)
        found = run.result(request)
    finally:
        run.lock.release()
    store.put(key, run)  # again: it holds more now
    return found
