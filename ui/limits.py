"""A process-wide cap on concurrent trainings: with many visitors retraining at once, the
sessions share one interpreter, so letting all of them compute together only makes every
one slow. Extra requests wait their turn (their progress bar stays at 0) instead."""

from __future__ import annotations

import threading

import streamlit as st

HEAVY_SLOTS = 2  # one per core on the 2-core demo machine


@st.cache_resource(show_spinner=False)
def heavy_work_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(HEAVY_SLOTS)
