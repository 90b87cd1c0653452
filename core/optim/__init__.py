"""The registry of written-out update rules: one entry feeds the page's selectors and the dispatch.

A new optimizer is one module with a functional `step(...)` and its written-out
`explain_first_step(...)` (core.optim.first_step) plus one line in OPTIMIZERS. Its options
are core.schema Fields (key = torch's argument name): the page draws them, links carry them,
and resolve() fills and checks them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass

import torch

from core.optim import adagrad, adam, adamw, rmsprop, sgd
from core.optim.first_step import Explanation
from core.registry import lookup
from core.schema import Field


def option(key: str, default: float | bool, help: str, low: float = 0.0, high: float = 1.0,  # noqa: A002
           step: float = 0.01) -> Field:
    """One hyperparameter a user may flip: a bool is a checkbox, a float a slider on [low, high]."""
    if isinstance(default, bool):
        return Field(key, default, help=help)
    return Field(key, default, low, high, step=step, help=help)


@dataclass(frozen=True)
class OptimizerSpec:
    """How one torch.optim class is named, written out, configured and built."""

    key: str
    label: str
    torch_class: str
    step: Callable
    options: tuple[Field, ...]
    decay_enters: str  # "gradient": wd*θ joins the gradient; "parameter": lr*wd*θ leaves θ
    default_weight_decay: float = 0.0
    _: KW_ONLY
    explain_first_step: Callable[..., Explanation]  # (w, g, *, lr, weight_decay, **resolved options)
    # The rule's first use of weight_decay, which a caller that owns the gradient may make itself and then
    # call the rule with weight_decay=0, to the same bits (core.train.batched_step, on decayed columns only):
    # "gradient": g + wd·θ by base.add_scaled (g is the gradient negated when maximizing); "shrink":
    # θ·(1 − lr·wd) by adamw.shrink; None: only the rule applies its weight decay.
    decay_first: str | None = None
    # bool options that the other options rule out (the page disables them), from the resolved options
    ruled_out: Callable[[Mapping], frozenset[str]] = lambda options: frozenset()

    def resolve(self, options: Mapping[str, float | bool] | None = None) -> dict:
        """Fill defaults and reject unknown names, so a typo never passes silently."""
        given = dict(options or {})
        known = {o.key for o in self.options}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"{self.label} has no option {', '.join(unknown)}; it has {sorted(known)}")
        return {o.key: _coerce(o.default, given.get(o.key, o.default)) for o in self.options}

    def option(self, key: str) -> Field:
        """One option's declaration, e.g. for a page that offers SGD's momentum alone."""
        return next(o for o in self.options if o.key == key)

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


MAXIMIZE = option("maximize", False, "Ascend the loss: the gradient is negated first.")
ADAM_OPTIONS = (
    option("beta1", 0.9, "Decay rate of the first moment m.", 0.0, 0.999, step=0.001),
    option("beta2", 0.999, "Decay rate of the second moment v.", 0.0, 0.9999, step=0.0001),
    option("amsgrad", False, "Divide by the running maximum of v instead of v."),
    MAXIMIZE,
)

OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.key: spec
    for spec in (
        OptimizerSpec(
            "sgd", "SGD", "SGD", sgd.step,
            (
                option("momentum", 0.0, "Momentum μ: wd*θ accumulates in the buffer too.", 0.0, 0.99),
                option("dampening", 0.0, "Dampening τ of the momentum buffer (not on step 1).", 0.0, 0.99),
                option("nesterov", False, "Nesterov momentum; needs momentum > 0 and dampening 0."),
                MAXIMIZE,
            ),
            decay_enters="parameter", explain_first_step=sgd.explain_first_step, decay_first="gradient",
            ruled_out=lambda o: frozenset() if sgd.nesterov_allowed(o["momentum"], o["dampening"])
            else frozenset({"nesterov"}),
        ),
        OptimizerSpec("adam", "Adam (L2-style weight_decay)", "Adam", adam.step, ADAM_OPTIONS, "gradient",
                      explain_first_step=adam.explain_first_step, decay_first="gradient"),
        OptimizerSpec("adamw", "AdamW (decoupled)", "AdamW", adamw.step, ADAM_OPTIONS, "parameter", 1e-2,
                      explain_first_step=adamw.explain_first_step, decay_first="shrink"),
        OptimizerSpec(
            "rmsprop", "RMSprop", "RMSprop", rmsprop.step,
            (
                option("alpha", 0.99, "Smoothing constant of the squared-gradient average.", 0.0, 0.999, step=0.001),
                option("momentum", 0.0, "Momentum applied to the normalised step.", 0.0, 0.99),
                option("centered", False, "Normalise by the variance estimate instead."),
                MAXIMIZE,
            ),
            decay_enters="gradient", explain_first_step=rmsprop.explain_first_step,
        ),
        OptimizerSpec(
            "adagrad", "Adagrad", "Adagrad", adagrad.step,
            (
                option("lr_decay", 0.0, "The step size is lr / (1 + (t-1) * lr_decay).", 0.0, 1.0),
                option("initial_accumulator_value", 0.0, "Starting value of the sum of g².", 0.0, 1.0),
                MAXIMIZE,
            ),
            decay_enters="gradient", explain_first_step=adagrad.explain_first_step,
        ),
    )
}


def get(key: str) -> OptimizerSpec:
    """Look an optimizer up by key, with a message that lists the valid ones."""
    return lookup(OPTIMIZERS, key, "optimizer")
