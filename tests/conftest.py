"""Shared fixtures. Nothing here imports streamlit: the tests cover the numeric core only."""

import pytest
import torch


@pytest.fixture
def gen() -> torch.Generator:
    """A freshly seeded generator per test, so every random problem is reproducible."""
    return torch.Generator().manual_seed(0)
