"""The sweep page through AppTest: three heatmap rows per optimizer, a chosen cell's curves,
a bad range reported in words."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.page_helpers import run_page, titles

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "sweep.py")


def run(**state) -> AppTest:
    return run_page("sweep", **{**{"resolution": 4}, **state})


def test_default_render_has_heatmaps_of_every_metric_and_cell_curves():
    at = run()
    assert not at.exception
    shown = titles(at)
    for optimizer in ("SGD", "Adam", "AdamW"):
        for metric in ("final test loss", "final train loss", "final ‖W‖"):
            assert f"{optimizer}: {metric}" in shown
        assert f"{optimizer}: loss" in shown and f"{optimizer}: weight norm" in shown
    assert any("best cell: lr =" in m.value for m in at.markdown)


def test_choosing_another_cell_moves_the_marker():
    at = run()
    at.select_slider(key="cell_lr").set_value(0).run()
    assert not at.exception
    assert at.session_state.cell_lr == 0


def test_an_inverted_range_gets_a_message():
    at = run(lr_lo=0.0, lr_hi=-2.0)
    assert not at.exception
    assert "low to high" in at.error[0].value


def test_a_single_optimizer_and_the_largest_grid_render():
    at = run(optimizers=["adamw"], resolution=24, task="seed")
    assert not at.exception
    assert "AdamW: final test loss" in titles(at)


def test_the_epochs_control_changes_the_grid():
    at = run(task="seed")
    before = [m.value for m in at.markdown if "best cell:" in m.value]
    at.sidebar.slider(key="sweep_epochs.seed").set_value(5).run()
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
