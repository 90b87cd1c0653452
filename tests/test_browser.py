"""The real page in a real browser: Debian's chromium driven by Playwright against a live
`streamlit run app.py` (tests/browser_fixtures.py). AppTest cannot prove that plotly draws or that
the slider is wired to the chart in the browser; this does. Screenshots go to artifacts/ to be
looked at. Every page at every standard view, offline, is tests/test_readability.py; every page
reached from every other, tests/test_browser_navigation.py."""

from __future__ import annotations

import pytest

from tests.browser_fixtures import ARTIFACTS, chartless_tab, throttled

pytestmark = pytest.mark.browser


def heatmap_texts(page, index: int) -> list[str]:
    """The numbers in the index-th matrix (core.figures.matrix_table), row by row."""
    return page.locator(".wd-matrix").nth(index).locator("td").all_text_contents()


def test_single_step_page_renders_and_the_slider_moves_the_heatmap(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 3200})
    page.goto(server)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)  # the change split and the norm curve
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2"
                           " && document.querySelectorAll('.wd-matrix').length >= 7", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    before = heatmap_texts(page, 4)  # "W after, weight_decay = 1"
    # the seed's printed row (0.2050 -0.1360 0.1686 0.4745 -0.0254) at the heatmap's 3 significant digits
    assert before[:5] == ["0.205", "-0.136", "0.169", "0.475", "-0.0254"]
    # the tables' style (core.figures.matrix_table.STYLE, sent once by ui.classroom) reached the page
    assert page.locator(".wd-matrix td").first.evaluate("td => getComputedStyle(td).fontVariantNumeric") \
        == "tabular-nums"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "single_step.png"), full_page=True)
    # the charts are marked: a chart updated in place keeps its element (ui.live_chart), one drawn anew does not
    names = "[...document.querySelectorAll('.js-plotly-plot')].flatMap(p => (p.data || []).map(t => t.name))"
    assert "weight_decay = 1" in page.evaluate(f"() => {names}")
    page.evaluate("() => document.querySelectorAll('.js-plotly-plot').forEach(p => { p.wdMarked = true; })")
    slider = page.get_by_role("slider", name="Weight decay wd")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(before) => { const m = document.querySelectorAll('.wd-matrix')[4];"
        " return m && [...m.querySelectorAll('td')].map(t => t.textContent).slice(0, 5).join() !== before; }",
        arg=",".join(before[:5]), timeout=30_000,
    )
    after = heatmap_texts(page, 4)
    assert after[:5] != before[:5]
    page.wait_for_function(f"() => !{names}.includes('weight_decay = 1')", timeout=30_000)  # the norm curve's
    assert page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.wdMarked === true)") \
        == [True, True]
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "single_step_after_slider.png"), full_page=True)
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
    page = chartless_tab(browser, 1600, 1600)
    page.goto(f"{server}/parameters?regex=true&search={quote(pattern)}")
    alert = page.locator("[data-testid='stAlert']").filter(has_text="Invalid regular expression")
    alert.wait_for(timeout=60_000)
    assert alert.locator("a, img").count() == 0
    assert pattern in alert.inner_text().replace("\u2060", "")  # as typed, once the invisible joiners are gone
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_a_long_training_run_grows_as_it_trains_and_stops_when_stopped(server, browser):
    """Issue 15: a run that takes a while is drawn while it trains (the live chart's step climbs), and Stop
    ends it where it got to, without training again. A seed of its own: no other test has trained this view, and
    the first visit, which loads plotly, trains another seed: a kept run of this seed's default epochs would answer
    the first half of the long run from memory (its first frame came past step 250 of 450, and on a CI machine the
    run ended before the click)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{server}/training?task=toy&seed.toy=12")  # the toy page's script, before its run: plotly loaded
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    # A machine ten times slower: the run takes ~20 s. At five times (~6 s) its first frame reached the
    # browser past half way, and on one CI machine the run ended between the step climbing and the click.
    with throttled(server, running=0.1):
        page.goto(f"{server}/training?task=toy&epochs.toy=450&seed.toy=11")
        stop = page.get_by_role("button", name="Stop training")
        stop.wait_for(timeout=90_000)
        watch_and_stop(page, stop)
    page.close()


def watch_and_stop(page, stop) -> None:
    title = page.locator(".js-plotly-plot .gtitle").filter(has_text="Training: step")

    def step() -> int:
        return int(title.first.text_content().split("step ")[1].split(" of")[0])

    first = step()
    page.wait_for_function("(first) => { const t = [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
                           ".find(e => e.textContent.startsWith('Training: step'));"
                           " return t && parseInt(t.textContent.split('step ')[1]) > first; }", arg=first,
                           timeout=30_000)
    assert step() > first  # the curve grew while the run went on
    stop.click()
    note = page.get_by_text("Stopped at step")
    note.wait_for(timeout=30_000)
    stopped_at, total = (int(n) for n in note.text_content().split("step ")[1].split(":")[0].split(" of "))
    assert first < stopped_at < total  # where it got to, short of the end
    page.wait_for_timeout(1500)
    assert "Stopped at step" in page.get_by_text("Stopped at step").text_content()
    assert page.locator(".js-plotly-plot .gtitle").filter(has_text="Weight norm per layer").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
