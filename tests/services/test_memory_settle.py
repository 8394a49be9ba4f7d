"""`memory.settle`: garbage is freed before what is loaded is frozen, old garbage included."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from dexter_tui.services import memory


class Node:
    """A reference cycle (as an httpx response and its stream are): only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def old_garbage() -> weakref.ref[Node]:
    """A cycle that lived through a full collection (so sits in the old generation), then died."""
    node = Node()
    gc.collect()
    return weakref.ref(node)


def test_old_garbage_is_freed_not_frozen_once_pages_are_frozen(unfrozen: None) -> None:
    memory.settle()  # a page was settled before
    dead = old_garbage()
    assert dead() is not None  # nothing freed it yet
    memory.settle()
    assert dead() is None
    assert gc.get_freeze_count() > 0


def test_what_is_alive_is_frozen_out_of_the_collectors_sight(unfrozen: None) -> None:
    alive = Node()
    assert any(o is alive for o in gc.get_objects())
    memory.settle()
    assert alive.me is alive
    assert not any(o is alive for o in gc.get_objects())  # in the permanent generation


async def test_a_burst_of_pages_trims_the_heap_once_after_the_last(
    monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: trims.append(pad) or 1)
    for _ in range(3):  # three pages in a row
        memory.settle()
        memory.trim_later(0.05)
        await asyncio.sleep(0.01)
    assert trims == []  # not while pages keep coming
    await asyncio.sleep(0.2)
    assert trims == [0]


def test_outside_an_event_loop_nothing_is_scheduled(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: trims.append(pad) or 1)
    memory.trim_later()
    assert trims == []
    assert memory.trim() is True
    assert trims == [0]
