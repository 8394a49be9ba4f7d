"""The issue list: what is on fire, marks, bulk actions, live polling.

The screen owns presentation and timing only; loading, polling, bulk actions and export go through
`dexter_tui.services`. Workers: `fetch` (user-driven, exclusive), `poll` and `bulk` (never cancelled
by a refresh). Their failures reach the app's single error handler.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static

from dexter_tui.choices import DEFAULT_PERIOD, FALLBACK_PERIOD, PERIODS, SORT_LABELS, SORTS
from dexter_tui.sentry.errors import SentryError
from dexter_tui.sentry.models import Issue
from dexter_tui.services import export
from dexter_tui.services.bulk import BulkOutcome
from dexter_tui.services.issues import QUICK_FILTERS, IssueFeed, IssueQuery
from dexter_tui.services.listed_issues import ListedIssue
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.services.preview import IssuePreviews
from dexter_tui.tui import offline
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.dialogs.export_dialog import ExportDialog, ExportRequest
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.issue_actions import IssueActions, issue_binding
from dexter_tui.tui.issue_rows import (
    SORT_COLUMNS,
    columns_for,
    issue_row,
    period_events,
    rows_aged,
    text_filter,
)
from dexter_tui.tui.messages import IssuesChanged, OpenIssue, QueryChanged
from dexter_tui.tui.navigation import GoBack, Jumped, Place, TrailWanted
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.screens.base import ViewScreen
from dexter_tui.tui.widgets.breadcrumb import Breadcrumb
from dexter_tui.tui.widgets.fast_table import FastTable
from dexter_tui.tui.widgets.issue_preview import IssuePreview
from dexter_tui.tui.widgets.search_input import SearchField, SearchInput, completer_for
from dexter_tui.tui.widgets.stable_footer import StableFooter
from dexter_tui.tui.widgets.status_header import header_for
from dexter_tui.tui.worker_release import releases_worker

EXPORT_PAGE_LIMIT = 20  # 2,000 issues


class IssuesScreen(ViewScreen, IssueActions):
    """The root screen: a live, keyed issue table with marks and bulk actions."""

    DEFAULT_CSS = """
    IssuesScreen #query { height: 1; border: none; padding: 0 1; background: $surface; }
    IssuesScreen #query:focus { background: $boost; }
    IssuesScreen #empty { height: auto; padding: 1 2; display: none; }
    IssuesScreen.empty #empty { display: block; }
    """

    BINDINGS = [
        Binding("slash", "focus_query", "Filter", id="issues.filter"),
        Binding("s", "cycle_sort", "Sort", id="issues.sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="issues.sort_reverse"),
        Binding("t", "cycle_period", "Period", show=False, id="issues.period"),
        Binding("f", "quick_filter", "Quick filter", show=False, id="issues.quick_filter"),
        Binding("space", "toggle_mark", "Mark", id="issues.mark"),
        Binding("v", "range_mark", "Range", show=False, id="issues.range_mark"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="issues.mark_all"),
        Binding("U", "clear_marks", "Clear marks", show=False, id="issues.clear_marks"),
        issue_binding("resolve", show=True),
        issue_binding("unresolve"),
        issue_binding("resolve_next"),
        issue_binding("ignore", show=True),
        issue_binding("assign", show=True),
        issue_binding("unassign"),
        issue_binding("bookmark"),
        issue_binding("mark_seen"),
        issue_binding("merge"),
        issue_binding("delete"),
        issue_binding("undo"),
        issue_binding("action_log"),
        issue_binding("copy_short_id"),
        issue_binding("copy_url"),
        issue_binding("priority"),
        issue_binding("handoff"),
        issue_binding("similar"),
        Binding("p", "toggle_preview", "Preview", show=False, id="issues.preview"),
        Binding("e", "export", "Export", show=False, id="issues.export"),
        Binding("r", "refresh", "Refresh", id="issues.refresh"),
        Binding("escape", "escape", "Clear / back", show=False, id="issues.escape"),
    ]

    FAILED_NOTE = "Failed issues stay marked; @ shows why."
    #: the table, not the search field (the field's focus loads tag keys and saved searches)
    AUTO_FOCUS = "#issues"

    #: `S`: the loaded rows in the opposite order of the sort (locally, no request)
    sort_reverse: reactive[bool] = reactive(False, init=False)
    #: the poll state the header shows; set after every tick (`always_update`: "updated 0s ago"
    #: repaints even when the state stays live), the header follows in `watch_live_state`; not
    #: the whole screen (`repaint=False`: a full-screen render was a tick's longest block)
    live_state: reactive[LiveState] = reactive(
        LiveState.LOADING, init=False, always_update=True, repaint=False
    )
    #: the stats period of the list's query as it takes effect; the context line follows it
    period: reactive[str] = reactive(DEFAULT_PERIOD, init=False)

    def __init__(self, ctx: TuiContext, query: IssueQuery | None = None):
        super().__init__(ctx)
        self.feed = IssueFeed(ctx.client, ctx.org, query or ctx.initial_query(), clock=ctx.clock)
        self.poll_status = PollStatus(interval=ctx.settings.poll_interval)
        self._poll_timer = None
        self._pending_place: dict | None = None  # cursor and scroll to restore after a load
        self.previews = IssuePreviews(ctx.client, ctx.org)  # issue detail (releases)
        self._to_top = False  # a new sort or query: show its first rows, not the old cursor's
        self._filtered_for: tuple[str, object] | None = None  # text, filter: `_filter_text`
        self._aged_at: float | None = None  # when a poll last redrew the rows whose ages moved

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        yield header_for(ctx, self.poll_status, list(self.feed.query.environments))
        yield Static(id="context")
        yield SearchField(
            SearchInput(
                self.feed.query.query,
                completer=completer_for(ctx),
                rows_below=True,
                placeholder="Sentry search, e.g. is:unresolved level:error",
                id="query",
            )
        )
        with Vertical():
            q = self.feed.query
            yield FastTable(columns_for(q.period, q.stats_key), id="issues")
            yield Static(id="empty")
        yield IssuePreview(ctx.clock, id="preview")
        yield Breadcrumb()
        yield StableFooter()

    @property
    def table(self) -> FastTable:
        return self.query_one("#issues", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.query_one("#query", SearchInput).on_text = self._filter_text
        self._show_sort()  # and the context line
        self.load_first()

    # -- loading and polling -------------------------------------------------------------------

    def _project_ids(self) -> tuple[str, ...]:
        workspace = self.ctx.workspace
        slugs = list(self.ctx.settings.project)
        if workspace is None or not slugs:
            return ()
        return tuple(workspace.project_ids(slugs))

    @work(exclusive=True, group="fetch", exit_on_error=False)
    @releases_worker  # it settles what it loaded (memory.settle): no frozen cycle of its own
    async def load_first(self) -> None:
        self.poll_status.state = LiveState.LOADING
        self.feed.query = self.feed.query.with_(projects=self._project_ids())
        self.post_message(QueryChanged(self.feed.query))  # every query takes effect here
        self.period = self.feed.query.period
        self.live_state = self.poll_status.state
        await offline.show_cached_rows(self)  # rows from the cache at once, if any
        self.ctx.list_started.set()  # the workspace's requests follow this one (app.py)
        try:
            await self.feed.load_first()
        except Exception as error:
            self.ctx.list_answered.set()  # the workspace goes ahead (app.py)
            offline.list_failed(self, error)
            self._schedule_poll(self._note_failure(error))  # retried like a failed tick
            if isinstance(error, SentryError) and error.status == 400:  # refused: say so under it
                self.query_one(SearchField).show_error(str(error))
            raise
        offline.list_loaded(self)
        self.poll_status.succeeded(self.ctx.clock())
        self._show_rows(track_new=False)
        self.ctx.list_answered.set()  # the workspace's requests follow the rows (app.py)
        if self._to_top:
            self._to_top = False
            self.table.move_cursor(0)
        self._apply_pending_place()
        self.live_state = self.poll_status.state
        self._schedule_poll(self.poll_status.interval)

    @work(group="fetch-more", exit_on_error=False)
    @releases_worker  # it settles what it loaded (memory.settle): no frozen cycle of its own
    async def load_more(self) -> None:
        added = await self.feed.load_more()
        if added:
            self.table.append_rows(self._row(i) for i in added)
        self.table.has_more = self.feed.has_more
        self._update_context()

    def _schedule_poll(self, delay: float | None) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if delay is not None:
            self._poll_timer = self.set_timer(delay, self._poll_due)

    def _poll_due(self) -> None:
        self._poll_timer = None
        if self.poll_status.paused:
            return
        self.poll()

    @work(group="poll", exit_on_error=False)
    async def poll(self) -> None:
        """One request; the next tick is scheduled only after this one finished."""
        if offline.load_instead_of_poll(self):  # cached or never loaded rows: load, not merge
            return
        try:
            changes = await self.feed.poll()
        except Exception as error:
            offline.list_failed(self, error)
            delay = self._note_failure(error)
            self._schedule_poll(delay)
            raise
        offline.list_loaded(self)
        self._schedule_poll(self.poll_status.succeeded(self.ctx.clock()))
        self._merge_rows(changes.new + changes.updated, changes.removed, changes.reordered)
        self.live_state = self.poll_status.state
        if changes.regressed:
            self.table.highlight(*changes.regressed)
        if changes.new or changes.regressed:
            parts = []
            if changes.new:
                parts.append(f"{len(changes.new)} new")
            if changes.regressed:
                parts.append(f"{len(changes.regressed)} regressed")
            names = [self.feed.listed(i).short_id for i in changes.new + changes.regressed][:5]
            self.notify(f"{', '.join(parts)}: {', '.join(names)}", title="Live update")
            if self.ctx.bell:
                self.app.bell()

    def _note_failure(self, error: BaseException) -> float | None:
        delay = self.poll_status.failed(error, self.ctx.clock())
        self.live_state = self.poll_status.state
        return delay

    def _row(self, issue: Issue | ListedIssue):
        listed = self.feed.listed(issue.id)  # rows hold the slim form, never the parsed issue
        q = self.feed.query
        return issue_row(listed, q.stats_key, self.ctx.clock, self.feed.priority, q.period)

    def _merge_rows(self, ids: list[str], removed: list[str], reordered: bool) -> None:
        """Only the rows of `ids` are rebuilt (a poll, an action's outcome); see `_show_rows`."""
        issues = self.feed.issues
        rows = [self._row(issues.listed(i)) for i in ids if i in issues]
        first = self.feed.order[: self.feed.page_size] if reordered else None
        if rows or removed or first is not None:
            self.table.update_rows(rows, removed=removed, first=first)
            self._show_rows(track_new=True, rows_set=True)
        else:
            self.table.has_more = self.feed.has_more
        now = self.ctx.clock()  # rows whose ages moved on are drawn again, the rest cached
        self.table.redraw_rows(rows_aged(self._aged_at, now))
        self._aged_at = now

    def _show_rows(self, *, track_new: bool, rows_set: bool = False) -> None:
        table = self.table
        if not rows_set:
            table.set_rows((self._row(i) for i in self.feed.listed_in_order()), track_new=track_new)
            self.feed.settle()
            self._aged_at = self.ctx.clock()  # new rows: drawn with ages as of now or later
        table.has_more = self.feed.has_more
        if not rows_set:
            self._apply_sort()
        empty = self.feed.loaded_once and not self.feed.order
        self.set_class(empty, "empty")
        if empty:
            self.query_one("#empty", Static).update(
                Text.assemble(
                    ("No issues match ", "bold"),
                    safe_text(self.feed.query.query or "(all)"),
                    "\nTry f for quick filters, t for a longer period, or / to edit the search.",
                )
            )
        self._update_context()
        self._update_preview()

    # -- header, context line, preview ----------------------------------------------------------

    def watch_live_state(self) -> None:
        """The header repaints itself with the new poll state (and drops a finished progress)."""
        header = self.status_header
        if not self.issue_action_busy:
            header.progress = ""
        header.refresh()

    def watch_period(self) -> None:
        self.table.set_columns(columns_for(self.period, self.feed.query.stats_key))
        self._update_context()

    def _update_context(self) -> None:
        q = self.feed.query
        table = self.table
        text = Text()
        loaded = len(self.feed.order)
        total = self.feed.hits
        if table.filter_active:  # what the filter shows, of what is loaded
            text.append(f"Issues {table.visible_count} of {loaded} match", style="bold")
        else:
            text.append(f"Issues {loaded}", style="bold")
            if total is not None and total != loaded:
                text.append(f"/{total}")
        text.append(" · sort: ")
        text.append(SORT_LABELS.get(q.sort, q.sort) + (" ▼" if not self.sort_reverse else " ▲"))
        text.append(f" · period: {q.period}")
        if q.environments:
            text.append(" · env: ")
            text.append_text(safe_text(", ".join(q.environments)))
        marked = table.marked_count
        if marked:
            hidden = marked - table.visible_marked_count
            text.append(f" · {marked} marked", style="bold reverse")
            if hidden:
                text.append(f" ({hidden} hidden by filter)")
        if table.filter_active:
            text.append(" · filtered", style="italic")
        above = self._new_above()
        if above:  # a live issue arrived above the rows on screen: say so in the list
            text.append(f" · ↑ {above} new above (g: top)", style="bold reverse")
        self.show_context(text)

    def _new_above(self) -> int:
        """New rows (from a poll) scrolled out above the first row on screen."""
        table = self.table
        top = table.scroll_offset.y
        if not table.new_keys or top == 0:
            return 0
        return table.count_above(table.new_keys, top)

    def _update_preview(self) -> None:
        preview = self.query_one(IssuePreview)
        row = self.table.cursor_row
        issue = self.feed.issues.get(row.key) if row else None
        detail = self.previews.cached(issue.id) if issue else None
        q = self.feed.query
        in_period = period_events(issue, q.period, q.stats_key, self.ctx.clock()) if issue else 0
        preview.show_issue(issue, detail, (q.period, in_period))
        if preview.display and issue is not None and detail is None:
            self.fetch_detail(issue.id)

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def fetch_detail(self, issue_id: str) -> None:
        """Releases are only in the issue's detail: one request per issue the cursor rests on."""
        await asyncio.sleep(0.2)  # the cursor is still moving: let exclusive cancel this one
        await self.previews.load(issue_id)
        if self.table.cursor_key == issue_id:
            self._update_preview()

    @on(FastTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_preview()
        if self.table.new_keys:
            self._update_context()  # "↑ N new above" goes when they scroll into view

    @on(FastTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_context()

    @on(FastTable.NearEnd)
    def _near_end(self) -> None:
        if self.feed.has_more:
            self.load_more()

    @on(FastTable.RowActivated)
    def _open(self, event: FastTable.RowActivated) -> None:
        issue = self.feed.issues.get(event.key)
        if issue is not None:
            self.post_message(OpenIssue(issue))
            self.seen_on_open(issue)

    # -- query, sort, period, filters -------------------------------------------------------------

    def action_focus_query(self) -> None:
        """Focus the search with the cursor after it (nothing selected: typing adds a term)."""
        query_input = self.query_one("#query", Input)
        if query_input.value and not query_input.value.endswith(" "):
            query_input.value += " "
        query_input.cursor_position = len(query_input.value)
        query_input.focus()
        self.table.prepare_filter()  # the search text split ahead of the first key

    @on(SearchInput.Leave, "#query")
    def _to_rows(self) -> None:
        """`↓` in the search: act on the filtered rows (the filter stays)."""
        self.table.focus()

    @on(Input.Changed, "#query")
    def _typing(self, event: Input.Changed) -> None:
        if self._filtered_for != (event.value, self.table.row_filter):
            self._filter_text(event.value)  # not applied as it was typed (or undone since)

    def _filter_text(self, value: str) -> None:
        """The local filter for the search text; `SearchInput.on_text` calls it in the same step
        as the key, so the rows change in the frame that shows the key."""
        needle = value.strip()
        words = [w for w in needle.split() if ":" not in w]
        if not words:
            self.table.set_filter(None)
        else:
            self.table.set_filter(text_filter(needle))
        self._update_context()
        self._filtered_for = (value, self.table.row_filter)

    @on(Input.Submitted, "#query")
    def _send_query(self, event: Input.Submitted) -> None:
        query = self.feed.query.with_(query=" ".join(event.value.split()))
        if query != self.feed.query:
            self.post_message(Jumped(self.place()))
        self.set_query(query)
        self.table.focus()

    def set_query(self, query: IssueQuery) -> None:
        self.feed.query = query
        self.query_one("#query", Input).value = query.query
        self.table.set_filter(None)
        self.table.release_filter()
        header = self.status_header
        header.where.environments = list(query.environments)
        self._show_sort()  # a saved view may bring its own sort
        self.load_first()

    def action_cycle_sort(self) -> None:
        current = self.feed.query.sort
        nxt = SORTS[(SORTS.index(current) + 1) % len(SORTS)] if current in SORTS else SORTS[0]
        self.feed.query = self.feed.query.with_(sort=nxt)
        self._to_top = True
        self.sort_reverse = False
        self._show_sort()
        if nxt == "priority" or (current == "priority" and nxt == "date"):
            self._apply_sort()
        self.load_first()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse

    def watch_sort_reverse(self) -> None:
        """The table order, the column arrow and the context line follow the flag."""
        self._show_sort()
        self._apply_sort()
        self.table.move_cursor(0)  # the new order's first rows, not the old cursor's place

    def _show_sort(self) -> None:
        column = SORT_COLUMNS.get(self.feed.query.sort)
        self.table.set_sort_indicator(
            column, reverse=not self.sort_reverse
        )  # ▼: newest, most first
        self._update_context()

    def _apply_sort(self) -> None:
        """Server order, except the local priority sort and a user reversal."""
        q = self.feed.query
        if q.sort == "priority":
            self.table.sort_by("priority", reverse=not self.sort_reverse)
        elif self.sort_reverse and q.sort in SORT_COLUMNS:
            self.table.sort_by(SORT_COLUMNS[q.sort], reverse=False)
        else:
            self.table.sort_by(None)
        self.table.set_sort_indicator(SORT_COLUMNS.get(q.sort), reverse=not self.sort_reverse)

    def action_cycle_period(self) -> None:
        current = self.feed.query.period
        nxt = (
            PERIODS[(PERIODS.index(current) + 1) % len(PERIODS)]
            if current in PERIODS
            else FALLBACK_PERIOD
        )
        self.set_query(self.feed.query.with_(period=nxt))

    def action_quick_filter(self) -> None:
        def chosen(index: int | None) -> None:
            if index is not None:
                self.post_message(Jumped(self.place()))
                self.set_query(self.feed.query.with_(query=QUICK_FILTERS[index][1]))

        labels = [f"{label:<16} {query or '(everything)'}" for label, query in QUICK_FILTERS]
        self.app.push_screen(PickDialog("Quick filter", labels), chosen)

    def action_escape(self) -> None:
        """In order: drop the typing (input or its filter), clear the marks, go back a place."""
        query_input = self.query_one("#query", Input)
        if self.table.filter_active or query_input.has_focus:
            query_input.value = self.feed.query.query
            self.table.set_filter(None)
            self.table.release_filter()
            self.table.focus()
        elif self.table.marked_count:
            self.table.clear_marks()
        else:
            self.post_message(GoBack())
        self._update_context()

    # -- navigation history: this list's place ----------------------------------------------------

    def place(self) -> Place:
        q = self.feed.query
        table = self.table
        state = {
            "key": (q.query, q.sort, q.period, tuple(q.environments), tuple(q.projects)),
            "query": q,
            "reverse": self.sort_reverse,
            "cursor": table.cursor_key,
            "row": table.cursor_index,
            "scroll": table.scroll_offset.y,
        }
        return Place("issues", f"issues: {q.query or '(all)'}", state)

    def restore_place(self, state: dict) -> None:
        """Back to a recorded place: its query (reloaded if it differs), then its row."""
        self._pending_place = dict(state)
        query = state["query"]
        if query != self.feed.query:
            self.set_query(query.with_(projects=self.feed.query.projects))
        else:
            self._apply_pending_place()

    def _apply_pending_place(self) -> None:
        state, self._pending_place = self._pending_place, None
        if state is None:
            return
        if state.get("reverse") != self.sort_reverse:
            self.sort_reverse = bool(state.get("reverse"))
        table = self.table
        table.scroll_to(y=state.get("scroll", 0), animate=False)
        key = state.get("cursor")
        if not (key and table.move_cursor_to_key(key)):
            table.move_cursor(int(state.get("row") or 0))
        table.focus()

    def on_screen_resume(self) -> None:
        self.post_message(TrailWanted())

    def action_refresh(self) -> None:
        self.load_first()

    def action_toggle_pause(self) -> None:
        paused = self.poll_status.toggle_pause()
        self.live_state = self.poll_status.state
        if not paused and self._poll_timer is None:
            self.poll()
        self.notify("Live updates paused" if paused else "Live updates resumed")

    # -- marks ----------------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor_down()

    def action_range_mark(self) -> None:
        """From the anchor (the last row marked with space or v) to the cursor; the first v
        with no anchor marks the cursor row and becomes the anchor."""
        table = self.table
        if table.mark_anchor is None or table.cursor_key is None:
            if table.cursor_key is not None:
                table.mark(table.cursor_key)
                table.mark_anchor = table.cursor_key
                self.notify("Range start marked: move, then v again", timeout=3)
            return
        table.mark_range()
        table.mark_anchor = table.cursor_key

    def action_mark_all(self) -> None:
        self.table.mark_all_visible()

    def action_clear_marks(self) -> None:
        self.table.clear_marks()

    def selection(self) -> list[Issue]:
        """The one selection rule: the marked issues, else the cursor row."""
        keys = self.table.selected_keys()
        return [self.feed.issues[k] for k in keys if k in self.feed.issues]

    # -- issue actions: the shared controller, with the list's selection and marks --------------

    def cursor_issue(self) -> Issue | None:
        row = self.table.cursor_row
        return self.feed.issues.get(row.key) if row is not None else None

    def known_issues(self) -> list[Issue]:
        return list(self.feed.issues.listed_values())  # id and short id only: not parsed

    def show_progress(self, text: str) -> None:
        self.status_header.progress = text

    def after_outcome(self, outcome: BulkOutcome) -> None:
        """Failed issues stay marked (the rest are unmarked); rows redraw from `IssuesChanged`."""
        if outcome.action.verb != "undo" and self.table.marked_count:
            self.table.clear_marks()
            self.table.mark(*[i for i in outcome.failed if i in self.feed.issues])
        self._update_context()

    def on_issues_changed(self, message: IssuesChanged) -> None:
        touched = []
        for issue in message.updated.values():
            if issue.id in self.feed.issues:
                self.feed.replace_issue(issue)
                touched.append(issue.id)
        gone = [i for i in message.removed if i in self.feed.issues]
        if gone:
            self.feed.remove(gone)
            if self.feed.hits is not None:  # deleted/merged: no longer counted ("60/61" was)
                self.feed.hits = max(len(self.feed.order), self.feed.hits - len(gone))
        if touched or gone:
            self._merge_rows(touched, gone, False)

    def action_toggle_preview(self) -> None:
        preview = self.query_one(IssuePreview)
        preview.display = not preview.display
        self._update_preview()

    # -- export ---------------------------------------------------------------------------------

    def action_export(self) -> None:
        loaded = len(self.feed.order)

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.run_export(request)

        self.app.push_screen(
            ExportDialog(loaded, has_more=self.feed.has_more, page_limit=EXPORT_PAGE_LIMIT),
            chosen,
        )

    @work(group="export", exit_on_error=False)
    async def run_export(self, request: ExportRequest) -> None:
        header = self.status_header
        if request.all_pages:
            pages = 0
            while self.feed.has_more and pages < EXPORT_PAGE_LIMIT:
                pages += 1
                header.progress = f"Exporting: page {self.feed.pages_loaded + 1}…"
                added = await self.feed.load_more()
                self.table.append_rows(self._row(i) for i in added)
            self.table.has_more = self.feed.has_more
        header.progress = ""
        issues = self.feed.ordered()
        path = export.write(issues, Path(request.path))
        self.notify(f"Exported {len(issues)} issues to {path}", title="Export")
        self._update_context()
