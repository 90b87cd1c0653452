"""core/frontier/rotation.py and rotation_sim.py: the written-out rules against torch.optim itself
(float64), the simulated equilibria against the forms of the module docstring (Kosson, Messmer &
Jaggi, "Rotational Equilibrium", ICML 2024, and the forms derived there), each within the tolerance
its test states, and every sentence against the numbers it describes."""

import math

import numpy as np
import pytest
import torch

from core.frontier import rotation as rot
from core.frontier.rotation_sim import BETA2, EPS, MAX_STEPS, Run, Trace, gradient, noise_chunks, simulate, start
from tests.page_helpers import page_fields

ANGLE_TOL = 0.03  # relative: the mean angle over the second half against its form
NORM_TOL = 0.03  # relative: the mean norm, where the leading-order form applies (see each test)


def torch_run(run: Run, w0: np.ndarray, xis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch.optim itself on the toy's loss s * xi . w/||w||, its gradient by autograd: (norms, w_T)."""
    p = torch.tensor(w0, requires_grad=True)
    if run.rule == "sgd":
        opt = torch.optim.SGD([p], lr=run.lr, momentum=run.beta, weight_decay=run.wd)
    else:
        kind = torch.optim.AdamW if run.rule == "adamw" else torch.optim.Adam
        opt = kind([p], lr=run.lr, betas=(run.beta, BETA2), eps=EPS, weight_decay=run.wd)
    norms = [float(p.detach().norm())]
    for xi in torch.tensor(xis):
        opt.zero_grad()
        (run.scale * (xi @ (p / p.norm()))).backward()
        opt.step()
        norms.append(float(p.detach().norm()))
    return np.array(norms), p.detach().numpy()


def test_the_written_out_rules_are_torch_optim_on_the_same_noise():
    runs = (Run("sgd", 0.03, 0.1, 0.0, 3.0), Run("adamw", 0.01, 1.0, 0.9), Run("sgd", 0.01, 1.0, 0.9),
            Run("adam_l2", 0.01, 1.0, 0.9, 100.0), Run("adamw", 0.1, 0.3, 0.5, 100.0), Run("adam_l2", 0.003, 0.1, 0.0))
    steps = 60  # past Adam's bias-correction start, at torch.optim's pace
    trace = simulate(runs, steps)
    w0, xis = start(len(runs)), np.concatenate(list(noise_chunks(len(runs), steps)))
    for i, run in enumerate(runs):
        norms, final = torch_run(run, w0[i], xis[:, i])
        np.testing.assert_allclose(trace.final[i], final, rtol=0, atol=1e-13)
        np.testing.assert_allclose(trace.norms[i], norms, rtol=1e-13)


def test_the_gradient_is_autograds_and_orthogonal_to_w():
    rng = np.random.default_rng(0)
    w, xi = rng.standard_normal((3, 8)) * 4, rng.standard_normal((3, 8))
    scale = np.array([[1.0], [10.0], [0.5]])
    g = gradient(w, xi, scale)
    p = torch.tensor(w, requires_grad=True)
    (torch.tensor(scale[:, 0]) * (torch.tensor(xi) * (p / p.norm(dim=1, keepdim=True))).sum(1)).sum().backward()
    np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose((g * w).sum(1), 0, atol=1e-13)


def test_sgd_without_momentum_turns_by_exactly_arccos_of_its_shrink_times_the_norm_ratio():
    """The docstring's derivation: g . w = 0, so cos(angle_t) = (1 - lr*wd) ||w_t|| / ||w_t+1||."""
    lr, wd = 0.03, 0.3
    trace = simulate((Run("sgd", lr, wd, 0.0),), 300)
    n = trace.norms[0]
    np.testing.assert_allclose(np.cos(trace.angles[0]), (1 - lr * wd) * n[:-1] / n[1:], rtol=1e-12)


@pytest.mark.parametrize("lr,wd,beta", [(0.01, 1.0, 0.0), (0.01, 1.0, 0.9), (0.1, 0.1, 0.5), (0.01, 0.1, 0.9)])
def test_sgd_settles_at_the_predicted_angle_and_norm(lr, wd, beta):
    run = Run("sgd", lr, wd, beta)
    trace = simulate((run,), 2000)
    assert trace.window >= rot.SETTLED * rot.relaxation(run)
    assert trace.mean_angle(0) == pytest.approx(rot.predicted_angle(run), rel=ANGLE_TOL)
    assert trace.mean_norm(0) == pytest.approx(rot.predicted_norm(run), rel=NORM_TOL)


@pytest.mark.parametrize("lr,wd,beta", [(0.01, 1.0, 0.9), (0.01, 1.0, 0.0), (0.1, 0.1, 0.9), (0.03, 1.0, 0.5)])
def test_adamw_settles_at_the_predicted_angle(lr, wd, beta):
    run = Run("adamw", lr, wd, beta)
    trace = simulate((run,), 2000)
    assert trace.window >= rot.SETTLED * rot.relaxation(run)
    assert trace.mean_angle(0) == pytest.approx(rot.predicted_angle(run), rel=ANGLE_TOL)


def test_adamw_norm_is_its_leading_order_form_where_eta_lambda_is_small():
    """lr*wd = 1e-3, started at the predicted norm so Adam's v has no larger early gradients to remember."""
    run = Run("adamw", 0.01, 0.1, 0.9)
    trace = simulate((run,), 3000, init_norm=rot.predicted_norm(run))
    assert trace.mean_norm(0) == pytest.approx(rot.predicted_norm(run), rel=NORM_TOL)
    assert trace.mean_angle(0) == pytest.approx(rot.predicted_angle(run), rel=ANGLE_TOL)


@pytest.mark.parametrize("lr,wd", [(0.01, 1.0), (0.1, 0.1)])
def test_adam_l2_settles_at_the_derived_equilibrium(lr, wd):
    run = Run("adam_l2", lr, wd, 0.9)
    trace = simulate((run,), 2000)
    assert trace.window >= rot.SETTLED * rot.relaxation(run)
    assert trace.mean_angle(0) == pytest.approx(rot.predicted_angle(run), rel=ANGLE_TOL)
    assert trace.mean_norm(0) == pytest.approx(rot.predicted_norm(run), rel=NORM_TOL)


@pytest.mark.parametrize("scale", [10.0, 100.0])
def test_adamw_balances_layers_of_different_gradient_scale_and_adam_l2_does_not(scale):
    result = rot.experiment(scale=scale)
    assert rot.balance(result, rot.ADAMW)[2] < 1.01
    low, high, ratio = rot.balance(result, rot.L2)
    assert low > high  # the layer with smaller gradients turns faster
    assert ratio == pytest.approx(scale ** (1 / 3), rel=0.1)  # the derived s^(1/3), within 10% after 2000 steps


def test_the_linearized_relaxation_times_are_the_measured_e_folding_within_a_factor_of_two():
    """16 copies of each run started 30% above its predicted norm; where the linearization holds
    (lr*wd small against (1 - beta)^2) the offset's e-folding time is within 2x of the formula."""
    cases = [Run("sgd", 0.01, 1.0, 0.0), Run("sgd", 0.01, 0.1, 0.5), Run("adamw", 0.01, 1.0, 0.9),
             Run("adam_l2", 0.01, 1.0, 0.9)]
    runs = [c for c in cases for _ in range(16)]
    trace = simulate(runs, 800, init_norm=[1.3 * rot.predicted_norm(r) for r in runs])
    for k, case in enumerate(cases):
        mean = trace.norms[16 * k:16 * (k + 1)].mean(0)
        offset = np.log(mean / mean[-200:].mean())
        measured = int(np.argmax(offset < offset[0] / math.e))
        assert 0.5 < measured / rot.relaxation(case) < 2, (case, measured, rot.relaxation(case))


def _fake(angles: list[float], norms: list[float], scale: float = 100.0, steps: int = 100) -> rot.Rotation:
    """A Rotation whose five runs held these angles and norms every step."""
    runs = rot.runs(0.01, 1.0, 0.9, scale)
    return rot.Rotation(Trace(runs, np.repeat(np.array(norms)[:, None], steps + 1, 1),
                              np.repeat(np.array(angles)[:, None], steps, 1), np.zeros((5, 2))), scale)


def test_the_sentences_state_the_numbers_they_describe():
    p = [rot.predicted_angle(r) for r in rot.runs(0.01, 1.0, 0.9, 100.0)]
    n = [rot.predicted_norm(r) for r in rot.runs(0.01, 1.0, 0.9, 100.0)]
    result = _fake([1.1 * p[0], 0.9 * p[1], 2.5 * 0.9 * p[1], 0.05, 0.05], [n[0], 2 * n[1], 1.0, 1.0, 1.0])
    sgd, adamw, balance_w, balance_l2 = rot.sentences(result)
    assert "10% above √(2ηλ/(1+β))" in sgd and rot._gap(2.0, 2.0) == "equal to"
    assert "10% below" in adamw and "100% above the predicted" in adamw
    assert "(1−β)/(4ηλ) is 2.5 steps and the window starts 20 of them in." in sgd  # 50 steps / 2.5
    assert "1/(2ηλ) is 50 steps and the window starts 1 of them in: too soon" in adamw
    assert "the layer with 100× larger gradients turned 2.5× faster, unbalanced." in balance_w
    assert "ratio 1, balanced." in balance_l2 and "100^(1/3) = 4.64×" in balance_l2
    same = _fake([0.1, 0.1, 0.1, 0.08, 0.1], [1.0] * 5, scale=1.0)
    assert "smaller gradients turned 1.25× faster" not in rot.sentences(same)[3]
    assert "ratio 1.25" not in rot.sentences(same)[3] and "1.25× faster" in rot.sentences(same)[3]
    assert "^(1/3)" not in rot.sentences(same)[3]  # one gradient scale: no predicted imbalance


def test_the_recipe_sentence_is_llamas_and_out_of_the_toys_reach():
    text = rot.recipe_sentence()
    assert "lr·wd = 3e-5" in text and "16,667 steps" in text
    assert rot.relaxation(Run("adamw", 3e-4, 0.1, 0.9)) > MAX_STEPS


@pytest.mark.parametrize("bad,match", [
    (dict(rule="lion"), "Unknown rule"), (dict(lr=0.0), "positive finite"), (dict(wd=math.nan), "positive finite"),
    (dict(scale=-1.0), "positive finite"), (dict(lr=2.0, wd=0.5), "below 1"), (dict(beta=1.0), r"\[0, 1\)")])
def test_bad_runs_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        simulate((Run(**{"rule": "sgd", "lr": 0.01, "wd": 0.1, "beta": 0.9, **bad}),), 10)


@pytest.mark.parametrize("kw,match", [(dict(steps=0), "steps"), (dict(steps=MAX_STEPS + 1), "steps"),
                                      (dict(steps=10, init_norm=[1.0, 2.0]), "init_norm"),
                                      (dict(steps=10, dim=1), "dim")])
def test_bad_simulations_get_a_message(kw, match):
    with pytest.raises(ValueError, match=match):
        simulate((Run("sgd", 0.01, 0.1, 0.9),), **kw)


def test_every_corner_of_the_pages_controls_runs_finite():
    fields = {f.key: f.choices for f in page_fields("frontier") if f.key.startswith("rot_")}
    corners = [(lr, wd, beta, scale) for lr in (min(fields["rot_lr"]), max(fields["rot_lr"]))
               for wd in (min(fields["rot_wd"]), max(fields["rot_wd"]))
               for beta in (min(fields["rot_beta"]), max(fields["rot_beta"]))
               for scale in (min(fields["rot_scale"]), max(fields["rot_scale"]))]
    trace = simulate([run for corner in corners for run in rot.runs(*corner)], min(fields["rot_steps"]))
    assert np.isfinite(trace.norms).all() and np.isfinite(trace.angles).all() and (trace.norms > 0).all()
    assert max(fields["rot_steps"]) <= MAX_STEPS
