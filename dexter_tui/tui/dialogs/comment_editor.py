"""A multi-line comment editor. The text is reported on every change, so the caller keeps a
draft that survives a failed send, `esc`, and navigating away."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class CommentEditor(Dialog[str | None]):
    """`ctrl+s` sends (returns the text), `esc` closes and keeps the draft."""

    DEFAULT_CSS = """
    CommentEditor > Vertical { width: 90; max-width: 95%; height: 20; max-height: 90%; }
    CommentEditor .title { text-style: bold; height: 1; margin-bottom: 1; }
    CommentEditor TextArea { height: 1fr; }
    CommentEditor .hint { color: $text-muted; height: 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True, id="comment_editor.send"),
        Binding("escape", "close", "Close (keep draft)", id="comment_editor.close"),
    ]

    def __init__(
        self,
        title: str,
        text: str = "",
        *,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.on_change = on_change

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield TextArea(self.initial, id="comment-text", soft_wrap=True, show_line_numbers=False)
            yield Static("ctrl+s send · esc close (the draft is kept)", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        if self.on_change is not None:
            self.on_change(event.text_area.text)

    def action_send(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify("The comment is empty", severity="warning")
            return
        self.dismiss(text)

    def action_close(self) -> None:
        self.dismiss(None)
