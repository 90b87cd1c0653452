"""Frontier experiments' speed (issue 16: each under 1 s on 2 cores at its defaults): each
experiment's core computation and its sentences, as the page first runs them, at the page's
default controls (its Fields). Prints JSON {"experiments": {NAME: {"cold_ms", "warm_ms"}},
"slowest_warm_ms", "target_ms"}; warm is the best of --reps runs.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/frontier.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/frontier.py`

from core.frontier import embeddings as emb  # noqa: E402
from core.frontier import forgetting  # noqa: E402
from core.frontier import gradient_growth as growth  # noqa: E402
from core.frontier.decoupling import compare, sentences  # noqa: E402
from core.frontier.rotation import experiment, recipe_sentence  # noqa: E402
from core.frontier.rotation import sentences as rotation_sentences  # noqa: E402
from core.frontier.timescale import calculator_sentence, check_sentence, pure_decay_check, timescale_sentence  # noqa: E402
from tests.page_helpers import page_fields  # noqa: E402

TARGET_MS = 1000


def page_defaults() -> dict:
    """The Frontier page's Field defaults (its FIELDS, read without running Streamlit)."""
    return {f.key: f.default for f in page_fields("frontier")}


def timescale(d: dict) -> None:
    check = pure_decay_check(d["lr"], d["wd"], d["steps"])
    timescale_sentence(d["lr"], d["wd"], d["batch"], d["data"])
    calculator_sentence(d["tau_epochs"], d["data"], d["batch"], d["lr"])
    check_sentence(check)
    forgetting.sentences(forgetting.forget(d["lr"], d["wd"], d["steps"]))


def decoupling(d: dict) -> None:
    sentences(compare(d["step_lr"], d["step_wd"], center=d["center"]))


def embeddings(d: dict) -> None:
    result = emb.run(d["emb_lr"], d["emb_wd"], d["emb_steps"], d["emb_batch"], d["emb_zipf"])
    emb.sentences(result)
    emb.attempt_sentence(result)
    emb.transcript(result)


def gradient_growth(d: dict) -> None:
    growth.sentences(growth.run(d["grow_lr"], d["grow_wd"], d["grow_steps"], d["grow_window"]))


def rotation(d: dict) -> None:
    rotation_sentences(experiment(d["rot_lr"], d["rot_wd"], d["rot_beta"], d["rot_scale"], d["rot_steps"]))
    recipe_sentence()


EXPERIMENTS = {"timescale": timescale, "decoupling": decoupling, "rotation": rotation,
               "gradient_growth": gradient_growth, "embeddings": embeddings}


def seconds(run, defaults: dict) -> float:
    start = time.perf_counter()
    run(defaults)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    defaults = page_defaults()
    found = {}
    for name, run in EXPERIMENTS.items():
        cold = seconds(run, defaults)
        warm = min(seconds(run, defaults) for _ in range(max(1, args.reps)))
        found[name] = {"cold_ms": round(cold * 1000, 1), "warm_ms": round(warm * 1000, 1)}
    report = {"experiments": found, "slowest_warm_ms": max(e["warm_ms"] for e in found.values()),
              "target_ms": TARGET_MS}
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
