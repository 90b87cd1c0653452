"""The frontier page through AppTest: both experiments render, and every sentence it shows is
the one core computes for the view (issue 16: a caption is a claim)."""

from __future__ import annotations

from core.frontier import rotation
from core.frontier.decoupling import RULES, compare, sentences
from core.frontier.timescale import calculator_sentence, check_sentence, pure_decay_check, timescale_sentence
from tests.page_helpers import page_namespace, run_page, titles


def shown(at) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_default_view_states_what_core_computes():
    at = run_page("frontier")
    assert not at.exception and not at.error
    text = shown(at)
    assert timescale_sentence(1e-3, 0.1, 256, 50_000) in text
    assert calculator_sentence(1.0, 50_000, 256, 1e-3) in text
    assert check_sentence(pure_decay_check(1e-3, 0.1, 2000)) in text
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 0.1, center=True)))
    assert [t for t in titles(at) if t in {r.label for r in RULES.values()}] == [r.label for r in RULES.values()]
    assert all(f"- {line}" in text for line in rotation.sentences(rotation.experiment(0.01, 1.0, 0.9, 100.0, 2000)))
    assert any(rotation.recipe_sentence() in line for line in text)


def test_another_view_states_its_own_numbers():
    at = run_page("frontier", lr=0.01, wd=0.3, step_wd=1.0, center=False)
    assert not at.exception and not at.error
    text = shown(at)
    assert timescale_sentence(0.01, 0.3, 256, 50_000) in text
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 1.0, center=False)))


def test_the_rotation_section_states_its_own_numbers_in_another_view():
    at = run_page("frontier", rot_lr=0.1, rot_wd=0.1, rot_beta=0.0, rot_scale=10.0, rot_steps=500)
    assert not at.exception and not at.error
    text = shown(at)
    assert all(f"- {line}" in text for line in rotation.sentences(rotation.experiment(0.1, 0.1, 0.0, 10.0, 500)))
    charts = {"‖w‖ against its predicted equilibrium", "Angle between w_t and w_t+1 (mean of 20 steps)"}
    assert charts <= set(titles(at))


def test_every_section_declares_its_fields_and_source_and_keys_are_unique_across_the_lab():
    """The sections share one scope on the page, so two declaring one key would share a value."""
    sections = page_namespace("frontier")["SECTIONS"]
    keys = [f.key for section in sections for f in section.FIELDS]
    assert len(keys) == len(set(keys))
    assert all(section.SOURCE and callable(section.section) for section in sections)

