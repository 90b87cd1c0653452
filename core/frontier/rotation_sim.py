"""The scale-invariant toy of core/frontier/rotation.py: every run of a view in one array program.

The toy: a weight vector w in R^C (a layer followed by a normalization) whose loss at step t is
L_t(w) = s * xi_t . w/||w||, with xi_t ~ N(0, I) fresh each step: a pure-noise mini-batch loss that
depends on w only through its direction. Its gradient g_t = s * (xi_t - (xi_t . u) u) / ||w||, u = w/||w||,
is orthogonal to w and shrinks as ||w|| grows; E ||g||^2 ||w||^2 = s^2 (C - 1). s is the layer's
gradient scale.

Why written out: torch.optim costs ~50 us a step in Python alone, too slow for thousands of steps of
five runs at page speed. Every rule here is elementwise, so one row of a (runs, C) array is one run;
numpy, whose per-call cost is about half torch's on arrays this small, runs them all at once (float64).
SGD rows follow torch.optim.SGD(lr, momentum=beta, weight_decay=wd), Adam rows
torch.optim.AdamW(lr, betas=(beta, BETA2), weight_decay=wd) ("adamw") or
torch.optim.Adam(lr, betas=(beta, BETA2), weight_decay=wd) ("adam_l2"), operation for operation;
tests/test_rotation.py holds every rule to torch.optim itself in float64, on the same noise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.frontier.checks import decay_below_one, positive
from core.problem import SEED

DIM = 256  # C: the weight vector's length
BETA2, EPS = 0.999, 1e-8  # torch's Adam defaults
MAX_STEPS = 4000  # the longest run simulate takes: a view's cost is bounded by it
CHUNK = 250  # steps of noise drawn at once
RULES = {"sgd": "SGD", "adamw": "AdamW", "adam_l2": "Adam + L2"}


@dataclass(frozen=True)
class Run:
    """One run: rule (a key of RULES), its lr and wd, beta (SGD's momentum, Adam's beta1) and the
    gradient scale s of its layer."""

    rule: str
    lr: float
    wd: float
    beta: float
    scale: float = 1.0

    def check(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"Unknown rule {self.rule!r}; choose one of {sorted(RULES)}")
        positive(lr=self.lr, wd=self.wd, scale=self.scale)
        decay_below_one(self.lr, self.wd)
        if not (isinstance(self.beta, (int, float)) and 0 <= self.beta < 1):
            raise ValueError(f"beta must be in [0, 1), got {self.beta!r}")


@dataclass(frozen=True)
class Trace:
    """What the runs did: ||w_t|| for t = 0..T, the angle between w_t and w_{t+1} for t < T (radians),
    and w_T."""

    runs: tuple[Run, ...]
    norms: np.ndarray  # (runs, T + 1)
    angles: np.ndarray  # (runs, T)
    final: np.ndarray  # (runs, C)

    @property
    def steps(self) -> int:
        return self.angles.shape[1]

    @property
    def window(self) -> int:
        """The first step of the averaging window: the run's second half."""
        return self.steps // 2

    def mean_angle(self, i: int) -> float:
        return float(self.angles[i, self.window:].mean())

    def mean_norm(self, i: int) -> float:
        return float(self.norms[i, self.window:].mean())


def start(rows: int, dim: int = DIM, seed: int = SEED, norm=1.0) -> np.ndarray:
    """w_0: one random direction per row, of the given norm (one for all rows, or one per row)."""
    w = np.random.default_rng(seed).standard_normal((rows, dim))
    return w * (np.reshape(np.asarray(norm, dtype=np.float64), (-1, 1)) / np.linalg.norm(w, axis=1, keepdims=True))


def noise_chunks(rows: int, steps: int, dim: int = DIM, seed: int = SEED) -> Iterator[np.ndarray]:
    """xi_t for t = 0..steps-1 as (steps in chunk, rows, dim) blocks of at most CHUNK steps (seed + 1:
    not w_0's stream). Row i is run i's noise whatever else runs beside it."""
    rng = np.random.default_rng(seed + 1)
    for first in range(0, steps, CHUNK):
        yield rng.standard_normal((min(CHUNK, steps - first), rows, dim))


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def gradient(w: np.ndarray, xi: np.ndarray, scale, n: np.ndarray | None = None) -> np.ndarray:
    """The toy's gradient, row by row: s * (xi - (xi . u) u) / ||w|| (n: ||w|| per row, (rows, 1), if known)."""
    n = np.linalg.norm(w, axis=1, keepdims=True) if n is None else n
    return (xi - (_dot(xi, w)[:, None] / (n * n)) * w) * (scale / n)


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def _checked(runs, steps: int, dim: int, init_norm) -> tuple[Run, ...]:
    runs = tuple(runs)
    if not runs:
        raise ValueError("simulate needs at least one run")
    for run in runs:
        run.check()
    if not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number in [1, {MAX_STEPS}], got {steps!r}")
    if not (isinstance(dim, int) and dim >= 2):
        raise ValueError(f"dim must be a whole number >= 2, got {dim!r}")
    norms = np.asarray(init_norm, dtype=np.float64)
    if norms.shape not in ((), (len(runs),)) or not (np.isfinite(norms).all() and (norms > 0).all()):
        raise ValueError("init_norm must be one positive finite norm, or one for each run")
    return runs


def simulate(runs, steps: int, dim: int = DIM, seed: int = SEED, init_norm=1.0) -> Trace:
    """Every run for steps steps, run i from w_0 = start(...)[i] (init_norm: one norm, or one per run)
    on noise row i. Rows are reordered
    SGD first so each rule updates one contiguous slice in place, and put back at the end."""
    runs = _checked(runs, steps, dim, init_norm)
    order = np.array(sorted(range(len(runs)), key=lambda i: runs[i].rule != "sgd"))  # SGD rows first
    rows = [runs[i] for i in order]
    s = sum(r.rule == "sgd" for r in rows)
    sgd, adam = rows[:s], rows[s:]
    w = start(len(rows), dim, seed, init_norm)[order]
    ws, wa = w[:s], w[s:]  # views: updating them in place updates w
    scale = _column([r.scale for r in rows])
    # SGD: buf <- beta*buf + (g + wd*w); w <- w - lr*buf (torch's first buf is g + wd*w: the same from 0)
    s_wd, s_beta, s_lr = _column([r.wd for r in sgd]), _column([r.beta for r in sgd]), _column([-r.lr for r in sgd])
    buf = np.zeros_like(ws)
    # Adam: g + wd*w into the moments (Adam + L2), or w*(1 - lr*wd) before the step (AdamW)
    a_l2 = _column([r.wd if r.rule == "adam_l2" else 0.0 for r in adam])
    a_keep = _column([1 - r.lr * r.wd if r.rule == "adamw" else 1.0 for r in adam])
    a_mix = 1 - _column([r.beta for r in adam])  # torch's lerp_(d, 1 - beta1) weight
    t = np.arange(1, steps + 1, dtype=np.float64)[:, None, None]
    a_step = -_column([r.lr for r in adam]) / (1 - (1 - a_mix) ** t)  # -lr / (1 - beta1^t): (T, rows, 1)
    bc2 = np.sqrt(1 - BETA2 ** t.ravel())
    m, v = np.zeros_like(wa), np.zeros_like(wa)
    norms, dots = np.empty((steps + 1, len(rows))), np.empty((steps, len(rows)))
    before = np.empty_like(w)
    k = 0
    for chunk in noise_chunks(len(rows), steps, dim, seed):
        for xi in chunk[:, order]:
            n = np.sqrt(_dot(w, w))[:, None]
            norms[k] = n[:, 0]
            g = gradient(w, xi, scale, n)
            before[:] = w
            if s:
                buf = g[:s] + s_wd * ws + s_beta * buf
                ws += s_lr * buf
            if s < len(rows):
                d = g[s:] + a_l2 * wa
                m += a_mix * (d - m)  # torch: m.lerp_(d, 1 - beta1)
                v *= BETA2
                v += (1 - BETA2) * d * d
                wa *= a_keep
                wa += m / (np.sqrt(v) / bc2[k] + EPS) * a_step[k]
            dots[k] = _dot(w, before)
            k += 1
    norms[steps] = np.linalg.norm(w, axis=1)
    angles = np.arccos(np.clip(dots / (norms[:-1] * norms[1:]), -1.0, 1.0))
    back = np.argsort(order)
    return Trace(runs, norms[:, back].T.copy(), angles[:, back].T.copy(), w[back])
