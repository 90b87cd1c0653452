"""core.allocator: freed blocks of a training step's sizes are reused, not faulted in afresh."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from core import allocator

# Three 690 kB blocks (a 12x12 sweep's block) allocated, written and freed, 50 times: with glibc's own
# thresholds the freed heap top is trimmed each time and the next blocks fault their pages in again.
STEPS = """
import resource, sys
import numpy as np
from core.allocator import reuse_freed_memory
if sys.argv[1] == "reuse":
    assert reuse_freed_memory()
def step():
    blocks = [np.ones((432, 201)) for _ in range(3)]
    del blocks
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's thresholds are glibc's")


def page_faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", STEPS, mode], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    return int(done.stdout)


@glibc_only
def test_freed_blocks_are_reused_instead_of_faulted_in_again():
    assert page_faults("default") > 50 * 3 * 100  # each block's ~170 pages, step after step
    assert page_faults("reuse") < 100


@glibc_only
def test_the_thresholds_bound_what_an_idle_process_keeps():
    assert allocator.MMAP_THRESHOLD_BYTES < allocator.TRIM_THRESHOLD_BYTES <= 32 * 2**20
