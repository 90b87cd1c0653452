"""Copyable code that builds an optimizer's two param groups the way a convention does.

Each snippet expects a `model` in scope and prints the counts it chose, as nanoGPT's
configure_optimizers does; a test executes every snippet and compares with the table.
"""

from __future__ import annotations

import textwrap

from core.params.conventions import CONVENTIONS, HF_FORBIDDEN_NAME_PATTERNS

_BODIES = {
    "torch": """\
decay, no_decay = list(model.parameters()), []  # torch.optim decays everything it is given""",
    "nanogpt": """\
decay, no_decay = [], []
for name, p in model.named_parameters():
    (decay if p.dim() >= 2 else no_decay).append(p)""",
    "timm": """\
skip = set(model.no_weight_decay()) if hasattr(model, "no_weight_decay") else set()
decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim <= 1 or name.endswith(".bias") or name in skip else decay).append(p)""",
    "hf_trainer": f"""\
patterns = {list(HF_FORBIDDEN_NAME_PATTERNS)!r}
layernorm = {{f"{{mn}}.{{pn}}" if mn else pn for mn, m in model.named_modules() if isinstance(m, nn.LayerNorm)
             for pn, _ in m.named_parameters(recurse=False)}}
decay, no_decay = [], []
for name, p in model.named_parameters():
    skip = name in layernorm or any(re.search(pat, name.lower()) for pat in patterns)
    (no_decay if skip else decay).append(p)""",
    "torchvision": """\
norm_classes = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm,
                nn.modules.instancenorm._InstanceNorm, nn.LocalResponseNorm)
decay, no_decay, seen = [], [], set()
for module in model.modules():
    for p in module.parameters(recurse=False):
        if id(p) not in seen:  # a tied weight belongs to two modules; count it once
            seen.add(id(p))
            (no_decay if isinstance(module, norm_classes) else decay).append(p)""",
    "mingpt": """\
whitelist, blacklist = (nn.Linear,), (nn.LayerNorm, nn.Embedding)
decay_names, no_decay_names = set(), set()
for mn, m in model.named_modules():
    for pn, p in m.named_parameters():  # recursive, as in minGPT: each tensor is seen from every ancestor
        fpn = f"{mn}.{pn}" if mn else pn
        if pn.endswith("bias"):
            no_decay_names.add(fpn)
        elif pn.endswith("weight") and isinstance(m, whitelist):
            decay_names.add(fpn)
        elif pn.endswith("weight") and isinstance(m, blacklist):
            no_decay_names.add(fpn)
params = dict(model.named_parameters())
both, unclassified = decay_names & no_decay_names, params.keys() - (decay_names | no_decay_names)
assert not both, f"minGPT would refuse this model: {sorted(both)[:3]} are on both lists"
assert not unclassified, f"minGPT would refuse this model: {sorted(unclassified)[:3]} are on neither list"
# as minGPT does, look every name up in named_parameters(); it lists a tied tensor once, under its first
# name, so the tensor's other name (nanoGPT's lm_head.weight) raises KeyError here, as it does in minGPT
decay = [params[n] for n in sorted(decay_names)]
no_decay = [params[n] for n in sorted(no_decay_names)]""",
}


def optimizer_snippet(convention: str, lr: float = 1e-3, weight_decay: float = 0.1,
                      mingpt_failure: str | None = None) -> str:
    """The snippet for one convention; mingpt_failure (core.params.reference_rules.mingpt_failure for the model
    shown) is written above minGPT's snippet as a comment, so the copied code says why it will raise."""
    c = CONVENTIONS[convention]
    warning = textwrap.wrap(mingpt_failure, 110, initial_indent="# ", subsequent_indent="# ") \
        if convention == "mingpt" and mingpt_failure else []
    return "\n".join([
        "import re",
        "",
        "import torch",
        "from torch import nn",
        "",
        f"# {c.label}: {c.source}",
        *warning,
        _BODIES[convention],
        "groups = [",
        f'    {{"params": decay, "weight_decay": {weight_decay!r}}},',
        '    {"params": no_decay, "weight_decay": 0.0},',
        "]",
        f"optimizer = torch.optim.AdamW(groups, lr={lr!r})",
        'print(f"decayed: {len(decay)} tensors, {sum(p.numel() for p in decay):,} parameters")',
        'print(f"not decayed: {len(no_decay)} tensors, {sum(p.numel() for p in no_decay):,} parameters")',
    ])
