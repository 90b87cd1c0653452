"""Built-in models for the parameter explorer, constructed on the meta device (no memory, instant).

The explorer only needs each parameter's name, shape and owning module to show which tensors a
weight-decay convention would decay. On the meta device a 774M-parameter GPT-2 large costs no
memory and builds in well under a second, so every model here is built that way.

torchvision is not a dependency, so ResNet-18/50 are re-written (core.params.resnet) to reproduce
torchvision.models.resnet's parameter names, order and shapes exactly; GPT-2 follows
karpathy/nanoGPT's model.py module for module (core.params.nanogpt), down to nanoGPT's own LayerNorm
class, which rules that look for nn.LayerNorm do not recognise. This module holds the app's
own small models and the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn as nn

from core.params.nanogpt import GPT, GPTConfig
from core.params.resnet import resnet18, resnet50

TORCHVISION_PREFIX = "torchvision:"
TORCHVISION_NAMES = ("resnet18", "resnet50", "vit_b_16", "convnext_tiny", "mobilenet_v3_small", "efficientnet_b0")

# -----------------------------------------------------------------------------
# small models of the app's own labs


class SmallCNN(nn.Module):
    """Just enough of each kind (conv, bn, linear) to read a decay convention's choices at a glance."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def mlp() -> nn.Sequential:
    # a bare Sequential so the names are 0.weight, 0.bias, 2.weight, ...: what the training lab's MLP shows
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))


def linear4x5() -> nn.Linear:
    # the single-step lab's W is (4, 5); Linear(5, 4) stores its weight as (out, in) = (4, 5)
    return nn.Linear(5, 4, bias=False)


# -----------------------------------------------------------------------------
# registry


@dataclass(frozen=True)
class ModelSpec:
    """One built-in model. spec.build() constructs on the current default device; use build(key) for meta."""

    key: str
    label: str
    build: Callable[[], nn.Module]
    description: str


_SPECS = [
    ModelSpec("resnet50", "ResNet-50", resnet50, "torchvision's ResNet-50 (v1.5): 25.6M parameters, 53 BatchNorms"),
    ModelSpec("resnet18", "ResNet-18", resnet18, "torchvision's ResNet-18: 11.7M parameters, BasicBlocks"),
    # the counts in these two descriptions are computed and checked by tests/test_models.py
    ModelSpec("gpt2", "GPT-2 (124M)", lambda: GPT(GPTConfig()),
              "nanoGPT's GPT-2 small, lm_head tied to wte. Its 25 norms are nanoGPT's own LayerNorm class, not "
              "nn.LayerNorm, so rules that look for nn.LayerNorm miss them: the Hugging Face Trainer decays their "
              "weights (75 of 148 tensors), torchvision's reference decays all 148, and minGPT refuses the model."),
    ModelSpec(
        "gpt2-large",
        "GPT-2 large (774M)",
        lambda: GPT(GPTConfig(n_layer=36, n_head=20, n_embd=1280)),
        "nanoGPT's GPT-2 large: 774M parameters, still no memory on the meta device; its 73 norms are "
        "nanoGPT's own LayerNorm class too.",
    ),
    ModelSpec("small-cnn", "Small CNN", SmallCNN, "two conv+BatchNorm blocks and a Linear head"),
    ModelSpec("mlp", "MLP 2-16-16-1", mlp, "the training lab's tanh MLP, as an nn.Sequential"),
    ModelSpec("linear4x5", "Linear W (4x5)", linear4x5, "the single-step lab's weight W, as one nn.Linear"),
]
MODELS: dict[str, ModelSpec] = {spec.key: spec for spec in _SPECS}


def torchvision_models() -> dict[str, Callable[..., nn.Module]]:
    """torchvision's constructors when it is installed: it is optional, so {} otherwise."""
    try:
        import torchvision.models as tvm
    except ImportError:
        return {}
    return {name: getattr(tvm, name) for name in TORCHVISION_NAMES if hasattr(tvm, name)}


def hf_keys() -> tuple[str, ...]:
    """The Hugging Face presets' keys (core.params.hf_models; transformers is imported only to build one)."""
    from core.params.hf_models import HF_PREFIX, HF_PRESETS

    return tuple(HF_PREFIX + key for key in HF_PRESETS)


def _constructor(key: str) -> Callable[[], nn.Module]:
    if key in MODELS:
        return MODELS[key].build
    if key in hf_keys():
        from core.params.hf_models import HF_PREFIX, build_preset

        return lambda: build_preset(key.removeprefix(HF_PREFIX))
    if key.startswith(TORCHVISION_PREFIX):
        name = key.removeprefix(TORCHVISION_PREFIX)
        available = torchvision_models()
        if name in available:
            return lambda: available[name](weights=None)
        if not available:
            raise ValueError(f"Model {key!r} needs torchvision, which is not installed; choose one of {list(MODELS)}")
        raise ValueError(f"Unknown torchvision model {name!r}; choose one of {list(available)}")
    choices = list(MODELS) + list(hf_keys()) + [TORCHVISION_PREFIX + name for name in torchvision_models()]
    raise ValueError(f"Unknown model {key!r}; choose one of {choices}")


def build(key: str) -> nn.Module:
    """The model on the meta device: names and shapes without allocating, so GPT-2 large is instant."""
    constructor = _constructor(key)
    with torch.device("meta"):
        return constructor()


def module_classes(model: nn.Module) -> dict[str, type]:
    """Each parameter's owning module class, for decay conventions written as isinstance checks.

    Goes by named_parameters(), so a tied weight appears once, owned by where it is first listed
    (nanoGPT's wte/lm_head: the Embedding).
    """
    return {name: type(model.get_submodule(name.rpartition(".")[0])) for name, _ in model.named_parameters()}


def module_types(model: nn.Module) -> dict[str, str]:
    """module_classes() by class name, for display."""
    return {name: cls.__name__ for name, cls in module_classes(model).items()}


def num_params(model: nn.Module) -> int:
    """Counts a tied tensor once, as nanoGPT's get_num_params does (parameters() de-duplicates)."""
    return sum(p.numel() for p in model.parameters())
