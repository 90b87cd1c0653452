"""End-of-training gradient growth: AdamW under a cosine schedule vs the corrected decay (AdamC).

Source: Aaron Defazio, "Why Gradients Rapidly Increase Near the End of Training", 2025
(arXiv 2506.02285). Long LLM runs see ||g|| rise near the end (the paper's Figure 1: a 120M model
whose gradient norm more than doubles). Its argument, after Van Laarhoven (2017): for a weight
followed by a normalization layer the loss is scale-invariant, so the gradient is orthogonal to w
and shrinks like 1/||w||, and weight decay holds ||w|| at a steady state where the decay's pull
balances the updates' push. For SGD that steady state is ||g_t||/||w_t|| = sqrt(2*wd/lr_t): it
depends on the learning rate, so a schedule that takes lr_t to zero moves every normalized layer's
ratio, and ||g|| grows. The correction (AdamC, and SGDC for SGD) scales the normalized layers' decay
with the schedule, wd_t = wd * lr_t / lr_max: the weights shrink by wd * lr_t^2 / lr_max per step
instead of wd * lr_t, so wd_t / lr_t, and with it the steady state, stays fixed. Other layers keep
plain AdamW (the paper's LLM runs count every linear layer but the output as normalized).

What was checked, and how: the abstract, Figure 1's caption and the Van Laarhoven framing from the
paper's own arXiv html (its first pages); the SGD formula from a summary of the paper
(emergentmind), not from the paper's text; the rule wd * lr_t^2 / lr_max from timm's
`corrected_weight_decay` ("lr**2 / max_lr") and from heavyball's AdamC test. Not verified: the
paper's own statement of the Adam steady state (its later sections were not reachable), so the Adam
formulas below are derived here, and the tests hold them to torch.optim runs. Not reproduced: the
paper's lower losses (the toy's loss has no meaning beyond its gradient).

The Adam steady state, derived. Adam's update u = m_hat/(sqrt(v_hat)+eps) does not scale with ||g||;
once noise dominates each coordinate is about unit-RMS before momentum. A row's squared norm obeys
||w_{t+1}||^2 = (1 - lr*wd)^2 ||w_t||^2 + (the updates' random walk), which settles where
2*lr*wd*||w||^2 = lr^2 * d: ||w||^2 = lr*d / (2*wd). With momentum beta1 each step's ||u||^2 is
about (1-beta1)/(1+beta1) * d while a gradient's total push is still d (Kosson et al., "Rotational
equilibrium", ICML 2024, whose AdamW equilibrium this is), so at equilibrium

    ||u_t|| / ||w_t|| = sqrt(2 * wd_t / lr_t * (1 - beta1) / (1 + beta1)).

This needs the weight to turn little over momentum's ~1/(1-beta1) steps: at lr*wd = 0.001-0.004
the runs sit within 3% of it, at the page's default 0.025 about 10% above (the tests hold it under
15%), and further off as lr*wd grows (the page states the gap it measures).

The gradient ratio is the square, not the root: ||g|| = ||g_unit|| / ||w|| (scale invariance), so
||g||/||w|| = ||g_unit|| / ||w||^2, proportional to wd_t / lr_t under Adam (SGD's sqrt(2*wd/lr_t)
is a root because SGD's step is g itself). Under AdamW with a cosine schedule the ratio is asked to
grow without bound; under AdamC to stay put. The norm follows its target only on the timescale
1/(2*lr_t*wd_t): near the end of a cosine run that exceeds the steps left, ||w|| freezes, and the
rise stays finite (the run shows how large).

The toy: ROWS weight vectors of DIM entries, each followed by its own normalization (as BatchNorm
normalizes each channel), loss sum_i <xi_i - target_i, w_i/||w_i||> with fresh Gaussian noise xi
every step (the gradient noise), so the loss depends on w only through w/||w||. Both rules are
parameter groups of one torch.optim.AdamW under torch's CosineAnnealingLR (to zero at T), from the
same start on the same noise: "adamw" keeps weight_decay = wd; "adamc" has weight_decay =
wd * lr_t / lr_max written into its param group before every step, so torch.optim does every
update (the tests check both against AdamW written out by hand, float64).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core import numbers
from core.frontier.checks import decay_below_one, positive
from core.problem import SEED

BETAS = (0.9, 0.999)  # torch's AdamW defaults
ROWS, DIM = 8, 32  # the toy's normalized weight vectors: small enough for ~1000 steps well under 1 s
NOISE = 1.0  # the gradient noise's std per coordinate, against a unit-norm target
MAX_STEPS = 1500  # the live run's upper bound: two groups of 8x32, ~0.3 ms a step (the page's slider ends here)
RULES = {"adamw": "AdamW", "adamc": "AdamC"}  # weight_decay wd fixed; wd * lr_t / lr_max
SMOOTH = 50  # a ratio is read as the mean over steps/SMOOTH steps (at least one): the noise averages out
MIN_STEPS = 2 * SMOOTH
LR, WD, STEPS, WINDOW = 0.05, 0.5, 600, 0.5  # the page's defaults: 15 timescales, ~0.2 s


def draw_problem(steps: int, rows: int = ROWS, dim: int = DIM, noise: float = NOISE, seed: int = SEED):
    """The toy's start (unit rows), its targets (unit rows) and every step's gradient noise, float64."""
    g = torch.Generator().manual_seed(seed)
    start = torch.nn.functional.normalize(torch.randn(rows, dim, generator=g, dtype=torch.float64), dim=1)
    targets = torch.nn.functional.normalize(torch.randn(rows, dim, generator=g, dtype=torch.float64), dim=1)
    return start, targets, noise * torch.randn(steps, rows, dim, generator=g, dtype=torch.float64)


def loss(w: Tensor, target: Tensor, xi: Tensor) -> Tensor:
    """The scale-invariant loss: sum over rows of <xi - target, w/||w||>."""
    return ((xi - target) * (w / torch.linalg.vector_norm(w, dim=-1, keepdim=True))).sum()


def gradient(w: Tensor, target: Tensor, xi: Tensor) -> Tensor:
    """loss's gradient in closed form: (I - w_hat w_hat^T)(xi - target) / ||w|| per row, orthogonal
    to w and 1/||w|| in size (the tests hold it to autograd)."""
    norm = torch.linalg.vector_norm(w, dim=-1, keepdim=True)
    unit = w / norm
    v = xi - target
    return (v - (v * unit).sum(dim=-1, keepdim=True) * unit) / norm


def cosine_lr(lr_max: float, steps: int) -> np.ndarray:
    """The cosine schedule's lr before each step t = 0..steps-1: lr_max * (1 + cos(pi t / steps)) / 2."""
    return lr_max * (1 + np.cos(np.pi * np.arange(steps) / steps)) / 2


def equilibrium_update_ratio(lr, wd, beta1: float = BETAS[0]):
    """Adam's steady-state ||u||/||w|| for a scale-invariant weight: sqrt(2*wd/lr * (1-beta1)/(1+beta1))."""
    return np.sqrt(2 * np.asarray(wd) / np.asarray(lr) * (1 - beta1) / (1 + beta1))


@dataclass(frozen=True)
class GrowthRun:
    """Both rules' run, per step t (read before step t): the scheduler's lr, each rule's weight
    decay, ||g||/||w||, the update's ||u||/||w|| and its predicted steady state; window is the
    share of the run, at its end, whose rise is read."""

    lr: float
    wd: float
    window: float
    lr_t: np.ndarray
    wd_t: dict[str, np.ndarray]
    grad_ratio: dict[str, np.ndarray]
    update_ratio: dict[str, np.ndarray]
    final: dict[str, np.ndarray]  # the weights after the last step

    @property
    def steps(self) -> int:
        return len(self.lr_t)

    @property
    def span(self) -> int:
        """Steps a ratio is averaged over when it is read."""
        return max(1, self.steps // SMOOTH)

    @property
    def window_start(self) -> int:
        return min(self.steps - self.span, max(self.span, round(self.steps * (1 - self.window))))

    @property
    def timescales(self) -> float:
        """How many of decay's timescales 1/(lr*wd), at the peak lr, the run spans."""
        return self.lr * self.wd * self.steps

    @property
    def settled(self) -> int:
        """The step by which the norm has had three of its timescales 1/(2*lr*wd) at the peak lr to settle."""
        return max(self.span, math.ceil(3 / (2 * self.lr * self.wd)))

    def predicted(self, name: str) -> np.ndarray:
        return equilibrium_update_ratio(self.lr_t, self.wd_t[name])

    def mean_at(self, series: np.ndarray, start: int) -> float:
        return float(np.mean(series[start:start + self.span]))

    def growth(self, name: str) -> float:
        """||g||/||w|| over the last span steps, over its value over the span before the window."""
        ratio = self.grad_ratio[name]
        return self.mean_at(ratio, self.steps - self.span) / self.mean_at(ratio, self.window_start - self.span)

    def spread(self, name: str) -> float:
        """The largest over the smallest smoothed ||g||/||w|| inside the window: 1 is perfectly flat."""
        ratio = self.grad_ratio[name]
        means = [self.mean_at(ratio, s) for s in range(self.window_start, self.steps - self.span + 1, self.span)]
        return max(means) / min(means)

    def settled_gap(self, name: str) -> float | None:
        """The largest relative gap between ||u||/||w|| and its steady state, smoothed, from the
        settled step to mid-run; None when the run is too short to settle by then."""
        starts = range(self.settled, self.steps // 2 - self.span + 1, self.span)
        if not starts:
            return None
        predicted = self.predicted(name)
        return max(abs(self.mean_at(self.update_ratio[name], s) / self.mean_at(predicted, s) - 1) for s in starts)

    def end_share(self, name: str) -> float:
        """||u||/||w|| over the last span steps as a share of its predicted steady state."""
        end = self.steps - self.span
        return self.mean_at(self.update_ratio[name], end) / self.mean_at(self.predicted(name), end)

    def frozen_from(self, name: str) -> int | None:
        """The first step at which the rule's norm timescale 1/(2*lr_t*wd_t) exceeds the steps left."""
        left = self.steps - np.arange(self.steps)
        late = np.nonzero(1.0 / (2 * self.lr_t * self.wd_t[name]) > left)[0]
        return int(late[0]) if len(late) else None


def run(lr: float = LR, wd: float = WD, steps: int = STEPS, window: float = WINDOW, seed: int = SEED) -> GrowthRun:
    """One torch.optim.AdamW with two parameter groups (AdamW, AdamC) under CosineAnnealingLR.
    The two weights are views of one (2, rows, dim) tensor, so each step's gradients are one
    batched call; the trajectory is kept and the ratios are read from it afterwards."""
    positive(lr=lr, wd=wd, window=window)
    decay_below_one(lr, wd)
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be in [{MIN_STEPS}, {numbers.count(MAX_STEPS)}], got {steps}")
    if not window < 1:
        raise ValueError(f"window must be a share of the run below 1, got {window!r}")
    start, targets, noise = draw_problem(steps, seed=seed)
    both = torch.stack([start, start])  # [adamw, adamc]; no autograd: the gradient is closed-form
    params = list(both.unbind(0))
    opt = torch.optim.AdamW([{"params": [p]} for p in params], lr=lr, betas=BETAS, weight_decay=wd)
    corrected = opt.param_groups[1]
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    path = torch.empty(steps + 1, *both.shape, dtype=both.dtype)
    path[0] = both
    lr_t = np.empty(steps)
    for t in range(steps):
        lr_t[t] = corrected["lr"]
        corrected["weight_decay"] = wd * lr_t[t] / lr  # AdamC: the decay follows the schedule
        grads = gradient(both, targets, noise[t])
        for p, g in zip(params, grads.unbind(0), strict=True):
            p.grad = g
        opt.step()
        sched.step()
        path[t + 1] = both
    wd_t = np.stack([np.full(steps, float(wd)), wd * lr_t / lr])
    w, after = path[:-1], path[1:]
    g = gradient(w, targets, noise.unsqueeze(1))
    shrink = torch.from_numpy(1 - lr_t * wd_t).T[:, :, None, None]
    u = (shrink * w - after) / torch.from_numpy(lr_t)[:, None, None, None]  # w_{t+1} = (1 - lr_t*wd_t) w_t - lr_t*u_t
    w_norm = torch.linalg.vector_norm(w, dim=(2, 3))
    grad_ratio = (torch.linalg.vector_norm(g, dim=(2, 3)) / w_norm).T.numpy()
    update_ratio = (torch.linalg.vector_norm(u, dim=(2, 3)) / w_norm).T.numpy()
    names = list(RULES)
    return GrowthRun(lr, wd, window, lr_t, dict(zip(names, wd_t, strict=True)),
                     dict(zip(names, grad_ratio, strict=True)), dict(zip(names, update_ratio, strict=True)),
                     {name: path[-1, i].numpy().copy() for i, name in enumerate(names)})


def _change(factor: float) -> str:
    """A factor as a direction and a size, from the number itself."""
    if factor > 1:
        return f"rose {numbers.fmt(factor, unlike=1.0)}-fold"
    if factor < 1:
        return f"fell to {numbers.fmt(factor, unlike=1.0)} of its value"
    return "did not change"


def growth_sentence(result: GrowthRun) -> str:
    """The headline: how far each rule's ||g||/||w|| moved over the window at the end."""
    return (f"Under AdamW with a cosine schedule ‖g‖/‖w‖ {_change(result.growth('adamw'))} over the last "
            f"{numbers.fmt(100 * result.window)}% of training (step {numbers.count(result.window_start)} to "
            f"{numbers.count(result.steps)}); with the corrected decay it {_change(result.growth('adamc'))}, "
            f"and inside that window it stayed within a factor {numbers.fmt(result.spread('adamc'), unlike=1.0)} "
            f"of itself (AdamW's moved by a factor {numbers.fmt(result.spread('adamw'), unlike=1.0)}).")


def _frozen(result: GrowthRun, name: str) -> str:
    step = result.frozen_from(name)
    return "never" if step is None else f"from step {numbers.count(step)}"


def timescale_sentence(result: GrowthRun) -> str:
    """Why the effect needs a long run, and why the rise stays finite."""
    head = f"The run spans lr·wd·T = {numbers.fmt(result.timescales)} of decay's timescales at the peak lr. "
    frozen = result.frozen_from("adamw")
    if frozen is not None and frozen <= result.settled:
        return head + (f"AdamW's norm timescale 1/(2·lr_t·wd) exceeds the steps left from step "
                       f"{numbers.count(frozen)}, before ‖w‖ could settle (that takes about "
                       f"{numbers.count(result.settled)} steps): "
                       "in a run this short decay has too little time to set ‖w‖.")
    return head + (f"AdamW's norm timescale 1/(2·lr_t·wd) exceeds the steps left {_frozen(result, 'adamw')}: "
                   f"‖w‖ stops following its shrinking target, so the rise stays finite. AdamC's, 1/(2·lr_t·wd_t), "
                   f"does {_frozen(result, 'adamc')}, but its target does not move.")


def equilibrium_sentence(result: GrowthRun) -> str:
    """How close each rule's update ratio sits to its predicted steady state."""
    formula = "√(2·wd_t/lr_t·(1−β₁)/(1+β₁))"
    gaps = {name: result.settled_gap(name) for name in RULES}
    end = (f"Over the last {numbers.count(result.span)} steps AdamW's is {numbers.fmt(result.end_share('adamw'))} of "
           f"its prediction, AdamC's {numbers.fmt(result.end_share('adamc'))}.")
    if gaps["adamw"] is None:
        return (f"The run is too short for ‖w‖ to settle by mid-run (three timescales 1/(2·lr·wd) are "
                f"{numbers.count(result.settled)} steps), so ‖u‖/‖w‖ is not yet at its steady state {formula}. "
                + end)
    return (f"Once settled (step {numbers.count(result.settled)} to mid-run) ‖u‖/‖w‖ stays within "
            f"{numbers.percent(gaps['adamw'])} (AdamW) and {numbers.percent(gaps['adamc'])} (AdamC) of its "
            f"steady state {formula}. " + end)


def sentences(result: GrowthRun) -> list[str]:
    return [growth_sentence(result), timescale_sentence(result), equilibrium_sentence(result)]
