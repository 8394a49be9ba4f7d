"""The base of every top-level view: status header, context line, body, footer; errors reported.

Why: six views repeated the context line's style and reached for their header and context widgets
by query; they now share one rule and two accessors, and their failed workers reach the app's one
error handler through `ReportsWorkerErrors`.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from dexter_tui.tui.screens.styled_once import StyledOnce
from dexter_tui.tui.screens.worker_errors import ReportsWorkerErrors
from dexter_tui.tui.widgets.status_header import StatusHeader


class ViewScreen(StyledOnce, ReportsWorkerErrors, Screen[None]):
    """A view composed of a `StatusHeader`, a `Static#context` line, its body and a `Footer`."""

    DEFAULT_CSS = """
    ViewScreen #context { height: 1; padding: 0 1; background: $boost; }
    """

    @property
    def status_header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    def show_context(self, text: Text) -> None:
        """Replace the context line (counts, sort, marks) under the header."""
        # one row high: a new text never changes the layout (a relayout per filter key cost ms)
        self.query_one("#context", Static).update(text, layout=False)
