"""core.params.headline: every number and clause of the per-convention sentences, recomputed here."""

import pytest

from core.params.conventions import CONVENTIONS
from core.params.freeze import Freeze, apply_freeze
from core.params.headline import frozen_sentence, headline, headlines, percent, ties
from core.params.models import build
from core.params.table import model_table


@pytest.mark.parametrize(("k", "n", "text"), [(0, 5, "0%"), (5, 5, "100%"), (1, 3, "33%"), (999_999, 10**6, "99.9999%"),
                                              (1, 10**6, "0.0001%"), (0, 0, "0%")])
def test_percent_is_never_rounded_to_0_or_100(k, n, text):
    assert percent(k, n) == text


def test_llama_hf_sentence_counts_and_reason():
    model = build("hf:llama-3-8b")
    table = model_table(model)
    hf = table["hf_trainer"] == "decay"
    expected = (f"**Hugging Face Trainer** decays {int(hf.sum())} of {len(table)} tensors, "
                f"{percent(sum(table['numel'][hf]), sum(table['numel']))} of the parameters; the 65 LlamaRMSNorm "
                "weights are excluded by name.")
    assert headline("hf_trainer", table, model) == expected
    assert len(headlines(table, model)) == len(CONVENTIONS) and frozen_sentence(table) == ""


def test_a_tied_head_is_named_with_the_tensor_it_shares():
    model = build("hf:gpt2")
    assert ties(model) == {"transformer.wte.weight": ["lm_head.weight"]}
    table = model_table(model)
    assert "the tied lm_head.weight is decayed once, through transformer.wte.weight" in headline("hf_trainer", table,
                                                                                               model)
    assert "the tied lm_head.weight is not decayed, like transformer.wte.weight" in headline("mingpt", table, model)


def test_a_frozen_model_counts_trainable_tensors_and_says_how_much_is_frozen():
    model = apply_freeze(build("hf:gpt2"), Freeze("embeddings"))
    table = model_table(model)
    sentence = headline("torch", table, model)
    assert sentence.startswith("**PyTorch default** decays 147 of 147 trainable tensors, 100% of the trainable")
    assert "the tied lm_head.weight is frozen with transformer.wte.weight" in sentence
    assert frozen_sentence(table).startswith("1 of 148 tensors (31% of the parameters) are frozen")
