"""User text shown literally: every string becomes one CommonMark code span whose content is
the text itself (shortened, with invisible characters made visible), so nothing in it is a
link, an image, emphasis, a shortcode or HTML."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from core.text import ELLIPSIS, literal, shorten, visible


def code_span(markdown: str) -> str:
    """The content of markdown if it is exactly one inline code span (CommonMark 6.1), else AssertionError."""
    assert "\n" not in markdown and "\r" not in markdown, "a line ending could end the paragraph"
    fence = re.match("`+", markdown)
    assert fence, markdown
    n = len(fence.group())
    assert markdown.endswith("`" * n) and len(markdown) >= 2 * n + 1 and markdown[-n - 1] != "`", markdown
    content = markdown[n:-n]
    assert "`" * n not in [run for run in re.findall("`+", content)], "the span would close early"
    if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
        content = content[1:-1]
    return content


def outside_code_spans(markdown: str) -> str:
    """markdown with its inline code spans removed (a run of n backticks up to the next run of exactly n)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] != "`":
            out.append(markdown[i])
            i += 1
            continue
        run = re.match("`+", markdown[i:]).group()
        close = next((m for m in re.finditer("`+", markdown[i + len(run):]) if len(m.group()) == len(run)), None)
        if close is None:
            out.append(run)
            i += len(run)
        else:
            i += len(run) + close.end()
    return "".join(out)


def test_a_link_and_an_image_become_code():
    assert literal("[x](http://evil)") == "`[x](http://evil)`"
    assert literal("![i](http://evil/i.png)") == "`![i](http://evil/i.png)`"
    assert code_span(literal("<script>alert(1)</script> :smile: $x$ **b**")) == \
        "<script>alert(1)</script> :smile: $x$ **b**"


def test_backticks_inside_get_a_longer_fence():
    assert literal("a`b") == "``a`b``"
    assert literal("a``b`") == "``` a``b` ```"
    assert code_span(literal("`")) == "`"
    assert code_span(literal(" x ")) == " x "


def test_line_endings_and_bidi_overrides_are_shown_as_escapes():
    assert literal("a\n\n# b") == "`a\\n\\n# b`"
    assert literal("evil\u202etxt.exe") == "`evil\\u202etxt.exe`"
    assert visible("tab\there") == "tab\\there"


def test_long_text_is_shortened_with_an_ellipsis():
    assert literal("\u202e" * 50, 20) == "`" + "\\u202e" * 3 + "\\" + ELLIPSIS + "`"  # escapes count too
    assert shorten("x" * 5000, 80) == "x" * 79 + ELLIPSIS
    assert shorten("short", 80) == "short"
    assert code_span(literal("x" * 5000, 40)) == "x" * 39 + ELLIPSIS


def test_empty_text_is_a_visible_empty_span():
    assert code_span(literal("")) == " "


@given(st.text(), st.integers(1, 200))
def test_any_text_is_one_code_span_of_itself(text, max_chars):
    assert outside_code_spans(f"a{literal(text, max_chars)}b") == "ab"
    shown = code_span(literal(text, max_chars))
    assert shown == (shorten(visible(shorten(text, max_chars)), max_chars) or " ")
    assert len(shown) <= max_chars
