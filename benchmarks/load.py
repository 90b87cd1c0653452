"""N concurrent visitors on one server, each moving sliders, for a bounded time.

Starts its own `streamlit run app.py` on a free loopback port (OMP_NUM_THREADS=1, the
repo's .streamlit/config.toml, so XSRF protection is on), then opens N sessions the way the
browser does: fetch the _streamlit_xsrf cookie over HTTP, open a websocket to
/_stcore/stream with subprotocols ("streamlit", token), send BackMsg rerun_script with the
widget states, read ForwardMsgs until script_finished. Each session renders its page once,
then loops: move one of the page's sliders to a random value on its step grid, time the
rerun until script_finished, pause 1-3 s (a visitor releases the slider, then reads the
charts), repeat until the time is up. All sessions share one server process, whose Python
work runs under one GIL: a shorter think time (--think-min 0.5 --think-max 1.5) saturates
it on the single-step page, and the training and sweep pages, which retrain on every new
slider value, saturate it with far fewer visitors. More visitors, more replicas.

Prints JSON: sessions, p50_s, p95_s (interaction latency), errors (exceptions shown, failed runs,
timeouts, dropped connections), peak_rss_mb (the server's, from VmHWM and psutil), and the settings
and counts behind them. Target on 2 cores: 30 sessions, p95 under 1 s, zero errors, under 2 GB.

    .venv/bin/python benchmarks/load.py                      # 30 sessions, 20 s, single-step page
    .venv/bin/python benchmarks/load.py --sessions 5 --seconds 5 --page theory
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/load.py`

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

MAX_SESSIONS, MAX_SECONDS = 200, 300  # the benchmark bounds itself too
RUN_TIMEOUT_S = 30.0  # one rerun taking longer counts as an error
# The sliders each page's visitors move (by widget key: ui.state scopes it by page); the cheap-to-drag ones.
SLIDERS = {
    "single_step": ("single_step:lr", "single_step:weight_decay"),
    "theory": ("theory:lr", "theory:weight_decay", "theory:alpha"),
    "training": ("training:momentum.d2l",),
    "sweep": ("sweep:momentum",),
}
URL_PATHS = {"single_step": "", "theory": "theory", "training": "training", "sweep": "sweep"}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the env says


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            if NO_PROXY.open(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not answer /_stcore/health")


def xsrf_cookie(url: str) -> str | None:
    """The health endpoint sets _streamlit_xsrf when XSRF protection is on, as the page does."""
    response = NO_PROXY.open(f"{url}/_stcore/health", timeout=5)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "_streamlit_xsrf":
            return rest.split(";", 1)[0]
    return None


class MemoryWatch:
    """The server's peak RSS: psutil samples every 0.1 s, and the kernel's high-water mark."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _rss(self) -> int:
        try:
            import psutil

            return psutil.Process(self.pid).memory_info().rss
        except ImportError:
            return self._status("VmRSS")
        except Exception:  # the process is gone
            return 0

    def _status(self, field: str) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._rss())

    def stop(self) -> float:
        """Call before the server exits; MB."""
        self._stop.set()
        self._thread.join()
        return max(self.peak, self._status("VmHWM")) / 2**20


class Session:
    """One visitor: a websocket speaking Streamlit's protocol."""

    def __init__(self, url: str, page: str, rng: random.Random):
        self.url, self.page, self.rng = url, page, rng
        self.sliders: dict[str, object] = {}  # key -> Slider proto from the last run
        self.states: dict[str, WidgetState] = {}  # widget id -> what this visitor has set
        self.latencies: list[float] = []
        self.first_render: float | None = None
        self.errors: list[str] = []

    async def rerun(self, ws) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_name = URL_PATHS.get(self.page, self.page)
        cs.widget_states.widgets.extend(self.states.values())
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                elif which == "slider" and element.slider.id.rsplit("-", 1)[-1] in SLIDERS.get(self.page, ()):
                    self.sliders[element.slider.id.rsplit("-", 1)[-1]] = element.slider
            elif kind == "page_not_found":
                self.errors.append(f"page not found: {self.page}")
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                if status != "FINISHED_SUCCESSFULLY":
                    self.errors.append(f"script finished: {status}")
                return

    def move_a_slider(self) -> None:
        key = self.rng.choice(sorted(self.sliders))
        s = self.sliders[key]
        steps = int(round((s.max - s.min) / s.step))
        value = s.min + self.rng.randint(0, steps) * s.step
        state = WidgetState(id=s.id)
        state.double_array_value.data[:] = [round(value, 10)]
        self.states[s.id] = state

    async def run(self, cookie: str | None, deadline: float, think: tuple[float, float]) -> None:
        host = self.url.split("//", 1)[1]
        headers = {"Cookie": f"_streamlit_xsrf={cookie}"} if cookie else {}
        try:
            async with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", cookie or ""],
                               additional_headers=headers, origin=self.url, max_size=None, proxy=None,
                               open_timeout=30, ping_interval=None) as ws:
                start = time.perf_counter()
                await asyncio.wait_for(self.rerun(ws), RUN_TIMEOUT_S)
                self.first_render = time.perf_counter() - start
                if not self.sliders:
                    self.errors.append(f"no slider of {SLIDERS.get(self.page)} on page {self.page}")
                    return
                while time.time() < deadline:
                    await asyncio.sleep(self.rng.uniform(*think))
                    if time.time() >= deadline:
                        break
                    self.move_a_slider()
                    start = time.perf_counter()
                    await asyncio.wait_for(self.rerun(ws), RUN_TIMEOUT_S)
                    self.latencies.append(time.perf_counter() - start)
        except TimeoutError:
            self.errors.append(f"a rerun took over {RUN_TIMEOUT_S:g} s")
        except Exception as err:  # a dropped connection, a refused handshake: the visitor saw a failure
            self.errors.append(f"{type(err).__name__}: {err}")


def server_cpu(pid: int) -> float | None:
    """User + system CPU seconds the server has used so far (None without psutil)."""
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return times.user + times.system
    except Exception:
        return None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


async def load(url: str, args) -> list[Session]:
    cookie = xsrf_cookie(url)
    warm = Session(url, args.page, random.Random(-1))  # imports, torch warm-up and caches: not measured
    await warm.run(cookie, 0.0, (0.0, 0.0))
    deadline = time.time() + args.seconds
    sessions = [Session(url, args.page, random.Random(args.seed + i)) for i in range(args.sessions)]

    async def staggered(i: int, s: Session) -> None:
        await asyncio.sleep(args.ramp * i / max(1, args.sessions))  # visitors arrive over the ramp
        await s.run(cookie, deadline, (args.think_min, args.think_max))

    await asyncio.gather(*(staggered(i, s) for i, s in enumerate(sessions)))
    return [warm, *sessions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the sessions move sliders")
    parser.add_argument("--page", default="single_step", choices=sorted(SLIDERS))
    parser.add_argument("--think-min", type=float, default=1.0,
                        help="pause before each slider move, s: a visitor drags, releases, reads the charts")
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--ramp", type=float, default=2.0, help="sessions arrive spread over this many s")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--sessions must be in [1, {MAX_SESSIONS}] and --seconds in (0, {MAX_SECONDS}]")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        wait_healthy(url, proc)
        watch = MemoryWatch(proc.pid)
        started = time.perf_counter()
        sessions = asyncio.run(asyncio.wait_for(load(url, args), args.seconds + args.ramp + 2 * RUN_TIMEOUT_S + 30))
        wall = time.perf_counter() - started
        server_cpu_s = server_cpu(proc.pid)
        peak_mb = watch.stop()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    measured = sessions[1:]
    latencies = [t for s in measured for t in s.latencies]
    firsts = [s.first_render for s in measured if s.first_render is not None]
    errors = [e for s in sessions for e in s.errors]
    print(json.dumps({
        "sessions": args.sessions,
        "p50_s": round(percentile(latencies, 50), 4) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 4) if latencies else None,
        "errors": len(errors),
        "peak_rss_mb": round(peak_mb, 1),
        "interactions": len(latencies),
        "max_s": round(max(latencies), 4) if latencies else None,
        "first_render_p50_s": round(percentile(firsts, 50), 4) if firsts else None,
        "first_render_p95_s": round(percentile(firsts, 95), 4) if firsts else None,
        "page": args.page,
        "seconds": args.seconds,
        "think_s": [args.think_min, args.think_max],
        "wall_s": round(wall, 1),
        "server_cpu_s": round(server_cpu_s, 1) if server_cpu_s is not None else None,
        "client_cpu_s": round(time.process_time(), 1),
        "cpus": os.cpu_count(),
        "error_samples": sorted(set(errors))[:5],
    }))


if __name__ == "__main__":
    main()
