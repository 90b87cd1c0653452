"""Theory: the derivations behind weight decay, each formula filled in with live numbers from torch."""

from dataclasses import replace

import streamlit as st

from core import numbers
from core.explain import formulas
from core.explain.first_steps import explain_first_step, num
from core.explain.latex_wrap import wrap
from core.explain.theory import (
    adaptive_rescaling,
    l2_in_loss_vs_weight_decay,
    l2_penalty,
    normalization_scale_invariance,
)
from core.params.convention_claims import convention_claims
from core.problem import W_SHAPE
from core.schema import Field
from core.step import LR, WEIGHT_DECAY, StepConfig, run_step
from core.train.schedules import lr_factors
from ui import widgets
from ui.classroom import aside
from ui.state import bind

FIELDS = (
    replace(LR, low=0.001, label="Learning rate γ"),  # log and half-life formulas need lr > 0
    replace(WEIGHT_DECAY, default=0.5, label="Weight decay λ"),
    Field("row", 0, choices=tuple(range(W_SHAPE[0])), label="Row"),
    Field("col", 0, choices=tuple(range(W_SHAPE[1])), label="Column"),
    Field("alpha", 0.5, 0.05, 2.0, step=0.05, label="Scale α (section 6)"),
)


def latex(line: str) -> None:
    """A formula broken into rows where it would not fit a phone (core.explain.latex_wrap)."""
    st.latex(wrap(line))


def l2_section(lr: float, wd: float, cell) -> None:
    st.header("1. The L2 penalty and its gradient")
    p = l2_penalty(wd, cell)
    latex(r"\mathcal{L}_{\text{total}} = \mathcal{L} + \frac{\lambda}{2}\lVert W \rVert^2 \qquad "
             r"\frac{\partial}{\partial w}\,\frac{\lambda}{2}\lVert W\rVert^2 = \lambda w")
    latex(rf"\frac{{\lambda}}{{2}}\lVert W_0\rVert^2 = {num(p.penalty)}, \qquad "
             rf"\lambda w_{{{cell[0]}{cell[1]}}} = {num(wd)}\cdot w = {num(p.wd_times_w_cell)}"
             rf"\ \ (\text{{autograd: }} {num(p.grad_cell)})")
    st.caption("'L2 norm' in the seed notebook means this penalty, whose gradient is wd·w.")


def sgd_section(lr: float, wd: float, cell) -> None:
    st.header("2. For SGD, the penalty is torch's weight_decay")
    latex(r"w \leftarrow w - \gamma\left(\nabla\mathcal{L} + \lambda w\right)")
    c = l2_in_loss_vs_weight_decay("sgd", lr, wd, steps=5, cell=cell, momentum=0.9)
    latex(rf"\text{{5 steps, momentum 0.9: penalty in the loss}} \to {num(c.first)},\quad "
             rf"\texttt{{weight\_decay}}={num(wd)} \to {num(c.second)},\quad \max|\Delta| = {num(c.max_abs_diff)}")
    st.markdown("Loshchilov & Hutter's Proposition 1: for SGD, decoupled decay with λ equals L2 with λ' = λ/α, "
                "so the two only differ by how λ is scaled with the learning rate.")


def adam_section(lr: float, wd: float, cell) -> None:
    st.header("3. For Adam it is not decay: the adaptive denominator rescales it")
    latex(r"g' = \nabla\mathcal{L} + \lambda w, \qquad w \leftarrow w - \gamma\,\frac{\hat m(g')}{\sqrt{\hat v(g')}"
             r" + \epsilon}")
    same = l2_in_loss_vs_weight_decay("adam", lr, wd, steps=5, cell=cell)
    latex(rf"\text{{Adam: penalty in the loss vs }}\texttt{{weight\_decay}}: \max|\Delta| = {num(same.max_abs_diff)}"
             r"\quad\text{(both are L2)}")
    for pure in (False, True):
        a = adaptive_rescaling(lr, wd, cell, pure_decay=pure)
        label = "pure decay (g = 0)" if pure else "with the loss gradient"
        latex(rf"\text{{{label}: decay's share of step 1}}\quad \text{{Adam}}: {num(a.adam_decay_part)},\quad "
                 rf"\text{{AdamW}}: {num(a.adamw_decay_part)},\quad -\gamma\lambda w = {num(-a.lr_wd_w)}")
    st.caption("With a gradient that dwarfs λw, Adam's step is about γ·sign(g): the decay almost vanishes. With no "
               "gradient, every weight moves by about γ whatever its size. AdamW's decay is −γλw in both cases.")


def adamw_section(lr: float, wd: float, cell) -> None:
    st.header("4. AdamW: decay outside the adaptive step")
    r = run_step(StepConfig("adamw", lr, wd))
    w, g = float(r.w_before[cell]), float(r.grad[cell])
    for line in explain_first_step("adamw", w, g, lr, wd, {}).lines:
        latex(line)
    st.caption(f"torch.optim.AdamW gives {numbers.fmt(r.w_after[cell], 6)} for this cell.")


def coupling_section(lr: float, wd: float, cell) -> None:
    st.header("5. Decay is coupled to the learning rate")
    half = formulas.half_life_steps(lr, wd)
    latex(rf"\text{{shrink per step}} = 1 - \gamma\lambda = 1 - {num(lr)}\cdot{num(wd)} = "
             rf"{num(formulas.shrink_factor(lr, wd))},\qquad t_{{1/2}} = \frac{{\ln 2}}{{-\ln(1-\gamma\lambda)}} = "
             + (numbers.latex(half) if half is not None else r"\text{none}") + r"\ \text{steps}")
    r = run_step(StepConfig("sgd", lr, wd))
    w, g = float(r.w_before[cell]), float(r.grad[cell])
    popular, actual = formulas.popular_sgd_update(w, g, lr, wd), formulas.pytorch_sgd_update(w, g, lr, wd)
    latex(rf"\text{{often quoted: }} w - \gamma\,dw - \lambda w = {num(popular)}"
             rf"\qquad \text{{PyTorch: }} w - \gamma(dw + \lambda w) = {num(actual)}")
    factors = lr_factors("cosine", 100)
    latex(r"\text{cosine schedule: } \gamma_t\lambda \text{ at } t = 0, 50, 90: \ "
             + r",\ ".join(num(lr * factors[t] * wd) for t in (0, 50, 90)))
    st.caption("'Decoupled' means decoupled from sqrt(v̂), not from γ: PyTorch's AdamW shrinks by γ_t·λ, so a "
               "schedule schedules the decay too (the paper multiplies by the schedule factor η_t instead).")


def exclusion_section(alpha: float) -> None:
    st.header("6. Which tensors to exclude, and why")
    s = normalization_scale_invariance(alpha)
    latex(r"\mathrm{BN}(x\,(\alpha W)) = \mathrm{BN}(x W), \qquad \nabla_{\alpha W} = \tfrac{1}{\alpha}\nabla_W")
    latex(rf"\alpha = {num(alpha)}:\ \lVert W\rVert = {num(s.weight_norm)} \to {num(s.scaled_weight_norm)},\quad "
             rf"\max|\Delta\,\text{{output}}| = {num(s.output_max_abs_diff)},\quad "
             rf"\frac{{\lVert\nabla_{{\alpha W}}\rVert}}{{\lVert\nabla_W\rVert}} = {num(s.grad_norm_ratio)}")
    st.caption("A weight followed by normalization is scale-invariant: decaying it does not change the function, "
               "it only raises the effective learning rate. Decaying the normalization layer's own scale and bias "
               "(and other 1-D tensors) does change the function. Whether a recipe exempts them depends on how its "
               "rule recognises them; counted on two real models:")
    st.markdown("\n".join(f"- {claim}" for claim in convention_claims()))
    st.caption("The Parameters page lists each convention's verdict tensor by tensor.")


def main() -> None:
    st.title("Theory: the derivations, with live numbers")
    with bind("theory", FIELDS) as s:
        lr, wd = widgets.slider(s, "lr"), widgets.slider(s, "weight_decay")
        cell = (widgets.select(s, "row"), widgets.select(s, "col"))
        alpha = widgets.slider(s, "alpha")
        aside("Seed problem: np.random.seed(123), x 3×4, W 4×5, loss sum(x @ W). Every number below is "
                   "computed by torch when the page runs.")
        for section in (l2_section, sgd_section, adam_section, adamw_section, coupling_section):
            section(lr, wd, cell)
        exclusion_section(alpha)


main()
