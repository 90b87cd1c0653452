"""Long curves sent thin (issue 15): a chart a few hundred px wide draws a 400-point curve no
better than a 200-point one, but every point is bytes to send, to parse and to draw again on
each rerun. A curve keeps, in each of MAX_POINTS / 2 stretches of its steps, its lowest and its
highest point (and its first and last), so a spike, a blow-up or a gap (NaN) survives and a
smooth stretch is thinned."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import plotlyjsShortTypes as SHORT_TYPES
from _plotly_utils.utils import to_typed_array_spec

MAX_POINTS = 200  # per trace


def kept(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Ascending indices of the points of values to keep: all of them when few enough; else per
    stretch the lowest and highest finite point, or the stretch's first when none is finite."""
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    edges = np.linspace(0, n, max_points // 2 + 1).round().astype(int)
    starts, sizes = edges[:-1], np.diff(edges)  # every stretch holds at least 2 points: n > max_points
    stretch = np.repeat(np.arange(len(starts)), sizes)
    finite = np.isfinite(values)
    # One stable sort per end instead of a loop over stretches (a loop cost a Training rerun 0.5 s):
    # sorted by stretch, then by value, each stretch's first is its lowest (highest) point, the first
    # of equals as nanargmin takes it; a NaN sorts last in both.
    lowest = np.lexsort((np.where(finite, values, np.inf), stretch))[starts]
    highest = np.lexsort((-np.where(finite, values, -np.inf), stretch))[starts]
    gap = np.add.reduceat(finite, starts) == 0  # a gap stays a gap: its first point
    keep = np.concatenate(([0, n - 1], starts[gap], lowest[~gap], highest[~gap]))
    return np.unique(keep)


def plotly_array(values) -> np.ndarray:
    """A trace's array as plotly's to_dict gives it: a list, or {"dtype", "bdata"[, "shape"]} base64."""
    if isinstance(values, dict):
        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return flat.reshape(values["shape"]) if "shape" in values else flat
    return np.asarray(values)


def _long(trace, max_points: int) -> bool:
    y = getattr(trace, "y", None)
    return trace.type == "scatter" and "lines" in str(trace.mode or "lines") and y is not None \
        and len(y) > max_points


def thin_spec(spec: dict, max_points: int = MAX_POINTS) -> dict:
    """spec (a figure as plotly's to_dict gives it) with its line traces cut to at most max_points points
    each (x given or implied), in place; returns spec."""
    for trace in spec["data"]:
        if trace.get("type", "scatter") != "scatter" or "lines" not in str(trace.get("mode", "lines")) \
                or trace.get("y") is None:
            continue
        y = plotly_array(trace["y"]).astype(float)
        if y.ndim != 1 or len(y) <= max_points:
            continue
        index = kept(y, max_points)
        x = trace.get("x")
        trace["x"] = index if x is None else plotly_array(x)[index]
        trace["y"] = y[index]
    return spec


def structure_copy(value):
    """value's dicts, lists and tuples copied, everything else (arrays, strings, numbers) shared:
    a figure's plain form that the steps of ui.charts.show may write into, at a fraction of a deep
    copy (they replace arrays, never write into one)."""
    if isinstance(value, dict):
        return {key: structure_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [structure_copy(item) for item in value]
    if type(value) is tuple:  # a named tuple stays shared: it cannot be rebuilt from one iterable
        return tuple(structure_copy(item) for item in value)
    return value


SKIPPED_KEYS = frozenset({"geojson", "layer", "layers", "range"})  # plotly's convert_to_base64 leaves these
NARROWER = {"int64": ("int8", "int16", "int32"), "uint64": ("uint8", "uint16", "uint32")}


def typed_array(values: np.ndarray):
    """values as plotly's to_typed_array_spec gives it, without its generic conversion (0.3 ms an
    array, a tenth of a chart's time in ui.charts.show): base64 of the bytes, 64-bit integers
    narrowed to the smallest type that holds them. Anything but a plain number array goes to plotly's own."""
    name = str(values.dtype)
    if values.size == 0 or values.dtype.kind not in "iuf" or name not in (*SHORT_TYPES, *NARROWER):
        return to_typed_array_spec(values)
    if name in NARROWER:
        low, high = values.min(), values.max()
        fits = [t for t in NARROWER[name] if np.iinfo(t).min <= low and high <= np.iinfo(t).max]
        if not fits:
            return to_typed_array_spec(values)
        values, name = values.astype(fits[0]), fits[0]
    out = {"dtype": SHORT_TYPES[name], "bdata": base64.b64encode(np.ascontiguousarray(values)).decode("ascii")}
    if values.ndim > 1:
        out["shape"] = str(values.shape)[1:-1]
    return out


def encode_arrays(node):
    """Every numpy array in a figure's plain form encoded as plotly's to_dict encodes arrays (base64
    typed arrays), in place: the form st.plotly_chart sends (ui.charts)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SKIPPED_KEYS:
                continue
            if isinstance(value, np.ndarray):
                node[key] = typed_array(value)
            elif isinstance(value, (dict, list, tuple)):
                encode_arrays(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            if isinstance(value, (dict, list, tuple)):
                encode_arrays(value)
    return node


def thin(fig: go.Figure, max_points: int = MAX_POINTS) -> go.Figure:
    """A copy of fig whose line traces hold at most max_points points each; fig itself when none is longer."""
    if not any(_long(trace, max_points) for trace in fig.data):
        return fig
    return go.Figure(thin_spec(fig.to_dict(), max_points), _validate=False)
