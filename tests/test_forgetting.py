"""core/frontier/forgetting.py: in a live regression under torch.optim.AdamW the weights on
irrelevant features decay like exp(-t/tau), tau = 1/(lr*wd), and the relevant ones settle on
AdamW's shrunk fit (Wang & Aitchison, "How to set AdamW's weight decay as you scale model and
dataset size", 2024). Each claim of the module's docstring and sentences, with its tolerance."""

import math

import numpy as np
import pytest
import torch

from core import numbers
from core.frontier import forgetting as fg

LR, WD, STEPS = 0.003, 1.0, 400  # tau = 333 steps: a full e-fold in a short run, a low noise floor
ENVELOPE_TOLERANCE = 0.05  # relative, at every step up to tau (seeds 0-4 and the page's stay within 0.035)


@pytest.fixture(scope="module")
def run():
    return fg.forget(LR, WD, STEPS)


def test_irrelevant_weights_follow_the_envelope_up_to_tau(run):
    assert run.at == 333 and run.predicted == pytest.approx(math.exp(-1), rel=2e-3)
    upto = slice(0, run.at + 1)
    assert np.max(np.abs(run.irrelevant[upto] / run.envelope[upto] - 1)) < ENVELOPE_TOLERANCE
    assert run.kept == pytest.approx(run.predicted, rel=ENVELOPE_TOLERANCE)
    assert run.pull < 0.01  # why: the loss's own pull on them is a tiny fraction of the decay's


def test_without_decay_they_do_not_decay():
    """The control: the same run at wd = 0 keeps the irrelevant weights, so the fall above is the
    decay's doing, and the envelope test would fail on it (0.37 predicted at step 333)."""
    still = fg.forget(LR, 0.0, STEPS)
    assert np.max(np.abs(still.irrelevant / still.irrelevant[0] - 1)) < 0.03
    assert abs(still.irrelevant[333] / still.irrelevant[0] - math.exp(-1)) > 0.5
    assert still.tau == math.inf and still.pull == math.inf and still.floor == math.inf


def test_strong_irrelevant_inputs_are_removed_by_the_loss_faster_than_the_envelope():
    """The envelope needs weak irrelevant inputs: at scale 1 the loss's pull outweighs the decay."""
    strong = fg.forget(LR, WD, STEPS, scale=1.0)
    assert strong.pull > 1
    assert strong.kept < strong.predicted / 2


def test_adams_noise_holds_the_norm_near_the_floor():
    """Once the envelope is gone (10 tau), the mean squared norm sits near floor^2 = n lr / (2 wd),
    a little below it (the docstring's 'estimate, a little high')."""
    settled = fg.forget(0.01, 1.0, 1000)
    assert settled.floor == pytest.approx(math.sqrt(15 * 0.01 / 2))
    share = float(np.mean(settled.irrelevant[500:] ** 2)) / settled.floor**2
    assert 0.6 < share < 1.05


def test_relevant_weights_settle_on_the_shrunk_fit():
    """beta / (1 + wd sqrt(v_hat)): the relevant weights' mean norm matches it to 3%, and it is a
    real shrink (a third below the true coefficients), so 'no shrink' would fail."""
    r = fg.forget(0.01, 1.0, 600)
    assert float(np.mean(r.relevant[300:])) == pytest.approx(r.fit_norm, rel=0.03)
    assert r.fit_norm < 0.75 * r.true_norm
    assert r.relevant[0] == pytest.approx(r.true_norm) and r.end_gap < r.start_gap / 3


def test_the_loop_is_torch_adamw_with_autograd_gradients(monkeypatch):
    """The closed-form gradient and the fused kernel against a plain loop: autograd on
    mean((x w - y)^2) / 2 and torch.optim.AdamW's default implementation, across data chunks."""
    monkeypatch.setattr(fg, "CHUNK", 16)
    steps = 40
    got = fg.forget(0.01, 0.3, steps)
    gen = torch.Generator().manual_seed(fg.SEED)
    beta, w0 = fg._start(gen)
    scales = torch.tensor([1.0] * fg.N_RELEVANT + [fg.IRRELEVANT_SCALE] * (fg.N_FEATURES - fg.N_RELEVANT),
                          dtype=torch.float64)
    w = w0.clone().requires_grad_(True)
    opt = torch.optim.AdamW([w], lr=0.01, weight_decay=0.3)
    irrelevant = [float(torch.linalg.vector_norm(w0[fg.N_RELEVANT:]))]
    for first in range(0, steps, 16):
        n = min(16, steps - first)
        x = torch.randn(n, fg.BATCH, fg.N_FEATURES, generator=gen, dtype=torch.float64) * scales
        y = x @ beta + fg.LABEL_NOISE * torch.randn(n, fg.BATCH, generator=gen, dtype=torch.float64)
        for i in range(n):
            opt.zero_grad()
            (((x[i] @ w - y[i]) ** 2).mean() / 2).backward()
            opt.step()
            irrelevant.append(float(torch.linalg.vector_norm(w.detach()[fg.N_RELEVANT:])))
    np.testing.assert_allclose(got.irrelevant, irrelevant, rtol=1e-13)
    assert got.relevant[-1] == pytest.approx(float(torch.linalg.vector_norm(w.detach()[:fg.N_RELEVANT])), rel=1e-13)


def test_fused_is_the_default_loop_to_rounding():
    fused, loop = fg.forget(0.01, 0.3, 200), fg.forget(0.01, 0.3, 200, fused=False)
    np.testing.assert_allclose(fused.irrelevant, loop.irrelevant, rtol=1e-14)
    np.testing.assert_allclose(fused.relevant, loop.relevant, rtol=1e-14)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0.0), "positive"), (dict(wd=-0.1), "non-negative"), (dict(lr=math.nan), "positive"),
    (dict(scale=0.0), "positive"), (dict(lr=1.0, wd=1.0), "below 1"), (dict(steps=0), "steps"),
    (dict(steps=fg.MAX_STEPS + 1), "steps"), (dict(steps=2.5), "steps"),
])
def test_bad_inputs_get_a_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fg.forget(**kwargs)


def test_sentences_state_the_runs_numbers(run):
    decay, why, fit = fg.sentences(run)
    assert decay.startswith("After 333 steps (t/τ = 0.999) the irrelevant weights kept ")
    assert f"kept {numbers.fmt(run.kept, unlike=run.predicted)} of their starting norm" in decay
    gap = run.kept / run.predicted - 1
    assert f"exp(−t/τ) predicts 0.368, the measurement is {numbers.fmt(abs(gap) * 100)}% " in decay
    assert decay.endswith("above it." if gap > 0 else "below it.")
    assert f"makes {numbers.fmt(run.pull)} times the decay's" in why
    assert f"much below sqrt(n·lr/(2·wd)) = {numbers.fmt(math.sqrt(15 * LR / (2 * WD)))} (" in why
    assert f"shrunk fit of norm {numbers.fmt(run.fit_norm, unlike=run.true_norm)}" in fit
    assert f"{numbers.fmt(run.end_gap)} from that fit (they started {numbers.fmt(run.start_gap)} from it)" in fit


def test_sentences_without_decay_say_so():
    decay, why, fit = fg.sentences(fg.forget(LR, 0.0, 50))
    assert decay.startswith("With wd = 0 nothing decays: after 50 steps")
    assert "Without decay" in why and "fit is the true coefficients themselves" in fit
