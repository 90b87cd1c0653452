"""Question-card speed: each card's experiment at its default controls, as the page first runs it
(target: each well under 100 ms warm, so the page renders all ten at once). Prints JSON
{"cards": {SLUG: {"cold_ms", "warm_ms"}}, "slowest_warm_ms"}; warm is the best of --reps runs.

    .venv/bin/python benchmarks/questions.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/questions.py`
from core.explain.questions import BY_SLUG, run_question  # noqa: E402


def seconds(slug: str) -> float:
    start = time.perf_counter()
    result = run_question(slug, {})
    q = BY_SLUG[slug]
    q.figure(result), q.summary(result)
    return time.perf_counter() - start


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    cards = {}
    for slug in BY_SLUG:
        cold = seconds(slug)  # first-call costs (torch's optimizer import) included
        warm = min(seconds(slug) for _ in range(max(1, args.reps)))
        cards[slug] = {"cold_ms": round(cold * 1000, 1), "warm_ms": round(warm * 1000, 1)}
    print(json.dumps({"cards": cards, "slowest_warm_ms": max(c["warm_ms"] for c in cards.values())}))
