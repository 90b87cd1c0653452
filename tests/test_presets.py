"""The labs' "try this" presets: every value is one its Field allows, a click sets exactly the
preset's values (widgets and link), the page renders, and the sentence it shows is true, its
claim recomputed here from core, not read from the page's words. The advanced options are
folded into an expander."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain.presets import active
from core.explain.presets import single_step as single_step_presets
from core.explain.presets import sweep as sweep_presets
from core.explain.presets import training as training_presets
from core.numbers import fmt
from core.schema import to_query
from core.step import StepConfig, adam_vs_adamw_pure_decay, run_step
from core.train.classifier_views import accuracy
from core.train.config import COMPARED_OPTIMIZERS, default_config
from core.train.sweep import SweepConfig, run_sweep
from core.train.sweep_claims import ALIGNED, DIAGONAL, ridge
from core.train.tasks import make_task
from core.train.training import train_together
from tests.page_helpers import page_fields, run_page, scoped

PAGES = {"single_step": single_step_presets, "training": training_presets, "sweep": sweep_presets}
START = {"single_step": {}, "training": {}, "sweep": {"resolution": 4}}  # a cheap first view to click from
CASES = [(page, p.key) for page, module in PAGES.items() for p in module.PRESETS]


def fields(page: str) -> dict:
    return {f.key: f for f in page_fields(page)}


def preset(page: str, key: str):
    return next(p for p in PAGES[page].PRESETS if p.key == key)


def view(page: str, p) -> dict:
    """The page's values after the click: every default, then the preset's own values."""
    return {**{k: f.default for k, f in fields(page).items()}, **p.as_dict()}


def link(at) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v[-1] for k, v in dict(at.query_params).items()}


def shown_sentence(at, p) -> str:
    lead = f"**{p.label}.** "
    found = [i.value[len(lead):] for i in at.info if i.value.startswith(lead)]
    assert len(found) == 1, [i.value for i in at.info]
    return found[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_preset_value_is_one_its_field_allows(page):
    declared = fields(page)
    for p in PAGES[page].PRESETS:
        for key, value in p.values:
            assert key in declared, f"{page} preset {p.key} sets {key}, which the page does not declare"
            checked = declared[key].check(value)  # raises when the Field refuses it
            assert (list(checked) == list(value)) if isinstance(value, tuple) else checked == value


@pytest.mark.parametrize("page", PAGES)
def test_each_preset_view_shows_that_preset_alone(page):
    presets = PAGES[page].PRESETS
    assert 2 <= len(presets) <= 3 and len({p.key for p in presets}) == len(presets)
    for p in presets:
        current = view(page, p)
        assert active(presets, current) is p
        assert [q.key for q in presets if q.matches(current)] == [p.key]


@pytest.mark.parametrize(("page", "key"), CASES)
def test_a_click_sets_the_preset_and_says_something_true(page, key):
    p = preset(page, key)
    at = run_page(page, **START[page])
    assert not at.exception
    assert PAGES[page].LOOK_AT in [m.value for m in at.markdown]
    at.button(key=f"{page}:_preset.{key}").click().run()
    assert not at.exception and not at.error
    for name, value in p.values:  # the widgets show the preset's values
        shown = at.session_state[scoped(page, name)]
        assert (list(shown) == list(value)) if isinstance(value, tuple) else shown == value, name
    assert link(at) == to_query(tuple(page_fields(page)), view(page, p))  # exactly the preset, nothing else
    sentence = shown_sentence(at, p)
    CLAIMS[page, key](sentence)
    followed = run_page(page, link(at))  # the shared link shows the same view and sentence
    assert not followed.exception and shown_sentence(followed, p) == sentence


def seed_claim(sentence: str) -> None:
    r = run_step(StepConfig("sgd", 0.1, 1.0, steps=20))
    assert np.allclose(r.difference, -0.1 * r.w_before, rtol=1e-12, atol=0)
    assert sentence.startswith("Every cell of the Difference heatmap is -0.1 × W₀")


def diverge_claim(sentence: str) -> None:
    lr, wd = 1.0, 4.0
    r = run_step(StepConfig("sgd", lr, wd, steps=20))
    assert abs(1 - lr * wd) > 1 and r.divergence is not None
    assert "|1 − lr·wd| > 1" in sentence and f"diverged at step {r.divergence.step} of 20" in sentence


def pure_decay_claim(sentence: str) -> None:
    pd = adam_vs_adamw_pure_decay(0.1, 1.0)
    adam = np.abs(pd.adam_change)
    assert np.allclose(adam, 0.1, rtol=1e-6)  # about lr, whatever the weight's size
    assert np.ptp(np.abs(pd.w_before)) > 0.5
    assert np.allclose(pd.adamw_change, -0.1 * pd.w_before, rtol=1e-9)  # proportional to the weight
    assert "whatever its size" in sentence and "AdamW moved each by 0.1 of itself" in sentence


def trained(task: str, wds: tuple[float, ...]) -> dict:
    configs = [default_config(task, key, weight_decays=wds) for key in COMPARED_OPTIMIZERS]
    return dict(zip(COMPARED_OPTIMIZERS, train_together(configs), strict=True))


def final(h, wd: float, what: str) -> float:
    i = h.config.weight_decays.index(wd)
    return float(h.decayed_norms()[i, -1] if what == "norm" else getattr(h, what)[i, -1])


def adam_adamw_claim(sentence: str) -> None:
    hs = trained("d2l", (0.0, 3.0))
    assert not any(d for h in hs.values() for d in h.divergences)
    adam, adamw = final(hs["adam"], 3.0, "test_loss"), final(hs["adamw"], 3.0, "test_loss")
    assert adamw < adam and final(hs["adamw"], 3.0, "norm") < final(hs["adam"], 3.0, "norm")
    assert sentence.startswith(f"At the same wd = 3, AdamW's final test loss is {fmt(adam / adamw)}× lower")


def held_out_accuracy(h, wd: float) -> float:
    return float(accuracy(make_task("toy"), h.final, h.config.seed)[1][h.config.weight_decays.index(wd)])




def underfit_claim(sentence: str) -> None:
    sgd = trained("toy", (0.0, 0.03))["sgd"]
    assert final(sgd, 0.03, "train_loss") > final(sgd, 0.0, "train_loss")  # worse on its own training points
    assert held_out_accuracy(sgd, 0.03) < held_out_accuracy(sgd, 0.0)
    assert final(sgd, 0.03, "norm") < 1e-2 * final(sgd, 0.0, "norm")
    assert "higher than without decay" in sentence and "cannot fit even its training points" in sentence
    assert f"test accuracy {held_out_accuracy(sgd, 0.03):.0%} against {held_out_accuracy(sgd, 0.0):.0%}" in sentence


def toy_claim(sentence: str) -> None:
    hs = trained("toy", (0.0, 0.003, 0.03, 1.0))
    gap = {wd: final(hs["sgd"], wd, "norm") / final(hs["adamw"], wd, "norm") for wd in (0.003, 0.03, 1.0)}
    wd = max(gap, key=lambda w: abs(np.log(gap[w])))
    assert sentence.startswith(f"Compare the decision boundaries at wd = {wd:g}:")
    assert gap[wd] < 1 and "stronger decay as SGD's weight_decay" in sentence
    assert f"AdamW's at ‖W‖ = {fmt(final(hs['adamw'], wd, 'norm'))} with {held_out_accuracy(hs['adamw'], wd):.0%}" \
        in sentence


def basin_claim(decay: str, words: str, holds):
    def claim(sentence: str) -> None:
        config = SweepConfig(optimizers=("adamw",), resolution=(8, 8), decay=decay,
                             log10_wd=(fields("sweep")[f"wd_lo.{decay}"].default,
                                       fields("sweep")[f"wd_hi.{decay}"].default))
        r = ridge(run_sweep(config)["adamw"], config.lrs, config.weight_decays)
        assert r.slope is not None and holds(r.slope)
        assert f"AdamW: {words}" in sentence and f"fitted slope {fmt(r.slope, 2)}" in sentence
    return claim


CLAIMS = {
    ("single_step", "seed"): seed_claim,
    ("single_step", "diverge"): diverge_claim,
    ("single_step", "adam_adamw"): pure_decay_claim,
    ("training", "adam_adamw"): adam_adamw_claim,
    ("training", "underfit"): underfit_claim,
    ("training", "toy"): toy_claim,
    ("sweep", "coupled"): basin_claim("coupled", "a diagonal basin", lambda slope: slope <= DIAGONAL),
    ("sweep", "independent"): basin_claim("independent", "an axis-aligned basin", lambda slope: abs(slope) < ALIGNED),
}


def test_every_preset_has_its_claim_checked():
    assert set(CLAIMS) == set(CASES)


ADVANCED = {
    "single_step": (["sgd.momentum", "sgd.dampening", "sgd.nesterov", "sgd.maximize", "loss", "dtype", "seed"],
                    ["optimizer", "lr", "weight_decay", "pure_decay", "steps"]),
    "training": (["schedule", "momentum.d2l", "seed.d2l", "log_y"], ["task", "wds.d2l", "lr.d2l", "epochs.d2l"]),
    "sweep": (["momentum", "sweep_seed.d2l"], ["task", "optimizers", "resolution", "decay"]),
}


@pytest.mark.parametrize("page", PAGES)
def test_advanced_options_are_folded_into_an_expander(page):
    at = run_page(page, **START[page])
    assert not at.exception
    expanders = [e for e in at.sidebar.expander if e.label == "Advanced options"]
    assert len(expanders) == 1
    inside = {getattr(child, "key", None) for child in expanders[0].children.values()}
    folded, first = ADVANCED[page]
    assert {scoped(page, k) for k in folded} <= inside
    assert not {scoped(page, k) for k in first} & inside
    for k in first:  # still drawn, in the sidebar's first screen
        assert scoped(page, k) in at.session_state
