"""The theory page's derivations, each with live numbers computed here by torch itself.

Every function returns the numbers a formula on the page shows, so a test can check the
formula's claim against torch.optim (a wrong claim fails the build).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.optim.torch_loop import final_weights
from core.problem import make_problem


def _w0_and_grad(seed: int = 123):
    problem = make_problem(seed)
    return problem, problem.w0, problem.grad(problem.w0)


@dataclass(frozen=True)
class L2Penalty:
    penalty: float  # (wd/2) * ||W||^2
    grad_cell: float  # d penalty / d w_ij by autograd
    wd_times_w_cell: float  # wd * w_ij, the closed form


def l2_penalty(weight_decay: float, cell: tuple[int, int] = (0, 0), seed: int = 123) -> L2Penalty:
    """The L2 penalty and its gradient: autograd gives exactly wd * w."""
    _, w0, _ = _w0_and_grad(seed)
    w = w0.clone().requires_grad_(True)
    penalty = weight_decay / 2 * (w**2).sum()
    (grad,) = torch.autograd.grad(penalty, w)
    return L2Penalty(float(penalty.detach()), float(grad[cell]), float(weight_decay * w0[cell]))


@dataclass(frozen=True)
class Comparison:
    """One weight after `steps` steps two ways, and the largest gap over the whole matrix."""

    first: float
    second: float
    max_abs_diff: float


def _compare(a: torch.Tensor, b: torch.Tensor, cell) -> Comparison:
    return Comparison(float(a[cell]), float(b[cell]), float((a - b).abs().max()))


def l2_in_loss_vs_weight_decay(optimizer: str, lr: float, weight_decay: float, steps: int = 5,
                               cell: tuple[int, int] = (0, 0), seed: int = 123, **options) -> Comparison:
    """loss + (wd/2)||W||^2 with weight_decay=0, against the loss alone with weight_decay=wd.
    Both are the same L2 term, for SGD and for Adam alike: torch's weight_decay in SGD and Adam
    *is* an L2 penalty (only AdamW's is not)."""
    problem, w0, _ = _w0_and_grad(seed)
    opt_class = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer]
    with_penalty = final_weights(opt_class, w0, lambda w: problem.loss(w) + weight_decay / 2 * (w**2).sum(), steps,
                                 lr=lr, weight_decay=0.0, **options)
    with_option = final_weights(opt_class, w0, problem.loss, steps, lr=lr, weight_decay=weight_decay, **options)
    return _compare(with_penalty, with_option, cell)


@dataclass(frozen=True)
class AdaptiveDecay:
    """Step 1 from W_0: how much of each weight's move the decay is responsible for."""

    w: float
    g: float
    adam_decay_part: float  # Adam(weight_decay) step minus Adam step without decay
    adamw_decay_part: float  # AdamW step minus Adam step without decay: exactly -lr*wd*w
    lr_wd_w: float


def adaptive_rescaling(lr: float, weight_decay: float, cell: tuple[int, int] = (0, 0), seed: int = 123,
                       pure_decay: bool = False) -> AdaptiveDecay:
    """Adam divides the L2 term by sqrt(v_hat), so its decay part is not -lr*wd*w; AdamW's is."""
    problem, w0, g = _w0_and_grad(seed)
    loss = (lambda w: 0 * problem.loss(w)) if pure_decay else problem.loss
    plain = final_weights(torch.optim.Adam, w0, loss, 1, lr=lr)
    adam = final_weights(torch.optim.Adam, w0, loss, 1, lr=lr, weight_decay=weight_decay)
    adamw = final_weights(torch.optim.AdamW, w0, loss, 1, lr=lr, weight_decay=weight_decay)
    return AdaptiveDecay(float(w0[cell]), 0.0 if pure_decay else float(g[cell]), float((adam - plain)[cell]),
                         float((adamw - plain)[cell]), float(lr * weight_decay * w0[cell]))


@dataclass(frozen=True)
class ScaleInvariance:
    """A Linear layer followed by BatchNorm: scaling its weight changes nothing downstream."""

    alpha: float
    weight_norm: float
    scaled_weight_norm: float
    output_max_abs_diff: float  # BN(x @ (alpha W)) - BN(x @ W)
    grad_norm_ratio: float  # ||grad at alpha W|| / ||grad at W||: 1/alpha


def normalization_scale_invariance(alpha: float = 0.5, seed: int = 0) -> ScaleInvariance:
    """Why normalization layers (and the weights right before them) are special: the output is
    invariant to the weight's scale, so decay only shrinks it and so raises its effective
    learning rate (the gradient grows as 1/alpha); decaying BN's own scale is what changes the
    function, which is why recipes exempt norm parameters."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 6, generator=g, dtype=torch.float64)
    w = torch.randn(6, 4, generator=g, dtype=torch.float64)
    target = torch.randn(32, 4, generator=g, dtype=torch.float64)

    def output_and_grad(weight):
        weight = weight.clone().requires_grad_(True)
        out = torch.nn.functional.batch_norm(x @ weight, None, None, training=True, eps=1e-12)
        (grad,) = torch.autograd.grad(((out - target) ** 2).mean(), weight)
        return out.detach(), grad

    out, grad = output_and_grad(w)
    out_scaled, grad_scaled = output_and_grad(alpha * w)
    return ScaleInvariance(alpha, float(w.norm()), float((alpha * w).norm()), float((out - out_scaled).abs().max()),
                           float(grad_scaled.norm() / grad.norm()))
