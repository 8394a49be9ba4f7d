"""The table's lines leave no reference cycles: a frozen line that is dropped is still freed.

Why it matters: the issue list freezes what is loaded out of the collector's sight after each
page (`services/memory.py`); a line frozen while on screen and dropped later was never freed when
it sat in a cycle (~2 KB leaked per loaded issue while paging).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from textual.strip import Strip

from dexter_tui.tui.widgets.strip_cache import StripCache, untie_strips


def line(text: str = "hello world") -> Strip:
    return Strip([Segment(text[:5]), Segment(text[5:])])


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_dividing_a_line_without_a_cut_keeps_no_reference_to_it() -> None:
    untie_strips()
    strip = line()
    before = sys.getrefcount(strip)
    assert strip.divide([strip.cell_length]) == [strip]
    assert sys.getrefcount(strip) == before  # Textual's cached [strip] made a cycle


def test_dividing_with_cuts_still_cuts_and_is_cached() -> None:
    strip = line()
    first = strip.divide([5, 11])
    assert [s.text for s in first] == ["hello", " world"]
    assert strip.divide([5, 11]) is first


def test_a_frozen_line_divided_then_dropped_is_freed(unfrozen: None) -> None:
    freed: list[str] = []

    class Watched(Strip):
        __slots__ = ()

        def __del__(self) -> None:
            freed.append("line")

    strip = Watched([Segment("hello")])
    strip.divide([strip.cell_length])
    gc.freeze()  # as after a page: the line on screen is frozen
    del strip
    assert freed == ["line"]  # by its reference count, without the collector


def test_the_cache_keeps_the_most_recently_used_lines(unfrozen: None) -> None:
    cache: StripCache[str, Strip] = StripCache(2)
    a, b, c = line("aaaaa"), line("bbbbb"), line("ccccc")
    cache["a"] = a
    cache["b"] = b
    assert cache.get("a") is a  # a is now the most recent
    cache["c"] = c
    assert "b" not in cache
    assert cache.get("b") is None
    assert cache.get("a") is a
    assert cache.get("c") is c
    assert len(cache) == 2
    before = sys.getrefcount(a)
    cache.clear()
    assert len(cache) == 0
    assert sys.getrefcount(a) == before - 1  # released, no ring of entries left holding it


def test_crop_extend_to_the_lines_own_extent_keeps_no_reference_to_it() -> None:
    untie_strips()
    strip = line()
    before = sys.getrefcount(strip)
    assert strip.crop_extend(0, strip.cell_length, None) is strip
    assert sys.getrefcount(strip) == before
    longer = strip.crop_extend(0, 15, None)
    assert longer.cell_length == 15
    assert longer.text == "hello world    "
    assert strip.crop_extend(6, 11, None).text == "world"
