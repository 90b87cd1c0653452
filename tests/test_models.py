"""core.params.models: torchvision/nanoGPT names, order and shapes, all on the meta device."""

import sys
import types

import pytest
import torch
import torch.nn as nn

from core.params import models, resnet
from core.params.models import MODELS, ModelSpec, build, module_classes, module_types, num_params, torchvision_models

# The seed notebook's printout of torchvision's resnet50().named_parameters(), up to layer2.1.conv2.weight.
SEED_RESNET50_PREFIX = [
    "conv1.weight",
    "bn1.weight",
    "bn1.bias",
    "layer1.0.conv1.weight",
    "layer1.0.bn1.weight",
    "layer1.0.bn1.bias",
    "layer1.0.conv2.weight",
    "layer1.0.bn2.weight",
    "layer1.0.bn2.bias",
    "layer1.0.conv3.weight",
    "layer1.0.bn3.weight",
    "layer1.0.bn3.bias",
    "layer1.0.downsample.0.weight",
    "layer1.0.downsample.1.weight",
    "layer1.0.downsample.1.bias",
    "layer1.1.conv1.weight",
    "layer1.1.bn1.weight",
    "layer1.1.bn1.bias",
    "layer1.1.conv2.weight",
    "layer1.1.bn2.weight",
    "layer1.1.bn2.bias",
    "layer1.1.conv3.weight",
    "layer1.1.bn3.weight",
    "layer1.1.bn3.bias",
    "layer1.2.conv1.weight",
    "layer1.2.bn1.weight",
    "layer1.2.bn1.bias",
    "layer1.2.conv2.weight",
    "layer1.2.bn2.weight",
    "layer1.2.bn2.bias",
    "layer1.2.conv3.weight",
    "layer1.2.bn3.weight",
    "layer1.2.bn3.bias",
    "layer2.0.conv1.weight",
    "layer2.0.bn1.weight",
    "layer2.0.bn1.bias",
    "layer2.0.conv2.weight",
    "layer2.0.bn2.weight",
    "layer2.0.bn2.bias",
    "layer2.0.conv3.weight",
    "layer2.0.bn3.weight",
    "layer2.0.bn3.bias",
    "layer2.0.downsample.0.weight",
    "layer2.0.downsample.1.weight",
    "layer2.0.downsample.1.bias",
    "layer2.1.conv1.weight",
    "layer2.1.bn1.weight",
    "layer2.1.bn1.bias",
    "layer2.1.conv2.weight",
]


def names(model: nn.Module) -> list[str]:
    return [name for name, _ in model.named_parameters()]


def shapes(model: nn.Module) -> dict[str, tuple[int, ...]]:
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


# ----------------------------------------------------------------------------- registry


def test_registry_keys_and_specs():
    assert list(MODELS) == ["resnet50", "resnet18", "gpt2", "gpt2-large", "small-cnn", "mlp", "linear4x5"]
    for key, spec in MODELS.items():
        assert isinstance(spec, ModelSpec) and spec.key == key and spec.label and spec.description


def test_spec_is_frozen():
    with pytest.raises(AttributeError):
        MODELS["mlp"].label = "changed"


@pytest.mark.parametrize("key", list(MODELS))
def test_every_parameter_is_on_the_meta_device(key):
    """build() allocates nothing: every parameter (and buffer) is a meta tensor."""
    model = build(key)
    assert all(p.is_meta for p in model.parameters())
    assert all(b.is_meta for b in model.buffers())


def test_unknown_key_raises_listing_choices():
    with pytest.raises(ValueError, match=r"Unknown model 'resnet51'.*'resnet50'.*'linear4x5'"):
        build("resnet51")


def test_torchvision_key_without_torchvision_raises_value_error(monkeypatch):
    monkeypatch.setattr(models, "torchvision_models", lambda: {})
    with pytest.raises(ValueError, match=r"needs torchvision"):
        build("torchvision:resnet18")


# ----------------------------------------------------------------------------- ResNet


def test_resnet50_names_start_with_the_seed_printout():
    assert names(build("resnet50"))[: len(SEED_RESNET50_PREFIX)] == SEED_RESNET50_PREFIX


def test_resnet50_ends_with_layer4_then_fc():
    assert names(build("resnet50"))[-5:] == [
        "layer4.2.conv3.weight",
        "layer4.2.bn3.weight",
        "layer4.2.bn3.bias",
        "fc.weight",
        "fc.bias",
    ]


@pytest.mark.parametrize(("key", "tensors", "total"), [("resnet50", 161, 25_557_032), ("resnet18", 62, 11_689_512)])
def test_resnet_counts_match_torchvision(key, tensors, total):
    model = build(key)
    assert len(names(model)) == tensors
    assert num_params(model) == total


def test_resnet50_shapes():
    s = shapes(build("resnet50"))
    assert s["conv1.weight"] == (64, 3, 7, 7)
    assert s["layer1.0.conv1.weight"] == (64, 64, 1, 1)
    assert s["layer1.0.conv2.weight"] == (64, 64, 3, 3)
    assert s["layer1.0.conv3.weight"] == (256, 64, 1, 1)
    assert s["layer1.0.downsample.0.weight"] == (256, 64, 1, 1)
    assert s["layer2.0.conv1.weight"] == (128, 256, 1, 1)
    assert s["layer4.2.bn3.weight"] == (2048,)
    assert s["fc.weight"] == (1000, 2048)
    assert s["fc.bias"] == (1000,)


def test_resnet50_stride_is_on_the_3x3_conv():
    """torchvision's v1.5: the stage's first Bottleneck strides on conv2, not conv1."""
    block = build("resnet50").layer2[0]
    assert block.conv1.stride == (1, 1) and block.conv2.stride == (2, 2) and block.downsample[0].stride == (2, 2)


def test_resnet18_shapes_and_downsample_only_where_shape_changes():
    model = build("resnet18")
    s = shapes(model)
    assert s["layer1.0.conv1.weight"] == (64, 64, 3, 3)
    assert s["layer2.0.downsample.0.weight"] == (128, 64, 1, 1)
    assert s["fc.weight"] == (1000, 512)
    assert not any(n.startswith("layer1.0.downsample") for n in s)


@pytest.mark.parametrize("key", ["resnet18", "resnet50", "small-cnn"])
def test_cnn_forward_on_meta_gives_logit_shape(key):
    """The architecture is wired, not just named: shapes propagate through forward on meta."""
    out = build(key)(torch.empty(2, 3, 224, 224, device="meta"))
    assert out.shape == (2, 10 if key == "small-cnn" else 1000)


# ----------------------------------------------------------------------------- small models


def test_small_cnn_has_conv_bn_and_linear_head():
    model = build("small-cnn")
    assert shapes(model) == {
        "conv1.weight": (16, 3, 3, 3),
        "bn1.weight": (16,),
        "bn1.bias": (16,),
        "conv2.weight": (32, 16, 3, 3),
        "bn2.weight": (32,),
        "bn2.bias": (32,),
        "fc.weight": (10, 32),
        "fc.bias": (10,),
    }
    assert set(module_types(model).values()) == {"Conv2d", "BatchNorm2d", "Linear"}


def test_mlp_is_a_sequential_with_index_names():
    model = build("mlp")
    assert isinstance(model, nn.Sequential)
    assert shapes(model) == {
        "0.weight": (16, 2),
        "0.bias": (16,),
        "2.weight": (16, 16),
        "2.bias": (16,),
        "4.weight": (1, 16),
        "4.bias": (1,),
    }


def test_linear4x5_is_the_single_step_weight():
    assert shapes(build("linear4x5")) == {"weight": (4, 5)}
    assert module_types(build("linear4x5")) == {"weight": "Linear"}


# ----------------------------------------------------------------------------- module types


def test_module_types_examples():
    resnet = module_types(build("resnet50"))
    assert resnet["conv1.weight"] == "Conv2d"
    assert resnet["layer1.0.bn1.weight"] == "BatchNorm2d"
    assert resnet["layer1.0.downsample.1.bias"] == "BatchNorm2d"
    assert resnet["fc.weight"] == resnet["fc.bias"] == "Linear"
    gpt = module_types(build("gpt2"))
    assert gpt["transformer.h.0.ln_1.weight"] == "LayerNorm"
    assert gpt["transformer.wte.weight"] == "Embedding"
    assert gpt["transformer.h.0.attn.c_attn.weight"] == "Linear"


@pytest.mark.parametrize("key", list(MODELS))
def test_module_classes_cover_every_parameter(key):
    model = build(key)
    classes = module_classes(model)
    assert list(classes) == names(model)
    assert module_types(model) == {name: cls.__name__ for name, cls in classes.items()}


# ----------------------------------------------------------------------------- torchvision (optional)


def test_torchvision_models_empty_without_torchvision():
    try:
        import torchvision  # noqa: F401
    except ImportError:
        assert torchvision_models() == {}
    else:
        assert "resnet50" in torchvision_models()


def test_torchvision_resnet_matches_ours():
    pytest.importorskip("torchvision")
    for name in ("resnet18", "resnet50"):
        theirs = build(f"torchvision:{name}")
        assert all(p.is_meta for p in theirs.parameters())
        assert shapes(theirs) == shapes(build(name))
        assert list(shapes(theirs)) == names(build(name))


def test_torchvision_unknown_name_raises():
    pytest.importorskip("torchvision")
    with pytest.raises(ValueError, match=r"Unknown torchvision model 'nope'"):
        build("torchvision:nope")


def test_torchvision_key_builds_on_meta_with_weights_none(monkeypatch):
    """The torchvision: path without torchvision installed: a stand-in module records the call."""
    calls = []

    def resnet18(weights):
        calls.append(weights)
        return resnet.resnet18()

    fake = types.ModuleType("torchvision")
    fake.models = types.SimpleNamespace(resnet18=resnet18)
    monkeypatch.setitem(sys.modules, "torchvision", fake)
    monkeypatch.setitem(sys.modules, "torchvision.models", fake.models)
    assert list(torchvision_models()) == ["resnet18"]
    model = build("torchvision:resnet18")
    assert calls == [None]
    assert all(p.is_meta for p in model.parameters())
    with pytest.raises(ValueError, match=r"Unknown model 'nope'.*'torchvision:resnet18'"):
        build("nope")
