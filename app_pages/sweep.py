"""Sweep: learning rate x weight decay grids, every cell trained at once, as heatmaps."""

import numpy as np
import streamlit as st

from core import figures, optim
from core.exports import sweep_csv
from core.schema import Field
from core.sweep import MAX_RESOLUTION, Grid, SweepConfig, run_sweep
from core.tasks import TASKS
from core.training import COMPARED_OPTIMIZERS, History, check_request, train
from ui.charts import show
from ui.device import current_device, training_dtype
from ui.heavy import cached_heavy
from ui.state import bind, sync_query

METRICS = {"test_loss": "final test loss", "train_loss": "final train loss", "weight_norm": "final ‖W‖"}
EPOCHS = {"seed": 50, "d2l": 100, "toy": 25}  # defaults: a 12 x 12 grid of each within the request budget
MAX_EPOCHS = {"seed": 300, "d2l": 200, "toy": 500}
FIELDS = (
    Field("task", "d2l", choices=tuple(TASKS)),
    Field("optimizers", COMPARED_OPTIMIZERS, choices=COMPARED_OPTIMIZERS),
    Field("resolution", 12, 2, MAX_RESOLUTION),
    Field("lr_lo", -4.0, -6.0, 1.0), Field("lr_hi", 0.0, -6.0, 1.0),
    Field("wd_lo", -4.0, -6.0, 2.0), Field("wd_hi", 1.0, -6.0, 2.0),
    Field("momentum", 0.0, 0.0, 0.99),
    *(Field(f"sweep_epochs.{k}", EPOCHS[k], 1, MAX_EPOCHS[k]) for k in TASKS),
    Field("seed", 0, 0, 2**31 - 1),
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
    sb.slider("log10 weight decay from", -6.0, 2.0, step=0.5, key="wd_lo")
    sb.slider("log10 weight decay to", -6.0, 2.0, step=0.5, key="wd_hi")
    sb.slider("SGD momentum", 0.0, 0.99, step=0.01, key="momentum")
    sb.number_input("Seed", 0, 2**31 - 1, key="seed")
    return SweepConfig(task=task, optimizers=tuple(ss.optimizers),
                       options=(("sgd", (("momentum", ss.momentum),)),),
                       log10_lr=(ss.lr_lo, ss.lr_hi), log10_wd=(ss.wd_lo, ss.wd_hi),
                       resolution=(ss.resolution, ss.resolution), epochs=ss[f"sweep_epochs.{task}"], seed=int(ss.seed),
                       device=current_device(), dtype=training_dtype())


def shared_range(grids: dict[str, Grid], metric: str) -> tuple[float, float]:
    values = np.concatenate([getattr(g, metric).ravel() for g in grids.values()])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 0.0, 1.0
    return float(np.log10(values.min())), float(np.log10(values.max()))


def main() -> None:
    st.title("Sweep: learning rate × weight decay")
    st.caption("Every cell is its own training run, all trained at once. As in Loshchilov & Hutter's Fig. 2: with "
               "L2-style decay (SGD, Adam's weight_decay) the good region lies on a diagonal, because lr and wd "
               "act through their product; with AdamW's decoupled decay it is more aligned with the axes.")
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
    for metric, label in METRICS.items():
        zrange = shared_range(grids, metric)
        for column, (key, grid) in zip(st.columns(len(grids)), grids.items(), strict=True):
            title = f"{optim.OPTIMIZERS[key].torch_class}: {label}"
            show(column, figures.sweep_heatmap(config.lrs, config.weight_decays, getattr(grid, metric),
                                                      grid.diverged, grid.best, title, label, zrange, chosen),
                                key=f"{metric}-{key}")
    st.caption("Shared colour scale per row; grey × = diverged (inf/NaN, or a training loss that ended 100× above "
               "where it started); ★ = lowest final test loss; □ = the cell chosen below.")
    for key, grid in grids.items():
        if grid.best is not None:
            r, c = grid.best
            st.write(f"**{optim.OPTIMIZERS[key].label}** best: lr = {config.lrs[c]:.3g}, wd = "
                     f"{config.weight_decays[r]:.3g}, test loss {grid.test_loss[r, c]:.4g}")
    st.download_button("Download the grids as CSV", sweep_csv(config, grids), "sweep.csv", "text/csv", key="csv")
    st.subheader("One cell's curves")
    left, right = st.columns(2)
    left.select_slider("Learning rate", range(n), key="cell_lr", format_func=lambda i: f"{config.lrs[i]:.3g}")
    right.select_slider("Weight decay", range(n), key="cell_wd",
                        format_func=lambda i: f"{config.weight_decays[i]:.3g}")
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
        if h.diverged_at[0] is not None:
            column.warning(f"Diverged at step {h.diverged_at[0]}: a weight or the loss became inf/NaN.")
    sync_query(FIELDS)


main()
