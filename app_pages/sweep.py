"""Sweep: learning rate x weight decay grids, every cell trained at once, as heatmaps."""

import numpy as np
import streamlit as st

from core import figures, optim
from core.divergence import criterion
from core.exports import sweep_csv
from core.numbers import fmt
from core.schema import Field
from core.sweep import DECAY_MODES, DEFAULT_LOG10_WD, MAX_RESOLUTION, Grid, SweepConfig, run_sweep
from core.sweep_claims import ridge, ridge_sentence
from core.tasks import TASKS
from core.training import COMPARED_OPTIMIZERS, History, check_request, train
from ui.charts import show
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy
from ui.state import bind, sync_query

METRICS = {"test_loss": "final test loss", "train_loss": "final train loss", "weight_norm": "final ‖W‖"}
EPOCHS = {k: t.sweep_epochs for k, t in TASKS.items()}  # defaults: a 12 x 12 grid of each within the request budget
MAX_EPOCHS = {k: t.sweep_max_epochs for k, t in TASKS.items()}
WD_BOUNDS = (-6.0, 3.0)  # log10 weight decay the sliders span
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS)),
    Field("optimizers", COMPARED_OPTIMIZERS, choices=COMPARED_OPTIMIZERS),
    Field("resolution", 12, 2, MAX_RESOLUTION),
    Field("lr_lo", -4.0, -6.0, 1.0, step=0.5), Field("lr_hi", 0.0, -6.0, 1.0, step=0.5),
    Field("decay", "coupled", choices=tuple(DECAY_MODES)),
    *(Field(f"wd_lo.{m}", lo, *WD_BOUNDS, step=0.5) for m, (lo, _) in DEFAULT_LOG10_WD.items()),
    *(Field(f"wd_hi.{m}", hi, *WD_BOUNDS, step=0.5) for m, (_, hi) in DEFAULT_LOG10_WD.items()),
    Field("momentum", 0.0, 0.0, 0.99, step=0.01),
    *(Field(f"sweep_epochs.{k}", EPOCHS[k], 1, MAX_EPOCHS[k]) for k in TASKS),
    *(Field(f"sweep_seed.{k}", t.default_seed, 0, 2**31 - 1) for k, t in TASKS.items()),
    Field("cell_lr", 6, 0, MAX_RESOLUTION - 1), Field("cell_wd", 6, 0, MAX_RESOLUTION - 1),
)


def cached_sweep(config: SweepConfig) -> dict[str, Grid]:
    """Refused before it queues when too costly; then trained once for every visitor (ui.heavy)."""
    check_request(config.grid_configs())
    return cached_heavy(("sweep", config), "Training the grid…", lambda progress: run_sweep(config, progress))


def cached_cell(config: SweepConfig, optimizer: str, lr: float, weight_decay: float) -> History:
    cell = config.cell(optimizer, lr, weight_decay)
    check_request([cell])
    return cached_heavy(("train", (cell,)), "Training the chosen cell…", lambda progress: train(cell, progress))


def controls() -> SweepConfig:
    sb, ss = st.sidebar, st.session_state
    task = sb.selectbox("Task", list(TASKS), key="task", format_func=lambda k: TASKS[k].label)
    sb.multiselect("Optimizers", list(COMPARED_OPTIMIZERS), key="optimizers",
                   format_func=lambda k: optim.OPTIMIZERS[k].label)
    sb.slider("Epochs", 1, MAX_EPOCHS[task], key=f"sweep_epochs.{task}")
    sb.slider("Cells per axis", 2, MAX_RESOLUTION, key="resolution")
    sb.slider("log10 learning rate from", -6.0, 1.0, step=0.5, key="lr_lo")
    sb.slider("log10 learning rate to", -6.0, 1.0, step=0.5, key="lr_hi")
    decay = sb.radio("Weight-decay parameterization", list(DECAY_MODES), key="decay",
                     format_func=lambda m: {"coupled": "PyTorch (lr·wd)", "independent": "independent (wd)"}[m],
                     help="; ".join(f"{m}: {text}" for m, text in DECAY_MODES.items()))
    sb.slider("log10 weight decay from", *WD_BOUNDS, step=0.5, key=f"wd_lo.{decay}")
    sb.slider("log10 weight decay to", *WD_BOUNDS, step=0.5, key=f"wd_hi.{decay}")
    sb.slider("SGD momentum", 0.0, 0.99, step=0.01, key="momentum")
    sb.number_input("Seed", 0, 2**31 - 1, key=f"sweep_seed.{task}")
    return SweepConfig(task=task, optimizers=tuple(ss.optimizers),
                       options=(("sgd", (("momentum", ss.momentum),)),),
                       log10_lr=(ss.lr_lo, ss.lr_hi), log10_wd=(ss[f"wd_lo.{decay}"], ss[f"wd_hi.{decay}"]),
                       decay=decay,
                       resolution=(ss.resolution, ss.resolution), epochs=ss[f"sweep_epochs.{task}"],
                       seed=int(ss[f"sweep_seed.{task}"]),
                       device=current_device(), dtype=training_dtype())


def shared_range(grids: dict[str, Grid], metric: str) -> tuple[float, float]:
    values = np.concatenate([getattr(g, metric).ravel() for g in grids.values()])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 0.0, 1.0
    return float(np.log10(values.min())), float(np.log10(values.max()))


def main() -> None:
    st.title("Sweep: learning rate × weight decay")
    st.caption("Every cell is its own training run, all trained at once. Where the good region lies tells how "
               "the weight decay is coupled to the learning rate: the sentences below the heatmaps fit the ridge "
               "of best weight decays and say what it is.")
    bind(FIELDS)
    try:
        config = controls()
        grids = cached_sweep(config)
    except ValueError as err:
        st.error(f"Cannot run this sweep: {err}")
        st.stop()
    ss = st.session_state
    n = config.resolution[0]
    ss.cell_lr, ss.cell_wd = min(ss.cell_lr, n - 1), min(ss.cell_wd, n - 1)
    chosen = (ss.cell_wd, ss.cell_lr)
    ridges = {key: ridge(grid, config.lrs, config.weight_decays) for key, grid in grids.items()}
    for metric, label in METRICS.items():
        zrange = shared_range(grids, metric)
        for column, (key, grid) in zip(st.columns(len(grids)), grids.items(), strict=True):
            title = f"{optim.OPTIMIZERS[key].torch_class}: {label}"
            show(column, figures.sweep_heatmap(config.lrs, config.weight_decays, getattr(grid, metric),
                                               grid.diverged, grid.best, title, label, zrange, chosen,
                                               ridges[key] if metric == "test_loss" else None),
                 key=f"{metric}-{key}")
    st.caption(f"Shared colour scale per row; grey × = diverged ({criterion()}); ★ = lowest final test loss; "
               "□ = the cell chosen below; white dots and dashed line (test-loss row) = the best wd of each lr "
               "and the ridge fitted through them.")
    st.markdown(f"**Weight decay {config.decay}**: {DECAY_MODES[config.decay]} "
                "([pytorch/pytorch#38853](https://github.com/pytorch/pytorch/issues/38853)).")
    for key, grid in grids.items():
        lines = [ridge_sentence(optim.OPTIMIZERS[key].torch_class, ridges[key])]
        if grid.best is not None:
            r, c = grid.best
            lines.append(f"best cell: lr = {fmt(config.lrs[c])}, wd = {fmt(config.weight_decays[r])}, "
                         f"test loss {fmt(grid.test_loss[r, c], 4)}")
        st.markdown("- " + "; ".join(lines))
    st.download_button("Download the grids as CSV", sweep_csv(config, grids), "sweep.csv", "text/csv", key="csv")
    st.subheader("One cell's curves")
    left, right = st.columns(2)
    left.select_slider("Learning rate", range(n), key="cell_lr", format_func=lambda i: fmt(config.lrs[i]))
    right.select_slider("Weight decay", range(n), key="cell_wd",
                        format_func=lambda i: fmt(config.weight_decays[i]))
    lr, wd = float(config.lrs[ss.cell_lr]), float(config.weight_decays[ss.cell_wd])
    for column, key in zip(st.columns(len(grids)), grids, strict=True):
        try:
            h = cached_cell(config, key, lr, wd)
        except ValueError as err:
            column.error(f"Cannot train this cell: {err}")
            continue
        show(column, figures.curves({"train": h.train_loss, "test": h.test_loss}, (wd,),
                                           f"{optim.OPTIMIZERS[key].torch_class}: loss", "loss", True),
                            key=f"cell-loss-{key}")
        show(column, figures.curves({f"‖{n}‖": v for n, v in h.norms.items()}, (wd,),
                                           f"{optim.OPTIMIZERS[key].torch_class}: weight norm", "norm", True),
                            key=f"cell-norm-{key}")
        if h.divergences[0] is not None:
            column.warning(f"Diverged: {h.divergences[0].message()}.")
    sync_query(FIELDS)


main()
