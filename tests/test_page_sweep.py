"""The sweep page through AppTest: a row of heatmaps of the chosen metric, a chosen cell's curves,
a bad range reported in words."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.page_helpers import counted_trainings, notices, run_page, shared_link, titles

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "sweep.py")


def run(**state) -> AppTest:
    return run_page("sweep", **{**{"resolution": 4}, **state})


def test_default_render_has_a_test_loss_heatmap_per_optimizer_and_cell_curves():
    at = run()
    assert not at.exception
    shown = titles(at)
    for optimizer in ("SGD", "Adam", "AdamW"):
        assert f"{optimizer}: final test loss" in shown
        assert f"{optimizer}: final train loss" not in shown and f"{optimizer}: final ‖W‖" not in shown
        assert f"{optimizer}: loss" in shown and f"{optimizer}: weight norm" in shown
    assert any("best cell: lr =" in m.value for m in at.markdown)
    assert any("ridge fitted" in c.value for c in at.caption)


def test_each_metric_gets_its_row_of_heatmaps_and_its_link():
    """One row of heatmaps at a time (nine charts took a two-core browser over a second to redraw);
    the metric is a control with its place in the link, and the ridge belongs to the test loss."""
    at = run()
    for metric, label in (("train_loss", "final train loss"), ("weight_norm", "final ‖W‖")):
        at.radio(key="sweep:metric").set_value(metric).run()
        assert not at.exception
        shown = titles(at)
        assert all(f"{o}: {label}" in shown for o in ("SGD", "Adam", "AdamW"))
        assert not any("final test loss" in t for t in shown)
        assert at.query_params["metric"] in (metric, [metric])
        assert not any("ridge fitted" in c.value for c in at.caption)
    assert "AdamW: final ‖W‖" in titles(run_page("sweep", {"metric": "weight_norm"}, resolution=4))


def test_choosing_another_cell_moves_the_marker():
    at = run()
    at.select_slider(key="sweep:cell_lr").set_value(0).run()
    assert not at.exception
    assert at.select_slider(key="sweep:cell_lr").value == 0 and at.query_params["cell_lr"] in ("0", ["0"])


def test_an_inverted_range_from_a_link_is_put_in_order_with_a_notice():
    """It used to end in a red error with no charts ("must go from low to high")."""
    at = run_page("sweep", {"lr_lo": "0", "lr_hi": "-2"}, resolution=4)
    assert not at.exception and not at.error
    assert at.sidebar.slider(key="sweep:lr_lo..lr_hi").value == (-2.0, 0.0)
    assert "AdamW: final test loss" in titles(at)
    assert any("lr_lo=0" in n for n in notices(at))
    assert at.query_params["lr_lo"] in ("-2", ["-2"]) and "lr_hi" not in at.query_params


def test_the_range_handles_cannot_meet():
    at = run()
    at.sidebar.slider(key="sweep:lr_lo..lr_hi").set_value((-3.0, -3.0)).run()
    assert not at.exception and not at.error
    assert at.sidebar.slider(key="sweep:lr_lo..lr_hi").value == (-3.0, -2.5)
    at.sidebar.slider(key="sweep:lr_lo..lr_hi").set_value((1.0, 1.0)).run()
    assert at.sidebar.slider(key="sweep:lr_lo..lr_hi").value == (0.5, 1.0)
    assert "SGD: final test loss" in titles(at)


def test_a_single_optimizer_and_the_largest_grid_render():
    at = run(optimizers=["adamw"], resolution=24, task="seed")
    assert not at.exception
    assert "AdamW: final test loss" in titles(at)


def test_the_epochs_control_changes_the_grid():
    at = run(task="seed")
    before = [m.value for m in at.markdown if "best cell:" in m.value]
    at.sidebar.slider(key="sweep:sweep_epochs.seed").set_value(5).run()
    assert not at.exception
    assert [m.value for m in at.markdown if "best cell:" in m.value] != before


def test_the_sweep_states_its_fitted_ridge_for_each_parameterization():
    """The caption used to tell the story backwards (AdamW 'more aligned with the axes'); now each optimizer's
    sentence is the fitted ridge, and switching the parameterization changes the grid and the words."""
    for decay in ("coupled", "independent"):
        at = run(decay=decay, optimizers=["adamw"])
        assert not at.exception
        text = " ".join(m.value for m in at.markdown)
        assert "fitted ridge" in text and f"Weight decay {decay}" in text
        assert "more aligned with the axes" not in " ".join(c.value for c in at.caption)


def test_the_largest_grid_at_the_most_epochs_it_allows_renders():
    """Bug 4: 24 cells x 200 epochs gave only a red error, a leftover progress bar, no charts and no link. The
    epochs slider now ends where the cost budget does for the grid chosen, and a link asking for more is moved
    there with a notice."""
    from core.train.budget import max_epochs
    from tests.page_helpers import open_page

    at = open_page("sweep", {"resolution": "24", "sweep_epochs.d2l": "200"})
    assert not at.exception and not at.error, [e.value for e in at.error]
    most = max_epochs("d2l", 3 * 24 * 24)
    epochs = at.sidebar.slider(key="sweep:sweep_epochs.d2l")
    assert epochs.max == epochs.value == most < 200
    assert "AdamW: final test loss" in titles(at) and "SGD: loss" in titles(at)
    assert any(n.startswith("Moved `sweep_epochs.d2l=200` from the link to `") for n in notices(at))
    assert at.query_params["sweep_epochs.d2l"] in (str(most), [str(most)])
    assert shared_link(at)  # the share link is there


def test_a_new_grid_trains_once_and_its_chosen_cell_comes_from_that_run(monkeypatch):
    """The chosen cell is one of the grid's runs: its curves are kept from the sweep (core.train.sweep_cell)
    rather than trained again after it (0.15-0.3 s a change on two cores); another cell is trained alone."""
    calls = counted_trainings(monkeypatch)
    at = run(**{"sweep_seed.d2l": 4321, "sweep_epochs.d2l": 7})  # a grid no other test has put in the cache
    assert not at.exception
    assert calls == [("new", 48), ("run", 28)]  # one program: 3 x 4 x 4 cells, the chosen cell's curves with it
    assert all(f"{o}: loss" in titles(at) for o in ("SGD", "Adam", "AdamW"))
    at.select_slider(key="sweep:cell_lr").set_value(0).run()
    assert not at.exception and calls[2:] == [("new", 3), ("run", 28)]  # the same grid, the new cell trained alone


def test_the_epochs_slider_reads_fewer_epochs_and_trains_only_the_added_ones(monkeypatch):
    """ui.kept_sweeps: one epoch fewer is read from the kept sweep (no training at all, the cell's curves
    too), one more trains one epoch (4 steps of d2l); what is read equals a fresh sweep (tests/test_sweep_run.py)."""
    calls = counted_trainings(monkeypatch)
    at = run(**{"sweep_seed.d2l": 4322, "sweep_epochs.d2l": 30})  # a grid no other test has put in the cache
    assert calls == [("new", 48), ("run", 120)]  # 120 steps: three epochs recorded (sweep_run.recorded_epochs)
    trained = [type(node).__name__ for node in at.main.children.values()]
    at.sidebar.slider(key="sweep:sweep_epochs.d2l").set_value(29).run()
    assert not at.exception and calls[2:] == []
    # the progress bar's placeholder is there either way: the elements after it keep their places
    assert [type(node).__name__ for node in at.main.children.values()] == trained
    assert all(f"{o}: loss" in titles(at) for o in ("SGD", "Adam", "AdamW"))
    at.sidebar.slider(key="sweep:sweep_epochs.d2l").set_value(31).run()
    assert not at.exception and calls[2:] == [("run", 4)]
    at.select_slider(key="sweep:cell_lr").set_value(0).run()  # another cell: its curves trained alone
    assert not at.exception and calls[3:] == [("new", 3), ("run", 124)]
    at.sidebar.slider(key="sweep:sweep_epochs.d2l").set_value(30).run()  # the grid still read from the kept sweep
    assert not at.exception and calls[5:] == [("new", 3), ("run", 120)]
