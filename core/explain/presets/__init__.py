"""The labs' "try this" presets: each a view (the page's field values) and the sentence that
says what to notice in it, generated from the result the page computes for that view.

Declared as data in core, beside the computations they describe, so that a test can check
every value against the page's Field, click every preset through AppTest and recompute the
claim each sentence makes. Clicking a preset resets the page's other fields to their defaults,
so the view (and the share link) is exactly the preset's; the sentence is shown while the
preset's own values are still the page's, and since it is generated from the result it stays
true whatever else the visitor changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.schema import as_text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b)
    return a == b


@dataclass(frozen=True)
class Preset:
    """A button's label, the field values it sets (key -> value, as the page's Fields declare
    them) and `notice`, the page's result -> what to notice in it."""

    key: str
    label: str
    values: tuple[tuple[str, Any], ...]
    notice: Callable[..., str]
    help: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def as_query(self) -> dict[str, str]:
        """A link to this preset's view from another page: its values as a link writes them."""
        return {key: as_text(value) for key, value in self.values}

    def matches(self, current: Mapping[str, Any]) -> bool:
        """The page still shows this preset's values (the others may have changed)."""
        return all(key in current and _same(current[key], value) for key, value in self.values)


def active(presets: tuple[Preset, ...], current: Mapping[str, Any]) -> Preset | None:
    """The preset whose values the page shows now, if any (presets are disjoint: a test checks it)."""
    return next((p for p in presets if p.matches(current)), None)
