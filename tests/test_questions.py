"""Every claim a question card makes, checked numerically against torch.optim: a wrong claim
fails the build. Also: the registry is complete and every experiment runs (its speed is
benchmarks/questions.py's)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from core.explain.precision import precision
from core.explain.questions import BY_SLUG, QUESTIONS, run_question, search
from core.explain.questions.adam_vs_adamw import adam_vs_adamw
from core.explain.questions.bias_and_batchnorm import default_decays_everything
from core.explain.questions.clipping import clipping_and_decay
from core.explain.questions.frozen import frozen_parameters
from core.explain.questions.momentum import momentum_and_decay
from core.explain.questions.order import shrink_then_step
from core.explain.questions.recipes import recipes
from core.explain.questions.schedule import schedule_changes_decay
from core.explain.questions.schedule_wd import schedule_weight_decay, wd_schedule_snippet
from core.problem import make_problem
from core.train.schedules import lr_factors


def test_adam_moves_every_weight_by_about_lr_adamw_shrinks_by_one_minus_lr_wd_and_wd0_is_adam():
    r = adam_vs_adamw(lr=0.01, weight_decay=0.5)
    np.testing.assert_allclose(np.abs(r.pure.adam_change), 0.01, rtol=1e-6)
    np.testing.assert_allclose(r.pure.adamw_change, -0.01 * 0.5 * r.pure.w_before, rtol=1e-12)
    assert r.wd0_max_abs_diff == 0.0


def test_a_schedule_schedules_the_decay():
    r = schedule_changes_decay(lr=0.1, weight_decay=0.5, steps=60)
    for name, norms in r.norms.items():
        expected = norms[0] * np.prod(1 - 0.1 * 0.5 * np.array(lr_factors(name, 60)))
        assert norms[-1] == pytest.approx(expected, rel=1e-12)
        np.testing.assert_allclose(r.shrink[name], 0.1 * 0.5 * np.array(lr_factors(name, 60)))
    assert r.norms["constant"][-1] < r.norms["cosine"][-1] < r.norms["step"][-1]


def test_every_recipe_shrinks_by_lr_times_wd_per_step():
    table = recipes(lr=0.02, weight_decay=0.3)
    # measured as 1 - w_1/w_0 in float64: exact up to the rounding of that subtraction (~1e-16)
    np.testing.assert_allclose(table["measured shrink (torch)"], table["lr·wd per step"], rtol=1e-9, atol=1e-15)
    assert table.iloc[-1]["lr·wd per step"] == pytest.approx(0.006)
    row = table.set_index("recipe").loc["ResNet-50, SGD (torchvision reference)"]
    assert row["lr·wd per step"] == pytest.approx(1e-5)


def test_biases_and_batchnorm_are_decayed_by_default():
    table = default_decays_everything(lr=0.1, weight_decay=0.1)
    assert set(table.parameter) == {"0.weight", "0.bias", "1.weight", "1.bias"}
    np.testing.assert_allclose(table.ratio, 0.99, rtol=1e-12)


def test_grad_none_is_skipped_and_zero_grad_is_decayed():
    table = frozen_parameters(lr=0.1, weight_decay=0.5, steps=5)
    skipped = table[table.parameter == ".grad is None"]["value after"]
    decayed = table[table.parameter == ".grad = zeros"]["value after"]
    assert (skipped == 1.0).all()
    np.testing.assert_allclose(decayed, 0.95**5, rtol=1e-12)


def test_momentum_raises_the_steady_shrink_to_the_predicted_root():
    r = momentum_and_decay(lr=0.01, weight_decay=0.1, momentum=0.9, steps=300)
    assert r.shrink_momentum[-1] == pytest.approx(r.exact, rel=1e-3)
    assert r.exact == pytest.approx(0.0111, abs=5e-5)  # the measured value in the reference
    np.testing.assert_allclose(r.shrink_plain, 0.001, rtol=1e-9)
    assert r.approx == pytest.approx(0.01)


def test_with_heavy_momentum_and_large_decay_no_steady_shrink_is_claimed():
    r = momentum_and_decay(lr=0.1, weight_decay=1.0, momentum=0.99, steps=50)
    assert np.isnan(r.exact)
    assert "oscillates" in next(q for q in QUESTIONS if q.slug == "momentum").summary(r)


def test_clipping_does_not_clip_the_optimizers_own_decay():
    r = clipping_and_decay(lr=0.1, weight_decay=1.0, max_norm=1.0)
    problem = make_problem()
    w, g = problem.w0, problem.grad(problem.w0)
    clipped = g * (1.0 / (g.norm() + 1e-6))  # clip_grad_norm_'s scale
    np.testing.assert_allclose(r.option_then_clip, (w - 0.1 * (clipped + w)).numpy(), rtol=1e-12)
    full = g + w
    np.testing.assert_allclose(r.penalty_then_clip, (w - 0.1 * full / (full.norm() + 1e-6)).numpy(), rtol=1e-12)
    assert r.max_abs_diff > 1e-3


def test_small_lr_wd_does_nothing_in_low_precision():
    """float32 loses lr·wd = 1e-8 entirely; bfloat16 loses 1e-3 on the seed's W (the precision card's
    own claims are checked in tests/test_precision.py)."""
    assert precision(lr_wd=1e-8).changed == {"float32": 0, "bfloat16": 0}
    assert precision(lr_wd=1e-3).changed == {"float32": 20, "bfloat16": 0}


def test_adam_vs_adamw_summary_shows_the_spread_of_adams_moves():
    """Adam's moves span 0.009999997..0.01 at the defaults: the summary used to say "0.01 to 0.01"."""
    r = adam_vs_adamw(lr=0.01, weight_decay=0.5)
    text = BY_SLUG["adam-vs-adamw"].summary(r)
    low, high = re.search(r"moved weights by (\S+) to (\S+) ", text).groups()
    assert low != high and "0.01 to 0.01" not in text
    moves = np.abs(r.pure.adam_change)
    digits = len(low.split(".")[1].lstrip("0"))
    assert float(low) == pytest.approx(moves.min(), rel=10.0 ** (1 - digits))
    assert float(high) == pytest.approx(moves.max(), rel=10.0 ** (1 - digits))
    assert "multiplied each by 0.995." in text


def test_the_recipe_table_is_shown_with_significant_digits():
    """The table printed lr·wd as 0.00000001 and a half-life of 69314717.7094 steps."""
    shown = BY_SLUG["recipes"].figure(recipes()).set_index("recipe")
    row = shown.loc["lr 1e-4 with wd 1e-4"]
    assert row["lr·wd per step"] == "1e-8" and row["half-life (steps)"] == "6.931e7"
    assert shown.loc["ResNet-50, SGD (torchvision reference)", "lr·wd per step"] == "1e-5"


NUMBER = re.compile(r"-?\d[\d.]*(?:e-?\d+)?")


@pytest.mark.parametrize("slug", list(BY_SLUG))
def test_summaries_write_numbers_with_significant_digits(slug):
    """No 0.0000x, no e+07 or e-08, no long runs of integer digits: every summary number is core.numbers'."""
    q = BY_SLUG[slug]
    for values in ({}, {c.key: c.low for c in q.controls}, {c.key: c.high for c in q.controls}):
        text = q.summary(run_question(slug, values))
        for number in NUMBER.findall(text):
            assert not number.startswith(("0.0000", "-0.0000")) and "e+" not in number and "e-0" not in number
            assert len(number.split(".")[0].lstrip("-")) < 7, number


def test_shrink_then_step_differs_from_step_then_shrink_by_lr_wd_u():
    r = shrink_then_step(lr=0.1, weight_decay=0.5)
    w0 = make_problem().w0.numpy()
    np.testing.assert_allclose(r.torch_adamw, w0 * (1 - r.lr_wd) + r.update, rtol=1e-12)
    np.testing.assert_allclose(r.step_then_shrink - r.torch_adamw, -r.lr_wd * r.update, rtol=1e-9, atol=1e-15)


def test_the_weight_decay_schedule_snippet_runs_and_decays_by_its_schedule():
    namespace: dict = {}
    exec(wd_schedule_snippet(0.1, 0.5, 40), namespace)  # the code the card shows, as a user would run it
    expected = np.sqrt(20) * np.prod([1 - 0.1 * wd for wd in namespace["wds"]])
    assert namespace["norms"][-1] == pytest.approx(expected, rel=1e-12)
    assert namespace["wds"][0] == 0.5 and namespace["wds"][-1] < 0.01
    r = schedule_weight_decay(0.1, 0.5, 40)
    np.testing.assert_allclose(r.norms, namespace["norms"])


def test_registry_has_at_least_the_ten_questions_with_sources_and_unique_anchors():
    assert len(QUESTIONS) >= 10 and len(BY_SLUG) == len(QUESTIONS)
    assert all(q.source and q.answer and q.title.endswith("?") for q in QUESTIONS)


@pytest.mark.parametrize("slug", list(BY_SLUG))
def test_every_experiment_builds_its_figure_and_summary(slug):
    """Each card's speed is measured by benchmarks/questions.py, not asserted here."""
    result = run_question(slug, {})
    q = BY_SLUG[slug]
    assert q.figure(result) is not None and q.summary(result)


@pytest.mark.parametrize("slug", list(BY_SLUG))
def test_controls_at_their_ends_still_run(slug):
    q = BY_SLUG[slug]
    for end in ("low", "high"):
        result = run_question(slug, {c.key: getattr(c, end) for c in q.controls})
        assert q.summary(result)


def test_search_matches_every_word_case_insensitively():
    assert [q.slug for q in search("MOMENTUM decay")] == ["momentum"]
    assert search("") == list(QUESTIONS)
    assert search("no such words here") == []


def test_torch_itself_still_adds_wd_times_w_before_momentum():
    """The momentum card's premise, straight from torch: b_1 = g + wd*w on the first step."""
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, weight_decay=0.5, momentum=0.9)
    w.grad = torch.zeros_like(w)
    opt.step()
    torch.testing.assert_close(opt.state[w]["momentum_buffer"], 0.5 * torch.ones(2, dtype=torch.float64))
