"""Experiment 3: for a normalized layer, weight decay sets the effective learning rate; rotational
equilibrium, balanced under AdamW, not under Adam + L2 (core/frontier/rotation.py)."""

import streamlit as st

from core import figures
from core.frontier import rotation as rot
from core.frontier.rotation_sim import BETA2, DIM
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.state import PageState

FIELDS = (
    Field("rot_lr", 0.01, choices=(0.001, 0.003, 0.01, 0.03, 0.1), label="Learning rate lr"),
    Field("rot_wd", 1.0, choices=(0.01, 0.03, 0.1, 0.3, 1.0), label="Weight decay wd"),
    Field("rot_beta", 0.9, choices=(0.0, 0.5, 0.9, 0.95), label="Momentum β (SGD's momentum, Adam's β₁)"),
    Field("rot_steps", 2000, choices=(500, 1000, 2000, 4000), label="Steps"),
    Field("rot_scale", 100.0, choices=(1.0, 10.0, 100.0, 1000.0), label="Second layer's gradient scale s",
          help="The second layer's loss is s times the first's: its gradients are s times larger."),
)
SOURCE = ('Kosson, Messmer & Jaggi, "Rotational Equilibrium: How Weight Decay Balances Learning Across Neural '
          'Networks", ICML 2024; van Laarhoven, "L2 Regularization versus Batch and Weight Normalization", 2017; '
          'Zhang et al., "Three Mechanisms of Weight Decay Regularization", ICLR 2019')


@st.cache_data(max_entries=64, show_spinner=False)
def cached_experiment(lr: float, wd: float, beta: float, scale: float, steps: int):
    return rot.experiment(lr, wd, beta, scale, steps)


def section(s: PageState) -> None:
    st.header("3. Normalized layers: weight decay sets the effective learning rate")
    cols = st.columns(5)
    lr, wd, beta, steps, scale = (widgets.select(s, key, col, kind="select_slider", format_func=fmt)
                                  for key, col in zip(("rot_lr", "rot_wd", "rot_beta", "rot_steps", "rot_scale"),
                                                      cols, strict=True))
    st.latex(r"L(c\,w) = L(w) \;\Rightarrow\; g \perp w,\ \|g\| \propto \tfrac{1}{\|w\|}, \qquad "
             r"\text{SGD's angle per step} \approx \tfrac{\eta}{\|w\|^2}\,\|\nabla_{\hat w} L\|")
    st.latex(r"\text{equilibrium: SGD } \sqrt{\tfrac{2\eta\lambda}{1+\beta}}, \qquad "
             r"\text{AdamW } \sqrt{\tfrac{2\eta\lambda(1-\beta_1)}{1+\beta_1}}, \qquad "
             r"\text{Adam + L2 } \propto s^{-1/3}")
    result = cached_experiment(lr, wd, beta, scale, int(steps))
    trace = result.trace
    shown = (rot.SGD, rot.ADAMW, rot.ADAMW_SCALED, rot.L2, rot.L2_SCALED)
    names = {i: result.label(i) for i in shown}
    predicted = (rot.SGD, rot.ADAMW, rot.L2, rot.L2_SCALED)  # AdamW's second layer shares the first's prediction
    left, right = st.columns(2)
    show(left, figures.against_predictions(
        {names[i]: (range(trace.steps + 1), trace.norms[i]) for i in shown},
        {names[i]: rot.predicted_norm(result.run(i)) for i in predicted},
        "‖w‖ against its predicted equilibrium", "step", "‖w‖", log_y=bool(trace.norms.max() > 10 * trace.norms.min())),
        key="rotation-norm", columns=2)
    show(right, figures.against_predictions(
        {names[i]: rot.smoothed(trace.angles[i]) for i in shown},
        {names[i]: rot.predicted_angle(result.run(i)) for i in predicted},
        f"Angle between w_t and w_t+1 (mean of {rot.SMOOTH} steps)", "step", "radians", log_y=True),
        key="rotation-angle", columns=2)
    st.caption(f"A {DIM}-dimensional w, loss s·ξ_t·w/‖w‖ with fresh noise ξ_t each step, from a unit-norm w_0; "
               "dotted: the predicted equilibria. Means are over the run's second half.")
    for sentence in rot.sentences(result):
        st.markdown(f"- {sentence}")
    aside(f"Sources: {SOURCE}. The forms are leading order in ηλ/(1 − β); AdamW's norm also sits low for about "
          f"1/(1 − β₂) = {fmt(1 / (1 - BETA2))} steps after it has grown, while v remembers larger early gradients. "
          f"SGD's and AdamW's equilibrium angles depend on lr·wd alone. {rot.recipe_sentence()}")
