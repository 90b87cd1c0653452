"""Parameter-explorer speed: the ResNet-50 table (target under 100 ms warm) and a ~774M-parameter
GPT-2 built on the meta device (no weights allocated). Prints JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/params.py`
from core.params.models import build  # noqa: E402
from core.params.table import infos_from_model, no_weight_decay_names, parameter_table  # noqa: E402


def table_seconds(key: str) -> float:
    start = time.perf_counter()
    model = build(key)
    parameter_table(infos_from_model(model), no_weight_decay_names(model))
    return time.perf_counter() - start


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
    }))
