"""core/frontier/decoupling.py: each decay rule's one step against its oracle (torch.optim in
float64 where torch has the rule, lion-pytorch for Lion, otherwise the paper's box checked on a case
computed by hand, and cautious decay against a written-out copy of a published implementation); and
every count of the rules in the code and the README is len(RULES)."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from lion_pytorch import Lion

from core import numbers
from core.explain.questions import adam_vs_adamw
from core.frontier import decoupling as dc
from core.problem import make_problem

ROOT = Path(__file__).resolve().parents[1]

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
    "lion": [[0.85, -2.0 * 0.95 - 0.1], [0.475 + 0.1, -0.95 + 0.1]],  # W (1 - 0.05) - 0.1 sign(G): AdamW with eps = 0
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
    result = dc.compare(lr=0.01, wd=0.1)
    gap = np.abs(result.steps["lion"].delta - result.steps["adamw"].delta).max()
    assert 0 < gap < 0.01 * 1e-6
    assert plain[4].startswith(f"Lion's step differs from AdamW's by at most {numbers.fmt(gap)}:")
    assert plain[5].startswith("L2-SP decays nothing here")
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
        dc.apply_rule("adafactor", W, G, LR, WD)


# Lion against the published package (lion-pytorch 0.2.5, pinned in requirements-dev.txt), float64.
def lion_pytorch_run(w, grad, lr, wd, steps):
    p = w.detach().clone().requires_grad_(True)
    opt = Lion([p], lr=lr, betas=dc.LION_BETAS, weight_decay=wd)
    for _ in range(steps):
        p.grad = grad(p.detach()).clone()
        opt.step()
    return p.detach()


@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("lr,wd", [(0.01, 0.1), (1e-3, 5.0)])
def test_lion_one_step_matches_lion_pytorch_and_the_pages_torch_oracle(center, lr, wd):
    w, g, _ = _seed(center)
    written = dc.apply_rule("lion", w, g, lr, wd)
    assert written.dtype == torch.float64
    assert float((written - lion_pytorch_run(w, lambda _: g, lr, wd, 1)).abs().max()) < TOL
    assert float((written - dc.torch_step("lion", w, g, lr, wd)).abs().max()) < TOL


@pytest.mark.parametrize("center", [False, True])
def test_lion_few_steps_match_lion_pytorch_on_the_seed_problem(center):
    """Five steps on the seed's MSE loss, the gradient taken at each new W: the momentum now matters."""
    p = make_problem(loss="mse")
    w = p.w0 - dc.CENTER if center else p.w0
    written = dc.lion_run(w, p.grad, 0.01, 0.1, 5)
    oracle = lion_pytorch_run(w, p.grad, 0.01, 0.1, 5)
    assert float((written - oracle).abs().max()) < TOL
    assert float((written - w).abs().max()) > 0.04  # it moved: five steps of lr = 0.01 each


def test_lion_by_hand_zero_gradient_and_momentum():
    """lr = 0.1, wd = 0.5, betas (0.9, 0.99); each weight shrinks by 0.95 a step.
    a: g = 1 then -0.001: step 2's sign(0.9 * 0.01 + 0.1 * -0.001) = +1 (momentum beats the gradient).
    b: g = 0 then 1: step 1 is decay alone (sign(0) = 0).
    c: g = -1 then 0.05: sign(-0.009 + 0.005) = -1."""
    w = torch.tensor([1.0, -0.5, 2.0], dtype=torch.float64)
    grads = iter([torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64),
                  torch.tensor([-0.001, 1.0, 0.05], dtype=torch.float64)])
    one = [1 * 0.95 - 0.1, -0.5 * 0.95, 2 * 0.95 + 0.1]  # [0.85, -0.475, 2.0]
    two = [0.85 * 0.95 - 0.1, -0.475 * 0.95 - 0.1, 2.0 * 0.95 + 0.1]  # [0.7075, -0.55125, 2.0]
    g1 = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
    assert np.allclose(dc.apply_rule("lion", w, g1, 0.1, 0.5).numpy(), one, rtol=0, atol=TOL)
    assert np.allclose(dc.torch_step("lion", w, g1, 0.1, 0.5).numpy(), one, rtol=0, atol=TOL)  # g = 0 included
    assert np.allclose(dc.lion_run(w, lambda _: next(grads), 0.1, 0.5, 2).numpy(), two, rtol=0, atol=TOL)
    grads = iter([g1, torch.tensor([-0.001, 1.0, 0.05], dtype=torch.float64)])
    assert np.allclose(lion_pytorch_run(w, lambda _: next(grads), 0.1, 0.5, 2).numpy(), two, rtol=0, atol=TOL)


def test_lion_decays_like_adamw_so_its_recipes_scale_lr_down_and_wd_up():
    """The decay part is lr*wd*W (AdamW's), so the paper's recipe, lr k times smaller and wd k times larger,
    keeps the decay the same: "the effective weight decay is lr * λ" (Chen et al. 2023, section 5)."""
    w, g, _ = _seed(center=True)
    decay = lambda lr, wd: dc.apply_rule("lion", w, g, lr, wd) - dc.apply_rule("lion", w, g, lr, 0.0)  # noqa: E731
    assert torch.allclose(decay(0.01, 0.1), -0.01 * 0.1 * w, rtol=0, atol=TOL)
    for k in (3, 10):
        assert torch.allclose(decay(0.01 / k, 0.1 * k), decay(0.01, 0.1), rtol=0, atol=TOL)


# Cautious weight decay against a published implementation, written out: karpathy/nanochat,
# nanochat/optim.py at 92d63d4 (muon_step_fused, lines 176-180), where g is the optimizer's (Muon's) update:
#     mask = (g * stacked_params) >= 0
#     stacked_params.sub_(lr * g + lr * wd * stacked_params * mask)
def nanochat_cautious_update(params, g, lr, wd):
    stacked_params = params.clone()
    mask = (g * stacked_params) >= 0
    stacked_params.sub_(lr * g + lr * wd * stacked_params * mask)
    return stacked_params


@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("lr,wd", [(0.01, 0.1), (0.1, 1.0)])
def test_cautious_matches_nanochats_cautious_update(center, lr, wd):
    w, g, _ = _seed(center)
    u = dc._adam_direction(g, dc.EPS)
    assert float((dc.apply_rule("cautious", w, g, lr, wd) - nanochat_cautious_update(w, u, lr, wd)).abs().max()) < TOL


def test_cautious_decays_where_the_update_is_zero_as_the_paper_and_nanochat_do():
    """u*w = 0 counts as agreeing (the paper's >=): a weight whose gradient is 0 is still decayed. A strict > (as
    modded-nanogpt's Adam path masks) would leave it: the case tells the two apart."""
    w = torch.tensor([0.5, 0.0, -1.0, 1.0], dtype=torch.float64)
    g = torch.tensor([0.0, 1.0, 0.3, 0.3], dtype=torch.float64)
    u = dc._adam_direction(g, dc.EPS)
    got = dc.apply_rule("cautious", w, g, 0.1, 0.5)
    assert torch.allclose(got, nanochat_cautious_update(w, u, 0.1, 0.5), rtol=0, atol=TOL)
    assert float(got[0]) == pytest.approx(0.5 * (1 - 0.1 * 0.5), abs=TOL)  # decayed, no step
    strict = w - 0.1 * (u + 0.5 * (u * w > 0) * w)
    assert float(strict[0]) == 0.5 and not torch.allclose(got, strict)


# Every count of the rules derives from RULES (issue 16's experiment 2 grew from eight rules to nine).
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split())}


def test_the_question_cards_link_counts_the_rules():
    assert f" {len(dc.RULES)} decay rules" in adam_vs_adamw.CARD.links[0].label


def test_no_written_count_of_decay_rules_disagrees_with_rules():
    """A count written as a word or digits before "decay rules" anywhere in the README or the app's code."""
    files = [ROOT / "README.md"] + [p for d in ("core", "ui", "app_pages") for p in (ROOT / d).rglob("*.py")]
    pattern = re.compile(r"\b(?:(\d+)\s+decay|(" + "|".join(NUMBER_WORDS) + r")(?:\s+decay)?)\s+rules\b", re.I)
    found = [(path.name, m[1] or m[2]) for path in files for m in pattern.finditer(path.read_text())
             if path.name != "state.py"]  # ui/state.py's "Three rules" are its own, not decay rules
    counts = {NUMBER_WORDS.get(word.lower(), None) if not word.isdigit() else int(word) for _, word in found}
    assert counts <= {len(dc.RULES)}, found


def test_readme_lists_one_name_per_rule():
    text = " ".join(ROOT.joinpath("README.md").read_text().split())
    listed = re.search(r"one step of each decay rule on identical gradients \(([^()]*(?:\([^()]*\)[^()]*)*)\)", text)
    assert listed is not None
    assert len(listed[1].split(", ")) == len(dc.RULES)
