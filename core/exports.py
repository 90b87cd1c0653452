"""What a page shows, as CSV: long format (one value a row) so any tool can pivot it."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from core.step import StepResult
from core.train.sweep import Grid, SweepConfig
from core.train.training import History


def _csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue()


def step_csv(result: StepResult) -> str:
    """Every matrix of the single-step view, cell by cell, plus the whole step-through."""
    matrices = {"w_before": result.w_before, "gradient": result.grad, "decay_term": result.decay_term,
                "w_after_no_decay": result.w_after_no_decay, "w_after": result.w_after,
                "difference": result.difference}
    rows = [(name, 1, i, j, float(m[i, j])) for name, m in matrices.items() for i, j in np.ndindex(m.shape)]
    rows += [("w_t", t, i, j, float(w[i, j])) for t, w in enumerate(result.trajectory) for i, j in np.ndindex(w.shape)]
    return _csv(pd.DataFrame(rows, columns=["matrix", "step", "row", "col", "value"]))


def history_csv(histories: dict[str, History]) -> str:
    """Per optimizer, weight decay and step: train and test loss and each parameter's norm."""
    frames = []
    for key, h in histories.items():
        for run, wd in enumerate(h.config.weight_decays):
            frame = pd.DataFrame({"optimizer": key, "weight_decay": wd, "step": np.arange(h.train_loss.shape[1]),
                                  "train_loss": h.train_loss[run], "test_loss": h.test_loss[run]})
            for name, norms in h.norms.items():
                frame[f"norm_{name}"] = norms[run]
            frames.append(frame)
    return _csv(pd.concat(frames, ignore_index=True))


def sweep_csv(config: SweepConfig, grids: dict[str, Grid]) -> str:
    """One row per optimizer and cell; diverged cells have empty values and diverged=True."""
    rows = []
    for key, g in grids.items():
        for r, c in np.ndindex(g.test_loss.shape):
            rows.append((key, config.lrs[c], config.weight_decays[r], g.test_loss[r, c], g.train_loss[r, c],
                         g.weight_norm[r, c], bool(g.diverged[r, c])))
    return _csv(pd.DataFrame(rows, columns=["optimizer", "lr", "weight_decay", "test_loss", "train_loss",
                                            "weight_norm", "diverged"]))
