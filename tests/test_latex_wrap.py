"""Formula lines broken into rows so a phone or a projector shows them whole."""

from __future__ import annotations

import re

from core.explain.first_steps import explain_first_step
from core.explain.latex_wrap import MAX_VISIBLE, visible_length, wrap

LAYOUT = re.compile(r"\\begin\{(aligned|gathered)\}|\\end\{(aligned|gathered)\}|\\\\|&|,?\\q?quad|\s")


def same_symbols(a: str, b: str) -> bool:
    return LAYOUT.sub("", a).replace(",", "") == LAYOUT.sub("", b).replace(",", "")


def test_a_short_line_is_unchanged():
    assert wrap(r"w \leftarrow w - \gamma g") == r"w \leftarrow w - \gamma g"


def test_clauses_become_rows_and_long_equalities_align():
    """Theory's section-3 line lost its -γλw value at 1440 px; on a phone every numeric line was cut."""
    line = (r"\text{with the loss gradient: decay's share of step 1}\quad \text{Adam}: 0.00123,\quad "
            r"\text{AdamW}: 0.0431,\quad -\gamma\lambda w = -0.0431")
    wrapped = wrap(line)
    assert wrapped.startswith(r"\begin{gathered}") and wrapped.count(r"\\") == 3
    assert same_symbols(line, wrapped)
    adam = explain_first_step("adamw", 0.43, 1.9, 0.1, 1.0, {}).lines[-1]
    assert visible_length(adam) > MAX_VISIBLE
    aligned = wrap(adam)
    assert aligned.startswith(r"\begin{aligned}") and aligned.count("&=") == 3 and same_symbols(adam, aligned)


def test_equals_inside_braces_and_text_are_not_split():
    line = r"\text{penalty (a = b) in the loss, a long clause that keeps going}\quad x = \frac{a = b}{2}"
    rows = wrap(line)
    assert r"\text{penalty (a = b) in the loss, a long clause that keeps going}" in rows
    assert r"\frac{a = b}{2}" in rows


def test_arrows_are_not_taken_for_left_and_right_delimiters():
    """\\leftarrow opened a \\left group that never closed, so a rule written with arrows stayed one
    long row (the update boxes of core/optim use \\leftarrow)."""
    rule = (r"m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad"
            r" v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad"
            r" \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1}")
    assert wrap(rule).count(r" \\ ") == 2
