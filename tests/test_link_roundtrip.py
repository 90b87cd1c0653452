"""The link always equals the view (issue 13, done-when): whatever a visitor sets on a page,
its share link opens the same view in a fresh session, and holds no key the page does not own.

Each example opens a page through app.py, moves one to three of the widgets it shows to random
values inside their own bounds (tests/test_fuzz_pages.py draws them as a browser would send
them), reads the share link from the sidebar, opens that link in a fresh AppTest session and
compares every widget's value. Examples are derandomized, so CI is repeatable.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from tests.page_helpers import open_page, page_fields
from tests.test_fuzz_pages import set_randomly, widgets
from tests.test_state import PAGES, SHARED, share_link

EXAMPLES = {"single_step": 8, "theory": 5, "questions": 4, "parameters": 4, "training": 2, "sweep": 2, "frontier": 3}


def view(at) -> dict:
    return {key: w.value for key, w in widgets(at).items()}


def same(a, b) -> bool:
    """Equal values; floats to 1e-9 (a link writes 12 significant digits)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9)
    return a == b


@pytest.mark.parametrize("page", PAGES)
def test_the_share_link_opens_the_same_view_and_names_only_the_pages_keys(page):
    own = {f.key for f in page_fields(page)} | SHARED

    @settings(max_examples=EXAMPLES[page], deadline=None, derandomize=True, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=hst.data())
    def check(data):
        at, trail = open_page(page), []
        for _ in range(data.draw(hst.integers(1, 3), label="moves")):
            shown = widgets(at)
            trail.append(set_randomly(shown[data.draw(hst.sampled_from(sorted(shown)), label="widget")], data.draw))
            at.run()
            assert not at.exception, (trail, [e.value for e in at.exception])
        link = share_link(at)
        assert set(link) <= own, (trail, sorted(set(link) - own))
        again = open_page(page, link)
        assert not again.exception, (trail, link, [e.value for e in again.exception])
        before, after = view(at), view(again)
        assert before.keys() == after.keys(), (trail, link)
        differ = {k: (before[k], after[k]) for k in before if not same(before[k], after[k])}
        assert not differ, (trail, link, differ)

    check()
