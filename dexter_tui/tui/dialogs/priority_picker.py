"""The priority picker: high, medium or low for the selected issues (Sentry's issue priority)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.services.actions import PRIORITIES
from dexter_tui.tui.dialogs.base import Dialog

#: the glyph beside each word: severity is never colour alone
GLYPHS = {"high": "▲", "medium": "■", "low": "▼"}


class PriorityPicker(Dialog[str | None]):
    """Returns "high", "medium" or "low"; the current one (if all agree) is highlighted."""

    DEFAULT_CSS = """
    PriorityPicker > Vertical { width: 40; }
    PriorityPicker OptionList { height: auto; max-height: 6; border: none; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="priority_picker.cancel"),
        Binding("h", "pick('high')", "High", show=False, id="priority_picker.high"),
        Binding("m", "pick('medium')", "Medium", show=False, id="priority_picker.medium"),
        Binding("l", "pick('low')", "Low", show=False, id="priority_picker.low"),
    ]

    def __init__(self, count: int, current: str | None = None) -> None:
        super().__init__()
        self.count = count
        self.current = current

    def compose(self) -> ComposeResult:
        noun = "issue" if self.count == 1 else "issues"
        with Vertical():
            yield Static(f"Priority of {self.count} {noun}", classes="title")
            yield OptionList(
                *(
                    Option(f"{GLYPHS[p]} {p}" + ("  (now)" if p == self.current else ""), id=p)
                    for p in PRIORITIES
                )
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = PRIORITIES.index(self.current) if self.current in PRIORITIES else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, priority: str) -> None:
        self.dismiss(priority)

    def action_cancel(self) -> None:
        self.dismiss(None)
