"""`python -m core` prints the seed experiment like the notebook."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_m_core_prints_the_seed_numbers():
    """W_0's first entry, W_1 without and with decay, and the 'weight decay' labels all appear."""
    out = subprocess.run([sys.executable, "-m", "core"], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    for expected in ("0.4386", "0.2489", "0.2050", "weight decay"):
        assert expected in out
