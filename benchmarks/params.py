"""Parameter-explorer speed: the ResNet-50 table (target under 100 ms warm), a ~774M-parameter GPT-2 built
on the meta device (no weights allocated), and the largest Hugging Face preset (by tensors and parameters)
built from its config on meta with its table and headlines (target under 1 s once transformers is
imported; the import itself is reported apart), with LoRA too, and a pasted config at the size bounds.
Prints JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/params.py`
from core.params.models import build, hf_keys  # noqa: E402
from core.params.table import infos_from_model, model_table, no_weight_decay_names, parameter_table  # noqa: E402


def table_seconds(key: str) -> float:
    start = time.perf_counter()
    model = build(key)
    parameter_table(infos_from_model(model), no_weight_decay_names(model))
    return time.perf_counter() - start


def hf_seconds(key: str, freeze=None) -> float:
    """Build on meta, apply the freeze, make the table (real Trainer verdict) and the headlines."""
    from core.params.freeze import Freeze, apply_freeze
    from core.params.headline import frozen_sentence, headlines

    start = time.perf_counter()
    model = apply_freeze(build(key), freeze or Freeze())
    table = model_table(model)
    headlines(table, model), frozen_sentence(table)
    return time.perf_counter() - start


def hf_results() -> dict:
    from core.params.freeze import Freeze
    from core.params.hf_models import MAX_LAYERS, MAX_NUMBER, build_text

    start = time.perf_counter()
    import transformers.trainer  # noqa: F401  (what the first HF model on a server pays, once)
    import_s = time.perf_counter() - start
    sizes = {key: (len(list(m.named_parameters())), sum(p.numel() for p in m.parameters()))
             for key in hf_keys() for m in [build(key)]}
    largest = max(sizes, key=lambda k: sizes[k])
    at_bounds = json.dumps({"model_type": "llama", "num_hidden_layers": MAX_LAYERS, "hidden_size": 2**16,
                            "intermediate_size": MAX_NUMBER, "vocab_size": MAX_NUMBER, "num_attention_heads": 256,
                            "num_key_value_heads": 256, "head_dim": 256})
    start = time.perf_counter()
    bounded = build_text(at_bounds)
    bounds_s = time.perf_counter() - start
    return {
        "transformers_import_s": round(import_s, 2),
        "hf_largest_preset": largest,
        "hf_largest_tensors_params": sizes[largest],
        "hf_largest_table_and_headlines_s": round(min(hf_seconds(largest) for _ in range(3)), 3),
        "hf_largest_lora_table_s": round(min(hf_seconds(largest, Freeze("lora", r=8)) for _ in range(3)), 3),
        "hf_config_at_bounds_build_s": round(bounds_s, 3),
        "hf_config_at_bounds_tensors": len(list(bounded.named_parameters())),
    }


if __name__ == "__main__":
    cold = table_seconds("resnet50")
    warm = min(table_seconds("resnet50") for _ in range(5))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    big = build("gpt2-large")
    build_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "resnet50_table_cold_ms": round(cold * 1000, 1),
        "resnet50_table_warm_ms": round(warm * 1000, 1),
        "gpt2_large_params": sum(p.numel() for p in big.parameters()),
        "gpt2_large_build_s": round(build_s, 3),
        "gpt2_large_on_meta": all(p.is_meta for p in big.parameters()),
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        **hf_results(),
    }))
