"""Why a small lr·wd does nothing: the decay is rounded away in the weight's dtype.

One step multiplies w by 1 - lr·wd and rounds the product to w's dtype. Whether w changes
depends on lr·wd and on where |w| sits between two powers of two, so "below 2^-8 the decay is
lost" is wrong for bfloat16: at lr·wd = 3e-3, 13 of the seed's 20 bf16 weights change. This
module measures the share of weights one real torch.optim.AdamW step changes, per dtype and
lr·wd, and writes the Questions card's answer and summary from those numbers and from
torch.finfo; tests/test_precision.py checks them against torch's own arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.optim.torch_loop import pure_decay_run
from core.problem import make_problem

# float16 is left out on purpose: with zero gradients AdamW's denominator is sqrt(0) + eps, and eps = 1e-8
# underflows to 0 in float16, so a float16 weight becomes 0/0 = NaN instead of showing any rounding
PRECISION_DTYPES = ("float32", "bfloat16")
PRECISION_GRID = np.logspace(-9, -1, 161)  # lr·wd values the chart runs, 20 per decade
F32_NOTHING = 1e-8  # the answer's float32 example: below float32's lost bound, a test checks
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def rounding_bounds(dtype: str) -> tuple[float, float]:
    """(lost, kept): one step w -> w(1 - lr·wd), rounded to dtype, leaves every normal weight as it was
    when lr·wd < lost and changes every nonzero one when lr·wd > kept. w changes iff lr·wd·|w| reaches
    half the spacing of dtype's numbers at w, and that half-spacing is between eps/4 and eps/2 of |w|
    (eps/2 at a power of two, nearly eps/4 just below the next one)."""
    eps = torch.finfo(getattr(torch, dtype)).eps
    return eps / 4, eps / 2


def power_of_two(x: float) -> str:
    """An exact power of two in superscript notation with its value: 2⁻⁹ ≈ 0.00195."""
    return f"2{str(round(math.log2(x))).translate(_SUPERSCRIPT)} ≈ {numbers.fmt(x)}"


def zero_grad_adamw_step(w: torch.Tensor, lr: float, weight_decay: float) -> torch.Tensor:
    """W after one torch.optim.AdamW step with a zero gradient: the decay alone, in w's dtype."""
    return pure_decay_run(torch.optim.AdamW, w, 1, lr=lr, weight_decay=weight_decay)[-1]


def decay_rounded(w: torch.Tensor, lr: float, weight_decay: float) -> torch.Tensor:
    """AdamW's decay line, param.mul_(1 - lr * weight_decay), on a copy: what zero_grad_adamw_step
    computes (a test checks it on the whole grid), without building an optimizer per point."""
    return w.mul(1 - lr * weight_decay)


@dataclass(frozen=True)
class Precision:
    lr_wd: float
    changed: dict[str, int]  # dtype -> weights of the seed W changed by one real AdamW step at lr_wd
    n: int  # weights in W
    grid: np.ndarray  # lr·wd values of the chart
    share: dict[str, np.ndarray]  # dtype -> share of W's weights changed at each grid value

    def first_and_all(self, dtype: str) -> tuple[float | None, float | None]:
        """Smallest grid lr·wd that changes any weight, and the smallest from which every larger one
        changes all of them."""
        share = self.share[dtype]
        changes = np.flatnonzero(share > 0)
        not_all = np.flatnonzero(share < 1)
        first = float(self.grid[changes[0]]) if changes.size else None
        every = None if not_all.size and not_all[-1] == len(share) - 1 else \
            float(self.grid[not_all[-1] + 1 if not_all.size else 0])
        return first, every


def precision(lr_wd: float = 3e-3, lr: float = 0.1) -> Precision:
    """The seed W in three dtypes, one AdamW step with zero gradients, weight_decay = lr_wd / lr."""
    w64 = make_problem().w0
    changed, share = {}, {}
    for dtype in PRECISION_DTYPES:
        w = w64.to(getattr(torch, dtype))
        changed[dtype] = int((zero_grad_adamw_step(w, lr, lr_wd / lr) != w).sum())
        share[dtype] = np.array([float((decay_rounded(w, lr, k / lr) != w).double().mean()) for k in PRECISION_GRID])
    return Precision(lr_wd, changed, w64.numel(), PRECISION_GRID, share)


def precision_figure(r: Precision):
    series = {dtype: (r.grid, r.share[dtype]) for dtype in PRECISION_DTYPES}
    series[f"your lr·wd = {numbers.fmt(r.lr_wd)}"] = (np.array([r.lr_wd, r.lr_wd]), np.array([0.0, 1.0]))
    fig = figures.lines(series, f"Share of the seed's {r.n} weights that one AdamW step changes (zero gradients)",
                        "lr·wd", "share of weights changed")
    return fig.update_xaxes(type="log", exponentformat="power")


def precision_answer() -> str:
    lost, kept = rounding_bounds("bfloat16")
    bits = 1 - round(math.log2(torch.finfo(torch.bfloat16).eps))
    tiny = numbers.fmt(torch.finfo(torch.bfloat16).tiny)
    f32_lost, f32_kept = rounding_bounds("float32")
    return ("Check lr·wd against your dtype. A step multiplies w by 1 − lr·wd and rounds the product back to w's "
            "dtype, so w changes only if lr·wd·|w| reaches half the spacing between neighbouring numbers at w, "
            "and that depends on where |w| sits between two powers of two. With bfloat16 weights "
            f"({bits} significant bits) no weight changes below lr·wd = {power_of_two(lost)}, every one larger "
            f"than {tiny} changes above {power_of_two(kept)}, and in between only some do. In float32 the same "
            f"happens between {power_of_two(f32_lost)} and {power_of_two(f32_kept)}, so an lr·wd of "
            f"{numbers.fmt(F32_NOTHING)} does nothing at all.")


def precision_summary(r: Precision) -> str:
    lost, kept = rounding_bounds("bfloat16")
    first, every = r.first_and_all("bfloat16")
    counts = ", ".join(f"{r.changed[d]} of {r.n} {d}" for d in PRECISION_DTYPES)
    text = f"At lr·wd = {numbers.fmt(r.lr_wd)}, one AdamW step with zero gradients changed {counts} weights."
    if first is not None and every is not None:
        text += (f" On the chart's grid the first bfloat16 weight of this W changes at lr·wd = {numbers.fmt(first)} "
                 f"and all {r.n} do from {numbers.fmt(every)} on; for any weight the bounds are "
                 f"{numbers.fmt(lost)} and {numbers.fmt(kept)}.")
    return text
