"""What weight decay alone does to W under the selected optimizer, in numbers and words.

Only two of the rules have a per-step shrink factor: plain SGD (no momentum) and AdamW both
multiply W by 1 - lr*wd when the loss gradient is zero. SGD with momentum feeds the decay
into its buffer, and the L2-style adaptive rules (Adam, RMSprop, Adagrad) divide the decay
term by their own running size, so no single factor exists for them. Every sentence here is
generated from the numbers, and tests/test_decay_facts.py checks each against torch.optim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core import optim
from core.explain.formulas import half_life_steps, shrink_factor
from core.numbers import fmt

UPDATE_FORMULAS = {  # the optimizer's step as torch computes it, in plain text (g = ∂loss/∂w)
    "sgd": "w ← w − lr·(g + wd·w)",
    "adam": "w ← w − lr·m̂/(√v̂ + ε), with m̂, v̂ built from g + wd·w",
    "adamw": "w ← w·(1 − lr·wd) − lr·m̂/(√v̂ + ε), with m̂, v̂ built from g alone",
    "rmsprop": "w ← w − lr·(g + wd·w)/(√v + ε), v the running mean of (g + wd·w)²",
    "adagrad": "w ← w − lr·(g + wd·w)/(√s + ε), s the running sum of (g + wd·w)²",
}


@dataclass(frozen=True)
class DecayFacts:
    """factor is W's multiplier per step under decay alone, or None (then `why_none` says why)."""

    optimizer: str
    formula: str
    factor: float | None
    half_life: float | None  # steps for |W| to halve under decay alone
    sentence: str  # what the factor means, or why there is none


def _number(v: float) -> str:
    return fmt(v, 4)


def factor_sentence(factor: float) -> str:
    """What multiplying W by `factor` every step does: never a bare negative or >1 number."""
    if factor == 1:
        return "W is not shrunk at all (lr·wd = 0)."
    if 0 < factor < 1:
        return f"W shrinks to {_number(factor)} of itself every step."
    if factor == 0:
        return "W is set to exactly 0 in one step (lr·wd = 1)."
    if -1 < factor < 0:
        return (f"The factor is negative (lr·wd > 1): W flips sign every step while its size shrinks to "
                f"{_number(abs(factor))} of itself: an oscillation that still decays.")
    if factor == -1:
        return "The factor is −1 (lr·wd = 2): W flips sign every step and never shrinks."
    if factor < -1:
        return (f"|factor| = {_number(abs(factor))} > 1 (lr·wd > 2): W flips sign and grows every step, so "
                "decay alone makes the run diverge.")
    return f"The factor is {_number(factor)} > 1: W grows every step."


def decay_facts(optimizer: str, lr: float, weight_decay: float, options: dict | None = None) -> DecayFacts:
    spec = optim.get(optimizer)
    opts = spec.resolve(options)
    formula = UPDATE_FORMULAS[spec.key]
    momentum = float(opts.get("momentum", 0.0))
    if spec.key == "sgd" and momentum:
        return DecayFacts(spec.key, formula, None, None,
                          f"With momentum μ = {_number(momentum)} the decay term wd·w accumulates in the momentum "
                          "buffer, so W is not multiplied by one factor per step: no shrink factor or half-life "
                          "exists.")
    if spec.decay_enters == "gradient":
        return DecayFacts(spec.key, formula, None, None,
                          f"{spec.torch_class}'s weight_decay adds wd·w to the gradient, which is then divided by "
                          "its own running size: under decay alone each weight moves by about lr per step, "
                          "whatever its size, so no shrink factor or half-life exists.")
    factor = shrink_factor(lr, weight_decay)
    half = half_life_steps(lr, weight_decay)
    if half is None and -1 < factor < 0:  # |W| still halves while it flips sign
        half = math.log(0.5) / math.log(abs(factor))
    sentence = f"Decay alone multiplies W by 1 − lr·wd = {_number(factor)} each step. {factor_sentence(factor)}"
    if half is not None:
        sentence += f" |W| halves every {_number(half)} steps."
    elif factor != 0:
        sentence += " |W| never halves."
    return DecayFacts(spec.key, formula, factor, half, sentence)
