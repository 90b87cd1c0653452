"""Single step's presets: the seed's wd = 1, a decay that diverges, Adam against AdamW under
pure decay. Each sentence is computed from the StepResult (and the pure-decay comparison)."""

from __future__ import annotations

import numpy as np

from core.explain.presets import Preset
from core.numbers import fmt
from core.step import PureDecayComparison, StepResult

LOOK_AT = ("Look at the Difference heatmap: it is what weight decay alone changed in one step, "
           "W after(wd) − W after(wd = 0).")
SAME_SIZE = 1.01  # Adam's moves "do not depend on the size" when the largest is within 1% of the smallest


def _uniform(ratio: np.ndarray) -> bool:
    return bool(np.allclose(ratio, ratio.mean(), rtol=1e-9, atol=1e-12))


def seed_notice(r: StepResult, pure: PureDecayComparison | None = None) -> str:
    """Whether the Difference is one multiple of W₀ (SGD's step 1: −lr·wd), from the matrices."""
    c = r.config
    ratio = r.difference / r.w_before
    if not np.isfinite(ratio).all():
        return "The Difference heatmap has non-finite cells here: the step overflowed."
    if _uniform(ratio):
        return (f"Every cell of the Difference heatmap is {fmt(ratio.mean(), 4)} × W₀: step 1's decay takes "
                f"{fmt(-ratio.mean(), 4)} of each weight (lr·wd = {fmt(c.lr * c.weight_decay, 4)}), whatever the "
                "weight's gradient.")
    return (f"The Difference heatmap is not one multiple of W₀ here (from {fmt(ratio.min())} to {fmt(ratio.max())} "
            "× W₀): this optimizer's decay depends on more than the weight itself.")


def diverge_notice(r: StepResult, pure: PureDecayComparison | None = None) -> str:
    """|1 − lr·wd| against 1, and where the step-through diverged (or that it did not)."""
    c = r.config
    factor = 1 - c.lr * c.weight_decay
    compared = ">" if abs(factor) > 1 else "≤"
    start = (f"lr·wd = {fmt(c.lr * c.weight_decay, 4)}, so decay alone multiplies W by 1 − lr·wd = {fmt(factor, 4)} "
             f"every step: |1 − lr·wd| {compared} 1")
    if r.divergence is not None:
        return (f"{start}, and the step-through diverged at step {r.divergence.step} of {c.steps}: "
                f"{r.divergence.message()}. Watch the weight-norm curve leave the chart.")
    return f"{start}, and the step-through did not diverge within its {c.steps} steps."


def adam_vs_adamw_notice(r: StepResult, pure: PureDecayComparison | None) -> str:
    """How much each weight moved under Adam's L2 and AdamW with no loss gradient, from the changes."""
    c = r.config
    if pure is None:
        return "Turn on pure decay to compare Adam's weight_decay with AdamW's."
    size, adam, adamw = np.abs(pure.w_before), np.abs(pure.adam_change), np.abs(pure.adamw_change)
    relative = adamw / size
    proportional = (f"by {fmt(relative.mean(), 4)} of itself, from {fmt(adamw.min())} to {fmt(adamw.max())}"
                    if _uniform(relative) else f"by {fmt(adamw.min())} to {fmt(adamw.max())}")
    spread = adam.max() / adam.min()
    alike = (f"whatever its size (the sizes spread {fmt(size.max() / size.min())}×)" if spread < SAME_SIZE
             else f"a spread of {fmt(spread)}× across sizes that spread {fmt(size.max() / size.min())}×")
    return (f"Pure decay at lr = {fmt(c.lr, 4)}, wd = {fmt(c.weight_decay, 4)} (the scatter below): Adam moved every "
            f"weight by {fmt(adam.min(), unlike=adam.max())} to {fmt(adam.max(), unlike=adam.min())}, {alike}; "
            f"AdamW moved each {proportional}.")


PRESETS = (
    Preset("seed", "The seed's wd = 1", (("optimizer", "sgd"), ("lr", 0.1), ("weight_decay", 1.0),
                                         ("pure_decay", False)), seed_notice,
           "The seed experiment: plain SGD, lr = 0.1, wd = 1."),
    Preset("diverge", "Make it diverge", (("optimizer", "sgd"), ("lr", 1.0), ("weight_decay", 4.0),
                                          ("pure_decay", False)), diverge_notice,
           "SGD with lr·wd = 4: decay alone multiplies W by −3 every step."),
    Preset("adam_adamw", "Adam vs AdamW at the same wd", (("optimizer", "adamw"), ("lr", 0.1),
                                                          ("weight_decay", 1.0), ("pure_decay", True)),
           adam_vs_adamw_notice, "No loss gradient: decay alone, under Adam's weight_decay and under AdamW."),
)
