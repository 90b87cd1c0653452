"""The batched step against torch.optim: each configuration's rule on its rows of the (runs,
parameters) block, with per-run lr and weight_decay, gives every run what its own torch.optim
optimizer gives, to the last bit here (the rules use torch.optim's own tensor operations); the
test allows 1e-15 relative, a rounding or two, since a CPU without the same vector kernels (FMA
or not) may round an addcmul differently from torch's own loop."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

from core import optim
from core.optim.adamw import shrink
from core.optim.base import add_scaled
from core.train import batched_step
from core.train.layout import Layout


@dataclass(frozen=True)
class Config:
    optimizer: str
    options: tuple = ()
    lrs: tuple = (0.01, 0.1, 0.3)
    weight_decays: tuple = (0.0, 0.5, 2.0)

    @property
    def runs(self) -> int:
        return len(self.weight_decays)

    def per_run_lrs(self):
        return self.lrs


CONFIGS = [Config("sgd"), Config("sgd", (("momentum", 0.9), ("nesterov", True))),
           Config("sgd", (("momentum", 0.8), ("dampening", 0.3))), Config("sgd", (("maximize", True),)),
           Config("adam"), Config("adam", (("amsgrad", True),)), Config("adam", (("maximize", True),)),
           Config("adamw"), Config("adamw", (("maximize", True),)), Config("rmsprop"), Config("adagrad")]
# (shape of each parameter in one run, the decayed ones): the decayed columns as one run of columns, or
# as two with undecayed ones between them (OptimizerSpec.decay_first is made on each run of columns)
LAYOUTS = {"one span": ({"w": (6, 2), "b": (1, 2)}, {"w"}),
           "two spans": ({"w": (6, 2), "b": (1, 2), "v": (3,)}, {"w", "v"})}


@pytest.mark.parametrize("layout_key", list(LAYOUTS))
@pytest.mark.parametrize("schedule", [(1.0,) * 5, (1.0, 0.5, 0.25, 0.1, 0.05)], ids=["constant", "decaying"])
def test_every_run_of_a_group_equals_its_own_torch_optimizer_to_the_last_bits(schedule, layout_key):
    gen = torch.Generator().manual_seed(2)
    runs = sum(c.runs for c in CONFIGS)
    shapes, decayed = LAYOUTS[layout_key]
    params = {name: torch.randn(runs, *shape, generator=gen, dtype=torch.float64) for name, shape in shapes.items()}
    grads = [{name: torch.randn(p.shape, generator=gen, dtype=torch.float64) for name, p in params.items()}
             for _ in schedule]
    layout = Layout(params)
    flat = layout.flatten(params)
    group = batched_step.members(CONFIGS, flat, layout.mask(decayed, flat))
    for factor, g in zip(schedule, grads, strict=True):
        flat = batched_step.step(group, flat, layout.flatten(g), factor)
    ours = layout.views(flat)
    run = 0
    for c in CONFIGS:
        for lr, wd in zip(c.lrs, c.weight_decays, strict=True):
            mine = {name: p[run].clone().requires_grad_(True) for name, p in params.items()}
            opt = optim.get(c.optimizer).make_torch([{"params": [mine[n] for n in shapes if n in decayed],
                                                      "weight_decay": wd},
                                                     {"params": [mine[n] for n in shapes if n not in decayed],
                                                      "weight_decay": 0.0}],
                                                    lr=lr, weight_decay=0.0, options=dict(c.options))
            for factor, g in zip(schedule, grads, strict=True):
                for group_ in opt.param_groups:
                    group_["lr"] = lr * factor
                for name, p in mine.items():
                    p.grad = g[name][run].clone()
                opt.step()
            for name, p in mine.items():
                torch.testing.assert_close(ours[name][run], p.detach(), rtol=1e-15, atol=1e-15,
                                           msg=lambda m, c=c, run=run, name=name: f"{c} run {run} {name}: {m}")
            run += 1


@pytest.mark.parametrize("key", list(optim.OPTIMIZERS))
def test_every_rule_writes_its_new_weights_where_it_is_told(key):
    """The batched step hands each rule its rows of the new block (`out`), so three optimizers' rows
    need no joining copy; a rule that ignored it would cost that copy again, silently. Same numbers
    as without `out`."""
    spec = optim.get(key)
    torch.manual_seed(0)
    param, grad = torch.randn(3, 5, dtype=torch.float64), torch.randn(3, 5, dtype=torch.float64)
    lr = torch.tensor([[0.01], [0.1], [0.3]], dtype=torch.float64)
    block = torch.full((5, 5), float("nan"), dtype=torch.float64)
    state_a, state_b = {}, {}
    for _ in range(3):  # the first step creates the state, the later ones use it
        rows = block[1:4]
        written = spec.step(param, grad, state_a, lr=lr, weight_decay=0.5, checked=True, out=rows, **spec.resolve())
        alone = spec.step(param, grad, state_b, lr=lr, weight_decay=0.5, checked=True, **spec.resolve())
        assert written.param is rows
        torch.testing.assert_close(rows, alone.param, rtol=0, atol=0)
        state_a, state_b, param = written.state, alone.state, alone.param.clone()
    assert block[0].isnan().all() and block[4].isnan().all()  # nothing written outside its rows


def test_the_step_makes_the_declared_decay_itself_where_the_rule_allows():
    """SGD's and Adam's L2 term and AdamW's shrink are made by the step on the decayed columns, with a
    (runs, 1) weight decay: no (runs, P) weight-decay block is handed to those rules. Maximizing SGD and
    Adam negate the gradient before the decay joins it, and RMSprop and Adagrad declare nothing: their
    rules keep the block; so does every rule where the decayed columns are not neighbours."""
    for layout_key, (shapes, decayed) in LAYOUTS.items():
        params = {name: torch.zeros(33, *shape, dtype=torch.float64) for name, shape in shapes.items()}
        layout = Layout(params)
        flat = layout.flatten(params)
        for c, m in zip(CONFIGS, batched_step.members(CONFIGS, flat, layout.mask(decayed, flat)), strict=True):
            own = (layout_key == "two spans" or c.optimizer in ("rmsprop", "adagrad")
                   or (c.optimizer != "adamw" and dict(c.options).get("maximize")))
            assert m.decay_first == (None if own else optim.get(c.optimizer).decay_first), (layout_key, c)
            if own:
                assert m.weight_decay.shape == (3, layout.size) and m.decayed is None
            else:
                assert m.weight_decay == 0.0 and m.decay_rate.shape == (3, 1)
                assert m.decayed == slice(0, 12) and m.undecayed == (slice(12, 14),)


@pytest.mark.parametrize("key", [k for k, spec in optim.OPTIMIZERS.items() if spec.decay_first])
def test_a_rules_declared_first_use_of_the_decay_is_what_it_does(key):
    """OptimizerSpec.decay_first means: the rule with weight decay equals, bit for bit, the rule without it
    on the gradient with the L2 term added ("gradient") or on the shrunk weights ("shrink")."""
    spec = optim.get(key)
    torch.manual_seed(1)
    param, lr = torch.randn(4, 7, dtype=torch.float64) * 10, torch.tensor([[0.01], [0.1], [0.3], [1.0]],
                                                                         dtype=torch.float64)
    wd = torch.tensor([[0.0], [0.5], [2.0], [30.0]], dtype=torch.float64)
    with_decay, without = {}, {}
    for _ in range(3):
        grad = torch.randn(4, 7, dtype=torch.float64)
        a = spec.step(param, grad, with_decay, lr=lr, weight_decay=wd, checked=True, **spec.resolve())
        if spec.decay_first == "gradient":
            b = spec.step(param, add_scaled(grad, wd, param), without, lr=lr, weight_decay=0.0, **spec.resolve())
        else:
            b = spec.step(shrink(param, lr, wd), grad, without, lr=lr, weight_decay=0.0, **spec.resolve())
        torch.testing.assert_close(a.param, b.param, rtol=0, atol=0)
        with_decay, without, param = a.state, b.state, a.param


@pytest.mark.parametrize("layout_key", list(LAYOUTS))
def test_members_kept_on_some_rows_step_those_rows_as_before(layout_key):
    """keep_rows (core.train.compaction's drop of diverged runs): the members on the kept rows, each with its
    rule's state, lr and weight decay rows, step those rows bit for bit as the whole group steps them (every
    rule is elementwise); a configuration left without rows is gone."""
    gen = torch.Generator().manual_seed(5)
    runs = sum(c.runs for c in CONFIGS)
    shapes, decayed = LAYOUTS[layout_key]
    params = {name: torch.randn(runs, *shape, generator=gen, dtype=torch.float64) for name, shape in shapes.items()}
    layout = Layout(params)
    flat = layout.flatten(params)
    whole = batched_step.members(CONFIGS, flat, layout.mask(decayed, flat))
    grads = [torch.randn(flat.shape, generator=gen, dtype=torch.float64) for _ in range(4)]
    for g in grads[:2]:  # the state exists before the drop
        flat = batched_step.step(whole, flat, g.clone(), 1.0)
    keep = torch.rand(runs, generator=gen) < 0.6
    keep[:3] = False  # the first configuration loses every row
    kept = batched_step.keep_rows(whole, keep)
    assert len(kept) == len(CONFIGS) - sum(not bool(keep[m.runs].any()) for m in whole)
    assert [m.runs.stop - m.runs.start for m in kept] == [int(keep[m.runs].sum()) for m in whole if keep[m.runs].any()]
    narrow = flat[keep]
    for factor, g in zip((1.0, 0.5), grads[2:], strict=True):
        flat = batched_step.step(whole, flat, g.clone(), factor)
        narrow = batched_step.step(kept, narrow, g[keep].clone(), factor)
        torch.testing.assert_close(narrow, flat[keep], rtol=0, atol=0)
