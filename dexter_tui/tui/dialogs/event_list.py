"""The events of an issue (`E`), newest first, paged as you scroll; `enter` shows one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dexter_tui.sentry.models import Event
from dexter_tui.sentry.pagination import Page
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.event_text import shown
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.table_cells import identifier_text

Fetch = Callable[[str | None], Awaitable[Page[Event]]]

COLUMNS = [
    Column("n", "#", width=6, align="right"),
    Column("date", "DATE (UTC)", width=19),
    Column("id", "EVENT ID", width=12),
    Column("env", "ENV", width=11),
    Column("release", "RELEASE", min_width=10, ratio=1, hide_below=90),
    Column("user", "USER", min_width=10, ratio=1),
    Column("message", "TITLE", min_width=16, ratio=2),
]


def _user(event: Event) -> str:
    user = event.user
    if user is None:
        return ""
    return user.email or user.username or user.name or user.ip_address or user.id or ""


class EventListDialog(Dialog[tuple[str, int] | None]):
    """Returns (event id, position) of the chosen event."""

    DEFAULT_CSS = """
    EventListDialog > Vertical { width: 95%; height: 85%; padding: 0; }
    EventListDialog .title { height: 1; padding: 0 1; text-style: bold; }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", id="event_list.close")]

    def __init__(self, title: str, fetch: Fetch, *, mask: bool, current: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.fetch = fetch
        self.mask = mask
        self.current = current
        self.cursor: str | None = None
        self.loaded = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield FastTable(COLUMNS, empty_text="no events", id="events")

    @property
    def table(self) -> FastTable:
        return self.query_one("#events", FastTable)

    def on_mount(self) -> None:
        self.table.has_more = True
        self.table.focus()
        self.load_page()

    @work(exclusive=True, group="event-list", exit_on_error=False)
    async def load_page(self) -> None:
        page = await self.fetch(self.cursor)
        rows = [self._row(e) for e in page.items]
        self.cursor = page.next_cursor
        self.table.append_rows(rows)
        self.table.has_more = page.has_next

    def _row(self, event: Event) -> Row:
        self.loaded += 1
        n = self.loaded
        event_id = event.event_id or event.id
        date = event.date_created.strftime("%Y-%m-%d %H:%M:%S") if event.date_created else ""
        mark = "bold" if event_id == self.current else ""
        cells = {
            "n": Text(str(n), mark),
            "date": Text(date, mark),
            "id": shown(event_id, False, mark),
            "env": shown(event.tag("environment") or "", False),
            "release": identifier_text(event.tag("release") or ""),
            "user": shown(_user(event), self.mask),
            "message": shown(event.title or event.message, self.mask),
        }
        return Row(event_id, cells, data=(event_id, n))

    @on(FastTable.NearEnd)
    def _near_end(self) -> None:
        if self.cursor:
            self.load_page()

    @on(FastTable.RowActivated)
    def _chosen(self, event: FastTable.RowActivated) -> None:
        row = self.table.get_row(event.key)
        if row is not None:
            self.dismiss(row.data)

    def action_close(self) -> None:
        self.dismiss(None)
