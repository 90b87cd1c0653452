"""The Sweep page's grids from kept sweeps: the Epochs slider without training the grid again.

A sweep trained on the cpu is kept (core.train.sweep_run.SweepRun, per view and chosen cell, for every
visitor, bounded by the bytes it holds: ui.limits.kept_sweeps): a move to fewer epochs among its last
recorded ones is read from it, a move to more trains only the epochs added. Anything else (another range,
resolution, optimizer, seed or cell, or far fewer epochs) trains a new sweep, which is kept in its turn.
Answers equal a fresh sweep's bit for bit (tests/test_sweep_run.py).
"""

from __future__ import annotations

from collections.abc import Callable

from core.cache import MISSING
from core.train.recorder import History
from core.train.sweep import Grid, SweepConfig
from core.train.sweep_cell import cell_configs
from core.train.sweep_run import SweepRun, view_of
from ui.heavy import training_key
from ui.limits import kept_sweeps, results_cache


def _key(config: SweepConfig, cell: tuple[int, int]) -> tuple:
    return view_of(config), cell


def _keep_cell(config: SweepConfig, cell: tuple[int, int], cells: list[History] | None) -> None:
    """The chosen cell's curves, where cached_cells (the page) looks for them."""
    if cells is not None:
        results_cache().put(training_key(cell_configs(config, *cell)), cells)


def answered(config: SweepConfig, cell: tuple[int, int]) -> dict[str, Grid] | None:
    """The grids a kept sweep gives without training, or None. A sweep another visitor is training is not
    waited for: that visitor's page is the one that waits."""
    run = kept_sweeps().get(_key(config, cell))
    if run is MISSING or not run.lock.acquire(blocking=False):
        return None
    try:
        if not run.answers(config):
            return None
        found, cells = run.result(config)
    finally:
        run.lock.release()
    _keep_cell(config, cell, cells)
    return found


def trained(config: SweepConfig, cell: tuple[int, int], on_progress: Callable[[float], None]) -> dict[str, Grid]:
    """The grids of a kept sweep trained on to config.epochs, or of a new one, then kept."""
    store, key = kept_sweeps(), _key(config, cell)
    run = store.get(key)
    if run is MISSING or not run.lock.acquire(blocking=False):
        run = SweepRun(config, cell)  # a sweep in another visitor's hands is left to them
        run.lock.acquire()
    try:
        if not run.answers(config):
            if not run.goes_on_to(config):
                run.lock.release()
                run = SweepRun(config, cell)
                run.lock.acquire()
            run.train(config, on_progress)
        found, cells = run.result(config)
    finally:
        run.lock.release()
    store.put(key, run)  # again: it holds more now
    _keep_cell(config, cell, cells)
    return found
