"""Readable in a lecture hall, on a laptop and on a phone (issue 14), measured from the DOM of
the real page in Debian's chromium at the project's standard views:

- no two text elements of any plotly chart overlap (tick labels, annotations, titles, legend);
- no formula, table or code block is cut horizontally without a scroll bar that says so, and no matrix
  table cell cuts its number;
- in presentation mode at 1280x720 (a projector) every heatmap number is >= 12 px or not drawn;
- in presentation mode at 1280x720 the page's main chart lies inside the first screen;
- no chart's title is pushed above the chart's top edge (a wrapped title's first line was cut off);
- presentation mode at 1280x720 with the sidebar opened (a lecturer moving a slider; the mode tucks it
  away) is readable too: charts fitted to the width without it ran their numbers and ticks together.

It also proves the app works offline: every request of every view stays on this server (fonts,
icons, scripts, telemetry, the favicon). Screenshots of each page at each view go to
artifacts/readability/ for a person to look at. What it measures is in readability_probe.js."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser_fixtures import ARTIFACTS, DRAWN

pytestmark = pytest.mark.browser

PROBE = (Path(__file__).parent / "readability_probe.js").read_text()
SHOTS = ARTIFACTS / "readability"
# Each page's path, its main chart (the picture its first screen is for) and how much of it the first
# screen must show: all of it (None), or at least that many px of a table that scrolls on its own.
PAGES = {
    "single_step": ("", ".wd-matrix", None),
    "training": ("training", ".js-plotly-plot", None),
    "sweep": ("sweep", ".js-plotly-plot", None),
    "parameters": ("parameters", "[data-testid=stDataFrame]", 150),  # a header and three rows
    "theory": ("theory", ".katex-display", None),
    "questions": ("questions", "h3", None),
    "frontier": ("frontier", ".katex-display", None),
}
# name: (width, height, presentation mode). One page load per page: a lecturer's link (present=true) at
# the hall's size, then the projector's; then presentation mode switched off in the sidebar and the
# window resized to a laptop's and a phone's, as a visitor would (plotly lays out again, the sidebar
# tucks itself away on the phone). A page load costs chromium 4-9 s of CPU; a second one per page
# was a sixth of the suite's chromium time.
VIEWS = {"hall": (1920, 1080, True), "projector": (1280, 720, True), "laptop": (1440, 900, False),
         "phone": (390, 844, False)}


# The page title's upper part is what a visitor sees there, not a bar drawn over it (in presentation
# mode the header bar was taller than the padding above the title and cut its top off).
TITLE_UNCOVERED = """() => { const h = document.querySelector('h1'); const r = h.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + 8, r.top + r.height * 0.2); return !!hit && h.contains(hit); }"""


# Streamlit remembers a visitor's sidebar choice per page (localStorage); the next view starts as a new visitor's.
FORGET_SIDEBAR = ("Object.keys(localStorage).filter(k => k.startsWith('stSidebarCollapsed'))"
                  ".forEach(k => localStorage.removeItem(k))")


def settle(tab) -> None:
    """Wait until the script finished, every skeleton is gone, every chart is drawn, and the charts
    stopped moving (plotly lays out again after a resize)."""
    tab.locator("[data-testid='stHeading'], h1").first.wait_for(timeout=90_000)
    tab.wait_for_function(DRAWN, timeout=90_000)
    tab.wait_for_function(
        """() => new Promise(done => {
             const shape = () => JSON.stringify([...document.querySelectorAll('.js-plotly-plot, .katex-display')]
               .map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }));
             const before = shape();
             setTimeout(() => done(before === shape()), 400);
           })""", timeout=30_000, polling=100)


def measure(tab, name: str, view: str) -> dict:
    settle(tab)
    found = tab.evaluate(PROBE, {"main": PAGES[name][1]})
    tab.screenshot(path=str(SHOTS / f"{name}_{view}.png"))
    assert tab.locator("[data-testid='stException']").count() == 0, (name, view)
    assert not found["overlaps"], (name, view, found["overlaps"])
    assert not found["clipped"], (name, view, found["clipped"])
    assert not found["cutTitles"], (name, view, found["cutTitles"])
    return found


@pytest.fixture(scope="module")
def offline(browser):
    """A browser context that records every request and refuses any to another host."""
    local = {"127.0.0.1", "localhost"}
    elsewhere: list[str] = []

    def route(r):
        url = r.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in local:
            r.continue_()
        else:
            elsewhere.append(url)
            r.abort()

    context = browser.new_context()
    context.route("**/*", route)
    context.on("request", lambda request: None if urlsplit(request.url).scheme in ("data", "blob")
               or urlsplit(request.url).hostname in local else elsewhere.append(request.url))
    yield context
    context.close()
    assert not elsewhere, sorted(set(elsewhere))


def open_view(context, server: str, name: str, view: str):
    _, _, present = VIEWS[view]
    tab = context.new_page()
    resize(tab, view)
    path = PAGES[name][0]
    tab.goto(f"{server}/{path}{'?present=true' if present else ''}")
    return tab


def resize(tab, view: str) -> None:
    width, height, _ = VIEWS[view]
    tab.set_viewport_size({"width": width, "height": height})


PRESENTING = "() => getComputedStyle(document.documentElement).fontSize === '22px'"  # ui.classroom's CSS


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_is_readable_at_every_standard_view(server, offline, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_view(offline, server, name, "hall")
    found = measure(tab, name, "hall")
    assert found["fontSize"] >= 22, "presentation mode scales the type"
    resize(tab, "projector")
    found = measure(tab, name, "projector")
    assert tab.evaluate(TITLE_UNCOVERED), f"{name}: the page title is covered at the top of the first screen"
    assert not found["smallHeatmapText"], (name, found["smallHeatmapText"])
    main = found["main"]
    assert main is not None, f"{name}: no {PAGES[name][1]}"
    least = PAGES[name][2]
    shown = (main["bottom"] <= found["innerHeight"] if least is None
             else found["innerHeight"] - main["top"] >= least)
    assert 0 <= main["top"] and shown, (name, main, "not in the first screen")
    tab.get_by_test_id("stExpandSidebarButton").click()  # the lecturer reaches for a slider
    sidebar = tab.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Presentation mode").wait_for(timeout=30_000)
    found = measure(tab, name, "projector_sidebar")
    assert not found["smallHeatmapText"], (name, "projector_sidebar", found["smallHeatmapText"])

    sidebar.get_by_text("Presentation mode").click()  # the lecture is over: the page as everyone sees it
    tab.wait_for_function(f"() => !({PRESENTING})()", timeout=90_000)
    resize(tab, "laptop")
    measure(tab, name, "laptop")
    assert sidebar.get_by_text("Device").count() >= 1, "the shared sidebar"
    icons = tab.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icons and all(urlsplit(h).scheme == "data" or urlsplit(h).hostname in ("127.0.0.1", "localhost")
                         for h in icons), icons  # browsers fetch favicons outside the request events
    resize(tab, "phone")
    measure(tab, name, "phone")
    tab.evaluate(FORGET_SIDEBAR)
    tab.close()
