"""core/frontier/decoupling.py: each decay rule's one step against its oracle (torch.optim in
float64 where torch has the rule, otherwise the paper's box checked on a case computed by hand)."""

import numpy as np
import pytest
import torch

from core.frontier import decoupling as dc
from core.problem import make_problem

TOL = 1e-12


def _seed(center=False, loss="mse"):
    p = make_problem(loss=loss)
    w = p.w0 - dc.CENTER if center else p.w0
    return w, p.grad(w), p.w0


@pytest.mark.parametrize("key", sorted(dc.RULES))
@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("lr,wd", [(0.01, 0.1), (0.1, 1.0), (1e-3, 5.0)])
def test_each_rule_matches_its_torch_oracle(key, center, lr, wd):
    w, g, anchor = _seed(center)
    written = dc.apply_rule(key, w, g, lr, wd, anchor=anchor)
    oracle = dc.torch_step(key, w, g, lr, wd, anchor=anchor)
    assert float((written - oracle).abs().max()) < TOL


def test_torch_adam_decoupled_is_adamw():
    w, g, _ = _seed(center=True)
    a = dc.torch_step("adam_decoupled", w, g, 0.05, 0.3)
    b = dc.torch_step("adamw", w, g, 0.05, 0.3)
    assert torch.equal(a, b) or float((a - b).abs().max()) < TOL


# A hand case: eps = 0 makes Adam's first direction exactly sign(g), so every number below is arithmetic.
W = torch.tensor([[1.0, -2.0], [0.5, -1.0]], dtype=torch.float64)
G = torch.tensor([[0.3, 0.3], [-0.2, -0.4]], dtype=torch.float64)
LR, WD = 0.1, 0.5
HAND = {
    # u = sign(G) = [[1, 1], [-1, -1]]; u*W >= 0 at (0,0) and (1,1) only
    "cautious": [[1 - 0.1 * (1 + 0.5), -2 - 0.1], [0.5 + 0.1, -1 - 0.1 * (-1 - 0.5)]],  # [[0.85, -2.1], [0.6, -0.85]]
    "sgdw": [[0.47, -1.03], [0.27, -0.46]],  # W - 0.1 G - 0.5 W
    "sgd_l2": [[0.92, -1.93], [0.495, -0.91]],  # W - 0.1 (G + 0.5 W)
    "adamw": [[0.85, -2.0 * 0.95 - 0.1], [0.475 + 0.1, -0.95 + 0.1]],
    "independent": [[0.4, -1.1], [0.35, -0.4]],  # W - 0.1 sign(G) - 0.5 W
}


@pytest.mark.parametrize("key", sorted(HAND))
def test_rule_matches_the_hand_computed_case(key):
    got = dc.apply_rule(key, W, G, LR, WD, eps=0.0)
    assert np.allclose(got.numpy(), HAND[key], rtol=0, atol=TOL)
    assert float((dc.torch_step(key, W, G, LR, WD, eps=0.0) - got).abs().max()) < TOL


def test_cautious_hand_values():
    assert np.allclose(dc.apply_rule("cautious", W, G, LR, WD, eps=0.0).numpy(), [[0.85, -2.1], [0.6, -0.85]])
    assert dc.cautious_mask(torch.sign(G), W).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_cautious_counts_zero_as_agreeing():
    w = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64)
    u = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    assert dc.cautious_mask(u, w).tolist() == [1.0, 1.0, 0.0]


def test_l2_sp_decays_toward_the_anchor_by_hand():
    anchor = torch.ones_like(W)
    got = dc.apply_rule("l2_sp", W, G, LR, WD, eps=0.0, anchor=anchor)
    # W - 0.1 sign(G) - 0.05 (W - 1)
    assert np.allclose(got.numpy(), [[0.9, -1.95], [0.625, -0.8]], rtol=0, atol=TOL)
    # anchored at zero it is AdamW
    assert torch.allclose(dc.apply_rule("l2_sp", W, G, LR, WD, anchor=torch.zeros_like(W)),
                          dc.torch_step("adamw", W, G, LR, WD), rtol=0, atol=TOL)


def test_sgdw_with_a_schedule_multiplier_is_the_box():
    got = dc.apply_rule("sgdw", W, G, LR, WD, eta=0.5)
    assert np.allclose(got.numpy(), (W - 0.5 * 0.1 * G - 0.5 * 0.5 * W).numpy(), rtol=0, atol=TOL)
    assert dc.torch_step("sgdw", W, G, LR, WD, eta=0.5) is None  # torch has no schedule multiplier form


def test_compare_oracles_and_decay_sizes():
    result = dc.compare(lr=0.01, wd=0.1)
    assert set(result.steps) == set(dc.RULES)
    for step in result.steps.values():
        assert step.oracle_max_abs_diff is not None and step.oracle_max_abs_diff < TOL
    adamw = result.steps["adamw"].decay_part
    assert np.allclose(adamw, -0.01 * 0.1 * result.w, rtol=0, atol=TOL)
    assert np.allclose(result.steps["independent"].decay_part, -0.1 * result.w, rtol=0, atol=TOL)
    assert np.allclose(result.steps["sgd_l2"].decay_part, adamw, rtol=0, atol=TOL)  # lr*wd*W for both
    assert np.all(result.steps["l2_sp"].decay_part == 0)  # W is at the anchor
    assert result.cautious_on == 20  # the seed's W and its gradient are positive everywhere


def test_centered_seed_makes_cautious_and_adam_l2_differ():
    result = dc.compare(lr=0.01, wd=1.0, center=True)
    mask = (dc._adam_direction(torch.tensor(result.grad), dc.EPS).numpy() * result.w >= 0)
    assert result.cautious_on == int(mask.sum()) and 0 < result.cautious_on < 20
    cautious, adamw = result.steps["cautious"].decay_part, result.steps["adamw"].decay_part
    assert np.allclose(cautious[mask], adamw[mask], rtol=0, atol=TOL) and np.all(cautious[~mask] == 0)
    flips = np.sign(result.grad + 1.0 * result.w) != np.sign(result.grad)
    assert result.l2_flips == int(flips.sum()) > 0
    l2 = np.abs(result.steps["adam_l2"].decay_part)
    assert np.allclose(l2[flips], 2 * 0.01, rtol=1e-6) and np.all(l2[~flips] < 1e-6)


def test_sentences_follow_the_numbers():
    plain = dc.sentences(dc.compare(lr=0.01, wd=0.1))
    assert plain[0].startswith("With lr = 0.01 and wd = 0.1 the largest decay move is Independent decay's (0.0849)")
    assert "100 times as far as AdamW's" in plain[1]
    assert "0 of 20 coordinates here" in plain[2]
    assert plain[3].startswith("Cautious decay acted on 20 of 20 coordinates: ")
    assert plain[4].startswith("L2-SP decays nothing here")
    centered = dc.compare(lr=0.01, wd=1.0, center=True)
    text = dc.sentences(centered)
    assert f"acted on {centered.cautious_on} of 20 coordinates, where" in text[3]
    assert f"({centered.l2_flips} of 20 coordinates here)" in text[2]
    assert not any(s.startswith("L2-SP decays nothing") for s in text)


@pytest.mark.parametrize("kwargs,match", [({"lr": 0.0}, "lr must be above 0"), ({"wd": float("nan")}, "wd"),
                                          ({"lr": -1.0}, "lr"), ({"loss": "nope"}, "Unknown loss")])
def test_bad_inputs_get_a_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dc.compare(**kwargs)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="Unknown rule"):
        dc.apply_rule("lion", W, G, LR, WD)
