"""The tags tab: each tag's value on this event beside the issue-wide distribution.

One row per (tag, top value) with its count, share and a bar; the event's own value is marked
with ◀. `enter` on a row sends the issue list back filtered by `key:"value"` (the screen does it).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from dexter_tui.services.events import TagRowView, bar
from dexter_tui.tui.issue_rows import compact
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import shown
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row

BAR_WIDTH = 20
COLUMNS = [
    Column("key", "TAG", min_width=12, ratio=2),
    Column("value", "VALUE", min_width=16, ratio=4),
    Column("count", "COUNT", width=6, align="right"),
    Column("share", "SHARE", width=5, align="right"),
    Column("bar", "DISTRIBUTION", width=BAR_WIDTH),
    Column("mine", "EVENT", width=7),
]


def tag_row(n: int, row: TagRowView, mask: bool) -> Row:
    style = "bold" if row.on_event else ""
    cells = {
        "key": shown(row.key, mask, "bold") if row.first_of_key else Text(""),
        "value": shown(row.value, mask, style),
        "count": Text(compact(row.count) if row.count else "—"),
        "share": Text(f"{row.share * 100:.0f}%" if row.count else ""),
        "bar": Text(bar(row.share, BAR_WIDTH), style="green" if row.on_event else "blue"),
        "mine": Text("◀ this" if row.on_event else "", style="bold"),
    }
    return Row(f"{n}", cells, data=row)


class TagsPane(EventPane):
    what = "the tags"
    source = "tags"

    def compose_body(self) -> ComposeResult:
        yield FastTable(COLUMNS, empty_text="no tags", id="tags", classes="pane-body")

    @property
    def table(self) -> FastTable:
        return self.query_one("#tags", FastTable)

    def show(self, rows: list[TagRowView], *, mask: bool) -> None:
        self.table.set_rows((tag_row(n, r, mask) for n, r in enumerate(rows)), track_new=False)
