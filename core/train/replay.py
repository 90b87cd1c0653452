"""A sweep's steps as a replayed program: on cuda, a window of steps captured once as a CUDA
graph and replayed for every later window.

Why: an eager step on cuda is some fifty small kernels, each launched from Python through the
dispatcher, so the GPU mostly waits; on an H200 the 24 x 24 x 3 sweep ran slower on cuda than on
the same machine's cpu (issue 15). A captured window is one launch, and the GPU runs its kernels
back to back.

A window replays only if it does the same work on the same memory every time, so
  - its inputs live in buffers it owns: the weights before the window, each step's minibatch and
    each rule's state, whose step count becomes a 0-dim tensor on the device (the bias corrections
    are then computed there; the rules never branch on it);
  - it writes each step's weights, divergence flags and losses into slots it owns, which the
    trainer hands to core.train.divergence as an eager step's tensors;
  - nothing in it looks at a tensor's value: a host sync would break the capture.
Elsewhere the same body simply runs: that is how the tests on cpu hold it to the ordinary loop
(the same divergences, the same numbers to rounding: Adam's bias correction from a tensor step
count differs in the last bit) and check that it never looks at a value.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

from core.train import batched_step
from core.train.divergence import RunDivergence
from core.train.evaluation import Evaluation, losses_and_gradient
from core.train.layout import Layout
from core.train.minibatch import Minibatches
from core.train.tasks import Data

CAPTURED_ON = ("cuda",)  # device types whose windows are captured as graphs; elsewhere the body runs as it is
REPLAYED_ON = ("cuda",)  # device types the trainer replays windows on at all (tests add "cpu")


def applies(evaluation: Evaluation, batches: Minibatches, schedule: str, curves: bool, device: torch.device) -> bool:
    """Whether a training can run as replayed windows: no curves (a sweep: nothing is recorded
    between the first and last step), a closed-form gradient (no autograd in the graph), a constant
    lr (no per-step factor) and batches of one size."""
    equal_batches = batches.full_batch or batches.n_train % batches.batch_size == 0
    return (device.type in REPLAYED_ON and not curves and evaluation.task.closed_form_gradient
            and schedule == "constant" and equal_batches)


def _owned(value, device: torch.device):
    """A state entry as a buffer the window owns: a step count as a float64 0-dim tensor."""
    if isinstance(value, Tensor):
        return value.clone()
    if isinstance(value, int):
        return torch.tensor(float(value), dtype=torch.float64, device=device)
    return value  # None: a rule's absent buffer stays absent


def _captured(body, device: torch.device) -> torch.cuda.CUDAGraph:
    """`body`'s kernels recorded, not run, as a graph to replay. Captured on a side stream, which the
    device's current stream then waits for, without torch.cuda.graph's context manager: that one
    first empties the allocator's cache, so the allocations after it go back to the driver."""
    graph = torch.cuda.CUDAGraph()
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):
        graph.capture_begin(capture_error_mode="thread_local")  # other sessions' threads may run
        try:
            body()
        finally:
            graph.capture_end()
    torch.cuda.current_stream(device).wait_stream(side)
    return graph


class Window:
    """`k` consecutive steps of every run from buffers it owns; run() does the next k."""

    def __init__(self, evaluation: Evaluation, layout: Layout, group: list[batched_step.Member],
                 divergence: RunDivergence, batches: Minibatches, flat: Tensor, k: int):
        self.evaluation, self.layout, self.group, self.divergence, self.batches, self.k = (
            evaluation, layout, group, divergence, batches, k)
        runs, device = flat.shape[0], flat.device
        self.before = torch.empty_like(flat)
        self.after = flat.new_empty((k, *flat.shape))  # slot i: the weights after the window's step i
        self.ok = torch.empty((k, runs), dtype=torch.bool, device=device)
        self.train = torch.empty((k, runs), dtype=torch.float64, device=device)
        separate_test = batches.full_batch and evaluation.task.has_test_set  # else the trainer passes no test loss
        self.test = flat.new_empty((k, runs)) if separate_test else None
        if batches.full_batch:
            self.xs = self.ys = None
        else:
            x, y = evaluation.x[:batches.batch_size], evaluation.y[:batches.batch_size]
            self.xs, self.ys = x.new_empty((k, *x.shape)), y.new_empty((k, *y.shape))
        self.states = [{key: _owned(value, device) for key, value in m.state.items()} for m in group]
        self.graph = None
        self.capture = device.type in CAPTURED_ON
        self.prepared: int | None = None  # the first step whose minibatches the buffers hold

    def _body(self) -> None:
        """The k steps, from the owned buffers into the owned slots."""
        flat = self.before
        for m, state in zip(self.group, self.states, strict=True):
            m.state = state
        for i in range(self.k):
            x, y = (self.evaluation.x, self.evaluation.y) if self.xs is None else (self.xs[i], self.ys[i])
            train, test, grad = losses_and_gradient(self.evaluation, self.layout, flat, x, y, self.xs is None)
            flat = batched_step.step(self.group, flat, grad, 1.0, out=self.after[i])
            self.train[i].copy_(train)
            if self.test is not None:
                self.test[i].copy_(test)
        self.ok.copy_(self.divergence.flags(self.after, self.train, self.test)[0])  # every step's at once
        for m, state in zip(self.group, self.states, strict=True):
            for key, value in m.state.items():
                if value is not None and value is not state[key]:
                    state[key].copy_(value)
            m.state = state

    def _capture_and_run(self) -> None:
        """The first window: on cuda captured (recorded, not run), then replayed for real, so its
        steps are launched from Python once; elsewhere, or when the device refuses the capture,
        the body runs as it is (slower, the same numbers)."""
        if self.capture:
            try:
                self.graph = _captured(self._body, self.before.device)
            except RuntimeError as error:
                self.capture = False
                warnings.warn(f"A CUDA graph capture failed, so this training runs its steps eagerly: {error}",
                              RuntimeWarning, stacklevel=2)
        if self.graph is not None:
            self.graph.replay()
        else:
            self._body()

    def prepare(self, t0: int, data: Data) -> None:
        """Put steps t0 .. t0 + k - 1's minibatches in the window's buffers. The trainer asks for the
        next window's right after launching one, before it waits for the device to look at the flags:
        the copies queue behind the window in flight (the same stream), so the host draws the batches
        while the device computes."""
        if self.xs is None or self.prepared == t0:
            return
        rows = self.batches.steps(t0, self.k)  # the same examples as take(t0 + i) for each step i
        torch.index_select(data.x_train, 0, rows, out=self.xs.view(-1, *self.xs.shape[2:]))
        torch.index_select(data.y_train, 0, rows, out=self.ys.view(-1, *self.ys.shape[2:]))
        self.prepared = t0

    def run(self, t0: int, flat: Tensor, data: Data) -> Tensor:
        """Steps t0 .. t0 + k - 1 from the weights `flat`, each recorded in the divergence check
        as the ordinary loop records it; returns the weights after the last."""
        self.prepare(t0, data)
        if flat is not self.before:
            self.before.copy_(flat)
        self.divergence.keep(t0, self.before)  # the slot that held these weights is written again now
        if self.graph is not None:
            self.graph.replay()
        else:
            self._capture_and_run()
        for i in range(self.k):
            self.divergence.record(t0 + i + 1, self.ok[i], self.train[i],
                                   None if self.test is None else self.test[i], self.after[i])
        return self.after[-1]
