"""What a question card is: a title, a one-paragraph answer and the live experiment behind it.

Each card is one module of this package declaring CARD = Question(...) with keyword
arguments; core.explain.questions collects them into the registry the page renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from core.problem import make_problem
from core.schema import Field


def Control(name: str, label: str, default: float, low: float, high: float, step: float) -> Field:  # noqa: N802
    """A card's slider, declared as a core.schema Field (key = the experiment's argument name)."""
    return Field(name, default, low, high, step=step, label=label)


@dataclass(frozen=True)
class Link:
    """A link from a card to another page of the app, as data: the page's script and its query."""

    label: str
    page: str  # the script path st.page_link takes, e.g. "app_pages/parameters.py"
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    slug: str  # the card's anchor: /questions#slug
    title: str
    answer: str
    run: Callable[..., Any]  # the experiment: control values as keyword arguments -> a result
    figure: Callable[[Any], Any]  # result -> a plotly figure, a pandas DataFrame or a matrix table (str, HTML)
    summary: Callable[[Any], str]  # result -> one line with the live numbers
    source: str  # where the question comes from, in public
    controls: tuple[Field, ...] = ()
    links: tuple[Link, ...] = ()  # to the pages that show more of the answer
    code: Callable[..., str] | None = None  # code the card shows, from the same control values


LR = Control("lr", "learning rate", 0.1, 0.001, 1.0, 0.001)
WD = Control("weight_decay", "weight decay", 0.5, 0.0, 5.0, 0.01)


def seed_w() -> torch.Tensor:
    """The seed problem's 4x5 W_0, the matrix most cards run on."""
    return make_problem().w0.clone()
