r"""The first step of one cell written out with its real numbers, as LaTeX.

Each writer returns the lines a student reads and the value they end in; a test checks
that value against the optimizer's real W_1, so the page can never show a formula that
disagrees with torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.numbers import latex


@dataclass(frozen=True)
class Explanation:
    lines: tuple[str, ...]  # LaTeX, one equation per line
    value: float  # w_1 for the cell, from the formula in lines


def num(v: float) -> str:
    """A number as LaTeX: 6 significant digits (enough to follow the arithmetic), with a sign only
    when negative, in core.numbers' notation (1.5\times 10^{-5}, not 10^{-05})."""
    return latex(v, 6)


def _gradient_lines(w: float, g: float, wd: float, maximize: bool) -> tuple[list[str], float]:
    """g' = ±g + λw: the gradient as the L2-style rules see it."""
    lines = []
    if maximize:
        lines.append(rf"g = -\nabla f = {num(-g)} \quad\text{{(maximize)}}")
        g = -g
    gp = g + wd * w
    lines.append(rf"g' = g + \lambda w = {num(g)} + {num(wd)} \cdot {num(w)} = {num(gp)}")
    return lines, gp


def explain_first_step(optimizer: str, w: float, g: float, lr: float, wd: float, options: dict) -> Explanation:
    """W_1 for one cell from W_0 = w and loss gradient g, on a fresh optimizer state."""
    maximize = bool(options.get("maximize", False))
    if optimizer == "adamw":
        eps = 1e-8
        gg = -g if maximize else g
        shrunk = w * (1 - lr * wd)
        w1 = shrunk - lr * gg / (abs(gg) + eps)
        return Explanation((
            rf"w \leftarrow w\,(1 - \gamma\lambda) = {num(w)} \cdot (1 - {num(lr)} \cdot {num(wd)}) = {num(shrunk)}",
            rf"\hat m = g = {num(gg)},\quad \sqrt{{\hat v}} = |g| = {num(abs(gg))}",
            rf"w_1 = w - \gamma \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {num(shrunk)} - {num(lr)}"
            rf" \cdot \frac{{{num(gg)}}}{{{num(abs(gg))} + 10^{{-8}}}} = {num(w1)}",
        ), w1)

    lines, gp = _gradient_lines(w, g, wd, maximize)
    if optimizer == "sgd":
        mu = float(options.get("momentum", 0.0))
        if mu and options.get("nesterov", False):  # b_1 = g', then g' + μ b_1
            w1 = w - lr * (1 + mu) * gp
            lines.append(rf"w_1 = w - \gamma (1 + \mu) g' = {num(w)} - {num(lr)} \cdot {num(1 + mu)} \cdot {num(gp)}"
                         rf" = {num(w1)}")
        else:  # with momentum, b_1 = g' on the first step: no dampening yet
            w1 = w - lr * gp
            lines.append(rf"w_1 = w - \gamma g' = {num(w)} - {num(lr)} \cdot {num(gp)} = {num(w1)}")
        return Explanation(tuple(lines), w1)
    if optimizer == "adam":
        eps = 1e-8
        w1 = w - lr * gp / (abs(gp) + eps)
        lines.append(rf"\hat m = g' = {num(gp)},\quad \sqrt{{\hat v}} = |g'| = {num(abs(gp))}")
        lines.append(rf"w_1 = w - \gamma \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                     rf"\frac{{{num(gp)}}}{{{num(abs(gp))} + 10^{{-8}}}} = {num(w1)}")
        return Explanation(tuple(lines), w1)
    if optimizer == "rmsprop":
        alpha, eps = float(options.get("alpha", 0.99)), 1e-8
        v = (1 - alpha) * gp * gp
        if options.get("centered", False):
            v -= ((1 - alpha) * gp) ** 2
        root = math.sqrt(max(v, 0.0))
        w1 = w - lr * gp / (root + eps)
        note = r",\ \text{centered}" if options.get("centered", False) else ""
        lines.append(rf"\sqrt{{\tilde v}} = {num(root)} \quad (v = (1-\alpha) g'^2{note})")
        lines.append(rf"w_1 = w - \gamma \frac{{g'}}{{\sqrt{{\tilde v}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                     rf"\frac{{{num(gp)}}}{{{num(root)} + 10^{{-8}}}} = {num(w1)}")
        return Explanation(tuple(lines), w1)
    if optimizer == "adagrad":
        eps = 1e-10
        acc = float(options.get("initial_accumulator_value", 0.0)) + gp * gp
        w1 = w - lr * gp / (math.sqrt(acc) + eps)
        lines.append(rf"s = s_0 + g'^2 = {num(acc)}")
        lines.append(rf"w_1 = w - \gamma \frac{{g'}}{{\sqrt{{s}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                     rf"\frac{{{num(gp)}}}{{{num(math.sqrt(acc))} + 10^{{-10}}}} = {num(w1)}")
        return Explanation(tuple(lines), w1)
    raise ValueError(f"No written-out first step for optimizer {optimizer!r}")
