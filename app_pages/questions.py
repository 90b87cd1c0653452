"""Questions: what people ask about weight decay, each answered by a live torch experiment."""

import pandas as pd
import streamlit as st

from core.questions import BY_SLUG, QUESTIONS, Question, run_question, search
from core.schema import Field
from core.text import literal
from ui.charts import show
from ui.state import bind, sync_query

SEARCH = Field("q", "", max_len=100)
FIELDS = (
    SEARCH,
    *(Field(f"{q.slug}.{c.name}", c.default, c.low, c.high, step=c.step) for q in QUESTIONS for c in q.controls),
)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_run(slug: str, values: tuple[tuple[str, float], ...]):
    return run_question(slug, dict(values))


def card(q: Question) -> None:
    with st.container(border=True):
        st.subheader(q.title, anchor=q.slug)
        st.markdown(q.answer)
        values = {}
        if q.controls:
            for column, c in zip(st.columns(len(q.controls)), q.controls, strict=True):
                values[c.name] = column.slider(c.label, c.low, c.high, step=c.step, key=f"{q.slug}.{c.name}")
        result = cached_run(q.slug, tuple(sorted(values.items())))
        shown = q.figure(result)
        if isinstance(shown, pd.DataFrame):
            st.dataframe(shown, hide_index=True)
        else:
            show(st, shown, key=f"fig-{q.slug}")
        st.info(q.summary(result))
        if q.code is not None:
            st.code(q.code(**values), language="python")
        if q.link is not None:
            st.page_link(q.link.page, label=q.link.label, icon=":material/table_view:", query_params=dict(q.link.query))
        st.caption(f"Source: {q.source}. Link to this card: #{q.slug}")


def main() -> None:
    st.title("Questions people ask about weight decay")
    st.caption("Each answer comes with an experiment that torch runs now, on the seed's 4×5 W unless it says "
               "otherwise. Every claim here is a test in the project's suite.")
    bind(FIELDS)
    text = st.text_input("Search the questions", key=SEARCH.key, max_chars=SEARCH.max_len,
                         placeholder="e.g. momentum, bfloat16, AdamW")
    found = search(text)
    if not found:
        st.info(f"No question mentions {literal(text)}. Try one word, like 'Adam' or 'schedule'.")
    st.markdown(" · ".join(f"[{q.title}](#{q.slug})" for q in found))
    for q in found:
        card(BY_SLUG[q.slug])
    sync_query(FIELDS)


main()
