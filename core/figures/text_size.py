"""Text sizes estimated on the server, in plain arithmetic: what a label, a number or a title will
take in the browser, so a chart can be fitted to its width before it is drawn."""

from __future__ import annotations

import re

# Advance widths in em of the sans-serif fonts plotly uses (Open Sans, Arial, Source Sans),
# rounded up: a digit is ~0.556-0.572 em, so text estimated here is never wider in the browser.
GLYPH_EM = {".": 0.3, "-": 0.36, "−": 0.6, " ": 0.28, "e": 0.58, ",": 0.3}
DEFAULT_GLYPH_EM = 0.6
SUPERSCRIPT_SCALE = 0.7  # plotly draws <sup> text at 70% of the font size


def font_size(spec: dict, path: tuple[str, ...], default: float) -> float:
    """The font size a figure's plain form sets at path (say ("yaxis", "tickfont", "size")), else default."""
    node = spec
    for key in path:
        node = node.get(key) or {}
    return float(node) if isinstance(node, (int, float)) else default


def text_width(text: str, font_px: float) -> float:
    """Estimated drawn width of text in px (upper bound for digits, signs and ASCII letters)."""
    return font_px * sum(GLYPH_EM.get(ch, DEFAULT_GLYPH_EM) for ch in text)


def label_width(text: str, font_px: float) -> float:
    """A tick label's width: its plain text at the font size, its superscripts (10<sup>-3</sup>) smaller."""
    raised = "".join(re.findall(r"<sup>(.*?)</sup>", text))
    plain = re.sub(r"<sup>.*?</sup>|<[^>]+>", "", text)
    return text_width(plain, font_px) + text_width(raised, font_px * SUPERSCRIPT_SCALE)
