"""What people ask about weight decay, each answered by a small live experiment with torch.

A question is data: title, a one-paragraph answer, an experiment (keyword arguments from
its controls -> a result), a figure builder, a one-line summary with the live numbers, and
the public source. A new question is one entry in QUESTIONS. Every claim an answer makes
is checked numerically against torch.optim in tests/test_questions.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from core import figures, numbers
from core.precision import precision, precision_answer, precision_figure, precision_summary
from core.problem import make_problem
from core.schedules import lr_factors
from core.schema import Field
from core.step import PureDecayComparison, adam_vs_adamw_pure_decay
from core.theory import run_torch


def Control(name: str, label: str, default: float, low: float, high: float, step: float) -> Field:  # noqa: N802
    """A card's slider, declared as a core.schema Field (key = the experiment's argument name)."""
    return Field(name, default, low, high, step=step, label=label)


@dataclass(frozen=True)
class Question:
    slug: str  # the card's anchor: /questions#slug
    title: str
    answer: str
    run: Callable[..., Any]
    figure: Callable[[Any], Any]  # a plotly figure or a pandas DataFrame
    summary: Callable[[Any], str]
    source: str
    controls: tuple[Field, ...] = ()
    link: tuple[str, str] | None = None  # (label, app path with query)
    code: Callable[..., str] | None = None  # code the card shows, from the same control values


def _seed_w() -> torch.Tensor:
    return make_problem().w0.clone()


def _pure_decay_run(opt_class, w0: torch.Tensor, steps: int, schedule=None, **kwargs) -> list[torch.Tensor]:
    """W_0..W_steps under torch.optim with zero gradients: decay alone acts."""
    w = w0.clone().requires_grad_(True)
    opt = opt_class([w], **kwargs)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule else None
    out = [w.detach().clone()]
    for _ in range(steps):
        w.grad = torch.zeros_like(w)
        opt.step()
        if sched:
            sched.step()
        out.append(w.detach().clone())
    return out


# 1 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdamVsAdamW:
    pure: PureDecayComparison
    lr: float
    weight_decay: float
    wd0_max_abs_diff: float  # AdamW(weight_decay=0) vs Adam over `steps` steps of the seed loss
    steps: int


def adam_vs_adamw(lr: float = 0.01, weight_decay: float = 0.5, steps: int = 20) -> AdamVsAdamW:
    problem = make_problem()
    adam = run_torch(torch.optim.Adam, problem.w0, problem.loss, steps, lr=lr)
    adamw = run_torch(torch.optim.AdamW, problem.w0, problem.loss, steps, lr=lr, weight_decay=0.0)
    diff = float((adam - adamw).abs().max())
    return AdamVsAdamW(adam_vs_adamw_pure_decay(lr, weight_decay), lr, weight_decay, diff, steps)


# 2 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduledDecay:
    shrink: dict[str, np.ndarray]  # schedule -> lr_t * wd per step
    norms: dict[str, np.ndarray]  # schedule -> ||W_t|| under AdamW with zero gradients


def schedule_changes_decay(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> ScheduledDecay:
    w0, shrink, norms = _seed_w(), {}, {}
    for name in ("constant", "step", "cosine"):
        factors = lr_factors(name, steps)
        run = _pure_decay_run(torch.optim.AdamW, w0, steps, lambda t, f=factors: f[min(t, steps - 1)], lr=lr,
                              weight_decay=weight_decay)
        shrink[name] = lr * weight_decay * np.array(factors)
        norms[name] = np.array([float(w.norm()) for w in run])
    return ScheduledDecay(shrink, norms)


def _schedule_figure(r: ScheduledDecay):
    steps = {k: np.arange(len(v)) for k, v in r.norms.items()}
    return figures.lines({f"‖W‖, {k}": (steps[k], v) for k, v in r.norms.items()}
                         | {f"lr_t·wd, {k}": (np.arange(len(v)), v) for k, v in r.shrink.items()},
                         "AdamW, zero gradients: the schedule schedules the decay", "step", "value", log_y=True)


# 3 -------------------------------------------------------------------------------------
RECIPES = (
    ("ResNet-50, SGD (torchvision reference)", "SGD", 0.1, 1e-4),
    ("timm train.py, SGD", "SGD", 0.1, 2e-5),
    ("nanoGPT GPT-2, AdamW", "AdamW", 6e-4, 0.1),
    ("torch.optim.AdamW defaults", "AdamW", 1e-3, 1e-2),
    ("Hugging Face Trainer default", "AdamW", 5e-5, 0.0),
    ("lr 1e-4 with wd 1e-4", "AdamW", 1e-4, 1e-4),
)


def measured_shrink(optimizer: str, lr: float, weight_decay: float) -> float:
    """1 - w_1/w_0 for one real torch.optim step with a zero gradient."""
    (w0, w1) = _pure_decay_run(getattr(torch.optim, optimizer), torch.ones(1, dtype=torch.float64), 1, lr=lr,
                               weight_decay=weight_decay)
    return float(1 - w1 / w0)


def recipes(lr: float = 0.01, weight_decay: float = 0.05) -> pd.DataFrame:
    rows = [*RECIPES, ("your recipe (AdamW)", "AdamW", lr, weight_decay)]
    table = []
    for name, opt, r_lr, r_wd in rows:
        shrink = r_lr * r_wd
        half = math.log(0.5) / math.log1p(-shrink) if 0 < shrink < 1 else float("inf")
        table.append({"recipe": name, "optimizer": opt, "lr": r_lr, "weight_decay": r_wd, "lr·wd per step": shrink,
                      "measured shrink (torch)": measured_shrink(opt, r_lr, r_wd), "half-life (steps)": half})
    return pd.DataFrame(table)


# 4 -------------------------------------------------------------------------------------
def default_decays_everything(lr: float = 0.1, weight_decay: float = 0.1) -> pd.DataFrame:
    """A Linear + BatchNorm1d with zero gradients under SGD(weight_decay): every tensor shrinks."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).double()
    with torch.no_grad():
        model[1].bias.fill_(0.5)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    return pd.DataFrame([{"parameter": n, "first value before": float(before[n].flatten()[0]),
                          "after one step": float(p.detach().flatten()[0]),
                          "ratio": float(p.detach().flatten()[0] / before[n].flatten()[0])}
                         for n, p in model.named_parameters()])


# 5 -------------------------------------------------------------------------------------
def frozen_parameters(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 5) -> pd.DataFrame:
    """One optimizer, two parameters: one never gets a .grad, one gets zeros each step."""
    rows = []
    for cls in (torch.optim.SGD, torch.optim.AdamW):
        no_grad, zero_grad = (torch.ones(3, dtype=torch.float64, requires_grad=True) for _ in range(2))
        opt = cls([no_grad, zero_grad], lr=lr, weight_decay=weight_decay)
        for _ in range(steps):
            zero_grad.grad = torch.zeros_like(zero_grad)
            opt.step()
        rows += [{"optimizer": cls.__name__, "parameter": ".grad is None", "value after": float(no_grad.detach()[0])},
                 {"optimizer": cls.__name__, "parameter": ".grad = zeros", "value after": float(zero_grad.detach()[0])}]
    frame = pd.DataFrame(rows)
    frame["(1 - lr·wd)^steps"] = (1 - lr * weight_decay) ** steps
    return frame


# 6 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MomentumDecay:
    shrink_momentum: np.ndarray  # per-step relative shrink of ||W|| with momentum
    shrink_plain: np.ndarray
    lr_wd: float
    approx: float  # lr*wd / (1 - momentum)
    exact: float  # the steady-state shrink from momentum_steady_shrink (NaN when W oscillates)


def momentum_steady_shrink(lr: float, weight_decay: float, momentum: float) -> float:
    """Steady per-step shrink s of pure decay under SGD momentum: with W_t = (1-s)^t W_0 the
    buffer gives s (1 - s - momentum) = lr*wd (1 - s); the small root of that quadratic."""
    k = lr * weight_decay
    b = 1 - momentum + k
    if b * b < 4 * k:  # complex roots: the buffer makes W oscillate instead of shrinking steadily
        return float("nan")
    return (b - math.sqrt(b * b - 4 * k)) / 2


def momentum_and_decay(lr: float = 0.01, weight_decay: float = 0.1, momentum: float = 0.9,
                       steps: int = 300) -> MomentumDecay:
    w0 = _seed_w()

    def shrink(run):
        norms = np.array([float(w.norm()) for w in run])
        return 1 - norms[1:] / norms[:-1]

    with_m = _pure_decay_run(torch.optim.SGD, w0, steps, lr=lr, weight_decay=weight_decay, momentum=momentum)
    plain = _pure_decay_run(torch.optim.SGD, w0, steps, lr=lr, weight_decay=weight_decay)
    return MomentumDecay(shrink(with_m), shrink(plain), lr * weight_decay, lr * weight_decay / (1 - momentum),
                         momentum_steady_shrink(lr, weight_decay, momentum))


def _momentum_figure(r: MomentumDecay):
    t = np.arange(1, len(r.shrink_plain) + 1)
    flat = np.ones_like(t, dtype=float)
    return figures.lines({"measured, momentum": (t, r.shrink_momentum), "measured, no momentum": (t, r.shrink_plain),
                          "lr·wd": (t, r.lr_wd * flat), "lr·wd/(1−μ)": (t, r.approx * flat),
                          "steady-state root": (t, r.exact * flat)},
                         "Shrink of ‖W‖ per step, zero gradients", "step", "1 − ‖W_t‖/‖W_{t−1}‖")


# 7 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clipping:
    option_then_clip: np.ndarray  # clip_grad_norm_ then SGD(weight_decay)
    penalty_then_clip: np.ndarray  # L2 in the loss, clip, SGD(weight_decay=0)
    grad_norm: float
    max_norm: float
    max_abs_diff: float


def clipping_and_decay(lr: float = 0.1, weight_decay: float = 1.0, max_norm: float = 1.0) -> Clipping:
    problem = make_problem()
    results = []
    for penalty in (False, True):
        w = problem.w0.clone().requires_grad_(True)
        opt = torch.optim.SGD([w], lr=lr, weight_decay=0.0 if penalty else weight_decay)
        loss = problem.loss(w) + (weight_decay / 2 * (w**2).sum() if penalty else 0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([w], max_norm)
        opt.step()
        results.append(w.detach().numpy())
    a, b = results
    return Clipping(a, b, float(problem.grad(problem.w0).norm()), max_norm, float(np.abs(a - b).max()))


def _clipping_figure(r: Clipping):
    return figures.matrix_heatmap(r.option_then_clip - r.penalty_then_clip,
                                  "W(weight_decay option) − W(L2 in the loss), after clipping")


# 8: the precision card lives in core.precision


# 9 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    torch_adamw: np.ndarray  # θ(1 - lr·wd) + u, as torch computes it
    step_then_shrink: np.ndarray  # (θ + u)(1 - lr·wd), as some fused kernels do
    update: np.ndarray  # u: the Adam step without decay
    lr_wd: float


def shrink_then_step(lr: float = 0.1, weight_decay: float = 0.5) -> Order:
    problem = make_problem()
    after = {}
    for cls, kwargs in ((torch.optim.AdamW, {"weight_decay": weight_decay}), (torch.optim.Adam, {})):
        w = problem.w0.clone().requires_grad_(True)
        problem.loss(w).backward()
        cls([w], lr=lr, **kwargs).step()
        after[cls] = w.detach()
    w0 = problem.w0
    u = after[torch.optim.Adam] - w0
    k = lr * weight_decay
    return Order(after[torch.optim.AdamW].numpy(), ((w0 + u) * (1 - k)).numpy(), u.numpy(), k)


# 10 ------------------------------------------------------------------------------------
def wd_schedule_snippet(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> str:
    return f'''import math

import torch

W = torch.nn.Parameter(torch.ones(4, 5, dtype=torch.float64))
opt = torch.optim.AdamW([W], lr={lr!r}, weight_decay=0.0)
steps, wd_max = {int(steps)}, {weight_decay!r}
wds, norms = [], [W.norm().item()]
for step in range(steps):
    wd = wd_max * 0.5 * (1 + math.cos(math.pi * step / steps))  # cosine from wd_max to 0
    for group in opt.param_groups:
        group["weight_decay"] = wd  # torch.optim has no weight-decay scheduler: set it per step
    W.grad = torch.zeros_like(W)  # zero gradient: only the decay acts
    opt.step()
    wds.append(wd)
    norms.append(W.norm().item())
'''


@dataclass(frozen=True)
class WdSchedule:
    wds: np.ndarray
    norms: np.ndarray


def schedule_weight_decay(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> WdSchedule:
    """Runs exactly the snippet the card shows."""
    namespace: dict = {}
    exec(wd_schedule_snippet(lr, weight_decay, steps), namespace)  # noqa: S102 - our own constant code
    return WdSchedule(np.array(namespace["wds"]), np.array(namespace["norms"]))


LR = Control("lr", "learning rate", 0.1, 0.001, 1.0, 0.001)
WD = Control("weight_decay", "weight decay", 0.5, 0.0, 5.0, 0.01)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "adam-vs-adamw", "Is Adam(weight_decay=...) the same as AdamW?",
        "No. Adam adds wd·w to the gradient before the moments, so the decay is divided by √v̂ like any gradient: "
        "with no loss gradient every weight moves by about lr on the first step, whatever its size. AdamW "
        "multiplies every weight by 1 − lr·wd outside the adaptive step. With weight_decay = 0 they are the same "
        "algorithm, bit for bit.",
        adam_vs_adamw,
        lambda r: figures.pure_decay_scatter(r.pure.w_before, r.pure.adam_change, r.pure.adamw_change, r.lr,
                                             r.weight_decay),
        lambda r: (f"Pure decay, one step: Adam moved weights by "
                   f"{numbers.fmt_range(np.abs(r.pure.adam_change).min(), np.abs(r.pure.adam_change).max())} "
                   f"(lr = {numbers.fmt(r.lr)}); AdamW multiplied each by "
                   f"{numbers.fmt(1 - r.lr * r.weight_decay, unlike=1.0)}. AdamW(weight_decay=0) vs Adam over "
                   f"{r.steps} steps: max |diff| = {numbers.fmt(r.wd0_max_abs_diff)}."),
        "Loshchilov & Hutter, Decoupled Weight Decay Regularization (ICLR 2019); torch.optim.Adam and AdamW docs",
        (Control("lr", "learning rate", 0.01, 0.001, 0.1, 0.001), WD),
    ),
    Question(
        "schedule", "Does a learning-rate schedule change the decay?",
        "Yes. PyTorch's SGD and AdamW shrink W by lr_t·wd each step, so a schedule that lowers lr lowers the decay "
        "too: 'decoupled' means decoupled from the adaptive denominator, not from the learning rate. The paper "
        "scales decay by the schedule multiplier instead; PyTorch uses the full lr.",
        schedule_changes_decay, _schedule_figure,
        lambda r: "Final ‖W‖ with zero gradients: " + ", ".join(f"{k} {numbers.fmt(v[-1], 4)}"
                                                                for k, v in r.norms.items())
        + f" (from {numbers.fmt(r.norms['constant'][0], 4)}).",
        "pytorch/pytorch issue 38853 (AdamW weight decay and lr schedulers)",
        (LR, WD),
    ),
    Question(
        "recipes", "Why do SGD recipes use wd ≈ 1e-4 but AdamW recipes 0.01–0.1?",
        "Because the shrink per step is lr·wd, and the learning rates differ by orders of magnitude: ResNet's SGD "
        "at lr 0.1 with wd 1e-4 shrinks by 1e-5 per step, nanoGPT's AdamW at lr 6e-4 with wd 0.1 by 6e-5. A wd "
        "of 1e-4 at lr 1e-4 shrinks by 1e-8 per step: nothing visible. Add your own row below.",
        recipes, lambda r: numbers.frame(r, 4),
        lambda r: "Measured shrink = one real torch.optim step with a zero gradient; it equals lr·wd in every row.",
        "torchvision classification reference, nanoGPT train.py, Hugging Face TrainingArguments, timm train.py",
        (Control("lr", "your lr", 0.01, 1e-5, 1.0, 1e-5), Control("weight_decay", "your wd", 0.05, 0.0, 1.0, 1e-4)),
    ),
    Question(
        "bias-and-batchnorm", "Are biases and BatchNorm parameters decayed by default?",
        "Yes. torch.optim decays every parameter it is given: biases, BatchNorm scales and shifts included. "
        "Excluding them is up to you; nanoGPT, timm, Hugging Face and torchvision's reference each have a rule, "
        "and the parameter explorer shows each one's choice for real models.",
        default_decays_everything, lambda r: numbers.frame(r, 4),
        lambda r: "Every tensor, BatchNorm's weight and bias too, was multiplied by 1 − lr·wd in one step with "
                  "zero gradients.",
        "pytorch/pytorch issue 2639 (weight decay on biases and BatchNorm)",
        (LR, Control("weight_decay", "weight decay", 0.1, 0.0, 5.0, 0.01)),
        link=("Open ResNet-50 in the parameter explorer", "parameters?model=resnet50&convention=torch&search=bn"),
    ),
    Question(
        "frozen", "Is a frozen parameter decayed?",
        "A parameter whose .grad is None is skipped entirely: no step, no decay. One whose gradient is zeros (an "
        "unused branch under DDP, say) is still decayed every step.",
        frozen_parameters, lambda r: numbers.frame(r, 4),
        lambda r: "The .grad-is-None parameter kept its value; the zero-gradient one shrank like (1 − lr·wd)^steps.",
        "torch.optim docs: parameters with grad None are skipped; PyTorch forum threads on DDP unused parameters",
        (LR, WD, Control("steps", "steps", 5, 1, 50, 1)),
    ),
    Question(
        "momentum", "What does momentum do to weight decay?",
        "SGD adds wd·w to the gradient before the momentum buffer, so the decay accumulates there too: at steady "
        "state the shrink per step is about lr·wd/(1 − μ), not lr·wd (exactly, the small root of "
        "s(1 − s − μ) = lr·wd(1 − s)).",
        momentum_and_decay, _momentum_figure,
        lambda r: (f"Measured after {len(r.shrink_momentum)} steps: {numbers.fmt(r.shrink_momentum[-1], 4)} per step "
                   f"with momentum (" + ("no steady shrink predicted: W oscillates" if math.isnan(r.exact) else
                                         f"{numbers.fmt(r.exact, 4)} predicted")
                   + f", {numbers.fmt(r.approx, 4)} by lr·wd/(1−μ)), {numbers.fmt(r.shrink_plain[-1], 4)} without "
                   f"(lr·wd = {numbers.fmt(r.lr_wd, 4)})."),
        "torch.optim.SGD docs (algorithm box)",
        (Control("lr", "learning rate", 0.01, 0.001, 0.1, 0.001), Control("weight_decay", "weight decay", 0.1, 0.0,
                                                                          1.0, 0.01),
         Control("momentum", "momentum μ", 0.9, 0.0, 0.99, 0.01)),
    ),
    Question(
        "clipping", "Does gradient clipping clip the weight decay?",
        "Not the optimizer's own decay: clip_grad_norm_ runs before step(), and step() adds wd·w inside. An L2 "
        "term written into the loss is part of the gradient and is clipped with it, so the two give different "
        "weights.",
        clipping_and_decay, _clipping_figure,
        lambda r: (f"‖∇loss‖ = {numbers.fmt(r.grad_norm, 4)} clipped to {numbers.fmt(r.max_norm)}: max |difference| "
                   f"between the two ways = {numbers.fmt(r.max_abs_diff, 4)}."),
        "torch.nn.utils.clip_grad_norm_ docs; torch.optim.SGD algorithm box",
        (LR, Control("weight_decay", "weight decay", 1.0, 0.0, 5.0, 0.01),
         Control("max_norm", "max_norm", 1.0, 0.01, 10.0, 0.01)),
    ),
    Question(
        "precision", "Why does my weight decay do nothing?",
        precision_answer(),
        precision, precision_figure, precision_summary,
        "torch.finfo; IEEE 754 rounding to nearest",
        (Control("lr_wd", "lr·wd", 3e-3, 1e-4, 1e-2, 1e-4),),
    ),
    Question(
        "order", "Shrink then step, or step then shrink?",
        "PyTorch's AdamW shrinks θ first and then adds the Adam step u: θ(1 − lr·wd) + u. Some fused kernels "
        "compute (θ + u)(1 − lr·wd) instead. The two differ by lr·wd·u per step: tiny, but not zero.",
        shrink_then_step,
        lambda r: figures.matrix_heatmap(r.step_then_shrink - r.torch_adamw, "(θ + u)(1 − lr·wd) − torch's AdamW",
                                         fmt=".2e"),
        lambda r: (f"max |difference| = {numbers.fmt(np.abs(r.step_then_shrink - r.torch_adamw).max())} = "
                   f"lr·wd·max|u| = {numbers.fmt(r.lr_wd * np.abs(r.update).max())}."),
        "torch.optim.AdamW docs (algorithm box)",
        (LR, WD),
    ),
    Question(
        "schedule-wd", "How do I schedule weight decay?",
        "torch.optim has no weight-decay scheduler; set group['weight_decay'] yourself before each step. The "
        "code below is exactly what ran to draw the chart.",
        schedule_weight_decay,
        lambda r: figures.lines({"weight_decay_t": (np.arange(len(r.wds)), r.wds),
                                 "‖W_t‖": (np.arange(len(r.norms)), r.norms)},
                                "A cosine weight-decay schedule under AdamW (zero gradients)", "step", "value"),
        lambda r: f"‖W‖ went from {numbers.fmt_range(r.norms[0], r.norms[-1], 4)}.",
        "torch.optim docs: param_groups",
        (LR, WD),
        code=wd_schedule_snippet,
    ),
)

BY_SLUG = {q.slug: q for q in QUESTIONS}


def run_question(slug: str, values: dict[str, float]) -> Any:
    """The experiment with the card's control values, each clipped to its declared range."""
    q = BY_SLUG[slug]
    kwargs = {}
    for c in q.controls:
        value = min(max(float(values.get(c.key, c.default)), c.low), c.high)
        kwargs[c.key] = int(value) if isinstance(c.default, int) else value
    return q.run(**kwargs)


def search(text: str) -> list[Question]:
    """Cards whose title or answer contains every word of text (case-insensitive)."""
    words = text.lower().split()
    return [q for q in QUESTIONS if all(w in (q.title + " " + q.answer).lower() for w in words)]
