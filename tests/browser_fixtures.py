"""One streamlit server per test process, shared by every browser test file, and chromium.

The server is session-scoped, so a worker that runs several browser files starts it once (the
first visitor of a fresh server pays its warm-up); a worker that runs none starts none. Chromium
lives per file (see browser()). Registered in conftest.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from ui import live_chart

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The script finished: the share link (drawn last, by app.py) is there and nothing is stale, loading or in
# progress. Streamlit's own "Running..." widget lives in the toolbar, which client.toolbarMode hides.
IDLE = ("!!document.querySelector('[data-testid=stSidebar] code') && !document.querySelector("
        "'[data-stale=true], [data-testid=stProgress], [data-testid=stSkeleton], [data-testid=stSpinner]')")
# IDLE, and every kept-mounted chart (ui/live_chart.py: the app's only custom component) holds a plot that
# plotly has drawn, with no newer figure waiting. Until the component's script has run and plotly.js has loaded
# (4.6 MB, seconds on a loaded 2-core machine) a chart is empty room, and a page that is IDLE may show no chart
# at all (test_readability once measured the Sweep so). Not IDLE itself: the chartless tabs refuse plotly.js.
DRAWN = (f"({IDLE}) && [...document.querySelectorAll('[data-testid=stBidiComponentRegular]')].every(c => {{"
         " const p = c.querySelector('.wd-live-chart');"
         " return !!p && p.classList.contains('js-plotly-plot') && !p.wdDrawing && !p.wdNext; })")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_chromium() -> None:
    """In CI the browser tests must run, never skip; elsewhere a missing chromium skips them."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: `make test` installs it (target `browser`)")
    pytest.skip("chromium not installed; `make browser` installs it")


def chartless_tab(browser, width: int = 1600, height: int = 1400):
    """A tab that never loads plotly.js, for tests of widgets, links and messages: drawing every chart again
    was most of their time (chromium's plotly layout; charts are test_readability.py's and test_browser.py's).
    Both ways a chart reaches the page are refused: st.plotly_chart's bundle and the script
    ui.live_chart's charts load from the app's static folder (they then say they could not be drawn)."""
    tab = browser.new_page(viewport={"width": width, "height": height})
    tab.route("**/PlotlyChart*.js", lambda route: route.abort())
    tab.route(f"**/app/static/{live_chart.SERVED_NAME}*", lambda route: route.abort())
    return tab


SERVER_PIDS: dict[str, int] = {}  # url -> the server's process id (see throttled)


@contextlib.contextmanager
def throttled(url: str, running: float = 0.2, period: float = 0.05):
    """The server as on a machine 1/running times slower: stopped (SIGSTOP) for the rest of each
    period. Runs that take a second here take several, long enough to watch one train."""
    pid, done = SERVER_PIDS[url], threading.Event()

    def toggle():
        while not done.is_set():
            os.kill(pid, signal.SIGSTOP)
            time.sleep(period * (1 - running))
            os.kill(pid, signal.SIGCONT)
            time.sleep(period * running)

    thread = threading.Thread(target=toggle, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        os.kill(pid, signal.SIGCONT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    require_chromium()
    port = free_port()
    log = tempfile.TemporaryFile()  # never a pipe nobody reads: a full pipe would stall the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    SERVER_PIDS[url] = proc.pid
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not answer /_stcore/health within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")  # Playwright's sync API keeps an event loop running: asyncio.run() in a later
def browser():                  # test of the same worker would fail, so it lives only while a browser file runs
    require_chromium()
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()
