"""Where to export and how much: the loaded rows, or every page up to a limit."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from dexter_tui.services.export import format_for
from dexter_tui.tui.dialogs.base import Dialog


@dataclass(frozen=True)
class ExportRequest:
    path: str
    all_pages: bool


class ExportDialog(Dialog[ExportRequest | None]):
    """The file name's extension picks the format: .csv, .json or .md."""

    DEFAULT_CSS = """
    ExportDialog > Vertical { width: 72; }
    ExportDialog #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, loaded: int, *, has_more: bool, page_limit: int):
        super().__init__()
        self.loaded = loaded
        self.has_more = has_more
        self.page_limit = page_limit

    def compose(self) -> ComposeResult:
        stamp = time.strftime("%Y%m%d-%H%M")
        default = str(Path.cwd() / f"dexter-issues-{stamp}.csv")
        with Vertical():
            yield Static(f"Export {self.loaded} loaded issues — .csv, .json or .md")
            yield Input(default, id="path")
            yield Checkbox(
                f"also fetch the remaining pages (up to {self.page_limit * 100} issues)",
                value=False,
                disabled=not self.has_more,
                id="all",
            )
            yield Static("", id="error")
            yield Static("enter to export, esc to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path or format_for(Path(path)) is None:
            self.query_one("#error", Static).update(
                "Choose a file name ending in .csv, .json or .md"
            )
            return
        self.dismiss(ExportRequest(path, self.query_one("#all", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
