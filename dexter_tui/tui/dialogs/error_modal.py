"""A modal for errors a person must act on (bad token, missing scope, bad config)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class ErrorModal(Dialog[None]):
    """Says what went wrong and what to do next; the data behind it stays as it was."""

    DEFAULT_CSS = """
    ErrorModal > Vertical { width: 80%; max-width: 90; border: thick $error; padding: 1 2; }
    ErrorModal .title { text-style: bold; margin-bottom: 1; }
    ErrorModal .hint { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="error_modal.close")]

    def __init__(self, title: str, message: str, hint: str = ""):
        super().__init__()
        self.title_text = title
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield Static(safe_text(self.message, multiline=True, no_wrap=False))
            if self.hint:
                yield Static(safe_text(self.hint, multiline=True, no_wrap=False), classes="hint")
            yield Static("enter/esc to close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
