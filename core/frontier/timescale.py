"""The timescale of weight decay: how many steps (and epochs) the weights take to forget.

Source: Wang & Aitchison, "How to set AdamW's weight decay as you scale model and dataset size"
(arXiv 2024, ICML 2025). AdamW multiplies the weights by (1 - lr*wd) every step, so the weights
are an exponential moving average of recent updates with timescale tau_iter = 1/(lr*wd) steps.
Measured in epochs, tau_epoch = tau_iter * batch_size / dataset_size; the paper argues tau_epoch
should stay roughly fixed as the dataset grows, so wd must fall as the dataset grows:
wd = batch_size / (lr * tau_epoch * dataset_size).

Why a live check: the "exponential moving average" reading rests on (1 - lr*wd)^t ~ exp(-t/tau).
pure_decay_check runs torch.optim.AdamW itself with a zero loss gradient (decay alone acts) and
returns the measured shrink beside both forms, with the proven bound on the exp form's error, so
the page shows torch's numbers and the tests hold the claim to them.

SGD with L2 (wd in torch's SGD) also shrinks by lr*wd per step, but momentum beta feeds the decay
term back in: once the momentum buffer has settled the shrink per step is about lr*wd/(1-beta)
(the dominant root of the two-step recursion; sgd_decay_root gives it exactly, and the
approximation's relative error is about lr*wd/(1-beta)^2), so the recipes' SGD timescales are
(1-beta)/(lr*wd).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import numbers
from core.frontier.checks import decay_below_one, positive
from core.problem import SEED, seed_arrays

MAX_CHECK_STEPS = 100_000  # the live check's upper bound: a 4x5 W, 100-150 us a step (torch.optim's own cost)


@dataclass(frozen=True)
class Recipe:
    """A published training recipe's decay settings. For the language models one "epoch" is the
    whole training run (they see their data about once), batch and data counted in tokens."""

    name: str
    optimizer: str  # "AdamW" or "SGD"
    lr: float  # peak learning rate
    wd: float
    momentum: float  # SGD's beta (0 for AdamW, whose decay does not pass through momentum)
    batch_size: int
    dataset_size: int
    unit: str  # what batch_size and dataset_size count
    source: str

    @property
    def shrink_per_step(self) -> float:
        return steady_shrink(self.lr, self.wd, self.momentum)

    @property
    def tau_iter(self) -> float:
        return 1.0 / self.shrink_per_step

    @property
    def tau_epoch(self) -> float:
        return tau_epoch(self.tau_iter, self.batch_size, self.dataset_size)


RECIPES = (
    Recipe("GPT-3 175B", "AdamW", 0.6e-4, 0.1, 0.0, 3_200_000, 300_000_000_000, "tokens",
           'Brown et al., "Language Models are Few-Shot Learners", 2020 (Table 2.1, appendix B)'),
    Recipe("LLaMA 7B", "AdamW", 3.0e-4, 0.1, 0.0, 4_000_000, 1_000_000_000_000, "tokens",
           'Touvron et al., "LLaMA: Open and Efficient Foundation Language Models", 2023 (Table 2)'),
    Recipe("nanoGPT (GPT-2 124M)", "AdamW", 6.0e-4, 0.1, 0.0, 12 * 1024 * 40, 12 * 1024 * 40 * 600_000, "tokens",
           "Karpathy, nanoGPT train.py defaults, 2023 (batch 12 x 1024 tokens x 40 accumulation, 600k steps)"),
    Recipe("ResNet on ImageNet", "SGD", 0.1, 1e-4, 0.9, 256, 1_281_167, "images",
           'He et al., "Deep Residual Learning for Image Recognition", 2016 (section 3.4)'),
    Recipe("Wide ResNet on CIFAR-10", "SGD", 0.1, 5e-4, 0.9, 128, 50_000, "images",
           'Zagoruyko & Komodakis, "Wide Residual Networks", 2016 (CIFAR training setup; Nesterov momentum 0.9)'),
)


def steady_shrink(lr: float, wd: float, momentum: float = 0.0) -> float:
    """The fraction of the weights decay removes per step: lr*wd, over (1 - momentum) for SGD's
    L2 once its momentum buffer has settled (AdamW's decay skips the moments: momentum 0)."""
    positive(lr=lr, wd=wd)
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    return lr * wd / (1.0 - momentum)


def tau_iter(lr: float, wd: float, momentum: float = 0.0) -> float:
    """Steps for decay alone to shrink the weights by a factor e: 1/(lr*wd) (AdamW)."""
    return 1.0 / steady_shrink(lr, wd, momentum)


def tau_epoch(tau_steps: float, batch_size: float, dataset_size: float) -> float:
    """The same timescale in epochs: an epoch is dataset_size / batch_size steps."""
    positive(tau_steps=tau_steps, batch_size=batch_size, dataset_size=dataset_size)
    return tau_steps * batch_size / dataset_size


def wd_for(tau_epochs: float, dataset_size: float, batch_size: float, lr: float) -> float:
    """The calculator: the AdamW weight decay that gives tau_epochs epochs at this lr, batch and
    dataset, batch_size / (lr * tau_epochs * dataset_size) (Wang & Aitchison's rule solved for wd)."""
    positive(tau_epochs=tau_epochs, dataset_size=dataset_size, batch_size=batch_size, lr=lr)
    return batch_size / (lr * tau_epochs * dataset_size)


def sgd_decay_root(lr: float, wd: float, momentum: float) -> float:
    """SGD's exact shrink factor per step under decay alone, once the buffer has settled: torch
    runs buf <- beta*buf + wd*w, w <- w - lr*buf, so w_{t+1} = (1 + beta - lr*wd) w_t - beta w_{t-1},
    whose larger root r of r^2 - (1 + beta - lr*wd) r + beta = 0 rules (real when lr*wd is small)."""
    positive(lr=lr, wd=wd)
    b = 1.0 + momentum - lr * wd
    disc = b * b - 4.0 * momentum
    if disc < 0:
        raise ValueError("lr*wd too large for this momentum: the decay oscillates instead of shrinking")
    return (b + math.sqrt(disc)) / 2.0


def exp_gap_bound(lr: float, wd: float, steps: int) -> float:
    """An upper bound on the relative gap 1 - (1-x)^t / exp(-t x), x = lr*wd < 1: since
    -log(1-x) - x = sum_k>=2 x^k/k <= x^2 / (2(1-x)), the gap is at most 1 - exp(-t x^2 / (2(1-x))).
    At t = tau = 1/x that is about x/2: the exp form is good while lr*wd is small."""
    x = lr * wd
    if not 0 < x < 1:
        raise ValueError(f"lr*wd must be in (0, 1), got {x!r}")
    return -math.expm1(-steps * x * x / (2.0 * (1.0 - x)))


@dataclass(frozen=True)
class DecayCheck:
    """torch.optim.AdamW's weights under decay alone, beside the two forms of the claim."""

    lr: float
    wd: float
    steps: np.ndarray  # 0..T
    measured: np.ndarray  # ||w_t|| / ||w_0|| from torch
    product: np.ndarray  # (1 - lr*wd)^t
    exponential: np.ndarray  # exp(-t / tau_iter)

    @property
    def tau_iter(self) -> float:
        return tau_iter(self.lr, self.wd)

    @property
    def max_product_error(self) -> float:
        return float(np.max(np.abs(self.measured - self.product)))

    @property
    def max_exp_gap(self) -> float:
        """The largest relative gap 1 - measured / exp(-t/tau) over the run."""
        return float(np.max(1.0 - self.measured / self.exponential))


def pure_decay_check(lr: float = 1e-3, wd: float = 0.1, steps: int = 1000, seed: int = SEED) -> DecayCheck:
    """torch.optim.AdamW (float64) on the seed's W with a zero gradient: Adam's update m/(sqrt(v)+eps)
    is exactly 0, so what remains is the decay, and ||w_t||/||w_0|| is measured, not assumed.

    fused=True is torch's fused CPU kernel, bit for bit the default loop's W_t here (tests/test_timescale.py
    compares them); with the W_t kept and their norms taken at the end, not read back step by step, the
    page's 20,000 steps took 2.8 s instead of 5.2 s on the development machine."""
    positive(lr=lr, wd=wd)
    decay_below_one(lr, wd)
    if not 1 <= steps <= MAX_CHECK_STEPS:
        raise ValueError(f"steps must be in [1, {numbers.count(MAX_CHECK_STEPS)}], got {steps}")
    t = np.arange(steps + 1)
    return DecayCheck(lr, wd, t, decay_alone(lr, wd, steps, seed), (1.0 - lr * wd) ** t, np.exp(-t * lr * wd))


def decay_alone(lr: float, wd: float, steps: int, seed: int = SEED, fused: bool = True) -> np.ndarray:
    """||W_t|| / ||W_0|| for t = 0..steps under torch.optim.AdamW with zero gradients."""
    w = torch.tensor(seed_arrays(seed)[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=lr, weight_decay=wd, fused=fused)
    w.grad = torch.zeros_like(w)
    kept = torch.empty(steps + 1, *w.shape, dtype=torch.float64)
    kept[0] = w.detach()
    for t in range(1, steps + 1):
        opt.step()
        kept[t] = w.detach()
    norms = torch.linalg.vector_norm(kept.flatten(1), dim=1)
    return (norms / norms[0]).numpy()


def timescale_sentence(lr: float, wd: float, batch_size: float, dataset_size: float, momentum: float = 0.0) -> str:
    """The headline, from the numbers: the timescale in steps and in epochs."""
    steps = tau_iter(lr, wd, momentum)
    epochs = tau_epoch(steps, batch_size, dataset_size)
    factor = numbers.fmt(1 / (1 - momentum))
    via = "" if momentum == 0 else f" (momentum {numbers.fmt(momentum)} multiplies the shrink by {factor})"
    return (f"At lr = {numbers.fmt(lr)} and wd = {numbers.fmt(wd)}{via} the weights forget with a timescale of "
            f"{numbers.fmt(steps)} steps = {numbers.fmt(epochs)} epochs "
            f"(batch {numbers.count(batch_size)} of {numbers.count(dataset_size)}).")


def calculator_sentence(tau_epochs: float, dataset_size: float, batch_size: float, lr: float) -> str:
    """The calculator's answer as a sentence, with what doubling the data does to it."""
    wd = wd_for(tau_epochs, dataset_size, batch_size, lr)
    doubled = wd_for(tau_epochs, 2 * dataset_size, batch_size, lr)
    unit = "epoch" if tau_epochs == 1 else "epochs"
    return (f"For a timescale of {numbers.fmt(tau_epochs)} {unit} on {numbers.count(dataset_size)} examples "
            f"(batch {numbers.count(batch_size)}, lr = {numbers.fmt(lr)}) set wd = {numbers.fmt(wd)}; "
            f"twice the data at the same timescale needs wd = {numbers.fmt(doubled)}.")


def check_sentence(check: DecayCheck) -> str:
    """What the live check found, in its own numbers."""
    last = int(check.steps[-1])
    return (f"After {numbers.count(last)} steps of decay alone torch's AdamW kept "
            f"{numbers.fmt(check.measured[-1], unlike=check.exponential[-1])} of the weights' norm: "
            f"(1 − lr·wd)^t gives it to within {numbers.fmt(check.max_product_error)}, and "
            f"exp(-t/tau) with tau = {numbers.fmt(check.tau_iter)} steps reads high by at most a relative "
            f"{numbers.fmt(max(check.max_exp_gap, 0.0))} (the bound allows "
            f"{numbers.fmt(exp_gap_bound(check.lr, check.wd, last))}).")
