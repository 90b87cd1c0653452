"""core.text.escape_markdown: user text inside a message shows as typed: every markdown construct is escaped away."""

import re
import string

import pytest

from core.text import JOINER
from core.text import escape_markdown as literal


def unescape(markdown: str) -> str:
    """What CommonMark displays for text whose only markup is backslash escapes and &#32; entities, read
    without the invisible joiners."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown.replace("&#32;", " ")).replace(JOINER, "")


@pytest.mark.parametrize("text", [
    "[re-login](http://evil)", "![x](http://evil/x.png)", "<img src=x onerror=alert(1)>", "**bold** _it_ `code`",
    "# heading", "- item", "1. item", "> quote", ":red[colour] :material/home: $x^2$", "a|b\n|-|",
    "\\* already escaped", string.punctuation, "layer4\\..*weight", "model (1).pt", "www.x.test a@b.test",
])
def test_every_punctuation_character_is_escaped_and_the_text_survives(text):
    shown = literal(text)
    assert re.fullmatch(r"(?:[^!-/:-@\[-`{-~]|\\[!-/:-@\[-`{-~]|&#32;)*", shown.replace("&#32;", " ")), shown
    assert unescape(shown) == text.translate({10: "\\n"})


def test_control_characters_show_as_escapes_so_no_blank_line_can_start_a_block():
    assert unescape(literal("a\n\n    b\r\tc\x00")) == "a\\n\\n    b\\r\\tc\\x00"


def test_leading_spaces_cannot_start_a_code_block():
    assert literal("    indented") == "&#32;" * 4 + "indented"


@pytest.mark.parametrize(("text", "broken"), [("http://evil.test", "://"), ("see WWW.evil.test", "WWW."),
                                               ("a@evil.test", "@e"), (":smile:", ":s"), ("mailto:x", ":x")])
def test_what_the_renderer_finds_in_plain_text_is_split_by_an_invisible_joiner(text, broken):
    """remark-gfm links bare URLs and e-mail addresses, and remark-emoji replaces :shortcodes:, after escapes
    are gone: a WORD JOINER keeps them from forming (tests/test_browser.py checks it in chromium)."""
    shown = re.sub(r"\\(.)", r"\1", literal(text))
    assert broken not in shown and unescape(literal(text)) == text


def test_plain_text_is_unchanged():
    assert literal("resnet50 layer4 weight 42") == "resnet50 layer4 weight 42"
