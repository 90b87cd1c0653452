"""Small real-valued copies of the Hugging Face presets and the optimizers that update them, for tests.

A preset's config with every size shrunk (same model class, same module tree, same names up to the
number of layers) builds on the CPU in milliseconds, so one optimizer step can show which tensors a
real optimizer actually moves.
"""

from __future__ import annotations

import torch
from torch import nn

from core.params.hf_models import build_from_config

TINY_SIZES = {
    "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
    "num_key_value_heads": 1, "head_dim": 8, "vocab_size": 64, "max_position_embeddings": 64,
    "n_embd": 16, "n_layer": 2, "n_head": 2, "n_positions": 64, "n_ctx": 64,
    "d_model": 16, "d_ff": 32, "d_kv": 8, "num_heads": 2, "num_layers": 2, "num_decoder_layers": 2,
    "image_size": 32, "patch_size": 8, "num_labels": 3, "max_window_layers": 2, "dim": 16, "hidden_dim": 32,
    "n_layers": 2, "n_heads": 2,
}


def tiny_config(config: dict) -> dict:
    """The config with each size it states shrunk; everything else (norms, biases, ties) as it was."""
    return {**config, **{k: v for k, v in TINY_SIZES.items() if k in config}}


def tiny_model(config: dict) -> nn.Module:
    """The tiny model, built on the meta device as the explorer builds it, then given CPU memory
    (to_empty gives each module its own tensor: tie_weights() ties the head to the embedding again)."""
    model = build_from_config(tiny_config(config)).to_empty(device="cpu")
    model.tie_weights()
    return model


def randomize(model: nn.Module) -> nn.Module:
    """Random values in every tensor (LoRA's B starts at zero, and decay alone cannot move a zero)."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype))
    return model


def timm_param_groups(model: nn.Module, weight_decay: float, no_weight_decay_list=()) -> list[dict]:
    """timm.optim's param_groups_weight_decay, as timm writes it (timm is not a dependency): frozen
    tensors are skipped, then 1-D tensors, names ending in '.bias' and no_weight_decay() names are
    not decayed."""
    no_weight_decay_list = set(no_weight_decay_list)
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or name in no_weight_decay_list:
            no_decay.append(param)
        else:
            decay.append(param)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def zero_gradient_step(model: nn.Module, optimizer: torch.optim.Optimizer) -> set[str]:
    """One step with a zero gradient on every trainable tensor (a frozen one keeps grad None, as autograd
    leaves it): Adam's own update is then 0, so only decoupled weight decay moves a tensor. Returns
    the names (as named_parameters() lists them) whose values changed."""
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p) if p.requires_grad else None
    optimizer.step()
    return {name for name, p in model.named_parameters() if not torch.equal(before[name], p.detach())}
