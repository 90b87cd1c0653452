"""ui.heavy: a long computation's progress reaches the browser at most ten times a second."""

from __future__ import annotations

from ui.heavy import PROGRESS_EVERY_S, throttled


def test_progress_is_passed_on_at_most_once_per_period():
    """A default Training run reported its progress 40 times in 0.2 s, each a message and a redraw."""
    now = [0.0]
    sent = []
    report = throttled(sent.append, clock=lambda: now[0])
    for i in range(50):  # 50 reports over 0.25 s: none in the first period, then one per period
        now[0] = i * 0.005
        report(i / 50)
    assert len(sent) == int(0.245 / PROGRESS_EVERY_S) == 2
    now[0] = 10.0
    report(1.0)  # a long run keeps moving its bar
    assert sent[-1] == 1.0
