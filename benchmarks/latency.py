"""Rerun latency of each page after a slider change, measured through AppTest (no browser,
no websocket): the time the script takes to run again, the shared sidebar of app.py included.

AppTest compiles app.py and the page again on every run (a fresh ScriptCache each time); the
server compiles each script once per process. By default the runs here share one ScriptCache,
as the server's do; --recompile measures AppTest's stock behaviour (compile time included).

Per page: render once (imports, warm-up), then move one slider (the page's main one; the
first numeric widget on a page without sliders) to `--reps` different values on its step
grid, one rerun each. Every value is new, so each rerun misses the page's caches: this is
the latency of a fresh slider position, not of a cached one. Prints
{"pages": {PAGE: {"p50_ms", "p95_ms", "widget", "runs"}}}; target: single_step p50 under 50 ms.

    .venv/bin/python benchmarks/latency.py
    .venv/bin/python benchmarks/latency.py --pages single_step theory --reps 40
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/latency.py`

import torch  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, app_test, local_script_runner  # noqa: E402

PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
SLIDER = {"single_step": "single_step:weight_decay", "theory": "theory:weight_decay",  # ui.state scopes keys by page
          "training": "training:momentum.d2l", "sweep": "sweep:momentum"}
MAX_REPS = 200


def share_script_cache() -> None:
    """One ScriptCache for every AppTest run, as one server process has."""
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    return at


def find_widget(at: AppTest, page: str):
    numeric = [*at.sidebar.slider, *at.slider, *at.number_input]
    wanted = SLIDER.get(page)
    for w in numeric:
        if wanted is None or w.key == wanted:
            return w
    raise RuntimeError(f"{page}: no slider {wanted!r}" if wanted else f"{page}: no slider or number input")


def values_on_grid(widget, n: int, rng: random.Random) -> list:
    """n distinct values on the widget's step grid, spread over its range, never its current value."""
    lo, hi, step = widget.min, widget.max, widget.step or 1
    count = int(round((hi - lo) / step)) + 1
    picks = [i for i in range(count) if abs(lo + i * step - widget.value) > step / 2]
    chosen = sorted(rng.sample(picks, min(n, len(picks))))
    rng.shuffle(chosen)
    is_int = isinstance(widget.value, int) and not isinstance(widget.value, bool)
    return [int(lo + i * step) if is_int else round(lo + i * step, 10) for i in chosen]


def percentile(values: list[float], q: int) -> float:
    return values[0] if len(values) == 1 else statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(page: str, reps: int, seed: int) -> dict:
    at = open_page(page)
    key = find_widget(at, page).key
    times = []
    for value in values_on_grid(find_widget(at, page), reps, random.Random(seed)):
        widget = next(w for w in [*at.slider, *at.number_input] if w.key == key)
        widget.set_value(value)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{page}: {key}={value}: {at.exception[0].value}")
    return {"p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1),
            "widget": key, "runs": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    parser.add_argument("--reps", type=int, default=20, help=f"slider moves per page (at most {MAX_REPS})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--recompile", action="store_true", help="AppTest's stock behaviour: compile every run")
    args = parser.parse_args()
    if not 1 <= args.reps <= MAX_REPS:
        parser.error(f"--reps must be in [1, {MAX_REPS}]")
    torch.set_num_threads(1)  # as the server runs (ui/warmup.py, OMP_NUM_THREADS=1)
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings
    if not args.recompile:
        share_script_cache()
    pages = {page: measure(page, args.reps, args.seed) for page in args.pages}
    print(json.dumps({"pages": pages, "script_cache": "per run" if args.recompile else "shared, as the server"}))


if __name__ == "__main__":
    main()
