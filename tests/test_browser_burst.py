"""Held-down arrow keys (issue 15): a burst of slider presses never queues runs behind the one in flight.

Streamlit ends the run in flight at its next element when a newer value comes (a training draws its
progress bar ten times a second, so it stops there rather than training on) and starts the run of the
newest value; requests that come meanwhile merge into that one. So a press, then four more while its
training runs, start at most five runs and finish one whole, the last value's. A page that queued its
requests (trainings handed to a queue of background jobs, say) would finish one per press."""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser_fixtures import IDLE, chartless_tab, throttled

pytestmark = pytest.mark.browser

PRESSES = 5


def test_a_held_down_arrow_key_finishes_one_run_the_last_values(server, browser):
    page = chartless_tab(browser, 1440, 900)
    kinds: list[str] = []
    finished: list[int] = []

    def on_frame(payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg.FromString(bytes(payload))
            kinds.append(msg.WhichOneof("type"))
            if kinds[-1] == "script_finished":
                finished.append(msg.script_finished)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    # values no other test trains, on a schedule: no cached result and no kept run answers (ui.kept_runs)
    page.goto(f"{server}/training?epochs.d2l=137&schedule=cosine")
    page.wait_for_function(IDLE, timeout=90_000)
    slider = page.get_by_role("slider", name="Epochs").first
    start = int(slider.input_value())
    kinds.clear()
    finished.clear()
    slider.focus()
    with throttled(server, running=0.1):  # a training of a second and more: the presses land while it trains
        page.keyboard.press("ArrowLeft")
        page.locator("[data-testid=stProgress]").first.wait_for(timeout=30_000)  # the first value's training
        for _ in range(PRESSES - 1):
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(30)
        page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=60_000)
    assert start == 137 and int(slider.input_value()) == start - PRESSES
    started = kinds.count("new_session")  # every run starts with one
    assert 1 <= started <= PRESSES, kinds
    assert finished.count(ForwardMsg.FINISHED_SUCCESSFULLY) == 1, finished  # the others ended for a newer value
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
