"""Heavy results (trainings, sweeps) computed once for all visitors, with a progress bar.

A result already in the shared cache shows nothing; a missing one shows a progress bar,
the queue while it waits for a training slot, or that another visitor is computing the
same result. The bar's placeholder is there either way, so the page's layout does not
shift between a hit and a miss.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from core.cache import MISSING
from ui.limits import heavy_work_slots, results_cache

T = TypeVar("T")


def cached_heavy(key: Hashable, label: str, compute: Callable[[Callable[[float], None]], T]) -> T:
    """compute(on_progress) in a training slot, once per key for every visitor; key must hold
    everything the result depends on. The result is shared and read-only."""
    cache, placeholder = results_cache(), st.empty()
    found = cache.get(key)
    if found is not MISSING:
        return found

    def run() -> T:
        bar = placeholder.progress(0.0, text=label)
        with heavy_work_slots().hold(lambda message: bar.progress(0.0, text=message)):
            bar.progress(0.0, text=label)
            return compute(lambda done: bar.progress(done, text=f"{label} {done:.0%}"))

    def waiting() -> None:
        placeholder.progress(0.0, text=f"{label} (another visitor asked for the same; waiting for it)")

    try:
        return cache.get_or_compute(key, run, on_wait=waiting)
    finally:
        placeholder.empty()
