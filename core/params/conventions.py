"""Which parameters each common recipe decays: one function per convention, one registry.

Each verdict is "decay", "no_decay", or "n/a" when the convention cannot judge the tensor
(it needs the owning module and that is unknown, or minGPT would refuse the module type).
The rules follow each project's own code; the sources are named in the registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

DECAY, NO_DECAY, NA = "decay", "no_decay", "n/a"


@dataclass(frozen=True)
class ParamInfo:
    """What a convention may look at: the name, the tensor's shape and its owning module."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    module_type: str | None = None  # class name of the owning module, when the model is known
    module_class: type | None = None
    trainable: bool = True  # requires_grad: a frozen tensor is in no convention's update

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n


def torch_default(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """torch.optim decays every parameter it is given: biases and norm scales included."""
    return DECAY


def nanogpt(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """nanoGPT configure_optimizers: every tensor with dim >= 2 (embeddings too), nothing else."""
    return DECAY if p.ndim >= 2 else NO_DECAY


def timm(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """timm param_groups_weight_decay: no decay for ndim <= 1, '.bias' names, no_weight_decay()."""
    if p.ndim <= 1 or p.name.endswith(".bias") or p.name in no_weight_decay:
        return NO_DECAY
    return DECAY


HF_FORBIDDEN_NAME_PATTERNS = ("bias", "layernorm", "rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)")


def hf_trainer(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """Hugging Face Trainer get_decay_parameter_names: not parameters of nn.LayerNorm modules, not
    names matching its bias/layernorm/rmsnorm/norm patterns (lower-cased). Everything else is
    decayed: BatchNorm scales, and the weights of a model's own norm class whose name matches no
    pattern (nanoGPT's ln_1, ln_2, ln_f)."""
    if p.module_class is not None and issubclass(p.module_class, nn.LayerNorm):
        return NO_DECAY
    if any(re.search(pattern, p.name.lower()) for pattern in HF_FORBIDDEN_NAME_PATTERNS):
        return NO_DECAY
    return DECAY


NORM_CLASSES = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm,
                nn.modules.instancenorm._InstanceNorm, nn.LocalResponseNorm)


def torchvision_reference(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """torchvision's classification reference set_weight_decay with norm_weight_decay=0:
    parameters of normalization layers are not decayed; it needs the module to tell. (Its
    default, norm_weight_decay=None, decays every tensor, like torch_default.) The classes are
    torch.nn's: a model's own norm class, like nanoGPT's LayerNorm, is decayed."""
    if p.module_class is None:
        return NA
    return NO_DECAY if issubclass(p.module_class, NORM_CLASSES) else DECAY


def mingpt(p: ParamInfo, no_weight_decay: frozenset[str]) -> str:
    """minGPT configure_optimizers: biases no; Linear weights yes; LayerNorm and Embedding
    weights no; anything else is unclassified, and minGPT's own assert would refuse the model."""
    if p.name.endswith("bias"):
        return NO_DECAY
    if p.module_class is not None and p.name.endswith("weight"):
        if issubclass(p.module_class, nn.Linear):
            return DECAY
        if issubclass(p.module_class, (nn.LayerNorm, nn.Embedding)):
            return NO_DECAY
    return NA


@dataclass(frozen=True)
class Convention:
    key: str
    label: str
    source: str
    verdict: Callable[[ParamInfo, frozenset[str]], str]
    rule: str  # what the rule looks at, in a few words; core.params.convention_claims adds its counts on real models


CONVENTIONS: dict[str, Convention] = {c.key: c for c in (
    Convention("torch", "PyTorch default", "torch.optim: every parameter passed in", torch_default,
               "decays every parameter it is given"),
    Convention("nanogpt", "nanoGPT", "karpathy/nanoGPT model.py configure_optimizers", nanogpt,
               "decays tensors with two or more dimensions (matrices, convolutions, embeddings)"),
    Convention("timm", "timm", "timm.optim param_groups_weight_decay", timm,
               "skips tensors with at most one dimension, names ending in `.bias` and the model's "
               "`no_weight_decay()` names"),
    Convention("hf_trainer", "Hugging Face Trainer", "transformers Trainer.get_decay_parameter_names", hf_trainer,
               "skips parameters of `nn.LayerNorm` modules (no other module class) and names matching bias, "
               "layernorm, rmsnorm or norm patterns"),
    Convention("torchvision", "torchvision reference", "torchvision references/classification set_weight_decay "
               "(norm_weight_decay=0)", torchvision_reference,
               "with `norm_weight_decay=0` skips parameters of torch.nn's normalization modules (BatchNorm, "
               "LayerNorm, GroupNorm, InstanceNorm, LocalResponseNorm)"),
    Convention("mingpt", "minGPT", "karpathy/minGPT model.py configure_optimizers", mingpt,
               "decays `nn.Linear` weights, skips biases and `nn.LayerNorm` and `nn.Embedding` weights, and "
               "asserts that no parameter is left over"),
)}
