"""Bind a page's declared fields to a store in the session and to the link (st.query_params).

Three rules, each the fix of a defect that lost visitors' settings:

- Session keys are scoped by page ("sweep:epochs"); link keys stay short ("epochs"). Pages
  run in one session under st.navigation, and two pages declaring `lr` must not share it.
- Values live in a store that no widget owns (st.session_state[STORE]). Streamlit deletes a
  widget's state in a run that does not draw it (an optimizer's option while another
  optimizer is chosen, every widget of another page), so widgets only write into the store
  (ui/widgets.py) and are given the stored value again before they are drawn. Switching
  away and back keeps a value, and the link always equals what the widgets show.
- The link is read when it changes from outside (a fresh visit, a page link, the back
  button), and is otherwise written from the store. A bad value, or a key the page does not
  have, gives a notice that stays on the page until dismissed or the link changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.schema import Field, read_link, refusal_notice, to_query, unknown_notice

STORE = "_values"  # session key: {scoped key: value} for every page
WRITTEN = "_link"  # session key: each link key's value as this session last wrote (or read) it
NOTICES = "_notices"  # session key: {scope: [markdown]} until dismissed or the link changes
SHARED = "_shared_keys"  # session key: link keys every page carries (the device, the classroom controls)
SHARED_SCOPES = "_shared_scopes"  # session key: the scopes of those keys, whose notices every page shows
PAGE = "_page"  # session key: the page scope bound last


def _session(name: str, empty: Any) -> Any:
    if name not in st.session_state:
        st.session_state[name] = empty
    return st.session_state[name]


def value(scope: str, key: str, default: Any = None) -> Any:
    """A stored value from anywhere (e.g. the shared sidebar's device), without its PageState."""
    return _session(STORE, {}).get(f"{scope}:{key}", default)


def _dismiss() -> None:
    st.session_state[NOTICES] = {}


@dataclass
class PageState:
    """One page's (or the shared sidebar's) fields, bound for one run: use `with bind(...) as s`."""

    scope: str
    fields: dict[str, Field]
    shared: bool = False
    linked: set[str] = field(default_factory=set)  # keys this run took from the link
    _area: Any = None  # where the notices go, at the top of the page

    def key(self, name: str) -> str:
        return f"{self.scope}:{name}"

    def field(self, name: str) -> Field:
        return self.fields[name]

    def __getitem__(self, name: str) -> Any:
        return _session(STORE, {})[self.key(name)]

    def put(self, name: str, new: Any) -> None:
        """Store a value (before its widget is drawn in this run: the widget is then given it)."""
        _session(STORE, {})[self.key(name)] = list(new) if isinstance(new, tuple) else new

    def note(self, text: str) -> None:
        """A notice shown at the top of the page until dismissed or the link changes."""
        _session(NOTICES, {}).setdefault(self.scope, []).append(text)

    def values(self) -> dict[str, Any]:
        return {name: self[name] for name in self.fields}

    def sync(self) -> None:
        """After the widgets: write the view into the link (write_link), then show the notices."""
        self.write_link()
        if self._area is not None:
            self._show_notices()

    def write_link(self) -> None:
        """Write the non-default values into the link and drop the keys the page does not own, so
        the link is this view. A part that reruns alone (rerun_alone) calls it too: the page's
        `with bind(...)` does not run then."""
        wanted = to_query(tuple(self.fields.values()), self.values())
        params = st.query_params
        owned = set(self.fields) | _session(SHARED, set())
        for key in list(params.to_dict()):  # a shared scope drops only its own defaults
            if (key not in owned and not self.shared) or (key in self.fields and key not in wanted):
                del params[key]
        for key, text in wanted.items():
            if params.get(key) != text:
                params[key] = text
        written, now = _session(WRITTEN, {}), params.to_dict()
        for key in self.fields if self.shared else set(written) | set(now):  # a page writes the whole link
            if key in now:
                written[key] = now[key]
            else:
                written.pop(key, None)

    def _show_notices(self) -> None:
        notices = _session(NOTICES, {})
        shown = [text for scope, texts in notices.items() for text in texts
                 if scope == self.scope or scope in _session(SHARED_SCOPES, set())]
        with self._area:
            for text in shown:
                st.warning(text, icon="⚠️")
            if shown:
                st.button("Dismiss", key=f"{self.scope}:_dismiss", on_click=_dismiss,
                          help="These notices are about the link this page was opened with.")

    def __enter__(self) -> PageState:
        return self

    def __exit__(self, *exc) -> None:
        self.sync()  # also when the page stops early: the link and the notices stay right


def rerun_alone(draw: Callable[..., None]) -> Callable[..., None]:
    """A part of a page whose controls touch nothing outside it (a question card, a frontier experiment,
    the training page's step-through) as an st.fragment: a control reruns and sends again this part
    alone. draw's first argument is the page's PageState; after drawing, the part writes the view into
    the link, since the page's `with bind(...)` does not run on its own reruns (and the sidebar's share
    link follows the address bar: ui.classroom.KEEP_LINK_JS)."""
    @st.fragment
    @functools.wraps(draw)
    def part(s: PageState, *args, **kwargs) -> None:
        draw(s, *args, **kwargs)
        s.write_link()
    return part


def bind(scope: str, fields: tuple[Field, ...], shared: bool = False) -> PageState:
    """Before the widgets: every field gets a stored value, from the link where it changed.

    A field already stored keeps its value unless the link now says otherwise; a new one
    takes the link's valid value, or a value a test set in the session, or its default.
    `shared` scopes (the sidebar every page shows) own their link keys on every page.
    """
    state = PageState(scope, {f.key: f for f in fields}, shared)
    store, written = _session(STORE, {}), _session(WRITTEN, {})
    params = st.query_params.to_dict()
    changed = {k for k in set(params) | set(written) if params.get(k) != written.get(k)}
    if shared:
        _session(SHARED, set()).update(state.fields)
        _session(SHARED_SCOPES, set()).add(scope)
    elif st.session_state.get(PAGE) != scope:  # another page's notices were about another link
        st.session_state[PAGE] = scope
        notices = _session(NOTICES, {})
        for other in set(notices) - _session(SHARED_SCOPES, set()):
            del notices[other]
    own_changed = changed & set(state.fields)
    unknown = sorted(k for k in changed & set(params) if k not in state.fields and k not in _session(SHARED, set()))
    if own_changed or (unknown and not shared):
        _session(NOTICES, {})[scope] = []  # the notices of an earlier link are out of date
    linked, refused = read_link(fields, {k: params[k] for k in own_changed if k in params})
    for f in fields:
        key = state.key(f.key)
        if f.key in linked:
            state.put(f.key, linked[f.key])
            state.linked.add(f.key)
        elif key not in store:
            state.put(f.key, _adopt(f, key))
        if f.key in refused:
            state.note(refusal_notice(f.key, params[f.key], refused[f.key], state[f.key]))
    if unknown and not shared:
        state.note(unknown_notice(unknown, scope.replace("_", " ")))
    if not shared:
        state._area = st.container()
    return state


def _adopt(f: Field, key: str) -> Any:
    """A value set in the session before the first run (tests do), if the field allows it."""
    if key in st.session_state:
        try:
            return f.check(st.session_state[key])
        except ValueError:
            pass
    return f.default
