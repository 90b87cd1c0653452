"""Issue 11's attacks replayed against a local server, while a second visitor uses the app.

Starts its own `streamlit run app.py` on a free 127.0.0.1 port (OMP_NUM_THREADS=1, the
repo's config, its log captured), then, one after another, each bounded by a timeout:
the regex link that compiles a huge repeat, a zip-bomb .pt upload (a deflated archive whose
tensor inflates ~1000:1), training links with one weight decay repeated hundreds of times
under several seeds, the toy sweep link, inf in whole-number fields, a safetensors upload
with 21,846 tensors, and a .pt of four 2^31 x 2^31 stride-0 tensors. Links go over
Streamlit's websocket as a browser sends them (benchmarks/load.py); uploads go through
the real file widget in Debian's chromium (Playwright). Meanwhile a second visitor moves
the single-step page's sliders and times every rerun.

A watchdog samples the server's RSS (its whole process tree) every 50 ms and kills it
above --kill-gb, so an attack can never take the machine down; a killed server is
restarted for the next attack, and the kill is reported. Everything stops by itself
within --max-seconds.

Prints JSON: peak_rss_mb, second_visitor_max_s (its slowest rerun), tracebacks (in the
server log), kills, and per attack its time, peak RSS, outcome and what the page showed,
beside the targets (peak RSS < 1.5 GB, second visitor < 1 s, 0 tracebacks).

    .venv/bin/python benchmarks/abuse.py --quick     # small sizes, about a minute
    .venv/bin/python benchmarks/abuse.py             # the issue's sizes (a 1 GiB bomb, a{100000000})
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/load.py's protocol helpers
from crafted import many_tensors_safetensors, stride0_pt, zip_bomb_pt  # noqa: E402
from load import ROOT, Session, free_port, wait_healthy, xsrf_cookie  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

TARGETS = {"peak_rss_mb": 1536, "second_visitor_max_s": 1.0, "tracebacks": 0}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
INF_LINKS = [("", "seed=inf"), ("", "steps=-inf"), ("", "t=Infinity"), ("", "row=1e309"), ("sweep", "resolution=inf"),
             ("sweep", "cell_lr=1e309"), ("questions", "frozen.steps=inf")]


class Server:
    """streamlit on 127.0.0.1 with its log in a file, and an RSS watchdog that kills it above a limit."""

    def __init__(self, port: int, log: Path, kill_bytes: int):
        self.port, self.log, self.kill_bytes = port, log, kill_bytes
        self.url = f"http://127.0.0.1:{port}"
        self.peak = self.window_peak = 0
        self.kills: list[str] = []
        self.proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(self.url, self.proc)
        if not self._watch.is_alive():
            self._watch.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            return sum(p.memory_info().rss for p in (root, *root.children(recursive=True)))
        except (psutil.Error, AttributeError):
            return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            rss = self.rss()
            self.peak, self.window_peak = max(self.peak, rss), max(self.window_peak, rss)
            if rss > self.kill_bytes and self.alive():
                self.kills.append(f"killed at {rss / 2**20:.0f} MB")
                self.proc.kill()

    def stop(self) -> None:
        self._stop.set()
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# The two kinds of visitor.

async def open_link(url: str, cookie: str | None, page: str, query: str, timeout: float) -> dict:
    """One fresh session opening /page?query, read until the script finishes (or timeout)."""
    host = url.split("//", 1)[1]
    shown = {"exceptions": [], "errors": [], "notices": []}
    msg = BackMsg()
    msg.rerun_script.page_name, msg.rerun_script.query_string = page, query
    async with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", cookie or ""], origin=url,
                       additional_headers={"Cookie": f"_streamlit_xsrf={cookie}"} if cookie else {},
                       max_size=None, proxy=None, open_timeout=30, ping_interval=None) as ws:
        await ws.send(msg.SerializeToString())

        async def read() -> None:
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await ws.recv())
                if fwd.WhichOneof("type") == "script_finished":
                    return
                if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    element = fwd.delta.new_element
                    kind = element.WhichOneof("type")
                    if kind == "exception":
                        shown["exceptions"].append(f"{element.exception.type}: {element.exception.message[:160]}")
                    elif kind == "alert" and element.alert.format == 1:  # ERROR
                        shown["errors"].append(element.alert.body[:200])
                    elif kind == "alert" and element.alert.format == 2:  # WARNING: the link's notices
                        shown["notices"].append(element.alert.body[:200])
                    elif kind == "toast":
                        shown["notices"].append(element.toast.body[:200])

        await asyncio.wait_for(read(), timeout)
    return shown


def in_thread(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API holds an event loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def upload(browser, url: str, path: Path, timeout: float) -> dict:
    """The file through the Parameters page's real upload widget: what the page then shows,
    and the seconds from the upload to the end of the rerun it triggers."""
    state = "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{url}/parameters?model=upload")
        page.locator("input[type=file]").wait_for(state="attached", timeout=60_000)
        page.wait_for_function(f"{state} === 'notRunning'", timeout=60_000)
        start = time.perf_counter()
        page.locator("input[type=file]").set_input_files(str(path))
        try:
            page.wait_for_function(f"{state} === 'running'", timeout=5_000)
        except Exception:  # a fast rerun may be over before we look
            pass
        page.wait_for_function(f"{state} === 'notRunning'", timeout=timeout * 1000)
        return {"rerun_s": round(time.perf_counter() - start, 2),
                "exceptions": [t[:300] for t in page.locator("[data-testid='stException']").all_inner_texts()],
                "alerts": [t[:200] for t in page.locator("[data-testid='stAlert']").all_inner_texts()]}
    finally:
        page.close()


def second_visitor(url: str, stop: threading.Event, out: dict) -> None:
    """Moves the single-step page's sliders, in a fresh session every few seconds (so a
    restarted server, with its new XSRF secret, is picked up too)."""
    while not stop.is_set():
        session = Session(url, "single_step", random.Random(len(out["latencies"])))
        try:
            asyncio.run(session.run(xsrf_cookie(url), time.time() + 5, (0.3, 0.6)))
        except OSError as err:  # the server is down (killed, restarting)
            session.errors.append(f"{type(err).__name__}: {err}")
        out["latencies"] += session.latencies
        out["first_renders"] += [session.first_render] if session.first_render is not None else []
        out["errors"] += session.errors
        if session.errors:
            time.sleep(1)


def log_errors(log: str) -> tuple[int, list[str]]:
    """How many tracebacks the server logged, and their distinct last lines (the exceptions)."""
    lines, found = log.splitlines(), set()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            found.add(next((x for x in lines[i + 1:] if x and not x[0].isspace()), "?")[:200])
    return log.count("Traceback (most recent call last)"), sorted(found)


def attacks(args, files: Path) -> list[tuple[str, str, object]]:
    """(name, kind, what): kind "link" takes (page, query), kind "upload" a file."""
    repeat, seeds = (48, 2) if args.quick else (576, 4)
    regexes = ["a{3000000}"] if args.quick else ["a{100000000}", "(?:a{65535}){65535}x"]
    bomb_numel = 2**24 if args.quick else 2**28  # 64 MiB or 1 GiB of float32 zeros
    wds = ",".join(["0.1"] * repeat)
    return [
        *[(f"regex {r}", "link", ("parameters", f"regex=true&search={r}")) for r in regexes],
        ("zip-bomb .pt", "upload", zip_bomb_pt(files / "bomb.pt", bomb_numel)),
        *[(f"{repeat} duplicate weight decays, seed {s}", "link", ("training", f"task=d2l&wds.d2l={wds}&seed={s}"))
          for s in range(1, seeds + 1)],
        ("toy sweep 24x24x400", "link", ("sweep", "task=toy&resolution=24&sweep_epochs.toy=400")),
        *[(f"/{page}?{query}", "link", (page, query)) for page, query in INF_LINKS[:2 if args.quick else None]],
        ("21,846 tensors", "upload", many_tensors_safetensors(files / "many.safetensors", 21_846)),
        ("stride-0 2^31 x 2^31 tensors", "upload", stride0_pt(files / "stride0.pt")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the benchmark end to end")
    parser.add_argument("--kill-gb", type=float, default=6.0, help="kill the server above this RSS")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per attack")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="the whole run, at most")
    args = parser.parse_args()
    started = time.time()
    report: list[dict] = []
    visitor = {"latencies": [], "first_renders": [], "errors": []}
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp)
        plan = attacks(args, files)
        server = Server(free_port(), files / "server.log", int(args.kill_gb * 2**30))
        server.start()
        cookie = xsrf_cookie(server.url)
        in_thread(open_link(server.url, cookie, "", "", 120))  # warm-up: imports and torch, not measured
        thread = threading.Thread(target=second_visitor, args=(server.url, stop, visitor), daemon=True)
        thread.start()
        browser = playwright = None
        try:
            for name, kind, what in plan:
                if time.time() - started > args.max_seconds:
                    report.append({"attack": name, "outcome": "skipped: out of time"})
                    continue
                if not server.alive():
                    server.start()
                    cookie = xsrf_cookie(server.url)
                server.window_peak, kills, start = server.rss(), len(server.kills), time.perf_counter()
                entry = {"attack": name}
                try:
                    if kind == "link":
                        entry["shown"] = in_thread(open_link(server.url, cookie, *what, args.timeout))
                    else:
                        if browser is None:
                            from playwright.sync_api import sync_playwright

                            playwright = sync_playwright().start()
                            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                        entry["upload_bytes"] = what.stat().st_size
                        entry["shown"] = upload(browser, server.url, what, args.timeout)
                    entry["outcome"] = "finished"
                except Exception as err:  # a timeout, a dropped connection, a killed server
                    entry["outcome"] = f"{type(err).__name__}: {str(err)[:160]}"
                entry["seconds"] = round(time.perf_counter() - start, 2)
                entry["peak_rss_mb"] = round(server.window_peak / 2**20)
                if len(server.kills) > kills:
                    entry["outcome"] += f"; server {server.kills[-1]}"
                report.append(entry)
                print(json.dumps(entry), file=sys.stderr, flush=True)
        finally:
            stop.set()
            thread.join(30)
            if browser is not None:
                browser.close()
                playwright.stop()
            server.stop()
            log = (files / "server.log").read_text(errors="replace")
    tracebacks, errors = log_errors(log)
    result = {
        "peak_rss_mb": round(server.peak / 2**20),
        "second_visitor_max_s": round(max(visitor["latencies"]), 3) if visitor["latencies"] else None,
        "tracebacks": tracebacks,
        "kills": server.kills,
        "targets": TARGETS,
        "second_visitor_interactions": len(visitor["latencies"]),
        "second_visitor_max_first_render_s": round(max(visitor["first_renders"]), 3) if visitor["first_renders"]
        else None,
        "second_visitor_errors": sorted(set(visitor["errors"]))[:10],
        "traceback_errors": errors[:20],
        "attacks": report,
        "quick": args.quick,
        "wall_s": round(time.time() - started, 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
