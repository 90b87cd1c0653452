"""Shared fixtures for every test.

The suite mirrors the code: tests/test_<module>.py for core modules (checked against
torch.optim, the oracle, in float64 with tight tolerances; the contract all update rules
share in test_rule_contract.py, their shared comparison loop in oracle_helpers.py),
test_page_<page>.py for pages through Streamlit's AppTest (page_helpers.py reads what
they rendered), and test_browser.py driving a real chromium (marker `browser`, slow).
Timing lives in benchmarks/, never in a test.
"""

import functools

import pytest
import torch
from streamlit.components.v2 import manifest_scanner

# Every AppTest scans all installed packages' metadata for custom components on its first run
# (0.15 s of a 0.2 s page run, most of what a fresh AppTest costs). The packages do not change
# while the tests run, so one scan serves them all.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture
def gen() -> torch.Generator:
    """A freshly seeded generator per test, so every random problem is reproducible."""
    return torch.Generator().manual_seed(0)


pytest_plugins = ["tests.browser_fixtures"]  # server and browser, for the browser test files
