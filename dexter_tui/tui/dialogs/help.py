"""Help generated from the live bindings of the screen underneath — never a hand-kept list."""

from __future__ import annotations

import re
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
from dexter_tui.tui.issue_actions import IssueActions


@dataclass(frozen=True)
class HelpRow:
    key: str
    description: str
    binding_id: str
    enabled: bool
    reason: str = ""  # why it is not available now (read-only mode, nothing marked…)


def help_rows(screen: Screen, key_display: callable) -> list[HelpRow]:  # type: ignore[valid-type]
    """One row per binding of `screen` (focused widget, screen and app), deduplicated.

    An issue screen's keys unavailable right now (merge with nothing marked, undo with nothing
    to undo, every change in read-only mode) are listed too, with why: they are hidden from the
    footer only.
    """
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
    if isinstance(screen, IssueActions):
        for key, binding, reason in screen.unavailable_now():
            display = key_display(binding) or key
            if any(action == binding.action for action, _ in rows):
                continue
            rows[(binding.action, display)] = HelpRow(
                key=display,
                description=binding.description or binding.action,
                binding_id=binding.id or "",
                enabled=False,
                reason=reason,
            )

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
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="help.up"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="help.bottom"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False, id="help.page"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="help.page_up"),
    ]

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
                note = (
                    f" (not available now: {row.reason})" if row.reason else " (not available now)"
                )
                description.append(note, style="dim italic")
            table.add_row(Text(row.key), description, Text(row.binding_id))
        with VerticalScroll():
            yield Static(table)
            for title, body in self.notes:
                yield Static(Text(title, style="bold underline"))
                yield Static(note_text(body))

    def action_scroll(self, where: str) -> None:
        """j/k, g/G, page keys: the help is longer than a small terminal."""
        view = self.query_one(VerticalScroll)
        match where:
            case "down":
                view.scroll_down(animate=False)
            case "up":
                view.scroll_up(animate=False)
            case "end":
                view.scroll_end(animate=False)
            case "home":
                view.scroll_home(animate=False)
            case "page_down":
                view.scroll_page_down(animate=False)
            case "page_up":
                view.scroll_page_up(animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def note_text(body: str) -> Text:
    """A help note (our own text): `**word**` is shown bold, not as asterisks."""
    text = Text()
    at = 0
    for match in _BOLD.finditer(body):
        text.append(body[at : match.start()])
        text.append(match.group(1), style="bold")
        at = match.end()
    text.append(body[at:])
    return text
