"""The real page in a real browser: Debian's chromium driven by Playwright against a live
`streamlit run app.py`. AppTest cannot prove that plotly draws or that the slider is wired
to the chart in the browser; this does. Screenshots go to artifacts/ to be looked at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.browser
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: `make test` installs it (target `browser`)")
    pytest.skip("chromium not installed; `make browser` installs it", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
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


@pytest.fixture(scope="module")
def browser():
    if os.environ.get("CI"):  # in CI the browser tests must run, never skip
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def heatmap_texts(page, index: int) -> list[str]:
    return page.locator(".js-plotly-plot").nth(index).locator("text").all_text_contents()


def test_single_step_page_renders_and_the_slider_moves_the_heatmap(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 3200})
    page.goto(server)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 9", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    before = heatmap_texts(page, 4)  # "W after, weight_decay = 1"
    # the seed's printed row (0.2050 -0.1360 0.1686 0.4745 -0.0254) at the heatmap's 3 significant digits
    assert before[:5] == ["0.205", "-0.136", "0.169", "0.475", "-0.0254"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "single_step.png"), full_page=True)
    slider = page.get_by_role("slider", name="Weight decay wd")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(before) => { const p = document.querySelectorAll('.js-plotly-plot')[4];"
        " return p && [...p.querySelectorAll('text')].map(t => t.textContent).slice(0, 5).join() !== before; }",
        arg=",".join(before[:5]), timeout=30_000,
    )
    after = heatmap_texts(page, 4)
    assert after[:5] != before[:5]
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "single_step_after_slider.png"), full_page=True)
    page.close()


def test_training_page_renders_from_a_fresh_link(server, browser):
    """A link straight to /training must get the shared sidebar too (see app.py on app_pages/)."""
    page = browser.new_page(viewport={"width": 1600, "height": 2400})
    page.goto(f"{server}/training?task=toy")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 20", timeout=90_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Device").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "training.png"), full_page=True)
    page.close()


def test_parameters_page_takes_an_upload_and_refuses_a_malicious_pickle(server, browser, tmp_path):
    """Uploads go through the real widget: a safetensors file is listed, a pickle that would
    run code is refused with a message, and nothing runs."""
    import pickle

    import torch
    from safetensors.torch import save_file

    good = tmp_path / "tiny.safetensors"
    save_file({"encoder.weight": torch.ones(3, 4), "encoder.bias": torch.zeros(3)}, str(good))
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w').write('x')",))

    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"state_dict": Evil()}, protocol=2))

    page = browser.new_page(viewport={"width": 1600, "height": 1600})
    page.goto(f"{server}/parameters?model=upload")
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_text("2 of 2 tensors").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # let the grid paint before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "parameters_upload.png"), full_page=True)

    page.locator("input[type=file]").set_input_files(str(evil))
    page.get_by_text("was refused").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not marker.exists()
    page.close()


def test_parameters_page_shows_markdown_from_a_link_literally(server, browser):
    """A search pattern from a link is quoted in the regex error: it must show as typed, with no link, image or
    bare-URL autolink formed from it (the reported attack fetched an image and showed a 're-login' link)."""
    from urllib.parse import quote

    pattern = ("[re-login](http://evil.test)[![x](http://evil.test/x.png)](http://evil.test) www.evil.test "
               "a@evil.test :smile: (")
    page = browser.new_page(viewport={"width": 1600, "height": 1600})
    page.goto(f"{server}/parameters?regex=true&search={quote(pattern)}")
    alert = page.locator("[data-testid='stAlert']").filter(has_text="Invalid regular expression")
    alert.wait_for(timeout=60_000)
    assert alert.locator("a, img").count() == 0
    assert pattern in alert.inner_text().replace("\u2060", "")  # as typed, once the invisible joiners are gone
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


PAGES = {"single_step": "", "training": "training", "sweep": "sweep?resolution=8", "parameters": "parameters",
         "theory": "theory"}


@pytest.mark.parametrize("name", list(PAGES))
def test_presentation_mode_screenshot_at_1920x1080(server, browser, name):
    """The classroom view of every page, saved for a person to look at: artifacts/present_*.png."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    path = PAGES[name]
    page.goto(f"{server}/{path}{'&' if '?' in path else '?'}present=true")
    page.locator("[data-testid='stHeading'], h1").first.wait_for(timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=90_000)
    page.wait_for_timeout(2500)  # charts and KaTeX paint
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 22
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"present_{name}.png"))
    page.close()


OFFLINE_PAGES = ("", "training?task=seed", "sweep?task=seed&resolution=2", "parameters", "theory", "questions")


def test_every_page_loads_everything_from_this_server(server, browser):
    """The app must work offline: no request (fonts, icons, scripts, telemetry) may leave for
    another host, and the favicon must not either (a ":material/...:" page icon points the
    favicon at fonts.gstatic.com; browsers fetch favicons outside Playwright's request events,
    so the link itself is checked)."""
    from urllib.parse import urlsplit

    local = {urlsplit(server).hostname, "127.0.0.1", "localhost"}
    seen, elsewhere = [], []

    def route(r):
        url = r.request.url
        seen.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in local:
            r.continue_()
        else:
            elsewhere.append(url)
            r.abort()

    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    context.route("**/*", route)
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    for path in OFFLINE_PAGES:
        page.goto(f"{server}/{path}")
        page.locator("[data-testid='stHeading'], h1").first.wait_for(timeout=90_000)
        page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=90_000)
        page.wait_for_timeout(1500)  # charts, KaTeX and icon fonts load
        assert page.locator("[data-testid='stException']").count() == 0, path
        icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
        assert icons, path
        for href in icons:
            assert urlsplit(href).scheme == "data" or urlsplit(href).hostname in local, (path, href)
    context.close()
    assert len(seen) > len(OFFLINE_PAGES)  # the recording worked
    others = sorted({u for u in seen if urlsplit(u).scheme not in ("data", "blob")
                     and urlsplit(u).hostname not in local})
    assert not elsewhere and not others, others or elsewhere
