"""Training's presets: Adam against AdamW at one weight decay, too much decay, the toy
classifier. Each sentence is computed from the Histories the page trained."""

from __future__ import annotations

import numpy as np

from core.explain.presets import Preset
from core.numbers import fmt
from core.train.classifier_views import accuracy
from core.train.recorder import History
from core.train.tasks import make_task

LOOK_AT = ("Look at the weight-norm curves first: each line is one weight decay. Then see what each decay did to "
           "the loss.")


def _index(h: History, wd: float) -> int:
    return h.config.weight_decays.index(wd)


def _diverged(histories: dict[str, History]) -> str | None:
    gone = [f"{key} at wd = {wd:g}" for key, h in histories.items()
            for wd, found in zip(h.config.weight_decays, h.divergences, strict=True) if found is not None]
    return f"Some runs diverged ({', '.join(gone)}): see the warnings below." if gone else None


def _final(h: History, wd: float) -> tuple[float, float, float]:
    """Final (decayed ‖W‖, training loss, test loss) of the run with this weight decay."""
    i = _index(h, wd)
    return float(h.decayed_norms()[i, -1]), float(h.train_loss[i, -1]), float(h.test_loss[i, -1])


def _test_accuracy(h: History) -> np.ndarray:
    c = h.config
    return accuracy(make_task(c.task, **dict(c.task_options)), h.final, c.seed)[1]


def adam_vs_adamw_notice(histories: dict[str, History]) -> str:
    """At the largest weight decay both ran: which of Adam and AdamW ends with the lower test loss and ‖w‖."""
    adam, adamw = histories.get("adam"), histories.get("adamw")
    if adam is None or adamw is None:
        return "Train Adam and AdamW to compare them."
    if (why := _diverged({"Adam": adam, "AdamW": adamw})) is not None:
        return why
    wd = max(set(adam.config.weight_decays) & set(adamw.config.weight_decays))
    (na, _, ta), (nw, _, tw) = _final(adam, wd), _final(adamw, wd)
    lower, higher = ("AdamW", "Adam") if tw < ta else ("Adam", "AdamW")
    return (f"At the same wd = {wd:g}, {lower}'s final test loss is {fmt(max(ta, tw) / min(ta, tw))}× lower than "
            f"{higher}'s ({fmt(min(ta, tw))} against {fmt(max(ta, tw))}), and ‖w‖ ends at {fmt(nw)} under AdamW "
            f"against {fmt(na)} under Adam. Adam's weight_decay joins the gradient and is divided by its running "
            "size; AdamW's shrinks w by lr·wd every step.")


def underfit_notice(histories: dict[str, History]) -> str:
    """SGD's largest weight decay against none: training loss, test accuracy and ‖W‖, from the runs."""
    h = histories.get("sgd")
    if h is None or 0.0 not in h.config.weight_decays or len(h.config.weight_decays) < 2:
        return "Train SGD with wd = 0 and a larger weight decay to compare them."
    if (why := _diverged({"SGD": h})) is not None:
        return why
    big = max(h.config.weight_decays)
    (n0, l0, _), (nb, lb, _) = _final(h, 0.0), _final(h, big)
    acc = _test_accuracy(h)
    a0, ab = acc[_index(h, 0.0)], acc[_index(h, big)]
    higher = "higher" if lb > l0 else "lower"
    because = (": so much decay keeps the weights near 0 that the model cannot fit even its training points"
               if lb > l0 and nb < n0 and ab < a0 else "")
    return (f"SGD at wd = {big:g} ends with training loss {fmt(lb)}, {fmt(max(lb, l0) / min(lb, l0))}× {higher} than "
            f"without decay ({fmt(l0)}), test accuracy {ab:.0%} against {a0:.0%}, and ‖W‖ = {fmt(nb)} against "
            f"{fmt(n0)}{because}.")


def toy_notice(histories: dict[str, History]) -> str:
    """The weight decay at which SGD's and AdamW's final ‖W‖ differ most, with their test accuracies."""
    sgd, adamw = histories.get("sgd"), histories.get("adamw")
    if sgd is None or adamw is None:
        return "Train SGD and AdamW to compare them."
    if (why := _diverged({"SGD": sgd, "AdamW": adamw})) is not None:
        return why
    wds = [wd for wd in sgd.config.weight_decays if wd > 0 and wd in adamw.config.weight_decays]
    if not wds:
        return "Choose a weight decay above 0 to compare SGD and AdamW."
    norms = {wd: (_final(sgd, wd)[0], _final(adamw, wd)[0]) for wd in wds}
    wd = max(wds, key=lambda w: abs(np.log(max(norms[w][0], 1e-300) / max(norms[w][1], 1e-300))))
    (ns, nw), acc_s, acc_w = norms[wd], _test_accuracy(sgd)[_index(sgd, wd)], _test_accuracy(adamw)[_index(adamw, wd)]
    stronger = "SGD's" if ns < nw else "AdamW's"
    return (f"Compare the decision boundaries at wd = {wd:g}: SGD's weights end at ‖W‖ = {fmt(ns)} with test "
            f"accuracy {acc_s:.0%}, AdamW's at ‖W‖ = {fmt(nw)} with {acc_w:.0%}. The same number is a stronger "
            f"decay as {stronger} weight_decay.")


PRESETS = (
    Preset("adam_adamw", "Adam vs AdamW at the same wd", (("task", "d2l"), ("wds.d2l", (0.0, 3.0))),
           adam_vs_adamw_notice, "d2l's regression with wd = 0 and wd = 3 for every optimizer."),
    Preset("underfit", "Too much decay underfits",
           (("task", "toy"), ("wds.toy", (0.0, 0.03))), underfit_notice,
           "The toy classifier with no decay and with wd = 0.03."),
    Preset("toy", "The toy classifier",
           (("task", "toy"), ("wds.toy", (0.0, 0.003, 0.03, 1.0))), toy_notice,
           "A small MLP on XOR-like points, four weight decays, decision boundaries at the bottom."),
)
