"""Every registry entry has what the pages need, so adding one is one module (or class) plus
one registry line and nothing else: tasks, optimizers, question cards, models, conventions.

A page reads these attributes for every entry it offers; an entry that lacks one would fail
at import, or render a broken view, only when a visitor picks it.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest
import torch

import core.explain.questions
from core import optim
from core.devices import DTYPES, resolve_dtype
from core.explain.questions import CARDS, QUESTIONS
from core.optim import OPTIMIZERS
from core.optim.first_step import Explanation
from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY, ParamInfo
from core.params.models import MODELS, build
from core.params.snippets import optimizer_snippet
from core.train.config import COMPARED_OPTIMIZERS, MAX_STEPS, check_request, default_config
from core.train.minibatch import steps_per_epoch
from core.train.schedules import SCHEDULES, lr_factors
from core.train.sweep import SweepConfig
from core.train.tasks import TASKS, make_task

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- tasks


@pytest.mark.parametrize("key", TASKS)
def test_task_declares_labels_and_a_caption_with_its_own_numbers(key):
    cls = TASKS[key]
    assert cls.key == key and cls.label and cls.caption
    text = cls().describe()  # a placeholder the task lacks raises here, not on the page
    assert text and "{" not in text


@pytest.mark.parametrize("key", TASKS)
def test_task_defaults_lie_within_its_own_bounds(key):
    cls = TASKS[key]
    assert 1 <= cls.default_epochs <= cls.max_epochs and 1 <= cls.sweep_epochs <= cls.sweep_max_epochs
    assert cls.default_weight_decays and list(cls.default_weight_decays) == sorted(set(cls.default_weight_decays))
    assert all(wd >= 0 for wd in cls.default_weight_decays) and 0 <= cls.default_momentum < 1
    assert cls.default_lr > 0 and cls.default_seed >= 0


@pytest.mark.parametrize("key", TASKS)
def test_task_first_views_are_requests_the_core_accepts(key):
    """The training page's first view (three optimizers at the task's defaults), the sweep page's
    (a 12 x 12 grid of each at sweep_epochs) and one run at the slider's max epochs all fit."""
    check_request([default_config(key, opt) for opt in COMPARED_OPTIMIZERS])
    check_request(SweepConfig(task=key, epochs=TASKS[key].sweep_epochs).grid_configs())
    task = TASKS[key]()
    n_train = len(task.data(0, torch.float64, torch.device("cpu")).x_train)
    assert task.max_epochs * steps_per_epoch(n_train, task.batch_size) <= MAX_STEPS


@pytest.mark.parametrize("key", TASKS)
def test_task_parameters_and_the_figures_it_asks_for(key):
    task = TASKS[key]()
    params = task.init_params(2, 0, torch.float64, torch.device("cpu"))
    assert task.decayed and task.decayed <= params.keys()
    data = task.data(0, torch.float64, torch.device("cpu"))
    if task.shows_decision_boundary:  # the boundary is drawn over a 2-D input plane, as P(class 1)
        assert data.x_train.shape[1] == 2 and set(data.y_train.flatten().tolist()) <= {0.0, 1.0}
    if not task.has_test_set:
        assert torch.equal(data.x_test, data.x_train)


# ----------------------------------------------------------------------------- optimizers


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_optimizer_names_its_torch_class_and_explains_its_first_step(key):
    """The first step the page writes out ends at the rule's own W_1 (a 1x1 W, defaults)."""
    spec = OPTIMIZERS[key]
    assert spec.key == key and spec.label and spec.decay_enters in ("gradient", "parameter")
    assert issubclass(getattr(torch.optim, spec.torch_class), torch.optim.Optimizer)
    explanation = spec.explain_first_step(0.7, -0.3, lr=0.1, weight_decay=0.5, **spec.resolve())
    assert isinstance(explanation, Explanation) and explanation.lines
    w1 = spec.step(torch.tensor([0.7], dtype=torch.float64), torch.tensor([-0.3], dtype=torch.float64), {}, lr=0.1,
                   weight_decay=0.5, **spec.resolve()).param
    assert explanation.value == pytest.approx(float(w1), rel=1e-12)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_optimizer_options_have_help_and_defaults_on_their_widgets(key):
    for option in OPTIMIZERS[key].options:
        assert option.help, option
        if not isinstance(option.default, bool):
            assert option.low <= option.default <= option.high and option.step > 0, option


# ----------------------------------------------------------------------------- question cards


def test_every_card_module_is_in_the_registry():
    """A card is one module of core.explain.questions declaring CARD; one that is not listed in CARDS never shows."""
    modules = {m.name for m in pkgutil.iter_modules(core.explain.questions.__path__)} - {"card"}
    assert modules == {m.__name__.rsplit(".", 1)[1] for m in CARDS}


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.slug)
def test_card_has_an_anchor_a_question_an_answer_and_a_source(q):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", q.slug)
    assert q.title.endswith("?") and q.answer and q.source
    assert callable(q.run) and callable(q.figure) and callable(q.summary)
    assert len({c.key for c in q.controls}) == len(q.controls)
    assert all(c.low <= c.default <= c.high and c.step > 0 and c.label for c in q.controls)


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.links], ids=lambda q: q.slug)
def test_card_links_point_at_a_page_with_text_values(q):
    for link in q.links:
        assert (ROOT / link.page).is_file() and link.page.startswith("app_pages/") and link.label
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in link.query.items())


# ----------------------------------------------------------------------------- models and conventions


@pytest.mark.parametrize("key", MODELS)
def test_model_builds_on_meta_with_a_label_and_a_description(key):
    spec = MODELS[key]
    assert spec.key == key and spec.label and spec.description
    model = build(key)
    assert any(True for _ in model.parameters()) and all(p.is_meta for p in model.parameters())


@pytest.mark.parametrize("key", CONVENTIONS)
def test_convention_has_a_source_a_rule_a_verdict_and_a_snippet(key):
    c = CONVENTIONS[key]
    assert c.key == key and c.label and c.source and c.rule
    weight = ParamInfo("fc.weight", (4, 5), "float32", "Linear", torch.nn.Linear)
    assert c.verdict(weight, frozenset()) in (DECAY, NO_DECAY, NA)
    assert f"# {c.label}: {c.source}" in optimizer_snippet(key)


# ----------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(("look_up", "kind", "registry"), [
    (lambda k: optim.get(k), "optimizer", OPTIMIZERS),
    (lambda k: make_task(k), "task", TASKS),
    (lambda k: lr_factors(k, 3), "schedule", SCHEDULES),
    (lambda k: resolve_dtype(k), "dtype", DTYPES),
])
def test_an_unknown_name_is_refused_naming_the_kind_and_every_choice(look_up, kind, registry):
    with pytest.raises(ValueError, match=re.escape(f"Unknown {kind} 'nope'; choose one of {sorted(registry)}")):
        look_up("nope")
