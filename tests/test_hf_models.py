"""core.params.hf_models: every preset built on meta from its own config, the HF verdict equal to the real
Trainer.get_decay_parameter_names, timm's verdict equal to timm's rule, and pasted configs bounded."""

from __future__ import annotations

import functools
import json

import pytest

from core.params.checkpoints import MAX_TENSORS
from core.params.conventions import DECAY, NO_DECAY
from core.params.hf_models import (
    HF_PREFIX,
    HF_PRESETS,
    MAX_CONFIG_BYTES,
    MAX_DEPTH,
    MAX_LAYERS,
    MAX_NUMBER,
    MODEL_TYPES,
    HFConfigError,
    build_text,
    is_hf_model,
    parse_config,
    preset_text,
    trainer_decay_names,
)
from core.params.models import build
from core.params.table import infos_from_model, model_table, no_weight_decay_names, parameter_table
from tests.hf_helpers import TINY_SIZES, timm_param_groups

# Parameter counts from the model cards (LLaMA-3 8B: 8.03B, Mistral 7B: 7.24B, Qwen2.5 7B: 7.61B, ...).
PARAMS = {"llama-3-8b": 8_030_261_248, "qwen2.5-7b": 7_615_616_512, "mistral-7b": 7_241_732_096,
          "gpt2": 124_439_808, "bert-base-uncased": 109_514_298, "vit-base-patch16-224": 86_567_656,
          "t5-small": 60_506_624}


@functools.cache
def preset(key: str):
    model = build(HF_PREFIX + key)
    return model, model_table(model)


@pytest.mark.parametrize("key", HF_PRESETS)
def test_every_preset_builds_on_meta_from_its_own_config(key):
    model, table = preset(key)
    assert all(p.is_meta for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == PARAMS[key]
    assert type(model).__name__ == json.loads(preset_text(key))["architectures"][0]
    assert is_hf_model(model) and table["trainable"].all()


@pytest.mark.parametrize("key", HF_PRESETS)
def test_the_hf_column_is_the_real_trainer_function_and_our_rule_equals_it(key):
    """The table uses transformers' own Trainer.get_decay_parameter_names; our per-tensor rule (used where the
    model is not a transformers model) gives the same verdict on every name named_parameters() yields."""
    from transformers.trainer import Trainer

    model, table = preset(key)
    real = set(Trainer.get_decay_parameter_names(None, model))
    assert real == trainer_decay_names(model)
    expected = {name: DECAY if name in real else NO_DECAY for name, _ in model.named_parameters()}
    assert dict(zip(table["name"], table["hf_trainer"], strict=True)) == expected
    ours = parameter_table(infos_from_model(model), no_weight_decay_names(model))
    assert list(ours["hf_trainer"]) == list(table["hf_trainer"])


@pytest.mark.parametrize("key", HF_PRESETS)
def test_timm_verdict_equals_timms_rule(key):
    model, table = preset(key)
    no_decay, decay = timm_param_groups(model, 0.1, no_weight_decay_names(model))
    ids = {id(p): name for name, p in model.named_parameters()}
    expected = {**{ids[id(p)]: NO_DECAY for p in no_decay["params"]}, **{ids[id(p)]: DECAY for p in decay["params"]}}
    assert dict(zip(table["name"], table["timm"], strict=True)) == expected


def test_rmsnorm_weights_are_excluded_by_name_and_the_tied_head_is_listed_once():
    """The issue's questions: LLaMA's RMSNorm weights are not decayed by the Trainer (by name: the class is no
    nn.LayerNorm); GPT-2's lm_head is tied to wte, so it appears once, decayed through the embedding."""
    _, llama = preset("llama-3-8b")
    norms = llama[llama["module"] == "LlamaRMSNorm"]
    assert len(norms) == 65 and set(norms["hf_trainer"]) == {NO_DECAY}
    model, gpt2 = preset("gpt2")
    assert "lm_head.weight" not in set(gpt2["name"]) and model.lm_head.weight is model.transformer.wte.weight
    assert gpt2.set_index("name").loc["transformer.wte.weight", "hf_trainer"] == DECAY


# ----------------------------------------------------------------------------- pasted configs


def tiny(model_type: str, **extra) -> dict:
    from transformers import AutoConfig

    defaults = AutoConfig.for_model(model_type).to_dict()
    ids = {k: 0 for k in ("pad_token_id", "bos_token_id", "eos_token_id") if isinstance(defaults.get(k), int)}
    return {"model_type": model_type, **{k: v for k, v in TINY_SIZES.items() if k in defaults}, **ids, **extra}


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_every_accepted_model_type_builds_from_a_small_config(model_type):
    model = build_text(json.dumps(tiny(model_type)))
    assert is_hf_model(model) and all(p.is_meta for p in model.parameters())


def test_a_preset_config_pasted_builds_the_same_table():
    model = build_text(preset_text("gpt2").encode())
    assert model_table(model).equals(preset("gpt2")[1])


REFUSED = [
    ("x" * (MAX_CONFIG_BYTES + 1), f"the limit is {MAX_CONFIG_BYTES:,}"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "one JSON object"),
    ('{"model_type": "llama", "hidden_size": NaN}', "holds NaN"),
    ('{"model_type": "resnet9000"}', "model_type 'resnet9000' is not one the explorer knows"),
    ('{"hidden_size": 16}', "model_type None is not one"),
    ('{"model_type": "llama", "auto_map": {"AutoModel": "evil.Model"}}', "never runs a model's own code"),
    (json.dumps({"model_type": "llama", "hidden_size": MAX_NUMBER + 1}), f"the limit for any number in a config is "
                                                                         f"{MAX_NUMBER:,}"),
    (json.dumps({"model_type": "llama", "num_hidden_layers": MAX_LAYERS + 1}), f"layers or experts is {MAX_LAYERS}"),
    (json.dumps({"model_type": "t5", "num_decoder_layers": 10_000}), f"layers or experts is {MAX_LAYERS}"),
    (json.dumps({"model_type": "llama", "a": [[[[[[[[1]]]]]]]]}), f"deeper than {MAX_DEPTH} levels"),
    ("[" * 150_000 + "]" * 150_000, "the limit is"),
    ("[" * 50_000 + "]" * 50_000, "not valid JSON"),
    (json.dumps({"model_type": "llama", "architectures": ["os.system"]}), "does not list for model_type 'llama'"),
    (json.dumps({"model_type": "llama", "architectures": ["BertModel"]}), "does not list"),
    (b"\xff\xfe{}", "not UTF-8"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=range(len(REFUSED)))
def test_a_bad_config_gets_a_clear_message(text, message):
    with pytest.raises(HFConfigError, match=None) as err:
        build_text(text)
    assert message in str(err.value)


def test_transformers_own_refusal_is_reported_not_raised():
    with pytest.raises(HFConfigError, match="transformers could not build this config"):
        build_text(json.dumps(tiny("llama", hidden_size=18, num_attention_heads=4, head_dim=-1)))


def test_a_model_over_the_tensor_limit_is_refused_after_building():
    """MAX_LAYERS keeps the build cheap; the checkpoint limits then bound the table: T5 at 256 + 256 layers has
    over MAX_TENSORS tensors."""
    config = {**tiny("t5"), "num_layers": MAX_LAYERS, "num_decoder_layers": MAX_LAYERS}
    with pytest.raises(HFConfigError, match=f"the limit is {MAX_TENSORS:,}"):
        build_text(json.dumps(config))


def test_a_config_at_the_size_bounds_builds_without_memory():
    config = tiny("llama", hidden_size=2**16, intermediate_size=MAX_NUMBER, vocab_size=MAX_NUMBER,
                  num_hidden_layers=8, num_attention_heads=2**8, num_key_value_heads=2**8, head_dim=2**8)
    model = build_text(json.dumps(config))
    assert all(p.is_meta for p in model.parameters()) and sum(p.numel() for p in model.parameters()) > 2**40


def test_parse_config_keeps_the_text_as_given():
    assert parse_config(preset_text("llama-3-8b"))["vocab_size"] == 128_256
