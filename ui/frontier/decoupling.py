"""Experiment 2: the same λ under every rule of RULES, one step on identical gradients (core/frontier/decoupling.py)."""

import streamlit as st

from core import figures
from core.explain.presets.sweep import PRESETS as SWEEP_PRESETS
from core.frontier.decoupling import RULES, compare, sentences
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show_matrix
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
          "pytorch/pytorch#38853 (independent decay); "
          'Chen et al., "Symbolic Discovery of Optimization Algorithms" (Lion), NeurIPS 2023; '
          'Chen et al., "Cautious Weight Decay", 2025 (arXiv 2510.12402); '
          'Li et al., "Explicit inductive bias for transfer learning with convolutional networks" (L2-SP), ICML 2018')


def per_row(n: int) -> int:
    """Matrices per row: 4 where that fills every row, else 3 or 5 where one does, else 4 and a short last row."""
    return next((k for k in (4, 3, 5) if n % k == 0), 4)


SWEEP_VIEWS = tuple(p for p in SWEEP_PRESETS if p.key in ("coupled", "independent"))  # the sweep's two readings of wd


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
    width = per_row(len(keys))
    for start in range(0, len(keys), width):
        for column, key in zip(st.columns(width), keys[start:start + width], strict=False):
            show_matrix(column, figures.matrix_table(result.steps[key].decay_part, RULES[key].label, limit))
            column.latex(RULES[key].formula)
            diff = result.steps[key].oracle_max_abs_diff
            column.caption(f"`{RULES[key].code}`" + ("" if diff is None else f" · vs {RULES[key].oracle}: "
                                                                            f"max |diff| {fmt(diff)}"))
    st.caption("Each matrix is what the decay changed in one step: W after(wd) − W after(wd = 0), on one colour "
               "scale. Blue negative, red positive.")
    for sentence in sentences(result):
        st.markdown(f"- {sentence}")
    aside(f"Sources: {SOURCE}. Lion's decay is AdamW's, lr·λ·W, but not its recipes: \"a suitable learning rate "
          "for Lion is typically 3-10x smaller than that for AdamW. Since the effective weight decay is lr * λ, the "
          "value of decoupled weight decay λ used for Lion is 3-10x larger than that for AdamW in order to maintain "
          "a similar strength\" (Chen et al. 2023, section 5).")
    st.markdown("Across learning rates, where the best wd lies under each reading:")
    for preset in SWEEP_VIEWS:
        st.page_link("app_pages/sweep.py", label=f"{preset.label} on the Sweep page", icon=":material/grid_view:",
                     query_params=preset.as_query())
