"""Single step: one real torch.optim step on the seed's 4x5 W, with and without weight decay."""

from dataclasses import replace

import streamlit as st

from core import figures, optim
from core.devices import DTYPES, dtypes_for
from core.explain import formulas
from core.explain.decay_facts import decay_facts
from core.explain.first_steps import explain_first_step
from core.explain.latex_wrap import wrap
from core.explain.presets.single_step import LOOK_AT, PRESETS
from core.explain.snippet import pytorch_snippet
from core.exports import step_csv
from core.numbers import fmt
from core.problem import LOSSES, SEED_FIELD, W_SHAPE
from core.schema import Field
from core.step import (
    LR,
    MAX_STEPS,
    WEIGHT_DECAY,
    StepConfig,
    StepResult,
    adam_vs_adamw_pure_decay,
    run_step,
    step_panels,
)
from ui import presets, widgets
from ui.charts import show, show_matrix
from ui.classroom import aside
from ui.device import current_device
from ui.state import PageState, bind, rerun_alone

FIELDS = (
    Field("optimizer", "sgd", choices=tuple(optim.OPTIMIZERS), label="Optimizer"),
    LR,
    WEIGHT_DECAY,
    Field("loss", "sum", choices=tuple(LOSSES), label="Loss", help="; ".join(f"{k}: {v}" for k, v in LOSSES.items())),
    Field("dtype", "float64", choices=tuple(DTYPES), label="dtype", help="The device's policy picks what it runs."),
    SEED_FIELD,
    Field("pure_decay", False, label="Pure decay (loss gradient set to zero)"),
    Field("steps", 20, 1, MAX_STEPS, label="Steps for the step-through"),
    Field("t", 1, 0, MAX_STEPS, label="Step t"),
    Field("row", 0, choices=tuple(range(W_SHAPE[0])), label="Row"),
    Field("col", 0, choices=tuple(range(W_SHAPE[1])), label="Column"),
    *(replace(o, key=f"{s.key}.{o.key}") for s in optim.OPTIMIZERS.values() for o in s.options),
)


@st.cache_data(max_entries=512, show_spinner=False)
def cached_step(config: StepConfig) -> StepResult:
    return run_step(config)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_pure_decay(lr: float, weight_decay: float, seed: int, dtype: str, device: str):
    return adam_vs_adamw_pure_decay(lr, weight_decay, seed, dtype, device)


def controls(s: PageState) -> StepConfig:
    """The seed experiment's knobs first; the optimizer's own options, the loss, dtype and seed folded away."""
    spec = optim.get(widgets.select(s, "optimizer", format_func=lambda k: optim.OPTIMIZERS[k].label))
    lr, wd = widgets.slider(s, "lr"), widgets.slider(s, "weight_decay")
    pure_decay, steps = widgets.checkbox(s, "pure_decay"), widgets.slider(s, "steps")
    advanced = st.sidebar.expander("Advanced options")
    options = {}
    for o in spec.options:  # in order: a bool option may be ruled out by the sliders above it
        name = f"{spec.key}.{o.key}"
        if isinstance(o.default, bool):
            ruled_out = o.key in spec.ruled_out(spec.resolve(options))
            options[o.key] = widgets.checkbox(s, name, advanced, disabled=ruled_out)
        else:
            options[o.key] = widgets.slider(s, name, advanced)
    device = current_device()
    loss, dtype = widgets.select(s, "loss", advanced), widgets.select(s, "dtype", advanced, options=dtypes_for(device))
    seed = widgets.number(s, "seed", advanced)
    return StepConfig(spec.key, lr, wd, tuple(sorted(options.items())), loss, dtype, int(seed), device, steps,
                      pure_decay)


def heatmaps(r: StepResult) -> None:
    panels = step_panels(r)
    for i, (values, title, lim) in enumerate(panels):
        if i % 3 == 0:
            columns = st.columns(3)
        show_matrix(columns[i % 3], figures.matrix_table(values, title, lim))
    st.caption("Shared colour scales: the three W matrices; the gradient with any decay term that joins it; "
               "the decay term that leaves W with the difference. Blue negative, red positive, white 0.")


def one_cell(s: PageState, r: StepResult) -> None:
    c = r.config
    left, right = st.columns([1, 5])
    row, col = widgets.select(s, "row", left), widgets.select(s, "col", left)
    w, g = float(r.w_before[row, col]), float(r.grad[row, col])
    ex = explain_first_step(c.optimizer, w, g, c.lr, c.weight_decay, dict(c.options))
    for line in ex.lines:
        right.latex(wrap(line))
    right.caption(f"The last number is W after step 1 at ({row},{col}); torch.optim gave {r.w_after[row, col]:.6g}.")
    opts = dict(c.options)
    if c.optimizer != "sgd" or opts.get("momentum") or opts.get("maximize"):
        return  # the callout's two formulas are plain SGD's first step
    popular = formulas.popular_sgd_update(w, g, c.lr, c.weight_decay)
    actual = formulas.pytorch_sgd_update(w, g, c.lr, c.weight_decay)
    st.info("**An often-quoted formula is not what PyTorch does.** For plain SGD, `w - lr*dw - wd*w` forgets the "
            "learning rate on the decay term; PyTorch computes `w - lr*(dw + wd*w)`.")
    a, b, d = st.columns(3)
    a.metric("Often quoted: w − lr·dw − wd·w", f"{popular:.6g}")
    b.metric("PyTorch SGD: w − lr·(dw + wd·w)", f"{actual:.6g}")
    d.metric("Gap (1 − lr)·wd·w", f"{actual - popular:.6g}")


def decay_numbers(r: StepResult) -> None:
    """The selected optimizer's own update and what decay alone does under it."""
    c = r.config
    facts = decay_facts(c.optimizer, c.lr, c.weight_decay, dict(c.options))
    st.markdown(f"**{optim.get(c.optimizer).torch_class} step:** `{facts.formula}`")
    if facts.factor is not None:
        a, b = st.columns(2)
        a.metric("Shrink factor per step 1 − lr·wd", f"{facts.factor:.6g}")
        b.metric("Half-life of |W| (steps)", "never halves" if facts.half_life is None else fmt(facts.half_life, 4))
    st.caption(facts.sentence)


@rerun_alone
def step_through(s: PageState, r: StepResult) -> None:
    """One step state, the "Step t" slider, drives both the heatmap of W_t and the marker on the
    norm curve. A plotly play button moved its heatmap but could not move the slider or the other
    chart; the slider also keeps t in the link. Dragging t reruns this part alone, not the page's
    other matrices and charts."""
    st.subheader("Step through")
    t = widgets.slider(s, "t", st, high=len(r.trajectory) - 1)  # the steps run (a diverged run stops early)
    left, right = st.columns(2)
    limit, _ = figures.robust_limit(r.trajectory)  # one scale for every step, clipped if the run blew up
    show_matrix(left, figures.matrix_table(r.trajectory[t], f"W after step {t}", limit))
    show(right, figures.norm_curve(r.norms, r.norms_no_decay, t, r.config.weight_decay), key="norm", columns=2)


def main() -> None:
    st.title("Single step: what one weight-decay step does to W")
    aside("np.random.seed, x (3×4), W (4×5), loss = sum(x @ W), one optimizer step with and without "
               "weight decay: the seed experiment, computed live by torch.")
    with bind("single_step", FIELDS) as s:
        body(s)


def body(s: PageState) -> None:
    slot = presets.offer(s, PRESETS, LOOK_AT)
    config = controls(s)
    try:
        r = cached_step(config)
    except ValueError as err:
        st.error(f"Cannot run this configuration: {err}")
        return
    presets.explain(s, PRESETS, slot, r, cached_pure_decay(config.lr, config.weight_decay, config.seed, config.dtype,
                                                           config.device) if config.pure_decay else None)
    if r.divergence is not None:
        st.warning(f"The run diverged: {r.divergence.message()}. The step-through stops there.")
    heatmaps(r)
    (st.success if r.oracle_agrees else st.error)(  # below the heatmaps: they are the first screen's picture
        f"Written-out rule vs torch.optim.{optim.get(config.optimizer).torch_class}: "
        f"max |diff| = {fmt(r.oracle_max_abs_diff)} over {len(r.trajectory) - 1} steps")
    st.subheader("One cell, written out")
    one_cell(s, r)
    st.subheader("Each change split into its gradient part and its decay part")
    show(st, figures.change_split_bars(r.gradient_part, r.difference), key="split")
    st.caption("Gradient part = W after(wd=0) − W before; decay part = W after(wd) − W after(wd=0).")
    decay_numbers(r)
    if config.pure_decay:
        st.subheader("Pure decay: Adam's weight_decay versus AdamW")
        pd = cached_pure_decay(config.lr, config.weight_decay, config.seed, config.dtype, config.device)
        show(st, figures.pure_decay_scatter(pd.w_before, pd.adam_change, pd.adamw_change, config.lr,
                                                   config.weight_decay), key="pure-decay")
        st.caption("With no loss gradient, Adam adds wd·w to the gradient and divides by its own size: every weight "
                   "moves by about lr, whatever its size. AdamW multiplies each weight by 1 − lr·wd.")
    step_through(s, r)
    st.subheader("Reproduce it in PyTorch")
    st.code(pytorch_snippet(config), language="python")
    st.download_button("Download the matrices as CSV", lambda: step_csv(r), "single_step.csv", "text/csv", key="csv")


main()
