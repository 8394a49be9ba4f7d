"""One controller for issue actions, mixed into every screen that shows issues.

Why: the list, the event detail and a release's detail all resolve, ignore, assign… issues. The
flow — bindings, the reason an action is unavailable, the confirm policy, the busy guard, the send
worker, the outcome toast and undo — lives here once, so the screens cannot drift apart and one
`[keymap]` entry (`"issue.resolve" = "ctrl+r"`) remaps the key on every screen.

A screen supplies `selection()` (the marked issues, else the one under the cursor) and lists the
actions it offers with `issue_binding(…)` in its `BINDINGS`; it may override the hooks
(`make_action`, `after_outcome`, `show_progress`, `cursor_issue`). The outcome goes to the app's
issue store (`ctx.issues`); every screen then redraws from `IssuesChanged` — this controller never
touches another screen.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from dexter_tui.sentry.models import Issue
from dexter_tui.services import actions, ownership
from dexter_tui.services.actions import IssueAction
from dexter_tui.services.bulk import BulkOutcome
from dexter_tui.services.sanitize import clipboard_text
from dexter_tui.tui import offline
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from dexter_tui.sentry.event_models import Event  # built on first use
    from dexter_tui.tui.context import TuiContext

UNDO_SECONDS = 15.0

#: action name -> (default keys, description, binding id): the same on every screen
ISSUE_KEYS: dict[str, tuple[str, str, str]] = {
    "resolve": ("x", "Resolve", "issue.resolve"),
    "unresolve": ("X", "Unresolve", "issue.unresolve"),
    "resolve_next": ("ctrl+x", "Resolve next release", "issue.resolve_next"),
    "ignore": ("i", "Ignore", "issue.ignore"),
    "assign": ("a", "Assign", "issue.assign"),
    "unassign": ("A", "Unassign", "issue.unassign"),
    "bookmark": ("b", "Bookmark", "issue.bookmark"),
    "mark_seen": ("n", "Mark seen", "issue.mark_seen"),
    "merge": ("M", "Merge", "issue.merge"),
    "delete": ("D", "Delete", "issue.delete"),
    "undo": ("z", "Undo", "issue.undo"),
    "action_log": ("at", "Action log", "issue.action_log"),
    "copy_short_id": ("y", "Copy… (y again: short id)", "issue.copy_id"),
    "copy_url": ("Y", "Copy URL", "issue.copy_url"),
    "priority": ("P", "Priority", "issue.priority"),
    "handoff": ("H", "Copy summary (Markdown)", "issue.handoff"),
    "similar": ("equals_sign", "Similar issues", "issue.similar"),
}

#: actions that change issues: hidden and refused in read-only mode
MUTATING = frozenset(
    {
        "resolve",
        "unresolve",
        "resolve_next",
        "ignore",
        "assign",
        "unassign",
        "bookmark",
        "mark_seen",
        "merge",
        "delete",
        "undo",
        "priority",
    }
)


def issue_binding(name: str, *, show: bool = False, description: str | None = None) -> Binding:
    """The binding of issue action `name`: same key and id on every screen."""
    keys, default, binding_id = ISSUE_KEYS[name]
    return Binding(keys, name, description or default, show=show, id=binding_id)


def merge_problem(issues: list[Issue]) -> str | None:
    """Why these issues cannot be merged (Sentry merges 2+ issues of one project), or None."""
    if len(issues) < 2:
        return "Merge needs at least 2 marked issues: mark them with space, then M"
    return actions.merge_problem(issues)


def no_browser_here(environ: Mapping[str, str] | None = None) -> str | None:
    """Why a browser cannot open on this machine (`o` then copies the URL), or None.

    Over SSH the browser would start on the remote host (or a text browser would take over the
    terminal); without any browser `webbrowser` fails silently.
    """
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "over SSH"
    import webbrowser  # when `o` is pressed, not at start (issue 19)

    try:
        webbrowser.get()
    except webbrowser.Error:
        return "no browser found"
    return None


class IssueActions(Screen[None]):
    """The base of a screen that shows issues (it sets `self.ctx`)."""

    ctx: TuiContext
    #: added to the outcome toast when some issues failed (the list and a release keep them marked)
    FAILED_NOTE: ClassVar[str] = ""

    def __init__(self, ctx: TuiContext, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ctx = ctx
        self._issue_busy = False
        self._last_outcome: BulkOutcome | None = None
        self._undo_until = 0.0
        self._outcome_shown = 0  # which outcome the header shows (a newer one replaces it)
        self._seen_pending: Issue | None = None  # opened, to be marked seen on return
        # a config with an old per-screen id (`issues.resolve`) remaps this screen only
        own_keys = ctx.screen_keymaps.get(type(self).__name__)
        if own_keys:
            self._bindings.apply_keymap(own_keys)

    # -- what the screen supplies -----------------------------------------------------------------

    def selection(self) -> list[Issue]:
        """The one selection rule: the marked issues, else the one under the cursor."""
        raise NotImplementedError

    def cursor_issue(self) -> Issue | None:
        """The issue `y`/`Y` copy (the cursor row, not the marks)."""
        chosen = self.selection()
        return chosen[0] if len(chosen) == 1 else None

    def make_action(self, name: str) -> IssueAction:
        """The action behind key `name` on this screen (a release resolves *in* itself)."""
        match name:
            case "resolve":
                return actions.resolve()
            case "unresolve":
                return actions.unresolve()
            case "resolve_next":
                return actions.resolve_in_next_release()
            case "unassign":
                return actions.unassign()
            case "mark_seen":
                return actions.mark_seen()
            case "merge":
                return actions.merge()
            case "delete":
                return actions.delete()
        raise ValueError(f"no issue action {name!r}")

    def show_progress(self, text: str) -> None:
        """Say what is being sent (the list shows it in its header)."""

    def after_outcome(self, outcome: BulkOutcome) -> None:
        """The screen's own follow-up (marks, a reload); the rows redraw from `IssuesChanged`."""

    # -- availability -----------------------------------------------------------------------------

    @property
    def issue_action_busy(self) -> bool:
        return self._issue_busy

    def offers(self, name: str) -> bool:
        """Whether this screen binds issue action `name`."""
        return any(
            isinstance(b, Binding) and b.action == name for b in getattr(type(self), "BINDINGS", [])
        )

    def changes_issues(self, action: str) -> bool:
        """Whether `action` sends a change: the shared verbs and the screen's own (`MUTATING`)."""
        own = getattr(type(self), "MUTATING", frozenset())
        return action in MUTATING or (isinstance(own, frozenset) and action in own)

    def disabled_reason(self, action: str) -> str | None:
        """Why `action` cannot run now (shown when its key is pressed), or None."""
        if self.changes_issues(action) and self.ctx.read_only:
            return "read-only mode: no changes are sent"
        if self.changes_issues(action) and (reason := offline.refusal(self.ctx)):
            return reason
        if action == "merge":
            return merge_problem(self.selection())
        if action == "undo" and not self._can_undo():
            return "Nothing to undo"
        return None

    def unavailable_now(self) -> list[tuple[str, Binding, str]]:
        """(key, binding, why) of this screen's issue keys hidden right now — merge with nothing
        marked, undo with nothing to undo, every change in read-only mode: `?` lists them."""
        bindings = self._bindings.copy()
        keymap = dict(self.ctx.settings.keymap or {})
        if keymap:
            bindings.apply_keymap(keymap)
        hidden = []
        for key, found in bindings.key_to_bindings.items():
            for binding in found:
                name = binding.action
                ours = name in ISSUE_KEYS or self.changes_issues(name)
                if ours and self.check_action(name, ()) is False:
                    hidden.append((key, binding, self.disabled_reason(name) or ""))
        return hidden

    def issue_action_on(self, key: str, keymap: Mapping[str, str]) -> str | None:
        """The issue action this screen binds to `key` (after the app's `keymap`), if any."""
        bindings = self._bindings
        if keymap:
            bindings = bindings.copy()
            bindings.apply_keymap(dict(keymap))
        for binding in bindings.key_to_bindings.get(key, ()):
            if binding.action in ISSUE_KEYS or self.changes_issues(binding.action):
                return binding.action
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """False while unavailable: hidden from the footer (read-only mode hides every change);
        its key then says why (the app's `on_key`)."""
        if self.changes_issues(action) and self.ctx.read_only:
            return False
        if action not in ISSUE_KEYS:
            return True
        return self.disabled_reason(action) is None

    def _can_undo(self) -> bool:
        outcome = self._last_outcome
        return bool(outcome and outcome.can_undo and time.monotonic() < self._undo_until)

    def needs_confirm(self, action: IssueAction, count: int) -> bool:
        """The `confirm` policy: always / bulk (more than one issue) / never; delete always asks."""
        policy = self.ctx.settings.confirm
        if action.destructive or policy == "always":
            return True
        return policy == "bulk" and count > 1

    # -- the flow: check, confirm, send, report ---------------------------------------------------

    def run_action(self, action: IssueAction, issues: list[Issue] | None = None) -> None:
        issues = self.selection() if issues is None else issues
        problem = (
            offline.refusal(self.ctx)
            or self.ctx.bulk.check(action, len(issues))
            or self.ctx.bulk.check_issues(action, issues)
        )
        if problem:
            self.notify(problem, severity="warning")
            return
        if self._issue_busy:
            self.notify("Another action is still running", severity="warning")
            return
        if not self.needs_confirm(action, len(issues)):
            self._send(action, issues)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(action, issues)

        dialog = ConfirmDialog(
            confirm_question(action, issues), yes_label=action.label, danger=action.destructive
        )
        self.app.push_screen(dialog, answered)

    def _send(self, action: IssueAction, issues: list[Issue]) -> None:
        self._issue_busy = True
        requests = -(-len(issues) // 100)
        noun = "issue" if len(issues) == 1 else "issues"
        self.show_progress(f"{action.label}: {len(issues)} {noun}, {requests} request(s)…")
        self.send_issue_action(action, issues)

    @work(group="bulk", exit_on_error=False)
    async def send_issue_action(self, action: IssueAction, issues: list[Issue]) -> None:
        try:
            outcome = await self.ctx.bulk.apply(action, issues)
        finally:
            self._issue_busy = False
            self.show_progress("")
        self._report(outcome)

    @work(group="bulk", exit_on_error=False)
    async def send_undo(self, previous: BulkOutcome) -> None:
        self._issue_busy = True
        try:
            outcome = await self.ctx.bulk.undo(previous)
        finally:
            self._issue_busy = False
        self._report(outcome)

    def _report(self, outcome: BulkOutcome) -> None:
        """Store the outcome (every screen redraws from it), then the screen's hook and a toast."""
        self.ctx.issues.apply(outcome.updated, outcome.removed)
        self.after_outcome(outcome)
        message = outcome.summary
        if outcome.failed and self.FAILED_NOTE:
            message += "\n" + self.FAILED_NOTE
        undo = self.offers("undo")
        if undo and outcome.action.verb != "undo" and outcome.can_undo:
            self._last_outcome = outcome
            self._undo_until = time.monotonic() + UNDO_SECONDS
            message += "\nz to undo"
        else:
            self._last_outcome = None
        if outcome.failed or not self.show_outcome(message.replace("\n", " · ")):
            severity = "warning" if outcome.failed else "information"
            self.notify(message, severity=severity, timeout=UNDO_SECONDS if undo else None)
        self.refresh_bindings()

    def show_outcome(self, text: str) -> bool:
        """Say how an action went in the status header until undo expires; False: no header.

        Toasts stacked (one per action, each "z to undo") over the list's data columns; the
        header line shows one outcome, the newest. Failures still toast: they need reading.
        """
        headers = self.query(StatusHeader)
        if not headers:
            return False
        header = headers.first()
        self._outcome_shown += 1
        shown = self._outcome_shown
        header.outcome = text

        def expire() -> None:
            if self._outcome_shown == shown:
                header.outcome = ""

        self.set_timer(UNDO_SECONDS, expire)
        return True

    # -- the actions ------------------------------------------------------------------------------

    def action_resolve(self) -> None:
        self.run_action(self.make_action("resolve"))

    def action_unresolve(self) -> None:
        self.run_action(self.make_action("unresolve"))

    def action_resolve_next(self) -> None:
        self.run_action(self.make_action("resolve_next"))

    def action_unassign(self) -> None:
        self.run_action(self.make_action("unassign"))

    def action_mark_seen(self) -> None:
        self.run_action(self.make_action("mark_seen"))

    def action_merge(self) -> None:
        self.run_action(self.make_action("merge"))

    def action_delete(self) -> None:
        self.run_action(self.make_action("delete"))

    def action_bookmark(self) -> None:
        issues = self.selection()
        self.run_action(actions.bookmark(not all(i.is_bookmarked for i in issues)), issues)

    def action_ignore(self) -> None:
        issues = self.selection()
        if not issues:
            return

        def chosen(spec: actions.IgnoreSpec | None) -> None:
            if spec is not None:
                self.run_action(actions.ignore(spec), issues)

        from dexter_tui.tui.dialogs.ignore_menu import IgnoreMenu  # on first use (issue 19)

        self.app.push_screen(IgnoreMenu(len(issues)), chosen)

    def action_assign(self) -> None:
        issues = self.selection()
        workspace = self.ctx.workspace
        if not issues:
            return
        if workspace is None:
            self.notify("Members are still loading; try again in a moment", severity="warning")
            return

        def chosen(who: actions.Assignee | None) -> None:
            if who is not None:
                self.run_action(actions.assign(who), issues)

        known = workspace.assignees()
        self.ctx.bulk.set_assignees(known)
        # owners are per issue: suggested when one issue is assigned
        suggest = self._owners_of(issues[0], known) if len(issues) == 1 else None
        from dexter_tui.tui.dialogs.assign_picker import AssignPicker  # on first use

        picker = AssignPicker(known, me=workspace.me, count=len(issues), suggest=suggest)
        self.app.push_screen(picker, chosen)

    def _owners_of(
        self, issue: Issue, known: list[actions.Assignee]
    ) -> Callable[[], Awaitable[list[ownership.Suggestion]]]:
        """The assign picker's suggestions: the issue's owners (one request, `expand=owners`)."""
        ctx = self.ctx

        async def suggest() -> list[ownership.Suggestion]:
            return await ownership.suggested_assignees(ctx.client, ctx.org, issue.id, known)

        return suggest

    def action_priority(self) -> None:
        issues = self.selection()
        if not issues:
            return
        now = {i.priority for i in issues}
        current = now.pop() if len(now) == 1 else None

        def chosen(priority: str | None) -> None:
            if priority is not None:
                self.run_action(actions.set_priority(priority), issues)

        from dexter_tui.tui.dialogs.priority_picker import PriorityPicker  # on first use

        self.app.push_screen(PriorityPicker(len(issues), current), chosen)

    def action_undo(self) -> None:
        if not self._can_undo() or self._last_outcome is None:
            self.notify("Nothing to undo", severity="warning")
            return
        previous, self._last_outcome = self._last_outcome, None
        self.send_undo(previous)

    def action_action_log(self) -> None:
        logged = {issue_id for entry in self.ctx.action_log.entries for issue_id in entry.ids}
        # the logged ones only: a listed issue's short id is inflated when read (100k: ~0.3 s)
        short_ids = {i.id: i.short_id for i in self.known_issues() if i.id in logged}
        from dexter_tui.tui.dialogs.action_log import ActionLogScreen  # on first use

        self.app.push_screen(ActionLogScreen(self.ctx.action_log.entries, short_ids))

    def known_issues(self) -> list[Issue]:
        """Issues whose short ids the action log can show (the list: every loaded one)."""
        return self.selection()

    def seen_on_open(self, issue: Issue) -> None:
        """Opening an issue marks it seen (its `•` goes), as Sentry's web UI does; not in
        read-only mode. Sent when this screen shows again, so the issue screen's own loads go
        first (and a failure there is not mixed up with this one)."""
        if not self.ctx.read_only and not issue.has_seen:
            self._seen_pending = issue

    def on_screen_resume(self) -> None:
        pending = self._seen_pending
        if pending is not None:
            self._seen_pending = None
            self.send_seen(pending)

    @work(group="seen", exit_on_error=False)
    async def send_seen(self, issue: Issue) -> None:
        if await self.ctx.bulk.mark_seen_on_open(issue):
            # the issue as it is now (resolved in the detail meanwhile, say), seen
            now = self.ctx.issues.newest(issue)  # the store keeps every applied outcome
            self.ctx.issues.apply({issue.id: now.model_copy(update={"has_seen": True})}, [])

    def open_in_browser(self, url: str) -> None:
        """Open `url`, or (over SSH, no browser) copy it and say where it went."""
        why = no_browser_here()
        if why is None:
            self.app.open_url(url)
            self.notify(f"Opened in your browser: {url}", timeout=5)
            return
        self.app.copy_to_clipboard(clipboard_text(url, multiline=False))
        self.notify(
            f"No browser opens here ({why}): the URL is copied to your clipboard\n{url}",
            title="Open in browser",
            timeout=10,
        )

    def action_copy_short_id(self) -> None:
        """`y`: the copy menu at the short id (`y` again copies it, as `y` alone used to)."""
        issue = self.cursor_issue()
        if issue is not None:
            self.open_copy_menu(issue, "short_id")

    def handoff_event(self) -> Event | None:
        """The event the hand-off summary describes (the detail's shown one; else the latest)."""
        return None

    def action_handoff(self) -> None:
        """`H`: the copy menu at the Markdown summary."""
        issue = self.cursor_issue()
        if issue is not None:
            self.open_copy_menu(issue, "markdown")

    def open_copy_menu(self, issue: Issue, start: str) -> None:
        """The copy menu (`tui/dialogs/handoff.py`); the chosen text goes out over OSC 52."""
        from dexter_tui.tui.dialogs.handoff import copied_note, copy_menu  # when first used

        query = self.ctx.list_query
        period = query.stats_key if query is not None else None
        dialog = copy_menu(self.ctx, issue, self.handoff_event(), period, start=start)

        def chosen(picked: tuple[str, str] | None) -> None:
            if picked is not None:
                self.app.copy_to_clipboard(picked[1])
                self.notify(copied_note(*picked))

        self.app.push_screen(dialog, chosen)

    def action_similar(self) -> None:
        """Merge candidates for the cursor issue; `M` there merges through this controller."""
        from dexter_tui.services import similar  # imported when first used
        from dexter_tui.tui.dialogs.similar_issues import SimilarIssuesDialog

        issue = self.cursor_issue()
        if issue is None:
            return
        ctx = self.ctx

        async def load() -> similar.SimilarResult:
            return await similar.similar_issues(
                ctx.client, ctx.org, issue, event=self.handoff_event()
            )

        def chosen(others: list[Issue] | None) -> None:
            if not others:
                return
            group = [issue, *others]
            problem = merge_problem(group)
            if ctx.read_only:
                problem = "read-only mode: no changes are sent"
            if problem:
                self.notify(problem, severity="warning")
                return
            self.run_action(actions.merge(), group)

        self.app.push_screen(SimilarIssuesDialog(issue, load), chosen)

    def action_copy_url(self) -> None:
        issue = self.cursor_issue()
        if issue is None:
            return
        if issue.permalink:
            self.app.copy_to_clipboard(clipboard_text(issue.permalink, multiline=False))
            self.notify("Copied the issue URL")
        else:
            self.notify("This issue has no permalink", severity="warning")


def confirm_question(action: IssueAction, issues: list[Issue]) -> str:
    """ "Resolve 3 issues? (API-1, API-2, API-3)" — names the verb, the count and the first ids."""
    noun = "issue" if len(issues) == 1 else "issues"
    names = ", ".join(i.short_id for i in issues[:3]) + ("…" if len(issues) > 3 else "")
    sep = ":" if " " in action.label else ""  # "Resolve in 1.2: 2 issues?"
    question = f"{action.label}{sep} {len(issues)} {noun}? ({names})"
    if action.destructive:
        question += "\nThis cannot be undone."
    return question
