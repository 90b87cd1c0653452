"""The cuda path against the cpu: exact first, then how long each takes. Run on a machine with
an NVIDIA GPU (one prepared run, a few minutes); on a cpu-only machine it says so and exits 0.

Exactness (float64): the single step of every optimizer, the training page's default groups
of every task, and the 12 x 12 and 24 x 24 d2l sweeps of three optimizers, each on cuda and on
cpu: the largest relative difference of the final weights (and the sweeps' shown test losses).
Timings: the same trainings and sweeps on the cpu at the given thread count and on cuda, best of
a few warm calls; the sweeps on cuda both replayed (core.train.replay: CUDA graphs) and eager,
the 24 x 24 also on the cpu with every thread; and where the replayed 24 x 24's time goes (the
GPU's busy time from torch.profiler, kernels per step).

Prints JSON: {"device", "torch", "exact": {...}, "seconds": {...}, "ratio", "profile", "errors"}.
Imports only core modules that need no streamlit or plotly, so a plain PyTorch install can run it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python benchmarks/gpu.py`
from core.optim import OPTIMIZERS  # noqa: E402
from core.train import config as request
from core.train import replay
from core.train.config import default_configs  # noqa: E402
from core.train.sweep import SweepConfig, run_sweep  # noqa: E402
from core.train.training import train_together  # noqa: E402


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(1, max |b|) over the entries finite in both."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    if not both.any():
        return 0.0
    return float(np.abs(a[both] - b[both]).max() / max(1.0, np.abs(b[both]).max()))


def best_of(fn, repeats: int) -> float:
    fn()  # warm-up: first-call costs (kernels, allocator) are not the work's
    times = []
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return round(min(times), 4)


def where_time_goes(config: SweepConfig) -> dict:
    """One replayed sweep under torch.profiler: wall time, the GPU's busy time (the sum of its
    kernels' durations), kernels launched and the ten costliest kernels: whether the sweep waits
    on the GPU or on the host."""
    try:
        run_sweep(config)
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU,
                                                torch.profiler.ProfilerActivity.CUDA]) as prof:
            start = time.perf_counter()
            run_sweep(config)
            torch.cuda.synchronize()
            wall = time.perf_counter() - start
        kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        busy: dict[str, float] = {}
        for e in kernels:
            busy[e.name] = busy.get(e.name, 0.0) + e.device_time
        top = sorted(busy.items(), key=lambda kv: -kv[1])[:10]
        return {"wall_s": round(wall, 4), "gpu_busy_s": round(sum(busy.values()) / 1e6, 4),
                "kernels": len(kernels), "steps": config.epochs * 4,  # d2l: 20 training points, batches of 5
                "top_kernels_ms": {name[:80]: round(us / 1e3, 2) for name, us in top}}
    except Exception as error:
        return {"error": repr(error)[:500]}


def on(device: str, configs):
    return [replace(c, device=device) for c in configs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4, help="cpu threads for the cpu timings")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda", help="the device compared with the cpu (cpu: a dry run)")
    args = parser.parse_args(argv)
    gpu_name = args.device
    if gpu_name == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"device": None, "note": "no CUDA device: nothing to compare"}))
        return 0
    torch.set_num_threads(args.threads)
    request.MAX_REQUEST_SECONDS = float("inf")  # the engine's speed is measured here, not the demo's budget
    from core.step import StepConfig, run_step

    exact: dict[str, float] = {}
    for key in OPTIMIZERS:
        cpu, gpu = (run_step(StepConfig(key, 0.1, 0.5, steps=50, device=d)) for d in ("cpu", gpu_name))
        exact[f"single_step.{key}"] = rel_diff(gpu.trajectory, cpu.trajectory)
    groups = default_configs()
    for group in groups:
        cpu, gpu = train_together(on("cpu", group)), train_together(on(gpu_name, group))
        for hc, hg in zip(cpu, gpu, strict=True):
            name = f"training.{hc.config.task}.{hc.config.optimizer}"
            exact[name] = max(rel_diff(hg.final[k], hc.final[k]) for k in hc.final)
            exact[name + ".test_loss"] = rel_diff(hg.test_loss, hc.test_loss)
    sweeps = {n: SweepConfig(resolution=(n, n), log10_wd=(-3.0, 3.0)) for n in (12, 24)}
    errors: dict[str, str] = {}
    for n, config in sweeps.items():
        cpu_grid = run_sweep(config)
        try:
            gpu_grid = run_sweep(replace(config, device=gpu_name))
        except Exception as error:  # report it and go on: the eager timings still say something
            errors[f"sweep{n}"] = repr(error)[:500]
            continue
        for key in cpu_grid:
            exact[f"sweep{n}.{key}.test_loss"] = rel_diff(gpu_grid[key].test_loss, cpu_grid[key].test_loss)
            exact[f"sweep{n}.{key}.same_diverged"] = float(np.array_equal(gpu_grid[key].diverged,
                                                                         cpu_grid[key].diverged))
    seconds: dict[str, float] = {}
    for device in dict.fromkeys(("cpu", gpu_name)):
        for group in groups:
            task = group[0].task
            seconds[f"training.{task}.{device}"] = best_of(lambda g=group, d=device: train_together(on(d, g)),
                                                           args.repeats)
        for n, config in sweeps.items():
            moved = replace(config, device=device)
            try:
                seconds[f"sweep{n}.{device}"] = best_of(lambda c=moved: run_sweep(c), args.repeats)
            except Exception as error:
                errors[f"sweep{n}.{device}.timing"] = repr(error)[:500]
            if device != "cpu":
                replay.REPLAYED_ON, replayed = (), replay.REPLAYED_ON
                seconds[f"sweep{n}.{device}_eager"] = best_of(lambda c=moved: run_sweep(c), args.repeats)
                replay.REPLAYED_ON = replayed
    every_thread = os.cpu_count() or 1
    torch.set_num_threads(every_thread)
    seconds[f"sweep24.cpu_{every_thread}_threads"] = best_of(lambda: run_sweep(sweeps[24]), args.repeats)
    torch.set_num_threads(args.threads)
    ratio = {f"sweep{n}": round(seconds[f"sweep{n}.cpu"] / seconds[f"sweep{n}.{gpu_name}"], 1)
             for n in sweeps if f"sweep{n}.{gpu_name}" in seconds}
    profile = where_time_goes(replace(sweeps[24], device=gpu_name)) if gpu_name == "cuda" else {}
    name = torch.cuda.get_device_name(0) if gpu_name == "cuda" else gpu_name
    print(json.dumps({"device": name, "torch": torch.__version__, "cpu_threads": args.threads, "exact": exact,
                      "seconds": seconds, "ratio_cpu_over_cuda": ratio, "profile": profile, "errors": errors},
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
