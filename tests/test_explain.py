"""core.explain.first_steps: the written-out first step of one cell ends in the optimizer's real W_1."""

import numpy as np
import pytest

from core.explain.first_steps import explain_first_step, num
from core.step import StepConfig, run_step

OPTION_SAMPLES = {
    "sgd": [{}, {"momentum": 0.9, "dampening": 0.5}, {"momentum": 0.9, "nesterov": True}, {"maximize": True}],
    "adam": [{}, {"amsgrad": True}, {"maximize": True}, {"beta1": 0.5, "beta2": 0.9}],
    "adamw": [{}, {"amsgrad": True}, {"maximize": True}, {"beta1": 0.5, "beta2": 0.9}],
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.9}, {"alpha": 0.9, "centered": True, "maximize": True}],
    "adagrad": [{}, {"lr_decay": 0.1}, {"initial_accumulator_value": 0.2}, {"maximize": True}],
}
CASES = [
    pytest.param(key, options, id=f"{key}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'defaults'}")
    for key, samples in OPTION_SAMPLES.items()
    for options in samples
]
CELLS = [(0, 0), (0, 1), (1, 3), (2, 2), (3, 4)]


@pytest.mark.parametrize("weight_decay", [0.0, 0.5])
@pytest.mark.parametrize("loss", ["sum", "mse"])
@pytest.mark.parametrize(("key", "options"), CASES)
def test_explained_value_is_the_real_w1(key, options, loss, weight_decay):
    """The number a student reads at the end of the derivation is W_1[i, j] from the rule (and so torch)."""
    result = run_step(StepConfig(key, lr=0.1, weight_decay=weight_decay, loss=loss, options=tuple(options.items())))
    for i, j in CELLS:
        explanation = explain_first_step(key, float(result.w_before[i, j]), float(result.grad[i, j]), 0.1,
                                         weight_decay, options)
        np.testing.assert_allclose(explanation.value, result.w_after[i, j], rtol=1e-12, atol=1e-15,
                                   err_msg=f"cell {(i, j)}")
        assert explanation.lines and all(isinstance(line, str) and line for line in explanation.lines)


@pytest.mark.parametrize("key", sorted(OPTION_SAMPLES))
def test_explained_value_is_the_real_w1_under_pure_decay(key):
    """With zero loss gradient (the page's pure-decay switch) the derivation still ends at W_1."""
    result = run_step(StepConfig(key, lr=0.1, weight_decay=0.5, pure_decay=True))
    values = [[explain_first_step(key, float(w), 0.0, 0.1, 0.5, {}).value for w in row] for row in result.w_before]
    np.testing.assert_allclose(values, result.w_after, rtol=1e-12, atol=1e-15)


def test_unknown_optimizer_raises():
    with pytest.raises(ValueError, match="lion"):
        explain_first_step("lion", 0.5, 0.1, 0.1, 0.0, {})


@pytest.mark.parametrize(("value", "latex"), [(0.5, "0.5"), (-0.25, "-0.25"), (1.5e-05, r"1.5\times 10^{-5}"),
                                            (69314717.7094, r"6.93147\times 10^{7}"), (1e-8, r"1\times 10^{-8}")])
def test_num_writes_latex_numbers(value, latex):
    assert num(value) == latex
