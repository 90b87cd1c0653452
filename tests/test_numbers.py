"""core.numbers: significant digits, scientific notation at the extremes, ranges that keep their spread,
and every string parses back to the number it stands for."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.numbers import MAX_SIG, count, fmt, fmt_range, frame, latex


@pytest.mark.parametrize(("value", "sig", "text"), [
    (1e-8, 3, "1e-8"),  # was printed 0.00000001
    (69314717.7094, 3, "6.93e7"),  # a half-life that was printed 69314717.7094 steps
    (0.0098, 3, "0.0098"),
    (0.5, 3, "0.5"),
    (-0.25, 3, "-0.25"),
    (1.5e-5, 3, "1.5e-5"),
    (0.001, 3, "0.001"),
    (0.0009996, 3, "0.001"),  # rounds up into the plain range
    (0.000999, 3, "9.99e-4"),
    (99999.7, 3, "1e5"),
    (12345.6, 3, "12346"),  # plain below 1e5: whole digits are never rounded away
    (0.1 + 0.2, 3, "0.3"),
    (20.0, 3, "20"),
    (2.2449, 4, "2.245"),
    (0, 3, "0"),
    (float("inf"), 3, "inf"),
    (float("nan"), 3, "nan"),
])
def test_fmt_examples(value, sig, text):
    assert fmt(value, sig) == text


def test_unlike_adds_digits_until_the_value_no_longer_reads_as_the_reference():
    assert fmt(0.99999, unlike=1.0) == "0.99999"
    assert fmt(0.995, unlike=1.0) == "0.995"
    assert fmt(1.0, unlike=1.0) == "1"


@pytest.mark.parametrize(("low", "high", "text"), [
    (0.0098, 0.01031, "0.00980 to 0.0103"),
    (0.0099999980, 0.0099999998, "0.009999998 to 0.01000000"),  # was "0.01 to 0.01"
    (5.0, 5.0, "5"),
    (1e-9, 1.0000001e-9, "1.0000000e-9 to 1.0000001e-9"),
])
def test_fmt_range_examples(low, high, text):
    assert fmt_range(low, high) == text


def test_latex_and_count():
    assert latex(1.5e-5) == r"1.5\times 10^{-5}"
    assert latex(0.25) == "0.25"
    assert latex(float("inf")) == r"\infty"
    assert count(25_557_032) == "25,557,032"


def test_frame_writes_float_columns_and_leaves_the_rest():
    table = pd.DataFrame({"name": ["a", "b"], "n": [1, 2], "lr·wd": [1e-8, 0.006], "half-life": [69314717.7, 115.2]})
    shown = frame(table)
    assert list(shown["lr·wd"]) == ["1e-8", "0.006"]
    assert list(shown["half-life"]) == ["6.93e7", "115"]
    assert list(shown["n"]) == [1, 2] and table["lr·wd"].dtype == float  # the computed table is untouched


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@settings(max_examples=300, deadline=None)
@given(finite, st.integers(1, 8))
def test_fmt_parses_back_within_its_rounding(x, sig):
    text = fmt(x, sig)
    assert "e+" not in text and "e-0" not in text and text.count(".") <= 1
    assert float(text) == pytest.approx(x, rel=10 ** (1 - sig) / 2 * (1 + 1e-9), abs=1e-300)


@settings(max_examples=300, deadline=None)
@given(finite, st.floats(min_value=-0.5, max_value=0.5, allow_nan=False), st.integers(1, 6))
def test_fmt_range_never_prints_equal_ends_for_unequal_inputs(low, spread, sig):
    """Within a sane relative spread (up to 50%), unequal ends never read the same; each end parses back
    within the rounding of the digits asked for, and order is kept."""
    high = low * (1 + spread) if low else spread
    text = fmt_range(low, high, sig)
    if low == high:
        assert " to " not in text
        return
    a, b = text.split(" to ")
    assert a != b
    for shown, true in ((a, low), (b, high)):
        assert float(shown) == pytest.approx(true, rel=10 ** (1 - sig) / 2 * (1 + 1e-9), abs=1e-300)
    assert (float(a) < float(b)) == (low < high)


@settings(max_examples=200, deadline=None)
@given(finite, finite)
def test_max_sig_tells_any_two_floats_apart(x, y):
    if x != y and not (x == 0 and y == 0):
        assert fmt(x, MAX_SIG) != fmt(y, MAX_SIG)
        assert float(fmt(x, MAX_SIG)) == x  # 17 significant digits round-trip a float64 exactly


def test_percent_never_reads_zero_for_a_tiny_share():
    """Parameters showed 0.000% for ResNet-50's BatchNorm rows."""
    from core.numbers import percent

    assert percent(0.0) == "0%"
    assert percent(64 / 25_557_032) == "<0.001%"
    assert percent(2048 / 25_557_032) == "0.00801%"
    assert percent(0.0919) == "9.19%"
