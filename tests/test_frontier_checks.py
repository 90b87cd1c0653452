"""core/frontier/checks.py: the input checks every frontier experiment shares."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.frontier.checks import decay_below_one, positive


@pytest.mark.parametrize("value", [0, -1.0, math.nan, math.inf, "0.1", None])
def test_a_rate_that_is_not_a_positive_finite_number_is_named(value):
    with pytest.raises(ValueError, match="wd must be a positive finite number"):
        positive(lr=0.1, wd=value)


def test_positive_numbers_numpy_ones_included_pass():
    positive(lr=0.1, wd=np.float64(2.0), steps=3)


def test_a_decay_of_one_or_more_per_step_is_refused_with_its_size():
    decay_below_one(0.5, 1.99)
    with pytest.raises(ValueError, match=r"lr\*wd must be below 1 \(it is 1\)"):
        decay_below_one(0.5, 2.0)
