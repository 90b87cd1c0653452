"""Training slots: at most `size` at once, and a visitor who must wait is told so before it blocks."""

from __future__ import annotations

import threading

import pytest

from core.slots import Slots, waiting_message


def test_a_free_slot_is_taken_without_a_message():
    slots, messages = Slots(2), []
    with slots.hold(messages.append):
        assert slots.active == 1
    assert slots.active == 0 and messages == []


def test_a_queued_visitor_sees_that_it_is_queued_until_a_slot_frees():
    slots = Slots(2)
    busy, release = threading.Event(), threading.Event()
    entered, asked, messages = threading.Event(), threading.Event(), []

    def trainer():
        with slots.hold():
            busy.set()
            release.wait(10)

    trainers = [threading.Thread(target=trainer) for _ in range(2)]
    for t in trainers:
        busy.clear()
        t.start()
        assert busy.wait(10)

    def queued():
        with slots.hold(lambda message: (messages.append(message), asked.set())):
            entered.set()

    visitor = threading.Thread(target=queued)
    visitor.start()
    assert asked.wait(10)
    assert messages == ["Waiting for a free training slot (2 visitors are training)…"]
    assert not entered.is_set() and slots.active == 2  # still queued
    release.set()
    assert entered.wait(10)
    for t in (*trainers, visitor):
        t.join(10)
    assert slots.active == 0


def test_waiting_message_counts_visitors():
    assert waiting_message(1) == "Waiting for a free training slot (1 visitor is training)…"
    assert "3 visitors are training" in waiting_message(3)


def test_a_slot_is_released_when_the_work_fails():
    slots = Slots(1)
    with pytest.raises(RuntimeError), slots.hold():
        raise RuntimeError("boom")
    assert slots.active == 0
