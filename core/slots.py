"""A fixed number of slots for heavy work, shared by all visitors of one process, that
says how long the queue is to a visitor who has to wait.

Visitors share one interpreter, so letting every training compute at once only makes each
one slow. A request that finds every slot taken waits; without a word it would look like
a hung page, so the waiting visitor is told (waiting_message) before it blocks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def waiting_message(training: int) -> str:
    visitors = "1 visitor is" if training == 1 else f"{training} visitors are"
    return f"Waiting for a free training slot ({visitors} training)…"


class Slots:
    """At most `size` holders at once; the others wait in hold()."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"Need at least one slot, got {size}")
        self.size = size
        self._active = 0
        self._changed = threading.Condition()

    @property
    def active(self) -> int:
        with self._changed:
            return self._active

    def _try_acquire(self) -> bool:
        with self._changed:
            if self._active < self.size:
                self._active += 1
                return True
            return False

    @contextmanager
    def hold(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """A slot for the body. Free: taken at once, on_wait is not called. All taken:
        on_wait(waiting_message(...)) first, then wait for one."""
        if not self._try_acquire():
            if on_wait is not None:
                on_wait(waiting_message(self.active))
            with self._changed:
                self._changed.wait_for(lambda: self._active < self.size)
                self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify()
