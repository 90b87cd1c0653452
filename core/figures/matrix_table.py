"""A small matrix (the seed's 4x5 W, its gradient, its change) as an HTML table whose cells are
coloured like matrix_heatmap's: the same diverging scale centred at 0, the same numbers.

Why not a plotly heatmap: plotly lays each one out from scratch whenever its numbers change (20-36 ms
a 4x5 heatmap in a plotly harness), and in chromium the single-step page's seven were about half of its
time from slider to settled. A table is laid out by the browser with the rest of the page; its numbers
are text that scales with the page's type (presentation mode enlarges it with everything else) and that
a screen reader reads. Each cell carries its value at
full precision (data-value) and a hover title; the strip under the table is the colour scale. The
tables' STYLE is sent once a page, with the app's other page-wide styles (ui.classroom), not with each."""

from __future__ import annotations

from html import escape

import numpy as np
from plotly.colors import unlabel_rgb

from core.figures.matrices import clipped_title
from core.figures.style import DIVERGING, cell_text, robust_limit
from core.numbers import fmt

CSS_CLASS = "wd-matrix"  # what the readability probe and the latency benchmark look for
# Sizes in rem: the page's root size sets them (presentation mode's 22 px makes a cell's number 16.5 px;
# a phone's 16 px, 12 px, the least tests/readability_probe.js accepts).
STYLE = f"""<style>
.{CSS_CLASS} {{ margin: 0; font-variant-numeric: tabular-nums; }}
.{CSS_CLASS} figcaption {{ font-weight: 600; font-size: 1rem; line-height: 1.3; margin: 0 0 0.35rem 0; }}
.{CSS_CLASS} table {{ border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0; border: none; }}
.{CSS_CLASS} th {{ font-weight: 400; font-size: 0.75rem; color: #31333F; padding: 0.1rem; border: none;
  text-align: center; background: none; }}
.{CSS_CLASS} thead th:first-child {{ width: 1.6rem; }}
.{CSS_CLASS} td {{ font-size: 0.75rem; text-align: center; padding: 0.55rem 0; border: 1px solid #ffffff;
  white-space: nowrap; overflow: hidden; }}
.{CSS_CLASS} .scale {{ display: flex; align-items: center; gap: 0.4rem; font-size: 0.75rem;
  margin: 0.35rem 0 0 1.5rem; }}
.{CSS_CLASS} .scale span.bar {{ flex: 1; height: 0.55rem; border-radius: 2px; }}
</style>"""
# White numbers on a background darker than this relative luminance, black ones on the rest: where both
# inks have the same contrast, (1 + 0.05) / (L + 0.05) = (L + 0.05) / 0.05, so every cell gets at least 4.58:1
# (WCAG AA for normal text is 4.5:1).
DARK_TEXT_BELOW = 0.179


SCALE = [(float(at), unlabel_rgb(color)) for at, color in DIVERGING]
SCALE_GRADIENT = ", ".join(f"rgb{tuple(round(c) for c in rgb)} {at * 100:g}%" for at, rgb in SCALE)  # CSS stops


def scale_color(value: float, limit: float) -> tuple[int, int, int]:
    """The colour the heatmaps give value on [-limit, limit]: DIVERGING at (value / limit + 1) / 2,
    clipped at the ends; white at 0. A value that is not a number gets the middle too."""
    if np.isnan(value) or limit <= 0:
        at = 0.5
    else:
        at = float(np.clip((value / limit + 1) / 2, 0.0, 1.0))
    for (a, ca), (b, cb) in zip(SCALE, SCALE[1:], strict=False):
        if at <= b:
            w = 0.0 if b == a else (at - a) / (b - a)
            return tuple(round(x + w * (y - x)) for x, y in zip(ca, cb, strict=True))
    return tuple(round(x) for x in SCALE[-1][1])


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG 2): how light a background is, to pick black or white numbers on it."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def matrix_table(values: np.ndarray, title: str, limit: float | None = None, name: str = "W") -> str:
    """values as a table of coloured cells, row 0 on top, coloured on [-limit, limit] (a robust limit,
    said in the title when it clips, unless the caller shares one), with matrix_heatmap's numbers."""
    values = np.asarray(values, dtype=float)
    clipped = False
    if limit is None:
        limit, clipped = robust_limit(values)
    rows, cols = values.shape
    text = cell_text(values)
    head = "".join(f'<th scope="col">{j}</th>' for j in range(cols))
    body = []
    for i in range(rows):
        cells = []
        for j in range(cols):
            v = float(values[i, j])
            rgb = scale_color(v, limit)
            ink = "#ffffff" if luminance(rgb) < DARK_TEXT_BELOW else "#000000"
            shown = escape(text[i][j]) if text is not None else ""
            cells.append(f'<td style="background:rgb{rgb};color:{ink}" data-value="{v!r}" '
                         f'title="{escape(name)}[{i}, {j}] = {v:.8g}">{shown}</td>')
        body.append(f'<tr><th scope="row">{i}</th>{"".join(cells)}</tr>')
    caption = escape(clipped_title(title, limit, clipped))
    return (f'<figure class="{CSS_CLASS}"><figcaption>{caption}</figcaption>'
            f'<table><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<div class="scale" aria-label="colour scale"><span>{escape(fmt(-limit, 2))}</span>'
            f'<span class="bar" style="background:linear-gradient(to right, {SCALE_GRADIENT})"></span>'
            f'<span>{escape(fmt(limit, 2))}</span></div></figure>')
