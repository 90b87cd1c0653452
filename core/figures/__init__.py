"""Plotly figure builders: plain functions from arrays to figures, no streamlit.

One diverging scale (ColorBrewer RdBu, colorblind-safe) centred at 0 for signed
matrices, one sequential scale for magnitudes, and Okabe-Ito colours for lines, so every
page reads the same way.

Figures are built from plain dicts and wrapped without plotly's per-property validation:
validating costs about 5 ms a figure, most of a rerun's budget on a page with ten charts.
tests/test_figures.py validates every builder's output instead (go.Figure(fig.to_dict())).
"""

from core.figures.curves import (  # noqa: F401
    against_predictions,
    change_split_bars,
    curves,
    lines,
    live_norms,
    norm_curve,
    pure_decay_scatter,
    schedule,
    weight_histogram,
)
from core.figures.fit import annotation_font, fit_to_width  # noqa: F401
from core.figures.grids import BOUNDARY_LEGEND, boundary, sweep_heatmap  # noqa: F401
from core.figures.legend import legend_html  # noqa: F401
from core.figures.matrices import animated_heatmap, as_matrix, matrix_heatmap  # noqa: F401
from core.figures.matrix_table import matrix_table  # noqa: F401
from core.figures.points import points  # noqa: F401
from core.figures.projector import for_projector  # noqa: F401
from core.figures.style import (  # noqa: F401
    DECAY_COLOR,
    DIVERGED_COLOR,
    DIVERGING,
    GRADIENT_COLOR,
    NEUTRAL_COLOR,
    RUN_COLORS,
    SEQUENTIAL,
    WD_LEVELS,
    robust_limit,
    run_color,
    series_dash,
    symmetric_limit,
    wd_color,
)
