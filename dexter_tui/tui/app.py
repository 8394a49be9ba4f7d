"""DexterApp: the shell around the screens — global keys, the command line, and error routing.

One handler turns background-work failures into what a person can act on: transient trouble
(network, 5xx, 429) is a toast while the data stays on screen marked stale; a bad token, a missing
scope or bad settings is a modal that says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from dexter_tui.choices import PERIODS, SORTS
from dexter_tui.sentry.errors import AuthError, ReadOnlyError, ScopeError, SentryError
from dexter_tui.sentry.models import Issue
from dexter_tui.services import priority
from dexter_tui.services.issues import QUICK_FILTERS, IssueQuery
from dexter_tui.services.search_syntax import add_term
from dexter_tui.services.workspace import load_workspace
from dexter_tui.tui import offline
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.crash_output import CrashOutput
from dexter_tui.tui.dialogs import save_view
from dexter_tui.tui.dialogs.command_line import CommandLine
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.error_modal import ErrorModal
from dexter_tui.tui.event_prewarm import prewarm_later
from dexter_tui.tui.issue_actions import IssueActions
from dexter_tui.tui.issue_rows import FLAGS_LEGEND
from dexter_tui.tui.messages import (
    IssuesChanged,
    OpenIssue,
    QueryChanged,
    SearchIssues,
    WorkFailed,
)
from dexter_tui.tui.navigation import GoBack, Jumped, TrailWanted
from dexter_tui.tui.navigator import JUMP_COMMANDS, NAVIGATION_HELP, Navigator
from dexter_tui.tui.safe_text import clean_str, palette_text
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.toast_repeats import ToastRepeats
from dexter_tui.tui.widgets.search_input import SEARCH_HELP, command_completer

COMMAND_HELP = (
    ":issues  :q (quit)  :project SLUG[,SLUG]  :project all  :env NAME  :env all\n"
    ":period 1h|24h|7d|14d|30d  :sort date|new|freq|user|priority  :filter NAME\n"
    ":query TEXT (Sentry search)  :pause  :refresh\n"
    ":discover  :alerts  " + save_view.VIEW_HELP
)


#: views installed once (kept between visits); they hear `IssuesChanged` even when not shown
INSTALLED_VIEWS = ("analytics", "releases", "deadlocks", "alerts", "discover")


#: seconds the workspace waits for the issue list's first answer before its own requests
WORKSPACE_WAIT = 2.0
#: seconds it then waits for the frame that shows the list's rows
WORKSPACE_PAINT_WAIT = 0.1


#: Methods that change something: a failed one is not retried by anyone.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _what_happens_next(error: BaseException) -> str:
    """The toast's second line: the truth about retries. Reads are polled again; a failed write
    (comment, alert rule, …) is not retried — the person repeats it (their typed text is kept)."""
    if isinstance(error, SentryError) and error.method.upper() in WRITE_METHODS:
        if getattr(error, "maybe_applied", False):
            return (
                "No answer came, so the change may have been applied: check before trying "
                "again. It is not retried automatically; any text you typed is kept."
            )
        return (
            "The change was not saved and is not retried automatically. Any text you typed "
            "is kept: press the key again to retry."
        )
    return "Showing the last good data; retrying in the background."


class DexterApp(CrashOutput, App[int]):
    """The dexter-tui application. Build it with `dexter_tui.tui.factory`."""

    TITLE = "dexter"
    CSS_PATH = "dexter.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("colon", "command_line", "Command", show=False, id="app.command_line"),
        Binding("q", "back", "Back/Quit", id="app.back"),
        Binding("Q,ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
        Binding("ctrl+o,backspace", "go_back", "History back", show=False, id="app.history_back"),
        Binding("ctrl+n", "go_forward", "History forward", show=False, id="app.history_forward"),
        Binding("Z", "toggle_pause", "Pause live", show=False, id="app.pause"),
        Binding("R", "refresh_all", "Refresh all", show=False, id="app.refresh_all"),
        Binding("1", "view('issues')", "Issues", show=False, id="app.view_issues"),
        Binding("2", "view('analytics')", "Analytics", show=False, id="app.view_analytics"),
        Binding("4", "view('releases')", "Releases", show=False, id="app.view_releases"),
        Binding("3", "view('deadlocks')", "Deadlocks", show=False, id="app.view_deadlocks"),
        Binding("5", "view('discover')", "Discover", show=False, id="app.view_discover"),
    ]

    def __init__(self, ctx: TuiContext):
        super().__init__()
        self.ctx = ctx
        self.command_history: list[str] = []
        self._toast_repeats = ToastRepeats()
        self.navigator = Navigator(self, INSTALLED_VIEWS)  # esc/q/ctrl+o back, ctrl+n forward
        if ctx.settings.theme in self.available_themes:
            self.theme = ctx.settings.theme

    # -- start ------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.ctx.issues.subscribe(self._issues_changed)
        self.issues_screen = IssuesScreen(self.ctx)
        self.push_screen(self.issues_screen)
        offline.attach(self)  # the header, bindings and one toast follow the offline state
        self.load_workspace()
        prewarm_later(self)  # the first event opened as fast as the next ones
        # The SSH session dropped (or the terminal closed): leave cleanly instead of being killed.
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)

    def _hang_up(self) -> None:
        self.exit(return_code=129)

    @work(group="workspace", exit_on_error=False)
    async def load_workspace(self) -> None:
        if not self.ctx.settings.project:  # else the list needs its project ids first
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ctx.list_answered.wait(), WORKSPACE_WAIT)
            with contextlib.suppress(TimeoutError):  # the rows painted before the workspace
                await asyncio.wait_for(self.screen.wait_for_refresh(), WORKSPACE_PAINT_WAIT)
        self.ctx.workspace = await load_workspace(self.ctx.client, self.ctx.org)
        self.ctx.bulk.set_assignees(self.ctx.workspace.assignees())
        if self.ctx.settings.project:
            self.issues_screen.load_first()  # project slugs need ids from the workspace

    # -- messages from the screens ---------------------------------------------------------------

    def open_issue(self, issue: Issue) -> None:
        """The event detail of this issue (latest event), in its newest known version."""
        from dexter_tui.tui.screens.event_detail import EventDetailScreen  # imported when used

        self.note_jump()
        self.push_screen(EventDetailScreen(self.ctx, self.ctx.issues.newest(issue)))

    @on(OpenIssue)
    def _open_issue(self, message: OpenIssue) -> None:
        self.open_issue(message.issue)

    @on(QueryChanged)
    def _query_changed(self, message: QueryChanged) -> None:
        self.ctx.list_query = message.query

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        self.report_error(message.error)

    @on(SearchIssues)
    def _search_issues(self, message: SearchIssues) -> None:
        """Back to the issue list, adding what a screen asked for (a tag's value) to its search."""
        self.note_jump()
        self.action_view("issues")
        query = add_term(self.list_query.query, message.query)
        self.show_issue_query(self.list_query.with_(query=query))

    def _issues_changed(self, updated: dict[str, Issue], removed: list[str]) -> None:
        """The store changed: tell every screen (each redraws only what it shows of these ids)."""
        for screen in self._live_screens():
            screen.post_message(IssuesChanged(updated, removed))

    def _live_screens(self) -> list[Screen]:
        screens = list(self.screen_stack)
        for name in INSTALLED_VIEWS:
            if self.is_screen_installed(name):
                view = self.get_screen(name)
                if view not in screens:
                    screens.append(view)
        return screens

    # -- the issue list's view: commands and saved views read and change it here ---------------

    @property
    def list_query(self) -> IssueQuery:
        return self.issues_screen.feed.query

    def show_issue_query(self, query: IssueQuery) -> None:
        self.note_jump()
        self.issues_screen.set_query(query)

    # -- navigation history (tui/navigator.py) -----------------------------------------------------

    def note_jump(self) -> None:
        self.navigator.note_jump()

    @on(Jumped)
    def _jumped(self, message: Jumped) -> None:
        self.navigator.jumped(message.place)

    @on(GoBack)
    def _go_back_asked(self, message: GoBack) -> None:
        if message.close and len(self.screen_stack) > 2 and not self.navigator.history.can_go_back:
            self.pop_screen()
            self.call_after_refresh(self.navigator.show_trail)
            return
        self.navigator.back()

    @on(TrailWanted)
    def _trail_wanted(self) -> None:
        self.navigator.show_trail()

    def action_go_back(self) -> None:
        if not self.navigator.back():
            self.notify("Nothing to go back to", timeout=2)

    def action_go_forward(self) -> None:
        if not self.navigator.forward():
            self.notify("Nothing to go forward to", timeout=2)

    # -- the single error handler ---------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.report_error(error)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is literal text, whatever the caller asks for.

        Toasts carry outside text (Sentry's error messages echo queries; tag values, view names,
        file paths): Textual would parse it as markup (`[/]x` raises MarkupError and ends the
        app) and pass escape sequences to the terminal. Widgets' `notify` always asks for markup,
        so the flag is ignored: control characters are made visible and nothing is parsed.
        """
        super().notify(
            clean_str(message, multiline=True),
            title=clean_str(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _on_notify(self, event: Notify) -> None:
        """Runs before Textual's own handler adds the toast: a repeat replaces its twin."""
        self._toast_repeats.fold(
            event.notification, self._notifications, lambda n: self._unnotify(n, refresh=False)
        )

    def on_key(self, event: events.Key) -> None:
        """A key whose issue action is unavailable says why (e.g. merge needs 2 marked issues).

        An unavailable action is left out of the active bindings (or dimmed in read-only mode),
        so its key would otherwise do nothing, silently.
        """
        screen = self.screen
        if not isinstance(screen, IssueActions):
            return
        action = screen.issue_action_on(event.key, self._keymap)
        if action is None:  # most keys (j, k, …): one dict lookup
            return
        active = screen.active_bindings.get(event.key)
        if active is not None and (active.enabled or active.node is not screen):
            return  # it ran, or another widget's binding owns the key
        reason = screen.disabled_reason(action)
        if reason:
            self.notify(reason, severity="warning", timeout=3)

    def report_error(self, error: BaseException | None) -> None:
        if error is None or offline.quiet(self.ctx, error):  # offline: the header says it
            return
        if isinstance(error, AuthError):
            self._modal_once(
                "Sentry rejected the token",
                error.message,  # the same for every request: say it once, without the endpoint
                "Create a new token (Settings → Auth Tokens) and set SENTRY_AUTH_TOKEN or "
                "`token` in the config file; `dexter doctor` checks it.",
            )
        elif isinstance(error, ScopeError):
            self._modal_once(
                "The token lacks a permission",
                str(error),
                "Give the token the scope named above, or run with --read-only.",
            )
        elif isinstance(error, ReadOnlyError):
            self.notify(str(error), severity="warning")
        elif isinstance(error, LookupError):
            self._modal_once("Configuration problem", str(error))
        elif isinstance(error, SentryError | OSError):
            self.notify(
                f"{error}\n{_what_happens_next(error)}",
                title="Sentry unreachable" if not isinstance(error, SentryError) else "Sentry",
                severity="error",
            )
        else:
            self._modal_once("Unexpected error", f"{type(error).__name__}: {error}")

    def _modal_once(self, title: str, message: str, hint: str = "") -> None:
        """Several workers often fail for one reason (a bad token): one modal, not a stack."""
        if any(isinstance(s, ErrorModal) and s.title_text == title for s in self.screen_stack):
            return
        self.push_screen(ErrorModal(title, message, hint))

    # -- global actions ---------------------------------------------------------------------------

    def action_help(self) -> None:
        from dexter_tui.tui.dialogs.help import HelpScreen, help_rows  # first use: not at start

        rows = help_rows(self.screen, self.get_key_display)
        notes = [
            (
                "Selection",
                "Actions apply to the marked issues, else to the issue under the cursor.",
            ),
            ("Columns", FLAGS_LEGEND),
            ("Priority score (PRIO column, sort s → priority)", priority.EXPLANATION),
            ("Command line (:)", COMMAND_HELP),
            ("Going back", NAVIGATION_HELP),
            ("Search (/ on the list, Discover's query, the : line)", SEARCH_HELP),
        ]
        self.push_screen(HelpScreen(rows, notes))

    def action_back(self) -> None:
        """`q`: back to the previous place, else close this screen; at the root, ask to quit."""
        if self.navigator.back():
            return
        if len(self.screen_stack) > 2:
            self.pop_screen()
            self.call_after_refresh(self.navigator.show_trail)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmDialog("Quit dexter?", yes_label="Quit"), answered)

    def action_toggle_pause(self) -> None:
        self.issues_screen.action_toggle_pause()

    def action_refresh_all(self) -> None:
        self.load_workspace()
        self.issues_screen.load_first()

    def action_view(self, name: str) -> None:
        self.note_jump()
        self.show_view(name)

    def show_view(self, name: str) -> None:
        """Switch to a view (a history step only through `action_view`)."""
        if name == "issues":
            while len(self.screen_stack) > 2:
                self.pop_screen()
        elif name in ("analytics", "releases"):
            # installed once: the view keeps its data and cache between visits
            while len(self.screen_stack) > 2:
                self.pop_screen()
            if not self.is_screen_installed(name):
                from dexter_tui.tui.screens.analytics import AnalyticsScreen
                from dexter_tui.tui.screens.releases import ReleasesScreen

                view = AnalyticsScreen if name == "analytics" else ReleasesScreen
                self.install_screen(view(self.ctx), name=name)
            self.push_screen(name)
        elif name == "deadlocks":
            # installed once, like analytics: a second `3` shows the last scan (`r` rescans)
            while len(self.screen_stack) > 2:
                self.pop_screen()
            if not self.is_screen_installed(name):
                from dexter_tui.tui.screens.deadlocks import DeadlocksScreen  # pglast, analyzer

                self.install_screen(DeadlocksScreen(self.ctx), name=name)
            self.push_screen(name)
        elif name in ("alerts", "discover"):
            # installed once: Discover keeps its editor, results and history between visits
            while len(self.screen_stack) > 2:
                self.pop_screen()
            if not self.is_screen_installed(name):
                from dexter_tui.tui.screens.alerts import AlertsScreen
                from dexter_tui.tui.screens.discover import DiscoverScreen

                view = AlertsScreen if name == "alerts" else DiscoverScreen
                self.install_screen(view(self.ctx), name=name)
            self.push_screen(name)

    async def on_event(self, event: events.Event) -> None:
        """Printable keys that bubble up while the `:` prompt is open were typed right after `:`
        (see `CommandLine.take_stale_key`): they go to the prompt, not to app bindings."""
        if (
            isinstance(event, events.Key)
            and event.is_forwarded
            and isinstance(self.screen, CommandLine)
            and self.screen.take_stale_key(event)
        ):
            event.stop()
            return
        await super().on_event(event)

    def action_command_line(self) -> None:
        def run(command: str | None) -> None:
            if command:
                self.run_command(command)

        self.push_screen(CommandLine(self.command_history, command_completer(self.ctx)), run)

    # -- the `:` command line -------------------------------------------------------------------

    def run_command(self, command: str) -> None:
        verb, _, arg = command.strip().partition(" ")
        if verb in JUMP_COMMANDS:
            self.note_jump()
        arg = arg.strip()
        screen = self.issues_screen
        query = screen.feed.query
        match verb:
            case "q" | "quit" | "q!":
                self.exit(0)
            case "issues" | "1":
                self.action_view("issues")
            case "analytics" | "2":
                self.action_view("analytics")
            case "releases" | "4":
                self.action_view("releases")
            case "deadlocks" | "3":
                self.action_view("deadlocks")
            case "discover" | "5":
                self.action_view("discover")
            case "alerts" | "rules":
                self.action_view("alerts")
            case "save" | "view" | "views" | "unsave" | "save-sentry":
                save_view.run_command(self, verb, arg)
            case "refresh" | "r":
                self.action_refresh_all()
            case "pause":
                self.action_toggle_pause()
            case "help" | "h":
                self.action_help()
            case "env" | "environment":
                envs = () if arg in ("", "all") else tuple(e for e in arg.split(",") if e)
                screen.set_query(query.with_(environments=envs))
            case "period" if arg in PERIODS:
                screen.set_query(query.with_(period=arg))
            case "sort" if arg in SORTS:
                screen.feed.query = query.with_(sort=arg)
                screen.action_refresh()
            case "filter":
                match = [q for label, q in QUICK_FILTERS if label.startswith(arg.lower())]
                if not match:
                    self.notify(f"unknown quick filter {arg!r}", severity="warning")
                    return
                screen.set_query(query.with_(query=match[0]))
            case "query" | "search":
                screen.set_query(query.with_(query=arg))
            case "project" | "projects":
                self.switch_projects(arg)
            case _:
                self.notify(f"Unknown command :{command}\n{COMMAND_HELP}", severity="warning")

    def switch_projects(self, arg: str) -> None:
        """`:project a,b` / `:project all`: the issue list (and the views after it) follow."""
        slugs = [] if arg in ("", "all") else [s for s in arg.split(",") if s]
        workspace = self.ctx.workspace
        if workspace is not None:
            try:
                workspace.project_ids(slugs)
            except LookupError as error:
                self.notify(str(error), severity="warning")
                return
        self.ctx.settings.project = slugs
        header = self.issues_screen.query_one("#header")
        header.where.projects = slugs  # type: ignore[attr-defined]
        self.issues_screen.load_first()

    # -- command palette --------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        run = self.run_command
        yield SystemCommand("Issues", "Show the issue list (1)", lambda: run("issues"))
        yield SystemCommand(
            "Discover", "Query events: fields, functions, sort (5)", lambda: run("discover")
        )
        yield SystemCommand(
            "Alert rules", "Rules of the projects: toggle, snooze", lambda: run("alerts")
        )
        yield from save_view.system_commands(self)
        yield SystemCommand(
            "Deadlocks", "PostgreSQL deadlocks by pattern (3)", lambda: run("deadlocks")
        )
        for label, query in QUICK_FILTERS:
            yield SystemCommand(
                f"Filter: {label}",
                f"Search {query or 'everything'}",
                lambda q=label: run(f"filter {q}"),
            )
        for period in PERIODS:
            yield SystemCommand(
                f"Period: {period}", "Stats and search window", lambda p=period: run(f"period {p}")
            )
        for sort in SORTS:
            yield SystemCommand(
                f"Sort: {sort}", "Order the issue list", lambda s=sort: run(f"sort {s}")
            )
        workspace = self.ctx.workspace
        if workspace is not None:
            yield SystemCommand(
                "Project: all", "Issues of every project", lambda: run("project all")
            )
            for project in workspace.projects:
                yield SystemCommand(
                    f"Project: {palette_text(project.slug)}",
                    palette_text(project.name),
                    lambda s=project.slug: run(f"project {s}"),
                )
            yield SystemCommand("Environment: all", "No environment filter", lambda: run("env all"))
            for env in workspace.environments:
                yield SystemCommand(
                    f"Environment: {palette_text(env)}",
                    "Filter by environment",
                    lambda e=env: run(f"env {e}"),
                )
        yield SystemCommand("Pause/resume live updates", "Z", lambda: run("pause"))
