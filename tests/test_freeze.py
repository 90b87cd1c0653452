"""core.params.freeze: the freeze and LoRA views against what the optimizers really update.

For every preset and view, a small real-valued model built from the same config (tests/hf_helpers.py) takes
one zero-gradient AdamW step: Adam's own update is then 0, so exactly the decayed tensors move. The tensors
that moved must be exactly the trainable ones the explorer's table says decay: under the HF Trainer (its own
create_optimizer, from a real Trainer), under torch.optim (every parameter passed in; frozen ones keep grad
None) and under timm (its param_groups_weight_decay).
"""

from __future__ import annotations

import functools
import json

import pytest
import torch

from core.params.conventions import DECAY
from core.params.freeze import Freeze, FreezeError, apply_freeze, block_list, embedding_names, trailing_names
from core.params.hf_models import HF_PREFIX, HF_PRESETS, preset_text
from core.params.models import build
from core.params.table import model_table
from tests.hf_helpers import randomize, timm_param_groups, tiny_model, zero_gradient_step

VIEWS = [Freeze(), Freeze("embeddings"), Freeze("last_k", k=1), Freeze("pattern", pattern=r"\.0\."),
         Freeze("lora", r=4)]


def tiny_view(key: str, freeze: Freeze):
    model = randomize(apply_freeze(tiny_model(json.loads(preset_text(key))), freeze))
    return model, model_table(model)


def decayed(table, convention: str) -> set[str]:
    return set(table["name"][table["trainable"] & (table[convention] == DECAY)])


@pytest.mark.parametrize("freeze", VIEWS, ids=lambda f: f.mode)
@pytest.mark.parametrize("key", HF_PRESETS)
def test_the_hf_trainer_moves_exactly_what_the_table_says_it_decays(key, freeze, tmp_path):
    from transformers import Trainer, TrainingArguments

    model, table = tiny_view(key, freeze)
    args = TrainingArguments(output_dir=str(tmp_path), weight_decay=0.1, learning_rate=0.1, use_cpu=True,
                             report_to=[])
    optimizer = Trainer(model=model, args=args).create_optimizer()
    assert zero_gradient_step(model, optimizer) == decayed(table, "hf_trainer")


@pytest.mark.parametrize("freeze", VIEWS, ids=lambda f: f.mode)
@pytest.mark.parametrize("key", HF_PRESETS)
def test_torch_optim_and_timm_move_exactly_what_the_table_says_they_decay(key, freeze):
    model, table = tiny_view(key, freeze)
    moved = zero_gradient_step(model, torch.optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.1))
    assert moved == decayed(table, "torch") == set(table["name"][table["trainable"]])
    model, table = tiny_view(key, freeze)
    moved = zero_gradient_step(model, torch.optim.AdamW(timm_param_groups(model, 0.1), lr=0.1))
    assert moved == decayed(table, "timm")


@functools.cache
def meta(key: str, freeze: Freeze):
    model = apply_freeze(build(HF_PREFIX + key), freeze)
    return model, model_table(model)


def test_lora_on_meta_trains_only_peft_adapters_on_the_attention_projections():
    model, table = meta("llama-3-8b", Freeze("lora", r=8))
    trained = table[table["trainable"]]
    assert len(trained) == 2 * 2 * 32  # lora_A and lora_B on q_proj and v_proj in 32 layers
    assert all(".lora_A." in n or ".lora_B." in n for n in trained["name"])
    assert all(".q_proj." in n or ".v_proj." in n for n in trained["name"])
    assert set(trained["shape"]) == {"8x4096", "4096x8", "1024x8"}  # v_proj outputs 8 KV heads x 128
    assert all(p.is_meta for p in model.parameters())


def test_freezing_the_embeddings_freezes_a_tied_head_with_them():
    model, table = meta("gpt2", Freeze("embeddings"))
    assert embedding_names(model) == {"transformer.wte.weight"}
    assert list(table["name"][~table["trainable"]]) == ["transformer.wte.weight"]
    assert not model.lm_head.weight.requires_grad


def test_the_last_k_blocks_and_what_follows_them_stay_trainable():
    model, table = meta("t5-small", Freeze("last_k", k=2))
    assert block_list(model)[0] == "decoder.block"  # the later of two equally long lists
    trained = list(table["name"][table["trainable"]])
    assert trained[0].startswith("decoder.block.4.") and trained[-1] == "decoder.final_layer_norm.weight"
    assert not any(n.startswith(("encoder.", "decoder.block.3.")) for n in trained)
    assert trailing_names(model, 0) == {"decoder.final_layer_norm.weight"}  # lm_head is shared.weight: frozen
    assert not model.lm_head.weight.requires_grad


def test_a_freeze_that_does_not_apply_says_why():
    with pytest.raises(FreezeError, match="no list of blocks"):
        apply_freeze(build("resnet50"), Freeze("last_k"))
    with pytest.raises(FreezeError, match="LoRA is offered for Hugging Face models"):
        apply_freeze(build("resnet50"), Freeze("lora"))
    with pytest.raises(FreezeError, match="no embedding"):
        apply_freeze(build("mlp"), Freeze("embeddings"))
    with pytest.raises(ValueError, match="repeats something"):
        apply_freeze(build("mlp"), Freeze("pattern", pattern="a{100000}"))


def test_an_empty_pattern_freezes_nothing():
    _, table = meta("gpt2", Freeze("pattern", pattern=""))
    assert table["trainable"].all()
