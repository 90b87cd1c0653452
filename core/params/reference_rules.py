"""Three projects' parameter-grouping procedures, walked over the module tree the way their code walks it.

core.params.conventions judges one parameter at a time (name, shape, owning module), which is what the
table needs. The projects themselves walk the model, and the walk has consequences a per-tensor rule
cannot show: the Hugging Face Trainer recurses through named_children(), torchvision's reference
visits each module's own parameters, and minGPT loops over named_modules() x named_parameters() and
then looks every name up in named_parameters(), which lists a tied tensor only once. These functions
follow those walks step for step (in our own code), so tests can hold the per-tensor rules to them
and the Parameters page can say when minGPT's own code would raise, and why.

Sources: transformers Trainer.get_decay_parameter_names / trainer_pt_utils.get_parameter_names;
torchvision references/classification/utils.py set_weight_decay; karpathy/minGPT mingpt/model.py
GPT.configure_optimizers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from torch import nn

from core.params.conventions import HF_FORBIDDEN_NAME_PATTERNS, NORM_CLASSES

MINGPT_WHITELIST = (nn.Linear,)
MINGPT_BLACKLIST = (nn.LayerNorm, nn.Embedding)


def hf_decay_parameter_names(model: nn.Module) -> set[str]:
    """The names the Trainer decays: a recursive walk over named_children() that drops every
    parameter under an nn.LayerNorm child and every name matching a forbidden pattern (searched in
    the lower-cased name at each level, as transformers does). The Trainer then decays each
    named_parameters() entry whose name is in this set."""
    patterns = [re.compile(p) for p in HF_FORBIDDEN_NAME_PATTERNS]

    def forbidden(name: str) -> bool:
        return any(p.search(name.lower()) for p in patterns)

    def walk(module: nn.Module) -> list[str]:
        names = []
        for child_name, child in module.named_children():
            names += [f"{child_name}.{n}" for n in walk(child)
                      if not isinstance(child, nn.LayerNorm) and not forbidden(f"{child_name}.{n}")]
        return names + [k for k in module._parameters if not forbidden(k)]

    return set(walk(model))


def torchvision_norm_parameters(model: nn.Module, norm_weight_decay: float | None) -> set[int]:
    """ids of the tensors set_weight_decay puts in its "norm" group: the own parameters of each
    normalization module, and only when norm_weight_decay is set; with its default (None) the group
    stays empty and every tensor goes to "other", decayed with weight_decay."""
    chosen: set[int] = set()

    def walk(module: nn.Module) -> None:
        for _, p in module.named_parameters(recurse=False):
            if norm_weight_decay is not None and isinstance(module, NORM_CLASSES):
                chosen.add(id(p))
        for _, child in module.named_children():
            walk(child)

    walk(model)
    return chosen


@dataclass(frozen=True)
class MinGPTOutcome:
    """minGPT's configure_optimizers on a model: the two name sets it builds and what it raises."""

    decay: frozenset[str]
    no_decay: frozenset[str]
    in_both: tuple[str, ...]  # first assert: names filed under decay and no_decay
    unclassified: tuple[str, ...]  # second assert: named_parameters() entries on neither list
    unknown: tuple[str, ...]  # names minGPT then indexes named_parameters() with and does not find

    @property
    def error(self) -> type[Exception] | None:
        """The exception minGPT raises first, or None when it builds its optimizer."""
        if self.in_both or self.unclassified:
            return AssertionError
        return KeyError if self.unknown else None


def mingpt_outcome(model: nn.Module) -> MinGPTOutcome:
    """minGPT's loop: for every module and every parameter under it (recursively, as minGPT does), a
    name ending in 'bias' is not decayed, a 'weight' of an nn.Linear is, a 'weight' of nn.LayerNorm or
    nn.Embedding is not. Then two asserts, then [param_dict[name] for name in sorted(decay)] and the
    same for no_decay, where param_dict = dict(named_parameters())."""
    decay, no_decay = set(), set()
    for module_name, module in model.named_modules():
        for name, _ in module.named_parameters():
            full = f"{module_name}.{name}" if module_name else name
            if name.endswith("bias"):
                no_decay.add(full)
            elif name.endswith("weight") and isinstance(module, MINGPT_WHITELIST):
                decay.add(full)
            elif name.endswith("weight") and isinstance(module, MINGPT_BLACKLIST):
                no_decay.add(full)
    params = dict(model.named_parameters())
    looked_up = [*sorted(decay), *sorted(no_decay)]  # the order minGPT builds its two groups in
    return MinGPTOutcome(frozenset(decay), frozenset(no_decay), tuple(sorted(decay & no_decay)),
                         tuple(sorted(params.keys() - (decay | no_decay))),
                         tuple(n for n in looked_up if n not in params))


def _owner_class(model: nn.Module, name: str) -> type:
    return type(model.get_submodule(name.rpartition(".")[0]))


def _class_phrase(cls: type) -> str:
    """A module class as a reader should see it: a look-alike of a listed class is called out."""
    listed = {c.__name__ for c in (*MINGPT_WHITELIST, *MINGPT_BLACKLIST)}
    if cls.__name__ in listed and not issubclass(cls, (*MINGPT_WHITELIST, *MINGPT_BLACKLIST)):
        return f"{cls.__name__} (the model's own class, not nn.{cls.__name__})"
    return cls.__name__


def _examples(names: tuple[str, ...], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _unclassified_reason(model: nn.Module, names: tuple[str, ...]) -> str:
    misnamed = [n for n in names if not n.endswith("weight")]
    classes = sorted({_class_phrase(_owner_class(model, n)) for n in names if n.endswith("weight")})
    reasons = []
    if classes:
        subject = (f"their module class, {classes[0]}, is" if len(classes) == 1
                   else f"their module classes, {', '.join(classes[:-1])} and {classes[-1]}, are")
        reasons.append(f"{subject} on neither its whitelist (nn.Linear) nor its blacklist (nn.LayerNorm, nn.Embedding)")
    if misnamed:
        reasons.append(f"{len(misnamed)} of them have names ending in neither 'weight' nor 'bias'")
    return " and ".join(reasons)


def _key_error_reason(model: nn.Module, name: str) -> str:
    tensor = model.get_parameter(name)
    listed = next((n for n, p in model.named_parameters() if p is tensor), None)
    if listed is None:
        return f"named_parameters() has no entry {name!r}"
    return (f"{name} is tied to {listed}: named_parameters() lists the shared tensor once, as {listed}, but "
            f"minGPT's loop over named_modules() files it as {name} too and then looks that name up")


def _plural(n: int) -> str:
    return f"{n} parameter{'s' if n != 1 else ''}"


def mingpt_failure(model: nn.Module) -> str | None:
    """What minGPT's configure_optimizers would raise on this model, and why; None if it would not.
    When an assert fires first, the KeyError that would follow it is named too."""
    outcome = mingpt_outcome(model)
    if outcome.error is None:
        return None
    key_error = (f"KeyError: {outcome.unknown[0]!r} because {_key_error_reason(model, outcome.unknown[0])}"
                 if outcome.unknown else "")
    if outcome.in_both:
        text = (f"minGPT would raise AssertionError: {_plural(len(outcome.in_both))} made it into both "
                f"decay/no_decay sets ({_examples(outcome.in_both)}): each sits under a whitelisted and a "
                "blacklisted module.")
    elif outcome.unclassified:
        text = (f"minGPT would raise AssertionError: {_plural(len(outcome.unclassified))} were not separated "
                f"into either decay/no_decay set ({_examples(outcome.unclassified)}): "
                f"{_unclassified_reason(model, outcome.unclassified)}.")
    else:
        return f"minGPT would raise {key_error}."
    return text + (f" Past that, it would raise {key_error}." if key_error else "")


@functools.lru_cache(maxsize=32)
def mingpt_failure_for(key: str) -> str | None:
    """mingpt_failure() of a model by its key (built on the meta device); None for a key that names
    no buildable model, such as an upload, whose modules are unknown."""
    from core.params.models import build

    try:
        model = build(key)
    except ValueError:
        return None
    return mingpt_failure(model)
