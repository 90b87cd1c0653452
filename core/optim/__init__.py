"""The registry of written-out update rules: one entry feeds the page's selectors and the dispatch.

A new optimizer is one module with a functional `step(...)` and its written-out
`explain_first_step(...)` (core.optim.first_step) plus one line in OPTIMIZERS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass

import torch

from core.optim import adagrad, adam, adamw, rmsprop, sgd
from core.optim.first_step import Explanation
from core.registry import lookup


@dataclass(frozen=True)
class Option:
    """One hyperparameter a user may flip; bools are checkboxes, floats sliders on [low, high]."""

    name: str
    default: float | bool
    low: float = 0.0
    high: float = 1.0
    help: str = ""
    step: float = 0.01  # slider resolution


@dataclass(frozen=True)
class OptimizerSpec:
    """How one torch.optim class is named, written out, configured and built."""

    key: str
    label: str
    torch_class: str
    step: Callable
    options: tuple[Option, ...]
    decay_enters: str  # "gradient": wd*θ joins the gradient; "parameter": lr*wd*θ leaves θ
    default_weight_decay: float = 0.0
    _: KW_ONLY
    explain_first_step: Callable[..., Explanation]  # (w, g, *, lr, weight_decay, **resolved options)

    def resolve(self, options: Mapping[str, float | bool] | None = None) -> dict:
        """Fill defaults and reject unknown names, so a typo never passes silently."""
        given = dict(options or {})
        known = {o.name for o in self.options}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"{self.label} has no option {', '.join(unknown)}; it has {sorted(known)}")
        return {o.name: _coerce(o.default, given.get(o.name, o.default)) for o in self.options}

    def torch_kwargs(self, options: Mapping[str, float | bool] | None = None) -> dict:
        """Our option names are torch's, except that Adam-style betas travel as a pair."""
        kwargs = self.resolve(options)
        if "beta1" in kwargs:
            kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
        return kwargs

    def make_torch(self, params, *, lr: float, weight_decay: float, options=None) -> torch.optim.Optimizer:
        cls = getattr(torch.optim, self.torch_class)
        return cls(params, lr=lr, weight_decay=weight_decay, **self.torch_kwargs(options))


def _coerce(default: float | bool, value) -> float | bool:
    """The option's own type; the string "false" is False, not bool("false")."""
    if isinstance(default, bool) and isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return type(default)(value)


MAXIMIZE = Option("maximize", False, help="Ascend the loss: the gradient is negated first.")
ADAM_OPTIONS = (
    Option("beta1", 0.9, 0.0, 0.999, "Decay rate of the first moment m.", step=0.001),
    Option("beta2", 0.999, 0.0, 0.9999, "Decay rate of the second moment v.", step=0.0001),
    Option("amsgrad", False, help="Divide by the running maximum of v instead of v."),
    MAXIMIZE,
)

OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.key: spec
    for spec in (
        OptimizerSpec(
            "sgd", "SGD", "SGD", sgd.step,
            (
                Option("momentum", 0.0, 0.0, 0.99, "Momentum μ: wd*θ accumulates in the buffer too."),
                Option("dampening", 0.0, 0.0, 0.99, "Dampening τ of the momentum buffer (not on step 1)."),
                Option("nesterov", False, help="Nesterov momentum; needs momentum > 0 and dampening 0."),
                MAXIMIZE,
            ),
            decay_enters="parameter", explain_first_step=sgd.explain_first_step,
        ),
        OptimizerSpec("adam", "Adam (L2-style weight_decay)", "Adam", adam.step, ADAM_OPTIONS, "gradient",
                      explain_first_step=adam.explain_first_step),
        OptimizerSpec("adamw", "AdamW (decoupled)", "AdamW", adamw.step, ADAM_OPTIONS, "parameter", 1e-2,
                      explain_first_step=adamw.explain_first_step),
        OptimizerSpec(
            "rmsprop", "RMSprop", "RMSprop", rmsprop.step,
            (
                Option("alpha", 0.99, 0.0, 0.999, "Smoothing constant of the squared-gradient average.", step=0.001),
                Option("momentum", 0.0, 0.0, 0.99, "Momentum applied to the normalised step."),
                Option("centered", False, help="Normalise by the variance estimate instead."),
                MAXIMIZE,
            ),
            decay_enters="gradient", explain_first_step=rmsprop.explain_first_step,
        ),
        OptimizerSpec(
            "adagrad", "Adagrad", "Adagrad", adagrad.step,
            (
                Option("lr_decay", 0.0, 0.0, 1.0, "The step size is lr / (1 + (t-1) * lr_decay)."),
                Option("initial_accumulator_value", 0.0, 0.0, 1.0, "Starting value of the sum of g²."),
                MAXIMIZE,
            ),
            decay_enters="gradient", explain_first_step=adagrad.explain_first_step,
        ),
    )
}


def get(key: str) -> OptimizerSpec:
    """Look an optimizer up by key, with a message that lists the valid ones."""
    return lookup(OPTIMIZERS, key, "optimizer")
