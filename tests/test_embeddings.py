"""core/frontier/embeddings.py: weight decay on an embedding trained on Zipf-distributed tokens, each
choice held to torch.optim (float64), the never-drawn rows to the closed form (1 - lr*wd)^T, and
torch's answers on sparse gradients (pytorch/pytorch#1285, #30402) to torch itself."""

import copy
import dataclasses
import inspect

import numpy as np
import pytest
import torch

from core import numbers
from core.frontier import embeddings as emb
from ui.frontier import embeddings as page
from ui.frontier.timescale import LRS, WDS

DEFAULT = dict(lr=0.03, wd=0.1, steps=200, batch=16, exponent=1.1)  # the page's Field defaults


@pytest.fixture(scope="module")
def result():
    return emb.run(**DEFAULT)


def _batches(steps=40, batch=8, exponent=1.1):
    return emb.draw_batches(emb.zipf(exponent), steps, batch)


def test_zipf_probabilities_fall_as_a_power_of_the_rank():
    p = emb.zipf(1.1)
    assert p.sum() == pytest.approx(1.0, abs=1e-15) and np.all(np.diff(p) < 0)
    assert p[9] / p[0] == pytest.approx(10 ** -1.1, rel=1e-14)
    assert np.all(emb.zipf(0.0) == 1 / emb.VOCAB)
    with pytest.raises(ValueError, match="Zipf exponent"):
        emb.zipf(float("nan"))


def test_the_written_gradients_are_nn_embeddings_own():
    """dense_grad and sparse_grad stand in for autograd (for speed); they must be what it gives."""
    w0, targets = emb.start()
    x = _batches(1, 32)[0]
    assert len(set(x.tolist())) < len(x)  # repeated tokens: their rows' gradients add up
    for sparse in (False, True):
        layer = torch.nn.Embedding(emb.VOCAB, emb.DIM, sparse=sparse, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(w0)
        (0.5 * ((layer(x) - targets[x]) ** 2).sum() / len(x)).backward()
        written = (emb.sparse_grad if sparse else emb.dense_grad)(w0, targets, x)
        assert layer.weight.grad.is_sparse == written.is_sparse == sparse
        got, want = (written.to_dense(), layer.weight.grad.to_dense())
        torch.testing.assert_close(got, want, rtol=0, atol=1e-15)


def test_dense_adamw_is_torch_adamw_on_nn_embedding():
    """The dense choice against a plain loop: nn.Embedding, autograd and torch.optim.AdamW."""
    w0, targets = emb.start()
    batches = _batches()
    layer = torch.nn.Embedding(emb.VOCAB, emb.DIM, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(w0)
    opt = torch.optim.AdamW(layer.parameters(), lr=0.03, weight_decay=0.1)
    for x in batches:
        opt.zero_grad()
        (0.5 * ((layer(x) - targets[x]) ** 2).sum() / len(x)).backward()
        opt.step()
    torch.testing.assert_close(emb.train("dense", w0, targets, batches, 0.03, 0.1), layer.weight.detach(),
                               rtol=0, atol=1e-13)


@pytest.mark.parametrize("lr,wd,steps", [(0.03, 0.1, 200), (0.1, 1.0, 60), (1e-3, 0.3, 150)])
def test_dense_adamw_shrinks_never_drawn_rows_by_exactly_the_closed_form(lr, wd, steps):
    w0, targets = emb.start()
    batches = _batches(steps, 4)
    never = torch.as_tensor(np.bincount(batches.flatten().numpy(), minlength=emb.VOCAB) == 0)
    assert never.sum() >= 5  # the claim is about real rows
    w = emb.train("dense", w0, targets, batches, lr, wd)
    torch.testing.assert_close(w[never], (1 - lr * wd) ** steps * w0[never], rtol=1e-13, atol=0)
    assert not torch.allclose(w[~never], (1 - lr * wd) ** steps * w0[~never])  # drawn rows trained too


def test_batch_row_adamw_is_torch_adamw_on_the_batchs_rows_and_undecayed_elsewhere():
    """From a mid-run state (moments from 30 steps), one batch-row step against torch AdamW(wd) on the
    rows in the batch and torch AdamW(wd=0) on the others, both loaded with the same state."""
    lr, wd = 0.03, 0.1
    w0, targets = emb.start()
    batches = _batches(31, 8)
    w = w0.clone().requires_grad_(True)
    opt = emb.optimizer("rows", w, lr, wd)
    for x in batches[:-1]:
        emb.step("rows", opt, w, targets, x, lr, wd)

    def torch_step(decay):
        p = w.detach().clone().requires_grad_(True)
        ref = torch.optim.AdamW([p], lr=lr, weight_decay=decay)
        ref.load_state_dict(copy.deepcopy(opt.state_dict()))  # loading shares the tensors it is given
        ref.param_groups[0]["weight_decay"] = decay  # the loaded groups carry the batch-row run's 0
        p.grad = emb.dense_grad(p.detach(), targets, x)
        ref.step()
        return p.detach()

    x = batches[-1]
    decayed, plain = torch_step(wd), torch_step(0.0)
    emb.step("rows", opt, w, targets, x, lr, wd)
    present = torch.zeros(emb.VOCAB, dtype=torch.bool)
    present[x] = True
    assert torch.equal(w.detach()[present], decayed[present])
    assert torch.equal(w.detach()[~present], plain[~present])
    assert not torch.equal(decayed[~present], plain[~present])  # dense AdamW would have decayed them


def test_never_drawn_rows_stay_put_without_dense_decay(result):
    assert len(result.unseen) >= 3
    assert result.unseen_change == {"dense": pytest.approx(result.unseen_change["dense"]), "rows": 0.0,
                                    "sparse": 0.0}
    assert result.unseen_change["dense"] > 0
    assert np.all(result.ratios["rows"][result.unseen] == 1) and np.all(result.ratios["sparse"][result.unseen] == 1)
    np.testing.assert_allclose(result.ratios["dense"][result.unseen], result.decay_alone, rtol=1e-13)


def test_sparse_adam_has_no_weight_decay(result):
    names = tuple(inspect.signature(torch.optim.SparseAdam).parameters)
    assert "weight_decay" not in names and result.sparse_adam_parameters == names == emb.sparse_adam_parameters()
    with pytest.raises(TypeError, match="weight_decay"):
        torch.optim.SparseAdam([torch.zeros(2, requires_grad=True)], weight_decay=0.1)


def test_sgd_with_weight_decay_refuses_nn_embeddings_sparse_gradient_with_the_message_shown(result):
    """Through nn.Embedding(sparse=True) and autograd, not the written gradient: the message on the page
    (result.attempts, the transcript) is torch's for a real sparse embedding."""
    layer = torch.nn.Embedding(emb.VOCAB, emb.DIM, sparse=True, dtype=torch.float64)
    layer(torch.tensor([3, 1, 3])).sum().backward()
    with pytest.raises(RuntimeError) as raised:
        torch.optim.SGD(layer.parameters(), lr=0.03, weight_decay=0.1).step()
    sgd = result.attempts[0]
    assert sgd.code.startswith("torch.optim.SGD(") and "weight_decay=0.1" in sgd.code
    assert (sgd.error, sgd.message) == ("RuntimeError", str(raised.value))
    assert "add(sparse, dense) is not supported" in sgd.message
    assert f"RuntimeError: {str(raised.value)}" in emb.transcript(result).splitlines()
    torch.optim.SGD(layer.parameters(), lr=0.03).step()  # without decay it steps
    outcomes = {a.code.split("(")[0].split(".")[-1] + ("+wd" if "weight_decay" in a.code else ""): a.error
                for a in result.attempts}
    assert outcomes == {"SGD+wd": "RuntimeError", "SGD": None, "AdamW+wd": "RuntimeError", "SparseAdam+wd": "TypeError"}


def test_sentences_state_the_runs_numbers(result):
    first, unseen, order = emb.sentences(result)
    rare, frequent = result.mean_ratio("dense", rarest=True), result.mean_ratio("dense", rarest=False)
    assert rare < frequent < 1  # this run: decay took more from the rare rows
    assert first.startswith(f"Under dense AdamW the {emb.GROUP} rarest tokens' rows shrank to {numbers.fmt(rare)} "
                            f"of their initial norm on average; the {emb.GROUP} most frequent shrank to "
                            f"{numbers.fmt(frequent)}")
    assert rare == pytest.approx(result.ratios["dense"][-emb.GROUP:].mean())  # token 0 is the most frequent
    assert unseen.startswith(f"{len(result.unseen)} tokens were never drawn in 3,200 draws")
    assert f"= {numbers.fmt(result.decay_alone)}" in unseen
    assert unseen.endswith("batch-row AdamW and SparseAdam left them exactly as they started.")
    kept = sorted(emb.CHOICES, key=lambda c: -result.mean_ratio(c, rarest=True))
    assert kept == ["sparse", "rows", "dense"]
    assert order.startswith(f"The {emb.GROUP} rarest rows kept the most of their norm under SparseAdam")
    assert emb.attempt_sentence(result).startswith("Of 4 calls on nn.Embedding(sparse=True)'s gradient torch "
                                                   "refused 3 and ran 1;")
    assert "has no weight_decay argument" in emb.attempt_sentence(result)


def test_sentences_follow_the_numbers_not_the_expected_story(result):
    grown = dataclasses.replace(result, ratios={**result.ratios, "dense": result.ratios["dense"] * 3})
    assert "rarest tokens' rows grew to" in emb.sentences(grown)[0]
    same = dataclasses.replace(result, ratios={**result.ratios, "dense": np.ones(emb.VOCAB)})
    assert "rarest tokens' rows kept exactly 1 " in emb.sentences(same)[0]
    everyone = emb.run(0.03, 0.1, 50, 64, 0.0)  # 3,200 uniform draws over 200 tokens
    assert len(everyone.unseen) == 0
    assert emb.sentences(everyone)[1] == ("Every token was drawn at least once in 3,200 draws: no row was left to "
                                          "decay alone.")
    moved = dataclasses.replace(result, unseen_change={**result.unseen_change, "sparse": 0.5})
    assert emb.sentences(moved)[1].endswith("batch-row AdamW left them exactly as they started and SparseAdam "
                                            "moved them by up to 0.5.")


def test_bad_inputs_get_a_message():
    for kwargs, match in ((dict(lr=0.0), "lr"), (dict(wd=float("inf")), "wd"), (dict(lr=2.0, wd=0.5), "below 1"),
                          (dict(steps=emb.MAX_STEPS + 1), "steps"), (dict(batch=0), "batch")):
        with pytest.raises(ValueError, match=match):
            emb.run(**{**DEFAULT, **kwargs})


def test_every_reachable_page_value_runs():
    """The page's controls stay inside the run's bounds; its most expensive corner runs, finite."""
    fields = {f.key: f for f in page.FIELDS}
    assert fields["emb_steps"].high == emb.MAX_STEPS and max(page.BATCHES) == emb.MAX_BATCH
    assert max(LRS) * max(WDS) < 1 and min(LRS) > 0 and min(WDS) > 0
    corner = emb.run(max(LRS), max(WDS), emb.MAX_STEPS, emb.MAX_BATCH, max(page.EXPONENTS))
    assert all(np.isfinite(r).all() for r in corner.ratios.values()) and len(emb.sentences(corner)) == 3
