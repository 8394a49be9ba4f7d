"""The Discover view (`5`): "which endpoints throw this since the deploy?".

A query editor (fields with tags and functions, search query, sort, period, environments, projects,
dataset) above the results in the fast table. `enter` in any editor line runs the query; a refused
query shows Sentry's own error text under the editor and the cursor goes back to the query, which
stays as typed. Results page by cursor as the table nears its end; cells are formatted by the types
Sentry reports in `meta`. `s` sorts by a column (server-side, so every page agrees), `S` reverses,
`h` recalls a query from the history, `e` exports, `enter` on a row with an issue or event id opens
that issue.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Label, Static

from dexter_tui.choices import DEFAULT_PERIOD
from dexter_tui.services.discover import (
    DEFAULT_FIELDS,
    DiscoverQuery,
    DiscoverResults,
    DiscoverSession,
    row_points_at_issue,
    split_fields,
    split_list,
    write_export,
)
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.dialogs.export_dialog import ExportDialog, ExportRequest
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.messages import OpenIssue
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.screens.base import ViewScreen
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.search_input import SearchField, SearchInput, completer_for
from dexter_tui.tui.widgets.status_header import header_for

EXPORT_PAGE_LIMIT = 20
HISTORY_FILE = "discover_history.json"
NUMERIC = frozenset({"integer", "number", "duration", "percentage", "rate", "size"})


def format_value(value: Any, kind: str, unit: Any = None) -> Text:
    """One result cell, by the type Sentry gave the column in `meta.fields`."""
    if value is None or value == "":
        return Text("—", style="dim")
    try:
        if kind == "integer":
            return Text(f"{int(value):,}")
        if kind in ("number", "rate"):
            number = float(value)
            suffix = f"/{str(unit).split('/')[-1]}" if kind == "rate" and unit else ""
            return Text(f"{number:,.2f}{suffix}")
        if kind == "percentage":
            return Text(f"{float(value) * 100:.1f}%")
        if kind == "duration":
            ms = float(value)
            return Text(f"{ms / 1000:.2f}s" if ms >= 1000 else f"{ms:.0f}ms")
        if kind == "date":
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return Text(when.astimezone(UTC).strftime("%b %d %H:%M"))
    except (TypeError, ValueError):
        pass
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return safe_text(value)


def result_columns(results: DiscoverResults) -> list[Column]:
    columns = []
    for n, name in enumerate(results.columns):
        kind = results.type_of(name)
        label = name if len(name) <= 24 else name[:23] + "…"
        if kind in NUMERIC:
            columns.append(Column(f"c{n}", label, width=max(8, len(label)), align="right"))
        elif kind == "date":
            # right-aligned with a spare cell: a date never touches the number before it
            width = max(13, len(label) + 1)
            columns.append(Column(f"c{n}", label, width=width, align="right"))
        else:
            columns.append(Column(f"c{n}", label, min_width=max(6, len(label)), ratio=2))
    return columns


def result_row(n: int, data: dict[str, Any], results: DiscoverResults) -> Row:
    names = results.columns

    def cells() -> dict[str, Text]:
        return {
            f"c{i}": format_value(data.get(name), results.type_of(name), results.units.get(name))
            for i, name in enumerate(names)
        }

    return Row(key=str(n), cells=cells, data=data)


class EditorLine(Input):
    """One line of the query editor. Focusing it keeps its text: typing adds to the query
    instead of replacing it (`/` selected all of the fields, and the first key erased them)."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, select_on_focus=False, **kwargs)


class DiscoverScreen(ViewScreen):
    """Query editor over a results table."""

    DEFAULT_CSS = """
    DiscoverScreen .editor { height: 1; margin: 0 1; }
    DiscoverScreen .editor { background: $surface; }
    DiscoverScreen .editor Label { width: 9; color: $text-muted; background: $surface; }
    DiscoverScreen .editor Label.narrow { width: auto; padding: 0 1 0 2; }
    DiscoverScreen .editor Input {
        border: none; height: 1; padding: 0; width: 1fr; background: $surface;
    }
    DiscoverScreen .editor Input:focus { background: $boost; }
    DiscoverScreen #d-sort { width: 24; }
    DiscoverScreen #d-period { width: 6; }
    DiscoverScreen #d-dataset { width: 12; }
    DiscoverScreen #error { height: auto; padding: 0 1; color: $error; display: none; }
    DiscoverScreen #error.shown { display: block; }
    DiscoverScreen #results { height: 1fr; margin-top: 1; }
    """

    BINDINGS = [
        Binding("slash", "edit", "Edit query", id="discover.edit"),
        Binding("s", "sort_column", "Sort by", id="discover.sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="discover.sort_reverse"),
        Binding("h", "history", "History", id="discover.history"),
        Binding("e", "export", "Export", id="discover.export"),
        Binding("r", "refresh", "Run again", id="discover.refresh"),
        Binding("escape", "escape", "Back", show=False, id="discover.escape"),
    ]

    def __init__(self, ctx: TuiContext, query: DiscoverQuery | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        log = ctx.action_log.path  # the state dir (a temp dir in tests)
        self.session = DiscoverSession(
            ctx.client,
            ctx.org,
            history_path=log.parent / HISTORY_FILE if log is not None else None,
        )
        self.status = PollStatus(interval=ctx.settings.poll_interval)
        self.query_spec = query or DiscoverQuery(
            fields=DEFAULT_FIELDS,
            environments=tuple(ctx.settings.default_environment),
            projects=tuple(ctx.settings.project),
        )

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        q = self.query_spec
        yield header_for(ctx, self.status, list(ctx.settings.default_environment))
        yield Static(id="context")
        with Horizontal(classes="editor"):
            yield Label("fields")
            yield EditorLine(", ".join(q.fields), id="d-fields", placeholder="title, count(), …")
        with Horizontal(classes="editor"):
            yield Label("query")
            yield SearchField(
                SearchInput(
                    q.query,
                    completer=completer_for(ctx),
                    remember=False,
                    issue_searches=False,
                    id="d-query",
                    placeholder="Sentry search, e.g. level:error",
                )
            )
            yield Label("sort", classes="narrow")
            yield EditorLine(q.sort, id="d-sort", placeholder="-count()")
        with Horizontal(classes="editor"):
            yield Label("period")
            yield EditorLine(q.period, id="d-period")
            yield Label("env", classes="narrow")
            yield EditorLine(",".join(q.environments), id="d-env", placeholder="all")
            yield Label("projects", classes="narrow")
            yield EditorLine(",".join(q.projects), id="d-projects", placeholder="all")
            yield Label("dataset", classes="narrow")
            yield EditorLine(q.dataset, id="d-dataset")
        yield Static(id="error")
        yield FastTable([Column("c0", "")], id="results")
        yield Footer()

    @property
    def table(self) -> FastTable:
        return self.query_one("#results", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._show_context()
        self.run_query(self.query_spec)

    # -- the editor ----------------------------------------------------------------------------

    def editor_query(self) -> DiscoverQuery:
        def value(name: str) -> str:
            return self.query_one(f"#d-{name}", Input).value.strip()

        return DiscoverQuery(
            fields=split_fields(value("fields")),
            query=value("query"),
            sort=value("sort"),
            period=value("period") or DEFAULT_PERIOD,
            environments=split_list(value("env")),
            projects=split_list(value("projects")),
            dataset=value("dataset") or "errors",
        )

    def fill_editor(self, query: DiscoverQuery) -> None:
        values = {
            "fields": ", ".join(query.fields),
            "query": query.query,
            "sort": query.sort,
            "period": query.period,
            "env": ",".join(query.environments),
            "projects": ",".join(query.projects),
            "dataset": query.dataset,
        }
        for name, text in values.items():
            self.query_one(f"#d-{name}", Input).value = text

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()  # results keys work at once; a refused query refocuses the editor
        self.run_query(self.editor_query())

    def _project_ids(self, projects: tuple[str, ...]) -> tuple[str, ...]:
        """Slugs to the ids Sentry's `project` param wants (the demo also takes slugs)."""
        workspace = self.ctx.workspace
        if workspace is None:
            return projects
        by_slug = {p.slug: p.id for p in workspace.projects}
        return tuple(by_slug.get(p, p) for p in projects)

    def run_query(self, query: DiscoverQuery) -> None:
        self.query_spec = query
        self.fill_editor(query)
        self._run(query)

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def _run(self, query: DiscoverQuery) -> None:
        self.status.state = LiveState.LOADING
        self._show_context()
        sent = query.with_(projects=self._project_ids(query.projects))
        try:
            results = await self.session.run(sent, remember=query)
        except Exception as error:
            self.status.failed(error, self.ctx.clock())
            self._show_context()
            raise
        self.status.succeeded(self.ctx.clock())
        error = self.query_one("#error", Static)
        if results.error:
            message = Text("Sentry refused the query: ", style="bold")
            message.append_text(safe_text(results.error, multiline=True))
            error.update(message)
            error.add_class("shown")
            self.table.set_rows([], track_new=False)
            self.table.has_more = False
            self.query_one("#d-query", Input).focus()
        else:
            error.remove_class("shown")
            self.table.set_columns(result_columns(results))
            self.table.set_rows(
                (result_row(n, r, results) for n, r in enumerate(results.rows)), track_new=False
            )
            self.table.has_more = results.has_more
            self._sort_indicator()
        self._show_context()

    @on(FastTable.NearEnd, "#results")
    def _near_end(self) -> None:
        results = self.session.results
        if results is not None and results.has_more:
            self.load_more()

    @work(exclusive=True, group="discover-more", exit_on_error=False)
    async def load_more(self) -> None:
        results = self.session.results
        if results is None:
            return
        start = len(results.rows)
        added = await self.session.load_more()
        if self.session.results is results:
            self.table.append_rows(result_row(start + n, r, results) for n, r in enumerate(added))
            self.table.has_more = results.has_more
        self._show_context()

    def _show_context(self) -> None:
        text = Text("Discover", style="bold")
        results = self.session.results
        if self.status.state is LiveState.LOADING:
            text.append(" · running…")
        elif results is not None and results.error is None:
            more = "+" if results.has_more else ""
            text.append(f" · {len(results.rows)}{more} rows")
        if self.query_spec.sort:
            text.append(" · sort ")
            text.append_text(safe_text(self.query_spec.sort))
        text.append(" · enter runs · s sort · h history", style="dim")
        self.show_context(text)
        self.status_header.refresh()

    def _sort_indicator(self) -> None:
        sort = self.query_spec.sort
        name = sort.lstrip("-")
        if name in self.query_spec.fields:
            key = f"c{self.query_spec.fields.index(name)}"
            self.table.set_sort_indicator(key, reverse=sort.startswith("-"))
        else:
            self.table.set_sort_indicator(None)

    # -- actions -------------------------------------------------------------------------------

    def action_edit(self) -> None:
        """`/` edits the search query (the footer says so), cursor at its end; `tab` moves on."""
        box = self.query_one("#d-query", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def action_escape(self) -> None:
        if self.focused is not None and isinstance(self.focused, Input):
            self.table.focus()
            return
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.run_query(self.editor_query())

    def action_sort_column(self) -> None:
        fields = list(self.query_spec.fields)

        def chosen(index: int | None) -> None:
            if index is not None:
                self.run_query(self.query_spec.sorted_by(fields[index]))

        self.app.push_screen(PickDialog("Sort by (again: reverse)", fields), chosen)

    def action_reverse_sort(self) -> None:
        sort = self.query_spec.sort
        if sort:
            self.run_query(self.query_spec.with_(sort=sort[1:] if sort[0] == "-" else f"-{sort}"))

    def action_history(self) -> None:
        history = list(self.session.history)
        if not history:
            self.notify("No queries run yet")
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.run_query(history[index])

        self.app.push_screen(PickDialog("Query history", [q.summary() for q in history]), chosen)

    @on(FastTable.RowActivated, "#results")
    def _open(self, event: FastTable.RowActivated) -> None:
        row = self.table.get_row(event.key)
        if row is None or not row_points_at_issue(row.data):
            self.notify("Add issue, issue.id or id to the fields to open rows", severity="warning")
            return
        self.open_row(row.data)

    @work(exclusive=True, group="discover-open", exit_on_error=False)
    async def open_row(self, data: dict[str, Any]) -> None:
        issue = await self.session.issue_for(data)
        if issue is None:
            self.notify("No issue found for this row", severity="warning")
            return
        self.post_message(OpenIssue(issue))

    def action_export(self) -> None:
        results = self.session.results
        if results is None or results.error:
            self.notify("Nothing to export yet", severity="warning")
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.run_export(request)

        self.app.push_screen(
            DiscoverExportDialog(
                len(results.rows), has_more=results.has_more, page_limit=EXPORT_PAGE_LIMIT
            ),
            chosen,
        )

    @work(group="discover-export", exit_on_error=False)
    async def run_export(self, request: ExportRequest) -> None:
        results = self.session.results
        if results is None:
            return
        pages = 0
        while request.all_pages and results.has_more and pages < EXPORT_PAGE_LIMIT:
            pages += 1
            start = len(results.rows)
            added = await self.session.load_more()
            self.table.append_rows(result_row(start + n, r, results) for n, r in enumerate(added))
        self.table.has_more = results.has_more
        path = write_export(results.columns, results.rows, Path(request.path))
        self.notify(f"Exported {len(results.rows)} rows to {path}", title="Export")
        self._show_context()


class DiscoverExportDialog(ExportDialog):
    """The issue list's export dialog, worded for Discover rows."""

    def compose(self) -> ComposeResult:
        import time

        from textual.containers import Vertical
        from textual.widgets import Checkbox

        stamp = time.strftime("%Y%m%d-%H%M")
        with Vertical():
            yield Static(f"Export {self.loaded} loaded rows — .csv, .json or .md")
            yield Input(str(Path.cwd() / f"dexter-discover-{stamp}.csv"), id="path")
            yield Checkbox(
                f"also fetch the remaining pages (up to {self.page_limit} more)",
                value=False,
                disabled=not self.has_more,
                id="all",
            )
            yield Static("", id="error")
            yield Static("enter to export, esc to cancel", classes="hint")
