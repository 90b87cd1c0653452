"""A page's state declared once: key, default, range. It drives widget defaults, checks
values from a link, and writes the link back, so no page invents session keys ad hoc."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    key: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None

    def parse(self, raw: Any) -> Any:
        """A value of the default's type inside the declared range, or ValueError. A tuple
        default declares a list field ("0,0.1,1" in a link), each item checked alike."""
        if isinstance(self.default, tuple):
            item = Field(self.key, self.choices[0] if self.choices else 0.0, self.low, self.high, self.choices)
            return [item.parse(part.strip()) for part in str(raw).split(",") if part.strip()]
        kind = type(self.default)
        if kind is bool:
            text = str(raw).strip().lower()
            if text not in ("true", "false", "1", "0"):
                raise ValueError(f"{self.key} must be true or false, got {raw!r}")
            return text in ("true", "1")
        value = kind(float(raw)) if kind is int else kind(raw)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.key} must be one of {list(self.choices)}, got {raw!r}")
        if isinstance(value, float) and value != value:
            raise ValueError(f"{self.key} must be a number, got {raw!r}")
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(f"{self.key} must be in [{self.low}, {self.high}], got {raw!r}")
        return value


def from_query(fields: tuple[Field, ...], params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Values for every field: from the link where valid, else the default plus a notice."""
    values, notices = {}, []
    for f in fields:
        values[f.key] = f.default
        if f.key in params:
            try:
                values[f.key] = f.parse(params[f.key])
            except (ValueError, TypeError) as err:
                notices.append(f"Ignored {f.key}={params[f.key]!r} from the link: {err}. Using {f.default!r}.")
    return values, notices


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def to_query(fields: tuple[Field, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """Only the values that differ from their defaults, so links stay short."""
    def same(f: Field, value: Any) -> bool:
        return tuple(value) == f.default if isinstance(f.default, tuple) else value == f.default

    return {f.key: _text(values[f.key]) for f in fields if f.key in values and not same(f, values[f.key])}
