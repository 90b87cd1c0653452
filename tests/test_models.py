"""core.params.models: torchvision/nanoGPT names, order and shapes, all on the meta device."""

import sys
import types

import pytest
import torch
import torch.nn as nn

from core.params import models, nanogpt, resnet
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


def gpt2_params(n_layer: int, n_embd: int, vocab_size: int = 50304, block_size: int = 1024) -> dict[str, int]:
    """nanoGPT's count by hand; per block: ln_1, ln_2 2d each, c_attn 3d²+3d, c_proj d²+d, c_fc 4d²+4d, c_proj 4d²+d."""
    d = n_embd
    per_block = 12 * d * d + 13 * d
    return {"wte": vocab_size * d, "wpe": block_size * d, "blocks": n_layer * per_block, "ln_f": 2 * d}


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


# ----------------------------------------------------------------------------- GPT-2


def test_gpt2_first_names_follow_nanogpt():
    assert names(build("gpt2"))[:14] == [
        "transformer.wte.weight",
        "transformer.wpe.weight",
        "transformer.h.0.ln_1.weight",
        "transformer.h.0.ln_1.bias",
        "transformer.h.0.attn.c_attn.weight",
        "transformer.h.0.attn.c_attn.bias",
        "transformer.h.0.attn.c_proj.weight",
        "transformer.h.0.attn.c_proj.bias",
        "transformer.h.0.ln_2.weight",
        "transformer.h.0.ln_2.bias",
        "transformer.h.0.mlp.c_fc.weight",
        "transformer.h.0.mlp.c_fc.bias",
        "transformer.h.0.mlp.c_proj.weight",
        "transformer.h.0.mlp.c_proj.bias",
    ]


def test_gpt2_shapes():
    s = shapes(build("gpt2"))
    assert s["transformer.wte.weight"] == (50304, 768)
    assert s["transformer.wpe.weight"] == (1024, 768)
    assert s["transformer.h.11.attn.c_attn.weight"] == (2304, 768)
    assert s["transformer.h.11.mlp.c_fc.weight"] == (3072, 768)
    assert s["transformer.h.11.mlp.c_proj.weight"] == (768, 3072)
    assert s["transformer.ln_f.bias"] == (768,)
    assert len(s) == 2 + 12 * 12 + 2


def test_gpt2_count_matches_hand_arithmetic_and_nanogpt():
    """124,475,904 in all; without wpe it is nanoGPT's printed "number of parameters: 123.69M"."""
    parts = gpt2_params(n_layer=12, n_embd=768)
    assert parts == {"wte": 38_633_472, "wpe": 786_432, "blocks": 85_054_464, "ln_f": 1_536}
    model = build("gpt2")
    assert num_params(model) == sum(parts.values()) == 124_475_904
    assert num_params(model) - model.transformer.wpe.weight.numel() == 123_689_472


def test_gpt2_lm_head_is_tied_to_wte():
    """nanoGPT's tying: one tensor, listed once under transformer.wte.weight."""
    model = build("gpt2")
    assert model.lm_head.weight is model.transformer.wte.weight
    assert "lm_head.weight" not in names(model)
    assert "transformer.wte.weight" in names(model)


def test_gpt2_forward_on_meta_gives_logits():
    out = build("gpt2")(torch.zeros(2, 16, dtype=torch.long, device="meta"))
    assert out.shape == (2, 16, 50304)


def test_gpt2_large_builds_on_meta_with_774m_params():
    """Every tensor on meta: nothing allocated (774M float32 would be ~3 GB). The build time is
    benchmarks/params.py's to report, not a test's to assert."""
    model = build("gpt2-large")
    assert all(p.is_meta for p in model.parameters())
    total = num_params(model)
    assert total > 700_000_000
    assert total == sum(gpt2_params(n_layer=36, n_embd=1280).values()) == 774_090_240


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


def test_gpt2_norms_are_nanogpts_own_layernorm_class_not_nn_layernorm():
    """As in nanoGPT: 25 norms of its own LayerNorm class (weight, optional bias, F.layer_norm), which an
    isinstance(m, nn.LayerNorm) check does not find. This is what the HF Trainer and torchvision miss."""
    model = build("gpt2")
    classes = module_classes(model)
    norms = [name for name, cls in classes.items() if cls is nanogpt.LayerNorm]
    assert len(norms) == 2 * (2 * 12 + 1)
    assert not any(issubclass(cls, nn.LayerNorm) for cls in classes.values())
    assert not issubclass(nanogpt.LayerNorm, nn.LayerNorm)
    assert classes["transformer.wte.weight"] is nn.Embedding
    assert {n for n, _ in model.transformer.ln_f.named_parameters()} == {"weight", "bias"}


def test_nanogpt_layernorm_computes_layer_norm_and_can_drop_its_bias():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8)
    ours = nanogpt.LayerNorm(8, bias=True)
    with torch.no_grad():
        ours.weight.uniform_()
        ours.bias.uniform_()
    reference = nn.LayerNorm(8, eps=1e-5)
    reference.load_state_dict(ours.state_dict())
    torch.testing.assert_close(ours(x), reference(x))
    no_bias = nanogpt.LayerNorm(8, bias=False)
    assert [n for n, _ in no_bias.named_parameters()] == ["weight"]
    without = build_gpt(bias=False)
    assert not any(n.endswith(".bias") for n, _ in without.named_parameters())


def build_gpt(**config) -> nn.Module:
    with torch.device("meta"):
        return nanogpt.GPT(nanogpt.GPTConfig(n_layer=2, **config))


def test_gpt2_description_counts_are_what_the_rules_give():
    """The model picker's words about nanoGPT's norms, recomputed from the conventions' verdicts."""
    from core.params.conventions import CONVENTIONS
    from core.params.reference_rules import mingpt_failure_for
    from core.params.table import infos_from_model, parameter_table, totals

    table = parameter_table(infos_from_model(build("gpt2")))
    rows = dict(zip(CONVENTIONS, totals(table).to_dict("records"), strict=True))
    norms = (table["module"] == "LayerNorm").sum() // 2
    description = MODELS["gpt2"].description
    assert f"Its {norms} norms" in description
    assert f"(75 of {len(table)} tensors)" in description and rows["hf_trainer"]["decay tensors"] == 75
    assert f"decays all {len(table)}" in description and rows["torchvision"]["decay tensors"] == len(table) == 148
    assert "minGPT refuses the model" in description and mingpt_failure_for("gpt2").startswith("minGPT would raise")
    large = parameter_table(infos_from_model(build("gpt2-large")))
    assert f"its {(large['module'] == 'LayerNorm').sum() // 2} norms" in MODELS["gpt2-large"].description
    resnet = parameter_table(infos_from_model(build("resnet50")))
    assert f"{(resnet['module'] == 'BatchNorm2d').sum() // 2} BatchNorms" in MODELS["resnet50"].description


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
