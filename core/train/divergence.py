"""One divergence criterion for every page, and a sentence that says what actually happened.

A run has diverged at the first step where one of these holds, checked in this order:
  1. a weight is NaN or inf ("nan"),
  2. a weight's magnitude passed WEIGHT_LIMIT ("weights"): every task here starts with
     |w| of order 1 and a run that converges stays far below it, so past it the run is
     blowing up (SGD or AdamW with |1 - lr*wd| > 1 grows geometrically),
  3. the loss is NaN or inf while the weights are finite ("loss_overflow"),
  4. the training loss rose past LOSS_GROWTH times its starting value, for a loss bounded
     below by 0 whose start was positive ("loss_growth"); a signed loss like the seed's
     sum(x @ W) can rise from near 0 without diverging, so it is judged by 1-3 alone.
The single step, the training page and the sweep all use it, so "diverged" means one thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.numbers import fmt

WEIGHT_LIMIT = 1e6
LOSS_GROWTH = 100.0


REASONS = ("nan", "weights", "loss_overflow", "loss_growth")  # index + 1 is the code in reason_codes


@dataclass(frozen=True)
class Divergence:
    """Where and why a run diverged; `value` is the largest |w| or the loss that tripped it."""

    step: int
    reason: str
    value: float = float("nan")

    def message(self) -> str:
        if self.reason == "nan":
            return f"a weight became inf/NaN at step {self.step}"
        if self.reason == "weights":
            return (f"the weights grew past {fmt(WEIGHT_LIMIT)} at step {self.step} "
                    f"(largest |w| = {fmt(self.value)})")
        if self.reason == "loss_overflow":
            return (f"the loss overflowed to inf/NaN at step {self.step} while the weights were still finite "
                    f"(largest |w| = {fmt(self.value)})")
        return (f"the training loss rose past {fmt(LOSS_GROWTH)}× its starting value at step {self.step} "
                f"(loss {fmt(self.value)})")


def criterion() -> str:
    """The criterion in words, for captions and legends: generated from the same constants."""
    return (f"a weight became inf/NaN or passed {fmt(WEIGHT_LIMIT)} in magnitude, or the loss overflowed "
            f"or rose past {fmt(LOSS_GROWTH)}× its starting value")


def reason_codes(max_abs_weight: Tensor, loss: Tensor | None = None, first_loss: Tensor | None = None) -> Tensor:
    """Per run, 0 when fine, else 1 + the index of the first reason in REASONS that holds.

    All tensors are (G,); the result stays on their device (no host sync), so a training
    loop can check many steps before it looks."""
    code = torch.zeros(max_abs_weight.shape, dtype=torch.int64, device=max_abs_weight.device)
    checks = [~torch.isfinite(max_abs_weight), max_abs_weight > WEIGHT_LIMIT]
    loss = None if loss is None else loss.to(max_abs_weight.device)
    first_loss = None if first_loss is None else first_loss.to(max_abs_weight.device)
    if loss is not None:
        checks.append(~torch.isfinite(loss))
        if first_loss is not None:
            checks.append((first_loss > 0) & (loss > LOSS_GROWTH * first_loss))
    for i in reversed(range(len(checks))):  # the earliest reason wins
        code = torch.where(checks[i], torch.full_like(code, i + 1), code)
    return code


def max_abs(params: dict[str, Tensor] | list[Tensor]) -> Tensor:
    """Per run (leading dimension G), the largest |w| over every tensor; NaN if any is NaN."""
    tensors = list(params.values()) if isinstance(params, dict) else list(params)
    per_tensor = [t.detach().flatten(1).abs().amax(dim=1).double() for t in tensors]
    return torch.stack(per_tensor).amax(dim=0)


def weights_blown_up(w: Tensor) -> bool:
    """One tensor (no run dimension) is past criteria 1 or 2: a loop may stop here."""
    peak = w.detach().abs().max()
    return not bool(torch.isfinite(peak)) or float(peak) > WEIGHT_LIMIT


def first_divergence(weights: Tensor, losses: Tensor | None = None, loss_is_nonnegative: bool = True
                     ) -> Divergence | None:
    """For one run's trajectory W_0..W_T (shape (T + 1, ...)) and optional losses (T + 1,):
    the first step that diverged, with its reason, or None. The growth criterion needs a
    loss bounded below by 0: a signed loss such as sum(x @ W) has no scale to grow from."""
    flat = weights.detach().double().cpu().flatten(1)  # one small run: judged on the host
    peak = flat.abs().amax(dim=1)
    loss = None if losses is None else torch.as_tensor(losses, dtype=torch.float64)
    start = None if loss is None or not loss_is_nonnegative else loss[:1].expand_as(loss)
    codes = reason_codes(peak, loss, start)
    bad = torch.nonzero(codes).flatten()
    if bad.numel() == 0:
        return None
    t = int(bad[0])
    reason = REASONS[int(codes[t]) - 1]
    value = float(loss[t]) if reason == "loss_growth" else float(peak[t])
    return Divergence(t, reason, value)


class RunDivergence:
    """During a batched training: which runs diverged (the criterion above), at which step and
    why; each run keeps its last weights from before that step."""

    def __init__(self, params: dict[str, Tensor], judge_growth: bool = True):
        groups = next(iter(params.values())).shape[0]
        self.judge_growth = judge_growth  # only for losses bounded below by 0
        self.diverged = torch.zeros(groups, dtype=torch.bool)
        self.found: list[Divergence | None] = [None] * groups
        self.first_loss: Tensor | None = None
        self.last_good = dict(params)

    @property
    def at(self) -> list[int | None]:
        return [None if d is None else d.step for d in self.found]

    def update(self, step: int, before: dict[str, Tensor], after: dict[str, Tensor], losses: list[Tensor]) -> None:
        """losses are those of `before` (train first); a bad loss or bad weights mark `step`."""
        train = losses[0].detach().double()
        if self.first_loss is None:
            self.first_loss = train
        finite = torch.stack([torch.isfinite(lo) for lo in losses]).all(dim=0)  # the test loss counts too
        loss = torch.where(finite, train, torch.full_like(train, float("nan")))
        peak = max_abs(after)
        codes = reason_codes(peak, loss, self.first_loss if self.judge_growth else None).cpu()
        fresh = (codes > 0) & ~self.diverged
        if bool(fresh.any()):
            peak_cpu, peak_before, loss_cpu = peak.cpu(), max_abs(before).cpu(), loss.cpu()
            for i in torch.nonzero(fresh).flatten().tolist():
                reason = REASONS[int(codes[i]) - 1]
                value = {"loss_growth": loss_cpu, "loss_overflow": peak_before}.get(reason, peak_cpu)[i].item()
                self.found[i] = Divergence(step, reason, value)
            self.last_good = self._merge(fresh, before, self.last_good)
            self.diverged |= fresh
        self.last_good = after if not bool(self.diverged.any()) else self._merge(~self.diverged, after, self.last_good)

    @staticmethod
    def _merge(take: Tensor, new: dict[str, Tensor], old: dict[str, Tensor]) -> dict[str, Tensor]:
        """Per run, `new`'s weights where take is True, else `old`'s."""
        return {name: torch.where(take.to(p.device).reshape(-1, *([1] * (p.dim() - 1))), p, old[name])
                for name, p in new.items()}
