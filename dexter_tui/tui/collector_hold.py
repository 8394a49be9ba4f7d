"""The garbage collector held off while the list's filter is typed or an event is opened, and
run in the pause after.

Why: with 100k rows loaded, each filter key makes a few lists of up to 100k items (the narrowed
rows and lines, the table's visible rows). Every young-generation pass in the key's frame walked
them (~1-3 ms each, 3-12 passes a key), and now and then a full pass walked every kept result
(17-54 ms in one key). Opening a 1 MB event makes ~100k objects that all stay alive (its JSON,
its model, the screen's widgets): the passes over them were 15-30 ms before its stack was drawn.
Held off meanwhile, the collector runs once when the work pauses (`memory.settle`: collected,
then what lives frozen out of its sight), in time nobody waits on.

The hold is process-wide (`gc.disable`), so it is short and always given back: `PAUSE` after the
last `hold`, at most `LONGEST` in one go, and at once when its input or screen goes away
(`release`).
"""

from __future__ import annotations

import asyncio
import gc
import time

from dexter_tui.services import memory

#: seconds without a `hold` before the collector runs again: longer than a typist's pause between
#: keys (the collection walks what the filter keeps, ~50-80 ms at 100k rows: not in a key's way)
PAUSE = 1.0
#: never held longer than this: a key after it collects first (a very long burst of typing)
LONGEST = 10.0

_held_since: float | None = None
_resume: asyncio.TimerHandle | None = None
#: whether the release may freeze what lives (`memory.settle`): not while a screen that goes away
#: again is alive (an event's), since frozen reference cycles are never collected
_freeze = True


def held() -> bool:
    """Whether a filter being typed or an event being opened holds the collector off now."""
    return _held_since is not None


def hold(*, freeze: bool = True) -> None:
    """A filter key, an event being opened: hold the collector off until `PAUSE` from now.
    `freeze=False`: what lives now must not be frozen when the hold ends (only collected)."""
    global _held_since, _resume, _freeze
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
        _freeze = True
    _freeze = _freeze and freeze
    if _resume is not None:
        _resume.cancel()
    _resume = loop.call_later(PAUSE, release)


def release(*, collect: bool = True) -> None:
    """Give the collector back (the work paused, or its input or screen goes away); `collect`:
    run it now, and freeze what lives as after a page of issues unless a `hold` said not to."""
    global _held_since, _resume
    if _resume is not None:
        _resume.cancel()
        _resume = None
    if _held_since is None:
        return
    _held_since = None
    gc.enable()
    if collect and _freeze:
        memory.settle()
    elif collect:
        gc.collect(1)  # what the hold kept from the young passes, in one pass now
