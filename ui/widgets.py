"""Widgets drawn from their Field: label, bounds, step, format, choices and help come from the
one declaration, so no page types them again.

Each helper gives the widget the stored value before drawing it (ui/state.py: Streamlit
drops the state of a widget it did not draw), and the widget writes a visitor's change back
into the store through on_change. A page may narrow a widget at run time (the epochs the
cost budget allows, the runs that were trained): the stored value is moved inside the
narrowed range first, so every state a widget can reach is one the page runs. Where a value
from the link had to move, a notice says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import streamlit as st

from core.schema import Field, as_text
from core.text import literal
from ui.state import PageState


def _format(f: Field) -> str | None:
    """A float slider shows as many decimals as its step has (at least two)."""
    if f.format is not None or isinstance(f.default, int) or f.step is None:
        return f.format
    return f"%.{max(2, -Decimal(str(f.step)).as_tuple().exponent)}f"


def _moved(s: PageState, name: str, shown: Any, why: str) -> None:
    """Store a value the widget could not show; tell the visitor when it came from the link."""
    if name in s.linked:
        s.note(f"Moved {literal(f'{name}={as_text(s[name])}', 60)} from the link to {literal(as_text(shown), 60)}: "
               f"{why}.")
    s.put(name, shown)


def _draw(s: PageState, key: str, shown: Any, draw: Callable, commit: Callable[[Any], None]) -> Any:
    """Give the widget the stored value, draw it, and commit a visitor's change to the store."""
    st.session_state[key] = shown  # always: a widget whose bounds changed is a new widget, reset to its minimum
    return draw(key=key, on_change=_changed, args=(key, commit))


def _changed(key: str, commit: Callable[[Any], None]) -> None:
    commit(st.session_state[key])


def _keep(s: PageState, name: str) -> Callable[[Any], None]:
    """Commit a widget's value as its link would carry it (0.30000000000000004 is 0.3); a value
    the field refuses is not stored, and the widget is given the stored one back."""
    def commit(new: Any) -> None:
        try:
            s.put(name, s.field(name).check(new))
        except ValueError:
            pass
    return commit


def _bounds(f: Field, low: float | None, high: float | None) -> tuple[float, float]:
    return (f.low if low is None else low), (f.high if high is None else high)


def _clamped(s: PageState, name: str, low: float, high: float) -> Any:
    current = s[name]
    shown = type(current)(min(max(current, low), high))
    if shown != current:
        _moved(s, name, shown, f"this view allows {low:g} to {high:g}")
    return shown


def slider(s: PageState, name: str, where=None, *, low: float | None = None, high: float | None = None, **kw) -> Any:
    """A slider on the field's range, or on [low, high] inside it where the page narrows it."""
    f = s.field(name)
    low, high = _bounds(f, low, high)
    shown = _clamped(s, name, low, high)
    draw = (where or st.sidebar).slider
    kw = {"step": f.step, "format": _format(f), "help": f.help, **kw}
    return _draw(s, s.key(name), shown, lambda **k: draw(f.label, low, high, **kw, **k), _keep(s, name))


def number(s: PageState, name: str, where=None, **kw) -> Any:
    """A number input on the field's range (a seed, say, too long a range for a slider)."""
    f = s.field(name)
    shown = _clamped(s, name, f.low, f.high)
    draw = (where or st.sidebar).number_input
    kw = {"step": f.step, "help": f.help, **kw}
    return _draw(s, s.key(name), shown, lambda **k: draw(f.label, f.low, f.high, **kw, **k),
                 _keep(s, name))


def range_slider(s: PageState, lo: str, hi: str, where=None, **kw) -> tuple[float, float]:
    """One two-handled slider for a from/to pair of fields (two link keys): the handles cannot
    cross, and where they meet they are moved one step apart, so the range is never empty."""
    f = s.field(lo)
    a, b = s[lo], s[hi]
    if a > b:
        a, b = b, a
    if a == b:
        a, b = _apart(f, a)
    if (a, b) != (s[lo], s[hi]):
        for name, new in ((lo, a), (hi, b)):
            _moved(s, name, new, f"{lo} must lie below {hi}")

    def commit(new: Sequence[float]) -> None:
        low, high = new if new[0] != new[1] else _apart(f, new[0])
        _keep(s, lo)(low)
        _keep(s, hi)(high)

    draw = (where or st.sidebar).slider
    kw = {"step": f.step, "format": _format(f), "help": f.help, **kw}
    return tuple(_draw(s, s.key(f"{lo}..{hi}"), (a, b), lambda **k: draw(f.label, f.low, f.high, **kw, **k), commit))


def _apart(f: Field, at: float) -> tuple[float, float]:
    return (at, at + f.step) if at + f.step <= f.high else (at - f.step, at)


def _choice(s: PageState, name: str, options: Sequence | None) -> tuple[list, Any]:
    """The options shown and the stored value among them (the nearest one, or the first)."""
    options = list(s.field(name).choices if options is None else options)
    current = s[name]
    if current in options:
        return options, current
    numeric = all(isinstance(o, (int, float)) for o in [*options, current])
    shown = min(options, key=lambda o: abs(o - current)) if numeric else options[0]
    _moved(s, name, shown, "this view does not offer it")
    return options, shown


def select(s: PageState, name: str, where=None, *, options: Sequence | None = None, kind: str = "selectbox",
           **kw) -> Any:
    """A selectbox (or kind="radio" / "select_slider") over the field's choices, or over
    `options` where the page narrows them."""
    f = s.field(name)
    options, shown = _choice(s, name, options)
    draw = getattr(where or st.sidebar, kind)
    kw = {"help": f.help, **kw}
    return _draw(s, s.key(name), shown, lambda **k: draw(f.label, options, **kw, **k), _keep(s, name))


def multiselect(s: PageState, name: str, where=None, **kw) -> list:
    """A multiselect over the field's choices. Removing the last of min_len items is undone
    (the field refuses it), since the page cannot run with fewer."""
    f = s.field(name)
    shown = [v for v in s[name] if v in f.choices]
    if len(shown) < f.min_len:
        shown = list(f.default)
    if shown != s[name]:
        _moved(s, name, shown, f"this view needs at least {f.min_len}")

    draw = (where or st.sidebar).multiselect
    kw = {"help": f.help or (f"At least {f.min_len}." if f.min_len else None), **kw}
    return _draw(s, s.key(name), shown, lambda **k: draw(f.label, list(f.choices), **kw, **k), _keep(s, name))


def checkbox(s: PageState, name: str, where=None, *, kind: str = "checkbox", disabled: bool = False, **kw) -> bool:
    """A checkbox (or kind="toggle"). A disabled one is off: the other controls rule it out."""
    f = s.field(name)
    shown = s[name] and not disabled
    if shown != s[name]:
        _moved(s, name, shown, "the other controls rule it out")
    draw = getattr(where or st.sidebar, kind)
    kw = {"help": f.help, **kw}
    return _draw(s, s.key(name), shown, lambda **k: draw(f.label, disabled=disabled, **kw, **k),
                 _keep(s, name))


def toggle(s: PageState, name: str, where=None, **kw) -> bool:
    return checkbox(s, name, where, kind="toggle", **kw)


def text(s: PageState, name: str, where=None, **kw) -> str:
    """A text input holding at most the field's max_len characters."""
    f = s.field(name)
    draw = (where or st.sidebar).text_input
    kw = {"max_chars": f.max_len, "help": f.help, **kw}
    return _draw(s, s.key(name), s[name], lambda **k: draw(f.label, **kw, **k), _keep(s, name))


def control(s: PageState, name: str, where=None, **kw) -> Any:
    """The field's natural widget: a selectbox for choices, a checkbox for a bool, else a slider
    (for a registry's fields, such as a task's own options, that a page draws generically)."""
    f = s.field(name)
    if f.choices is not None:
        return select(s, name, where, **kw)
    return checkbox(s, name, where, **kw) if isinstance(f.default, bool) else slider(s, name, where, **kw)
