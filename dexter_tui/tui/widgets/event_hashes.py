"""The hashes tab: the grouping hashes that make up this issue, each with its latest event."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from dexter_tui.sentry.models import IssueHash
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import shown
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row

COLUMNS = [
    Column("hash", "HASH", width=32),
    Column("event", "LATEST EVENT", width=32, hide_below=110),
    Column("date", "DATE", width=19),
    Column("title", "TITLE", min_width=16, ratio=1),
]


def hash_row(item: IssueHash, mask: bool) -> Row:
    event = item.latest_event
    date = event.date_created.strftime("%Y-%m-%d %H:%M:%S") if event and event.date_created else ""
    cells = {
        "hash": shown(item.id, False, "bold"),
        "event": shown((event.event_id or event.id) if event else "", False),
        "date": Text(date),
        "title": shown(event.title if event else "", mask),
    }
    return Row(item.id or "?", cells, data=item)


class HashesPane(EventPane):
    what = "the grouping hashes"
    source = "hashes"

    def compose_body(self) -> ComposeResult:
        yield FastTable(COLUMNS, empty_text="no hashes", id="hashes", classes="pane-body")

    @property
    def table(self) -> FastTable:
        return self.query_one("#hashes", FastTable)

    def show(self, hashes: list[IssueHash], *, mask: bool) -> None:
        self.table.set_rows((hash_row(h, mask) for h in hashes), track_new=False)
