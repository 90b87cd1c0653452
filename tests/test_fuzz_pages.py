"""Every widget of every page and of the shared sidebar, driven with extreme and random values
(hypothesis): whatever a visitor sets, a page shows a result or a message, never a traceback.

Each example starts a fresh AppTest of one page and takes a short random walk: pick a widget
the page is showing, give it a value inside its own bounds (an end of a slider or number
input, or a random point between; any option or option set, the empty one included; both
states of a checkbox; text full of regular-expression metacharacters), rerun, check. Choice
widgets are set the way a browser sets them, by their displayed option text, so a page's
format_func never needs inverting. Caches are per process, so repeated configurations are
cheap and the file stays within about 90 s on 2 cores.

Examples are derandomized, so CI is repeatable; FUZZ_SCALE=5 runs five times as many.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.proto.NumberInput_pb2 import NumberInput as NumberInputProto
from streamlit.proto.Slider_pb2 import Slider as SliderProto
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "app_pages").glob("*.py"))
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
# Examples per page: the cheap pages get more; the training and sweep pages train models.
EXAMPLES = {"single_step": 14, "theory": 8, "parameters": 12, "training": 4, "sweep": 3}
DEFAULT_EXAMPLES = 6  # a page added later
KINDS = ("slider", "select_slider", "number_input", "selectbox", "multiselect", "checkbox", "toggle", "text_input",
         "radio")
# Pages whose every reachable state must render without an error message (issue 13, bug 4): the
# widgets never offer what the page refuses. (The parameter explorer may still refuse a typed regex.)
NO_ERRORS = {"single_step", "training", "sweep", "theory", "questions", "frontier"}
# Text a visitor might type into a search box: regex metacharacters, escapes, unicode, whitespace.
TEXT = st.lists(st.sampled_from([*"ab.\\()[]{}*+?^$|-_0 \t\nλé", "layer4", "bn", "weight", "\\d", "\\"]),
                max_size=8).map("".join)


def fresh(page: Path, **state) -> AppTest:
    """The page as a visitor gets it: through app.py, with the shared sidebar (device,
    presentation mode, export format) and st.navigation, so st.page_link works too."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(f"app_pages/{page.name}")
    for key, value in state.items():
        at.session_state[f"{page.stem}:{key}"] = value
    at.run()
    assert not at.exception, (page.name, at.exception)
    return at


def widgets(at: AppTest) -> dict[str, object]:
    """Every keyed widget the page shows now and a visitor can change, by key."""
    return {w.key: w for kind in KINDS for w in at.get(kind) if getattr(w, "key", None) and not w.disabled}


def assert_renders(page: Path, at: AppTest, trail) -> None:
    assert not at.exception, (page.name, trail, [e.value for e in at.exception])
    if page.stem in NO_ERRORS:
        assert not at.error, (page.name, trail, [e.value for e in at.error])


class _Sent:
    """Marks a widget class whose state is the option text a browser would send."""


def send_options(widget, chosen: list[str]) -> None:
    """Choose options by their displayed text, as the browser does (selectbox: one string;
    multiselect and select_slider: a list of strings)."""
    ws = WidgetState()
    ws.id = widget.id
    if widget.type in ("selectbox", "radio"):
        ws.string_value = chosen[0]
    else:
        ws.string_array_value.data[:] = chosen
    cls = type(widget)
    base = cls.__mro__[1] if issubclass(cls, _Sent) else cls
    widget.__class__ = type(f"Sent{base.__name__}", (base, _Sent), {"_widget_state": property(lambda self: ws)})


def numeric(widget, draw) -> int | float:
    """An end of the widget's range or a random point inside it: on a slider's step grid, as a
    browser's slider sends it; anywhere for a number input, where a visitor types."""
    lo, hi = widget.min, widget.max
    assert lo is not None and hi is not None, f"{widget.key} has no bounds"
    is_int = widget.proto.data_type == (SliderProto.INT if widget.type == "slider" else NumberInputProto.INT)
    between = st.integers(int(lo), int(hi)) if is_int else st.floats(float(lo), float(hi), allow_nan=False)
    if widget.type == "slider" and not is_int:
        between = st.integers(0, round((hi - lo) / widget.step)).map(lambda k: min(lo + k * widget.step, hi))
    return draw(st.one_of(st.just(int(lo) if is_int else lo), st.just(int(hi) if is_int else hi), between))


def set_randomly(widget, draw) -> str:
    """Give one widget a random value within its own bounds; returns a description for failures."""
    kind = widget.type
    if kind == "slider" and isinstance(widget.value, tuple):  # a range: two handles, in order
        value = tuple(sorted((numeric(widget, draw), numeric(widget, draw))))
        widget.set_value(value)
    elif kind in ("slider", "number_input"):
        value = numeric(widget, draw)
        widget.set_value(value)
    elif kind in ("checkbox", "toggle"):
        value = draw(st.booleans())
        widget.set_value(value)
    elif kind == "text_input":
        value = draw(TEXT)
        widget.set_value(value)
    elif kind in ("selectbox", "select_slider", "radio"):
        value = [draw(st.sampled_from(widget.options))]
        send_options(widget, value)
    elif kind == "multiselect":
        value = draw(st.lists(st.sampled_from(widget.options), unique=True, max_size=len(widget.options)))
        send_options(widget, value)
    else:
        raise AssertionError(kind)
    return f"{kind} {widget.key}={value!r}"


def walk(page: Path, data) -> None:
    at = fresh(page)
    trail = []
    for _ in range(data.draw(st.integers(1, 3), label="moves")):
        shown = widgets(at)
        assert shown, f"{page.name} shows no keyed widgets"
        key = data.draw(st.sampled_from(sorted(shown)), label="widget")
        trail.append(set_randomly(shown[key], data.draw))
        at.run()
        assert_renders(page, at, trail)


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def extremes(widget) -> list[tuple[str, object]]:
    """The values at the edges of one widget: both ends, first and last option, none and all."""
    kind = widget.type
    if kind == "slider" and isinstance(widget.value, tuple):  # handles together at each end, and apart
        lo, hi = widget.min, widget.max
        return [("value", (lo, lo)), ("value", (hi, hi)), ("value", (lo, hi))]
    if kind in ("slider", "number_input"):
        return [("value", widget.min), ("value", widget.max)]
    if kind in ("checkbox", "toggle"):
        return [("value", not widget.value)]
    if kind == "text_input":
        return [("value", "(*[\\"), ("value", " " * 200)]
    if kind == "multiselect":
        return [("options", []), ("options", list(widget.options))]
    return [("options", [widget.options[0]]), ("options", [widget.options[-1]])]


# Where the extremes start on the pages that train: a small grid and a short run, so each edge of
# every other widget costs a fraction of a default run (the edges of these two are still tried).
EXTREMES_START = {"sweep": {"resolution": 3}, "training": {"epochs.d2l": 10}}


# The pages with the most widgets have their edges tried in parts (every k-th case), so the test workers
# share them: Frontier's took a minute in one test.
PARTS = {"frontier": 3, "questions": 2}
EXTREMES = [(page, part) for page in PAGES for part in range(PARTS.get(page.stem, 1))]


@pytest.mark.parametrize(("page", "part"), EXTREMES, ids=[f"{p.stem}-{k}" for p, k in EXTREMES])
def test_every_widget_at_its_extremes(page, part):
    """Deterministic companion of the random walk: each widget the page shows by default, at
    each of its edges, from a fresh page."""
    start = EXTREMES_START.get(page.stem, {})
    shown = widgets(fresh(page, **start))
    cases = [(key, how, value) for key, w in sorted(shown.items()) for how, value in extremes(w)
             if value != (w.value if how == "value" else [w.format_func(v) for v in _as_list(w.value)])]
    assert cases
    for key, how, value in cases[part::PARTS.get(page.stem, 1)]:
        at = fresh(page, **start)
        widget = widgets(at)[key]
        if how == "options":
            send_options(widget, value)
        else:
            widget.set_value(int(value) if isinstance(widget.value, int) and not isinstance(value, bool) else value)
        at.run()
        assert_renders(page, at, (key, value))


def _fuzz_test(page: Path):
    @settings(max_examples=max(1, round(EXAMPLES.get(page.stem, DEFAULT_EXAMPLES) * SCALE)), deadline=None,
              derandomize=SCALE == 1, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])
    @given(data=st.data())
    def run(data):
        walk(page, data)

    return run


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_widget_survives_extreme_and_random_values(page):
    _fuzz_test(page)()


def test_single_step_divergence_is_reported_through_the_widgets():
    at = fresh(ROOT / "app_pages" / "single_step.py")
    at.sidebar.slider(key="single_step:lr").set_value(1.0)
    at.sidebar.slider(key="single_step:weight_decay").set_value(10.0)
    send_options(at.sidebar.selectbox(key="single_step:dtype"), ["float32"])
    at.sidebar.slider(key="single_step:steps").set_value(200)
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="single_step:dtype").value == "float32"
    assert any("diverged" in w.value for w in at.warning), [w.value for w in at.warning]


def test_training_divergence_is_reported_through_the_widgets():
    """The seed task with lr·wd = 25: |1 − lr·wd| = 24, so W passes the weight limit within a few steps."""
    at = fresh(ROOT / "app_pages" / "training.py", task="seed")
    at.sidebar.multiselect(key="training:wds.seed").set_value([25.0])
    at.sidebar.select_slider(key="training:lr.seed").set_value(1.0)
    at.sidebar.slider(key="training:epochs.seed").set_value(500)
    at.run()
    assert not at.exception
    assert any("diverged:" in w.value and "at step" in w.value for w in at.warning), [w.value for w in at.warning]
