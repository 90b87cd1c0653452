"""Sweep: learning rate x weight decay grids, every cell trained at once, as heatmaps."""

from dataclasses import replace

import numpy as np
import streamlit as st

from core import figures, optim
from core.explain.presets.sweep import LOOK_AT, PRESETS
from core.exports import sweep_csv
from core.numbers import fmt
from core.problem import SEED_FIELD
from core.schema import Field
from core.train.budget import max_epochs
from core.train.config import COMPARED_OPTIMIZERS, TrainConfig, check_request
from core.train.divergence import criterion
from core.train.sweep import DECAY_MODES, DEFAULT_LOG10_WD, MAX_RESOLUTION, Grid, SweepConfig, run_sweep
from core.train.sweep_cell import cell_configs
from core.train.sweep_claims import ridge, ridge_sentence
from core.train.tasks import TASKS
from core.train.training import History, train, train_together
from ui import kept_sweeps, presets, widgets
from ui.charts import show
from ui.classroom import aside
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy, training_key
from ui.state import PageState, bind

METRICS = {"test_loss": "final test loss", "train_loss": "final train loss", "weight_norm": "final ‖W‖"}
LOG10_LR = Field("lr_lo", -4.0, -6.0, 1.0, step=0.5, label="log10 learning rate")
LOG10_WD = Field("wd_lo", -3.0, -6.0, 3.0, step=0.5, label="log10 weight decay")
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS), label="Task"),
    Field("optimizers", COMPARED_OPTIMIZERS, choices=COMPARED_OPTIMIZERS, min_len=1, label="Optimizers"),
    Field("resolution", 12, 2, MAX_RESOLUTION, label="Cells per axis"),
    LOG10_LR, replace(LOG10_LR, key="lr_hi", default=0.0),
    Field("decay", "coupled", choices=tuple(DECAY_MODES), label="Weight-decay parameterization",
          help="; ".join(f"{m}: {text}" for m, text in DECAY_MODES.items())),
    *(replace(LOG10_WD, key=f"wd_lo.{m}", default=lo) for m, (lo, _) in DEFAULT_LOG10_WD.items()),
    *(replace(LOG10_WD, key=f"wd_hi.{m}", default=hi) for m, (_, hi) in DEFAULT_LOG10_WD.items()),
    replace(optim.get("sgd").option("momentum"), label="SGD momentum"),
    *(Field(f"sweep_epochs.{k}", t.sweep_epochs, 1, t.sweep_max_epochs, label="Epochs") for k, t in TASKS.items()),
    *(replace(SEED_FIELD, key=f"sweep_seed.{k}", default=t.default_seed) for k, t in TASKS.items()),
    Field("metric", "test_loss", choices=tuple(METRICS), label="Heatmaps show",
          help="One row of heatmaps, one per optimizer on one colour scale: every cell's final test loss, train "
               "loss or ‖W‖. One at a time: each heatmap is drawn again after every change."),
    Field("cell_lr", 6, choices=tuple(range(MAX_RESOLUTION)), label="Learning rate"),
    Field("cell_wd", 6, choices=tuple(range(MAX_RESOLUTION)), label="Weight decay"),
)
DECAY_LABELS = {"coupled": "PyTorch (lr·wd)", "independent": "independent (wd)"}


def cached_sweep(config: SweepConfig, cell: tuple[int, int]) -> dict[str, Grid]:
    """Refused before it queues when too costly; then trained once for every visitor (ui.heavy). On the cpu
    the sweep is kept to answer for other epoch counts, and the chosen cell's (lr index, wd index) curves
    come from the same run (ui.kept_sweeps), where cached_cells finds them instead of training the cell again."""
    check_request(config.grid_configs())

    def compute(progress) -> dict[str, Grid]:
        if config.device != "cpu":  # a cuda sweep replays its steps in windows: no step's weights to keep
            return run_sweep(config, progress)
        return kept_sweeps.trained(config, cell, progress)

    kept = (lambda: kept_sweeps.answered(config)) if config.device == "cpu" else None
    return cached_heavy(("sweep", config), "Training the grid…", compute, ready=kept)


def cached_cell(cell: TrainConfig) -> History:
    check_request([cell])
    return cached_heavy(training_key([cell]), "Training the chosen cell…", lambda progress: train(cell, progress))


def cached_cells(config: SweepConfig, cell: tuple[int, int]) -> dict[str, History | ValueError]:
    """The chosen cell under every optimizer, kept from the sweep's run or trained together in one program
    (half the time of one after another); where the request is refused, each optimizer's cell on its own,
    with its reason."""
    cells = cell_configs(config, *cell)
    try:
        check_request(cells)
        histories = cached_heavy(training_key(cells), "Training the chosen cell…",
                                 lambda progress: train_together(list(cells), progress))
        return dict(zip(config.optimizers, histories, strict=True))
    except ValueError:
        pass
    trained: dict[str, History | ValueError] = {}
    for key, alone in zip(config.optimizers, cells, strict=True):
        try:
            trained[key] = cached_cell(alone)
        except ValueError as err:
            trained[key] = err
    return trained


def controls(s: PageState) -> SweepConfig:
    """Widgets that allow only what runs: a non-empty optimizer set, ranges from low to high, and
    at most the epochs the cost budget allows for this grid."""
    task = widgets.select(s, "task", format_func=lambda k: TASKS[k].label)
    optimizers = tuple(widgets.multiselect(s, "optimizers", format_func=lambda k: optim.OPTIMIZERS[k].label))
    n = widgets.slider(s, "resolution")
    most = max_epochs(task, len(optimizers) * n * n, (), s[f"sweep_seed.{task}"])
    epochs = widgets.slider(s, f"sweep_epochs.{task}", high=min(most, s.field(f"sweep_epochs.{task}").high),
                            help=f"At most {most} epochs fit the cost budget for {len(optimizers)} × {n}² cells.")
    log10_lr = widgets.range_slider(s, "lr_lo", "lr_hi")
    decay = widgets.select(s, "decay", kind="radio", format_func=DECAY_LABELS.get)
    log10_wd = widgets.range_slider(s, f"wd_lo.{decay}", f"wd_hi.{decay}")
    advanced = st.sidebar.expander("Advanced options")  # rarely changed: folded away
    momentum, seed = widgets.slider(s, "momentum", advanced), widgets.number(s, f"sweep_seed.{task}", advanced)
    return SweepConfig(task=task, optimizers=optimizers, options=(("sgd", (("momentum", momentum),)),),
                       log10_lr=log10_lr, log10_wd=log10_wd, decay=decay, resolution=(n, n), epochs=epochs,
                       seed=int(seed), device=current_device(), dtype=training_dtype())


def shared_range(grids: dict[str, Grid], metric: str) -> tuple[float, float]:
    values = np.concatenate([getattr(g, metric).ravel() for g in grids.values()])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 0.0, 1.0
    return float(np.log10(values.min())), float(np.log10(values.max()))


def heatmap_caption(metric: str, heatmaps: int) -> str:
    """What the heatmaps' marks mean; the ridge is drawn on the test loss alone."""
    scale = "One colour scale for the row" if heatmaps > 1 else "Colour"
    ridge_marks = ("; white dots and dashed line = the best wd of each lr and the ridge fitted through them"
                   if metric == "test_loss" else "")
    return (f"{scale}: {METRICS[metric]}, log scale; grey × = diverged ({criterion()}); ★ = lowest final test loss; "
            f"□ = the cell chosen below{ridge_marks}.")


def main() -> None:
    st.title("Sweep: learning rate × weight decay")
    aside("Every cell is its own training run, all trained at once. Where the good region lies tells how "
               "the weight decay is coupled to the learning rate: the sentences below the heatmaps fit the ridge "
               "of best weight decays and say what it is.")
    with bind("sweep", FIELDS) as s:
        body(s)


def body(s: PageState) -> None:
    slot = presets.offer(s, PRESETS, LOOK_AT)
    config = controls(s)
    n = config.resolution[0]
    chosen = (min(s["cell_wd"], n - 1), min(s["cell_lr"], n - 1))  # (row, column) of the cell whose curves show
    try:
        grids = cached_sweep(config, chosen[::-1])
    except ValueError as err:
        st.error(f"Cannot run this sweep: {err}")
        return
    presets.explain(s, PRESETS, slot, config, grids)
    ridges = {key: ridge(grid, config.lrs, config.weight_decays) for key, grid in grids.items()}
    metric = widgets.select(s, "metric", st, kind="radio", format_func=METRICS.get, horizontal=True)
    label, zrange = METRICS[metric], shared_range(grids, metric)
    for column, (key, grid) in zip(st.columns(len(grids)), grids.items(), strict=True):
        title = f"{optim.OPTIMIZERS[key].torch_class}: {label}"
        show(column, figures.sweep_heatmap(config.lrs, config.weight_decays, getattr(grid, metric),
                                           grid.diverged, grid.best, title, label, zrange, chosen,
                                           ridges[key] if metric == "test_loss" else None),
             key=f"heatmap-{key}", columns=len(grids))
    st.caption(heatmap_caption(metric, len(grids)))
    st.markdown(f"**Weight decay {config.decay}**: {DECAY_MODES[config.decay]} "
                "([pytorch/pytorch#38853](https://github.com/pytorch/pytorch/issues/38853)).")
    for key, grid in grids.items():
        lines = [ridge_sentence(optim.OPTIMIZERS[key].torch_class, ridges[key])]
        if grid.best is not None:
            r, c = grid.best
            lines.append(f"best cell: lr = {fmt(config.lrs[c])}, wd = {fmt(config.weight_decays[r])}, "
                         f"test loss {fmt(grid.test_loss[r, c], 4)}")
        st.markdown("- " + "; ".join(lines))
    st.download_button("Download the grids as CSV", lambda: sweep_csv(config, grids), "sweep.csv", "text/csv",
                       key="csv")
    st.subheader("One cell's curves")
    left, right = st.columns(2)
    cell_lr = widgets.select(s, "cell_lr", left, kind="select_slider", options=range(n),  # this grid's cells
                             format_func=lambda i: fmt(config.lrs[i]))
    cell_wd = widgets.select(s, "cell_wd", right, kind="select_slider", options=range(n),
                             format_func=lambda i: fmt(config.weight_decays[i]))
    wd = float(config.weight_decays[cell_wd])
    trained = cached_cells(config, (cell_lr, cell_wd))
    done = [h for h in trained.values() if isinstance(h, History)]
    if done:  # one legend for the row: the cell's wd colour, and the dashes of each chart's series
        st.markdown(figures.legend_html((wd,), {"Loss": ["train", "test"],
                                                "Weight norm": [f"‖{n}‖" for n in done[0].norms]}),
                    unsafe_allow_html=True)
    for column, (key, h) in zip(st.columns(len(grids)), trained.items(), strict=True):
        if isinstance(h, ValueError):
            column.error(f"Cannot train this cell: {h}")
            continue
        show(column, figures.curves({"train": h.train_loss, "test": h.test_loss}, (wd,),
                                    f"{optim.OPTIMIZERS[key].torch_class}: loss", "loss", True),
             key=f"cell-loss-{key}", columns=len(grids))
        show(column, figures.curves({f"‖{n}‖": v for n, v in h.norms.items()}, (wd,),
                                    f"{optim.OPTIMIZERS[key].torch_class}: weight norm", "norm", True),
             key=f"cell-norm-{key}", columns=len(grids))
        if h.divergences[0] is not None:
            column.warning(f"Diverged: {h.divergences[0].message()}.")

main()
