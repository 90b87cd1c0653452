"""core.params.reference_rules: the projects' own walks over the module tree, and the per-tensor rules held to them.

The walks follow transformers' get_parameter_names, torchvision's set_weight_decay and minGPT's
configure_optimizers step for step; the per-tensor verdicts of core.params.conventions must agree with them on
every built-in model, and minGPT's procedure must raise exactly where minGPT's code raises.
"""

from __future__ import annotations

import functools

import pytest
import torch
from torch import nn

from core.params.conventions import DECAY, NO_DECAY
from core.params.models import MODELS, build
from core.params.nanogpt import GPT, GPTConfig
from core.params.reference_rules import (
    hf_decay_parameter_names,
    mingpt_failure,
    mingpt_failure_for,
    mingpt_outcome,
    torchvision_norm_parameters,
)
from core.params.table import infos_from_model, no_weight_decay_names, parameter_table
from tests.test_conventions import Zoo

MODEL_KEYS = list(MODELS)


@functools.cache
def model_and_table(key: str):
    model = Zoo() if key == "zoo" else build(key)
    return model, parameter_table(infos_from_model(model), no_weight_decay_names(model))


@pytest.mark.parametrize("key", [*MODEL_KEYS, "zoo"])
def test_hf_rule_matches_the_trainers_walk(key):
    """The Trainer decays a named_parameters() entry iff its name is in get_parameter_names' result."""
    model, table = model_and_table(key)
    names = hf_decay_parameter_names(model)
    expected = {name: DECAY if name in names else NO_DECAY for name, _ in model.named_parameters()}
    assert dict(zip(table["name"], table["hf_trainer"], strict=True)) == expected


@pytest.mark.parametrize("key", [*MODEL_KEYS, "zoo"])
def test_torchvision_rule_matches_set_weight_decay_with_norm_weight_decay_zero(key):
    model, table = model_and_table(key)
    norm = torchvision_norm_parameters(model, 0.0)
    expected = {name: NO_DECAY if id(p) in norm else DECAY for name, p in model.named_parameters()}
    assert dict(zip(table["name"], table["torchvision"], strict=True)) == expected


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_torchvision_default_norm_weight_decay_none_decays_everything(key):
    """set_weight_decay's default leaves the norm group empty: every tensor gets weight_decay."""
    model, _ = model_and_table(key)
    assert torchvision_norm_parameters(model, None) == set()


def test_hf_decays_resnet50s_batchnorm_weights_and_nanogpts_layernorm_weights():
    resnet, _ = model_and_table("resnet50")
    bn = [n for n, m in resnet.named_modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(bn) == 53 and all(f"{n}.weight" in hf_decay_parameter_names(resnet) for n in bn)
    gpt, _ = model_and_table("gpt2")
    decayed = hf_decay_parameter_names(gpt) & {n for n, _ in gpt.named_parameters()}
    assert len(decayed) == 75 and "transformer.ln_f.weight" in decayed


def mingpt_style(tie: bool, n_layer: int = 2) -> nn.Module:
    """nanoGPT's GPT with torch's nn.LayerNorm in place of nanoGPT's class (minGPT's own layout); tied or not."""
    with torch.device("meta"):
        model = GPT(GPTConfig(n_layer=n_layer))
        for block in model.transformer.h:
            block.ln_1, block.ln_2 = nn.LayerNorm(768), nn.LayerNorm(768)
        model.transformer.ln_f = nn.LayerNorm(768)
        if not tie:
            model.lm_head.weight = nn.Parameter(torch.empty(50304, 768))
    return model


def test_mingpt_on_its_own_untied_layout_builds_its_groups():
    """Linear weights decayed (4 per block + lm_head), every bias, LayerNorm and Embedding weight not."""
    model = mingpt_style(tie=False)
    outcome = mingpt_outcome(model)
    assert outcome.error is None and mingpt_failure(model) is None
    assert len(outcome.decay) == 4 * 2 + 1 and "lm_head.weight" in outcome.decay
    assert outcome.decay | outcome.no_decay == {n for n, _ in model.named_parameters()}


def test_mingpt_on_a_tied_lm_head_raises_keyerror():
    """The issue's case: every tensor classified, but 'lm_head.weight' is not a named_parameters() key."""
    model = mingpt_style(tie=True)
    outcome = mingpt_outcome(model)
    assert outcome.error is KeyError and outcome.unknown == ("lm_head.weight",)
    assert "lm_head.weight" in outcome.decay and "transformer.wte.weight" in outcome.no_decay
    assert mingpt_failure(model) == (
        "minGPT would raise KeyError: 'lm_head.weight' because lm_head.weight is tied to transformer.wte.weight: "
        "named_parameters() lists the shared tensor once, as transformer.wte.weight, but minGPT's loop over "
        "named_modules() files it as lm_head.weight too and then looks that name up.")


def test_mingpt_on_nanogpt_asserts_first_then_would_raise_keyerror():
    """Faithful nanoGPT: minGPT's second assert fires on the 25 weights of nanoGPT's own LayerNorm (before
    its lookup would raise KeyError on the tied lm_head.weight); the sentence names both, in that order."""
    model, table = model_and_table("gpt2")
    outcome = mingpt_outcome(model)
    assert outcome.error is AssertionError and not outcome.in_both
    assert set(outcome.unclassified) == set(table.loc[table["mingpt"] == "n/a", "name"])
    assert len(outcome.unclassified) == 25 and outcome.unknown == ("lm_head.weight",)
    text = mingpt_failure_for("gpt2")
    assert text.startswith("minGPT would raise AssertionError: 25 parameters were not separated into either "
                           "decay/no_decay set (transformer.h.0.ln_1.weight,")
    assert "LayerNorm (the model's own class, not nn.LayerNorm)" in text
    assert text.index("AssertionError") < text.index("KeyError: 'lm_head.weight' because lm_head.weight is tied")


def test_mingpt_first_assert_a_tensor_under_a_whitelisted_and_a_blacklisted_module():
    """minGPT's recursion sees a child's weight from every ancestor: under a Linear it is filed as decay."""

    class LinearWithNorm(nn.Linear):
        def __init__(self):
            super().__init__(4, 4)
            self.norm = nn.LayerNorm(4)

    model = nn.Sequential(LinearWithNorm())
    outcome = mingpt_outcome(model)
    assert outcome.error is AssertionError and outcome.in_both == ("0.norm.weight",)
    assert mingpt_failure(model).startswith("minGPT would raise AssertionError: 1 parameter made it into both")


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_mingpt_table_verdicts_are_its_procedures_sets_where_it_builds_groups(key):
    model, table = model_and_table(key)
    outcome = mingpt_outcome(model)
    judged = table[table["mingpt"] != "n/a"]
    for name, verdict in zip(judged["name"], judged["mingpt"], strict=True):
        assert name in (outcome.decay if verdict == DECAY else outcome.no_decay)
    assert set(outcome.unclassified) == set(table.loc[table["mingpt"] == "n/a", "name"])


def test_mingpt_failure_for_unknown_keys_and_clean_models():
    assert mingpt_failure_for("upload") is None
    assert mingpt_failure_for("mlp") is None and mingpt_failure_for("linear4x5") is None
    assert mingpt_failure_for("resnet50").startswith("minGPT would raise AssertionError: 106 parameters")
