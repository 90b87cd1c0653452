"""User-supplied text (a link's value, a search) shown as itself, never as markdown.

Streamlit renders the body of st.info, st.toast, st.error and st.markdown as markdown, so
text from a link such as `[re-login](http://evil)` or `![i](http://evil/i.png)` would become
a live link or an image fetched from another host. Backslash escapes are not enough: emoji
and icon shortcodes (`:smile:`) are expanded after escapes are resolved. A code span is
literal to every stage, so a user's value goes into one (literal), with visible escapes for the
characters (newlines, bidi overrides) that could break out of it or disguise it. A whole
message that quotes user text (an error naming an upload) stays prose: escape_markdown.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"


def shorten(text: str, max_chars: int) -> str:
    """At most max_chars characters: a long text keeps its start and ends with an ellipsis."""
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 0)] + ELLIPSIS


def visible(text: str) -> str:
    """Control, format and separator characters (other than a space) as Python escapes
    (\\n, \\t, \\u202e): a newline could end the paragraph, a bidi override could reorder it."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def literal(text: str, max_chars: int = 80) -> str:
    """Markdown that shows text verbatim, shortened to max_chars: one inline code span whose
    backtick fence is longer than any run of backticks inside it."""
    body = shorten(visible(shorten(str(text), max_chars)), max_chars)  # escapes lengthen: shorten again
    if not body:
        return "` `"
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", body)), default=0))
    # CommonMark strips one space from each end of a span that starts and ends with a space, so
    # padding both ends keeps a leading or trailing backtick (or space) inside the span.
    pad = " " if body.strip(" ") and (body[0] in "` " or body[-1] in "` ") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


JOINER = "\u2060"  # WORD JOINER: zero width, no line break
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # each ASCII punctuation character, as CommonMark lists them
_CONTROL = {code: repr(chr(code))[1:-1] for code in (*range(32), 127)}  # "\n" shown as \n, etc.


def escape_markdown(text: str) -> str:
    """Markdown that renders as exactly text (control characters as their escapes, e.g. \\n), for
    whole messages that quote user text (an upload's name, a search pattern in an error): every
    ASCII punctuation character gets CommonMark's backslash escape, and an invisible WORD JOINER
    follows each ":" and "@" and splits "www" from its ".", because Streamlit's renderer turns
    bare URLs, e-mail addresses and :shortcodes: into links and emoji after escapes apply."""
    text = str(text).translate(_CONTROL)
    text = re.sub(r"(?i)(www)(?=\.)|([:@])", lambda m: m[0] + JOINER, text)
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    return re.sub(r"^ +", lambda spaces: "&#32;" * len(spaces[0]), escaped)
