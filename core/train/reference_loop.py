"""One run the ordinary way: its own parameters, a torch.optim optimizer, a LambdaLR.

The batched trainer is checked against this (tests), and timed against it (benchmarks):
the same task, data, initial weights, batches (core.train.minibatch) and schedule, one
configuration at a time, stepped by the app's one torch.optim loop (core.optim.torch_loop).
"""

from __future__ import annotations

import torch

from core import optim
from core.devices import resolve_device, resolve_dtype
from core.optim.torch_loop import run_steps
from core.train.config import TrainConfig
from core.train.minibatch import Minibatches
from core.train.schedules import lr_factors
from core.train.tasks import make_task


def torch_optim_run(config: TrainConfig, run: int) -> dict[str, torch.Tensor]:
    """Final weights of run `run` of config, trained by a plain torch.optim loop with a decay
    and a no-decay param group, exactly as one would write it by hand."""
    task = make_task(config.task, **dict(config.task_options))
    device, dtype = resolve_device(config.device, config.dtype), resolve_dtype(config.dtype)
    data = task.data(config.seed, dtype, device)
    init = task.init_params(1, config.seed, dtype, device)
    params = {k: v[0].clone().requires_grad_(True) for k, v in init.items()}
    groups = [{"params": [p for k, p in params.items() if k in task.decayed],
               "weight_decay": config.weight_decays[run]},
              {"params": [p for k, p in params.items() if k not in task.decayed], "weight_decay": 0.0}]
    opt = optim.get(config.optimizer).make_torch([g for g in groups if g["params"]], lr=config.per_run_lrs()[run],
                                                 weight_decay=0.0, options=dict(config.options))
    batches = Minibatches(len(data.x_train), task.batch_size, config.seed, device)
    total = config.epochs * batches.per_epoch

    def loss(t: int) -> torch.Tensor:
        xb, yb = batches.take(t, data.x_train, data.y_train)
        return task.loss({k: p.unsqueeze(0) for k, p in params.items()}, xb, yb).sum()

    run_steps(opt, total, loss=loss, lr_factors=lr_factors(config.schedule, total))
    return {k: p.detach() for k, p in params.items()}
