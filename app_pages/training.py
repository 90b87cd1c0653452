"""Training: full runs of SGD, Adam (L2-style) and AdamW side by side, several weight decays overlaid."""

import numpy as np
import streamlit as st

from core import figures, optim
from core.closed_form import seed_norm_curves, seed_regime
from core.exports import history_csv
from core.schedules import SCHEDULES
from core.schema import Field
from core.tasks import TASKS, TOY_DATASETS, decision_boundary, make_task, training_points
from core.training import (
    COMPARED_OPTIMIZERS,
    DEFAULT_WEIGHT_DECAYS,
    History,
    TrainConfig,
    check_request,
    default_config,
    train_together,
)
from ui.charts import show
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy
from ui.state import bind, sync_query

LRS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
WDS = (0.0, 0.0001, 0.001, 0.01, 0.1, 0.5, 1.0, 3.0, 5.0, 10.0, 15.0, 25.0)
MAX_EPOCHS = {"seed": 500, "d2l": 300, "toy": 1000}
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS)),
    Field("schedule", "constant", choices=tuple(SCHEDULES)),
    Field("momentum", 0.0, 0.0, 0.99),
    Field("seed", 0, 0, 2**31 - 1),
    Field("log_y", True),
    Field("dataset", "circle", choices=TOY_DATASETS),
    Field("noise", 0.1, 0.0, 0.5),
    Field("train_fraction", 0.5, 0.1, 0.9),
    Field("anim_optimizer", "sgd", choices=COMPARED_OPTIMIZERS),
    Field("anim_run", 0, 0, len(WDS) - 1),
    Field("anim_tensor", "w"),
    *(Field(f"lr.{k}", t.default_lr, choices=LRS) for k, t in TASKS.items()),
    *(Field(f"wds.{k}", DEFAULT_WEIGHT_DECAYS[k], choices=WDS) for k in TASKS),
    *(Field(f"epochs.{k}", t.default_epochs, 1, MAX_EPOCHS[k]) for k, t in TASKS.items()),
)
CAPTIONS = {
    "seed": "loss = sum(x @ W) has a constant gradient g: without decay SGD walks off forever, with decay W "
            "converges to −g/wd. Dotted black: the closed form (SGD without momentum, constant lr).",
    "d2l": "Dive into Deep Learning's setting: 200 features but 20 training points. Without decay the training "
           "loss falls to ~0 while the test loss stays high; with wd = 3 the test loss falls far lower.",
    "toy": "A 2→16→16→1 tanh MLP on TensorFlow Playground-style data; weights decayed, biases not.",
}


def cached_train(configs: tuple[TrainConfig, ...]) -> list[History]:
    """Refused before it queues when too costly; then trained once for every visitor (ui.heavy)."""
    check_request(configs)
    return cached_heavy(("train", configs), "Training…", lambda progress: train_together(list(configs), progress))


def controls() -> tuple[str, dict]:
    sb = st.sidebar
    task = sb.selectbox("Task", list(TASKS), key="task", format_func=lambda k: TASKS[k].label)
    sb.multiselect("Weight decays (overlaid)", WDS, key=f"wds.{task}")
    sb.select_slider("Learning rate", LRS, key=f"lr.{task}")
    sb.slider("Epochs", 1, MAX_EPOCHS[task], key=f"epochs.{task}")
    sb.selectbox("Learning-rate schedule", list(SCHEDULES), key="schedule")
    sb.slider("SGD momentum", 0.0, 0.99, step=0.01, key="momentum")
    sb.number_input("Seed", 0, 2**31 - 1, key="seed")
    sb.toggle("Log-scale y axes", key="log_y")
    task_options = {}
    if task == "toy":
        task_options = dict(dataset=sb.selectbox("Dataset", TOY_DATASETS, key="dataset"),
                            noise=sb.slider("Noise", 0.0, 0.5, step=0.05, key="noise"),
                            train_fraction=sb.slider("Training fraction", 0.1, 0.9, step=0.1, key="train_fraction"))
    return task, task_options


def show_optimizer(h: History, log_y: bool) -> None:
    wds, c = h.config.weight_decays, h.config
    overlays = None
    if c.task == "seed" and c.optimizer == "sgd" and not dict(c.options).get("momentum") and c.schedule == "constant":
        overlays = {"closed form": seed_norm_curves(c.seed, c.lrs[0], wds, h.steps)}
    show(st, figures.curves({f"‖{n}‖": v for n, v in h.norms.items()}, wds, "Weight norm per layer",
                                   "Frobenius norm", log_y, overlays), key=f"norm-{c.optimizer}")
    losses = {"train": h.train_loss} if c.task == "seed" else {"train": h.train_loss, "test": h.test_loss}
    show(st, figures.curves(losses, wds, "Loss (without the penalty)", "loss", log_y and c.task != "seed"),
                    key=f"loss-{c.optimizer}")
    flat = [h.decayed_weights(i) for i in range(len(wds))]
    show(st, figures.weight_histogram(flat, wds, f"Final decayed weights ({', '.join(h.decayed)})"),
                    key=f"hist-{c.optimizer}")
    for i, step in enumerate(h.diverged_at):
        if step is not None:
            st.warning(f"wd={wds[i]:g} diverged at step {step}: a weight became inf/NaN. Its curves stop there.")


def step_through(histories: dict[str, History]) -> None:
    """W_t of one run, animated in the browser: a teacher presses play and walks the class through."""
    st.subheader("Step through the weights")
    ss = st.session_state
    a, b, c = st.columns(3)
    key = a.selectbox("Optimizer", list(histories), key="anim_optimizer", format_func=lambda k: optim.get(k).label)
    h = histories[key]
    if ss.anim_run >= len(h.config.weight_decays):  # fewer weight decays than the link or last view had
        ss.anim_run = 0
    if ss.anim_tensor not in h.snapshots:  # another task's tensor name
        ss.anim_tensor = next(iter(h.snapshots))
    run = b.selectbox("Weight decay", range(len(h.config.weight_decays)), key="anim_run",
                      format_func=lambda i: f"{h.config.weight_decays[i]:g}")
    name = c.selectbox("Tensor", list(h.snapshots), key="anim_tensor")
    frames = np.stack([figures.as_matrix(w) for w in h.snapshots[name][run]])
    show(st, figures.animated_heatmap(frames, h.snapshot_steps, f"{name} during training (press play)", name=name),
         key="anim")


def main() -> None:
    st.title("Training: weight norm and loss over time")
    bind(FIELDS)
    task, task_options = controls()
    ss = st.session_state
    wds = tuple(sorted(ss[f"wds.{task}"]))
    st.caption(CAPTIONS[task])
    if not wds:
        st.info("Choose at least one weight decay in the sidebar.")
        st.stop()
    configs = {}
    for key in COMPARED_OPTIMIZERS:
        options = (("momentum", ss.momentum),) if key == "sgd" else ()
        configs[key] = default_config(task, key, lrs=(ss[f"lr.{task}"],), weight_decays=wds,
                                      epochs=ss[f"epochs.{task}"], schedule=ss.schedule, seed=int(ss.seed),
                                      device=current_device(), dtype=training_dtype(), options=options,
                                      task_options=tuple(sorted(task_options.items())))
    try:
        histories = dict(zip(configs, cached_train(tuple(configs.values())), strict=True))
    except ValueError as err:
        st.error(f"Cannot train this configuration: {err}")
        st.stop()
    sync_query(FIELDS)
    if task == "seed":
        lr = ss[f"lr.{task}"]
        st.markdown("\n".join(f"- wd = {wd:g}: lr·wd = {lr * wd:.3g}, {seed_regime(lr, wd)}" for wd in wds))
    for column, (key, h) in zip(st.columns(len(histories)), histories.items(), strict=True):
        with column:
            st.subheader(optim.get(key).label)
            show_optimizer(h, ss.log_y)
    first = next(iter(histories.values()))
    show(st, figures.schedule(first.lr_factor, ss[f"lr.{task}"], wds), key="schedule-chart")
    st.caption("PyTorch's SGD and AdamW shrink W by lr_t·wd each step, so the schedule schedules the decay too.")
    st.download_button("Download the curves as CSV", history_csv(histories), f"training_{task}.csv", "text/csv",
                       key="csv")
    step_through(histories)
    if task == "toy":
        st.subheader("Decision boundaries: decay gives smoother boundaries")
        toy = make_task("toy", **task_options)
        points, labels = training_points(toy, int(ss.seed))
        for key, h in histories.items():
            xs, ys, probs = decision_boundary(toy, h.final)
            for i, column in enumerate(st.columns(len(wds))):
                show(column, figures.boundary(xs, ys, probs[i], points, labels,
                                                     f"{optim.get(key).torch_class}, wd={wds[i]:g}"),
                                    key=f"boundary-{key}-{i}")


main()
