"""The frontier page through AppTest: both experiments render, and every sentence it shows is
the one core computes for the view (issue 16: a caption is a claim)."""

from __future__ import annotations

from core.frontier import forgetting
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
    assert all(sentence in text for sentence in forgetting.sentences(forgetting.forget(1e-3, 0.1, 2000)))
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 0.1, center=True)))
    assert [t for t in titles(at) if t in {r.label for r in RULES.values()}] == [r.label for r in RULES.values()]


def test_another_view_states_its_own_numbers():
    at = run_page("frontier", lr=0.01, wd=0.3, steps=forgetting.MAX_STEPS + 500, step_wd=1.0, center=False)
    assert not at.exception and not at.error
    text = shown(at)
    assert timescale_sentence(0.01, 0.3, 256, 50_000) in text
    capped = forgetting.forget(0.01, 0.3, forgetting.MAX_STEPS)  # the regression stops at its cap
    assert all(sentence in text for sentence in forgetting.sentences(capped))
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 1.0, center=False)))


def test_every_section_declares_its_fields_and_source_and_keys_are_unique_across_the_lab():
    """The sections share one scope on the page, so two declaring one key would share a value."""
    sections = page_namespace("frontier")["SECTIONS"]
    keys = [f.key for section in sections for f in section.FIELDS]
    assert len(keys) == len(set(keys))
    assert all(section.SOURCE and callable(section.section) for section in sections)

