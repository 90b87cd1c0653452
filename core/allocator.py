"""Freed tensor memory kept for the next step instead of handed back to the kernel.

A batched training allocates and frees the same few block sizes every step (a 12x12 sweep's
(144, 201) and (432, 201) float64 tensors: 230 and 690 kB). glibc's malloc serves blocks past a
threshold that starts at 128 kB with mmap, and trims the free top of its heap past twice that, so the
next step's tensor of the same size is often fresh pages the kernel zeroes on first touch: 19,000-39,000
page faults per 12x12 sweep, 10 % of its training (0.49-0.52 s -> 0.44-0.47 s on one thread, measured
2026-11-28; the 16x16 SGD grid of benchmarks/sweep.py 5-8 %). Fixed thresholds keep those blocks in the
heap. They also bound what an idle process keeps: glibc's own thresholds rise with the blocks it frees,
up to 32 MB and 64 MB per arena; these stop at MMAP_THRESHOLD_BYTES and TRIM_THRESHOLD_BYTES.
"""

from __future__ import annotations

import ctypes
import ctypes.util

MMAP_THRESHOLD_BYTES = 4 * 2**20  # past it, blocks come from mmap and go back when freed (a 24x24 grid's: 2.8 MB)
TRIM_THRESHOLD_BYTES = 16 * 2**20  # free heap top kept per arena before it is handed back
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def reuse_freed_memory() -> bool:
    """Set glibc's thresholds for this process; False (and nothing changed) where the C library is
    not glibc (macOS, musl), whose allocators do not behave this way or lack mallopt."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        if not hasattr(libc, "gnu_get_libc_version"):
            return False
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
                    and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
    except (OSError, TypeError, AttributeError):
        return False
