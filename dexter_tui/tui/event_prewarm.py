"""The event detail made ready while the list sits idle, so the first `enter` costs what later
ones do.

Why: the first event opened in a session also imported the event screen's modules, built the
`Event` model's validator (pydantic builds it on first use: `defer_build`) and loaded the Python
lexer for the source lines: ~0.6 G instructions (~150 ms on a quiet machine) more than every
later open, on the open a person notices most. Done once, in a thread, as soon as the list has
shown its first rows (so those are not delayed; a person takes longer than the warm-up to read
them and press `enter`), or `DELAY` seconds after start if the list has not loaded by then. An
`enter` pressed meanwhile just waits for the import it needs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

#: seconds after the app starts when the warm-up starts even if the list has not loaded yet
DELAY = 3.0
#: seconds between two looks at the list before its first rows
CHECK_EVERY = 0.05

_started = threading.Event()


def _warm() -> None:
    from dexter_tui.sentry.models import Event
    from dexter_tui.tui.screens import event_detail  # noqa: F401  # its widgets with it
    from dexter_tui.tui.widgets.event_stack import _LEXER

    Event.model_validate({"id": "0", "entries": [{"type": "breadcrumbs", "data": {}}]})
    _LEXER.highlight("def f(x):\n    return x")


def _listed(app: Any) -> bool:
    """The issue list has answered (rows, or none to show) or shows cached rows."""
    screen = getattr(app, "issues_screen", None)
    if screen is None or not screen.is_mounted:
        return False
    return bool(screen.feed.loaded_once or screen.table.row_count)


def _start() -> None:
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_warm, name="event-prewarm", daemon=True).start()


def prewarm_later(app: Any) -> None:
    """Warm the event detail up in a thread once the list's first rows are painted, at the
    latest `DELAY` seconds from now (once per process)."""
    if _started.is_set():
        return
    deadline = time.monotonic() + DELAY

    def check() -> None:
        if _listed(app) or time.monotonic() >= deadline:
            timer.stop()
            app.call_after_refresh(_start)  # after the frame that shows the rows

    timer = app.set_interval(CHECK_EVERY, check)
