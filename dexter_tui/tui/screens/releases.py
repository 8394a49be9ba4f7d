"""The releases view (`4`) and a release's detail.

The list shows each release's version, date, new issues, events (30 days), last deploy and
adoption when Sentry reports release health; `enter` opens the detail: the issues first seen in the
release, the ones that regressed in it, and its events since release as a chart. Marked issues
(else the cursor row) take the list's issue actions through the shared controller (same keys,
confirm policy, action log, undo, read-only refusal); `x` resolves them "in this release".
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from dexter_tui.sentry.models import Issue, Release
from dexter_tui.services import actions
from dexter_tui.services.actions import IssueAction
from dexter_tui.services.bulk import BulkOutcome
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.services.releases import EVENTS_PERIOD, ReleaseDetail, ReleaseRow, ReleaseService
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.issue_actions import IssueActions, issue_binding
from dexter_tui.tui.issue_rows import compact, flags_text, level_text, relative
from dexter_tui.tui.messages import IssuesChanged, OpenIssue
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.screens.base import ViewScreen
from dexter_tui.tui.widgets.bar_chart import BarChart
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.status_header import header_for
from dexter_tui.tui.widgets.table_cells import identifier_text

RELEASE_COLUMNS = [
    Column("version", "VERSION", min_width=16, ratio=3),
    Column("date", "RELEASED", width=8, align="right"),
    Column("new", "NEW", width=4, align="right"),
    Column("events", f"EVENTS {EVENTS_PERIOD}", width=10, align="right"),
    Column("deploy", "LAST DEPLOY", min_width=12, ratio=2),
    Column("adoption", "ADOPTION", width=8, align="right", hide_below=90),
    Column("projects", "PROJECTS", min_width=10, ratio=1, hide_below=110),
]
ISSUE_COLUMNS = [
    Column("why", "WHY", width=9),
    Column("level", "LVL", width=5),
    Column("short_id", "SHORT-ID", min_width=14, ratio=1),
    Column("flags", "FLG", width=3),
    Column("title", "TITLE", min_width=16, ratio=5),
    Column("events", "EVENTS", width=6, align="right"),
    Column("users", "USERS", width=5, align="right"),
    Column("last_seen", "SEEN", width=5, align="right"),
]


def _project_ids(ctx: TuiContext) -> tuple[str, ...]:
    workspace = ctx.workspace
    if workspace is None or not ctx.settings.project:
        return ()
    return tuple(workspace.project_ids(list(ctx.settings.project)))


def release_row(row: ReleaseRow, now: float) -> Row:
    def cells() -> dict[str, Text]:
        deploy = row.last_deploy
        deploy_text = Text()
        if deploy:
            env, when = deploy
            deploy_text.append_text(safe_text(env))
            if when is not None:
                deploy_text.append(f" {relative(_dt(when), now)} ago", style="dim")
        adoption = row.adoption
        projects = ", ".join(
            str(p.get("slug", "")) for p in row.release.projects if isinstance(p, dict)
        )
        return {
            "version": identifier_text(row.version, "bold"),
            "date": Text(relative(_dt(row.date), now) if row.date else "—"),
            "new": Text(str(row.new_issues)),
            "events": Text(compact(row.events) if row.events is not None else "—"),
            "deploy": deploy_text if deploy else Text("—", style="dim"),
            "adoption": Text(f"{adoption:.0f}%" if adoption is not None else "—"),
            "projects": safe_text(projects, "dim"),
        }

    return Row(
        key=row.version,
        cells=cells,
        sort_values={"date": row.date or 0, "events": row.events or 0, "new": row.new_issues},
        data=row,
    )


def _dt(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


class ReleasesScreen(ViewScreen):
    """The release list of the current projects (and environment)."""

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="releases.refresh"),
        Binding("s", "cycle_sort", "Sort", id="releases.sort"),
    ]
    SORTS = (None, "events", "new")

    def __init__(self, ctx: TuiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ReleaseService(ctx.client, ctx.org, clock=ctx.clock)
        self.status = PollStatus(interval=ctx.settings.poll_interval)
        self.rows: list[ReleaseRow] = []
        self.sort: str | None = None
        self.loaded_scope: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield header_for(self.ctx, self.status, list(self._environments()))
        yield Static(id="context")
        yield FastTable(RELEASE_COLUMNS, id="releases")
        yield Footer()

    @property
    def table(self) -> FastTable:
        return self.query_one("#releases", FastTable)

    def _environments(self) -> tuple[str, ...]:
        return tuple(self.ctx.settings.default_environment)

    def on_mount(self) -> None:
        self.table.focus()
        self._show_context()

    def on_screen_resume(self) -> None:
        scope = (_project_ids(self.ctx), self._environments())
        if scope != self.loaded_scope:
            self.load()

    @work(exclusive=True, group="releases", exit_on_error=False)
    async def load(self) -> None:
        self.status.state = LiveState.LOADING
        projects, envs = _project_ids(self.ctx), self._environments()
        try:
            self.rows = await self.service.list(projects=projects, environments=envs)
        except Exception as error:
            self.status.failed(error, self.ctx.clock())
            self._show_context()
            raise
        self.loaded_scope = (projects, envs)
        self.status.succeeded(self.ctx.clock())
        now = self.ctx.clock()
        self.table.set_rows((release_row(r, now) for r in self.rows), track_new=False)
        self._apply_sort()
        self._show_context()

    def _show_context(self) -> None:
        text = Text("Releases", style="bold")
        text.append(f" {len(self.rows)}")
        text.append(f" · sort: {self.sort or 'newest'} (s)")
        text.append(" · enter: new issues and regressions of a release")
        self.show_context(text)
        self.status_header.refresh()

    def _apply_sort(self) -> None:
        if self.sort is None:
            self.table.sort_by(None)
        else:
            self.table.sort_by(self.sort, reverse=True)
        self.table.set_sort_indicator(self.sort or "date", reverse=True)

    def action_cycle_sort(self) -> None:
        index = self.SORTS.index(self.sort)
        self.sort = self.SORTS[(index + 1) % len(self.SORTS)]
        self._apply_sort()
        self._show_context()

    def action_refresh(self) -> None:
        self.load()

    @on(FastTable.RowActivated, "#releases")
    def _open(self, event: FastTable.RowActivated) -> None:
        row = self.table.get_row(event.key)
        if row is not None:
            self.app.push_screen(ReleaseDetailScreen(self.ctx, self.service, row.data.release))


class ReleaseDetailScreen(ViewScreen, IssueActions):
    """One release: its new issues and regressions, events since release, and the issue actions
    of the list (`x` resolves *in this release*)."""

    DEFAULT_CSS = """
    ReleaseDetailScreen #context { height: auto; max-height: 3; }
    ReleaseDetailScreen #chart-title { height: 1; padding: 0 1; text-style: bold; }
    ReleaseDetailScreen #chart { height: 7; padding: 0 1; }
    """

    BINDINGS = [
        Binding("space", "toggle_mark", "Mark", id="release_detail.mark"),
        Binding("U", "clear_marks", "Clear marks", show=False, id="release_detail.clear_marks"),
        issue_binding("resolve", show=True, description="Resolve in this release"),
        issue_binding("resolve_next", show=True, description="In next release"),
        issue_binding("unresolve"),
        issue_binding("ignore"),
        issue_binding("assign"),
        issue_binding("unassign"),
        issue_binding("bookmark"),
        issue_binding("undo"),
        issue_binding("action_log"),
        issue_binding("copy_short_id"),
        issue_binding("copy_url"),
        Binding("r", "refresh", "Refresh", id="release_detail.refresh"),
        Binding("escape", "back", "Back", show=False, id="release_detail.back"),
    ]
    FAILED_NOTE = "Failed issues stay marked; @ shows why."

    def __init__(self, ctx: TuiContext, service: ReleaseService, release: Release) -> None:
        super().__init__(ctx)
        self.service = service
        self.release = release
        self.status = PollStatus(interval=ctx.settings.poll_interval)
        self.detail: ReleaseDetail | None = None

    def compose(self) -> ComposeResult:
        yield header_for(self.ctx, self.status, list(self.ctx.settings.default_environment))
        yield Static(id="context")
        yield Static(id="chart-title")
        yield BarChart(id="chart")
        yield FastTable(ISSUE_COLUMNS, id="release-issues")
        yield Footer()

    @property
    def table(self) -> FastTable:
        return self.query_one("#release-issues", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._show()
        self.load()

    @work(exclusive=True, group="release-detail", exit_on_error=False)
    async def load(self) -> None:
        self.status.state = LiveState.LOADING
        try:
            self.detail = await self.service.detail(
                self.release, environments=tuple(self.ctx.settings.default_environment)
            )
        except Exception as error:
            self.status.failed(error, self.ctx.clock())
            self._show()
            raise
        self.status.succeeded(self.ctx.clock())
        self._show()

    def _show(self) -> None:
        release = self.release
        text = Text("Release ", style="bold")
        text.append_text(safe_text(release.version, "bold"))
        when = release.date_released or release.date_created
        if when is not None:
            text.append(f" · released {relative(when, self.ctx.clock())} ago")
        detail = self.detail
        if detail is not None:
            new = len(detail.new_issues)
            text.append(f" · {new} new issue{'' if new == 1 else 's'}")
            text.append(f" · {len(detail.regressions)} regressed")
        marked = self.table.marked_count
        if marked:
            text.append(f" · {marked} marked", style="bold reverse")
        self.show_context(text)
        self.status_header.refresh()
        if detail is None:
            self.query_one("#chart-title", Static).update(Text("Events since release: loading…"))
            return
        hours = detail.interval // 3600
        bucket = f"{hours}h" if hours else f"{detail.interval // 60}m"
        self.query_one("#chart-title", Static).update(
            Text(f"Events since release: {sum(detail.volume):,} (bucket {bucket})", style="bold")
        )
        start = datetime.fromtimestamp(detail.start, UTC).strftime("%b %d %H:%M")
        self.query_one("#chart", BarChart).set_data(detail.volume, (start, "", "now"))
        now = self.ctx.clock()
        new_ids = {i.id for i in detail.new_issues}
        self.table.set_rows(
            (
                self._issue_row(i, "new" if i.id in new_ids else "regressed", now)
                for i in detail.issues
            ),
            track_new=False,
        )

    def _issue_row(self, issue: Issue, why: str, now: float) -> Row:
        return Row(
            key=issue.id,
            cells={
                "why": Text(why, style="bold" if why == "new" else ""),
                "level": level_text(issue.level),
                "short_id": identifier_text(issue.short_id, "bold"),
                "flags": flags_text(issue),
                "title": safe_text(issue.title),
                "events": Text(compact(issue.count)),
                "users": Text(compact(issue.user_count)),
                "last_seen": Text(relative(issue.last_seen, now)),
            },
            dim=issue.status in ("resolved", "ignored"),
            data=issue,
        )

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `resolve_here`: the name this action had before the shared controller
        return super().check_action("resolve" if action == "resolve_here" else action, parameters)

    def selection(self) -> list[Issue]:
        keys = self.table.selected_keys()
        rows = [self.table.get_row(k) for k in keys]
        return [r.data for r in rows if r is not None]

    def cursor_issue(self) -> Issue | None:
        row = self.table.cursor_row
        return row.data if row is not None else None

    def known_issues(self) -> list[Issue]:
        return list(self.detail.issues) if self.detail is not None else []

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor_down()
        self._show_context_only()

    def action_clear_marks(self) -> None:
        self.table.clear_marks()
        self._show_context_only()

    def _show_context_only(self) -> None:
        self._show()

    def make_action(self, name: str) -> IssueAction:
        """`x` here resolves *in this release*: a later release's event reopens the issue."""
        if name == "resolve":
            return actions.resolve_in_release(self.release.version)
        return super().make_action(name)

    def action_resolve_here(self) -> None:
        self.action_resolve()

    def after_outcome(self, outcome: BulkOutcome) -> None:
        if outcome.action.verb != "undo":
            self.table.clear_marks()
            self.table.mark(*outcome.failed)
        self._show()

    def on_issues_changed(self, message: IssuesChanged) -> None:
        detail = self.detail
        if detail is None:
            return
        updated = message.updated
        if not any(i.id in updated for i in detail.issues):
            return
        detail.new_issues = [updated.get(i.id, i) for i in detail.new_issues]
        detail.regressions = [updated.get(i.id, i) for i in detail.regressions]
        self._show()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        if self.table.marked_count:
            self.table.clear_marks()
            self._show()
            return
        self.app.pop_screen()

    @on(FastTable.RowActivated, "#release-issues")
    def _open(self, event: FastTable.RowActivated) -> None:
        row = self.table.get_row(event.key)
        if row is not None:
            self.post_message(OpenIssue(row.data))
