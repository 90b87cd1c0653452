"""Long formula lines broken into rows, so a phone (390 px) or a projector shows them whole.

A KaTeX display never wraps: a line wider than the screen was cut (Theory lost its
-γλw value at 1440 px, every numeric line on a phone). wrap() breaks a line at its top-level
clause separators (\\qquad, \\quad) into centred rows, and a row still too long at its
top-level "=" into aligned rows, each starting "= ...". Only the layout changes, never a symbol.
"""

from __future__ import annotations

import re

MAX_VISIBLE = 34  # about what a 390 px phone shows of a display formula; a longer row is broken
SEPARATORS = (r",\qquad", r"\qquad", r",\quad", r"\quad")


def visible_length(latex: str) -> int:
    r"""Rough count of the characters a formula shows: a command (\gamma, \lVert) counts one,
    braces, spacing commands and \text{...} wrappers none; a fraction counts its longer part."""
    s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m.group(1), m.group(2), key=len), latex)
    s = re.sub(r"\\(text|texttt|mathrm|operatorname)\{", "{", s)
    s = re.sub(r"\\[,;:! ]|\\q?quad", "", s)
    s = re.sub(r"\\[A-Za-z]+", "x", s)
    return len(re.sub(r"[{}^_ &]", "", s))


def _command(latex: str, i: int, name: str) -> bool:
    """latex has the command `name` at i, not a longer one that starts with it."""
    return latex.startswith(name, i) and not latex[i + len(name):i + len(name) + 1].isalpha()


def _split_top_level(latex: str, separators) -> list[str]:
    """latex split at any of separators where no brace or \\left...\\right is open."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        if latex[i] == "{":
            depth += 1
        elif latex[i] == "}":
            depth -= 1
        elif _command(latex, i, r"\left"):  # not \leftarrow, \rightarrow
            depth += 1
        elif _command(latex, i, r"\right"):
            depth -= 1
        if depth == 0:
            sep = next((s for s in separators
                        if latex.startswith(s, i) and not latex[i + len(s):i + len(s) + 1].isalpha()), None)
            if sep is not None:
                parts.append(latex[start:i])
                i += len(sep)
                start = i
                continue
        i += 1
    parts.append(latex[start:])
    return [p.strip().rstrip(",").rstrip() for p in parts if p.strip().rstrip(",")]


def _equalities(row: str) -> str:
    terms = _split_top_level(row, ("=",))
    if len(terms) < 2 or visible_length(row) <= MAX_VISIBLE:
        return row
    body = terms[0] + " &= " + r" \\ &= ".join(terms[1:])
    return r"\begin{aligned}" + body + r"\end{aligned}"


def wrap(latex: str) -> str:
    """latex unchanged when short; else its clauses as centred rows and long equality chains aligned."""
    if visible_length(latex) <= MAX_VISIBLE:
        return latex
    rows = [_equalities(r) for r in _split_top_level(latex, SEPARATORS)]
    if len(rows) == 1:
        return rows[0]
    return r"\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}"
