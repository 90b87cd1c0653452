"""Experiment 4: ||g||/||w|| rises at the end of a cosine run under AdamW, not under the corrected
decay (core/frontier/gradient_growth.py)."""

import streamlit as st

from core import figures
from core.frontier.gradient_growth import DIM, LR, MAX_STEPS, ROWS, RULES, STEPS, WD, WINDOW, run, sentences
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.state import PageState

FIELDS = (
    Field("grow_lr", LR, choices=(0.01, 0.02, 0.05, 0.1), label="Peak learning rate lr_max"),
    Field("grow_wd", WD, choices=(0.1, 0.2, 0.5, 1.0), label="Weight decay wd"),
    Field("grow_steps", STEPS, 200, MAX_STEPS, step=100, label="Steps T (cosine to zero)"),
    Field("grow_window", WINDOW, choices=(0.1, 0.25, 0.5), label="End window read"),
)
SOURCE = 'Defazio, "Why Gradients Rapidly Increase Near the End of Training", 2025 (arXiv 2506.02285)'


@st.cache_data(max_entries=64, show_spinner=False)
def cached_run(lr: float, wd: float, steps: int, window: float):
    return run(lr, wd, steps, window)


def section(s: PageState) -> None:
    st.header("4. Gradients grow at the end of a cosine run, unless decay follows the schedule")
    left, mid, right = st.columns(3)
    lr = widgets.select(s, "grow_lr", left, kind="select_slider", format_func=fmt)
    wd = widgets.select(s, "grow_wd", mid, kind="select_slider", format_func=fmt)
    steps = widgets.slider(s, "grow_steps", right)
    window = widgets.select(s, "grow_window", left, kind="select_slider", format_func=lambda w: f"last {w:.0%}")
    st.latex(r"w_{t+1} = (1 - \eta_t\lambda_t)\,w_t - \eta_t u_t, \qquad \lambda_t = \lambda \;\text{(AdamW)}, "
             r"\qquad \lambda_t = \lambda\,\frac{\eta_t}{\eta_{\max}} \;\text{(AdamC)}")
    st.latex(r"\frac{\lVert u\rVert}{\lVert w\rVert} \to \sqrt{\frac{2\lambda_t}{\eta_t}\cdot"
             r"\frac{1-\beta_1}{1+\beta_1}}, \qquad \frac{\lVert g\rVert}{\lVert w\rVert} = "
             r"\frac{\lVert g_{\text{unit}}\rVert}{\lVert w\rVert^2} \propto \frac{\lambda_t}{\eta_t}")
    result = cached_run(lr, wd, int(steps), window)
    step = list(range(result.steps))
    show(st, figures.lines({RULES[k]: (step, result.grad_ratio[k]) for k in RULES},
                           "‖g‖/‖w‖ over a cosine run", "step", "‖g‖ / ‖w‖", log_y=True), key="growth-grad")
    show(st, figures.lines({label: series for k, name in RULES.items() for label, series in (
        (f"{name}: ‖u‖/‖w‖", (step, result.update_ratio[k])),
        (f"{name}: steady state", (step, result.predicted(k))))},
        "Adam's update ‖u‖/‖w‖ against its steady state", "step", "‖u‖ / ‖w‖", log_y=True), key="growth-update")
    for sentence in sentences(result):
        st.markdown(f"- {sentence}")
    aside(f"Source: {SOURCE}. The toy: {ROWS} rows of {DIM} weights, each followed by its own normalization "
          "(loss ⟨ξ − target, w/‖w‖⟩ with fresh noise ξ every step), both rules in one torch.optim.AdamW "
          "(two parameter groups) under torch's CosineAnnealingLR; AdamC's weight_decay is set to "
          "wd·lr_t/lr_max before every step. The paper applies the correction to normalized layers only.")
