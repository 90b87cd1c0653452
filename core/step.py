"""The single-step lab: one configuration in, everything the page shows out.

One call runs the written-out rule with the chosen weight decay and with none, and the
same steps through torch.optim, so the page can show W before/after, the decay term, the
split of each change, the step-through and the rule-vs-oracle check from one result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from core import numbers, optim
from core.optim.rollout import rollout, stepwise_oracle_diff
from core.problem import NONNEGATIVE_LOSSES, SEED, make_problem
from core.schema import Field
from core.train.divergence import Divergence, first_divergence

MAX_STEPS = 200  # upper bound of the step-through, so one visitor cannot ask for a million
ORACLE_TOLERANCE = {"float64": 1e-12, "float32": 1e-5}  # relative to the largest |W|; float32 differs by FMA
# The seed experiment's two knobs, as the single-step and theory pages offer them.
LR = Field("lr", 0.1, 0.0, 1.0, step=0.001, label="Learning rate lr")
WEIGHT_DECAY = Field("weight_decay", 1.0, 0.0, 10.0, step=0.01, label="Weight decay wd")


@dataclass(frozen=True)
class StepConfig:
    """Plain values only, so the page can cache on it and a link can carry it."""

    optimizer: str = "sgd"
    lr: float = 0.1
    weight_decay: float = 1.0
    options: tuple[tuple[str, float | bool], ...] = ()  # (name, value) pairs, hashable
    loss: str = "sum"
    dtype: str = "float64"
    seed: int = SEED
    device: str = "cpu"
    steps: int = 1
    pure_decay: bool = False  # the loss gradient is replaced by zeros: decay alone acts

    def __post_init__(self):
        optim.get(self.optimizer).resolve(dict(self.options))
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be in [1, {MAX_STEPS}], got {self.steps}")


@dataclass(frozen=True)
class StepResult:
    """Float64 numpy arrays (whatever dtype ran), indexed [row, col] like W."""

    config: StepConfig
    decay_enters: str  # "gradient" or "parameter", from the optimizer's spec
    w_before: np.ndarray
    grad: np.ndarray  # gradient at W_0 as the optimizer receives it (before any decay)
    decay_term: np.ndarray  # first step's decay term, as torch applies it
    trajectory: np.ndarray  # (T + 1, 4, 5) with the chosen weight decay
    trajectory_no_decay: np.ndarray  # the same steps with weight_decay = 0
    oracle_max_abs_diff: float  # rule vs torch.optim, each step from the rule's own state, both runs
    divergence: Divergence | None = None  # the shared criterion of core.train.divergence, on the decayed run
    losses: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def diverged_at(self) -> int | None:
        return None if self.divergence is None else self.divergence.step

    @property
    def w_after(self) -> np.ndarray:
        return self.trajectory[1]

    @property
    def w_after_no_decay(self) -> np.ndarray:
        return self.trajectory_no_decay[1]

    @property
    def difference(self) -> np.ndarray:
        """What the decay changed in step 1: W_1(wd) - W_1(wd=0). Also each cell's decay part."""
        return self.w_after - self.w_after_no_decay

    @property
    def gradient_part(self) -> np.ndarray:
        """What the loss gradient alone moved in step 1: W_1(wd=0) - W_0."""
        return self.w_after_no_decay - self.w_before

    @property
    def oracle_agrees(self) -> bool:
        """Rule and torch.optim agree within the dtype's tolerance, relative to the largest finite |W|."""
        finite = np.abs(self.trajectory[np.isfinite(self.trajectory)])
        scale = max(1.0, float(finite.max()) if finite.size else 1.0)
        return self.oracle_max_abs_diff <= ORACLE_TOLERANCE[self.config.dtype] * scale

    @property
    def norms(self) -> np.ndarray:
        """Frobenius norm ||W_t||_F for t = 0..T."""
        return np.linalg.norm(self.trajectory, axis=(1, 2))

    @property
    def norms_no_decay(self) -> np.ndarray:
        return np.linalg.norm(self.trajectory_no_decay, axis=(1, 2))


def run_step(config: StepConfig) -> StepResult:
    spec = optim.get(config.optimizer)
    problem = make_problem(config.seed, config.loss, config.dtype, config.device)
    grad_fn = (lambda w: torch.zeros_like(w)) if config.pure_decay else problem.grad
    options = dict(config.options)

    def checked(weight_decay: float):
        """The rule's run cut at core.train.divergence's first diverged step, its losses, and its oracle check."""
        kw = dict(lr=config.lr, weight_decay=weight_decay, options=options)
        with torch.no_grad():
            run = rollout(spec, problem.w0, grad_fn, steps=config.steps, **kw)
        losses = [float(problem.loss(w)) for w in run.weights]
        found = first_divergence(run.weights, torch.tensor(losses), config.loss in NONNEGATIVE_LOSSES)
        if found is not None:  # the rollout stops on weights alone; a loss criterion may trip earlier
            run, losses = run.cut(found.step), losses[:found.step + 1]
        return run, losses, found, stepwise_oracle_diff(spec, run, grad_fn, **kw)

    (ours, losses, divergence, diff), (ours0, _, _, diff0) = checked(config.weight_decay), checked(0.0)
    as_np = lambda t: t.detach().double().cpu().numpy()  # noqa: E731
    return StepResult(
        config=config,
        decay_enters=spec.decay_enters,
        w_before=as_np(problem.w0),
        grad=as_np(grad_fn(problem.w0)),
        decay_term=as_np(ours.first_decay_term),
        trajectory=as_np(ours.weights),
        trajectory_no_decay=_pad(as_np(ours0.weights), len(ours.weights)),
        oracle_max_abs_diff=max(diff, diff0),
        divergence=divergence,
        losses=np.array(losses),
    )


def _pad(traj: np.ndarray, length: int) -> np.ndarray:
    """Cut or NaN-pad the no-decay run to the decayed run's length, so both plot on one axis."""
    if len(traj) >= length:
        return traj[:length]
    pad = np.full((length - len(traj), *traj.shape[1:]), np.nan)
    return np.concatenate([traj, pad])


@dataclass(frozen=True)
class PureDecayComparison:
    """One step with zero loss gradient from the same W_0: Adam's L2 versus AdamW."""

    w_before: np.ndarray
    adam_change: np.ndarray  # W_1 - W_0 under Adam(weight_decay=wd)
    adamw_change: np.ndarray  # W_1 - W_0 under AdamW(weight_decay=wd)


def adam_vs_adamw_pure_decay(lr: float, weight_decay: float, seed: int = SEED, dtype: str = "float64",
                             device: str = "cpu") -> PureDecayComparison:
    """Adam-L2 moves each weight by about lr toward 0; AdamW multiplies it by 1 - lr*wd."""
    changes = {}
    for key in ("adam", "adamw"):
        config = StepConfig(key, lr, weight_decay, seed=seed, dtype=dtype, device=device, pure_decay=True)
        result = run_step(config)
        changes[key] = result.w_after - result.w_before
    return PureDecayComparison(result.w_before, changes["adam"], changes["adamw"])


def step_panels(r: StepResult) -> list[tuple[np.ndarray, str, float]]:
    """The six matrices the page draws, each with its title and colour limit. Matrices in the
    same units share one symmetric scale: the three W's; the gradient with a decay term that
    joins it (Adam, RMSprop, Adagrad); a decay term that leaves W (SGD, AdamW) with the
    difference, which it then equals on step 1."""
    from core.figures import symmetric_limit

    leaves = r.decay_enters == "parameter"
    w_lim = symmetric_limit(r.w_before, r.w_after, r.w_after_no_decay)
    change_lim = symmetric_limit(r.difference, *([r.decay_term] if leaves else []))
    grad_lim = symmetric_limit(r.grad, *([] if leaves else [r.decay_term]))
    decay_title = "Decay term lr·wd·W (leaves W)" if leaves else "Decay term wd·W (joins the gradient)"
    return [
        (r.w_before, "W before (W₀)", w_lim),
        (r.grad, "Gradient ∂loss/∂W", grad_lim),
        (r.decay_term, decay_title, change_lim if leaves else grad_lim),
        (r.w_after_no_decay, "W after, weight_decay = 0", w_lim),
        (r.w_after, f"W after, weight_decay = {numbers.fmt(r.config.weight_decay, 4)}", w_lim),
        (r.difference, "Difference: W after(wd) − W after(0)", change_lim),
    ]
