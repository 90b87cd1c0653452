"""benchmarks/frontier.py runs every frontier experiment at the page's own defaults (no timing asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "frontier.py"


def test_the_benchmark_times_every_experiment_at_the_pages_defaults():
    spec = importlib.util.spec_from_file_location("frontier_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--reps", "1"])
    assert set(report["experiments"]) == set(bench.EXPERIMENTS) == {"timescale", "decoupling", "rotation",
                                                                    "gradient_growth", "embeddings"}
    assert bench.page_defaults()["steps"] == 2000 and report["target_ms"] == 1000
