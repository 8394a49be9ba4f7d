"""Memory after a page of issues is loaded: garbage collected before the rest is frozen, and the
heap's free pages handed back to the system once the loading stops.

Why: `gc.freeze()` keeps what is loaded out of the collector's full passes (with 100k issues
those froze the UI for a second), but it freezes *everything* tracked at that moment, garbage
too. Collecting only the young generations first left the old generation's garbage — reference
cycles that lived long enough to be promoted, such as each page's httpx response (~150 KB of
JSON with its parsed objects) — frozen, so never freed. After the first freeze the old
generation holds only what was promoted since, so a full collection there is as cheap as a
young one; before it (the first page, when the startup's modules are all still in it) it would
scan everything once, so the young generations are enough then.

Each page also parses ~100 full issues (≈1 MB) that are freed right after; glibc keeps such freed
memory in the process. `malloc_trim(0)` returns its free pages; it runs once, `TRIM_DELAY`
seconds after the last page of a burst (paging to the end loads hundreds), on the event loop.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
from collections.abc import Callable

#: seconds after the last settle before the heap is trimmed (one trim per burst of pages)
TRIM_DELAY = 1.0

_pending: asyncio.TimerHandle | None = None
#: a settle has frozen once: the old generation holds only what was promoted since. A flag, not
#: `gc.get_freeze_count()`, which counts the whole frozen list (~20 ms with 100k issues loaded)
_settled_once = False


def _load_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None (another libc: nothing to do)."""
    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's soname: no `ldconfig -p` run at start
    except OSError:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"))
        except OSError:
            return None
    return getattr(libc, "malloc_trim", None)


_malloc_trim = _load_trim()


def settle() -> None:
    """Collect the garbage (the old generation too, once something is frozen), freeze the rest
    out of the collector's sight, and trim the heap when no other page follows soon."""
    global _settled_once
    gc.collect(2 if _settled_once else 1)
    gc.freeze()
    _settled_once = True
    trim_later()


def trim() -> bool:
    """Hand the heap's free pages back to the system now; False where that cannot be done."""
    global _pending
    _pending = None
    if _malloc_trim is None:
        return False
    _malloc_trim(0)
    return True


def trim_later(delay: float = TRIM_DELAY) -> None:
    """`trim` once, `delay` seconds after the last call (outside an event loop: not at all)."""
    global _pending
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if _pending is not None:
        _pending.cancel()
    _pending = loop.call_later(delay, trim)
