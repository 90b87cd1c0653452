"""What each decay convention does to real models, as sentences generated from its verdicts.

Prose about conventions goes wrong easily ("the Hugging Face Trainer excludes norm scales": it
decays all 53 BatchNorm weights of ResNet-50). So the Theory page's sentences are built here from
the counts the registry's rules give on ResNet-50 and nanoGPT's GPT-2, and tests/test_convention_claims.py
recomputes every count from the rules and from the projects' own walks (core.params.reference_rules).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from core.params.conventions import CONVENTIONS, DECAY, NA
from core.params.models import build, module_classes
from core.params.reference_rules import mingpt_outcome, torchvision_norm_parameters
from core.params.table import infos_from_model, no_weight_decay_names, parameter_table

CLAIM_MODELS = {"resnet50": "ResNet-50", "gpt2": "nanoGPT's GPT-2"}


@dataclass(frozen=True)
class Tally:
    """One convention on one model: tensors decayed, and of the norm weights and biases."""

    total: int
    decayed: int
    not_judged: int
    norm_class: str  # the model's normalization class name(s), e.g. "BatchNorm2d"
    norm_is_torch: bool  # the class is torch.nn's own (not, like nanoGPT's LayerNorm, the model's)
    norm_weights: int
    norm_weights_decayed: int
    biases: int
    biases_decayed: int


@functools.cache
def _model_table(key: str):
    model = build(key)
    table = parameter_table(infos_from_model(model), no_weight_decay_names(model))
    classes = module_classes(model).values()
    return model, table.assign(is_norm=["Norm" in cls.__name__ for cls in classes],
                               torch_class=[cls.__module__.startswith("torch.") for cls in classes])


def tally(convention: str, model_key: str) -> Tally:
    _, table = _model_table(model_key)
    verdict = table[convention]
    norm_weights = table["is_norm"] & table["name"].str.endswith(".weight")
    biases = table["name"].str.endswith(".bias")
    classes = sorted(set(table.loc[norm_weights, "module"]))
    decayed = verdict == DECAY
    return Tally(total=len(table), decayed=int(decayed.sum()), not_judged=int((verdict == NA).sum()),
                 norm_class="/".join(classes), norm_is_torch=bool(table.loc[norm_weights, "torch_class"].all()),
                 norm_weights=int(norm_weights.sum()), norm_weights_decayed=int((norm_weights & decayed).sum()),
                 biases=int(biases.sum()), biases_decayed=int((biases & decayed).sum()))


def share(k: int, n: int, what: str) -> str:
    """'all 53 X', 'none of the 53 X', '25 of the 50 X'."""
    if n == 0:
        return f"no {what}"
    if k == n:
        return f"all {n} {what}"
    return f"none of the {n} {what}" if k == 0 else f"{k} of the {n} {what}"


def _on_model(convention: str, key: str) -> str:
    t = tally(convention, key)
    name = CLAIM_MODELS[key]
    if t.not_judged:
        outcome = mingpt_outcome(_model_table(key)[0])
        return (f"on {name} its own code raises {outcome.error.__name__}: {t.not_judged} of {t.total} tensors "
                "are on neither list")
    norms = f"{t.norm_class} weights" if t.norm_is_torch else f"weights of its own {t.norm_class} class"
    return (f"on {name} it decays {share(t.norm_weights_decayed, t.norm_weights, norms)} and "
            f"{share(t.biases_decayed, t.biases, 'biases')} ({t.decayed} of {t.total} tensors)")


def torchvision_default_decayed(key: str) -> int:
    """Tensors decayed by set_weight_decay with its default norm_weight_decay=None."""
    model, table = _model_table(key)
    chosen = torchvision_norm_parameters(model, None)
    return sum(id(p) not in chosen for _, p in model.named_parameters())


def convention_claim(convention: str) -> str:
    """One sentence: the rule as declared, then what it does on each claim model, all counted."""
    c = CONVENTIONS[convention]
    text = f"**{c.label}** {c.rule}: " + "; ".join(_on_model(convention, key) for key in CLAIM_MODELS) + "."
    if convention == "torchvision":
        text += (" With its default `norm_weight_decay=None` it decays every tensor: " + ", ".join(
            f"{torchvision_default_decayed(key)} of {tally(convention, key).total} on {name}"
            for key, name in CLAIM_MODELS.items()) + ".")
    return text


@functools.cache
def convention_claims() -> tuple[str, ...]:
    """Every convention's sentence, in the registry's order, for the Theory page. Counted once a
    process: they depend on nothing a visitor sets, and counting them was more than half of every
    Theory rerun (about 120 ms of 210 in AppTest)."""
    return tuple(convention_claim(key) for key in CONVENTIONS)
