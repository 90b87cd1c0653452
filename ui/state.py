"""Bind a page's declared fields to st.session_state and to the link (st.query_params)."""

from __future__ import annotations

import streamlit as st

from core.schema import Field, from_query, to_query

LINK_KEYS = "_link_keys"  # session key: every field bound so far, so the share link leaves out unknown keys


def bind(fields: tuple[Field, ...]) -> None:
    """Before the widgets: give every field a session value, from the link when valid.

    Widgets then take `key=field.key` and no `value=`, so the schema is the one place
    defaults live. A bad link value falls back to the default with a notice, whose markdown
    shows the link's text literally (core.schema.from_query).
    """
    values, notices = from_query(fields, st.query_params.to_dict())
    st.session_state.setdefault(LINK_KEYS, set()).update(f.key for f in fields)
    for f in fields:
        if f.key not in st.session_state:
            value = values[f.key]
            st.session_state[f.key] = list(value) if isinstance(value, tuple) else value  # multiselects want lists
    for notice in notices:
        st.toast(notice, icon="⚠️")


def sync_query(fields: tuple[Field, ...]) -> None:
    """After the widgets: write the non-default values back, so the URL is a shareable view."""
    current = {f.key: st.session_state[f.key] for f in fields if f.key in st.session_state}
    wanted = to_query(fields, current)
    for key in current:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


def link_values() -> dict[str, str]:
    """The link's values for declared fields only: a key no page declares (of any length) is
    not echoed back into the share link."""
    known = st.session_state.get(LINK_KEYS, set())
    return {key: value for key, value in st.query_params.to_dict().items() if key in known}
