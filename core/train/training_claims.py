"""The training page's sentences, generated from the runs it shows.

Nothing here is typed in advance: which weight decay gave the lowest test loss, whether a
run settled, kept growing or diverged, and how many steps an epoch is, all come from the
History objects, so a caption cannot state the opposite of its chart.
"""

from __future__ import annotations

import numpy as np

from core.numbers import fmt
from core.train.closed_form import seed_regime
from core.train.config import TrainConfig, training_points
from core.train.minibatch import steps_per_epoch
from core.train.tasks import TASKS, make_task
from core.train.training import History

SETTLED = 1e-3  # relative change of ||W|| over the last tenth of the run below which it has settled


def steps_sentence(config: TrainConfig) -> str:
    """'Epochs 100' over an axis of 400 steps needs its batch size said."""
    task = make_task(config.task, **dict(config.task_options))  # the toy's training fraction sets n_train
    n_train = training_points(config.task, config.task_options, config.seed)
    per_epoch = steps_per_epoch(n_train, task.batch_size)
    batch = "the full batch" if task.batch_size is None else f"minibatches of {task.batch_size}"
    return (f"{config.epochs} epochs × {per_epoch} step{'s' if per_epoch != 1 else ''} per epoch "
            f"({batch} of {n_train} training points) = {config.epochs * per_epoch} optimizer steps on the x axes.")


def norm_trend(norms: np.ndarray) -> str:
    """How one run's total weight norm ends: settled, still growing, or still shrinking."""
    finite = norms[np.isfinite(norms)]
    if finite.size < 2:
        return "has no finite norm to describe"
    tail = finite[-max(2, finite.size // 10):]
    change = (tail[-1] - tail[0]) / max(abs(tail[0]), 1e-300)
    if abs(change) < SETTLED:
        return f"settles at ‖W‖ = {fmt(finite[-1])}"
    return f"{'still grows' if change > 0 else 'still shrinks'}: ‖W‖ ends at {fmt(finite[-1])}"


def closed_form_applies(config: TrainConfig) -> bool:
    """A task's closed form (the seed's) is plain SGD's: no momentum, constant learning rate."""
    return (TASKS[config.task].has_closed_form and config.optimizer == "sgd"
            and not dict(config.options).get("momentum") and config.schedule == "constant")


def run_sentences(h: History) -> list[str]:
    """One line per weight decay: the run's fate, from its own curve, and where the closed form
    holds, the regime it predicts (which also sees sign flips that a norm cannot show)."""
    out = []
    c = h.config
    for i, wd in enumerate(c.weight_decays):
        found = h.divergences[i]
        fate = f"diverged: {found.message()}" if found is not None else norm_trend(h.decayed_norms()[i])
        if closed_form_applies(c):
            lr = c.per_run_lrs()[i]
            fate += f" (closed form, lr·wd = {fmt(lr * wd)}: {seed_regime(lr, wd)})"
        out.append(f"wd = {wd:g}: {fate}")
    return out


def generalization_sentence(h: History, label: str) -> str:
    """Which weight decay gave the lowest final test loss, compared with no decay, with the numbers."""
    wds = h.config.weight_decays
    test, train = h.test_loss[:, -1], h.train_loss[:, -1]
    alive = [i for i in range(len(wds)) if h.divergences[i] is None and np.isfinite(test[i])]
    if not alive:
        return f"{label}: every run diverged."
    best = min(alive, key=lambda i: test[i])
    zero = next((i for i in alive if wds[i] == 0), None)
    if zero is None:
        return f"{label}: the lowest final test loss, {fmt(test[best])}, is at wd = {wds[best]:g}."
    if best == zero:
        return (f"{label}: no weight decay shown beats none: without decay the final test loss is "
                f"{fmt(test[zero])} (training loss {fmt(train[zero])}).")
    return (f"{label}: wd = {wds[best]:g} ends with test loss {fmt(test[best])}, {fmt(test[zero] / test[best])}× "
            f"lower than without decay ({fmt(test[zero])}); training losses {fmt(train[best])} and "
            f"{fmt(train[zero])}.")


def _direction(values: np.ndarray) -> str:
    """How a sequence goes: 'falls' when it never rises and drops somewhere, and so on."""
    steps = np.diff(values)
    if (steps == 0).all():
        return "stays"
    if (steps <= 0).all():
        return "falls"
    if (steps >= 0).all():
        return "rises"
    return "goes up and down"


def toy_sentence(h: History, test_accuracy: np.ndarray, label: str) -> str:
    """Across the weight decays shown: how the weight norm and the test accuracy go, with the numbers."""
    wds = h.config.weight_decays
    norms = h.decayed_norms()[:, -1]
    if len(wds) < 2:
        return f"{label}: wd = {wds[0]:g} ends with ‖W‖ = {fmt(norms[0])}, test accuracy {test_accuracy[0]:.0%}."
    chain = " → ".join(fmt(v) for v in norms)
    accs = " → ".join(f"{a:.0%}" for a in test_accuracy)
    return (f"{label}: as wd goes {' → '.join(f'{w:g}' for w in wds)}, ‖W‖ {_direction(norms)} ({chain}) and "
            f"test accuracy {_direction(np.round(test_accuracy, 4))} "
            f"({accs}).")
