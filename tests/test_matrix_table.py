"""core.figures.matrix_table draws a matrix as the heatmap would: plotly's own colour for each value
(plotly.colors is the oracle), white at 0, the same numbers, readable ink on every colour, the
clipping said in the caption, and each value recoverable exactly."""

from __future__ import annotations

import re

import numpy as np
import plotly.colors
import pytest

from core.figures.matrices import matrix_heatmap
from core.figures.matrix_table import DARK_TEXT_BELOW, luminance, matrix_table, scale_color
from core.figures.style import DIVERGING, cell_text, robust_limit
from tests.page_helpers import MatrixTableReader

CELL = re.compile(r'<td style="background:rgb\((\d+), (\d+), (\d+)\);color:(#[0-9a-f]{6})" data-value="([^"]+)" '
                  r'title="([^"]+)">([^<]*)</td>')


def plotly_color(value: float, limit: float) -> tuple[int, int, int]:
    """Where plotly puts value on a heatmap with zmin=-limit, zmax=limit, zmid=0 and DIVERGING."""
    at = min(max((value / limit + 1) / 2, 0.0), 1.0)
    color = plotly.colors.sample_colorscale(DIVERGING, [at])[0]
    return tuple(round(float(c)) for c in color[color.index("(") + 1:-1].split(","))


def cells(html: str) -> list[tuple]:
    return CELL.findall(html)


@pytest.mark.parametrize("seed", range(5))
def test_each_cell_has_plotlys_colour_and_the_heatmaps_number(seed):
    values = np.random.default_rng(seed).normal(size=(4, 5)) * 10.0 ** np.random.default_rng(seed).integers(-4, 3)
    limit, _ = robust_limit(values)
    found = cells(matrix_table(values, "W"))
    assert len(found) == 20
    numbers = [n for row in cell_text(values) for n in row]
    for (r, g, b, _, data, _, shown), v, number in zip(found, values.ravel(), numbers, strict=True):
        assert np.abs(np.array([int(r), int(g), int(b)]) - plotly_color(v, limit)).max() <= 1
        assert float(data) == v  # exactly: repr round-trips a float
        assert shown == number


def test_zero_is_the_scales_white_middle_and_the_ends_are_its_ends():
    assert scale_color(0.0, 2.0) == plotly_color(0.0, 2.0) == (247, 247, 247)
    assert scale_color(-2.0, 2.0) == (5, 48, 97) and scale_color(2.0, 2.0) == (103, 0, 31)
    assert scale_color(50.0, 2.0) == scale_color(2.0, 2.0)  # clipped, as plotly clips
    assert scale_color(float("nan"), 2.0) == scale_color(0.0, 2.0)
    assert scale_color(1.0, 0.0) == scale_color(0.0, 1.0)  # an all-zero matrix: white, no division by zero


def contrast(a: float, b: float) -> float:
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("at", np.linspace(-1, 1, 101))
def test_every_colour_of_the_scale_gets_ink_of_wcag_aa_contrast(at):
    background = luminance(scale_color(at, 1.0))
    ink = 1.0 if background < DARK_TEXT_BELOW else 0.0
    assert contrast(background, ink) >= 4.5, (at, background)


def test_a_shared_limit_is_used_as_given_and_a_clipped_one_is_said():
    values = np.full((4, 5), 0.01)
    values[0, 0] = 1e6  # a blown-up cell
    assert "colours clipped" in matrix_table(values, "W after step 3")
    assert "colours clipped" not in matrix_table(values, "W after step 3", limit=1e6)
    assert cells(matrix_table(np.ones((2, 2)), "W", limit=2.0))[0][:3] == tuple(str(c) for c in scale_color(1, 2))


def test_the_caption_is_the_heatmaps_title_and_text_is_escaped():
    values = np.arange(20.0).reshape(4, 5) - 10
    assert matrix_heatmap(values, "W <before>").plain()["layout"]["title"]["text"] == "W <before>"
    html = matrix_table(values, "W <before>", name="W&")
    assert "<figcaption>W &lt;before&gt;</figcaption>" in html
    assert 'title="W&amp;[0, 0] = -10"' in html


def test_reading_the_table_back_gives_the_matrix():
    values = np.random.default_rng(7).normal(size=(3, 6))
    table = MatrixTableReader()
    table.feed(matrix_table(values, "Gradient ∂loss/∂W"))
    assert table.caption == "Gradient ∂loss/∂W"
    np.testing.assert_array_equal(np.array([r for r in table.rows if r]), values)
