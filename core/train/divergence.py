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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
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
    return per_tensor[0] if len(per_tensor) == 1 else torch.stack(per_tensor).amax(dim=0)


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
    why; each run keeps its last weights from before that step (last_good()).

    A step only computes, on the weights' device, whether each run is still fine (one flag per
    run and step, equivalent to reason_codes(...) == 0) and keeps the weights of the last
    `window` steps; resolve() looks at the flags now and then (one wait for the device instead
    of several per step; it must come at least every `window` steps), finds each run's first
    flagged step, names its reason with reason_codes and keeps the weights from before it, so
    the steps, messages and weights are those a check after every step would give."""

    def __init__(self, flat: Tensor, judge_growth: bool = True, window: int = 1):
        groups = self.runs = flat.shape[0]
        self.judge_growth = judge_growth  # only for losses bounded below by 0
        self.ids: Tensor | None = None  # each row's run once rows have left the block (compact()); None: row i is run i
        self.diverged = torch.zeros(groups, dtype=torch.bool)  # per row of the block, as of the last resolve()
        self._everyone = False  # whether every run has diverged: self.diverged.all(), kept with it
        self.found: list[Divergence | None] = [None] * groups
        self.first_loss: Tensor | None = None
        self.recent: dict[int, Tensor] = {0: flat}  # step -> the weights after it, for the last `window` steps
        self.window = window
        self._kept: dict[int, Tensor] = {}  # run -> its weights from before the step it diverged at
        self._pending: list[tuple[int, Tensor, Tensor | None]] = []  # (step, ok flags, train loss, test loss)
        self._bound: Tensor | None = None

    @property
    def at(self) -> list[int | None]:
        return [None if d is None else d.step for d in self.found]

    def update(self, step: int, after: Tensor, train_loss: Tensor, test_loss: Tensor | None = None) -> None:
        """The weights after `step` and the losses of those before it (train; test when it is
        another set); a bad loss or bad weights mark `step`. No host sync."""
        ok, train = self.flags(after, train_loss, test_loss)
        self.record(step, ok, train, test_loss, after)

    def update_steps(self, steps: Sequence[int], afters: Sequence[Tensor], train_losses: Tensor,
                     test_losses: Tensor | None = None) -> None:
        """update() for consecutive steps at once: their weights flagged in one pass over them stacked,
        then recorded in step order; the losses are (steps, G)."""
        ok, train = self.flags(torch.stack(list(afters)), train_losses, test_losses)
        for i, (step, after) in enumerate(zip(steps, afters, strict=True)):
            self.record(step, ok[i], train[i], None if test_losses is None else test_losses[i], after)

    def flags(self, after: Tensor, train_loss: Tensor, test_loss: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(ok per run, the training loss in float64) for one step, or for several at once (a leading
        steps dimension: (steps, G, P) weights and (steps, G) losses). Tensor operations only, so a
        replayed window (core.train.replay) computes them on the device. The first call, which
        starts at step 1, sets the loss bound from its first step's losses (those before step 1)."""
        train = train_loss.detach().double()
        if self._bound is None:
            first = self.first_loss = train.reshape(-1, train.shape[-1])[0]
            most = torch.finfo(torch.float64).max  # |loss| <= most: finite
            grow = (LOSS_GROWTH * first).clamp(max=most) if self.judge_growth else None
            self._bound = torch.full_like(first, most) if grow is None else torch.where(first > 0, grow, most)
        # max |w| <= WEIGHT_LIMIT (False for NaN) without a temporary |w| block
        ok = (after.amax(dim=-1) <= WEIGHT_LIMIT) & (after.amin(dim=-1) >= -WEIGHT_LIMIT) & (train.abs() <= self._bound)
        if test_loss is not None:
            ok &= torch.isfinite(test_loss.detach())
        return ok, train

    def record(self, step: int, ok: Tensor, train: Tensor, test_loss: Tensor | None, after: Tensor) -> None:
        """Keep one step's flags (from flags()), losses and weights until the next resolve()."""
        self._pending.append((step, ok, train, test_loss))
        self.keep(step, after)
        self.recent.pop(step - self.window - 1, None)

    def keep(self, step: int, weights: Tensor) -> None:
        """The weights after `step` are (now) `weights`: a replayed window points here at its own
        copy of them before it writes its slots again."""
        self.recent[step] = weights

    def resolve(self) -> bool:
        """Name the divergences flagged since the last call; True when every run has diverged."""
        pending, self._pending = self._pending, []
        if not pending:
            return self._everyone
        if len(pending) == 1 and bool((pending[0][1].cpu() | self.diverged).all()):
            # a look after every step (the cpu's, training.LOOK_EVERY_STEP_ON) that finds no run newly flagged:
            # two small operations instead of the window's seven, which were a tenth of a 16 x 16 SGD sweep's time
            return self._everyone
        bad = ~torch.stack([p[1] for p in pending]).cpu()  # (steps, G)
        fresh = bad.any(dim=0) & ~self.diverged
        if bool(fresh.any()):
            self._name(pending, bad, fresh)
        return self._everyone

    def _name(self, pending: list, bad: Tensor, fresh: Tensor) -> None:
        """Each fresh run's first flagged step, its reason by reason_codes and the weights before it.
        The evidence of every fresh run (its peaks after and before that step, its losses) is gathered
        on the weights' device and read back in one copy: on cuda each read waits for the device, and
        a sweep's runs diverge at many different steps."""
        steps = [p[0] for p in pending]
        if steps[0] - 1 not in self.recent:
            raise AssertionError("resolve() came later than the window of kept weights")  # a bug, never input
        flagged = bad.numpy()  # numpy's argmax down a (steps, runs) block is ten times torch's here
        first = flagged.argmax(axis=0)  # each run's first flagged step in this window
        runs = np.flatnonzero(fresh.numpy())  # rows of the block
        runs = runs[np.argsort(first[runs], kind="stable")]  # grouped by that step
        at_step = first[runs].tolist()
        on_device = torch.from_numpy(runs).to(self.recent[steps[0]].device)  # each step's runs: a slice of it
        befores, evidence, start = [], [], 0
        for k in sorted(set(at_step)):
            count = at_step.count(k)
            rows = on_device[start:start + count]
            start += count
            before = self.recent[steps[k] - 1][rows]
            train = pending[k][2][rows]
            test = train if pending[k][3] is None else pending[k][3][rows].double()
            befores.append(before)
            evidence.append(torch.stack([max_abs([self.recent[steps[k]][rows]]), max_abs([before]), train, test,
                                         self.first_loss[rows]]))
        peak, peak_before, train, test, first_loss = torch.cat(evidence, dim=1).cpu()  # the one wait
        loss = torch.where(torch.isfinite(train) & torch.isfinite(test), train, torch.nan)
        codes = reason_codes(peak, loss, first_loss if self.judge_growth else None).tolist()
        values = {"loss_growth": loss.tolist(), "loss_overflow": peak_before.tolist()}
        peaks = peak.tolist()
        before = torch.cat(befores)
        ids = runs if self.ids is None else self.ids.numpy()[runs]  # the rows' runs
        for j, (i, k, code) in enumerate(zip(ids.tolist(), at_step, codes, strict=True)):
            if code == 0:
                raise AssertionError("the per-step flag and reason_codes disagree")  # a bug, never input
            reason = REASONS[code - 1]
            self.found[i] = Divergence(steps[k], reason, values.get(reason, peaks)[j])
            self._kept[i] = before[j]
        self.diverged |= fresh
        self._everyone = bool(self.diverged.all())

    def compact(self, keep: Tensor) -> None:
        """Only the block's rows where `keep` (rows,) is True stay: the trainer dropped the others (runs that
        diverged; their Divergence and last good weights stay here, under their run). Called between two
        looks, when no step waits to be resolved; the kept weights of recent steps lose those rows too."""
        if self._pending:
            raise AssertionError("compact() between a step and its resolve()")  # a bug, never input
        rows = torch.nonzero(keep).flatten()
        on_device = rows.to(self._bound.device)
        self.ids = rows if self.ids is None else self.ids[rows]
        self.diverged = self.diverged[rows]
        self.first_loss, self._bound = self.first_loss[on_device], self._bound[on_device]
        self.recent = {step: weights.index_select(0, on_device) for step, weights in self.recent.items()}

    def rows_of(self, runs: Tensor) -> Tensor:
        """The block's rows of these runs (each still in it)."""
        return runs if self.ids is None else torch.searchsorted(self.ids, runs)

    def every_run(self, flat: Tensor) -> Tensor:
        """The block with a row for every run again: `flat`'s rows where compact() left them, and each dropped
        run's last good weights in its own row (its curves end where it diverged, so nothing else reads it)."""
        if self.ids is None:
            return flat
        out = flat.new_empty((self.runs, flat.shape[1]))
        out[self.ids.to(flat.device)] = flat
        dropped = sorted(set(range(self.runs)) - set(self.ids.tolist()))
        if dropped:
            out[torch.tensor(dropped, device=flat.device)] = torch.stack([self._kept[i] for i in dropped])
        return out

    def found_by(self, step: int) -> list[Divergence | None]:
        """Each run's Divergence if it came by `step` (a training cut there: core.train.kept_training, a kept
        sweep's recorded epoch), else None."""
        return [d if d is not None and d.step <= step else None for d in self.found]

    def last_good(self, flat: Tensor, until: int | None = None) -> Tensor:
        """Every run's last good weights: `flat` (the final weights) for the runs that never diverged (by step
        `until`, if given: a training cut there, core.train.kept_training)."""
        runs = [i for i in self._kept if until is None or self.found[i].step <= until]
        if not runs:
            return flat
        out = flat.clone()
        out[torch.tensor(runs, device=flat.device)] = torch.stack([self._kept[i] for i in runs])
        return out
