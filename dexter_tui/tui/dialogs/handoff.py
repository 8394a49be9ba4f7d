"""The hand-off dialog (`H`): pick what to copy, see exactly that text, `enter` copies it."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class HandoffDialog(Dialog[tuple[str, str] | None]):
    """Returns (label, text) of the chosen copy; the preview shows the text literally."""

    DEFAULT_CSS = """
    HandoffDialog > Vertical { width: 90%; height: 85%; }
    HandoffDialog OptionList { height: auto; max-height: 6; border: none; }
    HandoffDialog #handoff-preview { height: 1fr; border: solid $accent; }
    HandoffDialog .hint { height: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="handoff.cancel")]

    def __init__(self, choices: Sequence[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.choices = list(choices)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield OptionList(
                *(Option(label, id=str(n)) for n, (label, _) in enumerate(self.choices))
            )
            with VerticalScroll(id="handoff-preview"):
                yield Static(id="handoff-text")
            yield Static("enter: copy (OSC 52) · esc: cancel", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()
        self._preview(0)

    @property
    def preview_text(self) -> str:
        """The text shown (and copied on enter), as the reader sees it."""
        return str(self.query_one("#handoff-text", Static).render())

    def _preview(self, index: int) -> None:
        text = self.choices[index][1]
        self.query_one("#handoff-text", Static).update(
            safe_text(text, multiline=True, no_wrap=False)
        )

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._preview(int(event.option.id or 0))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
