"""The explorer's headline: one sentence per convention, generated from the model's table.

"HF Trainer decays 226 of 291 tensors, 99.99% of the parameters; the 65 LlamaRMSNorm weights are
excluded by name" is only true of one model under one freeze, so every number and every clause
here is computed from the table the page shows and from the model's own modules (which class owns
a norm weight, which names share one tensor), never typed.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd
from torch import nn

from core.params.conventions import CONVENTIONS, DECAY, HF_FORBIDDEN_NAME_PATTERNS, NA, NO_DECAY
from core.params.models import module_classes
from core.params.table import numel_sum

HF_PATTERNS = [re.compile(p) for p in HF_FORBIDDEN_NAME_PATTERNS]


def percent(k: int, n: int) -> str:
    """k/n as a percentage that reads 0% or 100% only when it is exactly that."""
    if n == 0 or k == 0:
        return "0%"
    if k == n:
        return "100%"
    for digits in range(0, 12):
        text = f"{100 * k / n:.{digits}f}"
        if float(text) not in (0.0, 100.0):
            return f"{text}%"
    return f"{100 * k / n}%"


def ties(model: nn.Module) -> dict[str, list[str]]:
    """{the name named_parameters() lists a shared tensor under: the other names it is reachable by}."""
    names: dict[int, list[str]] = defaultdict(list)
    for name, p in model.named_parameters(remove_duplicate=False):
        names[id(p)].append(name)
    return {found[0]: found[1:] for found in names.values() if len(found) > 1}


def _norm_reason(key: str, excluded: pd.DataFrame, classes: dict[str, type]) -> str:
    """Why a convention leaves these norm weights out, where its rule says so in one word."""
    if key in ("nanogpt", "timm"):
        return " as 1-D tensors" if (~excluded["shape"].str.contains("x")).all() else ""
    if key != "hf_trainer":
        return ""
    by_class = [issubclass(classes[n], nn.LayerNorm) for n in excluded["name"]]
    by_name = [any(p.search(n.lower()) for p in HF_PATTERNS) for n in excluded["name"]]
    if all(by_name) and not any(by_class):
        return " by name"
    if all(by_class) and not any(by_name):
        return " as nn.LayerNorm parameters"
    if all(a or b for a, b in zip(by_class, by_name, strict=True)):
        return " by name or as nn.LayerNorm parameters"
    return ""


def _norm_clause(key: str, trained: pd.DataFrame, classes: dict[str, type]) -> str:
    norms = trained[trained["module"].str.contains("Norm") & trained["name"].str.endswith("weight")]
    if norms.empty:
        return ""
    kinds = "/".join(sorted(set(norms["module"])))
    n, k, u = len(norms), int((norms[key] == DECAY).sum()), int((norms[key] == NA).sum())
    excluded = norms[norms[key] == NO_DECAY]
    reason = _norm_reason(key, excluded, classes) if len(excluded) else ""
    if k == n:
        return f"all {n} {kinds} weights are decayed"
    if len(excluded) == n:
        return f"the {n} {kinds} weights are excluded{reason}"
    if u == n:
        return f"it cannot judge the {n} {kinds} weights"
    parts = [f"{k} decayed" if k else "", f"{len(excluded)} excluded{reason}" if len(excluded) else "",
             f"{u} not judged" if u else ""]
    return f"of the {n} {kinds} weights, " + ", ".join(p for p in parts if p)


def _tie_clause(key: str, table: pd.DataFrame, tied: dict[str, list[str]]) -> str:
    rows = table.set_index("name")
    parts = []
    for listed, aliases in tied.items():
        if listed not in rows.index:
            continue
        alias = aliases[0] + (f" (and {len(aliases) - 1} more names)" if len(aliases) > 1 else "")
        if not rows.loc[listed, "trainable"]:
            parts.append(f"the tied {alias} is frozen with {listed}")
        elif rows.loc[listed, key] == DECAY:
            parts.append(f"the tied {alias} is decayed once, through {listed}")
        else:
            parts.append(f"the tied {alias} is not decayed, like {listed}")
    return "; ".join(parts)


def headline(key: str, table: pd.DataFrame, model: nn.Module, classes: dict[str, type] | None = None,
             tied: dict[str, list[str]] | None = None) -> str:
    """One convention's sentence on this model and freeze."""
    classes = module_classes(model) if classes is None else classes
    tied = ties(model) if tied is None else tied
    trainable = table["trainable"].astype(bool)
    trained = table[trainable]
    frozen = len(table) - len(trained)
    decayed = trained[trained[key] == DECAY]
    scope = "trainable " if frozen else ""
    text = (f"**{CONVENTIONS[key].label}** decays {len(decayed):,} of {len(trained):,} {scope}tensors, "
            f"{percent(numel_sum(decayed), numel_sum(trained))} of the {scope}parameters")
    clauses = [c for c in (_norm_clause(key, trained, classes), _tie_clause(key, table, tied)) if c]
    unjudged = int((trained[key] == NA).sum())
    if unjudged:
        clauses.append(f"{unjudged:,} tensors in all are n/a (not judged)")
    return text + "".join(f"; {c}" for c in clauses) + "."


def frozen_sentence(table: pd.DataFrame) -> str:
    """How much of the model the freeze takes out of every convention's update; "" when nothing is frozen."""
    frozen = table[~table["trainable"].astype(bool)]
    if frozen.empty:
        return ""
    return (f"{len(frozen):,} of {len(table):,} tensors ({percent(numel_sum(frozen), numel_sum(table))} of the "
            "parameters) are frozen: no convention updates them (torch.optim skips a tensor whose grad is None; "
            "the HF Trainer and timm leave requires_grad=False out of their groups).")


def headlines(table: pd.DataFrame, model: nn.Module) -> list[str]:
    """Every convention's sentence, in the registry's order."""
    classes, tied = module_classes(model), ties(model)
    return [headline(key, table, model, classes, tied) for key in CONVENTIONS]
