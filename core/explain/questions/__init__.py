"""What people ask about weight decay, each answered by a small live experiment with torch.

A card is one module of this package declaring CARD = Question(...) (core.explain.questions.card):
title, a one-paragraph answer, an experiment (keyword arguments from its controls -> a
result), a figure builder, a one-line summary with the live numbers, the public source,
and optionally a link to another page and the code it ran. A new question is one module
plus one line in CARDS. Every claim an answer makes is checked numerically against
torch.optim in tests/test_questions.py.
"""

from __future__ import annotations

from typing import Any

from core.explain.questions import (
    adam_vs_adamw,
    bias_and_batchnorm,
    clipping,
    frozen,
    momentum,
    order,
    precision,
    recipes,
    schedule,
    schedule_wd,
)
from core.explain.questions.card import Control, Link, Question

CARDS = (adam_vs_adamw, schedule, recipes, bias_and_batchnorm, frozen, momentum, clipping, precision, order,
         schedule_wd)  # in the page's order
QUESTIONS: tuple[Question, ...] = tuple(module.CARD for module in CARDS)
BY_SLUG = {q.slug: q for q in QUESTIONS}

__all__ = ["BY_SLUG", "QUESTIONS", "Control", "Link", "Question", "run_question", "search"]


def run_question(slug: str, values: dict[str, float]) -> Any:
    """The experiment with the card's control values, each clipped to its declared range."""
    q = BY_SLUG[slug]
    kwargs = {}
    for c in q.controls:
        value = min(max(float(values.get(c.key, c.default)), c.low), c.high)
        kwargs[c.key] = int(value) if isinstance(c.default, int) else value
    return q.run(**kwargs)


def search(text: str) -> list[Question]:
    """Cards whose title or answer contains every word of text (case-insensitive)."""
    words = text.lower().split()
    return [q for q in QUESTIONS if all(w in (q.title + " " + q.answer).lower() for w in words)]
