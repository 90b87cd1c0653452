"""Training: full runs of SGD, Adam (L2-style) and AdamW side by side, several weight decays overlaid."""

import time
from dataclasses import replace

import numpy as np
import streamlit as st

from core import figures, optim
from core.explain.presets.training import LOOK_AT, PRESETS
from core.exports import history_csv
from core.problem import SEED_FIELD
from core.schema import Field
from core.train.budget import max_epochs
from core.train.classifier_views import accuracy, decision_boundary, training_points
from core.train.closed_form import seed_norm_curves
from core.train.config import COMPARED_OPTIMIZERS, TrainConfig, check_request, default_config
from core.train.kept_training import KeptTraining, keepable, view_of
from core.train.recorder import Partial
from core.train.schedules import SCHEDULES
from core.train.tasks import TASKS, make_task
from core.train.training import History, train_together
from core.train.training_claims import (
    closed_form_applies,
    generalization_sentence,
    run_sentences,
    steps_sentence,
    toy_sentence,
)
from ui import kept_runs, presets, widgets
from ui.charts import show
from ui.classroom import aside
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy, training_key
from ui.state import PageState, bind, rerun_alone

LRS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
WDS = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 5.0, 10.0, 15.0, 25.0)
MOMENTUM = replace(optim.get("sgd").option("momentum"), label="SGD momentum")
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS), label="Task"),
    Field("schedule", "constant", choices=tuple(SCHEDULES), label="Learning-rate schedule"),
    Field("log_y", True, label="Log-scale y axes"),
    *{f.key: f for t in TASKS.values() for f in t.controls}.values(),  # each task's own options
    Field("histograms", False, label="Final weights' histograms",
          help="A third row of charts: each run's final decayed weights. Off by default: every chart is drawn "
               "again after each change, which slows the page."),
    Field("animate", False, label="Animate W during training",
          help="W_t of one run as a heatmap you play (▶) or scrub, with its norm curve."),
    Field("boundary_optimizer", "adamw", choices=COMPARED_OPTIMIZERS, label="Decision boundaries of"),
    Field("anim_optimizer", "sgd", choices=COMPARED_OPTIMIZERS, label="Optimizer"),
    Field("anim_run", 0, choices=tuple(range(len(WDS))), label="Weight decay"),
    Field("anim_tensor", "w", choices=tuple(sorted(set().union(*(t.decayed for t in TASKS.values())))),
          label="Tensor"),
    *(Field(f"lr.{k}", t.default_lr, choices=LRS, label="Learning rate") for k, t in TASKS.items()),
    *(Field(f"wds.{k}", t.default_weight_decays, choices=WDS, min_len=1, label="Weight decays (overlaid)")
      for k, t in TASKS.items()),
    *(Field(f"epochs.{k}", t.default_epochs, 1, t.max_epochs, label="Epochs") for k, t in TASKS.items()),
    *(replace(SEED_FIELD, key=f"seed.{k}", default=t.default_seed) for k, t in TASKS.items()),
    *(replace(MOMENTUM, key=f"momentum.{k}", default=t.default_momentum) for k, t in TASKS.items()),
)


# A run still training after this long is drawn as it trains (10 frames/s), with a Stop button; a
# shorter one simply appears. The last frame is kept in the session, to show after a stop. At 0.5 s the
# toy task's default run (0.45-0.5 s on one thread, longer beside a browser) flashed one frame and its
# Stop button, which cost the page about 0.3 s before it settled.
LIVE_AFTER_SECONDS = 1.0
LIVE, STOPPED = "training:_live", "training:_stopped"


def stop(configs: tuple[TrainConfig, ...]) -> None:
    st.session_state[STOPPED] = configs


def train_again() -> None:
    st.session_state.pop(STOPPED, None)


class LiveView:
    """Two placeholders above the charts: a Stop button and the run's curves as it trains. Stop
    reruns the page, which ends this run at its next frame (Streamlit stops a script when it
    next draws) and shows the last frame instead of training again."""

    def __init__(self, configs: tuple[TrainConfig, ...]):
        self.configs, self.started = configs, time.monotonic()
        self.button, self.chart = st.empty(), st.empty()
        self.shown = False

    def __call__(self, p: Partial) -> None:
        if time.monotonic() - self.started < LIVE_AFTER_SECONDS:
            return
        if not self.shown:
            self.button.button("Stop training", key="training:_stop", on_click=stop, args=(self.configs,))
            self.shown = True
        st.session_state[LIVE] = (self.configs, p)
        draw_partial(self.chart, self.configs, p)

    def clear(self) -> None:
        self.button.empty()
        self.chart.empty()


def draw_partial(where, configs: tuple[TrainConfig, ...], p: Partial) -> None:
    """The run as far as it got; no key: a placeholder draws it again each frame of one script run."""
    names = [optim.get(c.optimizer).torch_class for c in configs]
    show(where, figures.live_norms(p.decayed_norms, names, configs[0].weight_decays, p.step, p.total), key=None)


def cached_train(configs: tuple[TrainConfig, ...]) -> list[History]:
    """Refused before it queues when too costly; then trained once for every visitor (ui.heavy),
    drawn as it trains when it takes a while. On a constant lr the run is kept (ui.kept_runs): the Epochs
    slider down reads a shorter run from it, up trains only the epochs added."""
    check_request(configs)
    live, kept = LiveView(configs), ("training", view_of(configs))

    def compute(progress) -> list[History]:
        if not keepable(configs):
            return train_together(list(configs), progress, on_partial=live, first_frame_after=LIVE_AFTER_SECONDS)
        return kept_runs.trained(kept, configs, lambda: KeptTraining(configs), progress, live, LIVE_AFTER_SECONDS)

    try:
        return cached_heavy(training_key(configs), "Training…", compute,
                            ready=lambda: kept_runs.answered(kept, configs))
    finally:
        live.clear()


def stopped(configs: tuple[TrainConfig, ...]) -> bool:
    """After Stop, for the same view: the last frame and a way to train again, instead of training."""
    if st.session_state.get(STOPPED) != configs:
        return False
    shown, p = st.session_state.get(LIVE, (None, None))
    if shown == configs and p is not None:
        st.info(f"Stopped at step {p.step} of {p.total}: the curves below are where the run had got to.")
        draw_partial(st, configs, p)
    st.button("Train again", key="training:_again", on_click=train_again)
    return True


def controls(s: PageState) -> dict[str, TrainConfig]:
    """The three compared optimizers' configurations, from widgets that allow only what trains:
    at least one weight decay, and at most the epochs the cost budget allows for them."""
    task = widgets.select(s, "task", format_func=lambda k: TASKS[k].label)
    wds = tuple(sorted(widgets.multiselect(s, f"wds.{task}")))
    lr = widgets.select(s, f"lr.{task}", kind="select_slider")
    task_options = tuple(sorted((f.key, s[f.key]) for f in TASKS[task].controls))  # drawn below, stored already
    most = max_epochs(task, len(COMPARED_OPTIMIZERS) * len(wds), task_options, s[f"seed.{task}"])
    epochs = widgets.slider(s, f"epochs.{task}", high=min(most, s.field(f"epochs.{task}").high),
                            help=f"At most {most} epochs fit the cost budget for these runs.")
    for f in TASKS[task].controls:
        widgets.control(s, f.key)
    advanced = st.sidebar.expander("Advanced options")  # rarely changed: folded away
    schedule = widgets.select(s, "schedule", advanced)
    momentum, seed = widgets.slider(s, f"momentum.{task}", advanced), int(widgets.number(s, f"seed.{task}", advanced))
    widgets.toggle(s, "log_y", advanced)
    return {key: default_config(task, key, lrs=(lr,), weight_decays=wds, epochs=epochs, schedule=schedule, seed=seed,
                                device=current_device(), dtype=training_dtype(), task_options=task_options,
                                options=(("momentum", momentum),) if key == "sgd" else ())
            for key in COMPARED_OPTIMIZERS}


def norm_series(h: History) -> dict[str, np.ndarray]:
    return {f"‖{n}‖": v for n, v in h.norms.items()}


def loss_series(h: History) -> dict[str, np.ndarray]:
    if TASKS[h.config.task].has_test_set:
        return {"train": h.train_loss, "test": h.test_loss}
    return {"train": h.train_loss}


def shared_legend(h: History) -> None:
    """One legend for the grid below: colour = weight decay, dash = layer or train/test."""
    overlay = "closed form" if closed_form_applies(h.config) else None
    st.markdown(figures.legend_html(h.config.weight_decays, {"Weight norm": list(norm_series(h)),
                                                             "Loss": list(loss_series(h))}, overlay),
                unsafe_allow_html=True)


def chart_grid(histories: dict[str, History], log_y: bool, histograms: bool) -> None:
    """A row per chart kind, a column per optimizer: each row's charts line up, their titles
    name the optimizer (a heading per column wrapped and pushed its column down). The final
    weights' histograms only when asked for."""
    n = len(histories)
    task = TASKS[next(iter(histories.values())).config.task]
    rows = (  # each builder takes the history and its optimizer's name, which leads the chart's title
        ("norm", lambda h, name: figures.curves(norm_series(h), h.config.weight_decays,
                                                f"{name}: Weight norm per layer", "Frobenius norm", log_y,
                                                overlays(h))),
        ("loss", lambda h, name: figures.curves(loss_series(h), h.config.weight_decays,
                                                f"{name}: Loss (without the penalty)", "loss",
                                                log_y and task.loss_is_nonnegative)),
        ("hist", lambda h, name: figures.weight_histogram(
            [h.decayed_weights(i) for i in range(len(h.config.weight_decays))], h.config.weight_decays,
            f"{name}: Final weights ({', '.join(h.decayed)})")),
    )
    for kind, build in rows if histograms else rows[:2]:
        for column, (key, h) in zip(st.columns(n), histories.items(), strict=True):
            show(column, build(h, optim.get(key).torch_class), key=f"{kind}-{key}", columns=n)
    for column, (key, h) in zip(st.columns(n), histories.items(), strict=True):
        with column:
            st.markdown(f"**{optim.get(key).torch_class}**")
            for wd, found in zip(h.config.weight_decays, h.divergences, strict=True):
                if found is not None:
                    st.warning(f"wd={wd:g} diverged: {found.message()}. Its curves stop there.")
            if not task.has_test_set:  # each run's fate; with a test set, which decay generalised
                st.markdown("\n".join(f"- {line}" for line in run_sentences(h)))
            else:
                st.caption(generalization_sentence(h, optim.get(key).torch_class))


def overlays(h: History) -> dict[str, np.ndarray] | None:
    c = h.config
    if not closed_form_applies(c):
        return None
    return {"closed form": seed_norm_curves(c.seed, c.lrs[0], c.weight_decays, h.steps)}


@rerun_alone
def step_through(s: PageState, histories: dict[str, History]) -> None:
    """W_t of one run, animated in the browser: a teacher presses play and walks the class through. Its
    choices rerun it alone, not the page's other charts (23 on the toy task). Drawn when asked for: its
    frames made it the page's costliest chart to redraw after every change."""
    st.subheader("Step through the weights")
    if not widgets.toggle(s, "animate", st):
        return
    a, b, c = st.columns(3)
    key = widgets.select(s, "anim_optimizer", a, format_func=lambda k: optim.get(k).label)
    h = histories[key]
    run = widgets.select(s, "anim_run", b, options=range(len(h.config.weight_decays)),  # the runs trained
                         format_func=lambda i: f"{h.config.weight_decays[i]:g}")
    name = widgets.select(s, "anim_tensor", c, options=list(h.snapshots))  # this task's tensors
    frames = np.stack([figures.as_matrix(w) for w in h.snapshots[name][run]])
    show(st, figures.animated_heatmap(frames, h.snapshot_steps, f"{name} during training (press ▶)", name=name),
         key="anim")
    st.caption(f"The slider, ▶ and the marker on ‖{name}‖ move together: they are one figure, animated in the "
               "browser (no rerun per step).")


def main() -> None:
    st.title("Training: weight norm and loss over time")
    with bind("training", FIELDS) as s:
        body(s)


def body(s: PageState) -> None:
    slot = presets.offer(s, PRESETS, LOOK_AT)
    configs = controls(s)
    first = next(iter(configs.values()))
    task, task_options, wds, seed = first.task, dict(first.task_options), first.weight_decays, first.seed
    aside(make_task(task, **task_options).describe())  # the setting; what the runs did is generated below
    if stopped(tuple(configs.values())):
        return
    try:
        histories = dict(zip(configs, cached_train(tuple(configs.values())), strict=True))
    except ValueError as err:
        st.error(f"Cannot train this configuration: {err}")
        return
    presets.explain(s, PRESETS, slot, histories)
    aside(steps_sentence(first))
    shared_legend(next(iter(histories.values())))
    chart_grid(histories, s["log_y"], widgets.toggle(s, "histograms", st))
    show(st, figures.schedule(next(iter(histories.values())).lr_factor, first.lrs[0], wds), key="schedule-chart")
    st.caption("PyTorch's SGD and AdamW shrink W by lr_t·wd each step, so the schedule schedules the decay too.")
    st.download_button("Download the curves as CSV", lambda: history_csv(histories), f"training_{task}.csv", "text/csv",
                       key="csv")
    step_through(s, histories)
    if TASKS[task].shows_decision_boundary:
        st.subheader("Decision boundaries")
        st.caption(figures.BOUNDARY_LEGEND)
        toy = make_task(task, **task_options)
        points, labels = training_points(toy, seed)
        key = widgets.select(s, "boundary_optimizer", st, kind="radio", horizontal=True,
                             format_func=lambda k: optim.get(k).label)  # one row of maps: each is a costly chart
        h = histories[key]
        xs, ys, probs = decision_boundary(toy, h.final)
        _, test_acc = accuracy(toy, h.final, seed)
        st.caption(toy_sentence(h, test_acc, optim.get(key).torch_class))
        for i, column in enumerate(st.columns(len(wds))):
            show(column, figures.boundary(xs, ys, probs[i], points, labels,
                                          f"{optim.get(key).torch_class}, wd={wds[i]:g}: test {test_acc[i]:.0%}"),
                 key=f"boundary-{i}", columns=len(wds))


main()
