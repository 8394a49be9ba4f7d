"""A small list to choose one of several labels (quick filters, periods, environments)."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class PickDialog(Dialog[int | None]):
    """Returns the index of the chosen label, or None on escape."""

    DEFAULT_CSS = """
    PickDialog > Vertical { width: 60; }
    PickDialog OptionList { height: auto; max-height: 14; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, labels: Sequence[str]):
        super().__init__()
        self.title_text = title
        self.labels = list(labels)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text, "bold"))
            yield OptionList(
                *(Option(safe_text(label), id=str(n)) for n, label in enumerate(self.labels))
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
