"""The "try this" buttons of a lab page and the sentence of the preset it shows.

A click resets the page's fields to their defaults and sets the preset's values through the
page's store (ui/state.py), before the page runs again: the widgets are given those values
and the link is written from them, so a shared link reproduces the preset. The presets
themselves, and their sentences, are declared in core/explain/presets.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.explain.presets import Preset, active
from ui.classroom import presenting
from ui.state import PageState


def apply(s: PageState, preset: Preset) -> None:
    """Every field to its default, then the preset's values, each checked by its Field."""
    for name, f in s.fields.items():
        s.put(name, f.default)
    for name, value in preset.values:
        s.put(name, s.field(name).check(value))


def offer(s: PageState, presets: tuple[Preset, ...], look_at: str) -> Any:
    """What to look at (a lecturer says it: not in presentation mode), a row of preset buttons, and
    the slot where the active preset's sentence goes."""
    if not presenting():
        st.markdown(look_at)
    shown = active(presets, s.values())
    with st.container(horizontal=True, vertical_alignment="center"):  # wraps on a narrow screen
        st.markdown("**Try this:**", width="content")
        for p in presets:
            st.button(p.label, key=f"{s.scope}:_preset.{p.key}", on_click=apply, args=(s, p), help=p.help or None,
                      type="primary" if p is shown else "secondary")
    return st.empty()


def explain(s: PageState, presets: tuple[Preset, ...], slot: Any, *result: Any) -> Preset | None:
    """In the slot: the sentence of the preset whose values the page shows, computed from its result."""
    p = active(presets, s.values())
    if p is not None:
        slot.info(f"**{p.label}.** {p.notice(*result)}")  # no emoji icon: the app's offline fonts have none
    return p
