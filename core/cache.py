"""A process-wide cache of computed results, bounded by bytes, shared by every visitor.

st.cache_data bounds a cache by entries only (max_entries, ttl): 64 entries of 340 MB each
is 21 GB. Here the bound is the bytes the results hold (their numpy arrays, found by
walking dataclasses, dicts and sequences): the least recently used results go first, and
a result larger than the whole cap is returned to its caller but not kept.

One result object serves every visitor (no copy per hit), so its arrays are made
read-only when it is stored: a page that tried to change one would fail loudly in a test
instead of quietly changing another visitor's charts.

Two visitors asking for the same missing result at once do the work once: the second
waits for the first's result. If the first fails (say its visitor left mid-training),
the second computes it itself.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
MISSING = object()
ENTRY_BYTES = 4096  # counted per entry besides its arrays (key, dataclasses, dicts): many tiny results add up too


def _arrays(value: Any, seen: set[int] | None = None) -> Iterator[np.ndarray]:
    """Every numpy array inside value, each once."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _arrays(getattr(value, f.name), seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _arrays(item, seen)


def nbytes(value: Any) -> int:
    """The bytes a result holds: its numpy arrays' data, plus ENTRY_BYTES."""
    return ENTRY_BYTES + sum(a.nbytes for a in _arrays(value))


def freeze(value: T) -> T:
    """Make every numpy array inside value read-only; returns value."""
    for a in _arrays(value):
        a.flags.writeable = False
    return value


class _Pending:
    """A result being computed by one caller, waited for by others."""

    def __init__(self):
        self.done = threading.Event()
        self.ok = False
        self.value: Any = None


class ByteLRU:
    """key -> result, at most max_bytes of results (by `size`), least recently used evicted first."""

    def __init__(self, max_bytes: int, size: Callable[[Any], int] = nbytes):
        self.max_bytes, self._size = max_bytes, size
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, default: Any = MISSING) -> Any:
        """The stored result (now the most recently used), or default."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: Hashable, value: T) -> T:
        """Store value (read-only from now on) unless it alone exceeds the cap; evict the least recently used."""
        freeze(value)
        size = self._size(value)
        with self._lock:
            if key in self._items:
                self.bytes -= self._items.pop(key)[1]
            if size <= self.max_bytes:
                self._items[key] = (value, size)
                self.bytes += size
                while self.bytes > self.max_bytes:
                    self.bytes -= self._items.popitem(last=False)[1][1]
        return value

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], on_wait: Callable[[], None] | None = None) -> T:
        """The stored result, or compute() once however many callers ask at the same time:
        the others call on_wait() and wait for it; if it fails they try again themselves."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key][0]
                pending = self._pending.get(key)
                owner = pending is None
                if owner:
                    pending = self._pending[key] = _Pending()
            if owner:
                break
            if on_wait is not None:
                on_wait()
            pending.done.wait()
            if pending.ok:
                return pending.value
        try:
            value = self.put(key, compute())
            pending.value, pending.ok = value, True
            return value
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()
