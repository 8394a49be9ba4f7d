"""Help generated from the live bindings of the screen underneath — never a hand-kept list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from dexter_tui.tui.dialogs.base import Dialog


@dataclass(frozen=True)
class HelpRow:
    key: str
    description: str
    binding_id: str
    enabled: bool


def help_rows(screen: Screen, key_display: callable) -> list[HelpRow]:  # type: ignore[valid-type]
    """One row per active binding of `screen` (focused widget, screen and app), deduplicated."""
    rows: dict[tuple[str, str], HelpRow] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.tooltip or binding.action
        row = HelpRow(
            key=key_display(binding) or key,
            description=description,
            binding_id=binding.id or "",
            enabled=active.enabled,
        )
        rows.setdefault((binding.action, row.key), row)

    def order(row: HelpRow) -> tuple[int, str, str]:
        scope = row.binding_id.split(".")[0] if row.binding_id else ""
        rank = {"app": 2, "fast_table": 1, "": 3}.get(scope, 0)  # the screen's own keys first
        return (rank, scope, row.description)

    return sorted(rows.values(), key=order)


class HelpScreen(Dialog[None]):
    """`?`: the keys that work right here, then how the priority score is computed."""

    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss_help", "Close", id="help.close")]

    def __init__(self, rows: Iterable[HelpRow], notes: Iterable[tuple[str, str]] = ()):
        super().__init__()
        self.rows = list(rows)
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        table = Table(title="Keys here", expand=True, show_edge=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id (remap in config)", style="dim", no_wrap=True)
        for row in self.rows:
            description = Text(row.description, style="" if row.enabled else "dim")
            if not row.enabled:
                description.append(" (not available now)", style="dim italic")
            table.add_row(Text(row.key), description, Text(row.binding_id))
        with VerticalScroll():
            yield Static(table)
            for title, body in self.notes:
                yield Static(Text(title, style="bold underline"))
                yield Static(Text(body))

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
