"""The ignore menu: forever, until escalating, for a while, until N more events or users."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.services.actions import IGNORE_DURATIONS, IgnoreSpec, format_minutes
from dexter_tui.tui.dialogs.base import Dialog

#: option id -> spec (count kinds ask for N first)
_FIXED: dict[str, IgnoreSpec] = {
    "forever": IgnoreSpec("forever"),
    "until_escalating": IgnoreSpec("until_escalating"),
    **{f"for_{m}": IgnoreSpec("duration", minutes=m) for m in IGNORE_DURATIONS},
}


class IgnoreMenu(Dialog[IgnoreSpec | None]):
    """Pick how to ignore; `count`/`users` then ask for N in an input."""

    DEFAULT_CSS = """
    IgnoreMenu > Vertical { width: 44; }
    IgnoreMenu OptionList { height: auto; max-height: 12; border: none; }
    IgnoreMenu Input { display: none; }
    IgnoreMenu.asking Input { display: block; }
    IgnoreMenu.asking OptionList { display: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ignore_menu.cancel")]

    def __init__(self, count: int = 1):
        super().__init__()
        self.count = count
        self._asking: str | None = None

    def compose(self) -> ComposeResult:
        noun = "issue" if self.count == 1 else "issues"
        with Vertical():
            yield Static(f"Ignore {self.count} {noun}", classes="title")
            options = [
                Option("Forever", id="forever"),
                Option("Until escalating", id="until_escalating"),
                *(Option(f"For {format_minutes(m)}", id=f"for_{m}") for m in IGNORE_DURATIONS),
                Option("Until N more events…", id="count"),
                Option("Until N more users…", id="users"),
            ]
            yield OptionList(*options)
            yield Input(placeholder="N (a whole number), enter to confirm", type="integer")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id in _FIXED:
            self.dismiss(_FIXED[option_id])
            return
        self._asking = option_id
        self.add_class("asking")
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            n = int(event.value)
        except ValueError:
            n = 0
        if n <= 0:
            self.notify("Enter a whole number above 0", severity="warning")
            return
        self.dismiss(IgnoreSpec("count" if self._asking == "count" else "users", count=n))

    def action_cancel(self) -> None:
        self.dismiss(None)
