"""Links and session state bound to pages (ui/state.py): every page's fields hold a link to
exactly what its widgets allow; a bad link value, of any kind or length, gives a literal
notice that stays until dismissed and never a traceback; session keys are scoped by page,
so no page's values leak into another's view or link (issue 13, bugs 1 to 3)."""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from core import optim
from core.schema import LISTED_KEYS
from tests.page_helpers import ROOT, notices, open_page, page_fields, page_path, shared_link
from tests.test_schema import check_property
from tests.test_text import outside_code_spans
from ui.classroom import FIELDS as CLASSROOM
from ui.device import device_fields

PAGES = ("single_step", "training", "sweep", "theory", "questions", "parameters", "frontier")
KINDS = ("slider", "select_slider", "number_input", "selectbox", "multiselect", "checkbox", "toggle", "text_input",
         "radio")
# Widgets whose range the page narrows at run time (to the steps run, the grid, the runs and
# tensors trained, the device's dtypes, the epochs the cost budget allows) and moves the stored
# value into: their field declares the widest range.
NARROWED = {"t", "cell_lr", "cell_wd", "anim_run", "anim_tensor", "dtype", "epochs", "sweep_epochs"}
BAD_WHOLE = ("inf", "-inf", "Infinity", "1e309", "nan", "3.5")
SHARED = {f.key for f in (*device_fields(), *CLASSROOM)}


@functools.cache
def fields_of(page: str) -> tuple:
    """The fields bound when page runs: its own, the device picker's and the classroom controls'."""
    return (*page_fields(page), *device_fields(), *CLASSROOM)


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=60, deadline=None)
@given(data=hst.data())
def test_no_link_value_raises_or_escapes_a_pages_bounds(page, data):
    check_property(fields_of(page), data)


@pytest.mark.parametrize("page", PAGES)
def test_every_default_is_a_value_its_own_link_accepts(page):
    for f in fields_of(page):
        assert f.check(f.default) == (list(f.default) if isinstance(f.default, tuple) else f.default), f


def keyed_widgets(at) -> dict:
    return {w.key: w for kind in KINDS for w in at.get(kind) if getattr(w, "key", None)}


def field_names(key: str) -> list[str]:
    """The fields behind a widget key: "page:name", or "page:lo..hi" for a range slider."""
    return key.split(":", 1)[1].split("..")


def _formatted(w, values) -> list[str]:
    shown = []
    for v in values:
        try:
            shown.append(w.format_func(v))
        except (IndexError, KeyError):
            pass
    return shown


def assert_same_bounds(field, w) -> None:
    narrowed = field.key.split(".")[0] in NARROWED
    if w.type in ("slider", "number_input"):
        low, high = (w.min, w.max)
        if narrowed:
            assert field.low <= low <= high <= field.high, (field, low, high)
        else:
            assert (low, high) == (field.low, field.high), (field, low, high)
        if w.type == "slider":  # a number input takes typed values between its steps; a slider does not
            assert w.step == pytest.approx(field.step if field.step is not None else 1), (field, w.step)
            assert isinstance(field.default, int) or field.step is not None, field
        assert w.label == field.label
    elif w.type in ("selectbox", "select_slider", "multiselect", "radio"):
        if narrowed:  # the page's format_func knows only today's range: the options are among those it formats
            assert set(w.options) <= set(_formatted(w, field.choices)), (field, w.options)
        else:
            assert list(w.options) == [w.format_func(v) for v in field.choices], (field, w.options)
        if w.type == "multiselect":
            assert isinstance(field.default, tuple) and field.max_len in (None, len(field.choices))
    elif w.type in ("checkbox", "toggle"):
        assert isinstance(field.default, bool), field
    else:
        assert (w.max_chars or None) == field.max_len, (field, w.max_chars)


VIEWS = [("single_step", {"optimizer": key}) for key in optim.OPTIMIZERS] + [
    ("training", {}), ("training", {"task": "toy"}), ("sweep", {}), ("theory", {}), ("questions", {}),
    ("parameters", {}), ("frontier", {})]


@pytest.mark.parametrize("page,query", VIEWS, ids=[f"{p}-{'-'.join(q.values())}" for p, q in VIEWS])
def test_every_widget_and_its_field_declare_the_same_bounds(page, query):
    """What a link may set is what the widget could: same range, step, choices and label."""
    at = open_page(page, query)
    assert not at.exception, [e.value for e in at.exception]
    fields = {f.key: f for f in fields_of(page)}
    shown = keyed_widgets(at)
    assert shown
    for key, w in shown.items():
        assert key.split(":")[0] in (page, "app"), f"{page}: widget {key} is not scoped by its page"
        names = field_names(key)
        assert all(name in fields for name in names), f"{page}: widget {key} has no field"
        for name in names:
            assert_same_bounds(fields[name], w)


@pytest.mark.parametrize("page", ["single_step", "training", "sweep", "questions"])
def test_inf_and_nan_in_every_whole_number_field_give_notices_not_a_traceback(page):
    whole = [f for f in page_fields(page) if type(f.default) is int and f.choices is None]
    assert whole
    at = open_page(page, {f.key: BAD_WHOLE[i % len(BAD_WHOLE)] for i, f in enumerate(whole)})
    assert not at.exception, [e.value for e in at.exception]
    assert {f.key: at.session_state["_values"][f"{page}:{f.key}"] for f in whole} == {f.key: f.default for f in whole}
    assert len(notices(at)) == len(whole)


def test_a_links_markdown_and_length_are_shown_literally_in_notices_that_stay():
    at = open_page("single_step", {"lr": "[x](http://evil)", "optimizer": "![i](http://evil/i.png)",
                                   "loss": "y" * 5000, "seed": "[re-login](http://evil)"})
    assert not at.exception
    shown = notices(at)
    assert len(shown) == 4
    for notice in shown:
        assert notice.startswith("Ignored `") and "from the link" in notice and len(notice) < 300, notice
        assert "](" not in outside_code_spans(notice), notice
        assert "Using " in notice and "'" not in outside_code_spans(notice)  # our value, not Python's repr
    assert any("`lr=[x](http://evil)`" in n and n.endswith("Using 0.1.") for n in shown)
    assert any("`optimizer=![i](http://evil/i.png)`" in n and n.endswith("Using sgd.") for n in shown)
    assert any("5,000 characters long" in n and "y" * 40 + "…`" in n for n in shown)
    at.sidebar.slider(key="single_step:weight_decay").set_value(0.5).run()  # a toast would be gone by now
    assert notices(at) == shown
    at.button(key="single_step:_dismiss").click().run()
    assert not notices(at) and not at.exception


def share_link(at) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(shared_link(at)).query))


def test_unknown_keys_are_dropped_from_the_share_link_with_a_notice():
    junk = {f"k{i}": "z" * 50 for i in range(150)}
    at = open_page("theory", {**junk, "grid": "1", "lr": "0.2"})
    assert not at.exception
    assert share_link(at) == {"lr": "0.2"} and dict(at.query_params) == {"lr": "0.2"}
    [notice] = notices(at)
    assert notice.startswith("Dropped `")
    assert "and 146 more from the link: the theory page has no such settings" in notice
    assert "zzz" not in notice and len(notice) < 300
    at = open_page("sweep", {"grid": "1"}, resolution=2)
    assert notices(at) == ["Dropped `grid` from the link: the sweep page has no such setting."]
    assert "grid" not in share_link(at)


def test_a_value_kept_while_its_widget_is_hidden():
    """Bug 2: SGD momentum 0.89, then Adam -> AdamW -> SGD showed 0.00 while the link still said 0.89; the next
    click wrote the link without it. Streamlit drops a widget's state in runs that do not draw it."""
    at = open_page("single_step")
    at.sidebar.slider(key="single_step:sgd.momentum").set_value(0.89).run()
    for key in ("adam", "adamw", "sgd"):
        at.sidebar.selectbox(key="single_step:optimizer").set_value(key).run()
        assert not at.exception
        assert at.query_params["sgd.momentum"] in ("0.89", ["0.89"])
    assert at.sidebar.slider(key="single_step:sgd.momentum").value == 0.89
    at.selectbox(key="single_step:row").set_value(2).run()
    assert at.sidebar.slider(key="single_step:sgd.momentum").value == 0.89
    assert share_link(at) == {"sgd.momentum": "0.89", "row": "2"}


def visible_values(at, page: str) -> dict:
    return {key: w.value for key, w in keyed_widgets(at).items() if key.startswith(f"{page}:")}


def own_defaults(page: str) -> dict:
    fields = {f.key: f for f in page_fields(page)}
    return {name: list(f.default) if isinstance(f.default, tuple) else f.default for name, f in fields.items()}


def tour(pages: tuple[str, ...]) -> list[str]:
    """A walk that takes every ordered pair of pages once: an Eulerian circuit of the complete
    directed graph (Hierholzer), so n pages need n(n-1) moves, not 2n(n-1)."""
    left = {p: [q for q in pages if q != p] for p in pages}
    stack, walk = [pages[0]], []
    while stack:
        if left[stack[-1]]:
            stack.append(left[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def test_the_tour_takes_every_ordered_pair_once():
    walk = tour(PAGES)
    pairs = list(zip(walk, walk[1:], strict=False))
    assert len(pairs) == len(set(pairs)) == len(PAGES) * (len(PAGES) - 1)


CHANGE = {"single_step": ("lr", 0.5), "theory": ("lr", 0.002), "training": ("epochs.d2l", 7),
          "sweep": ("resolution", 8), "questions": ("q", "momentum"), "parameters": ("search", "bn"),
          "frontier": ("wd", 0.3)}


def test_no_page_shows_or_links_another_pages_values():
    """Bug 1: in one session, Theory -> Single step showed lr 0, wd 0 and Training <-> Sweep epochs 50 instead of
    100, and those values went into the link. Each page, reached from each other page (AppTest keeps the last
    page's query on a switch, which a browser does not: the harder case), shows its own values: the defaults,
    then the one change made on its first visit; its link holds only its own keys."""
    walk = tour(PAGES)
    at, expected = open_page(walk[0]), {}
    for i, page in enumerate(walk):
        if i:
            at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        want = {**own_defaults(page), **expected.get(page, {})}
        for key, shown in visible_values(at, page).items():
            names = field_names(key)
            assert shown == (want[names[0]] if len(names) == 1 else tuple(want[n] for n in names)), (page, key)
        assert set(share_link(at)) <= {f.key for f in page_fields(page)} | SHARED, (page, share_link(at))
        assert share_link(at) == {k: str(v) for k, v in expected.get(page, {}).items()}, page
        if page not in expected:
            name, value = CHANGE[page]
            keyed_widgets(at)[f"{page}:{name}"].set_value(value).run()
            assert not at.exception and share_link(at) == {name: str(value)}, page
            expected[page] = {name: value}


def test_a_page_link_from_another_page_sets_the_values_it_names():
    """The questions page links to the parameter explorer with a query: the link wins over what the session
    held, and a later visit through the sidebar keeps what the page showed."""
    at = open_page("parameters", search="conv")
    at.switch_page("app_pages/questions.py").run()
    at.query_params.clear()
    at.query_params["model"], at.query_params["search"] = "mlp", "bn"
    at.switch_page("app_pages/parameters.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="parameters:model").value == "mlp"
    assert at.text_input(key="parameters:search").value == "bn"


def test_pages_scope_their_keys_in_the_source():
    """A page binds its fields under its own name: the scope is the file's name."""
    for page in PAGES:
        assert f'bind("{page}", FIELDS)' in open(page_path(page)).read(), page


def test_the_readme_states_the_search_limit_as_declared():
    readme = " ".join((ROOT / "README.md").read_text().split())
    search = next(f for f in page_fields("questions") if f.key == "q")
    assert f"question search <= {search.max_len} characters" in readme
    assert f"names at most {LISTED_KEYS} of them" in readme
