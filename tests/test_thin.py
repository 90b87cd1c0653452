"""Long curves sent thin: at most MAX_POINTS a trace, every stretch's extremes and every gap kept."""

from __future__ import annotations

import numpy as np

from core import figures
from core.figures.thin import MAX_POINTS, kept, thin


def test_a_short_curve_is_kept_whole():
    np.testing.assert_array_equal(kept(np.arange(50.0)), np.arange(50))


def test_a_long_curve_keeps_its_ends_its_spike_and_its_gap():
    y = np.linspace(10, 1, 1001)
    y[377] = 1e6  # a blow-up that must not be thinned away
    y[800:] = np.nan  # diverged: blank from here
    index = kept(y)
    assert len(index) <= MAX_POINTS and index[0] == 0 and index[-1] == 1000
    assert 377 in index and np.all(np.diff(index) > 0)
    assert np.isnan(y[index]).any() and np.isfinite(y[index][y[index] == y[index]]).all()
    assert np.nanmax(y[index]) == np.nanmax(y) and np.nanmin(y[index]) == np.nanmin(y)


def test_thin_keeps_the_steps_of_the_points_it_keeps_and_leaves_other_traces_alone():
    steps = np.arange(401)
    y = np.exp(-steps / 100.0)
    fig = figures.curves({"a": np.stack([y, 2 * y])}, (0.0, 1.0), "t", "y", True)
    thinned = thin(fig)
    for trace, full in zip(thinned.data, (y, 2 * y), strict=True):
        assert len(trace.y) <= MAX_POINTS
        np.testing.assert_array_equal(trace.y, full[np.asarray(trace.x)])  # each kept point at its own step
    heat = figures.matrix_heatmap(np.ones((4, 5)), "W")
    assert thin(heat) is heat


def _kept_one_stretch_at_a_time(values, max_points):
    """The rule written plainly: per stretch its lowest and highest finite point, or its first."""
    n = len(values)
    edges = np.linspace(0, n, max_points // 2 + 1).round().astype(int)
    keep = {0, n - 1}
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        part = np.where(np.isfinite(values[start:stop]), values[start:stop], np.nan)
        if np.isnan(part).all():
            keep.add(int(start))
        else:
            keep.update((start + int(np.nanargmin(part)), start + int(np.nanargmax(part))))
    return np.array(sorted(keep))


def test_the_sorted_stretches_keep_exactly_the_points_the_plain_rule_keeps():
    """kept() sorts once instead of looping over stretches; ties, NaN gaps, infinities and flat
    stretches included, it keeps the same points."""
    rng = np.random.default_rng(0)
    for n, max_points in [(201, 200), (1000, 200), (5000, 200), (777, 50)]:
        values = rng.normal(size=n).round(1)  # rounded: many ties
        values[rng.integers(0, n, n // 20)] = np.nan
        values[n // 3: n // 3 + n // 10] = np.nan  # a gap wider than a stretch
        values[rng.integers(0, n, 3)] = np.inf
        values[n // 2: n // 2 + 40] = 1.0  # a flat stretch
        np.testing.assert_array_equal(kept(values, max_points), _kept_one_stretch_at_a_time(values, max_points))


def test_typed_arrays_are_what_plotly_gives():
    """typed_array skips plotly's generic conversion for plain number arrays; what it gives must be
    plotly's to_typed_array_spec's, for every dtype a figure may hold."""
    from _plotly_utils.utils import to_typed_array_spec

    from core.figures.thin import typed_array

    rng = np.random.default_rng(0)
    cases = [rng.normal(size=7), rng.normal(size=(3, 4)).astype(np.float32), np.arange(300),
             np.arange(-5, 5), np.array([0, 2**40]), np.array([0, 2**62]), np.arange(70000, dtype=np.uint64),
             np.array([True, False]), np.array(["a", "b"]), np.zeros(0), rng.normal(size=(4, 6))[:, ::2],
             np.array([np.nan, np.inf, 1.0]), np.arange(12, dtype=np.int16).reshape(3, 4)]
    for values in cases:
        got, want = typed_array(values), to_typed_array_spec(values)
        if isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want)
        else:
            assert got == want, values
