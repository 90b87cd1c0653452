"""Process-wide limits shared by every visitor's session, each stated once here.

Training slots: with many visitors retraining at once, the sessions share one interpreter,
so letting all of them compute together only makes every one slow. Extra requests wait
their turn, and are told so (core.slots), instead.

Results cache: trained curves and grids are kept for every visitor to reuse, bounded by
the bytes they hold (core.cache), not by a count of entries. Kept trainings (their weights and
the rules' state, to answer for other epoch counts: ui.kept_runs) are bounded the same way.
"""

from __future__ import annotations

import streamlit as st

from core.cache import ByteLRU
from core.slots import Slots

HEAVY_SLOTS = 2  # one per core on the 2-core demo machine
RESULTS_CACHE_BYTES = 256 * 2**20  # all trained results kept, for all visitors together
KEPT_RUNS_BYTES = 64 * 2**20  # trainings kept to answer other epoch counts (ui.kept_runs): a 24x24x3 sweep ~15 MB


@st.cache_resource(show_spinner=False)
def heavy_work_slots() -> Slots:
    return Slots(HEAVY_SLOTS)


@st.cache_resource(show_spinner=False)
def results_cache() -> ByteLRU:
    return ByteLRU(RESULTS_CACHE_BYTES)


@st.cache_resource(show_spinner=False)
def kept_runs() -> ByteLRU:
    return ByteLRU(KEPT_RUNS_BYTES, size=lambda run: run.nbytes())
