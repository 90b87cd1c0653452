"""One legend for a row of charts, as a line of HTML swatches above them.

A plotly legend per chart took half of each narrow column (24 entries scrolled on the toy
task); the charts of a row share their colours (one per weight decay, core.figures.style) and
their dashes (one per series), so one legend says it once. Every label is escaped: the page
passes names of tensors and numbers, nothing a visitor typed, but the HTML is raw.
"""

from __future__ import annotations

from html import escape

from core.figures.style import NEUTRAL_COLOR, series_dash, wd_color

# CSS border styles closest to plotly's dashes (CSS has no dash-dot)
CSS_DASH = {"solid": "solid", "dash": "dashed", "dot": "dotted", "dashdot": "dashed", "longdash": "dashed",
            "longdashdot": "dashed"}

# Between the keys: a gap, not a line break, so a wide screen shows the legend on one line and a
# narrow one wraps it (three lines of legend pushed a projector's charts below its first screen).
SEPARATOR = '<span style="display:inline-block;width:1.2em"></span>'


def _swatch(color: str, dash: str, label: str) -> str:
    line = (f'<span style="display:inline-block;width:2em;margin-right:0.3em;vertical-align:middle;'
            f'border-top:3px {CSS_DASH[dash]} {color}"></span>')
    return f'<span style="white-space:nowrap;margin-right:1.1em">{line}{escape(label)}</span>'


def legend_html(weight_decays, series: dict[str, list[str]] | None = None,
                overlay: str | None = None) -> str:
    """Colour = weight decay, one swatch each; then for each chart named in series, its series'
    dashes in the order the builders draw them (core.figures.curves); then the overlay's
    dotted black line, if any."""
    parts = ['<div style="line-height:1.9">', "<b>colour = weight decay</b>&ensp;"]
    parts += [_swatch(wd_color(wd), "solid", f"wd = {wd:g}") for wd in weight_decays]
    for chart, names in (series or {}).items():
        if len(names) > 1:  # one series needs no dash key
            parts.append(f"{SEPARATOR}<b>{escape(chart)}</b>&ensp;")
            parts += [_swatch(NEUTRAL_COLOR, series_dash(i), name) for i, name in enumerate(names)]
    if overlay:
        parts.append(SEPARATOR + _swatch(NEUTRAL_COLOR, "dot", overlay))
    parts.append("</div>")
    return "".join(parts)
