"""Embeddings and sparse gradients: what weight decay does to the rows a batch never touches.

Sources: pytorch/pytorch#1285 ("sparse optimizers", from 2017; a 2020 comment there quotes SGD's
"add(sparse, dense) is not supported" on a sparse embedding with weight decay) and #30402
("There is no support for weight_decay/momentum in SGD for sparse tensors", 2019, open), where a
reply names the ambiguity: for a dense weight with sparse gradients, decaying every row lets an
embedding row decay toward zero between two uses, and decaying only the rows in the gradient is
not the usual definition of decay. A 2019 pull request adding weight decay to SparseAdam (#25560,
closed unmerged) drew the review that decaying only the trained values is "very very unintuitive";
FBGEMM's sparse embedding tables call the two readings "local" (only the rows in the batch) and
"global" weight decay (pytorch/FBGEMM#2516, 2024).

The experiment: an embedding E (VOCAB x DIM, float64) trained on batches of B tokens drawn from a
Zipf distribution, p_k proportional to (k+1)^-s, with the loss L = 1/(2B) sum_i ||E[x_i] - T[x_i]||^2
(each row pulled toward a fixed target row). Its gradient is nonzero only on the batch's rows:
dense, G = sum_i (E[x_i] - T[x_i]) / B scattered to row x_i (what nn.Embedding's backward gives);
sparse (nn.Embedding(sparse=True)), the same values at indices x, uncoalesced. Three choices:
- dense: torch.optim.AdamW(weight_decay=wd): every row shrinks by (1 - lr*wd) every step, present
  in the batch or not; a row never drawn has m = v = 0, so Adam moves it by 0 and after T steps
  it is exactly (1 - lr*wd)^T times its start.
- rows: AdamW whose decay reaches only the batch's rows: E[x] *= (1 - lr*wd), then AdamW with
  weight_decay=0. On the batch's rows that is torch AdamW's own step (it too decays before its
  update, which does not depend on E); rows never drawn stay exactly as they started, and rows
  drawn before but not now still move by Adam's momentum, undecayed.
- sparse: torch.optim.SparseAdam on the sparse gradient, which takes no weight_decay at all.
torch itself is asked, live, what it does with weight decay on a sparse gradient (attempts()).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core import numbers
from core.frontier.checks import decay_below_one, positive
from core.problem import SEED

VOCAB, DIM = 200, 16
GROUP = VOCAB // 4  # "the rarest" and "the most frequent" tokens: a quarter of the vocabulary each
MAX_STEPS = 500  # the run's upper bound: three optimizers at MAX_BATCH took 0.53 s of CPU (2026-11-27)
MAX_BATCH = 256
# batch-row AdamW: AdamW whose decay reaches only the rows in the batch
CHOICES = {"dense": "dense AdamW", "rows": "batch-row AdamW", "sparse": "SparseAdam"}


def zipf(exponent: float, vocab: int = VOCAB) -> np.ndarray:
    """Token k's probability, proportional to (k + 1)^-exponent: token 0 the most frequent."""
    if not (np.isfinite(exponent) and 0 <= exponent <= 10):
        raise ValueError(f"the Zipf exponent must be in [0, 10], got {exponent!r}")
    weights = np.arange(1, vocab + 1, dtype=np.float64) ** -float(exponent)
    return weights / weights.sum()


def draw_batches(probability: np.ndarray, steps: int, batch: int, seed: int = SEED) -> Tensor:
    """steps x batch token ids drawn from probability, seeded."""
    rng = np.random.default_rng(seed)
    return torch.as_tensor(rng.choice(len(probability), size=(steps, batch), p=probability))


def start(seed: int = SEED, vocab: int = VOCAB, dim: int = DIM) -> tuple[Tensor, Tensor]:
    """The embedding's initial rows (N(0, 1), nn.Embedding's own init) and the target rows, seeded."""
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(vocab, dim, generator=g, dtype=torch.float64),
            torch.randn(vocab, dim, generator=g, dtype=torch.float64))


def dense_grad(w: Tensor, targets: Tensor, x: Tensor) -> Tensor:
    """dL/dE for the batch x as nn.Embedding(sparse=False)'s backward gives it: zero off the batch's rows."""
    return torch.zeros_like(w).index_add_(0, x, (w[x] - targets[x]) / len(x))


def sparse_grad(w: Tensor, targets: Tensor, x: Tensor) -> Tensor:
    """dL/dE as nn.Embedding(sparse=True)'s backward gives it: one row of values per token, uncoalesced
    (the indices are token ids, in range by construction: torch's invariant check is skipped)."""
    return torch.sparse_coo_tensor(x[None], (w[x] - targets[x]) / len(x), w.shape, check_invariants=False)


def row_decay(x: Tensor, vocab: int, lr: float, wd: float) -> Tensor:
    """A (vocab, 1) column: AdamW's factor 1 - lr*wd on the rows in x, exactly 1 on the others."""
    scale = torch.ones(vocab, 1, dtype=torch.float64)
    scale[x] = 1 - lr * wd
    return scale


def optimizer(choice: str, w: Tensor, lr: float, wd: float) -> torch.optim.Optimizer:
    if choice == "dense":
        return torch.optim.AdamW([w], lr=lr, weight_decay=wd)
    if choice == "rows":
        return torch.optim.AdamW([w], lr=lr, weight_decay=0.0)
    if choice == "sparse":
        return torch.optim.SparseAdam([w], lr=lr)
    raise ValueError(f"Unknown choice {choice!r}; choose one of {sorted(CHOICES)}")


def step(choice: str, opt: torch.optim.Optimizer, w: Tensor, targets: Tensor, x: Tensor, lr: float,
         wd: float) -> None:
    """One training step of the choice on batch x (w a leaf that requires grad, opt from optimizer())."""
    w.grad = (sparse_grad if choice == "sparse" else dense_grad)(w.detach(), targets, x)
    if choice == "rows":
        with torch.no_grad():
            w.mul_(row_decay(x, len(w), lr, wd))
    opt.step()


def train(choice: str, w0: Tensor, targets: Tensor, batches: Tensor, lr: float, wd: float) -> Tensor:
    """The embedding after one step per batch under the choice."""
    w = w0.clone().requires_grad_(True)
    opt = optimizer(choice, w, lr, wd)
    for x in batches:
        step(choice, opt, w, targets, x, lr, wd)
    return w.detach()


@dataclass(frozen=True)
class Attempt:
    """One optimizer asked to step on a sparse gradient, and what torch said."""

    code: str  # the call, with this view's numbers
    error: str | None  # the exception's type, None when it stepped
    message: str | None  # torch's own text


def _attempts(lr: float, wd: float) -> tuple[tuple[str, Callable], ...]:
    """The calls tried on the sparse gradient, each with its code as shown."""
    return (
        (f"torch.optim.SGD([weight], lr={lr!r}, weight_decay={wd!r}).step()",
         lambda p: torch.optim.SGD(p, lr=lr, weight_decay=wd).step()),
        (f"torch.optim.SGD([weight], lr={lr!r}).step()", lambda p: torch.optim.SGD(p, lr=lr).step()),
        (f"torch.optim.AdamW([weight], lr={lr!r}, weight_decay={wd!r}).step()",
         lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=wd).step()),
        (f"torch.optim.SparseAdam([weight], lr={lr!r}, weight_decay={wd!r})",
         lambda p: torch.optim.SparseAdam(p, lr=lr, weight_decay=wd)),
    )


def attempts(lr: float, wd: float, seed: int = SEED) -> tuple[Attempt, ...]:
    """Run each call on a fresh weight holding nn.Embedding(sparse=True)'s gradient, inside try/except."""
    w0, targets = start(seed)
    x = torch.arange(4)
    out = []
    for code, call in _attempts(lr, wd):
        weight = w0.clone().requires_grad_(True)
        weight.grad = sparse_grad(w0, targets, x)
        try:
            call([weight])
        except Exception as err:  # noqa: BLE001 - what torch raises is the finding, whatever its type
            out.append(Attempt(code, type(err).__name__, str(err)))
        else:
            out.append(Attempt(code, None, None))
    return tuple(out)


def sparse_adam_parameters() -> tuple[str, ...]:
    """torch.optim.SparseAdam's constructor arguments, read from its signature."""
    return tuple(inspect.signature(torch.optim.SparseAdam).parameters)


@dataclass(frozen=True)
class EmbeddingRun:
    lr: float
    wd: float
    steps: int
    batch: int
    exponent: float
    probability: np.ndarray  # (VOCAB,) each token's Zipf probability
    counts: np.ndarray  # (VOCAB,) times each token was drawn
    initial_norms: np.ndarray  # (VOCAB,)
    ratios: dict[str, np.ndarray]  # choice -> final row norm / initial row norm
    unseen_change: dict[str, float]  # choice -> largest |change| of a row never drawn (0 when none)
    attempts: tuple[Attempt, ...]
    sparse_adam_parameters: tuple[str, ...]

    @property
    def decay_alone(self) -> float:
        """(1 - lr*wd)^T: what dense AdamW leaves of a row no batch ever drew."""
        return (1.0 - self.lr * self.wd) ** self.steps

    @property
    def unseen(self) -> np.ndarray:
        return np.flatnonzero(self.counts == 0)

    def mean_ratio(self, choice: str, rarest: bool) -> float:
        """The mean final/initial norm over the GROUP rarest (or most frequent) tokens by probability."""
        order = np.argsort(self.probability, kind="stable")
        rows = order[:GROUP] if rarest else order[-GROUP:]
        return float(self.ratios[choice][rows].mean())


def run(lr: float, wd: float, steps: int, batch: int, exponent: float, seed: int = SEED) -> EmbeddingRun:
    """Train the three choices on the same batches from the same start; and ask torch the attempts()."""
    positive(lr=lr, wd=wd)
    decay_below_one(lr, wd)
    if not 1 <= steps <= MAX_STEPS or not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"steps must be in [1, {MAX_STEPS}] and batch in [1, {MAX_BATCH}], got {steps}, {batch}")
    probability = zipf(exponent)
    batches = draw_batches(probability, int(steps), int(batch), seed)
    w0, targets = start(seed)
    counts = np.bincount(batches.flatten().numpy(), minlength=VOCAB)
    never = torch.as_tensor(counts == 0)
    initial = torch.linalg.vector_norm(w0, dim=1)
    ratios, unseen = {}, {}
    for choice in CHOICES:
        w = train(choice, w0, targets, batches, lr, wd)
        ratios[choice] = (torch.linalg.vector_norm(w, dim=1) / initial).numpy()
        unseen[choice] = float((w - w0)[never].abs().max()) if never.any() else 0.0
    return EmbeddingRun(lr, wd, int(steps), int(batch), float(exponent), probability, counts, initial.numpy(),
                        ratios, unseen, attempts(lr, wd, seed), sparse_adam_parameters())


def _moved(change: float) -> str:
    return "left them exactly as they started" if change == 0 else f"moved them by up to {numbers.fmt(change)}"


def _to(ratio: float) -> str:
    """'shrank to 0.55' or 'grew to 1.2' or 'kept exactly 1': the direction read from the ratio."""
    if ratio == 1:
        return "kept exactly 1"
    return f"{'shrank' if ratio < 1 else 'grew'} to {numbers.fmt(ratio, unlike=1.0)}"


def sentences(result: EmbeddingRun) -> list[str]:
    """The run's findings, each from its numbers."""
    rare = {c: result.mean_ratio(c, rarest=True) for c in CHOICES}
    frequent = result.mean_ratio("dense", rarest=False)
    out = [f"Under dense AdamW the {GROUP} rarest tokens' rows {_to(rare['dense'])} of their initial norm on "
           f"average; the {GROUP} most frequent {_to(frequent)} (decay alone, (1 − lr·wd)^{result.steps}, leaves "
           f"{numbers.fmt(result.decay_alone)})."]
    n, draws = len(result.unseen), numbers.count(result.steps * result.batch)
    if n:
        gap = float(np.abs(result.ratios["dense"][result.unseen] - result.decay_alone).max())
        rows, sparse = _moved(result.unseen_change["rows"]), _moved(result.unseen_change["sparse"])
        others = f"batch-row AdamW and SparseAdam {rows}" if rows == sparse else \
            f"batch-row AdamW {rows} and SparseAdam {sparse}"
        out.append(f"{n} {'token was' if n == 1 else 'tokens were'} never drawn in {draws} draws: dense AdamW shrank "
                   f"each of their rows to (1 − lr·wd)^{result.steps} = {numbers.fmt(result.decay_alone)} of its "
                   f"start (largest gap {numbers.fmt(gap)}); {others}.")
    else:
        out.append(f"Every token was drawn at least once in {draws} draws: no row was left to decay alone.")
    kept = sorted(CHOICES, key=rare.get, reverse=True)
    out.append(f"The {GROUP} rarest rows kept the most of their norm under {CHOICES[kept[0]]} "
               f"({numbers.fmt(rare[kept[0]])}), then {CHOICES[kept[1]]} ({numbers.fmt(rare[kept[1]])}), "
               f"the least under {CHOICES[kept[2]]} ({numbers.fmt(rare[kept[2]])}).")
    return out


def attempt_sentence(result: EmbeddingRun) -> str:
    """What torch did with each call on the sparse gradient, and SparseAdam's arguments."""
    refused = [a for a in result.attempts if a.error]
    ran = [a for a in result.attempts if not a.error]
    args = ", ".join(result.sparse_adam_parameters)
    decay = "has a weight_decay argument" if "weight_decay" in result.sparse_adam_parameters else \
        "has no weight_decay argument"
    return (f"Of {len(result.attempts)} calls on nn.Embedding(sparse=True)'s gradient torch refused "
            f"{len(refused)} and ran {len(ran)}; torch.optim.SparseAdam({args}) {decay}.")


def transcript(result: EmbeddingRun) -> str:
    """The calls and torch's answers, as a console would show them (shown literally, in a code block)."""
    lines = []
    for a in result.attempts:
        lines.append(f">>> {a.code}")
        if a.error:
            lines.append(f"{a.error}: {a.message}")
    return "\n".join(lines)
