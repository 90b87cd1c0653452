"""The Sweep page's grids from kept sweeps (ui.kept_runs, core.train.sweep_run): a move of the Epochs slider
within the last recorded epochs is read, one to more epochs trains only the epochs added. The chosen cell's
curves come from the same run, into the results cache where the page looks for them. Answers equal a fresh
sweep's bit for bit (tests/test_sweep_run.py).
"""

from __future__ import annotations

from collections.abc import Callable

from core.train.recorder import History
from core.train.sweep import Grid, SweepConfig
from core.train.sweep_run import SweepRun, view_of
from ui import kept_runs
from ui.heavy import training_key
from ui.limits import results_cache


def _key(config: SweepConfig) -> tuple:
    """One kept sweep per view, whichever cell it watches: after another cell is chosen, the Epochs slider still
    reads the grids from it (that cell's curves are then trained alone, as the page does for any other cell)."""
    return "sweep", view_of(config)


def _grids(found: tuple[dict[str, Grid], list[History] | None]) -> dict[str, Grid]:
    grids, cells = found
    if cells is not None:  # the watched cell's curves, where cached_cells (the page) looks for them
        results_cache().put(training_key([h.config for h in cells]), cells)
    return grids


def answered(config: SweepConfig) -> dict[str, Grid] | None:
    """The grids a kept sweep gives without training, or None."""
    found = kept_runs.answered(_key(config), config)
    return None if found is None else _grids(found)


def trained(config: SweepConfig, cell: tuple[int, int], on_progress: Callable[[float], None]) -> dict[str, Grid]:
    """The grids of the view's kept sweep trained on to config.epochs, or of a new one watching `cell`, then kept."""
    return _grids(kept_runs.trained(_key(config), config, lambda: SweepRun(config, cell), on_progress))
