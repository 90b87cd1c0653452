"""Sweep's presets: AdamW's grid with PyTorch's coupled decay and with decay independent of
lr. Each sentence is computed from the ridge of best weight decays of the grid the page ran."""

from __future__ import annotations

from core import optim
from core.explain.presets import Preset
from core.numbers import fmt
from core.train.sweep import DECAY_MODES, Grid, SweepConfig
from core.train.sweep_claims import ridge, shape_words

LOOK_AT = ("Look at the test-loss heatmaps: the low-loss region shows which learning rates and weight decays "
           "train well, and its slant shows whether the best weight decay depends on the learning rate.")


def basin_notice(config: SweepConfig, grids: dict[str, Grid]) -> str:
    """The fitted ridge of each optimizer's grid, in words, under this decay parameterization."""
    parts = []
    for key, grid in grids.items():
        r, label = ridge(grid, config.lrs, config.weight_decays), optim.get(key).torch_class
        if r.slope is None:
            parts.append(f"{label}: too few learning rates have their best weight decay inside the grid to tell")
        else:
            parts.append(f"{label}: {shape_words(r.slope)} (fitted slope {fmt(r.slope, 2)} over "
                         f"{len(r.log10_lrs)} learning rates)")
    return f"Weight decay {config.decay}: {DECAY_MODES[config.decay]}. " + "; ".join(parts) + "."


PRESETS = (
    Preset("coupled", "Coupled decay (PyTorch's)", (("optimizers", ("adamw",)), ("resolution", 8),
                                                    ("decay", "coupled")), basin_notice,
           "AdamW on an 8 × 8 grid, weight_decay as torch takes it: shrink lr·wd per step."),
    Preset("independent", "Independent decay", (("optimizers", ("adamw",)), ("resolution", 8),
                                                ("decay", "independent")), basin_notice,
           "AdamW on an 8 × 8 grid, the decay per step wd, independent of lr."),
)
