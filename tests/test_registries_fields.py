"""Every registry entry carries what the pages need from it, so a new task, optimizer option or
question card is its own declaration plus its test, and a missing piece fails here rather than
as a KeyError when a page imports (issue 13)."""

from __future__ import annotations

import dataclasses

import pytest

from core.explain.questions import QUESTIONS
from core.optim import OPTIMIZERS
from core.schema import Field
from core.train.budget import max_epochs
from core.train.config import COMPARED_OPTIMIZERS, check_request, default_config
from core.train.sweep import SweepConfig
from core.train.tasks import TASKS, make_task
from tests.page_helpers import page_fields


def assert_is_a_control(f: Field) -> None:
    """A Field a page can draw and a link can carry: labelled, bounded, its default valid."""
    assert isinstance(f, Field) and f.label, f
    assert f.check(f.default) == (list(f.default) if isinstance(f.default, tuple) else f.default), f
    if isinstance(f.default, float):
        assert None not in (f.low, f.high, f.step) or f.choices is not None, f"{f.key}: a slider needs its range"


@pytest.mark.parametrize("key", list(TASKS))
def test_a_task_declares_what_the_training_and_sweep_pages_need(key):
    cls, task = TASKS[key], make_task(key)
    assert cls.key == key and cls.label and cls.decayed
    assert cls.step_us > 0 and cls.run_step_us > 0, "the cost budget needs the task's measured costs"
    assert cls.caption and cls.caption.format(t=task)
    training = {f.key: f for f in page_fields("training")}
    assert cls.default_lr in training[f"lr.{key}"].choices
    assert set(cls.default_weight_decays) <= set(training[f"wds.{key}"].choices) and cls.default_weight_decays
    assert 1 <= cls.default_epochs <= cls.max_epochs and 1 <= cls.sweep_epochs <= cls.sweep_max_epochs
    for f in cls.controls:  # the task's own options: widgets whose defaults are the task's
        assert_is_a_control(f)
        assert getattr(task, f.key) == f.default, f
        assert f.key in training, f"the training page does not bind {f.key}"
    if cls.controls:  # each is a keyword argument of make_task
        assert {f.key for f in cls.controls} <= {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("key", list(TASKS))
def test_a_tasks_default_views_fit_the_cost_budget(key):
    """The pages' first views run: the training page's decays for the three optimizers, and a 12 x 12 sweep."""
    cls = TASKS[key]
    runs = len(COMPARED_OPTIMIZERS) * len(cls.default_weight_decays)
    assert cls.default_epochs <= max_epochs(key, runs)
    check_request([default_config(key, opt) for opt in COMPARED_OPTIMIZERS])
    check_request(SweepConfig(task=key, epochs=cls.sweep_epochs).grid_configs())


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_an_optimizers_options_are_controls_with_their_help(key):
    spec = OPTIMIZERS[key]
    for o in spec.options:
        assert_is_a_control(o)
        assert o.help, f"{key}.{o.key} needs a tooltip"
    assert spec.ruled_out(spec.resolve()) <= {o.key for o in spec.options if isinstance(o.default, bool)}


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.slug for q in QUESTIONS])
def test_a_question_cards_controls_are_controls(q):
    fields = {f.key: f for f in page_fields("questions")}
    for c in q.controls:
        assert_is_a_control(c)
        assert f"{q.slug}.{c.key}" in fields
