"""The event detail made ready while the list sits idle, so the first `enter` costs what later
ones do.

Why: the first event opened in a session also imported the event screen's modules, built the
`Event` model's validator (pydantic builds it on first use: `defer_build`) and loaded the Python
lexer for the source lines: a few hundred milliseconds more than every later open, on the open a
person notices most. Done once, in a thread, a few seconds after start (the list's first rows
are not delayed); an `enter` pressed meanwhile just waits for the import it needs.
"""

from __future__ import annotations

import threading
from typing import Any

#: seconds after the app starts
DELAY = 3.0

_started = threading.Event()


def _warm() -> None:
    from dexter_tui.sentry.models import Event
    from dexter_tui.tui.screens import event_detail  # noqa: F401  # its widgets with it
    from dexter_tui.tui.widgets.event_stack import _LEXER

    Event.model_validate({"id": "0", "entries": [{"type": "breadcrumbs", "data": {}}]})
    _LEXER.highlight("def f(x):\n    return x")


def prewarm_later(app: Any) -> None:
    """Warm the event detail up in a thread `DELAY` seconds from now (once per process)."""

    def start() -> None:
        if _started.is_set():
            return
        _started.set()
        threading.Thread(target=_warm, name="event-prewarm", daemon=True).start()

    app.set_timer(DELAY, start)
