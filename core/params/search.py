"""A visitor's search pattern for parameter names: bounded in what it costs to compile and to run.

Patterns come from a text box and from links, so any string may arrive. They are compiled with
the `regex` package rather than `re` because its searches take a timeout: a pattern like (.*)*!
backtracks exponentially, and Python's re, holding the interpreter lock, would stall every
visitor of the server meanwhile. The timeout covers matching only; compiling writes every
counted repeat out in full (a{100000000} is a hundred million copies of `a`, tens of GB), so
the pattern's cost is bounded before it is compiled: it is parsed with the package's own
parser (exactly the grammar the compiler will see; parsing never expands a repeat) and refused
if a count or the written-out size is over the limits below.
"""

from __future__ import annotations

import time

import regex
from regex import _regex_core

MAX_PATTERN = 200  # characters in a search pattern
MAX_REPEAT = 100  # largest count in a counted repeat {m}, {m,}, {m,n}
MAX_WRITTEN_OUT = 2_000  # pattern items once every counted repeat is written out (nested repeats multiply)
SEARCH_SECONDS = 0.5  # for the whole table: a pattern that backtracks longer is refused

FLAGS = regex.VERSION0


def _parse(pattern: str):
    """The parse tree regex.compile would build, without compiling it. A global flag in the middle
    of a pattern, like a(?i)b, makes the parser start over with that flag, as regex.compile does."""
    flags = FLAGS
    for _ in range(4):
        source = _regex_core.Source(pattern)
        info = _regex_core.Info(flags, source.char_type, {})
        info.guess_encoding = regex.UNICODE
        source.ignore_space = bool(info.flags & regex.VERBOSE)
        try:
            return _regex_core._parse_pattern(source, info)
        except _regex_core._UnscopedFlagSet:
            flags = info.global_flags
    raise regex.error("the pattern's global flags keep changing")


def _children(node) -> list:
    """The sub-patterns of a parse-tree node (sequence items, branches, group bodies, …).
    A character set's members are alternatives for one character, never copies: not children."""
    if isinstance(node, _regex_core.SetBase):
        return []
    found = []
    for value in vars(node).values():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, _regex_core.RegexBase):
                found.append(item)
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
    return found


def written_out_size(node) -> int:
    """How many items the pattern has once each counted repeat is written out: x{3} counts 3,
    (?:ab){3} counts 6, and (?:a{10}){10} counts 100. Raises ValueError on a count over MAX_REPEAT,
    before multiplying anything."""
    if isinstance(node, _regex_core.GreedyRepeat):  # Lazy and Possessive repeats are subclasses
        counts = [c for c in (node.min_count, node.max_count) if c is not None]
        if max(counts, default=0) > MAX_REPEAT:
            raise ValueError(f"The pattern repeats something {max(counts):,} times; the limit is {MAX_REPEAT} "
                             "per counted repeat {m} or {m,n}, because compiling writes every copy out")
        return max(1, *counts) * written_out_size(node.subpattern)
    children = _children(node)
    return sum(written_out_size(child) for child in children) if children else 1


def check_pattern_cost(pattern: str) -> None:
    """Refuse a pattern whose compilation would cost more than the stated limits; a syntax
    error is reported here too, as compiling would report it."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"The pattern is {len(pattern)} characters; the limit is {MAX_PATTERN}")
    try:
        tree = _parse(pattern)
    except (regex.error, ValueError) as err:  # ValueError: e.g. (?V1), which the VERSION0 flag excludes
        raise ValueError(f"Invalid regular expression {pattern!r}: {err}") from None
    except Exception as err:  # RecursionError, or anything else: a pattern that cannot be checked is not compiled
        raise ValueError(f"The pattern could not be checked before compiling ({type(err).__name__})") from None
    try:
        size = written_out_size(tree)
    except RecursionError:
        raise ValueError("The pattern nests too deeply to be checked before compiling") from None
    if size > MAX_WRITTEN_OUT:
        raise ValueError(f"Written out, the pattern's counted repeats make {size:,} items (nested repeats multiply); "
                         f"the limit is {MAX_WRITTEN_OUT:,}")


def compile_search(pattern: str):
    """A user's search pattern, compiled once its cost is known to be small."""
    check_pattern_cost(pattern)
    try:
        return regex.compile(pattern, flags=FLAGS)
    except regex.error as err:
        raise ValueError(f"Invalid regular expression {pattern!r}: {err}") from None


def matches(compiled, names) -> list[bool]:
    """Whether each name contains a match, within SEARCH_SECONDS for all of them together."""
    deadline = time.monotonic() + SEARCH_SECONDS
    out = []
    try:
        for name in names:
            out.append(compiled.search(name, timeout=max(deadline - time.monotonic(), 1e-3)) is not None)
    except TimeoutError:
        raise ValueError(f"The pattern took over {SEARCH_SECONDS:g} s on this table (it backtracks too much); "
                         "simplify it, e.g. write (a+) instead of (a+)+") from None
    return out
