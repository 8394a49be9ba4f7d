"""A yes/no confirmation that names the verb and the count, with No as the default."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class ConfirmDialog(Dialog[bool]):
    """Ask before a destructive or bulk action. `enter` on the focused button; No has focus."""

    DEFAULT_CSS = """
    ConfirmDialog > Vertical { width: 72; max-width: 90%; padding: 1 2; border: thick $warning; }
    ConfirmDialog .question { width: 100%; margin-bottom: 1; }
    ConfirmDialog Horizontal { width: 100%; height: auto; align-horizontal: right; }
    ConfirmDialog Button { margin-left: 2; min-width: 8; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("left,right,tab", "toggle_focus", "Switch", show=False, id="confirm.switch"),
    ]

    def __init__(self, question: str, *, yes_label: str = "Yes", danger: bool = False):
        super().__init__()
        self.question = question
        self.yes_label = yes_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                safe_text(self.question, multiline=True, no_wrap=False), classes="question"
            )
            with Horizontal():
                yield Button(
                    f"{self.yes_label} (y)",
                    id="yes",
                    variant="error" if self.danger else "primary",
                )
                yield Button("No (n)", id="no", variant="default")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_toggle_focus(self) -> None:
        target = "#yes" if self.focused is not None and self.focused.id == "no" else "#no"
        self.query_one(target, Button).focus()
