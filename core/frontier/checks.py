"""The checks the frontier experiments make of their inputs, stated once: a rate is a positive
finite number, and one step's decay lr·wd stays below 1 (at 1 it zeroes the weights, above it
flips their sign, so no experiment means anything there)."""

from __future__ import annotations

import math

from core import numbers


def positive(**values: float) -> None:
    """Each value a positive finite number, else a ValueError naming it."""
    for name, value in values.items():
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def decay_below_one(lr: float, wd: float) -> None:
    """lr·wd below 1, else a ValueError saying what it is."""
    if lr * wd >= 1:
        raise ValueError(f"lr*wd must be below 1 (it is {numbers.fmt(lr * wd)}): the weights would flip sign")
