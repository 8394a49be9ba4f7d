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

import sys
import threading
import time
from types import SimpleNamespace
from typing import Any

#: seconds after the app starts when the warm-up starts even if the list has not loaded yet
DELAY = 3.0
#: seconds between two looks at the list before its first rows
CHECK_EVERY = 0.05
#: seconds between two looks for the event screen's module (imported by the warm-up's thread)
STYLES_EVERY = 0.1

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


def _styles_ready(app: Any, tries: int = 50) -> None:
    """Add the event screen's widgets' CSS to `app`'s stylesheet now, while the list is idle.

    Why: Textual adds a widget class's CSS the first time one of its widgets mounts, and parses
    the whole stylesheet again each time: the event screen's first open did that nine times
    (~10 ms). Added here with Textual's own locations, so mounting finds them known."""
    if not app.is_running:
        return
    screen_module = sys.modules.get("dexter_tui.tui.screens.event_detail")
    # not imported yet, or still being imported by the warm-up's thread (its screen class,
    # which `styled_widgets` names, comes last)
    if screen_module is None or not hasattr(screen_module, "EventDetailScreen"):
        if tries:
            app.set_timer(STYLES_EVERY, lambda: _styles_ready(app, tries - 1))
        return
    from textual.dom import DOMNode

    stylesheet = app.stylesheet
    for widget_class in screen_module.styled_widgets():
        node = SimpleNamespace(_node_bases=DOMNode._css_bases(widget_class))
        for read_from, css, tie_breaker, scope in DOMNode._get_default_css(node):  # type: ignore[arg-type]
            stylesheet.add_source(
                css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope
            )
    stylesheet.rules_map  # noqa: B018 - parsed now, not in the first open's frames


def prewarm_later(app: Any) -> None:
    """Warm the event detail up in a thread once the list's first rows are painted, at the
    latest `DELAY` seconds from now (the imports once per process, the styles once per app)."""
    deadline = time.monotonic() + DELAY

    def check() -> None:
        if _listed(app) or time.monotonic() >= deadline:
            timer.stop()
            app.call_after_refresh(_start)  # after the frame that shows the rows
            app.call_after_refresh(_styles_ready, app)

    timer = app.set_interval(CHECK_EVERY, check)
