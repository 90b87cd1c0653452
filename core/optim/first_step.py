r"""Shared pieces of the rules' written-out first steps (each rule's explain_first_step).

A first step is written for one cell, from W_0 = w and loss gradient g on a fresh state,
as LaTeX lines a student reads and the value they end in; tests check that value against
the rule's real W_1, so the page can never show a formula that disagrees with torch.
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


def eps_latex(eps: float) -> str:
    """The rule's epsilon as it is usually written: 10^{-8} for a power of ten, else its digits."""
    exponent = round(math.log10(eps)) if eps > 0 else None
    return rf"10^{{{exponent}}}" if exponent is not None and eps == 10.0**exponent else num(eps)


def gradient_lines(w: float, g: float, wd: float, maximize: bool) -> tuple[list[str], float]:
    """g' = ±g + λw: the gradient as the L2-style rules (the decay joins it) see it."""
    lines = []
    if maximize:
        lines.append(rf"g = -\nabla f = {num(-g)} \quad\text{{(maximize)}}")
        g = -g
    gp = g + wd * w
    lines.append(rf"g' = g + \lambda w = {num(g)} + {num(wd)} \cdot {num(w)} = {num(gp)}")
    return lines, gp
