"""The garbage collector held off while the list's filter is typed, and run in the pause after.

Why: with 100k rows loaded, each filter key makes a few lists of up to 100k items (the narrowed
rows and lines, the table's visible rows). Every young-generation pass in the key's frame walked
them (~1-3 ms each, 3-12 passes a key), and now and then a full pass walked every kept result
(17-54 ms in one key). Held off while the keys come, the collector runs once when the typing
pauses (`memory.settle`: collected, then what lives frozen out of its sight), in time
nobody waits on.

The hold is process-wide (`gc.disable`), so it is short and always given back: `PAUSE` after the
last key, at most `LONGEST` in one go, and at once when the input goes away (`release`).
"""

from __future__ import annotations

import asyncio
import gc
import time

from dexter_tui.services import memory

#: seconds without a key before the collector runs again: longer than a typist's pause between
#: keys (the collection walks what the filter keeps, ~50-80 ms at 100k rows: not in a key's way)
PAUSE = 1.0
#: never held longer than this: a key after it collects first (a very long burst of typing)
LONGEST = 10.0

_held_since: float | None = None
_resume: asyncio.TimerHandle | None = None


def held() -> bool:
    """Whether a typed filter holds the collector off now."""
    return _held_since is not None


def key() -> None:
    """A filter key: hold the collector off until the typing pauses."""
    global _held_since, _resume
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop to give it back from: leave the collector alone
    now = time.monotonic()
    if _held_since is not None and now - _held_since > LONGEST:
        release()
    if _held_since is None:
        if not gc.isenabled():
            return  # turned off by someone else: not ours to turn back on
        gc.disable()
        _held_since = now
    if _resume is not None:
        _resume.cancel()
    _resume = loop.call_later(PAUSE, release)


def release(*, collect: bool = True) -> None:
    """Give the collector back (the typing paused, or the input goes away); `collect`: run it
    now and freeze what lives, as after a page of issues."""
    global _held_since, _resume
    if _resume is not None:
        _resume.cancel()
        _resume = None
    if _held_since is None:
        return
    _held_since = None
    gc.enable()
    if collect:
        memory.settle()
