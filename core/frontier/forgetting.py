"""What AdamW forgets on its timescale: weights on irrelevant features decay like exp(-t/tau).

Source: Wang & Aitchison, "How to set AdamW's weight decay as you scale model and dataset size"
(arXiv 2024, ICML 2025): AdamW's weights are an exponential moving average of recent updates with
timescale tau = 1/(lr*wd) steps, so whatever the current gradients do not renew is forgotten as
exp(-t/tau). core/frontier/timescale.py checks the decay alone (zero gradient); this is the same
claim inside a live regression.

The regression: a model "pretrained" where all N_FEATURES inputs mattered meets data where only
the first N_RELEVANT do, with the coefficients it already has (true coefficient 0 on the rest).
Each step torch.optim.AdamW (float64, seeded) sees a fresh batch of BATCH examples
y = x . beta + noise, the gradient of the mean squared error / 2 in closed form, x^T (x w - y) / B.

Why the irrelevant weights follow the envelope ||w_irr,0|| exp(-t/tau): AdamW's step is
w <- (1 - lr*wd) w - lr * m_hat / (sqrt(v_hat) + eps). On an irrelevant weight w_j the gradient
x_j * residual is noise whose mean is only the loss's own pull s^2 * w_j (s: that input's scale)
while its spread is about s * residual / sqrt(B): zero mean, as near as matters. Adam divides by
that spread (sqrt(v_hat_j)), so the pull becomes s^2 / sqrt(v_hat_j) ~ s * sqrt(B) / residual per
unit weight, for these weak inputs (s = IRRELEVANT_SCALE) a small fraction of wd (Forgetting.pull
computes the ratio from torch's own v_hat). So Adam's normalized update is small on average, the
decay dominates the drift, and the mean weight is (1 - lr*wd)^t w_0 ~ exp(-t/tau) w_0. What the envelope leaves out:
(1) the noise itself. m_hat / sqrt(v_hat) is zero-mean noise of unit long-run variance, so each
weight random-walks by about lr a step, and the decay holds that walk near a spread of
sqrt(lr / (2 wd)) per weight, sqrt(n * lr / (2 wd)) in norm (floor): once the envelope falls to it,
the norm stops following the envelope (large lr / wd). In torch's runs the walk's long-run
variance comes out somewhat below 1 (v_hat averages ~1000 steps of a gradient whose spread varies),
so the floor is an estimate, a little high. (2) A strong irrelevant input: with s = 1 the pull is
larger than the decay and the loss removes the weights faster than exp(-t/tau) (the tests run both,
and wd = 0, where nothing decays).

The relevant weights start at the true coefficients and settle where the noisy update balances the
decay: E[m_hat] / sqrt(v_hat) = -wd * w with E[m_hat] = w - beta (unit-variance inputs), so
w_fit = beta / (1 + wd * sqrt(v_hat)): ridge regression with a penalty wd * sqrt(v_hat_i) on each
weight, the "shrunk fit", computed with sqrt(v_hat) as torch's state holds it at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import numbers
from core.frontier.checks import decay_below_one
from core.problem import SEED

N_FEATURES = 20
N_RELEVANT = 5  # the first N_RELEVANT features carry the signal; the rest have true coefficient 0
IRRELEVANT_SCALE = 1e-3  # the irrelevant inputs' standard deviation (the relevant ones' is 1)
BATCH = 8  # fresh examples per step
LABEL_NOISE = 1.0  # the standard deviation of y's noise
MAX_STEPS = 5000  # ~100 us a step (torch.optim's own per-call cost): at most ~0.5 s a run
CHUNK = 1024  # steps whose data is drawn at once: a few MB however long the run


@dataclass(frozen=True)
class Forgetting:
    """One AdamW run on the regression: the norms of both groups of weights at every step."""

    lr: float
    wd: float
    scale: float  # the irrelevant inputs' standard deviation
    steps: np.ndarray  # 0..T
    irrelevant: np.ndarray  # ||w_irr,t||
    relevant: np.ndarray  # ||w_rel,t||
    true_norm: float  # ||beta||, where the relevant weights start
    fit: np.ndarray  # the relevant weights' shrunk fit beta / (1 + wd sqrt(v_hat))
    start_gap: float  # ||beta - fit||: how far the relevant weights start from it
    end_gap: float  # ||w_rel,T - fit||
    pull: float  # the loss's mean pull on the irrelevant weights, as a multiple of the decay

    @property
    def tau(self) -> float:
        return math.inf if self.wd == 0 else 1.0 / (self.lr * self.wd)

    @property
    def envelope(self) -> np.ndarray:
        """||w_irr,0|| exp(-t/tau): what decay alone leaves of the irrelevant weights."""
        return self.irrelevant[0] * np.exp(-self.steps * self.lr * self.wd)

    @property
    def floor(self) -> float:
        """sqrt(n lr / (2 wd)): where Adam's noise holds the irrelevant weights' norm (inf at wd 0)."""
        n = N_FEATURES - N_RELEVANT
        return math.inf if self.wd == 0 else math.sqrt(n * self.lr / (2.0 * self.wd))

    @property
    def at(self) -> int:
        """The step the sentence compares at: tau, or the last step if the run is shorter."""
        last = int(self.steps[-1])
        return last if self.wd == 0 else min(last, max(1, round(self.tau)))

    @property
    def kept(self) -> float:
        """The irrelevant weights' norm at step `at` over their starting norm, measured."""
        return float(self.irrelevant[self.at] / self.irrelevant[0])

    @property
    def predicted(self) -> float:
        """exp(-at/tau): what the envelope says kept should be."""
        return math.exp(-self.at * self.lr * self.wd)

    @property
    def fit_norm(self) -> float:
        return float(np.linalg.vector_norm(self.fit))


def _check(lr: float, wd: float, steps: int, scale: float) -> None:
    finite = all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lr, wd, scale))
    if not (finite and lr > 0 and wd >= 0 and scale > 0):
        raise ValueError(f"lr and the scale must be positive and wd non-negative, got lr={lr!r}, wd={wd!r}, "
                         f"scale={scale!r}")
    decay_below_one(lr, wd)
    if not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer in [1, {numbers.count(MAX_STEPS)}], got {steps!r}")


def _start(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The true coefficients beta (zero past N_RELEVANT) and the pretrained start w0: the true
    coefficients on the relevant features, standard normal weights on the irrelevant ones."""
    beta = torch.zeros(N_FEATURES, dtype=torch.float64)
    beta[:N_RELEVANT] = torch.randn(N_RELEVANT, generator=gen, dtype=torch.float64)
    w0 = beta.clone()
    w0[N_RELEVANT:] = torch.randn(N_FEATURES - N_RELEVANT, generator=gen, dtype=torch.float64)
    return beta, w0


def forget(lr: float = 1e-3, wd: float = 0.1, steps: int = 1000, seed: int = SEED,
           scale: float = IRRELEVANT_SCALE, fused: bool = True) -> Forgetting:
    """torch.optim.AdamW on the regression for `steps` fresh batches, every step's weights kept.
    fused=True is torch's fused CPU kernel: the numbers of its default loop to rounding (a relative
    2e-16 over 2,000 steps; a test holds it to 1e-14), about a third faster at the page's ~2,000 steps."""
    _check(lr, wd, steps, scale)
    gen = torch.Generator().manual_seed(int(seed))
    beta, w0 = _start(gen)
    scales = torch.ones(N_FEATURES, dtype=torch.float64)
    scales[N_RELEVANT:] = scale
    w = w0.clone().requires_grad_(True)
    opt = torch.optim.AdamW([w], lr=lr, weight_decay=wd, fused=fused or None)
    history = torch.empty(steps + 1, N_FEATURES, dtype=torch.float64)
    history[0] = w0
    w.grad = torch.zeros_like(w)
    with torch.no_grad():
        for first in range(0, steps, CHUNK):
            n = min(CHUNK, steps - first)
            x = torch.randn(n, BATCH, N_FEATURES, generator=gen, dtype=torch.float64) * scales
            y = x @ beta + LABEL_NOISE * torch.randn(n, BATCH, generator=gen, dtype=torch.float64)
            xt = x.transpose(1, 2) / BATCH
            rows = history[first + 1:first + n + 1].unbind(0)  # views made once: indexing costs ~5 us a step
            for xi, xti, yi, row in zip(x.unbind(0), xt.unbind(0), y.unbind(0), rows, strict=True):
                torch.mv(xti, torch.mv(xi, w).sub_(yi), out=w.grad)  # x^T (x w - y) / B
                opt.step()
                row.copy_(w)
    state = opt.state[w]
    _, beta2 = opt.defaults["betas"]
    denom = (state["exp_avg_sq"] / (1 - beta2 ** float(state["step"]))).sqrt() + opt.defaults["eps"]
    fit = beta[:N_RELEVANT] / (1 + wd * denom[:N_RELEVANT])
    pull = math.inf if wd == 0 else float((scale**2 / denom[N_RELEVANT:]).mean()) / wd
    norms = torch.linalg.vector_norm
    return Forgetting(
        lr, wd, scale, np.arange(steps + 1),
        irrelevant=norms(history[:, N_RELEVANT:], dim=1).numpy(),
        relevant=norms(history[:, :N_RELEVANT], dim=1).numpy(),
        true_norm=float(norms(beta)), fit=fit.numpy(),
        start_gap=float(norms(beta[:N_RELEVANT] - fit)), end_gap=float(norms(history[-1, :N_RELEVANT] - fit)),
        pull=pull)


def sentences(r: Forgetting) -> list[str]:
    """What the run shows, in its own numbers: the irrelevant weights against the envelope, why
    (the loss's pull against the decay's, and Adam's noise floor), the relevant weights' fit."""
    start = float(r.irrelevant[0])
    if r.wd == 0:
        decay = (f"With wd = 0 nothing decays: after {numbers.count(r.at)} steps the irrelevant weights kept "
                 f"{numbers.fmt(r.kept)} of their starting norm.")
        why = ("Without decay only the loss's pull s²·w moves them on average, and Adam's noise makes them "
               "random-walk by about lr a step.")
    else:
        gap = r.kept / r.predicted - 1
        decay = (f"After {numbers.count(r.at)} steps (t/τ = {numbers.fmt(r.at / r.tau)}) the irrelevant weights "
                 f"kept {numbers.fmt(r.kept, unlike=r.predicted)} of their starting norm; exp(−t/τ) predicts "
                 f"{numbers.fmt(r.predicted)}, the measurement is {numbers.fmt(abs(gap) * 100)}% "
                 f"{'above' if gap > 0 else 'below'} it.")
        why = (f"Why: their gradient is noise around the loss's pull s²·w (inputs of scale s = "
               f"{numbers.fmt(r.scale)}), "
               f"which Adam's normalization makes {numbers.fmt(r.pull)} times the decay's, so their mean shrinks "
               f"{numbers.fmt(1 + r.pull, unlike=1)} times as fast as by decay alone; Adam's noise, about lr a step, "
               f"keeps their norm from settling much below sqrt(n·lr/(2·wd)) = {numbers.fmt(r.floor)} "
               f"({numbers.fmt(r.floor / start)} of the start).")
    if r.wd == 0:
        target = "with no decay their fit is the true coefficients themselves"
    else:
        target = (f"where AdamW's noisy gradient balances its decay is ridge regression with a penalty wd·sqrt(v̂) "
                  f"on each weight (v̂ from torch's state), a shrunk fit of norm "
                  f"{numbers.fmt(r.fit_norm, unlike=r.true_norm)}")
    fit = (f"The relevant weights start at the true coefficients (norm {numbers.fmt(r.true_norm)}); {target}. "
           f"They ended at norm {numbers.fmt(r.relevant[-1])}, {numbers.fmt(r.end_gap)} from that fit "
           f"(they started {numbers.fmt(r.start_gap)} from it).")
    return [decay, why, fit]
