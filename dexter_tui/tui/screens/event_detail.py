"""One issue, one event at a time: what broke, where, for whom, since when.

Every request runs in a worker and fills its own pane (spinner while it loads, the error and a
retry key when it fails); the rest of the screen stays usable. Data come from
`dexter_tui.services.events` (navigation, view models, masking) and issue actions go through the
same `BulkService` as the list, so `x` here sends exactly what `x` there sends.

Workers: `event` (exclusive: a newer n/N/L/O/R replaces an older one), `issue-detail`, `tags`,
`activity`, `hashes`, `bulk` and `comment` (never cancelled). Failures also reach the app's single
error handler (toast or modal).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static, TabbedContent, TabPane

from dexter_tui.sentry.models import Activity, Event, Issue, IssueHash, TagDetail
from dexter_tui.services import ownership
from dexter_tui.services.bulk import BulkOutcome
from dexter_tui.services.event_blocks import EventBlocks, event_blocks
from dexter_tui.services.events import (
    ExceptionView,
    NoMoreEvents,
    ThreadView,
    exception_chain,
    raw_lines,
    tag_query,
    tag_rows,
    thread_views,
)
from dexter_tui.services.events.prepared import SMALL_EVENT_BYTES, PreparedEvent, prepare_event
from dexter_tui.services.offline_events import CachingEventNavigator
from dexter_tui.tui import collector_hold, offline
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.dialogs.comment_editor import CommentEditor
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.event_list import EventListDialog
from dexter_tui.tui.issue_actions import IssueActions, issue_binding
from dexter_tui.tui.messages import IssuesChanged, SearchIssues
from dexter_tui.tui.navigation import GoBack, Place, TrailWanted
from dexter_tui.tui.screens.styled_once import StyledOnce
from dexter_tui.tui.screens.worker_errors import ReportsWorkerErrors
from dexter_tui.tui.widgets.breadcrumb import Breadcrumb
from dexter_tui.tui.widgets.event_breadcrumbs import BreadcrumbsPane, crumb_rows
from dexter_tui.tui.widgets.event_comments import CommentsPane
from dexter_tui.tui.widgets.event_context import ContextPane, RequestPane
from dexter_tui.tui.widgets.event_hashes import HashesPane
from dexter_tui.tui.widgets.event_header import header_text
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_raw import RawPane
from dexter_tui.tui.widgets.event_stack import StackPane
from dexter_tui.tui.widgets.event_tags import TagsPane
from dexter_tui.tui.widgets.fast_table import FastTable
from dexter_tui.tui.widgets.ownership_line import Loader, OwnershipLine
from dexter_tui.tui.widgets.stable_footer import StableFooter

#: (tab id, title, pane class) in display order
TABS: list[tuple[str, str, type[EventPane]]] = [
    ("stack", "Stack trace", StackPane),
    ("breadcrumbs", "Breadcrumbs", BreadcrumbsPane),
    ("tags", "Tags", TagsPane),
    ("context", "Context", ContextPane),
    ("request", "Request", RequestPane),
    ("comments", "Comments & activity", CommentsPane),
    ("raw", "Raw", RawPane),
    ("hashes", "Hashes", HashesPane),
]
TAB_IDS = [t[0] for t in TABS]
#: from this many breadcrumbs on, their table rows are built in a thread
MANY_CRUMBS = 2_000


def styled_widgets() -> list[type[Widget]]:
    """The widget classes this screen mounts, so their CSS can be known before it opens
    (`event_prewarm`)."""
    from textual.widgets._footer import FooterKey
    from textual.widgets._tabbed_content import ContentTab, ContentTabs
    from textual.widgets._tabs import Underline

    from dexter_tui.tui.widgets.event_pane import PaneStatus
    from dexter_tui.tui.widgets.event_raw import RawJsonView
    from dexter_tui.tui.widgets.event_stack import FrameItem

    return [
        EventDetailScreen,
        Static,
        OwnershipLine,
        TabbedContent,
        ContentTabs,
        ContentTab,
        Underline,
        ContentSwitcher,
        TabPane,
        *(pane for _, _, pane in TABS),
        PaneStatus,
        FrameItem,
        RawJsonView,
        VerticalScroll,
        Horizontal,
        Breadcrumb,
        StableFooter,
        FooterKey,
    ]


def _drafts(ctx: TuiContext) -> dict[str, str]:
    """Comment drafts by issue id (edits: `issue:comment`), kept for the whole session."""
    drafts = getattr(ctx, "comment_drafts", None)
    if drafts is None:
        drafts = {}
        ctx.comment_drafts = drafts  # type: ignore[attr-defined]
    return drafts


class EventDetailScreen(StyledOnce, ReportsWorkerErrors, IssueActions):
    """The event detail of one issue; `q`/`esc` go back to the list."""

    DEFAULT_CSS = """
    EventDetailScreen #event-header {
        height: 5; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis;
    }
    EventDetailScreen #deadlock-banner {
        height: 1; padding: 0 1; background: $error-muted; text-style: bold; display: none;
    }
    EventDetailScreen.-deadlock #deadlock-banner { display: block; }
    EventDetailScreen TabbedContent { height: 1fr; }
    EventDetailScreen TabPane { padding: 0; height: 1fr; }
    """

    BINDINGS = [
        Binding("q", "back", "Back", id="event.back"),
        Binding("escape", "escape", "Back", show=False, id="event.escape"),
        Binding("n", "navigate('newer')", "Newer", id="event.newer"),
        Binding("N", "navigate('older')", "Older", id="event.older"),
        Binding("L", "navigate('latest')", "Latest", show=False, id="event.latest"),
        Binding("O", "navigate('oldest')", "Oldest", show=False, id="event.oldest"),
        Binding("R", "navigate('recommended')", "Recommended", show=False, id="event.recommended"),
        Binding("E", "event_list", "Events", id="event.list"),
        Binding("right_square_bracket,tab", "tab(1)", "Next tab", show=False, id="event.next_tab"),
        Binding(
            "left_square_bracket,shift+tab", "tab(-1)", "Prev tab", show=False, id="event.prev_tab"
        ),
        Binding("f", "toggle_in_app", "In-app/full", id="event.in_app"),
        Binding("m", "toggle_mask", "Mask PII", id="event.mask"),
        Binding("c", "comment", "Comment", id="event.comment"),
        issue_binding("resolve", show=True),
        issue_binding("unresolve"),
        issue_binding("ignore"),
        issue_binding("assign"),
        issue_binding("unassign"),
        issue_binding("bookmark"),
        issue_binding("copy_short_id"),
        issue_binding("copy_url"),
        issue_binding("priority"),
        issue_binding("handoff"),
        issue_binding("similar"),
        Binding("o", "open_browser", "Open in browser", show=False, id="event.open"),
        Binding("d", "deadlock", "Deadlock", id="event.deadlock"),
        Binding("r", "retry", "Reload", show=False, id="event.retry"),
    ]

    MUTATING = frozenset({"comment"})  # the issue actions' own are the controller's

    def __init__(
        self,
        ctx: TuiContext,
        issue: Issue,
        *,
        event_id: str = "latest",
        tab: str = "stack",
        position: int | None = None,
    ) -> None:
        super().__init__(ctx)
        self.initial_tab = tab if tab in TAB_IDS else "stack"
        self._initial_position = position
        self.issue = issue
        self.nav = offline.event_navigator(ctx, issue)  # cached events when Sentry is away
        if isinstance(self.nav, CachingEventNavigator):
            self.nav.defer_save = True  # kept once its stack is drawn (`_show_rest`)
        self.service = offline.issue_detail(ctx, issue)
        self.first_event = event_id
        self.event: Event | None = None
        self.raw: dict[str, Any] | None = None
        self.lines: list[str] | None = None  # the Raw tab's, built when the tab is first shown
        self.prepared: PreparedEvent | None = None  # the event's view models (worker thread)
        self.deadlock: Any = None
        self.blocks: EventBlocks | None = None  # built off the UI thread with the event
        self.tags: list[TagDetail] | None = None
        self.activities: list[Activity] | None = None
        self.hashes: list[IssueHash] | None = None
        self.mask = ctx.settings.mask_pii
        self.in_app_only = True
        self.newest_first = ctx.settings.stack_order == "newest-first"
        self._last_which = event_id
        self._last_position: int | None = None
        self._failed: set[str] = set()
        self._loading = False
        self._queued: list[str] = []
        self._panes: dict[str, EventPane] = {}  # by tab id, as they are mounted
        self._composed = asyncio.Event()  # set on mount: a first look waits for the panes
        self._stack_key: tuple[Any, ...] | None = None  # what the stack pane was drawn from
        self._early = self._fetch_early(event_id, position)
        self._event_error: BaseException | None = None
        self._pane_lock = asyncio.Lock()
        self._issue_asked = False
        # until a pause after the stack is drawn (`_show_rest`); never frozen: the screen goes away
        collector_hold.hold(freeze=False)

    def _fetch_early(self, which: str, position: int | None) -> asyncio.Task[Event] | None:
        """The first event's request, sent now: the server answers (and the body is decoded in
        a thread) while this screen is composed and laid out, not after."""
        try:
            task = asyncio.get_running_loop().create_task(
                self.nav.load(which, position=position, first_look=self._first_look)
            )
        except RuntimeError:
            return None  # built outside the app's loop: `load_event` sends it
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # no "never retrieved"
        return task

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="event-header")
        yield OwnershipLine(id="ownership")
        yield Static(id="deadlock-banner")
        with TabbedContent(initial=self.initial_tab, id="event-tabs"):
            for tab_id, title, pane in TABS:
                with TabPane(title, id=tab_id):
                    if tab_id in ("stack", self.initial_tab):
                        yield self._keep(tab_id, pane(id=f"pane-{tab_id}"))  # others: later
        yield Breadcrumb()
        yield StableFooter()

    def _keep(self, tab_id: str, pane: EventPane) -> EventPane:
        self._panes[tab_id] = pane
        return pane

    def pane(self, tab_id: str) -> EventPane:
        pane = self._mounted(tab_id)
        if pane is None:
            raise NoMatches(f"No pane of the tab {tab_id!r} yet")
        return pane

    def _mounted(self, tab_id: str) -> EventPane | None:
        """The tab's pane, None while it is not mounted yet (see `_mount_panes`). From a dict:
        a query walks the whole screen (~1 ms each, a dozen per event shown)."""
        pane = self._panes.get(tab_id)
        return pane if pane is not None and pane.parent is not None else None

    async def _mount_panes(self) -> None:
        """Mount the panes of the tabs not shown, then bring them up to date.

        Why later: composing eight tabs' widgets (tables, inputs, spinners) before the first
        paint cost more than drawing the stack; they are mounted once the stack is on screen
        (or when their tab is asked for, or when the event failed)."""
        added: list[EventPane] = []
        async with self._pane_lock:  # a tab asked for while the others mount: mounted once
            for tab_id, _, pane_class in TABS:
                if not self.is_attached:
                    return
                if self._mounted(tab_id) is None:
                    tab = next(self.query(f"TabPane#{tab_id}").results(TabPane), None)
                    if tab is None:
                        return  # the app is closing: its widgets go before the screen
                    pane = self._keep(tab_id, pane_class(id=f"pane-{tab_id}"))
                    await tab.mount(pane)
                    added.append(pane)
        for pane in added:
            if pane.source == "event":
                self._sync_event_pane(pane)

    def _sync_event_pane(self, pane: EventPane) -> None:
        """A freshly mounted event pane: the event's data, its error, or a spinner."""
        if self.prepared is not None and self.event is not None and not self._loading:
            if isinstance(pane, RawPane):
                if self.lines is not None:
                    self._show_raw()
                else:
                    pane.show_loading()
            else:
                pane.show_loading()  # until filled (at once, or when a thread built its rows)
                self._fill(pane)
        elif "event" in self._failed and self._event_error is not None:
            pane.show_error(self._event_error)
        else:
            pane.show_loading()

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#event-tabs", TabbedContent)

    @property
    def active_tab(self) -> str:
        return self.tabs.active or "stack"

    def on_mount(self) -> None:
        self._composed.set()
        self.refresh_header()
        for pane in self._panes_of("event"):
            pane.show_loading()
        self.load_event(self.first_event, self._initial_position)  # then `load_issue`
        if self.initial_tab != "stack":
            self.call_after_refresh(self.show_tab, self.initial_tab)

    # -- navigation history: this screen's place --------------------------------------------------

    def place(self, *, over: str = "issues") -> Place:
        event_id = self.event.id if self.event is not None else self.first_event
        tab = self.active_tab
        state = {
            "key": (self.issue.id, event_id, tab),
            "issue": self.issue,
            "event_id": event_id,
            "position": self.nav.position,
            "tab": tab,
            "over": over,
        }
        return Place("event", f"{self.issue.short_id or self.issue.id} · {tab}", state)

    @classmethod
    def at_place(cls, ctx: TuiContext, issue: Issue, state: Any) -> EventDetailScreen:
        """The screen as a recorded place left it: that event, that tab."""
        return cls(
            ctx,
            issue,
            event_id=str(state.get("event_id") or "latest"),
            tab=state["tab"],
            position=state.get("position"),
        )

    def on_screen_resume(self) -> None:
        self.post_message(TrailWanted())

    def on_unmount(self) -> None:
        collector_hold.release(collect=False)  # left before the pause: not held for nothing

    # -- loading ------------------------------------------------------------------------------

    def _panes_of(self, source: str) -> list[EventPane]:
        """The mounted panes fed by `source`."""
        panes = (self._mounted(t) for t, _, p in TABS if p.source == source)
        return [p for p in panes if p is not None]

    @work(group="issue-detail", exit_on_error=False)
    async def load_issue(self) -> None:
        """The detail route adds first/last release and the latest counts to the header."""
        issue = await self.service.issue()
        self.issue = issue
        if issue.count > self.nav.total:
            self.nav.total = issue.count
        self.refresh_header()

    @work(exclusive=True, group="event", exit_on_error=False)
    async def load_event(self, which: str, position: int | None = None) -> None:
        self._last_which, self._last_position = which, position
        try:
            self.nav.target(which)
        except NoMoreEvents as stop:
            self.notify(str(stop), timeout=3)
            return
        if self.event is None or which not in ("newer", "older"):
            for pane in self._panes_of("event"):
                pane.show_loading()
        self._loading = True
        early, self._early = self._early, None
        try:
            first = (which, position) == (self.first_event, self._initial_position)
            if early is not None and first:
                event = await early
            else:
                if early is not None:
                    early.cancel()
                event = await self.nav.load(which, position=position, first_look=self._first_look)
            opts = {"in_app_only": self.in_app_only, "newest_first": self.newest_first}
            if self.nav.body_bytes and self.nav.body_bytes < SMALL_EVENT_BYTES:
                prepared = prepare_event(event, **opts)  # ~1 ms: a thread hop let a frame in first
            else:
                prepared = await asyncio.to_thread(prepare_event, event, **opts)
        except Exception as error:
            self._queued.clear()
            self._failed.add("event")
            self._event_error = error
            for pane in self._panes_of("event"):
                pane.show_error(error)
            self.call_after_refresh(self._mount_panes)
            raise
        finally:
            self._loading = False
            if not self._issue_asked:  # after the event: the server answers one request at a time
                self._issue_asked = True
                self.load_issue()
        self._failed.discard("event")
        self.event, self.prepared, self.lines = event, prepared, None
        self.raw, self.deadlock, self.blocks = prepared.raw, prepared.analysis, prepared.blocks
        self._show_event()
        self.query_one(OwnershipLine).load(self._ownership_loader(event))
        if self.tags is not None:
            self._show_tags()
        if self._queued:
            self.load_event(self._queued.pop(0))

    @work(exclusive=True, group="raw", exit_on_error=False)
    async def load_raw(self) -> None:
        """The Raw tab's lines (the whole event pretty-printed), the first time the tab shows."""
        event, raw = self.event, self.raw
        if raw is None:
            return
        lines = await asyncio.to_thread(raw_lines, raw)
        if self.event is not event:
            return  # another event arrived meanwhile; its own load starts this again
        self.lines = lines
        self._show_raw()

    @work(exclusive=True, group="tags", exit_on_error=False)
    async def load_tags(self) -> None:
        pane = self.pane("tags")
        pane.show_loading()
        try:
            self.tags = await self.service.tags()
        except Exception as error:
            self._failed.add("tags")
            pane.show_error(error)
            raise
        self._failed.discard("tags")
        self._show_tags()

    @work(exclusive=True, group="activity", exit_on_error=False)
    async def load_activity(self) -> None:
        pane = self.pane("comments")
        if self.activities is None:
            pane.show_loading()
        try:
            self.activities = await self.service.activity()
        except Exception as error:
            self._failed.add("activity")
            pane.show_error(error)
            raise
        self._failed.discard("activity")
        self._show_activity()

    @work(exclusive=True, group="hashes", exit_on_error=False)
    async def load_hashes(self) -> None:
        pane = self.pane("hashes")
        pane.show_loading()
        try:
            self.hashes = await self.service.hashes()
        except Exception as error:
            self._failed.add("hashes")
            pane.show_error(error)
            raise
        self._failed.discard("hashes")
        self._show_hashes()

    def _busy(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished for w in self.workers)

    def _ensure_loaded(self, tab_id: str) -> None:
        """Tags, activity and hashes load the first time their tab is shown (once); the Raw
        tab's lines are built the first time it is shown for each event."""
        if tab_id in TAB_IDS and self._mounted(tab_id) is None:
            self.call_next(self._open_unmounted, tab_id)
            return
        if tab_id == "raw":
            if self.lines is None and self.raw is not None and not self._busy("raw"):
                self.load_raw()
            return
        loaders = {
            "tags": (self.tags, "tags", self.load_tags),
            "comments": (self.activities, "activity", self.load_activity),
            "hashes": (self.hashes, "hashes", self.load_hashes),
        }
        if tab_id not in loaders:
            return
        data, group, load = loaders[tab_id]
        if data is None and group not in self._failed and not self._busy(group):
            load()

    # -- drawing ------------------------------------------------------------------------------

    def refresh_header(self, event: Event | None = None) -> None:
        """The header of `event` (a first look) or of the event shown."""
        event = event or self.event
        text = header_text(self.issue, self.nav, event, self.ctx.clock(), self.mask)
        # five rows high whatever it says (its CSS): no relayout of the screen for a new header
        self.query_one("#event-header", Static).update(text, layout=False)
        banner = self.query_one("#deadlock-banner", Static)
        analysis = self.deadlock
        self.set_class(analysis is not None, "-deadlock")
        if analysis is not None:
            advice = analysis.advice
            pattern = f" — {advice.pattern}" if advice is not None else ""
            sqlstate = analysis.report.sqlstate or "40P01"
            banner.update(
                Text(f"⚠ PostgreSQL deadlock (SQLSTATE {sqlstate}){pattern} · d: analysis")
            )

    def _show_event(self) -> None:
        """The stack first; the other tabs once it has been painted (a 1 MB event's thousands
        of breadcrumbs must not hold back its first frames)."""
        if self.event is None or self.prepared is None:
            return
        self.refresh_header()
        self._show_stack()
        stack = self.pane("stack")
        assert isinstance(stack, StackPane)
        stack.show_ready()
        stack.when_painted(self._show_rest)

    async def _show_rest(self) -> None:
        """Breadcrumbs, context and request of the event shown (and Raw if it was opened)."""
        if self.event is None or self.prepared is None or not self.is_attached:
            return
        collector_hold.hold(freeze=False)  # the other tabs are built next: collected after
        self.run_worker(self.nav.save_pending(), group="event-cache", exit_on_error=False)
        for pane in self._panes_of("event"):
            if not isinstance(pane, RawPane | StackPane):
                self._fill(pane)
        await self._mount_panes()  # the panes mounted now are filled as they come
        if self.lines is not None:
            self._show_raw()
        elif self.active_tab == "raw":
            self._ensure_loaded("raw")
        self.call_after_refresh(self._focus_tab, self.active_tab)

    def _fill(self, pane: EventPane) -> None:
        """An event pane beside the stack and Raw, with the prepared event."""
        prepared, mask = self.prepared, self.mask
        if prepared is None:
            return
        if isinstance(pane, BreadcrumbsPane):
            if len(prepared.crumbs) > MANY_CRUMBS:
                self._fill_crumbs(pane, prepared)  # ready when its rows are
                return
            pane.show(prepared.crumbs, mask=mask)
        elif isinstance(pane, ContextPane):
            pane.show(prepared.context, mask=mask)
        elif isinstance(pane, RequestPane):
            pane.show(prepared.request, mask=mask)
        pane.show_ready()

    # a description: Textual's default is the arguments' repr, i.e. the whole event's JSON
    @work(exclusive=True, group="crumbs", exit_on_error=False, description="breadcrumb rows")
    async def _fill_crumbs(self, pane: BreadcrumbsPane, prepared: PreparedEvent) -> None:
        """A large event's breadcrumb rows, built in a thread (tens of thousands of rows)."""
        mask = self.mask
        rows = await asyncio.to_thread(crumb_rows, prepared.crumbs, mask)
        if self.prepared is not prepared or self.mask != mask or not pane.is_attached:
            return  # another event or the mask toggled meanwhile: its own fill runs
        pane.show(prepared.crumbs, mask=mask, rows=rows)
        pane.show_ready()
        self._focus_tab("breadcrumbs")

    def _show_raw(self) -> None:
        raw = self._mounted("raw")
        if not isinstance(raw, RawPane) or self.lines is None:
            return  # shown when the pane is mounted
        raw.show(self.lines, mask=self.mask)
        raw.show_ready()
        self._focus_tab("raw")

    def _stack_options(self, event: Event) -> tuple[Any, ...]:
        """What the stack pane's frames depend on: the event and the toggles."""
        return (event.event_id or event.id, self.in_app_only, self.newest_first, self.mask)

    def _show_stack(self) -> AwaitComplete | None:
        event, prepared = self.event, self.prepared
        if event is None or prepared is None:
            return None
        if self._stack_key == self._stack_options(event):
            return None  # drawn from the first look: the same frames (the focus stays)
        exceptions, threads = prepared.stack(
            event, in_app_only=self.in_app_only, newest_first=self.newest_first
        )
        return self._draw_stack(event, exceptions, threads, self.blocks)

    def _draw_stack(
        self,
        event: Event,
        exceptions: list[ExceptionView],
        threads: list[ThreadView],
        blocks: EventBlocks | None,
    ) -> AwaitComplete:
        stack = self.pane("stack")
        assert isinstance(stack, StackPane)
        self._stack_key = self._stack_options(event)
        swapped = stack.show(
            exceptions, threads, mask=self.mask, in_app_only=self.in_app_only, blocks=blocks
        )
        self.call_after_refresh(self._focus_tab, "stack")
        return swapped

    async def _first_look(self, event: Event) -> None:
        """A large event's stack, drawn from the event read without its breadcrumbs; returns
        once it is painted (then the breadcrumbs are read, and the other tabs filled)."""
        try:
            async with asyncio.timeout(10):  # a screen built but never shown: no first look
                await self._composed.wait()
        except TimeoutError:
            return
        if not self.is_attached:
            return
        opts = {"in_app_only": self.in_app_only, "newest_first": self.newest_first}
        exceptions, threads = exception_chain(event, **opts), thread_views(event, **opts)
        self.refresh_header(event)
        drawn = self._draw_stack(event, exceptions, threads, event_blocks(event))
        stack = self.pane("stack")
        assert isinstance(stack, StackPane)
        stack.show_ready()  # before the frames mount: they are styled once, shown
        await drawn
        painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        stack.when_painted(lambda: painted.done() or painted.set_result(None))
        try:
            async with asyncio.timeout(2):  # a screen pushed over this one paints nothing here
                await painted
        except TimeoutError:
            pass

    def _show_tags(self) -> None:
        pane = self.pane("tags")
        assert isinstance(pane, TagsPane)
        pane.show(tag_rows(self.tags or [], self.event), mask=self.mask)
        pane.show_ready()
        self._focus_tab("tags")

    def _show_activity(self) -> None:
        pane = self.pane("comments")
        assert isinstance(pane, CommentsPane)
        workspace = self.ctx.workspace
        pane.show(
            self.activities or [], mask=self.mask, me_id=workspace.me_id if workspace else None
        )
        pane.show_ready()
        self._focus_tab("comments")

    def _show_hashes(self) -> None:
        pane = self.pane("hashes")
        assert isinstance(pane, HashesPane)
        pane.show(self.hashes or [], mask=self.mask)
        pane.show_ready()
        self._focus_tab("hashes")

    def _redraw(self) -> None:
        if self.event is not None:
            self._show_event()
        if self.tags is not None:
            self._show_tags()
        if self.activities is not None:
            self._show_activity()
        if self.hashes is not None:
            self._show_hashes()
        self.refresh_header()

    # -- tabs -----------------------------------------------------------------------------------

    def action_tab(self, step: int) -> None:
        index = TAB_IDS.index(self.active_tab) if self.active_tab in TAB_IDS else 0
        self.show_tab(TAB_IDS[(index + step) % len(TAB_IDS)])

    def show_tab(self, tab_id: str) -> None:
        # focus left inside the old pane would make TabbedContent switch back to it
        self.set_focus(None)
        self.tabs.active = tab_id
        self._ensure_loaded(tab_id)
        self._focus_tab(tab_id)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab_id = event.pane.id or ""
        self._ensure_loaded(tab_id)
        self._focus_tab(tab_id)

    async def _open_unmounted(self, tab_id: str) -> None:
        """A tab asked for before its pane was mounted: mount the panes, then load and focus."""
        await self._mount_panes()
        if self._mounted(tab_id) is not None and self.active_tab == tab_id:
            self._ensure_loaded(tab_id)
            self._focus_tab(tab_id)

    def _focus_tab(self, tab_id: str) -> None:
        if tab_id != self.active_tab:
            return
        pane = self._mounted(tab_id)
        if pane is None:
            return  # `_open_unmounted` focuses it
        focused = self.focused
        if focused is not None and focused.is_attached and pane in focused.ancestors:
            return  # keep the reader's place
        if isinstance(pane, StackPane):
            pane.focus_first_frame()
        elif isinstance(pane, BreadcrumbsPane | TagsPane | HashesPane):
            pane.table.focus()
        elif isinstance(pane, RawPane):
            pane.view.focus()
        elif isinstance(pane, CommentsPane):
            items = pane.items
            if items:
                items[0].focus(scroll_visible=False)

    # -- navigation ---------------------------------------------------------------------------

    def action_navigate(self, which: str) -> None:
        """n/N while a step is loading are queued: each needs the id the previous one returns."""
        if which in ("newer", "older") and self._loading:
            self._queued.append(which)
            return
        self._queued.clear()
        self.load_event(which)

    def action_event_list(self) -> None:
        def chosen(picked: tuple[str, int] | None) -> None:
            if picked is not None:
                self.load_event(picked[0], picked[1])

        current = self.event.event_id if self.event else None
        title = f"Events of {self.issue.short_id} (newest first) — enter: show"
        dialog = EventListDialog(
            title,
            lambda cursor, query: self.nav.list_events(cursor, query=query),
            mask=self.mask,
            current=current,
            tags=self.service.tags,
        )
        self.app.push_screen(dialog, chosen)

    def handoff_event(self) -> Event | None:
        return self.event

    def _ownership_loader(self, event: Event) -> Loader:
        """Owners (`expand=owners`) and the event's suspect commits, for the ownership line."""
        ctx, issue = self.ctx, self.issue
        assignees = ctx.workspace.assignees() if ctx.workspace else []
        project = issue.project.slug if issue.project else None
        return lambda: ownership.issue_ownership(
            ctx.client, ctx.org, issue.id, project, event.event_id, assignees
        )

    def action_back(self) -> None:
        """To the previous place (the list as it was, or the event a tag search left)."""
        self.post_message(GoBack(close=True))

    def action_escape(self) -> None:
        pane = self._mounted(self.active_tab)
        if isinstance(pane, BreadcrumbsPane) and pane.clear_filter():
            return
        if isinstance(pane, RawPane) and pane.clear_search():
            return
        self.action_back()

    def action_retry(self) -> None:
        """Reload what the current tab shows (what failed, or fresh data)."""
        source = next((p.source for t, _, p in TABS if t == self.active_tab), "event")
        if source == "event":
            self.load_event(self._last_which, self._last_position)
        elif source == "tags":
            self.load_tags()
        elif source == "activity":
            self.load_activity()
        elif source == "hashes":
            self.load_hashes()

    # -- toggles --------------------------------------------------------------------------------

    async def action_toggle_in_app(self) -> None:
        self.in_app_only = not self.in_app_only
        swapped = self._show_stack()
        if swapped is not None:
            await swapped  # the next key (j, enter) acts on the new frames
        self.notify("In-app frames only" if self.in_app_only else "Full stack", timeout=2)

    def action_toggle_mask(self) -> None:
        self.mask = not self.mask
        self._redraw()
        self.notify("PII masked" if self.mask else "PII shown", timeout=2)

    # -- tags → list ------------------------------------------------------------------------------

    @on(FastTable.RowActivated, "#tags")
    def _tag_chosen(self, event: FastTable.RowActivated) -> None:
        row = self.pane("tags")
        assert isinstance(row, TagsPane)
        found = row.table.get_row(event.key)
        if found is None:
            return
        self.filter_list_by(found.data.key, found.data.value)

    def filter_list_by(self, key: str, value: str) -> None:
        """Back to the issue list, searching `key:"value"`."""
        self.post_message(SearchIssues(tag_query(key, value)))

    # -- actions on this issue --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MUTATING and self.ctx.read_only:
            return False  # hidden; its key says why (IssueActions.disabled_reason)
        if action == "deadlock":
            return self.deadlock is not None
        return super().check_action(action, parameters)

    def selection(self) -> list[Issue]:
        return [self.issue]

    def cursor_issue(self) -> Issue | None:
        return self.issue

    def after_outcome(self, outcome: BulkOutcome) -> None:
        if self.activities is not None:
            self.load_activity()  # the change shows in the activity

    def on_issues_changed(self, message: IssuesChanged) -> None:
        updated = message.updated.get(self.issue.id)
        if updated is not None:
            self.issue = updated
            self.refresh_header()

    def action_open_browser(self) -> None:
        if self.issue.permalink:
            self.open_in_browser(self.issue.permalink)  # over SSH: copied, and says so
        else:
            self.notify("This issue has no permalink", severity="warning")

    def action_deadlock(self) -> None:
        if self.deadlock is None:
            self.notify("This event is not a PostgreSQL deadlock", severity="warning")
            return
        from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen  # pglast: lazily

        self.app.note_jump()  # type: ignore[attr-defined]  # a history step: esc comes back here
        self.app.push_screen(
            DeadlockReportScreen(
                self.ctx, self.deadlock, issue=self.issue, event=self.event, mask=self.mask
            )
        )

    # -- comments -------------------------------------------------------------------------------

    def action_comment(self) -> None:
        self.open_editor(None)

    def open_editor(self, activity: Activity | None) -> None:
        if reason := offline.refusal(self.ctx):
            self.notify(reason, severity="warning")
            return
        drafts = _drafts(self.ctx)
        key = self.issue.id if activity is None else f"{self.issue.id}:{activity.id}"
        text = drafts.get(key, activity.text if activity is not None else "")
        title = (
            f"Comment on {self.issue.short_id}"
            if activity is None
            else f"Edit your comment on {self.issue.short_id}"
        )

        def keep(value: str) -> None:
            drafts[key] = value

        def chosen(value: str | None) -> None:
            if value is not None:
                self.send_comment(value, activity.id if activity is not None else None, key)

        self.app.push_screen(CommentEditor(title, text, on_change=keep), chosen)

    @work(group="comment", exit_on_error=False)
    async def send_comment(self, text: str, comment_id: str | None, key: str) -> None:
        drafts = _drafts(self.ctx)
        drafts[key] = text
        try:
            await self.service.save_comment(text, comment_id)
        except Exception:
            self.notify(
                "The comment was not saved; your draft is kept (c to try again).",
                severity="error",
                title="Comment",
            )
            raise
        drafts.pop(key, None)
        self.notify("Comment saved" if comment_id else "Comment posted")
        self.load_activity()

    @on(CommentsPane.Edit)
    def _edit(self, message: CommentsPane.Edit) -> None:
        if not self.ctx.read_only:
            self.open_editor(message.activity)

    @on(CommentsPane.Delete)
    def _delete(self, message: CommentsPane.Delete) -> None:
        if self.ctx.read_only:
            return
        if reason := offline.refusal(self.ctx):
            self.notify(reason, severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_comment(message.activity.id)

        self.app.push_screen(
            ConfirmDialog("Delete your comment?", yes_label="Delete", danger=True), answered
        )

    @work(group="comment", exit_on_error=False)
    async def delete_comment(self, comment_id: str) -> None:
        await self.service.delete_comment(comment_id)
        self.notify("Comment deleted")
        self.load_activity()

    # -- filter inputs keep their keys ----------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
