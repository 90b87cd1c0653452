"""Slider -> chart in a real browser (issue 15): the latency a visitor feels, per page.

Starts its own `streamlit run app.py` on 127.0.0.1 (one torch thread, as `make run`), opens each
row's page in Debian's chromium (Playwright, headless) and moves the row's control by one step
with the keyboard, `--moves` times, each move to a value not seen before (so no results cache answers;
the Training and Sweep pages' Epochs rows are answered by the run the page keeps, the cosine and weight-decay
rows train anew).
For each move it records, in the page's own clock:

- first change: keydown -> the first DOM change inside a chart, formula, metric or table;
- settled: keydown -> the last such change once the script finished and nothing moved for
  `QUIET_MS`.

Changes inside a <canvas> are left out: they are its fallback content, which is never painted. The
data grid of st.dataframe draws on a canvas and keeps a hidden accessibility table inside it, which
it rebuilds 200 ms after each change (glide-data-grid's debounce); counted, it set the Parameters
row's settled time (350-415 ms) while the canvas's pixels had changed at 146-195 ms, with the first
change: measured by reading the canvas's pixels every frame, 2026-11-28.

Then it holds the key down (`--burst` presses, 30 ms apart) and records when the page settles: a
burst must never queue more than one rerun behind the current one.

Prints {"machine": ..., "cpu_pressure_avg10": {"before", "after"}, "rows": {ROW: {"first_change_ms":
{"p50", "p95"}, "settled_ms": {...}, "burst_settled_ms", "moves"}}}. The CPU pressure (the share of the
last ten seconds in which some task waited for a CPU, /proc/pressure/cpu; null where the kernel has none)
says how loaded the machine was: on a shared 2-core machine the same code's rows moved by 20 % within an
afternoon, so only runs alternated with each other compare two versions. Targets (issue 15, 2 cores,
quiet): single_step, questions, theory, parameters <= 200/300 ms; training, training_cosine <= 300/600;
training_toy, training_toy_cosine <= 500/1000; sweep_12, sweep_12_wd <= 500/1000; sweep_24, sweep_24_wd <= 1000/2000.

    .venv/bin/python benchmarks/browser_latency.py
    .venv/bin/python benchmarks/browser_latency.py --rows single_step theory --moves 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port, start_server, wait_healthy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser_fixtures import DRAWN, IDLE  # noqa: E402  shared with the browser tests

# row: (path, how to find the control, the key that moves it one step)
ROWS = {
    "single_step": ("", ("slider", "Weight decay wd"), "ArrowLeft"),
    "questions": ("questions", ("slider", None), "ArrowRight"),  # the first card's first slider
    "theory": ("theory", ("slider", "Weight decay λ"), "ArrowLeft"),
    "parameters": ("parameters", ("search", "Search parameter names"), None),
    # the runs' own length (momentum is folded away under Advanced options): one epoch fewer per move, read from
    # the run the page keeps (ui.kept_runs); on a cosine schedule, whose factors depend on the length, trained whole
    "training": ("training", ("slider", "Epochs"), "ArrowLeft"),
    "training_toy": ("training?task=toy", ("slider", "Epochs"), "ArrowLeft"),
    "training_cosine": ("training?schedule=cosine", ("slider", "Epochs"), "ArrowLeft"),
    "training_toy_cosine": ("training?task=toy&schedule=cosine", ("slider", "Epochs"), "ArrowLeft"),
    # one epoch fewer per move: read from the sweep kept by the page (ui.kept_sweeps), no training
    "sweep_12": ("sweep", ("slider", "Epochs"), "ArrowLeft"),
    "sweep_24": ("sweep?resolution=24", ("slider", "Epochs"), "ArrowLeft"),
    # the weight-decay range's low end up by 0.5 per move: a new grid, trained whole every move
    "sweep_12_wd": ("sweep", ("slider", "log10 weight decay"), "ArrowRight"),
    "sweep_24_wd": ("sweep?resolution=24", ("slider", "log10 weight decay"), "ArrowRight"),
}
SEARCHES = ("bn", "layer1", "conv", "fc", "downsample", "layer4", "weight", "bias", "layer2", "layer3", "1.0", "0.")
QUIET_MS = 400
WATCH = """() => {
  window.__changes = [];
  window.__keydown = null;
  document.addEventListener('keydown', () => { window.__keydown = performance.now(); }, true);
  const inChart = (n) => n && n.closest &&
    n.closest('.js-plotly-plot, .katex, [data-testid=stMetric], [data-testid=stDataFrame], [data-testid=stTable]');
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (node && node.closest && node.closest('canvas')) continue;  // a canvas's fallback content: never painted
      // a matrix table (core.figures.matrix_table) is replaced whole: its container gets the new one
      const table = [...r.addedNodes].some((a) => a.nodeType === 1 &&
        (a.matches('.wd-matrix') || a.querySelector('.wd-matrix')));
      if (inChart(node) || table) { window.__changes.push(performance.now()); return; }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""
SETTLED = """(quiet) => """ + IDLE + """ &&
  window.__changes.length > 0 && performance.now() - window.__changes[window.__changes.length - 1] > quiet"""


def control(tab, how):
    kind, label = how
    if kind == "search":
        return tab.get_by_role("textbox", name=label)
    return tab.get_by_role("slider", name=label).first if label else tab.get_by_role("slider").first


def one_move(tab, how, key: str | None, i: int) -> tuple[float, float]:
    tab.evaluate("window.__changes = []; window.__keydown = null;")
    widget = control(tab, how)
    if key is None:  # a search: type a new pattern, Enter sends it
        widget.fill(SEARCHES[i % len(SEARCHES)])
        widget.press("Enter")
    else:
        widget.focus()
        tab.keyboard.press(key)
    tab.wait_for_function(SETTLED, arg=QUIET_MS, timeout=120_000, polling=20)
    down, changes = tab.evaluate("[window.__keydown, window.__changes]")
    after = [c for c in changes if c >= down]
    return after[0] - down, after[-1] - down


def burst(tab, how, key: str | None, presses: int) -> float | None:
    if key is None:
        return None
    tab.evaluate("window.__changes = []; window.__keydown = null;")
    control(tab, how).focus()
    start = tab.evaluate("performance.now()")
    for _ in range(presses):
        tab.keyboard.press(key)
        tab.wait_for_timeout(30)
    tab.wait_for_function(SETTLED, arg=QUIET_MS, timeout=120_000, polling=20)
    return tab.evaluate("window.__changes[window.__changes.length - 1]") - start


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered)), "p95": round(ordered[min(len(ordered) - 1,
                                                                                int(0.95 * len(ordered)))])}


def measure(browser, url: str, row: str, moves: int, presses: int) -> dict:
    path, how, key = ROWS[row]
    tab = browser.new_page(viewport={"width": 1440, "height": 900})
    tab.goto(f"{url}/{path}")
    tab.locator("[data-testid='stHeading'], h1").first.wait_for(timeout=120_000)
    # the page's own charts drawn first: plotly.js loads after the script has finished, and a move made
    # meanwhile counted the page's first drawing as its own (most rows' p95, 1.5-2.9 s, came from it)
    tab.wait_for_function(DRAWN, timeout=120_000)
    tab.evaluate(WATCH)
    first, settled = [], []
    for i in range(moves):
        f, s = one_move(tab, how, key, i)
        first.append(f)
        settled.append(s)
    result = {"first_change_ms": percentiles(first), "settled_ms": percentiles(settled), "moves": moves,
              "burst_settled_ms": burst(tab, how, key, presses)}
    tab.close()
    return result


def cpu_pressure(path: str = "/proc/pressure/cpu") -> float | None:
    """The kernel's "some avg10" CPU pressure in percent, or None where it is not reported."""
    try:
        first = Path(path).read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = dict(f.split("=", 1) for f in first.split()[1:] if "=" in f)
    try:
        return float(fields["avg10"])
    except (KeyError, ValueError):
        return None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--burst", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    before = cpu_pressure()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu"])
            rows = {row: measure(browser, url, row, args.moves, args.burst) for row in args.rows}
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "processor": platform.processor() or platform.machine()},
              "cpu_pressure_avg10": {"before": before, "after": cpu_pressure()},
              "rows": rows}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
