"""Looking a name up in one of the app's registries (optimizers, tasks, schedules, dtypes).

Every registry refuses an unknown name the same way: a ValueError that names the kind of
thing asked for and lists the valid names, so a page or a link can show it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def lookup(registry: Mapping[str, T], key: str, kind: str) -> T:
    """registry[key], or ValueError("Unknown {kind} 'key'; choose one of [...]")."""
    try:
        return registry[key]
    except KeyError:
        raise ValueError(f"Unknown {kind} {key!r}; choose one of {sorted(registry)}") from None
