"""core.explain.precision: which weights one AdamW step changes in low precision, checked against torch's own
arithmetic, and the precision card's words checked against those numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from core.explain.precision import (
    F32_NOTHING,
    PRECISION_DTYPES,
    PRECISION_GRID,
    decay_rounded,
    precision,
    precision_answer,
    precision_summary,
    rounding_bounds,
    zero_grad_adamw_step,
)
from core.explain.questions import BY_SLUG
from core.numbers import fmt
from core.problem import make_problem

# every positive normal (finite, not subnormal) value of each 16-bit type, by bit pattern
NORMAL_BITS = {"bfloat16": (0x0080, 0x7F80)}


def all_positive_normals(dtype: str) -> torch.Tensor:
    low, high = NORMAL_BITS[dtype]
    return torch.arange(low, high, dtype=torch.int32).to(torch.int16).view(getattr(torch, dtype))


def test_the_issues_numbers_bf16_weights_change_at_3e_3():
    """The old card said bf16 rounds away lr·wd below about 0.004; at 3e-3, 13 of the 20 weights change."""
    r = precision(lr_wd=3e-3)
    assert r.changed["bfloat16"] == 13 and r.n == 20
    assert precision(lr_wd=2e-3).changed["bfloat16"] == 0
    assert precision(lr_wd=4e-3).changed["bfloat16"] == 20
    assert "13 of 20 bfloat16" in precision_summary(r)


def test_counts_are_real_adamw_steps():
    w = make_problem().w0
    for lr_wd in (1e-8, 1e-4, 3e-3):
        r = precision(lr_wd=lr_wd)
        for dtype in PRECISION_DTYPES:
            low = w.to(getattr(torch, dtype))
            p = low.clone().requires_grad_(True)
            opt = torch.optim.AdamW([p], lr=0.1, weight_decay=lr_wd / 0.1)
            p.grad = torch.zeros_like(p)
            opt.step()
            assert r.changed[dtype] == int((p.detach() != low).sum()), (dtype, lr_wd)


@pytest.mark.parametrize("dtype", PRECISION_DTYPES)
def test_the_chart_curve_is_what_adamw_computes_on_the_whole_grid(dtype):
    """decay_rounded (AdamW's decay line) equals a real zero-gradient AdamW step at every grid value."""
    w = make_problem().w0.to(getattr(torch, dtype))
    r = precision()
    for k, share in zip(PRECISION_GRID, r.share[dtype], strict=True):
        real = zero_grad_adamw_step(w, 0.1, k / 0.1)
        assert torch.equal(decay_rounded(w, 0.1, k / 0.1), real)
        assert share == float((real != w).double().mean())


def test_float16_is_left_out_because_adamw_with_zero_gradients_gives_nan_there():
    """The reason PRECISION_DTYPES has no float16: eps = 1e-8 underflows, sqrt(0) + 0 = 0, 0/0 = NaN."""
    w = torch.ones(3, dtype=torch.float16)
    assert torch.isnan(zero_grad_adamw_step(w, 0.1, 0.01)).all()
    assert "float16" not in PRECISION_DTYPES


@pytest.mark.parametrize("dtype", ["bfloat16"])
def test_bounds_hold_for_every_normal_value_of_the_dtype(dtype):
    """Below the lost bound no normal value changes in an AdamW step; above the kept bound every one does;
    in between some do and some do not. Exhaustive over the dtype's positive normals."""
    lost, kept = rounding_bounds(dtype)
    w = all_positive_normals(dtype)
    changed = {k: (zero_grad_adamw_step(w, 1.0, k) != w) for k in (lost * 0.999, lost * 1.01, kept * 0.99,
                                                                     kept * 1.001)}
    assert not changed[lost * 0.999].any()
    assert changed[kept * 1.001].all()
    for k in (lost * 1.01, kept * 0.99):
        assert changed[k].any() and not changed[k].all()


def test_bounds_hold_for_float32_across_binades():
    lost, kept = rounding_bounds("float32")
    g = torch.Generator().manual_seed(0)
    w = torch.ldexp(1 + torch.rand(20000, generator=g), torch.randint(-60, 60, (20000,), generator=g)).float()
    w = torch.cat([w, torch.ldexp(torch.ones(120), torch.arange(-60, 60)).float()])  # exact powers of two too
    assert not (zero_grad_adamw_step(w, 1.0, lost * 0.999) != w).any()
    assert (zero_grad_adamw_step(w, 1.0, kept * 1.001) != w).all()


def test_the_answer_states_the_bounds_torch_finfo_gives():
    answer = precision_answer()
    assert "2⁻⁹ ≈ 0.00195" in answer and "2⁻⁸ ≈ 0.00391" in answer  # bfloat16: eps 2⁻⁷
    assert "2⁻²⁵ ≈ 2.98e-8" in answer and "2⁻²⁴ ≈ 5.96e-8" in answer
    assert F32_NOTHING < rounding_bounds("float32")[0] and f"lr·wd of {fmt(F32_NOTHING)} does nothing" in answer
    assert precision(lr_wd=F32_NOTHING).changed["float32"] == 0
    assert f"larger than {fmt(torch.finfo(torch.bfloat16).tiny)} changes" in answer  # normal numbers only
    assert rounding_bounds("bfloat16") == (2**-9, 2**-8)
    assert "2⁻⁸ ≈ 0.004 is rounded away" not in BY_SLUG["precision"].answer  # the old, wrong claim
    assert BY_SLUG["precision"].answer == answer


@pytest.mark.parametrize("lr_wd", [1e-4, 2e-3, 3e-3, 3.5e-3, 5e-3, 1e-2])
def test_the_summary_counts_and_thresholds_are_the_results(lr_wd):
    r = precision(lr_wd=lr_wd)
    text = precision_summary(r)
    for dtype in PRECISION_DTYPES:
        assert f"{r.changed[dtype]} of {r.n} {dtype}" in text
    first, every = r.first_and_all("bfloat16")
    shares = r.share["bfloat16"]
    assert shares[PRECISION_GRID < first].max() == 0 and shares[PRECISION_GRID == first][0] > 0
    assert (shares[PRECISION_GRID >= every] == 1).all() and shares[PRECISION_GRID < every].max() < 1
    numbers_in_text = [float(x) for x in re.findall(r"lr·wd = ([\d.e-]+)", text)]
    assert numbers_in_text[0] == pytest.approx(lr_wd, rel=5e-3)
    assert numbers_in_text[1] == pytest.approx(first, rel=5e-3)
    lost, kept = rounding_bounds("bfloat16")
    assert lost <= first and np.isfinite(every)
