"""Experiment 1: AdamW's weights forget on a timescale of 1/(lr·wd) steps (core/frontier/timescale.py)."""

import numpy as np
import pandas as pd
import streamlit as st

from core import figures
from core.frontier import forgetting
from core.frontier.timescale import RECIPES, calculator_sentence, check_sentence, pure_decay_check, timescale_sentence
from core.numbers import count, fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.state import PageState

LRS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
WDS = (0.0001, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0)
FIELDS = (
    Field("lr", 1e-3, choices=LRS, label="Learning rate lr"),
    Field("wd", 0.1, choices=WDS, label="Weight decay wd"),
    Field("batch", 256, 1, 10_000_000, label="Batch size"),
    Field("data", 50_000, 1, 10**13, label="Dataset size (examples)"),
    Field("tau_epochs", 1.0, 0.01, 100.0, step=0.01, label="Target timescale (epochs)"),
    Field("steps", 2000, 10, 20_000, step=10, label="Steps of decay alone"),
)
SOURCE = ('Wang & Aitchison, "How to set AdamW\'s weight decay as you scale model and dataset size", '
          "2024 (ICML 2025)")


@st.cache_data(max_entries=64, show_spinner=False)
def cached_check(lr: float, wd: float, steps: int):
    return pure_decay_check(lr, wd, steps)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_forget(lr: float, wd: float, steps: int):
    return forgetting.forget(lr, wd, steps)


def section(s: PageState) -> None:
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
    regression(lr, wd, int(steps))
    tau = widgets.slider(s, "tau_epochs", right)
    st.markdown(calculator_sentence(tau, data, batch, lr))
    st.dataframe(pd.DataFrame([{"recipe": r.name, "optimizer": r.optimizer, "lr": r.lr, "wd": r.wd,
                                "τ (steps)": round(r.tau_iter), "τ (epochs)": float(f"{r.tau_epoch:.3g}"),
                                "source": r.source} for r in RECIPES]), hide_index=True)
    aside(f"Source: {SOURCE}. The language models see their data about once: one 'epoch' is the whole "
          "run, counted in tokens. SGD's momentum β multiplies the timescale by 1 − β.")


def regression(lr: float, wd: float, steps: int) -> None:
    """The same lr, wd and steps (at most forgetting.MAX_STEPS) on a live regression whose
    irrelevant weights should forget."""
    n, k, steps = forgetting.N_FEATURES, forgetting.N_RELEVANT, min(steps, forgetting.MAX_STEPS)
    st.markdown(f"**In a regression.** A model pretrained where all {n} features mattered meets data where only "
                f"{k} do; torch.optim.AdamW trains it on fresh batches for {count(steps)} steps (the steps above, "
                f"at most {count(forgetting.MAX_STEPS)}). The weights on the {n - k} irrelevant features should "
                "forget like exp(−t/τ).")
    run = cached_forget(lr, wd, steps)
    fit = np.full(len(run.steps), run.fit_norm)
    show(st, figures.lines({"irrelevant ‖w_irr‖, torch AdamW": (run.steps, run.irrelevant),
                            "‖w_irr,0‖·exp(−t/τ)": (run.steps, run.envelope),
                            "relevant ‖w_rel‖, torch AdamW": (run.steps, run.relevant),
                            "relevant: AdamW's shrunk fit": (run.steps, fit)},
                           "A regression: irrelevant weights against exp(−t/τ)", "step", "norm"),
         key="forgetting")
    for sentence in forgetting.sentences(run):
        st.caption(sentence)
