"""ui.warmup: the server's one-time set-up includes keeping freed tensor memory (core.allocator)."""

from ui import warmup


def test_the_warm_up_keeps_freed_memory_for_the_next_step(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "reuse_freed_memory", lambda: calls.append(True) or True)
    warmup.warm_up.clear()
    try:
        assert warmup.warm_up()
    finally:
        warmup.warm_up.clear()
    assert calls == [True]
