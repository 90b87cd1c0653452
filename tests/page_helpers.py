"""Read what an AppTest page rendered: plotly figures decoded from their JSON specs."""

from __future__ import annotations

import ast
import base64
import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui.live_chart import NAME as LIVE_CHART

DTYPES = {"f8": np.float64, "f4": np.float32, "i1": np.int8, "i2": np.int16, "i4": np.int32}


def decode(value):
    """Plotly ships arrays as {'dtype', 'bdata'} base64 blobs; turn them back into numpy."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=DTYPES[value["dtype"]])
        shape = value.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    return np.asarray(value)


def charts(at) -> list:
    """Every chart's element in page order: st.plotly_chart's and ui.live_chart's (kept mounted)."""
    found = []

    def walk(node) -> None:
        for child in (getattr(node, "children", None) or {}).values():
            kind = getattr(child, "type", None)
            if kind == "plotly_chart" or (kind == "bidi_component" and child.proto.component_name == LIVE_CHART):
                found.append(child)
            walk(child)

    walk(at._tree)
    return found


def figures(at) -> list[dict]:
    """Every chart's plotly figure in page order."""
    return [json.loads(c.proto.spec) if c.type == "plotly_chart" else json.loads(json.loads(c.proto.json))["figure"]
            for c in charts(at)]


class MatrixTableReader(HTMLParser):
    """Reads core.figures.matrix_table's HTML back: its caption and each cell's data-value, row by row."""

    def __init__(self):
        super().__init__()
        self.caption, self.rows, self._in_caption = "", [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figcaption":
            self._in_caption = True
        elif tag == "tr" and self.caption:
            self.rows.append([])
        elif tag == "td":
            self.rows[-1].append(float(attrs["data-value"]))

    def handle_endtag(self, tag):
        self._in_caption = self._in_caption and tag != "figcaption"

    def handle_data(self, data):
        if self._in_caption:
            self.caption += data


def matrix_tables(at) -> list[tuple[str, np.ndarray]]:
    """(caption, values) of each matrix drawn as a table (core.figures.matrix_table), in page order."""
    out = []
    for element in at.get("html"):
        if 'class="wd-matrix"' in element.value:
            table = MatrixTableReader()
            table.feed(element.value)
            out.append((table.caption, np.array([row for row in table.rows if row], dtype=float)))
    return out


def heatmap(at, title_start: str) -> np.ndarray:
    """The values of the first heatmap (plotly's, or a matrix table) whose title starts with title_start."""
    for fig in figures(at):
        title = fig["layout"].get("title", {}).get("text", "")
        if title.startswith(title_start) and fig["data"][0]["type"] == "heatmap":
            z = decode(fig["data"][0]["z"])
            return np.asarray(z, dtype=float).reshape(len(fig["data"][0]["y"]), len(fig["data"][0]["x"]))
    for caption, values in matrix_tables(at):
        if caption.startswith(title_start):
            return values
    raise AssertionError(f"no heatmap titled {title_start!r}; titles: {titles(at)}")


def titles(at) -> list[str]:
    """Chart titles as read, a title wrapped to its chart's width (core.figures.fit) on one line; then the
    matrix tables' captions."""
    return ([fig["layout"].get("title", {}).get("text", "").replace("<br>", " ") for fig in figures(at)]
            + [caption for caption, _ in matrix_tables(at)])


ROOT = Path(__file__).resolve().parents[1]


def page_path(name: str) -> str:
    """An app page's file, for AppTest.from_file (which resolves relative paths oddly)."""
    return str(ROOT / "app_pages" / f"{name}.py") if name != "app" else str(ROOT / "app.py")


def scoped(page: str, key: str) -> str:
    """A field's session (and widget) key: ui.state scopes each page's keys by the page's name;
    a key that already names its scope ("app:present") is left as it is."""
    return key if ":" in key else f"{page}:{key}"


def run_page(name: str, query: dict | None = None, timeout: float = 120, **state):
    """Run a page once with the given link values and session state (field values by field key)."""
    at = AppTest.from_file(page_path(name), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[scoped(name, key)] = value
    return at.run()


def open_page(name: str, query: dict | None = None, timeout: float = 120, **state):
    """A page as a visitor following a link gets it: through app.py (shared sidebar, st.navigation)."""
    at = AppTest.from_file(page_path("app"), default_timeout=timeout)
    at.switch_page(f"app_pages/{name}.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[scoped(name, key)] = value
    return at.run()


def notices(at) -> list[str]:
    """The notices about the link (ui.state): warnings that stay until dismissed."""
    return [w.value for w in at.warning if w.value.startswith(("Ignored ", "Dropped ", "Moved "))]


def page_namespace(name: str) -> dict:
    """A page module's names without running the page: its module, minus the closing main() call."""
    path = page_path(name)
    tree = ast.parse(Path(path).read_text(), path)
    tree.body = [node for node in tree.body
                 if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                         and getattr(node.value.func, "id", None) == "main")]
    namespace = {"__name__": f"page_{name}", "__file__": path}
    exec(compile(tree, path, "exec"), namespace)  # noqa: S102 - the project's own page
    return namespace


def page_fields(name: str) -> tuple:
    """A page's FIELDS (the controls it declares), without running the page."""
    return page_namespace(name)["FIELDS"]


def shared_link(at) -> str:
    """The share link the sidebar shows (ui.classroom.share_link): its last code span."""
    spans = [m.value for m in at.sidebar.markdown if m.value.startswith("`") and m.value.endswith("`")]
    assert spans, "no share link in the sidebar"
    return spans[-1].strip("`").strip()


def counted_trainings(monkeypatch) -> list[tuple[str, int]]:
    """("new", runs) for every training program built from now on (its configurations' runs together), ("run",
    steps) for every run of one."""
    from core.train import training

    calls: list[tuple[str, int]] = []
    init, run_ = training.Training.__init__, training.Training.run

    def counted_init(self, configs, *args, **kwargs):
        calls.append(("new", sum(c.runs for c in configs)))
        init(self, configs, *args, **kwargs)

    def counted_run(self, *args, **kwargs):
        before = self.t
        run_(self, *args, **kwargs)
        calls.append(("run", self.t - before))

    monkeypatch.setattr(training.Training, "__init__", counted_init)
    monkeypatch.setattr(training.Training, "run", counted_run)
    return calls
