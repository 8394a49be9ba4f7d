"""The alert rules view (palette / `:alerts`): "is the alert that paged me sane?".

A table of the issue alert rules of the current projects (all projects when none is chosen), and
below it the rule under the cursor in sentences: when it fires, its filters, what it does, how
often, environment, status, last triggered, snooze and owner, then the issues it fired for when
Sentry exposes that. `t` enables/disables and `z` snoozes/unsnoozes the rule — both confirmed, both
refused in read-only mode. Rules from Sentry's newer workflows API, when present, are read-only.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from dexter_tui.services.alerts import (
    AlertService,
    FiredFor,
    RuleItem,
    ago,
    describe,
    owner_namer,
)
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.services.projects import project_slugs
from dexter_tui.tui import offline
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.screens.base import ViewScreen
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.status_header import header_for

COLUMNS = [
    Column("status", "STATUS", width=12),
    Column("name", "RULE", min_width=20, ratio=4),
    Column("project", "PROJECT", min_width=10, ratio=1),
    Column("env", "ENV", min_width=8, ratio=1, hide_below=90),
    Column("last", "LAST FIRED", width=10, align="right"),
]


def status_text(item: RuleItem) -> Text:
    """Never colour alone: a glyph and a word."""
    if not item.rule.is_enabled:
        text = Text("○ off", style="dim")
    else:
        text = Text("● on", style="bold green")
    if item.snoozed:
        text.append(" ◌ zz", style="yellow")
    return text


def rule_row(item: RuleItem, now: float) -> Row:
    rule = item.rule
    return Row(
        key=item.key,
        cells={
            "status": status_text(item),
            "name": safe_text(rule.name, "bold"),
            "project": safe_text(item.project),
            "env": safe_text(rule.environment or "all", "" if rule.environment else "dim"),
            "last": Text(ago(rule.last_triggered, now)),
        },
        dim=not rule.is_enabled,
        sort_values={"last": rule.last_triggered.timestamp() if rule.last_triggered else 0},
        data=item,
    )


class AlertsScreen(ViewScreen):
    """Alert rules of the current projects, with the rule under the cursor in sentences."""

    DEFAULT_CSS = """
    AlertsScreen #context { height: auto; max-height: 2; }
    AlertsScreen #rules { height: 1fr; min-height: 4; }
    AlertsScreen #detail-box { height: 2fr; border-top: solid $accent; padding: 0 1; }
    """

    BINDINGS = [
        Binding("t", "toggle_enabled", "Enable/disable", id="alerts.toggle"),
        Binding("z", "snooze", "Snooze/unsnooze", id="alerts.snooze"),
        Binding("r", "refresh", "Refresh", id="alerts.refresh"),
        Binding("escape", "back", "Back", show=False, id="alerts.back"),
    ]
    MUTATING = frozenset({"toggle_enabled", "snooze"})

    def __init__(self, ctx: TuiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = AlertService(ctx.client, ctx.org, read_only=ctx.read_only, clock=ctx.clock)
        self.status = PollStatus(interval=ctx.settings.poll_interval)
        self.items: dict[str, RuleItem] = {}
        self.notes: list[str] = []
        self.fired: dict[str, FiredFor] = {}
        self._busy = False
        self._loaded_for: tuple[str, ...] | None = None  # the `:project` choice last loaded

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        yield header_for(ctx, self.status, list(ctx.settings.default_environment))
        yield Static(id="context")
        yield FastTable(COLUMNS, id="rules")
        with VerticalScroll(id="detail-box"):
            yield Static(id="detail")
        yield Footer()

    @property
    def table(self) -> FastTable:
        return self.query_one("#rules", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._show_context()
        self.load()

    def on_screen_resume(self) -> None:
        """Installed once: reload when `:project` changed since the last visit."""
        scope = tuple(self.ctx.settings.project)
        if self._loaded_for is not None and scope != self._loaded_for:
            self.fired.clear()
            self.load()

    async def _project_slugs(self) -> list[str]:
        workspace = self.ctx.workspace
        return await project_slugs(
            self.ctx.client,
            self.ctx.org,
            self.ctx.settings.project,
            workspace.projects if workspace else None,
        )

    @work(exclusive=True, group="alerts", exit_on_error=False)
    async def load(self) -> None:
        self.status.state = LiveState.LOADING
        self._show_context()
        self._loaded_for = tuple(self.ctx.settings.project)
        try:
            overview = await self.service.load(await self._project_slugs())
        except Exception as error:
            self.status.failed(error, self.ctx.clock())
            self._show_context()
            raise
        self.status.succeeded(self.ctx.clock())
        self.items = {i.key: i for i in overview.items}
        self.notes = overview.notes()
        now = self.ctx.clock()
        self.table.set_rows((rule_row(i, now) for i in overview.items), track_new=False)
        self._show_context()
        self._show_detail()

    def _show_context(self) -> None:
        text = Text("Alert rules", style="bold")
        if self.status.state is LiveState.LOADING and not self.items:
            text.append(" · loading…")
        else:
            enabled = sum(1 for i in self.items.values() if i.rule.is_enabled)
            text.append(f" {len(self.items)} · {enabled} enabled")
        if self.ctx.read_only:
            text.append(" · read-only: t/z disabled", style="bold")
        for note in self.notes:
            text.append(" · ")
            text.append_text(safe_text(note, "dim"))
        self.show_context(text)
        self.status_header.refresh()

    def current(self) -> RuleItem | None:
        row = self.table.cursor_row
        return row.data if row is not None else None

    @on(FastTable.CursorMoved, "#rules")
    def _cursor_moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        item = self.current()
        if item is None:
            empty = (
                "No alert rules in these projects."
                if self.items or self.status.state is not (LiveState.LOADING)
                else "Loading…"
            )
            detail.update(Text(empty, style="dim"))
            return
        workspace = self.ctx.workspace
        namer = owner_namer(workspace.teams, workspace.members) if workspace else None
        text = safe_text(item.rule.name, "bold")
        text.append(f"  ({item.project})\n", style="dim")
        for title, lines in describe(item, self.ctx.clock(), namer).sections:
            text.append(f"{title}:\n", style="bold")
            for line in lines:
                text.append("  • ")
                text.append_text(safe_text(line))
                text.append("\n")
        fired = self.fired.get(item.key)
        text.append("Fired for:\n", style="bold")
        if fired is None:
            text.append("  checking…\n", style="dim")
            self.fetch_fired(item)
        elif fired.groups is None:
            text.append("  ")
            text.append_text(safe_text(fired.note, "dim"))
        else:
            text.append("  ")
            text.append_text(safe_text(fired.note))
            text.append("\n")
            for entry in fired.groups[:20]:
                group = entry.get("group") if isinstance(entry.get("group"), dict) else {}
                text.append("  • ")
                text.append_text(safe_text(group.get("shortId", "?"), "bold"))
                text.append(" ")
                text.append_text(safe_text(group.get("title", "")))
                text.append(f"  ×{entry.get('count', '?')}\n", style="dim")
        detail.update(text)

    @work(exclusive=True, group="alerts-fired", exit_on_error=False)
    async def fetch_fired(self, item: RuleItem) -> None:
        self.fired[item.key] = await self.service.fired_for(item)
        if self.current() is not None and self.current().key == item.key:  # type: ignore[union-attr]
            self._show_detail()

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MUTATING and self.ctx.read_only:
            return None
        return True

    def action_toggle_enabled(self) -> None:
        item = self.current()
        if item is None or not self._can_change(item):
            return
        verb = "Disable" if item.rule.is_enabled else "Enable"
        question = f"{verb} the alert rule “{item.rule.name}” of {item.project}?"

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self.send_change(item, "disable" if item.rule.is_enabled else "enable")

        self.app.push_screen(ConfirmDialog(question, yes_label=verb), answered)

    def action_snooze(self) -> None:
        item = self.current()
        if item is None or not self._can_change(item):
            return
        if item.snoozed:
            question = f"Unsnooze “{item.rule.name}”? Its notifications resume."

            def answered(yes: bool | None) -> None:
                if yes:
                    self._busy = True
                    self.send_change(item, "unsnooze")

            self.app.push_screen(ConfirmDialog(question, yes_label="Unsnooze"), answered)
            return
        choices = ["Snooze for me", "Snooze for everyone"]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            scope = "everyone" if index == 1 else "me"
            question = f"Snooze “{item.rule.name}” for {scope}, until unsnoozed?"

            def answered(yes: bool | None) -> None:
                if yes:
                    self._busy = True
                    self.send_change(item, f"snooze-{scope}")

            self.app.push_screen(ConfirmDialog(question, yes_label="Snooze"), answered)

        self.app.push_screen(PickDialog(f"Snooze “{item.rule.name}”", choices), chosen)

    def _can_change(self, item: RuleItem) -> bool:
        if self.ctx.read_only:
            self.notify("Read-only mode: alert rules are not changed", severity="warning")
            return False
        if reason := offline.refusal(self.ctx):
            self.notify(reason, severity="warning")
            return False
        if not item.editable:
            self.notify("This alert comes from Sentry's workflows API: change it in Sentry")
            return False
        if self._busy:
            self.notify("Another change is still running", severity="warning")
            return False
        return True

    @work(group="alerts-change", exit_on_error=False)
    async def send_change(self, item: RuleItem, change: str) -> None:
        verb = f"alert rule {change}"
        detail = {"rule": item.rule.name, "project": item.project}
        try:
            if change in ("enable", "disable"):
                updated = await self.service.set_enabled(item, change == "enable")
            elif change == "unsnooze":
                updated = await self.service.unsnooze(item)
            else:
                updated = await self.service.snooze(item, everyone=change == "snooze-everyone")
        except Exception as error:
            status = getattr(error, "status", None)
            outcome = {item.rule.id: f"failed ({status or type(error).__name__})"}
            self.ctx.action_log.record(verb, outcome, detail=detail, org=self.ctx.org)
            raise
        finally:
            self._busy = False
        self.ctx.action_log.record(verb, {item.rule.id: "ok"}, detail=detail, org=self.ctx.org)
        self.items[updated.key] = updated
        now = self.ctx.clock()
        self.table.set_rows((rule_row(i, now) for i in self.items.values()), track_new=False)
        self._show_context()
        self._show_detail()
        self.notify(f"{updated.rule.name}: {updated.status_text()}", title="Alert rule")

    def action_refresh(self) -> None:
        self.fired.clear()
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
