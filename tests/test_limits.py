"""Upper bounds on every expensive control, so one visitor cannot take the server down: the
core refuses oversize work whatever the page sends, and every page's numeric widgets have
finite bounds that stay within the core's."""

from __future__ import annotations

import math
import threading
import tomllib
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from core import step
from core.params.checkpoints import MAX_UPLOAD_BYTES, CheckpointError, read_checkpoint
from core.train import batched_step, sweep, training
from core.train import config as request
from core.train.tasks import TASKS, make_task

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "app_pages").glob("*.py"))


# The core refuses oversize work.

def test_step_refuses_more_than_max_steps():
    with pytest.raises(ValueError, match="steps"):
        step.StepConfig(steps=step.MAX_STEPS + 1)
    step.StepConfig(steps=step.MAX_STEPS)  # the bound itself is allowed


def test_training_refuses_more_than_max_steps():
    per_epoch = 4  # d2l: 20 training points in minibatches of 5
    with pytest.raises(ValueError, match="steps"):
        training.train(request.TrainConfig(task="d2l", epochs=request.MAX_STEPS // per_epoch + 1))


def test_the_toy_sweep_link_is_refused_before_any_training_starts(monkeypatch):
    """/sweep?task=toy&resolution=24&sweep_epochs.toy=400 was inside the runs x steps cap but
    took 124 s: a toy step costs ~50x a d2l step. The budget is by estimated cost per task."""
    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(batched_step, "step", no_training)
    monkeypatch.setattr(request.TASKS["toy"], "init_params", no_training)
    config = sweep.SweepConfig(task="toy", resolution=(24, 24), epochs=400)
    with pytest.raises(ValueError, match="Ask for less: at most .* epochs"):
        sweep.run_sweep(config)
    with pytest.raises(ValueError, match="at most 5 s"):
        request.check_request(config.grid_configs())


def test_every_default_request_is_within_the_budget():
    for group in request.default_configs():  # the training page's first view of each task
        request.check_request(group)
    request.check_request(sweep.SweepConfig().grid_configs())  # the sweep page's first view


def test_training_refuses_more_than_max_runs():
    too_many = tuple(float(i) for i in range(request.MAX_RUNS + 1))
    with pytest.raises(ValueError, match="runs"):
        training.train(request.TrainConfig(task="seed", weight_decays=too_many, epochs=1))
    half = tuple(float(i) for i in range(request.MAX_RUNS // 2 + 1))
    with pytest.raises(ValueError, match="runs"):  # the bound holds across configurations trained together
        training.train_together([request.TrainConfig(task="seed", optimizer=o, weight_decays=half, epochs=1)
                                 for o in ("sgd", "adamw")])


@pytest.mark.parametrize("resolution", [(25, 25), (sweep.MAX_RESOLUTION + 1, 2), (2, sweep.MAX_RESOLUTION + 1)])
def test_sweep_refuses_oversize_grids(resolution):
    with pytest.raises(ValueError, match="resolution"):
        sweep.SweepConfig(resolution=resolution)


def test_checkpoint_loading_refuses_oversize_uploads():
    with pytest.raises(CheckpointError, match="limit"):
        read_checkpoint(b"\0" * (MAX_UPLOAD_BYTES + 1), "huge.safetensors")


def test_server_config_limits_uploads_and_protects_against_xsrf():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 10**6 == MAX_UPLOAD_BYTES  # the browser's MB; test_checkpoints has more
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False


# Every page's numeric widgets are bounded, within the core's bounds.

def page(name: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(f"app_pages/{name}.py")
    for key, value in state.items():
        at.session_state[f"{name}:{key}"] = value  # ui.state scopes session keys by page
    at.run()
    assert not at.exception, (name, state, at.exception)
    return at


def numeric_widgets(at: AppTest) -> list:
    return [*at.slider, *at.number_input]


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_every_slider_and_number_input_has_finite_bounds(path):
    at = page(path.stem)
    widgets = numeric_widgets(at)
    for w in widgets:
        assert w.min is not None and w.max is not None, (path.stem, w.key, "unbounded")
        assert math.isfinite(w.min) and math.isfinite(w.max), (path.stem, w.key, w.min, w.max)


def by_key(at: AppTest, key: str):
    (widget,) = [w for w in [*numeric_widgets(at), *at.select_slider, *at.multiselect] if w.key.endswith(f":{key}")]
    return widget


def test_single_step_sliders_stay_within_the_core_step_bound():
    at = page("single_step")
    assert by_key(at, "steps").max <= step.MAX_STEPS
    assert by_key(at, "t").max <= step.MAX_STEPS


@pytest.mark.parametrize("task", list(TASKS))
def test_training_page_cannot_ask_for_more_than_the_core_allows(task):
    at = page("training", task=task)
    t = make_task(task)
    data = t.data(0, torch.float64, torch.device("cpu"))
    per_epoch = training.steps_per_epoch(len(data.x_train), t.batch_size)
    assert by_key(at, f"epochs.{task}").max * per_epoch <= request.MAX_STEPS
    runs = len(by_key(at, f"wds.{task}").options) * len(request.COMPARED_OPTIMIZERS)
    assert runs <= request.MAX_RUNS


@pytest.mark.parametrize("name", ["training", "sweep"])
@pytest.mark.parametrize("task", list(TASKS))
def test_every_page_default_of_every_task_is_within_the_budget(name, task):
    at = page(name, task=task)
    assert not at.error, [e.value for e in at.error]


def test_sweep_page_resolution_stays_within_the_core_bound():
    at = page("sweep")
    assert by_key(at, "resolution").max <= sweep.MAX_RESOLUTION


def test_the_largest_sweep_the_page_offers_is_one_the_core_runs():
    at = page("sweep")
    n = int(by_key(at, "resolution").max)
    config = sweep.SweepConfig(optimizers=tuple(by_key(at, "optimizers").value), resolution=(n, n))
    assert sum(c.runs for c in config.grid_configs()) <= request.MAX_RUNS


def test_a_catastrophic_regex_cannot_stall_the_server():
    """Backtracking on (.*)*! grows exponentially with the name's length (hours for this one), so a
    minute's guard on a thread only fails when the search is unbounded, also on a loaded machine
    (an 8 s guard on a fresh interpreter failed under load: the imports alone took that long)."""
    import pandas as pd

    from core.params.table import filter_table

    table = pd.DataFrame({"name": ["transformer.h.11.mlp.c_proj.weight_and_a_long_suffix"] * 3})

    def search() -> None:
        try:
            filter_table(table, "(.*)*!", regex=True)
        except ValueError:
            pass  # refusing the pattern is a fine answer

    worker = threading.Thread(target=search, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "filter_table kept searching one regex for over a minute"
