"""Which tensors a fine-tune optimizes at all: freeze controls and LoRA, applied to a model on meta.

A frozen tensor (requires_grad=False) is never updated, whatever group it sits in: autograd leaves
its .grad None and torch.optim skips a parameter whose grad is None, and the Hugging Face Trainer
and timm leave requires_grad=False out of their groups in the first place. So the explorer marks
each tensor trainable or frozen, and counts only trainable tensors in its totals.

LoRA is built with the `peft` package itself (get_peft_model, on the meta device): its adapter
names, shapes and the freezing of the base model are peft's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.params.search import compile_search, matches

FREEZE_MODES = {
    "none": "Train everything",
    "embeddings": "Freeze the input embeddings",
    "last_k": "Train only the last k blocks (and what follows them)",
    "pattern": "Freeze names matching a pattern",
    "lora": "LoRA rank r on the attention projections",
}
LORA_RANKS = (1, 2, 4, 8, 16, 32, 64)
# peft's default LoRA targets (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING) are the attention
# query and value projections; for the model types it does not list, the same projections by their names in
# transformers 5 (tests/test_freeze.py builds LoRA on every model type the explorer accepts).
LORA_FALLBACK_TARGETS = {"vit": ["q_proj", "v_proj"], "distilbert": ["q_lin", "v_lin"], "phi3": ["qkv_proj"]}


class FreezeError(ValueError):
    """A freeze that does not apply to this model; the message says why (and may quote a pattern)."""


@dataclass(frozen=True)
class Freeze:
    mode: str = "none"
    k: int = 2  # last_k: how many blocks stay trainable
    pattern: str = ""  # pattern: a regular expression (core.params.search bounds its cost)
    r: int = 8  # lora: the adapters' rank


def apply_freeze(model: nn.Module, freeze: Freeze) -> nn.Module:
    """The model with requires_grad set as the freeze says (in place), or peft's LoRA wrapper around it."""
    if freeze.mode == "none":
        return model
    if freeze.mode == "lora":
        return lora(model, freeze.r)
    names = [name for name, _ in model.named_parameters()]
    if freeze.mode == "embeddings":
        frozen = embedding_names(model)
    elif freeze.mode == "last_k":
        frozen = set(names) - trailing_names(model, freeze.k)
    elif freeze.mode == "pattern":
        if not freeze.pattern:
            return model
        frozen = {n for n, hit in zip(names, matches(compile_search(freeze.pattern), names), strict=True) if hit}
    else:
        raise FreezeError(f"Unknown freeze mode {freeze.mode!r}")
    for name, p in model.named_parameters():
        p.requires_grad_(name not in frozen)
    return model


def embedding_names(model: nn.Module) -> set[str]:
    """The input embedding's parameters: get_input_embeddings() of a transformers model, else every
    nn.Embedding. A tied output head is the same tensor, and named_parameters() lists it once."""
    getter = getattr(model, "get_input_embeddings", None)
    modules = [getter()] if callable(getter) else [m for m in model.modules() if isinstance(m, nn.Embedding)]
    tensors = {id(p) for m in modules if m is not None for p in m.parameters()}
    names = {name for name, p in model.named_parameters() if id(p) in tensors}
    if not names:
        raise FreezeError("This model has no embedding (nn.Embedding) to freeze")
    return names


def block_list(model: nn.Module) -> tuple[str, nn.ModuleList]:
    """The model's blocks: its longest nn.ModuleList (the last of equally long ones, so T5's decoder
    rather than its encoder)."""
    lists = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.ModuleList) and len(m)]
    if not lists:
        raise FreezeError("This model keeps no list of blocks (nn.ModuleList), so 'the last k blocks' is undefined")
    return max(reversed(lists), key=lambda item: len(item[1]))


def trailing_names(model: nn.Module, k: int) -> set[str]:
    """The last k blocks' parameters and every parameter named_parameters() lists after them (the
    final norm, the head); a tied head is listed with the embedding, before the blocks."""
    list_name, blocks = block_list(model)
    k = max(0, min(k, len(blocks)))
    names = [name for name, _ in model.named_parameters()]
    block_prefixes = tuple(f"{list_name}.{i}." for i in range(len(blocks)))
    kept = tuple(f"{list_name}.{i}." for i in range(len(blocks) - k, len(blocks)))
    in_blocks = [i for i, n in enumerate(names) if n.startswith(block_prefixes)]
    after = in_blocks[-1] + 1 if in_blocks else len(names)
    return {n for n in names if n.startswith(kept)} | set(names[after:])


def lora_targets(model: nn.Module) -> list[str]:
    from peft.utils import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as DEFAULTS

    model_type = getattr(getattr(model, "config", None), "model_type", None)
    targets = DEFAULTS.get(model_type) or LORA_FALLBACK_TARGETS.get(model_type)
    if not targets:
        raise FreezeError("LoRA is offered for Hugging Face models, whose attention projections peft knows by "
                          "model type; this model is not one")
    return list(targets)


def lora(model: nn.Module, r: int) -> nn.Module:
    """peft's get_peft_model with LoraConfig(r=r) on the model type's attention projections, built on the
    model's device (meta: no memory). peft freezes every base parameter; the adapters are trainable."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=r, lora_alpha=2 * r, target_modules=lora_targets(model))
    device = next(model.parameters()).device
    with torch.device(device):
        return get_peft_model(model, config)
