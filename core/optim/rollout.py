"""Run k steps of an update rule on one tensor: the written-out rule, or torch.optim itself.

Both take the same gradient function, so the page's "rule vs torch.optim" check compares
like with like. A run stops at the first step whose weights have diverged (core.train.divergence:
inf/NaN, or past its weight limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from core.optim import OptimizerSpec
from core.optim.torch_loop import run_steps
from core.train.divergence import weights_blown_up

GradFn = Callable[[Tensor], Tensor | None]


@dataclass(frozen=True)
class Rollout:
    """Weights W_0..W_T (T <= steps; W_T is the non-finite one if it diverged) and the first decay term."""

    weights: Tensor  # (T + 1, *shape)
    states: tuple[dict, ...]  # optimizer state after each step, as torch names it
    first_decay_term: Tensor
    diverged_at: int | None  # first step whose weights diverged (core.train.divergence), else None

    def cut(self, step: int) -> Rollout:
        """The run up to and including W_step, marked as diverged there."""
        return Rollout(self.weights[:step + 1], self.states[:step], self.first_decay_term, step)


def rollout(spec: OptimizerSpec, w0: Tensor, grad_fn: GradFn, *, steps: int, lr: float,
            weight_decay: float, options=None) -> Rollout:
    """The written-out rule, functional: no tensor is modified in place."""
    kwargs = spec.resolve(options)
    weights, states, first_decay, diverged_at = [w0], [{}], None, None
    for t in range(1, steps + 1):
        update = spec.step(weights[-1], grad_fn(weights[-1]), states[-1], lr=lr, weight_decay=weight_decay, **kwargs)
        states.append(update.state)
        first_decay = update.decay_term if first_decay is None else first_decay
        weights.append(update.param)
        if weights_blown_up(update.param):  # keep the bad step so it can be shown
            diverged_at = t
            break
    if first_decay is None:
        first_decay = torch.zeros_like(w0)
    return Rollout(torch.stack(weights), tuple(states[1:]), first_decay, diverged_at)


def rollout_torch(spec: OptimizerSpec, w0: Tensor, grad_fn: GradFn, *, steps: int, lr: float,
                  weight_decay: float, options=None) -> Tensor:
    """torch.optim as the oracle: the same steps through the real optimizer class (core.optim.torch_loop)."""
    param = w0.detach().clone().requires_grad_(True)
    weights = [w0.detach().clone()]

    def set_grad(_: int) -> None:
        grad = grad_fn(param.detach().clone())
        param.grad = None if grad is None else grad.clone()

    def keep(_: int) -> bool:
        weights.append(param.detach().clone())
        return weights_blown_up(param)

    run_steps(spec.make_torch([param], lr=lr, weight_decay=weight_decay, options=options), steps,
              set_grads=set_grad, after_step=keep)
    return torch.stack(weights)


def _torch_state(state: dict) -> dict:
    """Our rule's state in torch.optim's own layout: the same keys, "step" as a tensor."""
    return {k: torch.tensor(float(v)) if k == "step" else v.clone() for k, v in state.items()}


def stepwise_oracle_diff(spec: OptimizerSpec, run: Rollout, grad_fn: GradFn, *, lr: float,
                         weight_decay: float, options=None) -> float:
    """max |W_t(rule) - torch.optim step from the rule's own (W_{t-1}, state_{t-1})| over t.

    Teacher-forced, so it judges each step the rule takes. Two free-running trajectories
    would instead measure chaos: near an unstable point 1-ulp op-order differences grow
    geometrically, and a correct rule would be reported as wrong.
    """
    param = run.weights[0].detach().clone().requires_grad_(True)
    opt = spec.make_torch([param], lr=lr, weight_decay=weight_decay, options=options)
    worst = 0.0
    for t in range(1, len(run.weights)):
        before, after = run.weights[t - 1], run.weights[t]
        if not (torch.isfinite(before).all() and torch.isfinite(after).all()):
            break
        with torch.no_grad():
            param.copy_(before)
        if t > 1:  # step 1 keeps the fresh state torch built (Adagrad fills its own)
            opt.state[param] = _torch_state(run.states[t - 2])
        grad = grad_fn(before.detach().clone())
        param.grad = None if grad is None else grad.clone()
        opt.step()
        worst = max(worst, float((param.detach() - after).abs().max()))
    return worst
