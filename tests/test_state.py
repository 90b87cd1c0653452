"""Links bound to pages (ui/state.py): every page's fields hold a link to exactly what its
widgets allow, and a bad link value, of any kind or length, gives a literal notice and
never a traceback (issue 11, points 3, 5 and 6)."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from core import optim
from tests.page_helpers import ROOT, open_page, page_fields
from tests.test_schema import check_property
from tests.test_text import outside_code_spans
from ui.classroom import FIELDS as CLASSROOM
from ui.device import DEVICE

PAGES = ("single_step", "training", "sweep", "theory", "questions", "parameters")
KINDS = ("slider", "select_slider", "number_input", "selectbox", "multiselect", "checkbox", "toggle", "text_input")
# Widgets whose range the page narrows at run time (to the steps run, the grid, the runs and
# tensors trained) and clamps the session value into: their field declares the widest range.
NARROWED = {"t", "cell_lr", "cell_wd", "anim_run", "anim_tensor"}
BAD_WHOLE = ("inf", "-inf", "Infinity", "1e309", "nan", "3.5")


@functools.cache
def fields_of(page: str) -> tuple:
    """The fields bound when page runs: its own, the device picker's and the classroom controls'."""
    return (*page_fields(page), *DEVICE, *CLASSROOM)


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=60, deadline=None)
@given(data=hst.data())
def test_no_link_value_raises_or_escapes_a_pages_bounds(page, data):
    check_property(fields_of(page), data)


def keyed_widgets(at) -> dict:
    return {w.key: w for kind in KINDS for w in at.get(kind) if getattr(w, "key", None)}


def _formatted(w, values) -> list[str]:
    shown = []
    for v in values:
        try:
            shown.append(w.format_func(v))
        except (IndexError, KeyError):
            pass
    return shown


def assert_same_bounds(field, w) -> None:
    narrowed = field.key in NARROWED
    if w.type in ("slider", "number_input"):
        low, high = (w.min, w.max)
        if narrowed:
            assert field.low <= low <= high <= field.high, (field, low, high)
        else:
            assert (low, high) == (field.low, field.high), (field, low, high)
        if w.type == "slider":  # a number input takes typed values between its steps; a slider does not
            assert w.step == pytest.approx(field.step if field.step is not None else 1), (field, w.step)
            assert isinstance(field.default, int) or field.step is not None, field
    elif w.type in ("selectbox", "select_slider", "multiselect"):
        values = field.choices if field.choices is not None else range(field.low, field.high + 1)
        if narrowed:  # the page's format_func knows only today's range: the options are among those it formats
            assert set(w.options) <= set(_formatted(w, values)), (field, w.options)
        else:
            assert list(w.options) == [w.format_func(v) for v in values], (field, w.options)
        if w.type == "multiselect":
            assert isinstance(field.default, tuple) and field.max_len in (None, len(field.choices))
    elif w.type in ("checkbox", "toggle"):
        assert isinstance(field.default, bool), field
    else:
        assert (w.max_chars or None) == field.max_len, (field, w.max_chars)


VIEWS = [("single_step", {"optimizer": key}) for key in optim.OPTIMIZERS] + [
    ("training", {}), ("training", {"task": "toy"}), ("sweep", {}), ("theory", {}), ("questions", {}),
    ("parameters", {})]


@pytest.mark.parametrize("page,query", VIEWS, ids=[f"{p}-{'-'.join(q.values())}" for p, q in VIEWS])
def test_every_widget_and_its_field_declare_the_same_bounds(page, query):
    """What a link may set is what the widget could: same range, step and choices."""
    at = open_page(page, query)
    assert not at.exception, [e.value for e in at.exception]
    fields = {f.key: f for f in fields_of(page)}
    shown = keyed_widgets(at)
    assert shown
    for key, w in shown.items():
        assert key in fields, f"{page}: widget {key} has no field"
        assert_same_bounds(fields[key], w)


@pytest.mark.parametrize("page", ["single_step", "training", "sweep", "theory", "questions"])
def test_inf_and_nan_in_every_whole_number_field_give_notices_not_a_traceback(page):
    whole = [f for f in page_fields(page) if type(f.default) is int]
    assert whole
    at = open_page(page, {f.key: BAD_WHOLE[i % len(BAD_WHOLE)] for i, f in enumerate(whole)})
    assert not at.exception, [e.value for e in at.exception]
    assert {f.key: at.session_state[f.key] for f in whole} == {f.key: f.default for f in whole}
    assert len(at.toast) == len(whole)


def test_a_links_markdown_and_length_are_shown_literally_in_its_notices():
    at = open_page("single_step", {"lr": "[x](http://evil)", "optimizer": "![i](http://evil/i.png)",
                                   "loss": "y" * 5000, "seed": "[re-login](http://evil)"})
    assert not at.exception
    notices = [t.value for t in at.toast]
    assert len(notices) == 4
    for notice in notices:
        assert notice.startswith("Ignored `") and "from the link" in notice and len(notice) < 300, notice
        assert "](" not in outside_code_spans(notice), notice
    assert any("`lr=[x](http://evil)`" in n for n in notices)
    assert any("`optimizer=![i](http://evil/i.png)`" in n for n in notices)
    assert any("5,000 characters long" in n and "y" * 40 + "…`" in n for n in notices)


def test_the_share_link_repeats_only_declared_keys():
    at = open_page("theory", {"junk": "z" * 5000, "lr": "0.2"})
    assert not at.exception
    link = at.sidebar.code[-1].value
    assert "lr=0.2" in link and "junk" not in link and "zzz" not in link


def test_the_readme_states_the_search_limit_as_declared():
    readme = " ".join((ROOT / "README.md").read_text().split())
    search = next(f for f in page_fields("questions") if f.key == "q")
    assert f"question search <= {search.max_len} characters" in readme
