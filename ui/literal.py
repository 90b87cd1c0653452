"""User-supplied text (a link's value, an upload's name, a message quoting either) inside markdown.

st.error, st.warning, st.info and st.write render markdown: a filename or search pattern like
[![x](http://evil/x.png)](http://evil) would show a remote image inside a link. literal() makes
such text display as typed: every ASCII punctuation character gets CommonMark's backslash escape
(so no link, image, emphasis, HTML, LaTeX $ or Streamlit :directive[] can start), control
characters are shown as escapes, and leading spaces cannot start a code block. Escapes do not stop
what Streamlit's renderer finds in plain text after parsing (remark-gfm turns http://…, www.… and
a@b.c into links, remark-emoji turns :smile: into 😄), so an invisible WORD JOINER follows each
":" and "@" and splits "www" from its ".": the text looks the same and forms nothing.
"""

from __future__ import annotations

import re

JOINER = "\u2060"  # WORD JOINER: zero width, no line break
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # each ASCII punctuation character, as CommonMark lists them
_CONTROL = {code: repr(chr(code))[1:-1] for code in (*range(32), 127)}  # "\n" shown as \n, etc.


def literal(text: str) -> str:
    """Markdown that renders as exactly text (control characters as their escapes, e.g. \\n)."""
    text = str(text).translate(_CONTROL)
    text = re.sub(r"(?i)(www)(?=\.)|([:@])", lambda m: m[0] + JOINER, text)
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    return re.sub(r"^ +", lambda spaces: "&#32;" * len(spaces[0]), escaped)
