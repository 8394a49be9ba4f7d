"""The garbage collector held off while the TUI imports and builds itself (issue 19).

Why: a start imports ~700 modules; every few hundred new objects CPython runs a collection, and
the older-generation passes walk everything imported so far — about 5 % of the start's work
(measured in instructions), for almost nothing (under a thousand objects are garbage by the time
the app runs). So the collector is off from the first line of `cli.main` until the app is
built; then what the start built is frozen (`gc.freeze`: it lives as long as the process, and
later passes need not walk it) and the collector is on again, before the app runs. Any other
command gets it back as soon as its module is chosen. Behaviour does not change; only when
collections happen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = False  # the collector is off because of `pause` (not the caller's own choice)


def pause() -> None:
    """Turn the collector off for the start, unless someone already turned it off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume(*, freeze: bool = False) -> None:
    """Turn it back on if `pause` turned it off; with `freeze`, what exists now is frozen first
    (the objects of the start). Does nothing otherwise."""
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.freeze()
    gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection inside; on leaving, freeze what was built and turn the collector back on
    (left off if it was off already: a caller's own choice wins)."""
    pause()
    try:
        yield
    finally:
        resume(freeze=True)
