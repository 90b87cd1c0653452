"""The shared results cache: bounded by bytes, least recently used evicted first, results
read-only, and concurrent identical requests computed once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.cache import ENTRY_BYTES, ByteLRU, nbytes
from core.train.config import TrainConfig
from core.train.sweep import Grid
from core.train.training import train

MB = 2**20


def blob(megabytes: float) -> np.ndarray:
    return np.zeros(int(megabytes * MB), dtype=np.uint8)


def test_nbytes_counts_the_arrays_of_a_history_and_of_grids():
    h = train(TrainConfig(task="toy", epochs=3, weight_decays=(0.0, 0.1)))
    arrays = [h.lr_factor, h.train_loss, h.test_loss, h.snapshot_steps, *h.norms.values(), *h.final.values(),
              *h.snapshots.values()]
    assert nbytes(h) == ENTRY_BYTES + sum(a.nbytes for a in arrays)
    grid = Grid("sgd", np.zeros((4, 5)), np.zeros((4, 5)), np.zeros((4, 5)), np.zeros((4, 5), dtype=bool))
    assert nbytes({"sgd": grid, "adamw": grid}) == ENTRY_BYTES + 3 * 160 + 20  # the same grid counted once


def test_eviction_is_by_bytes_least_recently_used_first():
    cache = ByteLRU(max_bytes=10 * MB)
    cache.put("a", blob(4))
    cache.put("b", blob(4))
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("c", blob(4))  # 12 MB > 10 MB: "b" goes, not "a"
    assert "a" in cache and "b" not in cache and "c" in cache
    assert cache.bytes <= cache.max_bytes and len(cache) == 2


def test_many_small_results_are_bounded_too():
    cache = ByteLRU(max_bytes=100 * ENTRY_BYTES)
    for i in range(1000):
        cache.put(i, i)
    assert len(cache) == 100 and cache.bytes == 100 * ENTRY_BYTES


def test_a_result_larger_than_the_cap_is_returned_but_not_kept():
    cache = ByteLRU(max_bytes=10 * MB)
    cache.put("small", blob(1))
    big = cache.get_or_compute("big", lambda: blob(11))
    assert big.nbytes == 11 * MB
    assert "big" not in cache and "small" in cache and cache.bytes < 2 * MB


def test_stored_results_are_read_only():
    cache = ByteLRU(max_bytes=10 * MB)
    h = cache.get_or_compute("h", lambda: train(TrainConfig(task="seed", epochs=2)))
    with pytest.raises(ValueError, match="read-only"):
        h.norms["W"][0, 0] = 1.0


def test_two_concurrent_identical_requests_compute_once_and_get_the_same_result():
    cache = ByteLRU(max_bytes=10 * MB)
    started, release, waiting, calls, waits = threading.Event(), threading.Event(), threading.Event(), [], []
    results = {}

    def compute():
        calls.append(1)
        started.set()
        release.wait(10)
        return blob(1)

    def visitor(name):
        results[name] = cache.get_or_compute("same", compute, on_wait=lambda: (waits.append(name), waiting.set()))

    first = threading.Thread(target=visitor, args=("first",))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=visitor, args=("second",))
    second.start()
    assert waiting.wait(10)  # the second visitor waits for the first one's result
    release.set()
    first.join(10)
    second.join(10)
    assert len(calls) == 1 and waits == ["second"]
    assert results["first"] is results["second"] and "same" in cache


def test_when_the_first_request_fails_the_waiting_one_computes_it_itself():
    cache = ByteLRU(max_bytes=10 * MB)
    started, release, waiting = threading.Event(), threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(10)
        raise RuntimeError("the first visitor left")

    errors, results = [], []

    def first():
        try:
            cache.get_or_compute("k", failing)
        except RuntimeError as err:
            errors.append(err)

    t1 = threading.Thread(target=first)
    t1.start()
    assert started.wait(10)
    t2 = threading.Thread(target=lambda: results.append(cache.get_or_compute("k", lambda: 42, on_wait=waiting.set)))
    t2.start()
    assert waiting.wait(10)
    release.set()
    t1.join(10)
    t2.join(10)
    assert len(errors) == 1 and results == [42] and cache.get("k") == 42
