"""How a sentence writes a number: one formatter for every page.

Significant digits rather than fixed decimals (0.0098 and 1.5e-8 both keep their digits),
scientific notation once a plain decimal would need many zeros (1e-8, not 0.00000001; 6.93e7
steps, not 69314717.7094), and ranges or comparisons that add digits until their ends differ
(0.0098 to 0.0103, never "0.01 to 0.01"). Every string parses back with float().
"""

from __future__ import annotations

import math

import pandas as pd

SIG = 3  # significant digits a sentence shows unless it asks for more
MAX_SIG = 17  # enough to tell any two distinct float64 values apart
PLAIN_EXPONENTS = range(-3, 5)  # 0.001 <= |x| < 100000 (once rounded) is written as a plain decimal


def _strip(digits: str) -> str:
    """Drop trailing zeros after a decimal point, and the point itself if nothing follows."""
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def _rounded_exponent(x: float, sig: int) -> int:
    """The decimal exponent of x once rounded to sig digits (0.09996 at 3 digits is 0.1: exponent -1)."""
    return int(f"{x:.{sig - 1}e}".split("e")[1])


def fmt(x: float, sig: int = SIG, unlike: float | None = None, keep_zeros: bool = False) -> str:
    """x with sig significant digits: plain between 1e-3 and 1e5, otherwise mantissa e exponent
    (1e-8, 6.93e7). With unlike, digits are added until x no longer reads as that value, so a
    factor 0.99999 is never written as 1 when it is not 1. keep_zeros keeps trailing zeros, so
    that 0.01000 says how many digits it was rounded to."""
    tidy = (lambda digits: digits) if keep_zeros else _strip
    x = float(x)
    if unlike is not None and x != unlike:
        for s in range(sig, MAX_SIG + 1):
            if fmt(x, s) != fmt(unlike, s):
                return fmt(x, s, keep_zeros=keep_zeros)
        return fmt(x, MAX_SIG, keep_zeros=keep_zeros)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    sig = max(1, min(int(sig), MAX_SIG))
    exponent = _rounded_exponent(abs(x), sig)
    if exponent not in PLAIN_EXPONENTS:
        mantissa, _, _ = f"{x:.{sig - 1}e}".partition("e")
        return f"{tidy(mantissa)}e{exponent}"
    return tidy(f"{x:.{max(0, sig - 1 - exponent)}f}")


def fmt_range(low: float, high: float, sig: int = SIG, sep: str = " to ") -> str:
    """Two ends written with the same number of significant digits, as few as still tell them
    apart (0.0098 to 0.0103; 0.009999998 to 0.01000000), trailing zeros kept so both ends show
    the same precision. Equal ends give one number."""
    low, high = float(low), float(high)
    if low == high or (math.isnan(low) and math.isnan(high)):
        return fmt(low, sig)
    for s in range(sig, MAX_SIG + 1):
        a, b = fmt(low, s, keep_zeros=True), fmt(high, s, keep_zeros=True)
        if a != b:
            return f"{a}{sep}{b}"
    return f"{fmt(low, MAX_SIG, keep_zeros=True)}{sep}{fmt(high, MAX_SIG, keep_zeros=True)}"


def latex(x: float, sig: int = SIG, unlike: float | None = None) -> str:
    r"""fmt() for a LaTeX formula: 1.5e-8 becomes 1.5\times 10^{-8}."""
    text = fmt(x, sig, unlike)
    if "e" not in text or text in ("inf", "-inf"):
        return r"\infty" if text == "inf" else (r"-\infty" if text == "-inf" else text)
    mantissa, _, exponent = text.partition("e")
    return rf"{mantissa}\times 10^{{{exponent}}}"


def count(n: int) -> str:
    """A count of things, with thousands separators: 25,557,032."""
    return f"{int(n):,}"


def frame(table: pd.DataFrame, sig: int = SIG) -> pd.DataFrame:
    """A table for display: every float column written with fmt(), so a dataframe widget shows
    1e-8 and 6.93e7 rather than 0.00000001 and 69314717.7094. The computed table stays numeric."""
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = [fmt(v, sig) for v in shown[column]]
    return shown


def percent(share: float) -> str:
    """A share of a whole as a percentage with SIG significant digits, and "<0.001%" below that,
    never a "0.000%" that reads as nothing (a BatchNorm bias in ResNet-50 is 0.0003% of it)."""
    if share == 0:
        return "0%"
    if abs(share) < 1e-5:
        return "<0.001%"
    return f"{fmt(share * 100)}%"
