"""What a sweep's heatmaps say about coupling, measured: the ridge of best weight decays.

For every learning-rate column, the weight decay with the lowest final test loss; a line
fitted through log10(best wd) against log10(lr) gives the ridge's slope. A slope near -1
means the good region follows lr·wd = const (a diagonal basin: decay coupled to the
learning rate); near 0 means the best wd does not depend on lr (an axis-aligned basin).
Columns whose best lies on the grid's edge are left out: there the optimum is outside the
grid and its position says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.numbers import fmt
from core.train.sweep import Grid

DIAGONAL = -0.6  # slope at or below: the basin follows lr·wd = const
ALIGNED = 0.3  # |slope| below: the best wd barely moves with lr
MIN_COLUMNS = 3  # fewer interior optima than this cannot give a slope


@dataclass(frozen=True)
class Ridge:
    """log10 coordinates of each usable column's best cell, and the fitted slope (None if too few)."""

    log10_lrs: np.ndarray
    log10_wds: np.ndarray
    slope: float | None
    intercept: float | None
    edge_columns: int  # columns whose best wd sits on the grid's edge


def ridge(grid: Grid, lrs: np.ndarray, weight_decays: np.ndarray) -> Ridge:
    xs, ys, edge = [], [], 0
    last = len(weight_decays) - 1
    for c in range(len(lrs)):
        column = grid.test_loss[:, c]
        if np.isnan(column).all():
            continue
        r = int(np.nanargmin(column))
        if r in (0, last):
            edge += 1
            continue
        xs.append(np.log10(lrs[c]))
        ys.append(np.log10(weight_decays[r]))
    xs, ys = np.array(xs), np.array(ys)
    if len(xs) < MIN_COLUMNS or np.ptp(xs) == 0:
        return Ridge(xs, ys, None, None, edge)
    slope, intercept = np.polyfit(xs, ys, 1)
    return Ridge(xs, ys, float(slope), float(intercept), edge)


def shape_words(slope: float) -> str:
    if slope <= DIAGONAL:
        return "a diagonal basin: the best wd falls as lr grows, lr·wd ≈ const"
    if abs(slope) < ALIGNED:
        return "an axis-aligned basin: the best wd hardly depends on lr"
    if slope > 0:
        return "a basin that tilts the other way: the best wd rises with lr"
    return "a basin between diagonal and axis-aligned"


def ridge_sentence(label: str, r: Ridge) -> str:
    plural = "s" if r.edge_columns != 1 else ""
    edge = f" ({r.edge_columns} column{plural} with the best wd on the grid's edge left out)" if r.edge_columns else ""
    if r.slope is None:
        return (f"{label}: too few learning rates have their best weight decay inside the grid to fit a ridge"
                f"{edge}; widen the weight-decay range.")
    return (f"{label}: fitted ridge log10 wd* = {fmt(r.slope, 2)} · log10 lr + {fmt(r.intercept, 2)} over "
            f"{len(r.log10_lrs)} learning rates{edge}: {shape_words(r.slope)}.")
