"""The batches every trainer draws: each epoch a fresh permutation, every example once."""

import pytest
import torch

from core.train.minibatch import Minibatches, steps_per_epoch


def test_each_epoch_sees_every_example_once_in_a_new_order():
    batches = Minibatches(20, 6, seed=3)
    assert batches.per_epoch == steps_per_epoch(20, 6) == 4
    epochs = [torch.cat([batches.indices(t) for t in range(e * 4, (e + 1) * 4)]) for e in range(3)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(20))
    assert not torch.equal(epochs[0], epochs[1])
    assert [len(batches.indices(t)) for t in range(12, 16)] == [6, 6, 6, 2]  # the last batch is short


def test_the_same_seed_draws_the_same_batches_and_another_seed_others():
    a, b, c = Minibatches(20, 5, seed=0), Minibatches(20, 5, seed=0), Minibatches(20, 5, seed=1)
    first = [a.indices(t) for t in range(8)]
    assert all(torch.equal(x, b.indices(t)) for t, x in enumerate(first))
    assert not all(torch.equal(x, c.indices(t)) for t, x in enumerate(first))


def test_the_shuffle_is_the_one_the_trainer_always_used():
    """seed + 2 on a CPU generator, one randperm per epoch: changing it would change every training curve."""
    expected = torch.randperm(10, generator=torch.Generator().manual_seed(7 + 2))
    assert torch.equal(Minibatches(10, 4, seed=7).indices(0), expected[:4])


def test_full_batch_takes_everything_and_has_no_indices():
    x, y = torch.arange(6.0).reshape(3, 2), torch.arange(3.0)
    batches = Minibatches(3, None, seed=0)
    assert batches.full_batch and batches.per_epoch == 1
    assert batches.take(5, x, y) == (x, y)
    with pytest.raises(ValueError, match="full-batch"):
        batches.indices(0)


def test_a_steps_batch_is_the_data_at_that_steps_indices():
    """take() orders the data once per epoch and slices it; it must give x[indices(t)], y[indices(t)]."""
    x, y = torch.arange(40.0).reshape(20, 2), torch.arange(20.0).reshape(20, 1)
    sliced, indexed = Minibatches(20, 6, seed=4), Minibatches(20, 6, seed=4)
    for t in range(12):
        xb, yb = sliced.take(t, x, y)
        idx = indexed.indices(t)
        assert torch.equal(xb, x[idx]) and torch.equal(yb, y[idx])


def test_epochs_drawn_at_the_start_are_the_same_batches_and_never_drawn_again(monkeypatch):
    """A cuda training draws every epoch's permutation at the start and moves them in one copy (a
    copy per epoch would wait for the device each time); the batches must be the ones drawn lazily."""
    lazy, upfront = Minibatches(20, 5, seed=6), Minibatches(20, 5, seed=6, epochs=7)
    draws = []
    randperm = torch.randperm
    monkeypatch.setattr(torch, "randperm", lambda *a, **k: (draws.append(1), randperm(*a, **k))[1])
    for t in range(7 * 4):
        assert torch.equal(upfront.indices(t), lazy.indices(t))
    assert len(draws) == 7  # the lazy one's, one an epoch; none for the one drawn at the start


def test_steps_is_the_steps_indices_in_order():
    batches, single = Minibatches(20, 5, seed=2, epochs=5), Minibatches(20, 5, seed=2)
    each = [single.indices(t) for t in range(20)]  # drawn in step order, as a trainer draws them
    for t0, k in ((0, 4), (1, 12), (7, 13)):
        assert torch.equal(batches.steps(t0, k), torch.cat(each[t0:t0 + k]))
    with pytest.raises(ValueError, match="drawn at the start"):
        Minibatches(20, 5, seed=2).steps(0, 4)
    with pytest.raises(ValueError, match="fill every epoch"):
        Minibatches(20, 6, seed=2, epochs=3).steps(0, 4)


def test_with_the_epochs_drawn_a_step_may_be_taken_after_skipped_ones():
    """A replayed window gathers its steps' batches itself (steps()), so the trainer's next ordinary
    step may come epochs later: take() must then give that step's batch, not the last one it cut."""
    x, y = torch.arange(40.0).reshape(20, 2), torch.arange(20.0).reshape(20, 1)
    drawn, each = Minibatches(20, 5, seed=8, epochs=6), Minibatches(20, 5, seed=8)
    indices = [each.indices(t) for t in range(24)]
    for t in (0, 9, 10, 3, 23, 14):
        xb, yb = drawn.take(t, x, y)
        assert torch.equal(xb, x[indices[t]]) and torch.equal(yb, y[indices[t]])
