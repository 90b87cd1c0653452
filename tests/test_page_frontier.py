"""The frontier page through AppTest: both experiments render, and every sentence it shows is
the one core computes for the view (issue 16: a caption is a claim)."""

from __future__ import annotations

from core.frontier import embeddings, forgetting, rotation
from core.frontier import gradient_growth as growth
from core.frontier.decoupling import RULES, compare, sentences
from core.frontier.timescale import calculator_sentence, check_sentence, pure_decay_check, timescale_sentence
from tests.page_helpers import heatmap, matrix_tables, notices, open_page, page_namespace, titles


def shown(at) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def shows_embeddings(at, *args) -> None:
    """Experiment 5's sentences and torch's answers (in a code block, literally) for run(*args)."""
    result = embeddings.run(*args)
    text = shown(at)
    assert all(f"- {sentence}" in text for sentence in embeddings.sentences(result))
    assert embeddings.attempt_sentence(result) in text
    assert embeddings.transcript(result) in [c.value for c in at.code]


def test_default_view_states_what_core_computes():
    at = open_page("frontier")
    assert not at.exception and not at.error
    text = shown(at)
    assert timescale_sentence(1e-3, 0.1, 256, 50_000) in text
    assert calculator_sentence(1.0, 50_000, 256, 1e-3) in text
    assert check_sentence(pure_decay_check(1e-3, 0.1, 2000)) in text
    assert all(sentence in text for sentence in forgetting.sentences(forgetting.forget(1e-3, 0.1, 2000)))
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 0.1, center=True)))
    assert [t for t in titles(at) if t in {r.label for r in RULES.values()}] == [r.label for r in RULES.values()]
    shows_embeddings(at, 0.03, 0.1, 200, 16, 1.1)
    assert all(f"- {sentence}" in text for sentence in growth.sentences(growth.run()))
    assert all(f"- {line}" in text for line in rotation.sentences(rotation.experiment(0.01, 1.0, 0.9, 100.0, 2000)))
    assert any(rotation.recipe_sentence() in line for line in text)


def test_another_view_states_its_own_numbers():
    at = open_page("frontier", lr=0.01, wd=0.3, steps=forgetting.MAX_STEPS + 500, step_wd=1.0, center=False,
                  emb_wd=1.0, emb_steps=60, emb_zipf=2.0)
    assert not at.exception and not at.error
    text = shown(at)
    assert timescale_sentence(0.01, 0.3, 256, 50_000) in text
    capped = forgetting.forget(0.01, 0.3, forgetting.MAX_STEPS)  # the regression stops at its cap
    assert all(sentence in text for sentence in forgetting.sentences(capped))
    assert all(f"- {sentence}" in text for sentence in sentences(compare(0.01, 1.0, center=False)))
    shows_embeddings(at, 0.03, 1.0, 60, 16, 2.0)


def test_the_growth_section_states_its_own_run():
    at = open_page("frontier", grow_lr=0.02, grow_wd=1.0, grow_steps=400, grow_window=0.25)
    assert not at.exception and not at.error
    text = shown(at)
    assert all(f"- {sentence}" in text for sentence in growth.sentences(growth.run(0.02, 1.0, 400, 0.25)))
    assert {"‖g‖/‖w‖ over a cosine run", "Adam's update ‖u‖/‖w‖ against its steady state"} <= set(titles(at))


def test_the_rotation_section_states_its_own_numbers_in_another_view():
    at = open_page("frontier", rot_lr=0.1, rot_wd=0.1, rot_beta=0.0, rot_scale=10.0, rot_steps=500)
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



def test_each_rules_step_is_a_coloured_table_of_its_numbers_on_one_shared_scale():
    """Experiment 2's matrices are core.figures.matrix_table's tables, not nine plotly heatmaps (each laid
    out from scratch in the browser on every change), with each rule's exact decay part and one limit."""
    from html import escape

    import numpy as np

    from core import figures
    from core.numbers import fmt

    at = open_page("frontier")
    result = compare(0.01, 0.1, center=True)
    assert [c for c, _ in matrix_tables(at) if c in {r.label for r in RULES.values()}] == \
        [r.label for r in RULES.values()]
    for key, rule in RULES.items():
        np.testing.assert_array_equal(heatmap(at, rule.label), result.steps[key].decay_part)
    limit = figures.symmetric_limit(*(r.decay_part for r in result.steps.values()))
    tables = [e.value for e in at.get("html") if any(f">{escape(r.label)}<" in e.value for r in RULES.values())]
    assert len(tables) == len(RULES) and all(f"<span>{fmt(limit, 2)}</span>" in t for t in tables)


def test_rule_heatmaps_fill_their_rows():
    """The heatmaps go per_row to a row: rows of equal length where 4, 3 or 5 divides the rules' count."""
    from ui.frontier.decoupling import per_row

    assert len(RULES) % per_row(len(RULES)) == 0
    assert [per_row(n) for n in (7, 8, 9, 10, 12, 15)] == [4, 4, 3, 5, 4, 3]


def test_no_sentence_on_the_page_has_markdown_emphasis_in_it():
    """'g + wd*W ... g + wd*W' became italics between the two asterisks (seen in a screenshot): a
    product is written with a middle dot, and code goes in backticks."""
    import re

    at = open_page("frontier")
    for text in shown(at):
        prose = re.sub(r"`[^`]*`|\*\*[^*]+\*\*", "", text)  # bold is meant; code is literal
        assert not re.search(r"\*(?=\S).*?(?<=\S)\*", prose), text  # an opening * and a closing * make italics


def test_the_rules_section_links_to_the_sweeps_coupled_and_independent_views():
    """Issue 16: experiment 2 links to the sweep's coupled/independent view; each link opens the Sweep page
    with exactly its preset's values, which the page takes without a notice."""
    from ui.frontier.decoupling import SWEEP_VIEWS

    at = open_page("frontier")  # through app.py: st.page_link needs the app's navigation
    links = [e.proto for e in at.get("page_link") if e.proto.page == "sweep"]
    assert [dict(pair.split("=") for pair in link.query_string.split("&")) for link in links] == \
        [p.as_query() for p in SWEEP_VIEWS]
    assert {p.as_query()["decay"] for p in SWEEP_VIEWS} == {"coupled", "independent"}
    for preset in SWEEP_VIEWS:
        sweep = open_page("sweep", preset.as_query())
        assert not sweep.exception and not notices(sweep)
        assert sweep.session_state["sweep:decay"] == preset.as_dict()["decay"]
