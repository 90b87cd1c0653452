"""Heavy results (trainings, sweeps) computed once for all visitors, with a progress bar.

A result already in the shared cache shows nothing; a missing one shows a progress bar,
the queue while it waits for a training slot, or that another visitor is computing the
same result. The bar's placeholder is there either way, so the page's layout does not
shift between a hit and a miss.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from core.cache import MISSING
from ui.limits import heavy_work_slots, results_cache

T = TypeVar("T")

# A training reports its progress up to 50 times; each report is a message to the browser and a redraw of
# the bar. A default Training run sent 40 of them in 0.2 s, on top of its charts. At most 10 a second.
PROGRESS_EVERY_S = 0.1


def throttled(report: Callable[[float], None], every_s: float = PROGRESS_EVERY_S,
              clock: Callable[[], float] = time.monotonic) -> Callable[[float], None]:
    """report, passed on at most once per every_s (the first call waits every_s from now): a run shorter
    than that shows no progress but its bar, a long one a bar that moves 1/every_s times a second."""
    last = clock()

    def maybe(done: float) -> None:
        nonlocal last
        now = clock()
        if now - last >= every_s:
            last = now
            report(done)

    return maybe


def training_key(configs) -> tuple:
    """The results cache's key of configs trained together in one program: the pages that train them, and
    the Sweep, which puts there the chosen cell's training kept from its grid's run, name it alike."""
    return ("train", tuple(configs))


def cached_heavy(key: Hashable, label: str, compute: Callable[[Callable[[float], None]], T],
                 ready: Callable[[], T | None] | None = None) -> T:
    """compute(on_progress) in a training slot, once per key for every visitor; key must hold
    everything the result depends on. The result is shared and read-only. `ready`, if given, may give
    the result without training (a kept sweep's answer: ui.kept_sweeps), taken like a cache hit."""
    cache, placeholder = results_cache(), st.empty()
    found = cache.get(key)
    if found is not MISSING:
        return found
    quick = ready() if ready is not None else None
    if quick is not None:
        return cache.put(key, quick)

    def run() -> T:
        bar = placeholder.progress(0.0, text=label)
        with heavy_work_slots().hold(lambda message: bar.progress(0.0, text=message)):
            bar.progress(0.0, text=label)
            return compute(throttled(lambda done: bar.progress(done, text=f"{label} {done:.0%}")))

    def waiting() -> None:
        placeholder.progress(0.0, text=f"{label} (another visitor asked for the same; waiting for it)")

    try:
        return cache.get_or_compute(key, run, on_wait=waiting)
    finally:
        placeholder.empty()
