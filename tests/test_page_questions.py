"""The questions page: every card renders with its experiment, search filters, anchors exist."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.explain.questions import QUESTIONS
from tests.page_helpers import notices, open_page
from tests.test_text import outside_code_spans

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_questions(**query) -> AppTest:
    """A link to /questions, opened through app.py (st.page_link needs st.navigation)."""
    return open_page("questions", query, timeout=60)


def test_every_card_renders_with_its_experiment():
    at = open_questions()
    assert not at.exception
    assert [s.value for s in at.subheader] == [q.title for q in QUESTIONS]
    assert len(at.info) == len(QUESTIONS)  # one live summary per card
    assert all(f"(#{q.slug})" in at.markdown[0].value for q in QUESTIONS)  # the index links to each anchor


def test_search_filters_the_cards():
    at = open_questions()
    at.text_input(key="questions:q").set_value("bfloat16").run()
    assert [s.value for s in at.subheader] == ["Why does my weight decay do nothing?"]
    at.text_input(key="questions:q").set_value("zzz").run()
    assert not at.exception and not at.subheader and "No question mentions" in at.info[0].value


def test_a_cards_slider_changes_its_numbers():
    at = open_questions()
    before = at.info[0].value
    at.slider(key="questions:adam-vs-adamw.weight_decay").set_value(2.0).run()
    assert not at.exception and at.info[0].value != before


def test_a_links_search_text_is_shown_literally_not_as_markdown():
    """A search from a link names an image on another host and a link: both stay text."""
    evil = "![i](http://evil/i.png) [re-login](http://evil)"
    at = open_questions(q=evil)
    assert not at.exception and not at.subheader
    assert at.text_input(key="questions:q").value == evil
    message = at.info[0].value
    assert f"`{evil}`" in message and "](" not in outside_code_spans(message), message


def test_an_over_long_search_from_a_link_is_refused_with_a_short_notice():
    at = open_questions(q="a" * 5000)
    assert not at.exception
    assert at.text_input(key="questions:q").value == "" and len(at.subheader) == len(QUESTIONS)
    assert at.text_input(key="questions:q").max_chars == 100
    shown = notices(at)
    assert len(shown) == 1 and "5,000 characters long" in shown[0] and len(shown[0]) < 300


def test_card_links_open_their_page_with_their_query():
    """A card's Link is data (page + query); the page renders it as is, with no string parsing."""
    at = open_questions()
    linked = [link for q in QUESTIONS for link in q.links]
    shown = at.get("page_link")
    assert [e.proto.label for e in shown] == [link.label for link in linked]
    for element, link in zip(shown, linked, strict=True):
        assert element.proto.page == Path(link.page).stem
        query = element.proto.query_string
        assert dict(pair.split("=") for pair in query.split("&") if pair) == dict(link.query)


def test_the_related_cards_link_to_the_frontier_lab():
    """Issue 16: the cards whose question a frontier experiment answers link to it."""
    frontier = {q.slug for q in QUESTIONS if any(link.page == "app_pages/frontier.py" for link in q.links)}
    assert frontier == {"adam-vs-adamw", "recipes", "bias-and-batchnorm", "schedule", "schedule-wd"}
    at = open_questions()
    assert not at.exception  # st.page_link accepts the frontier page: it is in the app's navigation


def test_the_matrix_cards_draw_coloured_tables_of_their_exact_differences():
    """The two cards whose answer is a 4x5 difference draw it as core.figures.matrix_table's table (plotly laid
    a heatmap out from scratch on every slider move), holding the experiment's numbers exactly."""
    import numpy as np

    from core.explain.questions import BY_SLUG, run_question
    from tests.page_helpers import heatmap

    at = open_questions()
    order, clipping = run_question("order", {}), run_question("clipping", {})
    np.testing.assert_array_equal(heatmap(at, "(θ + u)(1 − lr·wd)"), order.step_then_shrink - order.torch_adamw)
    np.testing.assert_array_equal(heatmap(at, "W(weight_decay option)"),
                                  clipping.option_then_clip - clipping.penalty_then_clip)
    assert all(isinstance(BY_SLUG[slug].figure(result), str) for slug, result in (("order", order),
                                                                                  ("clipping", clipping)))
