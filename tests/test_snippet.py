"""core.explain.snippet: the copy-and-run PyTorch script reproduces what the page shows."""

import numpy as np
import pytest

from core.explain.snippet import pytorch_snippet
from core.step import StepConfig, run_step

CONFIGS = [
    StepConfig("sgd", lr=0.1, weight_decay=1.0),
    StepConfig("sgd", lr=0.1, weight_decay=0.3, options=(("momentum", 0.9), ("nesterov", True)), steps=3),
    StepConfig("adam", lr=0.01, weight_decay=0.1, options=(("amsgrad", True),), steps=3),
    StepConfig("adamw", lr=0.01, weight_decay=0.1, options=(("beta1", 0.5), ("maximize", True)), steps=3),
    StepConfig("rmsprop", lr=0.01, weight_decay=0.1, options=(("centered", True),), steps=3),
    StepConfig("adagrad", lr=0.1, weight_decay=0.1, options=(("lr_decay", 0.1),), steps=3),
    StepConfig("adamw", lr=0.01, weight_decay=0.5, pure_decay=True, steps=3),
    StepConfig("sgd", lr=0.1, weight_decay=0.5, loss="mse", steps=3),
    StepConfig("adam", lr=0.01, weight_decay=0.1, loss="mse", steps=3, dtype="float32"),
    StepConfig("rmsprop", lr=0.01, weight_decay=0.1, options=(("momentum", 0.9),), steps=3, dtype="float32"),
]
TOLERANCE = {"float64": dict(rtol=1e-12, atol=1e-15), "float32": dict(rtol=1e-5, atol=1e-7)}


def config_id(c: StepConfig) -> str:
    options = "-".join(f"{k}={v}" for k, v in c.options)
    return "-".join(filter(None, [c.optimizer, options, c.loss, c.dtype, f"steps{c.steps}",
                                  "pure" if c.pure_decay else ""]))


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_snippet_ends_at_the_pages_last_w(config, capsys):
    """Run the script as a reader would: its final W is the page's W_T (torch vs our rule, independently)."""
    namespace = {}
    exec(pytorch_snippet(config), namespace)
    assert "tensor(" in capsys.readouterr().out
    w = namespace["W"].detach().double().numpy()
    np.testing.assert_allclose(w, run_step(config).trajectory[-1], **TOLERANCE[config.dtype])


def test_snippet_uses_the_optimizers_torch_class_and_settings():
    source = pytorch_snippet(StepConfig("adam", lr=0.01, weight_decay=0.1, options=(("beta2", 0.9),)))
    assert "torch.optim.Adam([W], lr=0.01, weight_decay=0.1, " in source
    assert "betas=(0.9, 0.9)" in source and "amsgrad=False" in source
