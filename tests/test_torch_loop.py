"""The one torch.optim loop: the steps a user writes by hand, a LambdaLR schedule, early stops."""

import pytest
import torch

from core.optim.torch_loop import final_weights, pure_decay_run, run_steps


def _by_hand(steps, factors=None):
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: factors[min(t, steps - 1)]) if factors else None
    for _ in range(steps):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
        if sched:
            sched.step()
    return w.detach()


@pytest.mark.parametrize("factors", [None, [1.0, 0.5, 0.25, 0.125]])
def test_run_steps_equals_the_loop_written_by_hand(factors):
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    ran = run_steps(torch.optim.AdamW([w], lr=0.1, weight_decay=0.5), 4, loss=lambda _: (w**2).sum(),
                    lr_factors=factors)
    assert ran == 4
    assert torch.equal(w.detach(), _by_hand(4, factors))


def test_after_step_stops_the_loop():
    w = torch.ones(1, dtype=torch.float64, requires_grad=True)
    seen = []
    ran = run_steps(torch.optim.SGD([w], lr=1.0), 10, set_grads=lambda t: setattr(w, "grad", -torch.ones_like(w)),
                    after_step=lambda t: seen.append(t) or t == 2)
    assert ran == 3 and seen == [0, 1, 2] and float(w.detach()) == 4.0


def test_exactly_one_source_of_gradients():
    w = torch.ones(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0)
    with pytest.raises(ValueError, match="either loss or set_grads"):
        run_steps(opt, 1)
    with pytest.raises(ValueError, match="either loss or set_grads"):
        run_steps(opt, 1, loss=lambda _: w.sum(), set_grads=lambda _: None)


def test_final_weights_and_pure_decay_leave_w0_alone():
    w0 = torch.tensor([2.0, 4.0], dtype=torch.float64)
    after = final_weights(torch.optim.SGD, w0, lambda w: 0 * w.sum(), 3, lr=0.1, weight_decay=0.5)
    torch.testing.assert_close(after, w0 * 0.95**3, rtol=1e-15, atol=0)
    run = pure_decay_run(torch.optim.SGD, w0, 3, lr_factors=[1.0, 0.0, 1.0], lr=0.1, weight_decay=0.5)
    assert len(run) == 4 and torch.equal(run[1], run[2])  # factor 0 at step 1: no decay
    assert torch.equal(w0, torch.tensor([2.0, 4.0], dtype=torch.float64))
