"""The Deadlocks view (`3`): recurring PostgreSQL deadlocks of the current project(s).

Top: one row per deadlock pattern (the analyzer's fingerprint), with its tables, how many issues
and events show it, when it last happened and a sparkline over the period; `enter` opens the
report of its latest event. Bottom: the issues with that pattern; `enter` opens event detail.
The scan runs in the `deadlocks` worker through `dexter_tui.services.deadlocks_view`; its failures
reach the app's single error handler.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from dexter_tui.sentry.models import Issue
from dexter_tui.services.deadlocks_view import (
    DeadlockPattern,
    DeadlockQuery,
    DeadlockScan,
    period_seconds,
    relative_age,
    scan_deadlocks,
)
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.messages import OpenIssue
from dexter_tui.tui.navigation import GoBack, Place
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
from dexter_tui.tui.screens.styled_once import StyledOnce
from dexter_tui.tui.screens.worker_errors import ReportsWorkerErrors
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.sparkline import sparkline

TREND_WIDTH = 14
#: severity as glyph + short word: readable without colour, fits 80 columns
SEVERITY_LABELS = {"critical": "!! crit", "high": "!  high", "medium": "·  med", "low": "   low"}
PATTERN_COLUMNS = (
    Column("sev", "SEV", width=7),
    Column("pattern", "PATTERN", min_width=18, ratio=2),
    Column("tables", "TABLES", min_width=10, ratio=2),
    Column("issues", "ISSUES", width=6, align="right"),
    Column("events", "EVENTS", width=6, align="right"),
    Column("last", "LAST", width=5, align="right"),
    Column("trend", "TREND", width=TREND_WIDTH),
    Column("fp", "FINGERPRINT", width=16, hide_below=110),
)
ISSUE_COLUMNS = (
    Column("short_id", "ISSUE", width=18),
    Column("events", "EVENTS", width=6, align="right"),
    Column("total", "TOTAL", width=6, align="right", hide_below=90),
    Column("last", "LAST", width=5, align="right"),
    Column("title", "TITLE / CULPRIT", min_width=20, ratio=1),
)


class DeadlocksScreen(StyledOnce, ReportsWorkerErrors, Screen[None]):
    """Deadlock patterns and the issues behind each."""

    DEFAULT_CSS = """
    DeadlocksScreen #context { height: 1; padding: 0 1; background: $boost; }
    DeadlocksScreen #patterns { height: 2fr; }
    DeadlocksScreen #issues-title { height: 1; padding: 0 1; background: $boost; }
    DeadlocksScreen #pattern-issues { height: 1fr; min-height: 4; }
    DeadlocksScreen #empty { height: auto; padding: 1 2; display: none; }
    DeadlocksScreen.empty #empty { display: block; }
    """

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="deadlocks.refresh"),
        Binding("o", "open_issue", "Open issue", id="deadlocks.open_issue"),
        Binding("escape", "close", "Back", show=False, id="deadlocks.close"),
    ]

    def __init__(self, ctx: TuiContext, query: DeadlockQuery | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.deadlock_query = query
        self.scan: DeadlockScan | None = None
        self.patterns: dict[str, DeadlockPattern] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("Deadlocks · searching…", style="bold"), id="context")
        yield FastTable(PATTERN_COLUMNS, id="patterns")
        yield Static(id="empty")
        yield Static(id="issues-title")
        yield FastTable(ISSUE_COLUMNS, id="pattern-issues", empty_text="")
        yield Footer()

    @property
    def table(self) -> FastTable:
        return self.query_one("#patterns", FastTable)

    @property
    def issue_table(self) -> FastTable:
        return self.query_one("#pattern-issues", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        """Back on the view: rescan only if the issue list's projects/envs/period changed."""
        if self.scan is not None and self.current_query() != self.scan.query:
            self.load()

    # -- navigation history: this view's place ---------------------------------------------------

    def place(self, *, over: str = "issues") -> Place:
        """The view with its pattern cursor (a report opened from it goes back to that row)."""
        table = self.table
        state = {"key": "deadlocks", "pattern": table.cursor_key, "row": table.cursor_index}
        return Place("deadlocks", "deadlocks", state)

    def restore_place(self, state: dict) -> None:
        table = self.table
        key = state.get("pattern")
        if not (key and table.move_cursor_to_key(key)):
            table.move_cursor(int(state.get("row") or 0))
        table.focus()

    # -- loading -------------------------------------------------------------------------------

    def current_query(self) -> DeadlockQuery:
        """The issue list's projects, environments and period, unless given."""
        if self.deadlock_query is not None:
            return self.deadlock_query
        workspace = self.ctx.workspace
        slugs = list(self.ctx.settings.project)
        projects = tuple(workspace.project_ids(slugs)) if workspace and slugs else ()
        base = self.ctx.list_query or self.ctx.initial_query()  # the list's, via QueryChanged
        return DeadlockQuery(projects=projects, environments=base.environments, period=base.period)

    @work(exclusive=True, group="deadlocks", exit_on_error=False)
    async def load(self) -> None:
        table = self.table
        table.empty_text = "searching and analyzing deadlock events…"
        table.refresh()
        try:
            self.scan = await scan_deadlocks(self.ctx.client, self.ctx.org, self.current_query())
        except Exception:
            table.empty_text = "the scan failed · r to retry"
            table.refresh()
            raise  # to the app's error handler
        table.empty_text = "no deadlocks found"
        self._show_scan()

    def _show_scan(self) -> None:
        scan = self.scan
        if scan is None:
            return
        self.patterns = {p.fingerprint: p for p in scan.patterns}
        now = self.ctx.clock()
        span = period_seconds(scan.query.period)
        self.table.set_rows(self._pattern_row(p, now, span) for p in scan.patterns)
        self.set_class(not scan.patterns, "empty")
        if not scan.patterns:
            self.query_one("#empty", Static).update(
                Text(
                    f"No PostgreSQL deadlocks among the unresolved issues of the last "
                    f"{scan.query.period}.\nSearched: " + " | ".join(scan.query.search_queries()),
                )
            )
        self._show_context()
        self._show_issues()

    def _show_context(self) -> None:
        scan = self.scan
        text = Text("Deadlocks", style="bold", end="")
        if scan is not None:
            deadlock_issues = len(scan.issues) - len(scan.not_deadlocks)
            text.append(
                f" · {len(scan.patterns)} patterns · {deadlock_issues} issues"
                f" · {scan.deadlock_events} events analyzed"
            )
            if scan.events_total > scan.events_analyzed:
                text.append(f" (of {scan.events_total})")
            text.append(f" · period: {scan.query.period}")
            if scan.query.environments:
                text.append(" · env: ")
                text.append_text(safe_text(", ".join(scan.query.environments)))
        self.query_one("#context", Static).update(text)

    def _pattern_row(self, pattern: DeadlockPattern, now: float, span: float) -> Row:
        cells = {
            "sev": Text(SEVERITY_LABELS.get(pattern.severity, pattern.severity), end=""),
            "pattern": Text(pattern.pattern, style="bold", end=""),
            "tables": safe_text(", ".join(pattern.relations) or "—"),
            "issues": Text(str(len(pattern.issues)), end=""),
            "events": Text(str(pattern.event_count), end=""),
            "last": Text(relative_age(pattern.last_seen, now), end=""),
            "trend": sparkline(pattern.buckets(now, span, TREND_WIDTH), TREND_WIDTH),
            "fp": Text(pattern.fingerprint, style="dim", end=""),
        }
        return Row(pattern.fingerprint, cells, data=pattern)

    def selected_pattern(self) -> DeadlockPattern | None:
        row = self.table.cursor_row
        return row.data if row is not None else None

    def _show_issues(self) -> None:
        pattern = self.selected_pattern()
        title = Text(end="")
        table = self.issue_table
        if pattern is None:
            table.set_rows([], track_new=False)
            self.query_one("#issues-title", Static).update(title)
            return
        title.append("Issues with ", style="bold")
        title.append(pattern.pattern, style="bold")
        title.append(" · enter/o: event detail · enter above: report")
        self.query_one("#issues-title", Static).update(title)
        now = self.ctx.clock()
        rows = []
        for issue in pattern.issues:
            last = max(o.timestamp for o in pattern.occurrences if o.issue.id == issue.id)
            label = safe_text(issue.title)
            if issue.culprit:
                label.append(" · ")
                label.append_text(safe_text(issue.culprit, style="dim"))
            cells = {
                "short_id": safe_text(issue.short_id, style="bold"),
                "events": Text(str(pattern.events_of(issue.id)), end=""),
                "total": Text(str(issue.count), end=""),
                "last": Text(relative_age(last, now), end=""),
                "title": label,
            }
            rows.append(Row(issue.id, cells, data=issue))
        table.set_rows(rows, track_new=False)

    # -- events and actions ----------------------------------------------------------------------

    @on(FastTable.CursorMoved, "#patterns")
    def _pattern_moved(self) -> None:
        self._show_issues()

    @on(FastTable.RowActivated, "#patterns")
    def _open_report(self, event: FastTable.RowActivated) -> None:
        pattern = self.patterns.get(event.key)
        if pattern is None:
            return
        latest = pattern.latest
        self.app.note_jump()  # type: ignore[attr-defined]  # a history step: esc comes back here
        self.app.push_screen(
            DeadlockReportScreen(self.ctx, latest.analysis, issue=latest.issue, event=latest.event)
        )

    @on(FastTable.RowActivated, "#pattern-issues")
    def _open_issue_row(self, event: FastTable.RowActivated) -> None:
        row = self.issue_table.get_row(event.key)
        if row is not None:
            self._open(row.data)

    def _open(self, issue: Issue) -> None:
        self.post_message(OpenIssue(issue))

    def action_open_issue(self) -> None:
        """The issue under the lower cursor (or the pattern's latest issue)."""
        row = self.issue_table.cursor_row
        if row is not None:
            self._open(row.data)

    def action_refresh(self) -> None:
        self.load()

    def action_close(self) -> None:
        """`esc`: back to the previous place (the list, as `q` does)."""
        self.post_message(GoBack(close=True))
