"""The training page through AppTest: curves for every task, reacting to the weight decays,
and a diverging run reported in words rather than a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.page_helpers import counted_trainings, decode, figures, open_page, run_page, titles

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "training.py")


def run(**state) -> AppTest:
    return run_page("training", **state)


def norm_curves(at) -> list[np.ndarray]:
    fig = next(f for f in figures(at) if f["layout"]["title"]["text"] == "SGD: Weight norm per layer")
    return [decode(trace["y"]) for trace in fig["data"]]


@pytest.mark.parametrize("task", ["seed", "d2l", "toy"])
def test_default_render_has_the_curves(task):
    at = run(task=task)
    assert not at.exception
    shown = titles(at)
    assert [t for t in shown if t.endswith("Weight norm per layer")] == [  # a row of charts, titled by optimizer
        "SGD: Weight norm per layer", "Adam: Weight norm per layer", "AdamW: Weight norm per layer"]
    assert sum(t.endswith("Loss (without the penalty)") for t in shown) == 3
    assert "Learning rate and the decay it applies per step" in shown
    assert not any("Final weights" in t or "during training" in t for t in shown)  # drawn when asked for
    if task == "toy":
        assert sum(t.startswith("AdamW, wd=") for t in shown) == 4  # one decision boundary per weight decay
        assert not any(t.startswith(("SGD, wd=", "Adam, wd=")) for t in shown)  # one optimizer's row of maps


def test_the_costly_charts_come_when_asked_for_and_keep_their_place_in_the_link():
    """Histograms, the animation and the other optimizers' decision boundaries each cost a redraw
    after every change (on two cores, half a second to a second a row): a control shows them."""
    at = run(task="toy")
    at.toggle(key="training:histograms").set_value(True).run()
    assert sum("Final weights" in t for t in titles(at)) == 3
    at.toggle(key="training:animate").set_value(True).run()
    assert any(t.startswith("W1 during training") for t in titles(at))
    at.radio(key="training:boundary_optimizer").set_value("sgd").run()
    shown = titles(at)
    assert sum(t.startswith("SGD, wd=") for t in shown) == 4 and not any(t.startswith("AdamW, wd=") for t in shown)
    assert not at.exception
    for key, value in (("histograms", "true"), ("animate", "true"), ("boundary_optimizer", "sgd")):
        assert at.query_params[key] in (value, [value])


def test_changing_the_weight_decays_changes_the_curves():
    at = run(task="d2l")
    before = norm_curves(at)
    at.sidebar.multiselect(key="training:wds.d2l").set_value([0.0, 0.1]).run()
    assert not at.exception
    after = norm_curves(at)
    assert len(after) == 4 and len(before) == 8  # (||w||, ||b||) x weight decays
    assert not np.allclose(before[1], after[1], equal_nan=True)


def test_seed_task_overlays_the_closed_form_and_names_the_regimes():
    at = run(task="seed", **{"wds.seed": [0.0, 15.0, 25.0]})
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "oscillates" in text and "blows up" in text


def test_a_diverging_run_is_reported_with_its_step():
    at = run(task="seed", **{"wds.seed": [25.0], "lr.seed": 1.0, "epochs.seed": 500})
    assert not at.exception
    assert any("diverged: the weights grew past" in w.value and "at step" in w.value for w in at.warning)


def test_a_loss_overflow_is_not_called_a_weight_overflow():
    """The defect: 'a weight became inf/NaN' when the weights were finite. Whatever tripped, the
    message names the reason the shared criterion found."""
    at = run(task="d2l", **{"wds.d2l": [3.0], "lr.d2l": 1.0})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert warnings and all("diverged:" in w for w in warnings)
    assert not any("a weight became inf/NaN" in w for w in warnings if "grew past" in w or "loss" in w)


def test_the_last_weight_decay_cannot_be_removed():
    """With none chosen the page had nothing to draw; now the multiselect keeps at least one."""
    at = run(**{"wds.d2l": [3.0]})
    at.sidebar.multiselect(key="training:wds.d2l").set_value([]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="training:wds.d2l").value == [3.0]
    assert sum(t.endswith("Weight norm per layer") for t in titles(at)) == 3


def test_step_through_animates_the_chosen_run_and_survives_fewer_decays():
    at = run(task="toy", animate=True, anim_run=3, anim_tensor="W2")
    assert not at.exception
    anim = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("W2 during training"))
    assert len(anim["frames"]) > 10 and anim["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶"
    assert all(f["traces"] == [0, 2] for f in anim["frames"])  # each frame moves the heatmap and the norm marker
    at.sidebar.multiselect(key="training:wds.toy").set_value([0.0]).run()
    assert not at.exception and at.selectbox(key="training:anim_run").value == 0
    at.sidebar.selectbox(key="training:task").set_value("seed").run()
    assert not at.exception and at.selectbox(key="training:anim_tensor").value == "W"


def test_presentation_mode_enlarges_the_charts():
    plain, present = open_page("training", task="seed"), open_page("training", task="seed", **{"app:present": True})
    assert not present.exception
    size = lambda at: figures(at)[0]["layout"]["font"]["size"]  # noqa: E731
    assert size(present) > size(plain)


def test_a_link_restores_the_weight_decays_and_task():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["task"] = "seed"
    at.query_params["wds.seed"] = "0,15"
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="training:wds.seed").value == [0.0, 15.0]
    at.sidebar.multiselect(key="training:wds.seed").set_value([0.0, 1.0, 25.0]).run()
    assert at.query_params["wds.seed"] in ("0,1,25", ["0,1,25"])


def test_the_seed_task_starts_from_the_seed_experiments_w0():
    """The defect: the training page's seed task used seed 0, so W_0 differed from single step and theory."""
    from core.problem import SEED, make_problem

    at = run(task="seed")
    assert not at.exception
    assert at.sidebar.number_input(key="training:seed.seed").value == SEED
    first = np.linalg.norm(make_problem().w0.numpy())
    assert all(np.isclose(curve[0], first) for curve in norm_curves(at))


def test_every_weight_decay_of_the_toy_task_at_the_most_epochs_renders():
    """The costliest view the widgets reach: the epochs slider ends where the cost budget does."""
    from core.train.budget import max_epochs

    at = run(task="toy", **{"wds.toy": [0.0, 0.1]})
    at.sidebar.multiselect(key="training:wds.toy").set_value(list(at.sidebar.multiselect(key="training:wds.toy")
                                                                   .options)).run()
    slider = at.sidebar.slider(key="training:epochs.toy")
    assert slider.max == max_epochs("toy", 3 * 16) < 1000
    slider.set_value(slider.max).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sum(t.endswith("Weight norm per layer") for t in titles(at)) == 3


def test_the_epochs_slider_reads_a_shorter_run_and_trains_only_the_added_epochs(monkeypatch):
    """ui.kept_runs with core.train.kept_training: one epoch fewer builds and runs no training, one more runs
    the added epoch's steps (4 of d2l's), the charts keep their places; each History equals a fresh training
    (tests/test_kept_training.py)."""
    calls = counted_trainings(monkeypatch)
    at = run(**{"task": "d2l", "seed.d2l": 4324, "epochs.d2l": 9})  # runs no other test has put in the cache
    assert calls == [("new", 12), ("run", 36)]
    drawn = [type(node).__name__ for node in at.main.children.values()]
    at.sidebar.slider(key="training:epochs.d2l").set_value(8).run()
    assert not at.exception and calls[2:] == []
    assert [type(node).__name__ for node in at.main.children.values()] == drawn
    at.sidebar.slider(key="training:epochs.d2l").set_value(10).run()
    assert not at.exception and calls[2:] == [("run", 4)]
