"""Similar issues (`=`): merge candidates for one issue, best first, each with why it is listed.

`space` marks candidates, `M` merges the issue with the marked ones (else with the one under the
cursor) — the dialog returns them and the screen's issue-action controller sends the merge (same
confirm, toast, action log as `M` on the list). `enter` opens nothing: it is a merge picker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dexter_tui.sentry.models import Issue
from dexter_tui.services.similar import Candidate, SimilarResult, explain
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.issue_rows import compact
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row

Load = Callable[[], Awaitable[SimilarResult]]

COLUMNS = [
    Column("score", "SCORE", width=5, align="right"),
    Column("short_id", "SHORT-ID", width=18),
    Column("title", "TITLE", min_width=20, ratio=3),
    Column("events", "EVENTS", width=6, align="right"),
    Column("why", "WHY", min_width=16, ratio=2, hide_below=100),
]

SOURCES = {
    "sentry": "scores from Sentry's similarity backend",
    "local": "local score: exception type, normalised message, in-app frames",
}


def candidate_row(candidate: Candidate) -> Row:
    issue = candidate.issue
    cells = {
        "score": Text(f"{candidate.score * 100:.0f}%"),
        "short_id": safe_text(issue.short_id, "bold"),
        "title": safe_text(issue.title),
        "events": Text(compact(issue.count)),
        "why": safe_text(explain(candidate)),
    }
    return Row(issue.id, cells, data=issue)


class SimilarIssuesDialog(Dialog[list[Issue] | None]):
    """Returns the candidates to merge the issue with (None: closed)."""

    DEFAULT_CSS = """
    SimilarIssuesDialog > Vertical { width: 95%; height: 80%; padding: 0; }
    SimilarIssuesDialog .title { height: 1; padding: 0 1; text-style: bold; }
    SimilarIssuesDialog #similar { height: 1fr; }
    SimilarIssuesDialog .status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="similar.close"),
        Binding("space", "toggle_mark", "Mark", id="similar.mark"),
        Binding("M", "merge", "Merge", id="similar.merge"),
    ]

    def __init__(self, issue: Issue, load: Load) -> None:
        super().__init__()
        self.issue = issue
        self.load = load
        self.result: SimilarResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            title = f"Similar to {self.issue.short_id}: {self.issue.title}"
            yield Static(safe_text(title), classes="title")
            yield FastTable(COLUMNS, empty_text="no similar issues", id="similar")
            yield Static("looking for similar issues…", classes="status", id="similar-status")

    @property
    def table(self) -> FastTable:
        return self.query_one("#similar", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.find()

    @work(exclusive=True, group="similar", exit_on_error=False)
    async def find(self) -> None:
        try:
            result = await self.load()
        except Exception as error:
            self._status(f"could not look for similar issues: {error}")
            raise
        self.result = result
        self.table.set_rows((candidate_row(c) for c in result.candidates), track_new=False)
        self._status(
            f"{len(result.candidates)} candidates · {SOURCES.get(result.source, result.source)}"
            " · space: mark · M: merge"
        )

    def _status(self, text: str) -> None:
        self.query_one("#similar-status", Static).update(safe_text(text))

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor_down()

    def action_merge(self) -> None:
        keys = self.table.selected_keys()
        chosen = [row.data for k in keys if (row := self.table.get_row(k)) is not None]
        if not chosen:
            self.notify("No candidate to merge with", severity="warning")
            return
        self.dismiss(chosen)

    def action_close(self) -> None:
        self.dismiss(None)
