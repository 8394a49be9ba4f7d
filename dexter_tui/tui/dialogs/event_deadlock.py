"""The deadlock analysis of one event (`d` on the event screen), until the Deadlocks view exists.

Shows `dexter_tui.services.deadlock`'s text summary: the cycle, who waited for what, the queries
and the advice. The report came from the event, so it is shown literally.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dexter_tui.tui.widgets.event_text import shown


class DeadlockDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    DeadlockDialog { align: center middle; }
    DeadlockDialog > Vertical {
        width: 95%; height: 90%; border: thick $error; background: $surface; padding: 0 1;
    }
    DeadlockDialog .title { height: 1; text-style: bold; }
    DeadlockDialog .hint { height: 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,q,d", "close", "Close", id="deadlock_dialog.close"),
        Binding("c", "copy_query", "Copy blocking query", id="deadlock_dialog.copy"),
    ]

    def __init__(self, analysis, *, mask: bool) -> None:
        super().__init__()
        self.analysis = analysis
        self.mask = mask

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("PostgreSQL deadlock analysis", classes="title")
            with VerticalScroll():
                yield Static(
                    shown(self.analysis.render_text(), self.mask, multiline=True, no_wrap=False)
                )
            yield Static("c copy the blocking query · esc close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy_query(self) -> None:
        query = self.analysis.blocking_query()
        if query:
            self.app.copy_to_clipboard(query)
            self.notify("Copied the blocking query")
        else:
            self.notify("The report does not include the blocking query", severity="warning")
