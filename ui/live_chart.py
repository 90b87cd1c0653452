"""A keyed chart that stays mounted in the browser and is updated in place (Plotly.react), not drawn anew.

Why: st.plotly_chart's element id includes the figure itself, so every rerun that changes a chart gives
it a new id, and the browser unmounts the old chart and builds a new one with Plotly.newPlot. In chromium
on 2 cores, Plotly.react on the mounted chart drew Single step's two charts in 45-55 ms where newPlot took
160-180 ms, and in the app the settled time of a slider move fell from about 2.3 s to 1.3 s on the Sweep,
1.1 s to 0.8 s on Training and 0.57 s to 0.45 s on Single step (benchmarks/browser_latency.py).

A custom component (st.components.v2) keeps its id while its key stays the same, and its script is
called with the same element on every rerun (live_chart.js). plotly.js comes from the plotly package
installed with the app, served by Streamlit's static file serving (.streamlit/config.toml) from STATIC_DIR;
serve_plotly_js() puts it there: once per server process, before its first keyed chart is drawn
(plotly_js_served), and when the Docker image is built (its code is read-only to the app). Where it
cannot, charts fall back to st.plotly_chart.
"""

from __future__ import annotations

import filecmp
import json
import logging
import shutil
from contextlib import nullcontext
from pathlib import Path

import plotly
import streamlit as st
from plotly.io.json import to_json_plotly

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"  # Streamlit serves the folder "static" beside app.py at /app/static/
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
SERVED_NAME = "plotly.min.js"
# The version in the address: a browser that cached another version's file asks for this one.
PLOTLY_URL = f"/app/static/{SERVED_NAME}?v={plotly.__version__}"
NAME = "weight_decay_lab.live_chart"  # the component, as the tests find it
KEY_PREFIX = "chart."  # a component is a widget: its key must not collide with a control's
_LOG = logging.getLogger(__name__)

_COMPONENT = st.components.v2.component(
    NAME, js=(Path(__file__).resolve().parent / "live_chart.js").read_text(),
    isolate_styles=False)  # plotly.js styles its own toolbar and hover labels from the page's <head>


def serve_plotly_js(static_dir: Path = STATIC_DIR, source: Path = PLOTLY_JS) -> bool:
    """static_dir holds a copy of the installed plotly.js (copied when missing or different); False when it
    cannot be written there."""
    target = static_dir / SERVED_NAME
    try:
        if not (target.is_file() and filecmp.cmp(source, target, shallow=False)):
            static_dir.mkdir(exist_ok=True)
            partial = target.with_suffix(".partial")
            shutil.copyfile(source, partial)
            partial.replace(target)  # whole or not at all, for a browser that asks while it is copied
        return True
    except OSError as err:
        _LOG.warning("plotly.js cannot be served from %s (%s): charts use st.plotly_chart", static_dir, err)
        return False


@st.cache_resource(show_spinner=False)
def plotly_js_served() -> bool:
    """Checked once per server process."""
    return serve_plotly_js()


def message(spec: dict, config: dict) -> str:
    """What the browser's live_chart.js reads: where plotly.js is, the figure (plotly's JSON, arrays
    base64-encoded as st.plotly_chart sends them) and plotly's config."""
    head = json.dumps({"src": PLOTLY_URL, "config": config}, separators=(",", ":"))
    return f'{head[:-1]},"figure":{to_json_plotly(spec)}}}'


def live_chart(where, spec: dict, key: str, config: dict) -> None:
    """Mount (first run) or update (later runs) the chart under key in where (a container, a column, or st)."""
    with nullcontext() if where is st else where:  # the st module is no container: it draws where it is
        _COMPONENT(data=message(spec, config), key=KEY_PREFIX + key)
