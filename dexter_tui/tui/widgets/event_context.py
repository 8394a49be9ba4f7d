"""The context and request tabs: readable key/value groups.

Request secrets (cookies, `Authorization`, tokens in the query or body) are masked by the service
before they reach this widget, whatever the PII toggle says.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from dexter_tui.services.events import KeyValues, RequestView
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import IN_RAW, clipped, shown


def kv_table(title: str, rows: KeyValues, mask: bool) -> RenderableType:
    table = Table(
        title=Text(title, "bold"),
        title_justify="left",
        show_header=False,
        box=None,
        padding=(0, 2, 0, 0),
        expand=False,
    )
    table.add_column(style="bold", no_wrap=True, min_width=12)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(shown(key, mask), clipped(value, mask, no_wrap=False, hint=IN_RAW))
    return table


class _ScrollPane(EventPane):
    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="pane-body"):
            yield Static(classes="pane-text")

    def _set(self, renderable: RenderableType) -> None:
        self.query_one(".pane-text", Static).update(renderable)
        self.query_one(VerticalScroll).scroll_home(animate=False)


class ContextPane(_ScrollPane):
    what = "the context"

    DEFAULT_CSS = "ContextPane .pane-text { padding: 0 1; }"

    def show(self, groups: list[tuple[str, KeyValues]], *, mask: bool) -> None:
        if not groups:
            self._set(Text("This event has no context."))
            return
        parts: list[RenderableType] = []
        for name, rows in groups:
            parts += [kv_table(name, rows, mask), Text("")]
        self._set(Group(*parts))


class RequestPane(_ScrollPane):
    what = "the request"

    DEFAULT_CSS = "RequestPane .pane-text { padding: 0 1; }"

    def show(self, request: RequestView | None, *, mask: bool) -> None:
        if request is None:
            self._set(Text("This event has no HTTP request."))
            return
        line = Text()
        line.append_text(shown(request.method or "?", False, "bold"))
        line.append(" ")
        line.append_text(shown(request.url, mask, "underline"))
        if request.fragment:
            line.append("#")
            line.append_text(shown(request.fragment, mask))
        parts: list[RenderableType] = [line, Text("")]
        for title, rows in (
            ("Query", request.query),
            ("Headers", request.headers),
            ("Cookies", request.cookies),
            ("Environment", request.env),
        ):
            if rows:
                parts += [kv_table(title, rows, mask), Text("")]
        if request.body:
            title = "Body" + (f" ({request.content_type})" if request.content_type else "")
            parts += [
                Text(title, "bold"),
                clipped(request.body, mask, multiline=True, no_wrap=False, hint=IN_RAW),
            ]
        self._set(Group(*parts))
