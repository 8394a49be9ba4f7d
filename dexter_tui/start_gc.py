"""The garbage collector held off while the TUI imports and builds itself (issue 19).

Why: a start imports ~700 modules; every few hundred new objects CPython runs a collection, and
the older-generation passes walk everything imported so far — about 3.5 % of the start's work,
for almost nothing (under a thousand objects are garbage by the time the app runs). So the
collector is off until the app is built, then what the start built is frozen (`gc.freeze`: it
lives as long as the process, and later passes need not walk it) and the collector is on again,
before the app runs. Behaviour does not change; only when collections happen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection inside; on leaving, freeze what was built and turn the collector back on
    (left off if it was off already: a caller's own choice wins)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
