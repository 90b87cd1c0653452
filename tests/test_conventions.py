"""core.params.conventions: every convention's verdict on hand-built modules, checked parameter by parameter.

The expected verdicts are written out by hand from each project's own rule (see the module docstrings),
so a change to any rule shows up as one named parameter under one named convention.
"""

import pytest
import torch
from torch import nn

from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY, ParamInfo, hf_trainer
from core.params.models import build
from core.params.table import infos_from_model, infos_from_state_dict, no_weight_decay_names, parameter_table

D, N, X = DECAY, NO_DECAY, NA
ORDER = ("torch", "nanogpt", "timm", "hf_trainer", "torchvision", "mingpt")


def verdicts(model: nn.Module) -> dict[str, tuple[str, ...]]:
    """{name: (verdict under each convention, in ORDER)} as the parameter table shows them."""
    table = parameter_table(infos_from_model(model), no_weight_decay_names(model))
    return {row["name"]: tuple(row[key] for key in ORDER) for _, row in table.iterrows()}


def state_dict_verdicts(state: dict[str, torch.Tensor]) -> dict[str, tuple[str, ...]]:
    table = parameter_table(infos_from_state_dict(state))
    return {row["name"]: tuple(row[key] for key in ORDER) for _, row in table.iterrows()}


class RMSNorm(nn.Module):
    """A Llama-style norm: not an nn.LayerNorm, so only name patterns can spot it."""

    def __init__(self, d: int, attr: str = "weight"):
        super().__init__()
        self.register_parameter(attr, nn.Parameter(torch.ones(d)))


class Zoo(nn.Module):
    """One of each kind a convention treats specially, plus timm's no_weight_decay() hook."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.pos_embed = nn.Parameter(torch.zeros(1, 5, 4))
        self.ln = nn.LayerNorm(4)
        self.gn = nn.GroupNorm(2, 4)
        self.inorm = nn.InstanceNorm2d(4, affine=True)
        self.final_norm = RMSNorm(4)
        self.model = nn.Module()
        self.model.norm = RMSNorm(4)
        self.rmsnorm = RMSNorm(4, attr="scale")
        self.normalizer = nn.Linear(4, 4, bias=False)
        self.head = nn.Linear(4, 3)

    def no_weight_decay(self):
        return {"pos_embed"}


def test_registry_holds_the_six_conventions_in_display_order():
    assert tuple(CONVENTIONS) == ORDER
    assert all(c.label and c.source and callable(c.verdict) for c in CONVENTIONS.values())


CNN_EXPECTED = {
    #             torch nanogpt timm hf  tv  mingpt
    "0.weight": (D, D, D, D, D, X),  # Conv2d weight: minGPT lists only Linear/LayerNorm/Embedding
    "0.bias": (D, N, N, N, D, N),  # torchvision decays a conv bias: only norm layers are exempt
    "1.weight": (D, N, N, D, N, X),  # BatchNorm scale: HF only exempts LayerNorm and norm-ish names
    "1.bias": (D, N, N, N, N, N),
    "3.weight": (D, D, D, D, D, D),  # Linear weight: everyone decays it
    "3.bias": (D, N, N, N, D, N),
}


def test_conv_batchnorm_linear_sequential_verdicts():
    """nn.Sequential names are bare indices, so HF's name patterns never fire on the BatchNorm."""
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))
    assert verdicts(model) == CNN_EXPECTED


ZOO_EXPECTED = {
    #                      torch nanogpt timm hf  tv  mingpt
    "pos_embed": (D, D, N, D, D, X),  # 3-D, but timm skips it via no_weight_decay()
    "embed.weight": (D, D, D, D, D, N),  # minGPT blacklists Embedding weights
    "ln.weight": (D, N, N, N, N, N),  # HF: LayerNorm module (name 'ln' matches no pattern)
    "ln.bias": (D, N, N, N, N, N),
    "gn.weight": (D, N, N, D, N, X),  # GroupNorm: torchvision exempts it, HF does not
    "gn.bias": (D, N, N, N, N, N),
    "inorm.weight": (D, N, N, D, N, X),  # InstanceNorm2d(affine=True): a torchvision norm class
    "inorm.bias": (D, N, N, N, N, N),
    "final_norm.weight": (D, N, N, N, D, X),  # HF pattern _norm(.|$); torchvision does not know RMSNorm
    "model.norm.weight": (D, N, N, N, D, X),  # HF pattern (^|.)norm(.|$)
    "rmsnorm.scale": (D, N, N, N, D, X),  # HF pattern rmsnorm; minGPT: neither bias nor weight
    "normalizer.weight": (D, D, D, D, D, D),  # 'normalizer' is not a norm: (^|.)norm($|.) must not match
    "head.weight": (D, D, D, D, D, D),
    "head.bias": (D, N, N, N, D, N),
}


def test_zoo_module_verdicts_parameter_by_parameter():
    """Embedding, LayerNorm, GroupNorm, InstanceNorm, custom norms and a timm-style no_weight_decay hook."""
    assert verdicts(Zoo()) == ZOO_EXPECTED


def test_no_weight_decay_hook_is_what_exempts_pos_embed_under_timm():
    """Without the hook a 3-D pos_embed is decayed by timm like any other matrix."""

    class NoHook(Zoo):
        no_weight_decay = None

    assert no_weight_decay_names(Zoo()) == frozenset({"pos_embed"})
    assert no_weight_decay_names(NoHook()) == frozenset()
    assert no_weight_decay_names(None) == frozenset()
    assert verdicts(NoHook())["pos_embed"][ORDER.index("timm")] == DECAY


def test_layernorm_subclass_is_still_a_layernorm_for_hf_torchvision_and_mingpt():
    """The rules are isinstance checks, so a subclass counts like nn.LayerNorm itself."""

    class MyLN(nn.LayerNorm):
        pass

    model = nn.Sequential(nn.Linear(4, 4), MyLN(4))
    assert verdicts(model)["1.weight"] == (D, N, N, N, N, N)


def test_gpt2_tied_embedding_is_judged_once_as_an_embedding():
    """nanoGPT ties lm_head to wte: named_parameters() lists it once, owned by the Embedding."""
    v = verdicts(build("gpt2"))
    assert "lm_head.weight" not in v
    assert v["transformer.wte.weight"] == (D, D, D, D, D, N)
    assert v["transformer.h.0.attn.c_attn.weight"] == (D, D, D, D, D, D)


def test_nanogpts_own_layernorm_escapes_the_rules_that_look_for_nn_layernorm():
    """nanoGPT's LayerNorm is not an nn.LayerNorm and 'ln_1' matches no HF pattern: the HF Trainer and
    torchvision's reference decay its weight, minGPT cannot classify it; shape rules are unaffected."""
    v = verdicts(build("gpt2"))
    #                                          torch nanogpt timm hf tv mingpt
    assert v["transformer.h.0.ln_1.weight"] == (D, N, N, D, D, X)
    assert v["transformer.h.11.ln_2.weight"] == (D, N, N, D, D, X)
    assert v["transformer.ln_f.weight"] == (D, N, N, D, D, X)
    assert v["transformer.ln_f.bias"] == (D, N, N, N, D, N)  # HF: the 'bias' pattern; torchvision decays it


def test_gpt2_decayed_tensor_counts_under_each_convention():
    """The issue's counts: the HF Trainer decays 75 of nanoGPT's 148 tensors (50 matrices and embeddings plus
    25 LayerNorm weights), torchvision's reference all 148; computed from the rules, not typed in."""
    table = parameter_table(infos_from_model(build("gpt2")))
    decayed = {key: int((table[key] == DECAY).sum()) for key in ORDER}
    matrices = int((table["shape"].str.contains("x")).sum())
    ln_weights = int(((table["module"] == "LayerNorm") & table["name"].str.endswith(".weight")).sum())
    assert (matrices, ln_weights, len(table)) == (50, 25, 148)
    assert decayed["hf_trainer"] == matrices + ln_weights == 75
    assert decayed["torchvision"] == len(table) == 148
    assert decayed["nanogpt"] == decayed["timm"] == matrices


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("encoder.norm.weight", NO_DECAY),  # (^|.)norm(.|$) in the middle
        ("norm.weight", NO_DECAY),  # ... at the start
        ("encoder.norm", NO_DECAY),  # ... at the end
        ("normalizer.weight", DECAY),  # 'norm' followed by a letter is not a norm
        ("encoder.normalizer.weight", DECAY),
        ("norms.0.weight", DECAY),  # HF really does decay this one
        ("enorm.weight", DECAY),  # no separator before 'norm', no underscore
        ("layer_norm.weight", NO_DECAY),  # _norm(.|$)
        ("attn_norm", NO_DECAY),
        ("input_layernorm.weight", NO_DECAY),  # layernorm
        ("bert.LayerNorm.weight", NO_DECAY),  # names are lower-cased first
        ("post_RMSNorm.weight", NO_DECAY),  # rmsnorm
        ("attn.c_attn.bias", NO_DECAY),  # bias
        ("unbiased_proj.weight", NO_DECAY),  # 'bias' anywhere in the name
        ("bias", NO_DECAY),
        ("ln_f.weight", DECAY),  # a LayerNorm, but without its module only the name is seen
        ("fc.weight", DECAY),
    ],
)
def test_hf_trainer_name_patterns(name, expected):
    """Trainer.get_decay_parameter_names' regexes, searched in the lower-cased full name."""
    assert hf_trainer(ParamInfo(name, (4, 4), "float32"), frozenset()) == expected


def test_hf_trainer_layernorm_module_exempts_a_name_no_pattern_matches():
    info = ParamInfo("ln_f.weight", (4,), "float32", "LayerNorm", nn.LayerNorm)
    assert hf_trainer(info, frozenset()) == NO_DECAY


def test_state_dict_without_modules_leaves_module_rules_not_applicable():
    """An uploaded checkpoint has no modules: torchvision cannot judge anything, minGPT only biases."""
    state = {"fc.weight": torch.zeros(2, 3), "fc.bias": torch.zeros(2), "ln.weight": torch.zeros(3),
             "model.norm.weight": torch.zeros(3)}
    assert state_dict_verdicts(state) == {
        #                      torch nanogpt timm hf  tv  mingpt
        "fc.weight": (D, D, D, D, X, X),
        "fc.bias": (D, N, N, N, X, N),
        "ln.weight": (D, N, N, D, X, X),  # HF sees only the name 'ln.weight'
        "model.norm.weight": (D, N, N, N, X, X),
    }


def test_scalar_parameter_is_not_decayed_by_shape_based_rules():
    """A 0-d tensor (ndim 0 <= 1) counts as 'not a matrix' for nanoGPT and timm."""
    info = ParamInfo("temperature", (), "float32")
    assert info.ndim == 0 and info.numel == 1
    assert {key: c.verdict(info, frozenset()) for key, c in CONVENTIONS.items()} == {
        "torch": D, "nanogpt": N, "timm": N, "hf_trainer": D, "torchvision": X, "mingpt": X,
    }


@pytest.mark.parametrize("key", ["resnet18", "gpt2", "small-cnn", "mlp", "linear4x5"])
def test_every_verdict_is_one_of_the_three_values(key):
    table = parameter_table(infos_from_model(build(key)))
    for conv in CONVENTIONS:
        assert set(table[conv]) <= {DECAY, NO_DECAY, NA}
