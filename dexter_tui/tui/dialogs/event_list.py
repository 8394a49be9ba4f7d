"""The events of an issue (`E`), newest first, paged as you scroll; `enter` shows one.

`/` edits the filter — a Sentry event query sent as `query=` on the issue events route
(`environment:production release:"api@1.2" browser:Firefox`), so the list is exactly what the API
returns for it. Beside the list, the issue's tag distribution: `enter` on a value sets that key's
term in the filter (replacing the key's earlier value) and reloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from dexter_tui.sentry.errors import BadRequest
from dexter_tui.sentry.models import Event, TagDetail
from dexter_tui.sentry.pagination import Page
from dexter_tui.services.event_filter import TagShare, distribution, with_term
from dexter_tui.services.events import bar
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.event_text import shown
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.table_cells import identifier_text

#: (cursor, query) -> a page of the issue's events
Fetch = Callable[[str | None, str], Awaitable[Page[Event]]]
Tags = Callable[[], Awaitable[list[TagDetail]]]

COLUMNS = [
    Column("n", "#", width=6, align="right"),
    Column("date", "DATE (UTC)", width=19),
    Column("id", "EVENT ID", width=12),
    Column("env", "ENV", width=11),
    Column("release", "RELEASE", min_width=10, ratio=1, hide_below=90),
    Column("user", "USER", min_width=10, ratio=1),
    Column("message", "TITLE", min_width=16, ratio=2),
]

DIST_BAR = 8
DIST_COLUMNS = [
    Column("key", "TAG", min_width=8, ratio=1),
    Column("value", "VALUE", min_width=10, ratio=2),
    Column("share", "SHARE", width=4, align="right"),
    Column("bar", "", width=DIST_BAR),
]


def _user(event: Event) -> str:
    user = event.user
    if user is None:
        return ""
    return user.email or user.username or user.name or user.ip_address or user.id or ""


def _share_row(n: int, share: TagShare, mask: bool) -> Row:
    cells = {
        "key": shown(share.key, mask, "bold") if share.first_of_key else Text(""),
        # cut in the middle like every identifier: `notifica…@3.3.0`, not `notificat…`
        "value": identifier_text(shown(share.value, mask).plain),
        "share": Text(f"{share.share * 100:.0f}%"),
        "bar": Text(bar(share.share, DIST_BAR), style="blue"),
    }
    return Row(str(n), cells, data=share)


class EventListDialog(Dialog[tuple[str, int] | None]):
    """Returns (event id, position) of the chosen event."""

    DEFAULT_CSS = """
    EventListDialog > Vertical { width: 95%; height: 85%; padding: 0; }
    EventListDialog .title { height: 1; padding: 0 1; text-style: bold; }
    EventListDialog #event-filter { height: 1; border: none; padding: 0 1; }
    EventListDialog Horizontal { height: 1fr; }
    EventListDialog #events { width: 3fr; }
    EventListDialog #tag-dist { width: 1fr; min-width: 30; border-left: solid $accent; }
    EventListDialog .status { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="event_list.close"),
        Binding("slash", "edit_filter", "Filter", id="event_list.filter"),
        Binding("ctrl+l", "clear_filter", "Clear filter", show=False, id="event_list.clear"),
    ]

    def __init__(
        self,
        title: str,
        fetch: Fetch,
        *,
        mask: bool,
        current: str | None,
        tags: Tags | None = None,
        query: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fetch = fetch
        self.tags = tags
        self.mask = mask
        self.current = current
        self.filter_query = query
        self.cursor: str | None = None
        self.loaded = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield Input(
                self.filter_query,
                placeholder="/ filter: environment:production release:… key:value — enter applies",
                id="event-filter",
            )
            with Horizontal():
                yield FastTable(COLUMNS, empty_text="no events", id="events")
                yield FastTable(DIST_COLUMNS, empty_text="no tags", id="tag-dist")
            yield Static("", classes="status", id="event-list-status")

    @property
    def table(self) -> FastTable:
        return self.query_one("#events", FastTable)

    @property
    def dist(self) -> FastTable:
        return self.query_one("#tag-dist", FastTable)

    def on_resize(self) -> None:
        # below 100 columns the events need all the room (their RELEASE column hides at 90)
        self.dist.display = self.app.size.width >= 100

    def on_mount(self) -> None:
        self.on_resize()
        self.table.has_more = True
        self.table.focus()
        self.load_page()
        if self.tags is not None:
            self.load_tags()
        else:
            self.dist.display = False

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Start over with the current filter (the first page of the new query)."""
        self.cursor = None
        self.loaded = 0
        self.table.set_rows([], track_new=False)
        self.table.has_more = True
        self._status("loading…")
        self.load_page()

    @work(exclusive=True, group="event-list", exit_on_error=False)
    async def load_page(self) -> None:
        query = self.filter_query
        try:
            page = await self.fetch(self.cursor, query)
        except BadRequest as error:  # Sentry's 400 about the query: shown here, literally
            self.table.has_more = False
            self._status(f"Sentry refused the filter: {error}")
            return
        if query != self.filter_query:
            return  # a newer filter is loading
        rows = [self._row(e) for e in page.items]
        self.cursor = page.next_cursor
        self.table.append_rows(rows)
        self.table.has_more = page.has_next
        more = "+" if page.has_next else ""
        where = f" matching {query}" if query else ""
        self._status(f"{self.loaded}{more} events{where}")

    @work(group="event-list-tags", exit_on_error=False)
    async def load_tags(self) -> None:
        assert self.tags is not None
        shares = distribution(await self.tags())
        self.dist.set_rows(
            (_share_row(n, s, self.mask) for n, s in enumerate(shares)), track_new=False
        )

    def _status(self, text: str) -> None:
        self.query_one("#event-list-status", Static).update(safe_text(text))

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

    # -- filter ---------------------------------------------------------------------------------

    def set_query(self, query: str) -> None:
        query = query.strip()
        self.query_one("#event-filter", Input).value = query
        if query != self.filter_query:
            self.filter_query = query
            self.reload()

    def action_edit_filter(self) -> None:
        self.query_one("#event-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.set_query("")

    @on(Input.Submitted, "#event-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_query(event.value)
        self.table.focus()

    # -- choosing -------------------------------------------------------------------------------

    @on(FastTable.NearEnd, "#events")
    def _near_end(self) -> None:
        if self.cursor:
            self.load_page()

    @on(FastTable.RowActivated)
    def _chosen(self, event: FastTable.RowActivated) -> None:
        event.stop()
        if event.control is self.dist:
            row = self.dist.get_row(event.key)
            if row is not None:
                share: TagShare = row.data
                self.set_query(with_term(self.filter_query, share.key, share.value))
            return
        row = self.table.get_row(event.key)
        if row is not None:
            self.dismiss(row.data)

    def action_close(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            self.table.focus()  # esc leaves the filter box first
            return
        self.dismiss(None)
