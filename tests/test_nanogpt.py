"""core.params.nanogpt through the model registry: nanoGPT's GPT-2 names, shapes and counts on the
meta device, its own LayerNorm class, and the model picker's words about it."""

import torch
import torch.nn as nn

from core.params import nanogpt
from core.params.models import MODELS, build, module_classes, num_params
from tests.test_models import names, shapes


def gpt2_params(n_layer: int, n_embd: int, vocab_size: int = 50304, block_size: int = 1024) -> dict[str, int]:
    """nanoGPT's count by hand; per block: ln_1, ln_2 2d each, c_attn 3d²+3d, c_proj d²+d, c_fc 4d²+4d, c_proj 4d²+d."""
    d = n_embd
    per_block = 12 * d * d + 13 * d
    return {"wte": vocab_size * d, "wpe": block_size * d, "blocks": n_layer * per_block, "ln_f": 2 * d}


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
