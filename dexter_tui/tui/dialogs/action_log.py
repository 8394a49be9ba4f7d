"""`@`: every bulk action sent this session, with the outcome for each issue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from dexter_tui.services.action_log import ActionEntry
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import clean_str, safe_text


class ActionLogScreen(Dialog[None]):
    """Newest first; failed ids are listed with their reason."""

    DEFAULT_CSS = """
    ActionLogScreen > VerticalScroll { width: 90%; max-width: 110; height: 85%; }
    """
    BINDINGS = [Binding("escape,q,at", "close", "Close", id="action_log.close")]

    def __init__(self, entries: Sequence[ActionEntry], short_ids: Mapping[str, str]):
        super().__init__()
        self.entries = list(entries)
        self.short_ids = dict(short_ids)

    def _short_id(self, entry: ActionEntry, issue_id: str) -> str:
        logged = entry.names.get(issue_id)
        return logged[0] if logged and logged[0] else self.short_ids.get(issue_id, issue_id)

    def _label(self, entry: ActionEntry, issue_id: str) -> str:
        """The id with its short id and title: as logged, else (older lines) as loaded now."""
        if issue_id in entry.names:
            return entry.label(issue_id)
        short_id = self.short_ids.get(issue_id)
        return f"{issue_id} {short_id}" if short_id else issue_id

    def compose(self) -> ComposeResult:
        table = Table(title="Action log", expand=True, show_edge=False)
        table.add_column("time", no_wrap=True)
        table.add_column("action", no_wrap=True)
        table.add_column("issues", no_wrap=True, overflow="ellipsis", max_width=38)
        table.add_column("outcome")
        for entry in reversed(self.entries):
            failed = entry.failed
            outcome = Text(f"{len(entry.succeeded)}/{len(entry.ids)} ok", style="bold")
            for issue_id, reason in failed.items():
                outcome.append(f"\n✗ {clean_str(self._short_id(entry, issue_id))}: ", style="bold")
                outcome.append_text(safe_text(reason))
            table.add_row(
                Text(entry.time.replace("T", " ").removesuffix("Z")),
                Text(entry.verb),
                Text("\n".join(clean_str(self._label(entry, i)) for i in entry.ids)),
                outcome,
            )
        with VerticalScroll():
            if self.entries:
                yield Static(table)
            else:
                yield Static("No actions yet. Marked issues and a verb key (x, i, a, b…) add one.")

    def action_close(self) -> None:
        self.dismiss(None)
