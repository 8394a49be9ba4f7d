"""Rendered lines that leave no reference cycles behind: the table's strip cache, and Textual's
`Strip.divide` / `Strip.crop_extend` without the cycles they make.

Why: the issue list freezes what is loaded out of the garbage collector's sight after each page
(`services/memory.py`), and everything alive at that moment is frozen with it — the lines on
screen too. An object frozen while alive and dropped later is freed only if its reference count
drops to zero: a frozen *cycle* is never freed. Every line drawn was in one:

- `Strip.divide` caches its result on the strip, and a strip divided without a cut (the
  compositor does this to every line of every frame) caches a list holding itself;
  `Strip.crop_extend` to the strip's own extent caches the strip itself;
- Textual's `LRUCache` links its entries in a ring of lists, itself a cycle once cleared (the
  table clears its strips on every redraw, poll and resize).

Paging through 100k issues leaked ~2 KB per issue that way (a few screens of lines per page:
3 KB per issue in all, 365 MiB at 100k). `untie_strips` answers those calls without caching
(the strip itself: cheaper than a look-up); `StripCache` keeps its order in an
`OrderedDict` (in C, no Python objects between entries). A dropped line is then freed by its
reference count at once, frozen or not.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from rich.style import Style
from textual.strip import Strip

K = TypeVar("K")
V = TypeVar("V")


def untie_strips() -> None:
    """`Strip.divide` and `Strip.crop_extend` answer a call that leaves the strip as it is with
    the strip itself, not cached on it (the cached answer held the strip: a cycle per line
    drawn). Any other call is theirs, cached as before. Idempotent."""
    divide, crop_extend = Strip.divide, Strip.crop_extend
    if getattr(divide, "untied", False):
        return

    def untied_divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        length = self.cell_length
        kept = [cut for cut in cuts if cut <= length]  # as `divide` does
        if kept == [length]:
            return [self]
        return divide(self, kept)

    def untied_crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
        if start == 0 and end == self.cell_length:
            return self
        return crop_extend(self, start, end, style)

    untied_divide.untied = True  # type: ignore[attr-defined]
    Strip.divide = untied_divide  # type: ignore[method-assign]
    Strip.crop_extend = untied_crop_extend  # type: ignore[method-assign]


class StripCache(Generic[K, V]):
    """`get` / `[key] = value` / `clear` with a maximum size; the oldest-used entry goes first."""

    __slots__ = ("_data", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, default: V | None = None) -> V | None:
        data = self._data
        value = data.get(key)
        if value is None:
            return default
        data.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        data = self._data
        data[key] = value
        data.move_to_end(key)
        if len(data) > self.maxsize:
            data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def keys(self) -> Iterable[K]:
        return self._data.keys()

    def discard(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


untie_strips()
