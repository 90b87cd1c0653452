"""Coupled vs independent decay: what the same wd does in one step under each rule.

"Weight decay 0.1" names different operations. One step on the seed's 4x5 W, every rule fed the
identical gradient, shows them side by side: Delta W and its decay part, Delta W(wd) - Delta W(0).

Rules and their sources (written-out form beside each; the tests hold each to its oracle):
- adam_l2: Adam with L2 in the gradient, torch Adam(weight_decay); Kingma & Ba, "Adam", 2015.
  The L2 term passes through 1/sqrt(v), so large-gradient weights are barely decayed.
- adamw: torch AdamW, shrink by lr*wd; Loshchilov & Hutter, "Decoupled Weight Decay
  Regularization", ICLR 2019 (torch couples the decay to lr; the paper's box uses eta_t*wd).
- adam_decoupled: torch Adam(decoupled_weight_decay=True) (in the pinned torch 2.13), the same as AdamW.
- independent: shrink by wd itself (times a schedule multiplier eta_t), lr-free: the paper's
  Algorithm 2 with alpha the lr, written w - lr*u - eta_t*wd*w; torch AdamW with wd/lr is it.
- sgd_l2: torch SGD(weight_decay): w - lr*(g + wd*w).
- sgdw: Loshchilov & Hutter's Algorithm 1 (SGDW) on a first step (m_0 = 0, so momentum plays no
  part): m_1 = eta_t*lr*g, w_1 = w_0 - m_1 - eta_t*wd*w_0. Note the box's decay is eta_t*wd, not
  lr*wd: with torch's lr-coupled convention plain SGD's L2 and decoupled decay are one rule.
- lion: Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023): shrink by
  lr*wd, then step lr*sign(b1*m + (1 - b1)*g), the momentum then b2*m + (1 - b2)*g; written as
  lion-pytorch's update_fn (the pinned lion-pytorch 0.2.5, the tests' oracle, one step and several). On a
  first step (m = 0) the direction is sign(g), which is torch AdamW's first m_hat/sqrt(v_hat) with eps = 0:
  the page's oracle, as lion-pytorch is a test dependency only. Its decay part is AdamW's, lr*wd*W; the
  paper's section 5 sets the recipes apart: "a suitable learning rate for Lion is typically 3-10x smaller
  than that for AdamW. Since the effective weight decay is lr * lambda, the value of decoupled weight decay
  lambda used for Lion is 3-10x larger than that for AdamW in order to maintain a similar strength"
  (as quoted in lucidrains/lion-pytorch's README).
- cautious: Cautious Weight Decay (Chen et al., "Cautious Weight Decay", arXiv 2510.12402, 2025),
  on AdamW: w - lr*(u + wd * 1[u*w >= 0] * w), u = m_hat/(sqrt(v_hat)+eps) the Adam direction that is
  subtracted. Checked against the paper's Algorithm 1 (arXiv HTML v1 and v2: x - eta_t*(u + lambda *
  I(u x >= 0) x), entrywise, u the optimizer's update): the update (not the gradient) against the weight,
  >= so a zero product counts as agreeing, decay eta_t*lambda (lr*wd here). No code from the authors was
  found; a well-known implementation agrees: karpathy/nanochat nanochat/optim.py (muon_step_fused, at
  92d63d4, lines 176-180: mask = (g * stacked_params) >= 0; stacked_params.sub_(lr * g + lr * wd *
  stacked_params * mask), g the Muon update), which the tests copy out. Implementations differ on zero:
  KellerJordan/modded-nanogpt train_gpt.py's Adam path masks with a strict > 0. (kyleliang919's
  c_adamw.py is another idea, "cautious optimizers": it masks the update where m*g > 0, not the decay.)
- l2_sp: L2-SP (Li, Grandvalet & Davoine, "Explicit Inductive Bias for Transfer Learning with
  Convolutional Networks", ICML 2018) decays toward the starting weights w_sp instead of 0. The
  paper puts wd/2*||w - w_sp||^2 in the loss; this is its AdamW-style decoupled form,
  w - lr*u - lr*wd*(w - w_sp). At w = w_sp (the first step of fine-tuning) it decays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core import numbers
from core.problem import SEED, make_problem

BETAS = (0.9, 0.999)  # torch's Adam defaults: the first step's bias correction makes them cancel
EPS = 1e-8
LION_BETAS = (0.9, 0.99)  # lion-pytorch's defaults, the paper's
CENTER = 0.5  # the seed's W is uniform on [0, 1): minus its mean, its signs vary


def _adam_direction(g: Tensor, eps: float) -> Tensor:
    """Adam's first-step direction m_hat / (sqrt(v_hat) + eps), written as torch computes it."""
    (b1, b2) = BETAS
    m, v = (1 - b1) * g, (1 - b2) * g * g
    return (m / (1 - b1)) / ((v.sqrt() / (1 - b2) ** 0.5) + eps)


def _adam_l2(w, g, lr, wd, eps, eta, anchor):
    return w - lr * _adam_direction(g + wd * w, eps)


def _adamw(w, g, lr, wd, eps, eta, anchor):
    return w * (1 - lr * wd) - lr * _adam_direction(g, eps)


def _independent(w, g, lr, wd, eps, eta, anchor):
    return w - lr * _adam_direction(g, eps) - eta * wd * w


def _sgd_l2(w, g, lr, wd, eps, eta, anchor):
    return w - lr * (g + wd * w)


def _sgdw(w, g, lr, wd, eps, eta, anchor):
    m1 = eta * lr * g
    return w - m1 - eta * wd * w


def lion_step(w: Tensor, g: Tensor, m: Tensor, lr: float, wd: float,
              betas: tuple[float, float] = LION_BETAS) -> tuple[Tensor, Tensor]:
    """One Lion step from momentum m, in lion-pytorch's order: shrink by lr*wd, step lr*sign(b1*m + (1-b1)*g),
    then the momentum b2*m + (1-b2)*g. Returns (w, m)."""
    (b1, b2) = betas
    w = w * (1 - lr * wd) - lr * torch.sign(b1 * m + (1 - b1) * g)
    return w, b2 * m + (1 - b2) * g


def lion_run(w: Tensor, grad: Callable[[Tensor], Tensor], lr: float, wd: float, steps: int,
             betas: tuple[float, float] = LION_BETAS) -> Tensor:
    """steps Lion steps from w with zero momentum, grad(w) the gradient at each."""
    m = torch.zeros_like(w)
    for _ in range(steps):
        w, m = lion_step(w, grad(w), m, lr, wd, betas)
    return w


def _lion(w, g, lr, wd, eps, eta, anchor):
    return lion_step(w, g, torch.zeros_like(w), lr, wd)[0]


def cautious_mask(u: Tensor, w: Tensor) -> Tensor:
    """1 where the subtracted update u and the weight w share a sign (u*w >= 0), else 0."""
    return (u * w >= 0).to(w.dtype)


def _cautious(w, g, lr, wd, eps, eta, anchor):
    u = _adam_direction(g, eps)
    return w - lr * (u + wd * cautious_mask(u, w) * w)


def _l2_sp(w, g, lr, wd, eps, eta, anchor):
    return w - lr * _adam_direction(g, eps) - lr * wd * (w - anchor)


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    formula: str  # LaTeX of the one step
    code: str  # how to get it in PyTorch (or the line to write)
    oracle: str  # what the tests hold it to
    step: Callable


RULES = {r.key: r for r in (
    Rule("adam_l2", "Adam + L2", r"W - \eta\,\mathrm{adam}(g + \lambda W)",
         "torch.optim.Adam([W], lr=lr, weight_decay=wd)", "torch Adam", _adam_l2),
    Rule("adamw", "AdamW (torch)", r"(1 - \eta\lambda) W - \eta\,\mathrm{adam}(g)",
         "torch.optim.AdamW([W], lr=lr, weight_decay=wd)", "torch AdamW", _adamw),
    Rule("adam_decoupled", "Adam(decoupled_weight_decay=True)", r"(1 - \eta\lambda) W - \eta\,\mathrm{adam}(g)",
         "torch.optim.Adam([W], lr=lr, weight_decay=wd, decoupled_weight_decay=True)", "torch Adam", _adamw),
    Rule("independent", "Independent decay", r"W - \eta\,\mathrm{adam}(g) - \eta_t\lambda W",
         "torch.optim.AdamW([W], lr=lr, weight_decay=wd * eta_t / lr)", "torch AdamW", _independent),
    Rule("sgd_l2", "SGD + L2", r"W - \eta (g + \lambda W)",
         "torch.optim.SGD([W], lr=lr, weight_decay=wd)", "torch SGD", _sgd_l2),
    Rule("sgdw", "SGDW (paper's box)", r"W - \eta_t \eta g - \eta_t \lambda W",
         "W -= eta_t * lr * W.grad + eta_t * wd * W", "torch SGD with wd·eta_t/lr, and a hand case", _sgdw),
    Rule("lion", "Lion", r"(1 - \eta\lambda) W - \eta\,\mathrm{sign}(\beta_1 m + (1 - \beta_1) g)",
         "lion_pytorch.Lion([W], lr=lr, weight_decay=wd)", "torch AdamW(eps=0)", _lion),
    Rule("cautious", "Cautious weight decay", r"W - \eta (u + \lambda\,\mathbb{1}[u \odot W \ge 0] \odot W)",
         "u = adam(g); W -= lr * (u + wd * (u * W >= 0) * W)", "torch AdamW / Adam per coordinate, a hand case",
         _cautious),
    Rule("l2_sp", "L2-SP", r"W - \eta\,\mathrm{adam}(g) - \eta\lambda (W - W_{sp})",
         "W -= lr * adam(g) + lr * wd * (W - W_sp)", "torch AdamW on W - W_sp, a hand case", _l2_sp),
)}


def apply_rule(key: str, w: Tensor, g: Tensor, lr: float, wd: float, eps: float = EPS, eta: float = 1.0,
               anchor: Tensor | None = None) -> Tensor:
    """One step of the written-out rule from w with gradient g (anchor: L2-SP's w_sp, default w)."""
    if key not in RULES:
        raise ValueError(f"Unknown rule {key!r}; choose one of {sorted(RULES)}")
    return RULES[key].step(w, g, lr, wd, eps, eta, w if anchor is None else anchor)


def torch_step(key: str, w: Tensor, g: Tensor, lr: float, wd: float, eps: float = EPS, eta: float = 1.0,
               anchor: Tensor | None = None) -> Tensor:
    """The same step taken by torch.optim itself: the rule's oracle. Cautious decay has no torch
    optimizer: each coordinate is AdamW's where the mask is on and plain Adam's where it is off.
    L2-SP is AdamW on the offset W - w_sp, shifted back (Adam's direction ignores W). Lion's first step is
    AdamW's with eps = 0 (m_hat/sqrt(v_hat) = g/|g|), and where g = 0 (0/0 there) AdamW's decay alone."""
    anchor = w if anchor is None else anchor

    def run(make, start):
        p = start.detach().clone().requires_grad_(True)
        opt = make([p])
        p.grad = g.detach().clone()
        opt.step()
        return p.detach()

    adam = lambda decay, **kw: (lambda ps: torch.optim.Adam(ps, lr=lr, betas=BETAS, eps=eps, weight_decay=decay, **kw))  # noqa: E731
    adamw = lambda decay, e=eps: (lambda ps: torch.optim.AdamW(ps, lr=lr, betas=BETAS, eps=e, weight_decay=decay))  # noqa: E731
    if key == "adam_l2":
        return run(adam(wd), w)
    if key == "adamw":
        return run(adamw(wd), w)
    if key == "adam_decoupled":
        return run(adam(wd, decoupled_weight_decay=True), w)
    if key == "independent":
        return run(adamw(eta * wd / lr), w)
    if key == "sgd_l2":
        return run(lambda ps: torch.optim.SGD(ps, lr=lr, weight_decay=wd), w)
    if key == "sgdw":  # plain SGD, one step: w - lr*(eta*g + (eta*wd/lr)*w) is the box with eta_t
        return run(lambda ps: torch.optim.SGD(ps, lr=lr, weight_decay=eta * wd / lr), w) if eta == 1 else None
    if key == "lion":
        sign_step = run(adamw(wd, 0.0), w)
        return torch.where(g == 0, run(adamw(wd, 1.0), w), sign_step) if bool((g == 0).any()) else sign_step
    if key == "cautious":
        mask = cautious_mask(_adam_direction(g, eps), w).bool()
        return torch.where(mask, run(adamw(wd), w), run(adam(0.0), w))
    if key == "l2_sp":
        return anchor + run(adamw(wd), w - anchor)
    raise ValueError(f"Unknown rule {key!r}; choose one of {sorted(RULES)}")


@dataclass(frozen=True)
class RuleStep:
    key: str
    delta: np.ndarray  # W_1 - W_0 with the decay
    decay_part: np.ndarray  # W_1(wd) - W_1(wd = 0): what the decay changed
    oracle_max_abs_diff: float | None  # written-out rule vs torch, None where torch has no form


@dataclass(frozen=True)
class Comparison:
    lr: float
    wd: float
    w: np.ndarray
    grad: np.ndarray
    steps: dict[str, RuleStep]
    cautious_on: int  # coordinates cautious decay acted on
    l2_flips: int  # coordinates where wd*W flips the sign of g + wd*W: the only ones Adam + L2's first step decays


def compare(lr: float = 0.01, wd: float = 0.1, loss: str = "mse", center: bool = False, seed: int = SEED,
            eta: float = 1.0) -> Comparison:
    """Every rule's one step on the seed problem's W (minus CENTER if center) and its gradient,
    float64, with L2-SP anchored at the seed's W, and each rule's gap to its torch oracle."""
    for name, value in (("lr", lr), ("wd", wd), ("eta", eta)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if lr == 0:
        raise ValueError("lr must be above 0: independent decay's torch form divides by it")
    problem = make_problem(seed, loss, "float64")
    w = problem.w0 - CENTER if center else problem.w0
    g = problem.grad(w)
    steps = {}
    for key in RULES:
        after = apply_rule(key, w, g, lr, wd, eta=eta, anchor=problem.w0)
        plain = apply_rule(key, w, g, lr, 0.0, eta=eta, anchor=problem.w0)
        oracle = torch_step(key, w, g, lr, wd, eta=eta, anchor=problem.w0)
        diff = None if oracle is None else float((after - oracle).abs().max())
        steps[key] = RuleStep(key, (after - w).numpy(), (after - plain).numpy(), diff)
    on = int(cautious_mask(_adam_direction(g, EPS), w).sum())
    flips = int((torch.sign(g + wd * w) != torch.sign(g)).sum())
    return Comparison(lr, wd, w.numpy(), g.numpy(), steps, on, flips)


def sentences(result: Comparison) -> list[str]:
    """The comparison's findings, each from its numbers."""
    size = {k: float(np.abs(s.decay_part).max()) for k, s in result.steps.items()}
    label = {k: RULES[k].label for k in RULES}
    big, small = max(size, key=size.get), min(size, key=size.get)
    n = result.w.size
    out = [f"With lr = {numbers.fmt(result.lr)} and wd = {numbers.fmt(result.wd)} the largest decay move is "
           f"{label[big]}'s ({numbers.fmt(size[big])}), the smallest {label[small]}'s ({numbers.fmt(size[small])})."]
    if size["adamw"] > 0:
        out.append(f"Independent decay moves W {numbers.fmt(size['independent'] / size['adamw'])} times as far as "
                   f"AdamW's at the same wd: it shrinks by wd, AdamW by lr·wd.")
    out.append(f"Adam + L2's decay moved W by at most {numbers.fmt(size['adam_l2'])}: a first Adam step divides "
               f"g + wd·W by its own size, so the L2 term changes a coordinate's step (beyond eps's rounding) "
               f"only where it flips the sign of g + wd·W "
               f"({result.l2_flips} of {n} coordinates here).")
    out.append(f"Cautious decay acted on {result.cautious_on} of {n} coordinates"
               + (": where the update and the weight share a sign everywhere it is AdamW." if result.cautious_on == n
                  else ", where the update and the weight share a sign."))
    gap = float(np.abs(result.steps["lion"].delta - result.steps["adamw"].delta).max())
    out.append(f"Lion's step differs from AdamW's by at most {numbers.fmt(gap)}: from zero moments Adam's "
               f"m̂/(√v̂ + eps) is sign(g) but for eps, and both shrink W by lr·wd.")
    if size["l2_sp"] == 0:
        out.append("L2-SP decays nothing here: W is still at its starting point, and it decays toward it.")
    return out
