"""The single-step page through AppTest: it renders the seed's numbers, reacts to the
sliders, and never shows a traceback, whatever a widget or a link is set to."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import optim
from tests.page_helpers import heatmap, notices, open_page, run_page, titles

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "single_step.py")
SEED_W1_WD1_ROW0 = [0.2050, -0.1360, 0.1686, 0.4745, -0.0254]


def run(query: dict | None = None, **state) -> AppTest:
    return run_page("single_step", query, **state)


def test_default_render_shows_every_heatmap_with_the_seed_numbers():
    at = run()
    assert not at.exception
    shown = titles(at)
    for start in ("W before", "Gradient", "Decay term", "W after, weight_decay = 0", "W after, weight_decay = 1",
                  "Difference"):
        assert any(t.startswith(start) for t in shown), start
    np.testing.assert_allclose(heatmap(at, "W after, weight_decay = 1")[0], SEED_W1_WD1_ROW0, atol=5e-5)
    assert "max |diff|" in at.success[0].value


def test_the_app_entry_routes_to_the_single_step_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.selectbox(key="app:device").value == "cpu"
    assert any(t.startswith("W after") for t in titles(at))


def test_moving_the_weight_decay_slider_changes_w_after():
    at = run()
    before = heatmap(at, "W after, weight_decay = 1")
    at.sidebar.slider(key="single_step:weight_decay").set_value(0.5).run()
    after = heatmap(at, "W after, weight_decay = 0.5")
    assert not at.exception
    assert not np.allclose(before, after)
    w0, w_no_decay = heatmap(at, "W before"), heatmap(at, "W after, weight_decay = 0")
    np.testing.assert_allclose(after - w_no_decay, -0.1 * 0.5 * w0, atol=1e-12)  # -lr*wd*W for SGD


def _widget_ends(at):
    """(widget, value) pairs: every slider at both ends, every selectbox option, checkboxes both ways."""
    for s in at.slider:
        yield s, s.min
        yield s, s.max
    for box in at.selectbox:
        for option in box.options:
            yield box, option
    for box in at.checkbox:
        if not box.disabled:  # a browser cannot click it either
            yield box, not box.value
    for n in at.number_input:
        yield n, n.min
        yield n, n.max


@pytest.mark.parametrize("optimizer", list(optim.OPTIMIZERS))
def test_no_exception_at_any_widget_range_end(optimizer):
    at = run(optimizer=optimizer)
    assert not at.exception
    keys = [(w.key, v) for w, v in _widget_ends(at) if w.key != "single_step:optimizer"]
    assert len(keys) > 10
    # One session, as a visitor tries them in turn: each end, and the widget before it set back in the
    # same run (a run per end; the last one's way back gets a run of its own).
    previous = None
    for key, value in keys:
        widget = _find(at, key)
        before = widget.value
        if previous is not None:
            _find(at, previous[0]).set_value(previous[1])
        widget.set_value(value).run()
        assert not at.exception, (optimizer, key, value, "after", previous, at.exception)
        previous = (key, before)
    _find(at, previous[0]).set_value(previous[1]).run()
    assert not at.exception, (optimizer, previous, at.exception)


def _find(at, key):
    for kind in ("slider", "selectbox", "checkbox", "number_input"):
        for widget in at.get(kind):
            if widget.key == key:
                return widget
    raise KeyError(key)


def test_nesterov_is_offered_only_where_torch_accepts_it():
    """It used to be a checkbox that turned the page into an error ("Nesterov momentum requires ...")."""
    at = run(**{"sgd.nesterov": True})
    assert not at.exception and not at.error
    box = at.sidebar.checkbox(key="single_step:sgd.nesterov")
    assert box.disabled and box.value is False
    at.sidebar.slider(key="single_step:sgd.momentum").set_value(0.9).run()
    at.sidebar.checkbox(key="single_step:sgd.nesterov").check().run()
    assert not at.exception and not at.error
    assert at.query_params["sgd.nesterov"] in ("true", ["true"])
    at.sidebar.slider(key="single_step:sgd.momentum").set_value(0.0).run()
    assert not at.exception and not at.error
    assert at.sidebar.checkbox(key="single_step:sgd.nesterov").value is False and "sgd.nesterov" not in at.query_params


def test_a_diverging_run_says_where_it_diverged():
    at = run(lr=1.0, weight_decay=10.0, dtype="float32", steps=200)
    assert not at.exception
    assert any("diverged" in w.value and "step" in w.value for w in at.warning)


def test_pure_decay_shows_adam_against_adamw():
    at = run(pure_decay=True, optimizer="adam")
    assert not at.exception
    np.testing.assert_array_equal(heatmap(at, "Gradient"), 0.0)
    assert any(s.value.startswith("Pure decay") for s in at.subheader)


def test_a_link_restores_the_view_and_bad_values_fall_back():
    at = run(query={"weight_decay": "0.25", "optimizer": "adamw", "lr": "banana", "steps": "100000"})
    assert not at.exception
    assert at.sidebar.slider(key="single_step:weight_decay").value == 0.25
    assert at.sidebar.selectbox(key="single_step:optimizer").value == "adamw"
    assert at.sidebar.slider(key="single_step:lr").value == 0.1
    assert at.sidebar.slider(key="single_step:steps").value == 20
    assert len(notices(at)) == 2


def test_the_state_goes_back_into_the_link():
    at = run()
    at.sidebar.slider(key="single_step:weight_decay").set_value(0.5).run()
    assert at.query_params["weight_decay"] == ["0.5"] or at.query_params["weight_decay"] == "0.5"


def test_the_app_offers_a_share_link_and_presentation_toggle():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.toggle(key="app:present").value is False
    assert any("Share this view" in c.value for c in at.sidebar.caption)
    at.sidebar.toggle(key="app:present").set_value(True).run()
    assert not at.exception
    assert at.query_params["present"] in ("true", ["true"])


@pytest.mark.parametrize("key", ["adam", "rmsprop", "adagrad"])
def test_an_adaptive_optimizer_shows_its_own_formula_not_sgds(key):
    """The defect: with Adam selected the page still said 'PyTorch SGD: w - lr*(dw+wd*w)', 'shrink factor
    -1.515' and 'never halves'."""
    at = run({"optimizer": key, "lr": "0.5", "weight_decay": "5"})
    assert not at.exception
    metrics = [m.label for m in at.metric]
    assert not any("SGD" in label or "Shrink factor" in label or "Half-life" in label for label in metrics)
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert optim.get(key).torch_class in texts and "no shrink factor" in texts


def test_a_negative_shrink_factor_is_explained():
    at = run({"lr": "0.5", "weight_decay": "5", "steps": "200"})
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "flips sign and grows" in captions
    assert any("diverged" in w.value and "weights grew past" in w.value for w in at.warning)


def test_on_mps_the_step_runs_in_the_devices_float32(monkeypatch):
    """Bug 5: the page ignored the device's dtype policy and failed on mps with its float64 default ("The mps
    device has no float64"). Here mps is reported available and the step itself runs on the CPU, after the
    device check the real mps would make."""
    import torch

    from core import step
    from core.devices import resolve_device

    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    ran, real = [], step.run_step

    def on_cpu(config):
        resolve_device(config.device, config.dtype)
        ran.append(config)
        return real(replace(config, device="cpu"))

    monkeypatch.setattr(step, "run_step", on_cpu)
    at = open_page("single_step", {"device": "mps", "seed": "4242"})  # a seed no other test caches
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="single_step:dtype").options == ["float32"]
    assert ran and {(c.device, c.dtype) for c in ran} == {("mps", "float32")}


def test_the_matrix_tables_carry_no_style_of_their_own():
    """Their style is sent once a run with the app's page-wide styles (ui.classroom; that it reaches the
    page is tests/test_browser.py's), not seven times."""
    tables = [h.value for h in open_page("single_step").get("html") if 'class="wd-matrix"' in h.value]
    assert len(tables) == 7 and not any("<style" in t for t in tables)
