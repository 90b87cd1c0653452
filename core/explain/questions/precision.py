"""Card: why does my weight decay do nothing? (The experiment and its text live in core.explain.precision.)"""

from __future__ import annotations

from core.explain.precision import precision, precision_answer, precision_figure, precision_summary
from core.explain.questions.card import Control, Question

CARD = Question(
    slug="precision",
    title="Why does my weight decay do nothing?",
    answer=precision_answer(),
    run=precision,
    figure=precision_figure,
    summary=precision_summary,
    source="torch.finfo; IEEE 754 rounding to nearest",
    controls=(Control("lr_wd", "lr·wd", 3e-3, 1e-4, 1e-2, 1e-4),),
)
