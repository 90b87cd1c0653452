"""The sweep's coupling claims: the ridge fit, its words, the independent parameterization
against torch.optim, and the default view's basin flipping between the two parameterizations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.numbers import fmt
from core.train.sweep import DEFAULT_LOG10_WD, Grid, SweepConfig, run_sweep
from core.train.sweep_claims import ALIGNED, DIAGONAL, ridge, ridge_sentence, shape_words


def _grid(test_loss: np.ndarray) -> Grid:
    nan = np.full_like(test_loss, np.nan)
    return Grid("sgd", test_loss, nan, nan, np.isnan(test_loss))


def test_ridge_recovers_a_planted_slope_and_skips_edge_optima():
    lrs, wds = np.logspace(-4, 0, 9), np.logspace(-3, 3, 13)
    x, y = np.meshgrid(np.log10(lrs), np.log10(wds))
    planted = (y - (-1.0 * x - 1.0)) ** 2 + 1.0  # best log10 wd = -log10 lr - 1
    r = ridge(_grid(planted), lrs, wds)
    assert r.slope == pytest.approx(-1.0, abs=0.05)
    assert r.edge_columns == 1  # at lr = 1e-4 the best wd, 1e3, is the grid's top row: left out
    shifted = (y - 3.0) ** 2  # every optimum on the top edge
    assert ridge(_grid(shifted), lrs, wds).slope is None
    assert "too few" in ridge_sentence("SGD", ridge(_grid(shifted), lrs, wds))


@pytest.mark.parametrize("slope,word", [(-1.0, "diagonal"), (-0.1, "axis-aligned"), (0.8, "other way"),
                                        (-0.4, "between")])
def test_shape_words_follow_the_thresholds(slope, word):
    assert word in shape_words(slope)
    assert DIAGONAL < -ALIGNED


def test_independent_cells_are_torch_optim_with_weight_decay_over_lr():
    """Independent decay: the per-step shrink is wd·s_t whatever lr is; computed as torch's weight_decay = wd/lr,
    so torch.optim itself is the oracle."""
    config = SweepConfig(decay="independent", epochs=3, resolution=(2, 2), log10_lr=(-3.0, -1.0),
                         log10_wd=(-3.0, -1.0))
    cell = config.cell("adamw", 0.01, 0.001)
    assert cell.weight_decays == (pytest.approx(0.1),)
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.01, weight_decay=cell.weight_decays[0])
    w.grad = torch.zeros_like(w)
    opt.step()
    torch.testing.assert_close(w.detach(), torch.full((3,), 1 - 0.001, dtype=torch.float64))  # shrink = wd, lr-free
    (grid_config,) = SweepConfig(decay="independent", optimizers=("adamw",), resolution=(2, 2),
                                 log10_lr=(-3.0, -1.0), log10_wd=(-3.0, -1.0)).grid_configs()
    np.testing.assert_allclose(np.array(grid_config.weight_decays) * np.array(grid_config.lrs),
                               [1e-3, 1e-3, 1e-1, 1e-1])  # lr·weight_decay is the axis value: lr-free


def test_default_d2l_basin_flips_between_diagonal_and_axis_aligned():
    """The defect: the caption said AdamW's basin is 'more aligned with the axes' while the default grid showed
    it the most coupled (slope -0.40, SGD and Adam on the wd=10 edge). With PyTorch's coupled lr·wd the AdamW
    ridge is diagonal; with independent decay it is axis-aligned, both with the optimum inside the grid."""
    slopes = {}
    for mode, log10_wd in DEFAULT_LOG10_WD.items():
        config = SweepConfig(optimizers=("adamw",), log10_wd=log10_wd, decay=mode)
        grid = run_sweep(config)["adamw"]
        r = ridge(grid, config.lrs, config.weight_decays)
        slopes[mode] = r.slope
        best_row, _ = grid.best
        assert 0 < best_row < config.resolution[1] - 1  # the best cell is inside the grid
    assert slopes["coupled"] <= DIAGONAL
    assert abs(slopes["independent"]) < ALIGNED


@settings(max_examples=20, deadline=None)
@given(decay=st.sampled_from(["coupled", "independent"]), n=st.integers(3, 6), epochs=st.integers(2, 15),
       lr_lo=st.sampled_from([-4.0, -3.0, -2.0]), wd=st.sampled_from([(-5.0, 1.0), (-3.0, 3.0), (-2.0, 0.0)]),
       task=st.sampled_from(["d2l", "seed"]))
def test_random_views_state_the_ridge_that_their_grid_has(decay, n, epochs, lr_lo, wd, task):
    """On random sweeps, the sentence's slope and words are recomputed here from the grid's best cells."""
    config = SweepConfig(task=task, optimizers=("adamw",), decay=decay, resolution=(n, n), epochs=epochs,
                         log10_lr=(lr_lo, 0.0), log10_wd=wd)
    grid = run_sweep(config)["adamw"]
    xs, ys = [], []
    for c in range(n):
        column = grid.test_loss[:, c]
        if not np.isnan(column).all() and 0 < int(np.nanargmin(column)) < n - 1:
            xs.append(np.log10(config.lrs[c]))
            ys.append(np.log10(config.weight_decays[int(np.nanargmin(column))]))
    text = ridge_sentence("AdamW", ridge(grid, config.lrs, config.weight_decays))
    if len(xs) < 3 or np.ptp(xs) == 0:
        assert "too few" in text
        return
    slope = np.polyfit(xs, ys, 1)[0]
    assert f"wd* = {fmt(slope, 2)} ·" in text and f"over {len(xs)} learning rates" in text
    assert shape_words(slope) in text
