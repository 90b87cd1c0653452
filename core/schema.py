"""A control declared once: key, default, range, step, choices, label, help, format. The one
declaration drives the widget (ui/widgets.py reads its label and bounds), its link value
(parsed and checked here), and its tests, so no page types a range or a label again.

A link may set only what the widget could: its range, its step, its choices, and for a
multiselect at most one of each choice. Anything else, of any length, is refused with a
notice before it costs more than a look at its length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from core.text import literal

MAX_LINK_CHARS = 500  # a link value longer than this is refused before it is parsed
NOTICE_CHARS = 60  # how much of a refused key=value a notice repeats
LISTED_CHOICES = 12  # a refusal names the choices when there are at most this many
LISTED_KEYS = 5  # a notice about unknown link keys names at most this many of them


@dataclass(frozen=True)
class Field:
    """One control. low, high, step and choices are the widget's own bounds. A tuple default
    declares a list (a multiselect, "0,0.1,1" in a link) of distinct items, at least min_len
    and at most max_len of them (default: one of each choice); a str default a text of at most
    max_len characters (default: MAX_LINK_CHARS). label, help and format are the widget's."""

    key: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    step: float | None = None  # a slider's step, counted from low: values between steps are refused
    max_len: int | None = None
    label: str = ""  # the widget's label; the key when empty
    help: str | None = None  # the widget's tooltip
    format: str | None = None  # a slider's printf format; ui/widgets.py derives one from step when None
    min_len: int = 0  # a list's fewest items: a multiselect whose page cannot run with none says 1

    def __post_init__(self) -> None:
        if isinstance(self.default, tuple) and self.choices is None and self.max_len is None:
            raise ValueError(f"The list field {self.key} needs choices or a max_len")
        if not self.label:
            object.__setattr__(self, "label", self.key)

    def check(self, value: Any) -> Any:
        """A value a widget or a session holds, as parse would give it from a link, or ValueError."""
        return self.parse(as_text(value))

    def parse(self, raw: Any) -> Any:
        """A value inside the declared bounds, or ValueError saying which bound (never quoting
        raw: the caller shows it, shortened). Any other exception would be a bug."""
        text = str(raw)
        if len(text) > MAX_LINK_CHARS:
            raise ValueError(f"it is {len(text):,} characters long; a link value has at most {MAX_LINK_CHARS}")
        if isinstance(self.default, tuple):
            return self._parse_list(text)
        return self._parse_one(text)

    def _parse_list(self, text: str) -> list:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        most = self.max_len if self.max_len is not None else len(self.choices)
        if len(parts) > most:  # before any item is parsed
            raise ValueError(f"{self.key} takes at most {most} values, got {len(parts)}")
        if len(parts) < self.min_len:
            raise ValueError(f"{self.key} needs at least {self.min_len} value{'s' * (self.min_len > 1)}")
        item = replace(self, default=self.choices[0] if self.choices else 0.0, max_len=None, min_len=0)
        values = [item._parse_one(part) for part in parts]
        if len(set(values)) < len(values):
            raise ValueError(f"{self.key} lists a value more than once")
        return values

    def _parse_one(self, text: str) -> Any:
        if isinstance(self.default, bool):
            word = text.strip().lower()
            if word not in ("true", "false", "1", "0"):
                raise ValueError(f"{self.key} must be true or false")
            return word in ("true", "1")
        if isinstance(self.default, int):
            value = self._whole(text)
        elif isinstance(self.default, float):
            value = self._finite(text)
        else:
            value = text
            if self.max_len is not None and len(value) > self.max_len:
                raise ValueError(f"{self.key} has at most {self.max_len} characters")
        if self.choices is not None:
            if value not in self.choices:
                listed = ", ".join(as_text(c) for c in self.choices)
                raise ValueError(f"{self.key} must be one of {listed}" if len(self.choices) <= LISTED_CHOICES
                                 else f"{self.key} must be one of the {len(self.choices)} options the page lists")
            return value
        self._check_range(value)
        return self._on_grid(value)

    def _finite(self, text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{self.key} must be a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{self.key} must be a finite number")
        return number

    def _whole(self, text: str) -> int:
        """Digits, or a finite float with no fractional part ("1e3", "7.0"): never inf, nan or 3.5."""
        try:
            return int(text)
        except ValueError:
            pass
        number = self._finite(text)
        if not number.is_integer():
            raise ValueError(f"{self.key} must be a whole number")
        return int(number)

    def _check_range(self, value: float) -> None:
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            bounds = (f"between {as_text(self.low)} and {as_text(self.high)}" if None not in (self.low, self.high)
                      else f"at least {as_text(self.low)}" if self.high is None else f"at most {as_text(self.high)}")
            raise ValueError(f"{self.key} must be {bounds}")

    def _on_grid(self, value: float) -> float:
        """The slider's own value: low + k*step, within float noise, or ValueError."""
        if self.step is None:
            return value
        base = self.low if self.low is not None else 0
        snapped = base + round((value - base) / self.step) * self.step
        if abs(snapped - value) > 1e-6 * self.step:
            raise ValueError(f"{self.key} moves in steps of {as_text(self.step)} from {as_text(base)}")
        if isinstance(value, int):
            return value
        snapped = float(f"{snapped:.12g}")  # 0.1 + 2*0.1 -> 0.3, so a cache sees one value per step
        return min(max(snapped, base), self.high if self.high is not None else snapped)


def read_link(fields: tuple[Field, ...], params: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    """The valid link values of the fields the link names, and for each refused one the reason.

    Never raises, whatever the text or its length: a reason never quotes the link's text."""
    values, refused = {}, {}
    for f in fields:
        if f.key in params:
            try:
                values[f.key] = f.parse(params[f.key])
            except ValueError as err:
                refused[f.key] = str(err)
    return values, refused


def refusal_notice(key: str, raw: Any, reason: str, used: Any) -> str:
    """Markdown naming the key, why its value was refused and what is used instead; the link's
    own text appears literally and shortened (core.text.literal), never as markdown."""
    shown = literal(f"{key}={str(raw)[:NOTICE_CHARS]}", NOTICE_CHARS)
    return f"Ignored {shown} from the link: {reason}. Using {as_text(used)}."


def unknown_notice(keys: list[str], page: str) -> str:
    """Markdown for link keys no control of this page declares: they are dropped from the link."""
    shown = ", ".join(literal(k, 30) for k in keys[:LISTED_KEYS])
    more = f" and {len(keys) - LISTED_KEYS} more" if len(keys) > LISTED_KEYS else ""
    noun = "setting" if len(keys) == 1 else "settings"
    return f"Dropped {shown}{more} from the link: the {page} page has no such {noun}."


def from_query(fields: tuple[Field, ...], params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Values for every field: from the link where valid, else the default plus a notice."""
    values, refused = read_link(fields, params)
    notices = [refusal_notice(f.key, params[f.key], refused[f.key], f.default) for f in fields if f.key in refused]
    return {f.key: values.get(f.key, f.default) for f in fields}, notices


def as_text(value: Any) -> str:
    """A value as a link writes it: what parse reads back as the same value."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(as_text(v) for v in value)
    return f"{value:.12g}" if isinstance(value, float) else str(value)  # what parse snaps a float to


def to_query(fields: tuple[Field, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """Only the values that differ from their defaults, so links stay short."""
    def same(f: Field, value: Any) -> bool:
        return tuple(value) == f.default if isinstance(f.default, tuple) else value == f.default

    return {f.key: as_text(values[f.key]) for f in fields if f.key in values and not same(f, values[f.key])}
