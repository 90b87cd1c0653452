"""core.step: one configuration in, everything the single-step page shows out."""

import numpy as np
import pytest
import torch

from core.optim import OPTIMIZERS
from core.problem import make_problem
from core.step import MAX_STEPS, StepConfig, adam_vs_adamw_pure_decay, run_step
from core.train.divergence import WEIGHT_LIMIT

SEED_W1_NO_DECAY = [
    [0.2489, -0.1300, 0.2084, 0.5483, -0.0072],
    [0.0653, 0.4214, 0.4217, 0.5243, 0.7393],
    [0.5694, 0.4559, 0.5674, 0.1679, 0.2067],
    [0.0317, 0.0972, 0.4345, -0.1044, 0.2372],
]
SEED_W1_DECAY_1_FIRST_ROWS = [  # the seed notebook's printout is cut after three rows
    [0.2050, -0.1360, 0.1686, 0.4745, -0.0254],
    [0.0478, 0.3683, 0.3685, 0.4608, 0.6544],
    [0.4969, 0.3948, 0.4951, 0.1356, 0.1705],
]


def test_sgd_without_decay_reproduces_the_seeds_w1():
    """The notebook's first printout: SGD(lr=0.1, weight_decay=0), one step."""
    result = run_step(StepConfig("sgd", lr=0.1, weight_decay=0.0))
    np.testing.assert_array_equal(np.round(result.w_after, 4), SEED_W1_NO_DECAY)


def test_sgd_with_decay_1_reproduces_the_seeds_w1():
    """The notebook's second printout (three rows shown); the rest follows w - lr*(g + wd*w)."""
    result = run_step(StepConfig("sgd", lr=0.1, weight_decay=1.0))
    np.testing.assert_array_equal(np.round(result.w_after[:3], 4), SEED_W1_DECAY_1_FIRST_ROWS)
    w, g = result.w_before, result.grad
    np.testing.assert_allclose(result.w_after, w - 0.1 * (g + 1.0 * w), rtol=1e-15, atol=0)


@pytest.mark.parametrize("loss", ["sum", "mse"])
@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_written_out_rule_matches_torch_over_20_steps(key, loss):
    """The page's own rule-vs-oracle number stays at rounding level for every optimizer and loss."""
    result = run_step(StepConfig(key, lr=0.05, weight_decay=0.5, loss=loss, steps=20))
    assert result.trajectory.shape == result.trajectory_no_decay.shape == (21, 4, 5)
    assert result.oracle_max_abs_diff <= 1e-12 and result.oracle_agrees
    assert result.diverged_at is None and len(result.losses) == 21


def test_oracle_agreement_is_relative_to_the_size_of_w():
    """Nesterov SGD with lr = wd = 1 grows W geometrically (the loss too); 1e-15 relative error is agreement."""
    result = run_step(StepConfig("sgd", lr=1.0, weight_decay=1.0, loss="mse", steps=200,
                                 options=(("momentum", 0.9), ("nesterov", True))))
    assert result.divergence is not None and result.divergence.reason in ("weights", "loss_growth")
    assert result.oracle_agrees


def test_a_run_that_grows_without_overflowing_is_diverged():
    """The defect: lr*wd = 2.5 grew W to 1e36 over 200 steps with no warning (diverged_at None)."""
    result = run_step(StepConfig("sgd", lr=0.25, weight_decay=10.0, steps=200))
    d = result.divergence
    assert d is not None and d.reason == "weights" and "grew past" in d.message()
    assert np.abs(result.trajectory[-1]).max() > WEIGHT_LIMIT >= np.abs(result.trajectory[-2]).max()
    assert np.isfinite(result.trajectory).all()


@pytest.mark.parametrize("weight_decay", [0.0, 1.0])
def test_rmsprop_rule_is_torch_step_by_step_on_a_long_mse_run(weight_decay):
    """Teacher-forced: from each of the rule's own (W_t, state_t), one torch.optim.RMSprop step gives W_{t+1}.
    This is what the page's check measures, and it holds to 1e-15."""
    spec, problem = OPTIMIZERS["rmsprop"], make_problem(loss="mse")
    w, state = problem.w0, {}
    for _ in range(200):
        update = spec.step(w, problem.grad(w), state, lr=0.1, weight_decay=weight_decay, **spec.resolve())
        param = w.clone().requires_grad_(True)
        opt = torch.optim.RMSprop([param], lr=0.1, weight_decay=weight_decay)
        if state:
            opt.state[param] = {k: torch.tensor(float(v)) if k == "step" else v.clone() for k, v in state.items()}
        param.grad = problem.grad(w)
        opt.step()
        torch.testing.assert_close(update.param, param.detach(), rtol=0, atol=1e-15)
        w, state = update.param, update.state


def test_long_rmsprop_run_is_reported_as_agreeing_with_torch():
    """The page's rule-vs-oracle badge should judge the rule, not the chaos of the trajectory."""
    assert run_step(StepConfig("rmsprop", lr=0.1, weight_decay=1.0, loss="mse", steps=200)).oracle_agrees


def test_sgd_decay_changes_step_1_by_minus_lr_wd_w0():
    """SGD's decay part of the first step is exactly -lr * wd * W_0."""
    result = run_step(StepConfig("sgd", lr=0.1, weight_decay=0.7))
    np.testing.assert_allclose(result.difference, -0.1 * 0.7 * result.w_before, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.decay_term, 0.1 * 0.7 * result.w_before, rtol=1e-15, atol=0)


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_gradient_part_plus_decay_part_is_the_whole_change(key):
    """The page splits each cell's change in two; the parts add back up to W_1 - W_0."""
    result = run_step(StepConfig(key, lr=0.1, weight_decay=0.5, loss="mse"))
    np.testing.assert_allclose(result.gradient_part + result.difference, result.w_after - result.w_before,
                               rtol=1e-12, atol=1e-15)


def test_norms_are_frobenius_norms_of_the_trajectory():
    result = run_step(StepConfig("adamw", steps=5))
    np.testing.assert_allclose(result.norms, [np.linalg.norm(w) for w in result.trajectory], rtol=1e-15)
    assert result.norms[-1] < result.norms_no_decay[-1]  # decay shrinks W


def test_pure_decay_feeds_zero_gradients():
    """pure_decay replaces the loss gradient by zeros, so decay acts alone: W_1 = (1 - lr*wd) W_0 for SGD."""
    result = run_step(StepConfig("sgd", lr=0.1, weight_decay=0.5, pure_decay=True))
    assert not result.grad.any()
    np.testing.assert_allclose(result.w_after, (1 - 0.1 * 0.5) * result.w_before, rtol=1e-15)


def test_adam_l2_moves_every_weight_by_lr_while_adamw_shrinks_it():
    """The page's key contrast: with zero loss gradient Adam's L2 decay is normalised away to a step
    of about lr per weight whatever its size, while AdamW multiplies W by 1 - lr*wd."""
    lr, wd = 0.01, 0.5
    cmp = adam_vs_adamw_pure_decay(lr=lr, weight_decay=wd)
    np.testing.assert_allclose(np.abs(cmp.adam_change), lr, rtol=1e-6)
    assert (np.sign(cmp.adam_change) == -np.sign(cmp.w_before)).all()
    np.testing.assert_allclose(cmp.adamw_change, -lr * wd * cmp.w_before, rtol=1e-12)


@pytest.mark.parametrize("steps", [0, MAX_STEPS + 1])
def test_steps_outside_1_to_max_raise(steps):
    with pytest.raises(ValueError, match="steps"):
        StepConfig("sgd", steps=steps)


def test_config_rejects_unknown_optimizer_and_option():
    """A bad link fails when the config is built, not deep inside a run."""
    with pytest.raises(ValueError, match="Unknown optimizer"):
        StepConfig("lion")
    with pytest.raises(ValueError, match="no option"):
        StepConfig("sgd", options=(("betas", 0.9),))


def test_divergent_run_still_gives_the_page_its_arrays():
    """SGD with lr*wd = 10 multiplies W by -9 per step: it stops at the step W passes the weight limit, and
    the page can still plot it."""
    result = run_step(StepConfig("sgd", lr=1.0, weight_decay=10.0, steps=200, dtype="float32"))
    n = result.diverged_at
    assert n is not None and n < 200
    assert result.trajectory.shape == result.trajectory_no_decay.shape == (n + 1, 4, 5)
    assert len(result.losses) == len(result.norms) == len(result.norms_no_decay) == n + 1
    assert np.abs(result.trajectory[-1]).max() > WEIGHT_LIMIT >= np.abs(result.trajectory[:-1]).max()
    assert np.isfinite(result.trajectory_no_decay).all()  # without decay the same run stays finite
    assert result.w_after.shape == result.difference.shape == result.gradient_part.shape == (4, 5)


@pytest.mark.parametrize("key,decay_shares_with", [("sgd", "Difference"), ("adamw", "Difference"),
                                                    ("adam", "Gradient"), ("rmsprop", "Gradient")])
def test_step_panels_share_scales_by_units(key, decay_shares_with):
    """The three W's share one scale; the decay term shares the gradient's when it joins the
    gradient, the difference's when it leaves W."""
    from core.step import step_panels

    panels = step_panels(run_step(StepConfig(key, 0.1, 0.5)))

    def limit(prefix: str) -> float:
        return next(lim for _, title, lim in panels if title.startswith(prefix))

    assert limit("W before") == limit("W after, weight_decay = 0") == limit("W after, weight_decay = 0.5")
    assert limit("Decay term") == limit(decay_shares_with)
    for values, _, lim in panels:
        assert np.abs(values).max() <= lim


def test_step_panel_title_writes_weight_decay_with_core_numbers():
    """A tiny weight decay reads 1e-8 in the panel title, not 1e-08."""
    from core.step import step_panels

    titles = [title for _, title, _ in step_panels(run_step(StepConfig("sgd", 0.1, 1e-8)))]
    assert "W after, weight_decay = 1e-8" in titles
