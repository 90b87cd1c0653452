"""Built-in models for the parameter explorer, constructed on the meta device (no memory, instant).

The explorer only needs each parameter's name, shape and owning module to show which tensors a
weight-decay convention would decay. On the meta device a 774M-parameter GPT-2 large costs no
memory and builds in well under a second, so every model here is built that way.

torchvision is not a dependency, so ResNet-18/50 are re-written here to reproduce
torchvision.models.resnet's parameter names, order and shapes exactly (v1.5: stride on the
Bottleneck's 3x3 conv); GPT-2 follows karpathy/nanoGPT's model.py module for module, down to
nanoGPT's own LayerNorm class (a weight, an optional bias, F.layer_norm). That class is not an
nn.LayerNorm, and the difference is the point: rules that look for nn.LayerNorm (the Hugging Face
Trainer, torchvision's reference, minGPT) do not recognise nanoGPT's norms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

TORCHVISION_PREFIX = "torchvision:"
TORCHVISION_NAMES = ("resnet18", "resnet50", "vit_b_16", "convnext_tiny", "mobilenet_v3_small", "efficientnet_b0")

# -----------------------------------------------------------------------------
# ResNet, mirroring torchvision.models.resnet attribute for attribute


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)  # stride here, not on conv1: torchvision's "v1.5"
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int], num_classes: int = 1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        # the first block of a stage projects the shortcut when the shape changes; its params are
        # downsample.0.weight (conv) and downsample.1.weight/bias (bn), as in torchvision
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion)
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18() -> ResNet:
    return ResNet(BasicBlock, [2, 2, 2, 2])


def resnet50() -> ResNet:
    return ResNet(Bottleneck, [3, 4, 6, 3])


# -----------------------------------------------------------------------------
# GPT-2, in karpathy/nanoGPT's naming


class LayerNorm(nn.Module):
    """nanoGPT's LayerNorm: its own nn.Module rather than nn.LayerNorm, written so that the bias can
    be left out (nanoGPT predates nn.LayerNorm's bias=False). Same parameter names: weight, bias."""

    def __init__(self, ndim: int, bias: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


@dataclass(frozen=True)
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304  # GPT-2's 50257 padded up to a multiple of 64, as nanoGPT does
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        p = self.dropout if self.training else 0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # weight tying, exactly as nanoGPT: one tensor, listed once by named_parameters() under
        # transformer.wte.weight (registered first), so a decay convention sees it only as an Embedding
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


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


def _constructor(key: str) -> Callable[[], nn.Module]:
    if key in MODELS:
        return MODELS[key].build
    if key.startswith(TORCHVISION_PREFIX):
        name = key.removeprefix(TORCHVISION_PREFIX)
        available = torchvision_models()
        if name in available:
            return lambda: available[name](weights=None)
        if not available:
            raise ValueError(f"Model {key!r} needs torchvision, which is not installed; choose one of {list(MODELS)}")
        raise ValueError(f"Unknown torchvision model {name!r}; choose one of {list(available)}")
    choices = list(MODELS) + [TORCHVISION_PREFIX + name for name in torchvision_models()]
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
