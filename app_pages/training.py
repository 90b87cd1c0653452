"""Training: full runs of SGD, Adam (L2-style) and AdamW side by side, several weight decays overlaid."""

import numpy as np
import streamlit as st

from core import figures, optim
from core.closed_form import seed_norm_curves
from core.exports import history_csv
from core.schedules import SCHEDULES
from core.schema import Field
from core.tasks import TASKS, TOY_DATASETS, ToyClassifier, accuracy, decision_boundary, make_task, training_points
from core.training import (
    COMPARED_OPTIMIZERS,
    DEFAULT_WEIGHT_DECAYS,
    History,
    TrainConfig,
    check_request,
    default_config,
    train_together,
)
from core.training_claims import (
    closed_form_applies,
    generalization_sentence,
    run_sentences,
    steps_sentence,
    toy_sentence,
)
from ui.charts import show
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy
from ui.state import bind, sync_query

LRS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
WDS = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 5.0, 10.0, 15.0, 25.0)
MAX_EPOCHS = {k: t.max_epochs for k, t in TASKS.items()}
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS)),
    Field("schedule", "constant", choices=tuple(SCHEDULES)),
    Field("log_y", True),
    Field("dataset", ToyClassifier.dataset, choices=TOY_DATASETS),
    Field("noise", ToyClassifier.noise, 0.0, 0.5, step=0.05),
    Field("train_fraction", ToyClassifier.train_fraction, 0.1, 0.9, step=0.1),
    Field("anim_optimizer", "sgd", choices=COMPARED_OPTIMIZERS),
    Field("anim_run", 0, 0, len(WDS) - 1),
    Field("anim_tensor", "w", choices=tuple(sorted(set().union(*(t.decayed for t in TASKS.values()))))),
    *(Field(f"lr.{k}", t.default_lr, choices=LRS) for k, t in TASKS.items()),
    *(Field(f"wds.{k}", DEFAULT_WEIGHT_DECAYS[k], choices=WDS) for k in TASKS),
    *(Field(f"epochs.{k}", t.default_epochs, 1, MAX_EPOCHS[k]) for k, t in TASKS.items()),
    *(Field(f"seed.{k}", t.default_seed, 0, 2**31 - 1) for k, t in TASKS.items()),
    *(Field(f"momentum.{k}", t.default_momentum, 0.0, 0.99, step=0.01) for k, t in TASKS.items()),
)


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
    sb.slider("SGD momentum", 0.0, 0.99, step=0.01, key=f"momentum.{task}")
    sb.number_input("Seed", 0, 2**31 - 1, key=f"seed.{task}")
    sb.toggle("Log-scale y axes", key="log_y")
    task_options = {}
    if task == "toy":
        task_options = dict(dataset=sb.selectbox("Dataset", TOY_DATASETS, key="dataset"),
                            noise=sb.slider("Noise", 0.0, 0.5, step=0.05, key="noise"),
                            train_fraction=sb.slider("Training fraction", 0.1, 0.9, step=0.1, key="train_fraction"))
    return task, task_options


def show_optimizer(h: History, log_y: bool) -> None:
    wds, c, task = h.config.weight_decays, h.config, TASKS[h.config.task]
    overlays = None
    if closed_form_applies(c):
        overlays = {"closed form": seed_norm_curves(c.seed, c.lrs[0], wds, h.steps)}
    show(st, figures.curves({f"‖{n}‖": v for n, v in h.norms.items()}, wds, "Weight norm per layer",
                                   "Frobenius norm", log_y, overlays), key=f"norm-{c.optimizer}")
    losses = {"train": h.train_loss, "test": h.test_loss} if task.has_test_set else {"train": h.train_loss}
    show(st, figures.curves(losses, wds, "Loss (without the penalty)", "loss", log_y and task.loss_is_nonnegative),
                    key=f"loss-{c.optimizer}")
    flat = [h.decayed_weights(i) for i in range(len(wds))]
    show(st, figures.weight_histogram(flat, wds, f"Final decayed weights ({', '.join(h.decayed)})"),
                    key=f"hist-{c.optimizer}")
    for wd, found in zip(wds, h.divergences, strict=True):
        if found is not None:
            st.warning(f"wd={wd:g} diverged: {found.message()}. Its curves stop there.")


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
    st.caption(make_task(task, **task_options).describe())  # the setting; what the runs did is generated below
    if not wds:
        st.info("Choose at least one weight decay in the sidebar.")
        st.stop()
    configs = {}
    for key in COMPARED_OPTIMIZERS:
        options = (("momentum", ss[f"momentum.{task}"]),) if key == "sgd" else ()
        configs[key] = default_config(task, key, lrs=(ss[f"lr.{task}"],), weight_decays=wds,
                                      epochs=ss[f"epochs.{task}"], schedule=ss.schedule, seed=int(ss[f"seed.{task}"]),
                                      device=current_device(), dtype=training_dtype(), options=options,
                                      task_options=tuple(sorted(task_options.items())))
    try:
        histories = dict(zip(configs, cached_train(tuple(configs.values())), strict=True))
    except ValueError as err:
        st.error(f"Cannot train this configuration: {err}")
        st.stop()
    sync_query(FIELDS)
    st.caption(steps_sentence(next(iter(configs.values()))))
    for column, (key, h) in zip(st.columns(len(histories)), histories.items(), strict=True):
        with column:
            st.subheader(optim.get(key).label)
            show_optimizer(h, ss.log_y)
            if not TASKS[task].has_test_set:  # each run's fate; with a test set, which decay generalised
                st.markdown("\n".join(f"- {line}" for line in run_sentences(h)))
            else:
                st.caption(generalization_sentence(h, optim.get(key).torch_class))
    first = next(iter(histories.values()))
    show(st, figures.schedule(first.lr_factor, ss[f"lr.{task}"], wds), key="schedule-chart")
    st.caption("PyTorch's SGD and AdamW shrink W by lr_t·wd each step, so the schedule schedules the decay too.")
    st.download_button("Download the curves as CSV", history_csv(histories), f"training_{task}.csv", "text/csv",
                       key="csv")
    step_through(histories)
    if TASKS[task].shows_decision_boundary:
        st.subheader("Decision boundaries")
        st.caption(figures.BOUNDARY_LEGEND)
        toy, seed = make_task(task, **task_options), int(ss[f"seed.{task}"])
        points, labels = training_points(toy, seed)
        for key, h in histories.items():
            xs, ys, probs = decision_boundary(toy, h.final)
            _, test_acc = accuracy(toy, h.final, seed)
            st.caption(toy_sentence(h, test_acc, optim.get(key).torch_class))
            for i, column in enumerate(st.columns(len(wds))):
                show(column, figures.boundary(xs, ys, probs[i], points, labels,
                                              f"{optim.get(key).torch_class}, wd={wds[i]:g}: test {test_acc[i]:.0%}"),
                     key=f"boundary-{key}-{i}")


main()
