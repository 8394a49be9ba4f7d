"""One deadlock, explained: the cycle as a graph, the processes and their queries, what happened,
and what to change. Opened from the Deadlocks view (`enter`) and reusable from event detail (`d`):
`DeadlockReportScreen(ctx, source)` takes an `Analysis`, an `Event`, an event dict or report text.

Queries come from the event (untrusted): they are shown through rich `Syntax` on the literal SQL
(never markup) after control characters are made visible; `m` replaces their constants using the
analyzer's `mask_literals` (PostgreSQL's own normalization), for screenshots and tickets.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from dexter_tui.sentry.models import Event, Issue
from dexter_tui.services.deadlock import Analysis, analyze
from dexter_tui.services.deadlocks_view import ProcessRow, process_rows, relative_age, shown_query
from dexter_tui.services.events import event_json
from dexter_tui.services.sanitize import clipboard_text
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.messages import OpenIssue
from dexter_tui.tui.navigation import GoBack, Place, TrailWanted
from dexter_tui.tui.safe_text import clean_str, safe_text
from dexter_tui.tui.screens.styled_once import StyledOnce
from dexter_tui.tui.screens.worker_errors import ReportsWorkerErrors
from dexter_tui.tui.widgets.breadcrumb import Breadcrumb
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.lock_graph import LockGraph

SQL_THEME = "ansi_dark"  # 16-colour theme: reads in any terminal, stable in snapshots
PROCESS_COLUMNS = (
    Column("pid", "PID", width=7, align="right"),
    Column("role", "ROLE", width=9),
    # small minimums: the query column stays on screen down to ~52 cells (the table does not
    # scroll sideways; cut cells end in `…`)
    Column("waits", "WAITS FOR", min_width=16, ratio=2),
    Column("query", "QUERY", min_width=14, ratio=3),
)


def as_analysis(source: Analysis | Event | dict[str, Any] | str) -> Analysis:
    """The analysis of whatever the caller has (analysis, API event, event JSON, report text)."""
    if isinstance(source, Analysis):
        return source
    if isinstance(source, Event):
        return analyze(event_json(source))
    return analyze(source)


def sql_line(query: str) -> Text:
    """One line of SQL, highlighted, for a table cell (the literal text; never markup)."""
    code = clean_str(" ".join(query.split()))
    text = Syntax(code, "sql", theme=SQL_THEME).highlight(code)
    text.rstrip()
    text.style = ""
    text.end = ""
    return text


def sql_block(query: str) -> Syntax:
    """A whole query, highlighted and wrapped."""
    code = clean_str(query.strip(), multiline=True)
    return Syntax(code, "sql", theme=SQL_THEME, word_wrap=True, background_color="default")


class DeadlockReportScreen(StyledOnce, ReportsWorkerErrors, Screen[None]):
    """The report of one deadlock (an event's analysis)."""

    DEFAULT_CSS = """
    DeadlockReportScreen #title { height: auto; padding: 0 1; background: $boost; }
    DeadlockReportScreen #body { height: 1fr; }
    DeadlockReportScreen .section { height: 1; padding: 0 1; text-style: bold; margin-top: 1; }
    DeadlockReportScreen #processes { height: auto; max-height: 12; }
    DeadlockReportScreen #query { height: auto; padding: 0 1; }
    DeadlockReportScreen #explanation, DeadlockReportScreen #advice { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back", id="deadlock_report.close"),
        Binding("c", "copy_blocking", "Copy blocking query", id="deadlock_report.copy"),
        Binding("y", "copy_query", "Copy query", show=False, id="deadlock_report.copy_query"),
        Binding("m", "toggle_mask", "Mask", id="deadlock_report.mask"),
        Binding("o", "open_issue", "Issue", id="deadlock_report.open_issue"),
        # the process table keeps the arrows; the report scrolls like a pager
        Binding("space", "page_down", "More", id="deadlock_report.page_down"),
        Binding("b", "page_up", "Back a page", show=False, id="deadlock_report.page_up"),
    ]

    def __init__(
        self,
        ctx: TuiContext,
        source: Analysis | Event | dict[str, Any] | str,
        *,
        issue: Issue | None = None,
        event: Event | None = None,
        mask: bool = False,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.analysis = as_analysis(source)
        self.issue = issue
        self.event = event if event is not None else source if isinstance(source, Event) else None
        self.masked = mask
        self.rows: list[ProcessRow] = process_rows(self.analysis)
        self.shown_sql = ""  # the query in the pane below the table, as displayed

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        with VerticalScroll(id="body"):
            yield LockGraph(id="graph")
            yield Static("Processes", classes="section")
            yield FastTable(PROCESS_COLUMNS, id="processes", empty_text="no processes")
            yield Static(id="query")
            yield Static("What happened", classes="section")
            yield Static(id="explanation")
            yield Static("Recommendations", classes="section")
            yield Static(id="advice")
        yield Breadcrumb()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LockGraph).show(self.analysis)
        self._show_processes()
        self._show_text()
        self.table.focus()

    @property
    def table(self) -> FastTable:
        return self.query_one("#processes", FastTable)

    # -- navigation history: this report's place ---------------------------------------------------

    def place(self, *, over: str = "issues") -> Place:
        """The report (its event, or this very analysis) over the view it was opened from."""
        event = self.event
        which = (event.event_id or event.id) if event is not None else id(self.analysis)
        advice = self.analysis.advice
        label = "report: " + (advice.pattern if advice is not None else "not a deadlock")
        if self.issue is not None:
            label += f" · {self.issue.short_id}"
        state = {
            "key": ("deadlock_report", which),
            "over": over,
            "analysis": self.analysis,
            "issue": self.issue,
            "event": event,
            "mask": self.masked,
        }
        return Place("deadlock_report", label, state)

    @classmethod
    def at_place(cls, ctx: TuiContext, state: Any) -> DeadlockReportScreen:
        """The report as a recorded place left it (forward after going back)."""
        return cls(
            ctx, state["analysis"], issue=state["issue"], event=state["event"], mask=state["mask"]
        )

    def on_screen_resume(self) -> None:
        self.post_message(TrailWanted())

    def _title(self) -> Text:
        analysis, report, advice = self.analysis, self.analysis.report, self.analysis.advice
        if report is None or advice is None or not analysis.is_deadlock:
            return Text("Not a PostgreSQL deadlock: nothing to report.", style="bold", end="")
        text = Text("PostgreSQL deadlock", style="bold", end="")
        text.append(f" · {advice.pattern} · severity {advice.severity}")
        victim = f"pid {report.victim_pid}" if report.victim_pid is not None else "unknown"
        text.append(f" · SQLSTATE {report.sqlstate or '?'} · victim {victim}")
        if self.issue is not None:
            text.append(" · ")
            text.append_text(safe_text(self.issue.short_id, style="bold"))
        if self.event is not None:
            text.append(f" · event {(self.event.event_id or self.event.id)[:8]}")
            if self.event.date_created is not None:
                age = relative_age(self.event.date_created.timestamp(), self.ctx.clock())
                text.append(f" · {age} ago")
        if report.partial:  # say what is missing before anything is read as complete
            text.append("\nPARTIAL: " + "; ".join(report.partial), style="bold")
        if advice.relations:
            text.append("\nTables: ")
            text.append_text(safe_text(", ".join(advice.relations)))
        if advice.indexes:
            text.append("\nIndexes: ")
            text.append_text(safe_text(", ".join(advice.indexes)))
        return text

    def _process_row(self, row: ProcessRow) -> Row:
        query = shown_query(row.query, masked=self.masked)
        cells = {
            "pid": Text(str(row.pid), end=""),
            "role": Text(row.role, style="bold" if row.role == "victim" else "", end=""),
            "waits": safe_text(row.waits_for or "—"),
            "query": sql_line(query) if query else Text("(not in this report)", style="dim"),
        }
        return Row(str(row.pid), cells, data=row)

    def _show_processes(self) -> None:
        table = self.table
        table.set_rows((self._process_row(r) for r in self.rows), track_new=False)
        table.styles.height = len(self.rows) + 1
        self._show_query()

    def _show_query(self) -> None:
        widget = self.query_one("#query", Static)
        row = self.table.cursor_row
        process: ProcessRow | None = row.data if row is not None else None
        query = shown_query(process.query, masked=self.masked) if process else ""
        self.shown_sql = query
        if process is None:
            widget.update("")
            return
        if not query:
            widget.update(
                Text(
                    f"pid {process.pid}: its query is not in this report (only the server log's "
                    "DETAIL lists every process's query).",
                    style="dim",
                )
            )
            return
        label = Text(f"Query of pid {process.pid} ({process.role})", style="dim")
        if self.masked:
            label.append(" · literals masked (m)")
        widget.update(Group(label, sql_block(query)))

    def _show_text(self) -> None:
        advice = self.analysis.advice
        explanation = Text(end="")
        recs = Text(end="")
        if advice is not None:
            for i, line in enumerate(advice.explanations):
                explanation.append("\n" if i else "")
                explanation.append("• ")
                explanation.append_text(safe_text(line, no_wrap=False))
            for i, rec in enumerate(advice.recommendations):
                recs.append("\n\n" if i else "")
                recs.append(rec.title, style="bold")
                recs.append(f"  [{rec.id}]", style="dim")
                recs.append("\n")
                recs.append_text(safe_text(rec.detail, multiline=True, no_wrap=False))
        self.query_one("#explanation", Static).update(explanation)
        self.query_one("#advice", Static).update(recs)

    @on(FastTable.CursorMoved, "#processes")
    def _cursor_moved(self) -> None:
        self._show_query()

    # -- actions -------------------------------------------------------------------------------

    def action_close(self) -> None:
        """`esc`: back to the previous place (the pattern list, its cursor where it was)."""
        self.post_message(GoBack(close=True))

    def action_page_down(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_page_down()

    def action_page_up(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_page_up()

    def action_toggle_mask(self) -> None:
        self.masked = not self.masked
        key = self.table.cursor_key
        self._show_processes()
        if key is not None:
            self.table.move_cursor_to_key(key)
            self._show_query()
        self.notify("Literals masked" if self.masked else "Literals shown", timeout=2)

    def _copy(self, query: str | None, what: str) -> None:
        if not query:
            self.notify(f"The report does not include {what}", severity="warning")
            return
        # what the screen shows (␛, \u202e), never raw escapes: a paste into psql runs it
        self.app.copy_to_clipboard(clipboard_text(shown_query(query, masked=self.masked)))
        self.notify(f"Copied {what}", timeout=2)

    def action_copy_blocking(self) -> None:
        self._copy(self.analysis.blocking_query(), "the blocking query")

    def action_copy_query(self) -> None:
        row = self.table.cursor_row
        process: ProcessRow | None = row.data if row is not None else None
        self._copy(process.query if process else None, "this process's query")

    def action_open_issue(self) -> None:
        if self.issue is None:
            self.notify("No issue to open from this report", severity="warning")
            return
        self.post_message(OpenIssue(self.issue))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_issue":
            return self.issue is not None
        return True
