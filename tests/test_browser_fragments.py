"""Parts of a page that rerun on their own (st.fragment), in chromium: a question card, a frontier
experiment, the single-step and training pages' step-throughs and the parameter table rerun and send
again themselves alone when one of their controls moves, and the share link in the sidebar, which they
cannot draw, still equals the view (ui.classroom.KEEP_LINK_JS follows the address bar)."""

from __future__ import annotations

import pytest

from core.explain.questions import QUESTIONS
from tests.browser_fixtures import IDLE, chartless_tab

pytestmark = pytest.mark.browser

SHOWN_LINK = "() => document.querySelector('.st-key-share-link code').textContent"
# the root page's address is "http://host/?t=2", its link "http://host?t=2": the same address
ADDRESS = "() => (location.origin + location.pathname + location.search).replace(/\\/(\\?|$)/, '$1')"
CARD = QUESTIONS[0]
PARTS = {  # page: (path, the control's label, the option to choose (a select), text to type (a search box) or
    # None (a slider), its link key)
    "questions": ("questions", CARD.controls[0].label, None, f"{CARD.slug}.{CARD.controls[0].key}"),
    "frontier": ("frontier", "Steps of decay alone", None, "steps"),
    "training": ("training?animate=true", "Weight decay", "3", "anim_run"),  # the step-through's run
    "parameters": ("parameters", "Search parameter names", "typed:layer4", "search"),  # the table's search
    "single_step": ("", "Step t", None, "t"),  # the step-through's step
}
# the most of a whole run's messages a part's rerun may send: the parameter table is most of its page (43 -> 28
# measured), a question card or the step-through a small part of theirs
MOST = {"parameters": 0.8}


def move(page, label: str, option: str | None) -> None:
    if option is not None and option.startswith("typed:"):
        box = page.get_by_role("textbox", name=label)
        box.fill(option.removeprefix("typed:"))
        box.press("Enter")
    elif option is None:
        page.get_by_role("slider", name=label).first.focus()
        page.keyboard.press("ArrowRight")
    else:
        box = page.locator(f"input[role=combobox][aria-label='{label}']")
        box.scroll_into_view_if_needed()  # a click while the page scrolls to it leaves the list closed
        box.click()
        page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.parametrize("name", list(PARTS))
def test_a_part_reruns_alone_and_the_share_link_follows_it(server, browser, name):
    path, label, option, key = PARTS[name]
    page = chartless_tab(browser, 1440, 900)
    frames: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(1)))
    page.goto(f"{server}/{path}")
    page.wait_for_function(IDLE, timeout=90_000)
    page.wait_for_timeout(1000)
    assert page.evaluate(SHOWN_LINK) == page.evaluate(ADDRESS)  # a full run draws the link itself
    full_run = len(frames)
    frames.clear()

    move(page, label, option)
    page.wait_for_function(f"() => new URLSearchParams(location.search).has({key!r})", timeout=30_000)
    page.wait_for_function(IDLE, timeout=30_000)
    page.wait_for_function(f"() => ({SHOWN_LINK})() === ({ADDRESS})()", timeout=10_000)
    assert f"{key}=" in page.evaluate(SHOWN_LINK)
    # the part alone came back: a run of the whole page is more messages (several times as many for most parts)
    assert 0 < len(frames) < full_run * MOST.get(name, 1 / 3), (len(frames), full_run)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
