"""Questions: what people ask about weight decay, each answered by a live torch experiment."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.explain.questions import BY_SLUG, QUESTIONS, Question, run_question, search
from core.schema import Field
from core.text import literal
from ui import widgets
from ui.charts import show, show_matrix
from ui.classroom import aside
from ui.state import PageState, bind, rerun_alone

SEARCH = Field("q", "", max_len=100, label="Search the questions")
FIELDS = (SEARCH, *(replace(c, key=f"{q.slug}.{c.key}") for q in QUESTIONS for c in q.controls))


@st.cache_data(max_entries=256, show_spinner=False)
def cached_run(slug: str, values: tuple[tuple[str, float], ...]):
    return run_question(slug, dict(values))


@rerun_alone
def card(s: PageState, q: Question) -> None:
    """One card, rerun alone when one of its sliders moves: the other cards are neither run nor sent
    again (Questions' slider -> chart 310-340 ms -> 200-240 ms in chromium)."""
    with st.container(border=True):
        st.subheader(q.title, anchor=q.slug)
        st.markdown(q.answer)
        values = {}
        if q.controls:
            for column, c in zip(st.columns(len(q.controls)), q.controls, strict=True):
                values[c.key] = widgets.slider(s, f"{q.slug}.{c.key}", column)
        result = cached_run(q.slug, tuple(sorted(values.items())))
        shown = q.figure(result)
        if isinstance(shown, pd.DataFrame):
            st.dataframe(shown, hide_index=True)
        elif isinstance(shown, str):  # a small matrix as core.figures.matrix_table's coloured table
            show_matrix(st, shown)
        else:
            show(st, shown, key=f"fig-{q.slug}")
        st.info(q.summary(result))
        if q.code is not None:
            st.code(q.code(**values), language="python")
        for link in q.links:
            st.page_link(link.page, label=link.label, icon=":material/arrow_forward:", query_params=dict(link.query))
        st.caption(f"Source: {q.source}. Link to this card: #{q.slug}")


def main() -> None:
    st.title("Questions people ask about weight decay")
    aside("Each answer comes with an experiment that torch runs now, on the seed's 4×5 W unless it says "
               "otherwise. Every claim here is a test in the project's suite.")
    with bind("questions", FIELDS) as s:
        text = widgets.text(s, SEARCH.key, st, placeholder="e.g. momentum, bfloat16, AdamW")
        found = search(text)
        if not found:
            st.info(f"No question mentions {literal(text)}. Try one word, like 'Adam' or 'schedule'.")
        st.markdown(" · ".join(f"[{q.title}](#{q.slug})" for q in found))
        for q in found:
            card(s, BY_SLUG[q.slug])


main()
