"""The breadcrumbs tab: what happened before the error, in a virtualized table with a filter.

A `FastTable` draws only the rows on screen, so thousands of breadcrumbs scroll as smoothly as
ten. The filter narrows by words anywhere, `category:NAME` and `level:NAME`.
"""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from dexter_tui.services.events import CrumbView, filter_crumbs, format_offset
from dexter_tui.tui.dialogs.full_text import FullTextScreen
from dexter_tui.tui.issue_rows import level_text
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import IN_RAW, clipped, shown
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row

COLUMNS = [
    Column("time", "TIME", width=8, align="right"),
    Column("level", "LVL", width=5),
    Column("category", "CATEGORY", min_width=10, ratio=1),
    Column("type", "TYPE", width=8),
    Column("message", "MESSAGE", min_width=20, ratio=4),
    Column("data", "DATA", min_width=10, ratio=2, hide_below=100),
]


def _pretty(data: str) -> str:
    """The crumb's data indented when it is JSON (it is shown on one line in the table)."""
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError:
        return data


def crumb_text(crumb: CrumbView) -> str:
    """One breadcrumb whole, every field labelled: what `enter` opens."""
    lines = [
        f"time      {format_offset(crumb.offset)} (relative to the event)",
        f"level     {crumb.level or 'info'}",
        f"category  {crumb.category}",
        f"type      {crumb.type}",
        "",
        "message",
        crumb.message or "(none)",
    ]
    if crumb.data:
        lines += ["", "data", _pretty(crumb.data)]
    return "\n".join(lines)


def crumb_row(n: int, crumb: CrumbView, mask: bool) -> Row:
    def cells():
        return {
            "time": shown(format_offset(crumb.offset), False),
            "level": level_text(crumb.level or "info"),
            "category": shown(crumb.category, mask, "bold"),
            "type": shown(crumb.type, mask, "dim"),
            "message": clipped(crumb.message, mask, hint=IN_RAW),
            "data": clipped(crumb.data, mask, "dim", hint=IN_RAW),
        }

    return Row(str(n), cells, data=crumb)


def crumb_rows(crumbs: list[CrumbView], mask: bool) -> list[Row]:
    """Every crumb's row (cells drawn lazily); tens of thousands take a while: call it in a
    thread for a large event, the event loop then keeps answering keys."""
    return [crumb_row(n, c, mask) for n, c in enumerate(crumbs)]


class BreadcrumbsPane(EventPane):
    what = "the breadcrumbs"

    DEFAULT_CSS = """
    BreadcrumbsPane #crumb-filter { height: 1; border: none; padding: 0 1; background: $surface; }
    BreadcrumbsPane #crumb-filter:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="event.crumbs.filter"),
    ]

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.crumbs: list[CrumbView] = []
        self.mask = False

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="pane-body"):
            yield Input(
                placeholder="/ filter: words, category:NAME, level:NAME (esc clears)"
                " · enter opens a breadcrumb whole",
                id="crumb-filter",
            )
            yield FastTable(COLUMNS, empty_text="no breadcrumbs", id="crumbs")

    @property
    def table(self) -> FastTable:
        return self.query_one("#crumbs", FastTable)

    def show(self, crumbs: list[CrumbView], *, mask: bool, rows: list[Row] | None = None) -> None:
        """Show `crumbs`; `rows`: their `crumb_rows`, when built beforehand (off the loop)."""
        self.crumbs = crumbs
        self.mask = mask
        has_data = any(c.data for c in crumbs)
        self.table.set_columns(COLUMNS if has_data else [c for c in COLUMNS if c.key != "data"])
        self.table.set_rows(rows if rows is not None else crumb_rows(crumbs, mask), track_new=False)
        self._apply_filter(self.query_one("#crumb-filter", Input).value)
        if crumbs:
            self.table.move_cursor(len(crumbs) - 1)  # the last one happened right before

    def action_focus_filter(self) -> None:
        self.query_one("#crumb-filter", Input).focus()

    @on(Input.Changed, "#crumb-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(FastTable.RowActivated, "#crumbs")
    def _open_crumb(self, event: FastTable.RowActivated) -> None:
        """`enter` on a breadcrumb: all of it, message and data unclipped (issue 15, item 10)."""
        event.stop()
        crumb = self.crumbs[int(event.key)]
        title = f"Breadcrumb {int(event.key) + 1} of {len(self.crumbs)} · {crumb.category}"
        self.app.push_screen(FullTextScreen(title, crumb_text(crumb), mask=self.mask))

    @on(Input.Submitted, "#crumb-filter")
    def _submitted(self) -> None:
        self.table.focus()

    def _apply_filter(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.table.set_filter(None)
            return
        keep = {id(c) for c in filter_crumbs(self.crumbs, text)}
        self.table.set_filter(lambda row: id(row.data) in keep)

    def clear_filter(self) -> bool:
        """Esc: clear the filter (True when there was one to clear)."""
        box = self.query_one("#crumb-filter", Input)
        had = bool(box.value) or box.has_focus
        box.value = ""
        self.table.set_filter(None)
        if had:
            self.table.focus()
        return had
