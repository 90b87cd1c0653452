"""core/frontier/gradient_growth.py: ||g||/||w|| rises at the end of a cosine run under AdamW and
stays put under the corrected decay (Defazio, "Why Gradients Rapidly Increase Near the End of
Training", 2025); the corrected run is AdamW with wd_t = wd * lr_t / lr_max, written out by hand."""

import math

import numpy as np
import pytest
import torch

from core import numbers
from core.frontier import gradient_growth as gg

BAND = 1.15  # the corrected rule's ||g||/||w|| moves by less than this factor inside the end window


@pytest.fixture(scope="module")
def default():
    return gg.run()


def test_the_toy_gradient_is_autograds_and_scale_invariant():
    start, targets, noise = gg.draw_problem(3, rows=3, dim=5)
    w = (2.5 * start).requires_grad_(True)
    gg.loss(w, targets, noise[0]).backward()
    closed = gg.gradient(w.detach(), targets, noise[0])
    torch.testing.assert_close(closed, w.grad, rtol=0, atol=1e-15)
    assert torch.allclose((closed * w.detach()).sum(dim=1), torch.zeros(3, dtype=torch.float64), atol=1e-15)
    # scale invariance: the loss does not change with ||w||, its gradient shrinks like 1/||w||
    same = float(gg.loss(w.detach(), targets, noise[0]))
    assert float(gg.loss(3 * w.detach(), targets, noise[0])) == pytest.approx(same, rel=1e-14)
    torch.testing.assert_close(gg.gradient(3 * w.detach(), targets, noise[0]), closed / 3, rtol=1e-14, atol=0)


def test_torchs_scheduler_is_the_cosine(default):
    np.testing.assert_allclose(default.lr_t, gg.cosine_lr(gg.LR, gg.STEPS), rtol=0, atol=1e-15)
    np.testing.assert_allclose(default.wd_t["adamc"], gg.WD * default.lr_t / gg.LR, rtol=1e-15)
    assert np.all(default.wd_t["adamw"] == gg.WD)


def _handwritten_adamw(lr, wd, steps, corrected):
    """AdamW written out (torch's defaults, eps 1e-8), the decay wd or wd * lr_t / lr_max, on the
    toy's own start and noise and the cosine lr_t: float64 numpy, no torch.optim."""
    start, targets, noise = gg.draw_problem(steps)
    (b1, b2), eps = gg.BETAS, 1e-8
    w = start.numpy().copy()
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, lr_t in enumerate(gg.cosine_lr(lr, steps), start=1):
        g = gg.gradient(torch.from_numpy(w), targets, noise[t - 1]).numpy()
        wd_t = wd * lr_t / lr if corrected else wd
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w * (1 - lr_t * wd_t) - lr_t / (1 - b1**t) * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)
    return w


@pytest.mark.parametrize("lr,wd", [(0.05, 0.5), (0.1, 1.0)])
def test_both_rules_equal_adamw_written_by_hand(lr, wd):
    result = gg.run(lr, wd, steps=gg.MIN_STEPS)
    for name, corrected in (("adamw", False), ("adamc", True)):
        np.testing.assert_allclose(result.final[name], _handwritten_adamw(lr, wd, gg.MIN_STEPS, corrected),
                                   rtol=0, atol=1e-12)
    assert np.abs(result.final["adamw"] - result.final["adamc"]).max() > 1e-3  # the two rules differ


def test_adamw_with_a_cosine_schedule_grows_the_ratio_at_the_end(default):
    assert default.growth("adamw") > 1.5
    assert default.spread("adamw") > 1.5
    longer = gg.run(steps=1000)  # more of decay's timescales: the paper's "longer-duration runs"
    assert longer.growth("adamw") > default.growth("adamw")


def test_a_run_too_short_for_decay_to_act_shows_no_growth():
    short = gg.run(0.01, 0.1, 600)  # 0.6 of decay's timescales
    assert short.timescales == pytest.approx(0.6)
    assert abs(short.growth("adamw") - 1) < 0.1
    assert "too little time" in gg.timescale_sentence(short)


@pytest.mark.parametrize("args", [(), (0.02, 1.0, 600, 0.5), (0.1, 1.0, 1000, 0.25)])
def test_the_corrected_rule_keeps_the_ratio_within_the_band(args, default):
    result = default if not args else gg.run(*args)
    assert result.spread("adamc") < BAND
    assert 1 / BAND < result.growth("adamc") < BAND
    assert result.growth("adamw") > result.growth("adamc")


def test_adams_update_ratio_settles_on_its_steady_state(default):
    """sqrt(2*wd_t/lr_t * (1-beta1)/(1+beta1)) once the norm has settled; at the end AdamW's norm has
    frozen far from its target while AdamC's still sits on it."""
    assert default.settled_gap("adamw") < 0.15 and default.settled_gap("adamc") < 0.15
    assert default.end_share("adamw") < 0.1
    assert default.end_share("adamc") == pytest.approx(1, abs=0.1)
    frozen = default.frozen_from("adamw")
    left = default.steps - frozen
    assert 1 / (2 * default.lr_t[frozen] * gg.WD) > left and 1 / (2 * default.lr_t[frozen - 1] * gg.WD) <= left + 1


def _constant_lr_ratios(lrs, wd, steps=1000, tail=400):
    """torch.optim.AdamW at constant lrs (one parameter group each) on the toy: the mean ||g||/||w||
    and ||u||/||w|| per lr over the last tail steps. Each starts with its rows at the norm the
    derivation predicts, sqrt(lr*dim/(2*wd)), so the run need not wait ~1/(2*lr*wd) steps to get there."""
    start, targets, noise = gg.draw_problem(steps)
    both = torch.stack([start * math.sqrt(lr * gg.DIM / (2 * wd)) for lr in lrs])
    params = list(both.unbind(0))
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    opt = torch.optim.AdamW(groups, betas=gg.BETAS, weight_decay=wd)
    path = torch.empty(tail + 1, *both.shape, dtype=both.dtype)
    for t in range(steps):
        if t >= steps - tail - 1:
            path[t - (steps - tail - 1)] = both
        for p, g in zip(params, gg.gradient(both, targets, noise[t]).unbind(0), strict=True):
            p.grad = g
        opt.step()
    w, after = path[:-1], path[1:]
    lr = torch.tensor(lrs, dtype=torch.float64)[None, :, None, None]
    u = ((1 - lr * wd) * w - after) / lr
    w_norm = w.norm(dim=(2, 3))
    g = gg.gradient(w, targets, noise[steps - tail:].unsqueeze(1))
    return (g.norm(dim=(2, 3)) / w_norm).mean(0).numpy(), (u.norm(dim=(2, 3)) / w_norm).mean(0).numpy()


def test_at_a_constant_lr_the_update_ratio_follows_the_root_and_the_gradient_ratio_its_square():
    """The docstring's derivation, where the weight turns little over momentum's memory (small lr*wd):
    ||u||/||w|| = sqrt(2*wd/lr * (1-b1)/(1+b1)), while ||g||/||w|| = ||g_unit||/||w||^2 goes like wd/lr:
    a quarter of the lr doubles the first and quadruples the second."""
    lrs, wd = (0.02, 0.005), 0.2
    g_ratio, u_ratio = _constant_lr_ratios(lrs, wd)
    np.testing.assert_allclose(u_ratio, gg.equilibrium_update_ratio(np.array(lrs), wd), rtol=0.03)
    assert g_ratio[1] / g_ratio[0] == pytest.approx(4, rel=0.1)  # not sqrt(4) = 2


def test_sentences_state_the_results_numbers(default):
    growth, timescale, equilibrium = gg.sentences(default)
    assert growth.startswith(f"Under AdamW with a cosine schedule ‖g‖/‖w‖ rose "
                             f"{numbers.fmt(default.growth('adamw'), unlike=1.0)}-fold over the last 50% of "
                             f"training (step 300 to 600);")
    change = default.growth("adamc")
    said = (f"rose {numbers.fmt(change, unlike=1.0)}-fold" if change > 1
            else f"fell to {numbers.fmt(change, unlike=1.0)} of its value")
    assert f"with the corrected decay it {said}" in growth
    assert f"within a factor {numbers.fmt(default.spread('adamc'), unlike=1.0)} of itself" in growth
    assert timescale.startswith(f"The run spans lr·wd·T = {numbers.fmt(gg.LR * gg.WD * gg.STEPS)} ")
    assert f"exceeds the steps left from step {numbers.count(default.frozen_from('adamw'))}:" in timescale
    assert f"within {numbers.percent(default.settled_gap('adamw'))} (AdamW)" in equilibrium
    assert f"AdamW's is {numbers.fmt(default.end_share('adamw'))} of its prediction" in equilibrium


def test_the_direction_word_comes_from_the_number():
    assert gg._change(1.5) == "rose 1.5-fold"
    assert gg._change(0.9999) == "fell to 0.9999 of its value"
    assert gg._change(1.0) == "did not change"


@pytest.mark.parametrize("kwargs,match", [
    ({"lr": 0}, "positive finite"), ({"wd": math.nan}, "positive finite"), ({"lr": 2.0, "wd": 0.5}, "below 1"),
    ({"steps": gg.MAX_STEPS + 1}, "steps"), ({"steps": gg.MIN_STEPS - 1}, "steps"), ({"window": 1.0}, "window"),
])
def test_bad_inputs_get_a_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gg.run(**kwargs)
