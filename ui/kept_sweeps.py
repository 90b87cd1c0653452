"""The Sweep page's grids from kept sweeps (ui.kept_runs, core.train.sweep_run): a move of the Epochs slider
within the last recorded epochs is read, one to more epochs trains only the epochs added. The chosen cell's
curves come from the same run, into the results cache where the page looks for them. Answers equal a fresh
sweep's bit for bit (tests/test_sweep_run.py).
"""

from __future__ import annotations

from collections.abc import Callable

from core.train.recorder import History
from core.train.sweep import Grid, SweepConfig
from core.train.sweep_cell import cell_configs
from core.train.sweep_run import SweepRun, view_of
from ui import kept_runs
from ui.heavy import training_key
from ui.limits import results_cache


def _key(config: SweepConfig, cell: tuple[int, int]) -> tuple:
    return "sweep", view_of(config), cell


def _grids(config: SweepConfig, cell: tuple[int, int], found: tuple[dict[str, Grid], list[History] | None]
           ) -> dict[str, Grid]:
    grids, cells = found
    if cells is not None:  # the chosen cell's curves, where cached_cells (the page) looks for them
        results_cache().put(training_key(cell_configs(config, *cell)), cells)
    return grids


def answered(config: SweepConfig, cell: tuple[int, int]) -> dict[str, Grid] | None:
    """The grids a kept sweep gives without training, or None."""
    found = kept_runs.answered(_key(config, cell), config)
    return None if found is None else _grids(config, cell, found)


def trained(config: SweepConfig, cell: tuple[int, int], on_progress: Callable[[float], None]) -> dict[str, Grid]:
    """The grids of a kept sweep trained on to config.epochs, or of a new one, then kept."""
    return _grids(config, cell, kept_runs.trained(_key(config, cell), config, lambda: SweepRun(config, cell),
                                                  on_progress))
