"""core.params.convention_claims: every count in the Theory page's sentences about conventions, recomputed
independently from the models' modules and the projects' own walks (core.params.reference_rules)."""

from __future__ import annotations

import functools

import pytest
from torch import nn

from core.params.convention_claims import CLAIM_MODELS, convention_claim, convention_claims, share, tally
from core.params.conventions import CONVENTIONS
from core.params.models import build
from core.params.reference_rules import hf_decay_parameter_names, mingpt_outcome, torchvision_norm_parameters


@functools.cache
def independent(model_key: str) -> dict[str, dict[str, int]]:
    """Per convention: tensors decayed, norm weights decayed, biases decayed, counted from the module tree
    with each project's own walk (not from core.params.conventions' per-tensor rules)."""
    model = build(model_key)
    owner = {}
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            owner.setdefault(id(p), (type(module).__name__, name))
    params = list(model.named_parameters())
    hf = hf_decay_parameter_names(model)
    tv_norm = torchvision_norm_parameters(model, 0.0)
    decays = {
        "torch": lambda n, p: True,
        "nanogpt": lambda n, p: p.dim() >= 2,
        "timm": lambda n, p: p.dim() >= 2 and not n.endswith(".bias"),
        "hf_trainer": lambda n, p: n in hf,
        "torchvision": lambda n, p: id(p) not in tv_norm,
        "mingpt": lambda n, p: n in mingpt_outcome(model).decay,
    }
    out = {}
    for key, decays_it in decays.items():
        chosen = [(n, p) for n, p in params if decays_it(n, p)]
        out[key] = {
            "total": len(params), "decayed": len(chosen),
            "norm_weights": sum("Norm" in owner[id(p)][0] and owner[id(p)][1] == "weight" for _, p in params),
            "norm_weights_decayed": sum("Norm" in owner[id(p)][0] and owner[id(p)][1] == "weight" for _, p in chosen),
            "biases": sum(owner[id(p)][1] == "bias" for _, p in params),
            "biases_decayed": sum(owner[id(p)][1] == "bias" for _, p in chosen),
        }
    return out


@pytest.mark.parametrize("model_key", list(CLAIM_MODELS))
@pytest.mark.parametrize("convention", [c for c in CONVENTIONS if c != "mingpt"])
def test_tallies_equal_independent_counts(convention, model_key):
    t = tally(convention, model_key)
    assert {k: getattr(t, k) for k in independent(model_key)[convention]} == independent(model_key)[convention]
    assert t.not_judged == 0


@pytest.mark.parametrize("convention", [c for c in CONVENTIONS if c != "mingpt"])
def test_each_sentence_states_its_counts(convention):
    text = convention_claim(convention)
    assert CONVENTIONS[convention].label in text and CONVENTIONS[convention].rule in text
    for model_key, name in CLAIM_MODELS.items():
        counts = independent(model_key)[convention]
        norm = "BatchNorm2d weights" if model_key == "resnet50" else "weights of its own LayerNorm class"
        assert (f"on {name} it decays {share(counts['norm_weights_decayed'], counts['norm_weights'], norm)} and "
                f"{share(counts['biases_decayed'], counts['biases'], 'biases')} "
                f"({counts['decayed']} of {counts['total']} tensors)") in text


def test_the_issues_claims_hf_decays_batchnorm_and_nanogpts_layernorm():
    """Theory said the HF Trainer and torchvision's reference exclude norm scales. HF decays all 53 BatchNorm
    weights of ResNet-50 and nanoGPT's 25 LayerNorm weights (75 of 148 tensors)."""
    hf = convention_claim("hf_trainer")
    assert "on ResNet-50 it decays all 53 BatchNorm2d weights" in hf
    assert "all 25 weights of its own LayerNorm class and none of the 73 biases (75 of 148 tensors)" in hf
    tv = convention_claim("torchvision")
    assert "on ResNet-50 it decays none of the 53 BatchNorm2d weights" in tv
    assert "(148 of 148 tensors)" in tv
    assert "default `norm_weight_decay=None` it decays every tensor: 161 of 161 on ResNet-50, 148 of 148" in tv


def test_the_mingpt_sentence_names_the_error_its_code_raises():
    text = convention_claim("mingpt")
    for model_key, name in CLAIM_MODELS.items():
        outcome = mingpt_outcome(build(model_key))
        assert outcome.error is AssertionError
        assert (f"on {name} its own code raises AssertionError: {len(outcome.unclassified)} of "
                f"{independent(model_key)['mingpt']['total']} tensors are on neither list") in text


def test_every_convention_has_one_sentence_in_registry_order():
    claims = convention_claims()
    assert len(claims) == len(CONVENTIONS)
    assert all(c.startswith(f"**{CONVENTIONS[k].label}**") for c, k in zip(claims, CONVENTIONS, strict=True))


@pytest.mark.parametrize(("k", "n", "text"), [(53, 53, "all 53 x"), (0, 53, "none of the 53 x"),
                                              (1, 54, "1 of the 54 x"), (0, 0, "no x")])
def test_share_words(k, n, text):
    assert share(k, n, "x") == text


def test_norm_weights_counted_are_batchnorm_on_resnet_and_nanogpt_layernorm_on_gpt2():
    assert tally("torch", "resnet50").norm_class == "BatchNorm2d" and tally("torch", "resnet50").norm_is_torch
    gpt = tally("torch", "gpt2")
    assert gpt.norm_class == "LayerNorm" and not gpt.norm_is_torch
    assert not any(isinstance(m, nn.LayerNorm) for m in build("gpt2").modules())


def test_the_claims_are_counted_once_a_process():
    """They depend on nothing a visitor sets; counting them on every Theory rerun was more than half of it."""
    assert convention_claims() is convention_claims()
