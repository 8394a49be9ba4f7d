"""Memory after a page of issues is loaded: garbage collected before the rest is frozen.

Why: `gc.freeze()` keeps what is loaded out of the collector's full passes (with 100k issues
those froze the UI for a second), but it freezes *everything* tracked at that moment, garbage
too. Collecting only the young generations first left the old generation's garbage — reference
cycles that lived long enough to be promoted, such as each page's httpx response (~150 KB of
JSON with its parsed objects) — frozen, so never freed: ~3 KB per loaded issue, most of the
app's memory at 100k. After the first freeze the old generation holds only what was promoted
since, so a full collection there is as cheap as a young one; before it (the first page, when
the startup's modules are all still in it) it would scan everything once, so the young
generations are enough then.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect the garbage (the old generation too, once something is frozen), then freeze the
    rest out of the collector's sight."""
    gc.collect(2 if gc.get_freeze_count() else 1)
    gc.freeze()
