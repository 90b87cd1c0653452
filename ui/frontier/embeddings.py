"""Experiment 5: embeddings, sparse gradients and the rows no batch touched (core/frontier/embeddings.py)."""

import streamlit as st

from core import figures
from core.explain.latex_wrap import wrap
from core.frontier.embeddings import CHOICES, GROUP, MAX_STEPS, VOCAB, attempt_sentence, run, sentences, transcript
from core.numbers import fmt
from core.schema import Field
from ui import widgets
from ui.charts import show
from ui.classroom import aside
from ui.frontier.timescale import LRS, WDS
from ui.state import PageState

BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
EXPONENTS = (0.0, 0.5, 0.8, 1.0, 1.1, 1.2, 1.5, 2.0)
FIELDS = (
    Field("emb_lr", 0.03, choices=LRS, label="Learning rate lr"),
    Field("emb_wd", 0.1, choices=WDS, label="Weight decay wd"),
    Field("emb_steps", 200, 10, MAX_STEPS, step=10, label="Steps"),
    Field("emb_batch", 16, choices=BATCHES, label="Tokens per batch"),
    Field("emb_zipf", 1.1, choices=EXPONENTS, label="Zipf exponent s",
          help="Token k is drawn with probability proportional to (k + 1)^-s; s = 0 draws every token equally."),
)
SOURCE = ('pytorch/pytorch#1285 ("sparse optimizers") and pytorch/pytorch#30402 ("There is no support for '
          'weight_decay/momentum in SGD for sparse tensors")')


@st.cache_data(max_entries=64, show_spinner=False)
def cached_run(lr: float, wd: float, steps: int, batch: int, exponent: float):
    return run(lr, wd, steps, batch, exponent)


def section(s: PageState) -> None:
    st.header("5. Embeddings and sparse gradients: decay reaches the rows no batch drew")
    left, mid, right = st.columns(3)
    lr = widgets.select(s, "emb_lr", left, kind="select_slider", format_func=fmt)
    wd = widgets.select(s, "emb_wd", mid, kind="select_slider", format_func=fmt)
    steps = widgets.slider(s, "emb_steps", right)
    batch = widgets.select(s, "emb_batch", left, kind="select_slider")
    exponent = widgets.select(s, "emb_zipf", mid, kind="select_slider", format_func=fmt)
    st.latex(wrap(r"\text{dense: } E \gets (1 - \eta\lambda) E - \eta\,\mathrm{adam}(G) \qquad "
             r"\text{batch-row: } E_k \gets (1 - \eta\lambda) E_k \text{ only for } k \in \text{batch}"
             r"\qquad \text{never drawn: } E_{k,T} = (1 - \eta\lambda)^T E_{k,0}"))
    try:
        result = cached_run(lr, wd, int(steps), int(batch), exponent)
    except ValueError as err:
        st.error(f"Cannot run the embedding: {err}")
        return
    series = {CHOICES[c]: (result.probability, result.ratios[c]) for c in CHOICES}
    show(st, figures.points(series, f"{VOCAB} embedding rows after {result.steps} steps: final / initial norm",
                            "token probability (Zipf)", "‖E_k‖ / ‖E_k,0‖",
                            levels={f"decay alone, (1 − lr·wd)^{result.steps}": result.decay_alone}),
         key="embeddings")
    st.caption(f"Each point is one token's row; the loss pulls row k toward a fixed random target. "
               f"'Rarest' and 'most frequent' are the {GROUP} tokens at each end of the Zipf order.")
    for sentence in sentences(result):
        st.markdown(f"- {sentence}")
    st.markdown(attempt_sentence(result))
    st.code(transcript(result), language=None)
    aside(f"Sources: {SOURCE}. In #30402 a reply names the ambiguity: decaying unused rows lets a row "
          "decay toward zero between two uses, decaying only the gradient's rows is not the usual definition. "
          "Batch-row AdamW is one answer, written out here; dense AdamW needs nn.Embedding(sparse=False).")
