"""README's bounds table: every row names a real constant and states its value, and every
limit constant of the core appears in it once."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| (?P<what>.+?) \| `(?P<name>[\w.]+)` \| (?P<value>[\d.]+) \|$", re.M)


def _rows() -> list[re.Match]:
    text = README.read_text()
    section = text[text.index("## Bounds"):]
    section = section[:section.index("\n## ", 1)]
    return list(ROW.finditer(section))


def test_every_bound_row_states_its_constants_value():
    rows = _rows()
    assert len(rows) >= 20
    for row in rows:
        module, _, attr = row["name"].rpartition(".")
        value = getattr(importlib.import_module(module), attr)
        assert float(row["value"]) == float(value), row["name"]


def test_each_limit_constant_is_listed_once():
    names = [row["name"] for row in _rows()]
    assert len(names) == len(set(names))
    for module in (
            "core.params.checkpoints", "core.params.search",
            "core.train.config", "core.train.sweep", "core.step", "ui.limits"):
        mod = importlib.import_module(module)
        for attr in dir(mod):
            if re.fullmatch(r"MAX_[A-Z_]+|[A-Z_]+_LIMIT|[A-Z_]+_SECONDS|HEAVY_SLOTS|[A-Z_]+_BYTES", attr) \
                    and isinstance(getattr(mod, attr), (int, float)):
                assert f"{module}.{attr}" in names, f"{module}.{attr} is a limit missing from README's Bounds"
