"""Experiment 2: the same λ under eight rules, one step on identical gradients (core/frontier/decoupling.py)."""

import streamlit as st

from core import figures
from core.frontier.decoupling import RULES, compare, sentences
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.frontier.timescale import LRS, WDS
from ui.state import PageState

FIELDS = (
    Field("step_lr", 0.01, choices=LRS, label="Learning rate lr"),
    Field("step_wd", 0.1, choices=WDS, label="Weight decay wd"),
    Field("center", True, label="Centre W (signs vary)",
          help="The seed's W is positive everywhere; minus 0.5 its signs vary, so sign-aware rules differ."),
)
SOURCE = ('Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019; '
          "pytorch/pytorch#38853 (independent decay); Chen et al., cautious weight decay, 2025 "
          '(arXiv 2510.12402); Li et al., "Explicit inductive bias for transfer learning with '
          'convolutional networks" (L2-SP), ICML 2018')


@st.cache_data(max_entries=64, show_spinner=False)
def cached_compare(lr: float, wd: float, center: bool):
    return compare(lr, wd, center=center)


def section(s: PageState) -> None:
    st.header(f"2. The same λ, {len(RULES)} rules: one step on identical gradients")
    left, mid, right = st.columns(3)
    lr = widgets.select(s, "step_lr", left, kind="select_slider", format_func=fmt)
    wd = widgets.select(s, "step_wd", mid, kind="select_slider", format_func=fmt)
    center = widgets.checkbox(s, "center", right)
    result = cached_compare(lr, wd, center)
    parts = [r.decay_part for r in result.steps.values()]
    limit = figures.symmetric_limit(*parts)
    keys = list(result.steps)
    for start in range(0, len(keys), 4):
        for column, key in zip(st.columns(4), keys[start:start + 4], strict=False):
            show(column, figures.matrix_heatmap(result.steps[key].decay_part, RULES[key].label, limit),
                 key=f"rule-{key}", columns=4)
            column.latex(RULES[key].formula)
            diff = result.steps[key].oracle_max_abs_diff
            column.caption(f"`{RULES[key].code}`" + ("" if diff is None else f" · vs {RULES[key].oracle}: "
                                                                            f"max |diff| {fmt(diff)}"))
    st.caption("Each heatmap is what the decay changed in one step: W after(wd) − W after(wd = 0), on one colour "
               "scale. Blue negative, red positive.")
    for sentence in sentences(result):
        st.markdown(f"- {sentence}")
    aside(f"Sources: {SOURCE}. The Sweep page shows what coupled and independent decay do to the "
          "best weight decay across learning rates.")
