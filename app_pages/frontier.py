"""Frontier: what recent research says about weight decay, each idea a live experiment with its
source (issue 16). So far: AdamW's timescale (Wang & Aitchison) and one step of eight decay
rules on identical gradients; the other experiments are still to come."""


import pandas as pd
import streamlit as st

from core import figures
from core.frontier.decoupling import RULES, compare, sentences
from core.frontier.timescale import (
    RECIPES,
    calculator_sentence,
    check_sentence,
    pure_decay_check,
    timescale_sentence,
)
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.state import PageState, bind

LRS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
WDS = (0.0001, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0)
FIELDS = (
    Field("lr", 1e-3, choices=LRS, label="Learning rate lr"),
    Field("wd", 0.1, choices=WDS, label="Weight decay wd"),
    Field("batch", 256, 1, 10_000_000, label="Batch size"),
    Field("data", 50_000, 1, 10**13, label="Dataset size (examples)"),
    Field("tau_epochs", 1.0, 0.01, 100.0, step=0.01, label="Target timescale (epochs)"),
    Field("steps", 2000, 10, 20_000, step=10, label="Steps of decay alone"),
    Field("step_lr", 0.01, choices=LRS, label="Learning rate lr"),
    Field("step_wd", 0.1, choices=WDS, label="Weight decay wd"),
    Field("center", True, label="Centre W (signs vary)",
          help="The seed's W is positive everywhere; minus 0.5 its signs vary, so sign-aware rules differ."),
)
TIMESCALE_SOURCE = ('Wang & Aitchison, "How to set AdamW\'s weight decay as you scale model and dataset size", '
                    "2024 (ICML 2025)")
DECOUPLING_SOURCES = ('Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019; '
                      "pytorch/pytorch#38853 (independent decay); Chen et al., cautious weight decay, 2025 "
                      '(arXiv 2510.12402); Li et al., "Explicit inductive bias for transfer learning with '
                      'convolutional networks" (L2-SP), ICML 2018')


@st.cache_data(max_entries=64, show_spinner=False)
def cached_check(lr: float, wd: float, steps: int):
    return pure_decay_check(lr, wd, steps)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_compare(lr: float, wd: float, center: bool):
    return compare(lr, wd, center=center)


def timescale_section(s: PageState) -> None:
    st.header("1. AdamW's weights forget on a timescale of 1/(lr·wd) steps")
    left, mid, right = st.columns(3)
    lr = widgets.select(s, "lr", left, kind="select_slider", format_func=fmt)
    wd = widgets.select(s, "wd", mid, kind="select_slider", format_func=fmt)
    steps = widgets.slider(s, "steps", right)
    batch, data = widgets.number(s, "batch", left), widgets.number(s, "data", mid)
    st.latex(r"w_t = (1 - \eta\lambda)^t\, w_0 \approx e^{-t/\tau}\,w_0, \qquad \tau_{\text{iter}} = "
             r"\frac{1}{\eta\lambda}, \qquad \tau_{\text{epoch}} = \tau_{\text{iter}}\,\frac{B}{N}")
    st.markdown(timescale_sentence(lr, wd, batch, data))
    try:
        check = cached_check(lr, wd, int(steps))
    except ValueError as err:
        st.error(f"Cannot run the check: {err}")
        return
    show(st, figures.lines({"torch AdamW, ‖w_t‖/‖w_0‖": (check.steps, check.measured),
                            "exp(−t/τ)": (check.steps, check.exponential)},
                           "Decay alone: torch.optim.AdamW against exp(−t/τ)", "step", "‖w_t‖ / ‖w_0‖"),
         key="timescale")
    st.caption(check_sentence(check))
    tau = widgets.slider(s, "tau_epochs", right)
    st.markdown(calculator_sentence(tau, data, batch, lr))
    st.dataframe(pd.DataFrame([{"recipe": r.name, "optimizer": r.optimizer, "lr": r.lr, "wd": r.wd,
                                "τ (steps)": round(r.tau_iter), "τ (epochs)": float(f"{r.tau_epoch:.3g}"),
                                "source": r.source} for r in RECIPES]), hide_index=True)
    aside(f"Source: {TIMESCALE_SOURCE}. The language models see their data about once: one 'epoch' is the whole "
          "run, counted in tokens. SGD's momentum β multiplies the timescale by 1 − β.")


def decoupling_section(s: PageState) -> None:
    st.header("2. The same λ, eight rules: one step on identical gradients")
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
    aside(f"Sources: {DECOUPLING_SOURCES}. The Sweep page shows what coupled and independent decay do to the "
          "best weight decay across learning rates.")


def main() -> None:
    st.title("Frontier: what recent research says about weight decay")
    aside("Each idea is a live experiment, checked against torch.optim or the paper's algorithm written out; "
          "every sentence is computed from the numbers shown.")
    with bind("frontier", FIELDS) as s:
        timescale_section(s)
        decoupling_section(s)


main()
