"""The analytics view (`2`): what an on-call engineer reads at a glance for one period.

Numbers come from `services.analytics` (six requests per period, cached with a TTL); this screen
only lays them out: the volume chart against the previous period, new vs resolved issues, top and
trending issues, regressions/escalations, breakdowns with bars, and the priority score's top 10
with every input shown. `[`/`]` change the period, `e` the environment, `t` picks a tag to break
down, `r` refetches, `enter` on an issue opens it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from dexter_tui.choices import FALLBACK_PERIOD, PERIODS, is_hourly, stats_key
from dexter_tui.sentry.models import Issue
from dexter_tui.services.analytics import (
    Analytics,
    AnalyticsService,
    Breakdown,
    IssueFigure,
    Ranked,
    Scope,
)
from dexter_tui.services.issue_detail import load_issue
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.services.tag_breakdown import breakdown_keys
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.issue_rows import compact, level_text
from dexter_tui.tui.messages import OpenIssue
from dexter_tui.tui.safe_text import clean_str, safe_text
from dexter_tui.tui.screens.base import ViewScreen
from dexter_tui.tui.widgets.bar_chart import BarChart, hbar
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.sparkline import BARS, resample, sparkline
from dexter_tui.tui.widgets.status_header import header_for
from dexter_tui.tui.widgets.table_cells import identifier_text, middle_ellipsis

TTL = 60.0

TOP_COLUMNS = [
    Column("level", "LVL", width=5),
    Column("short_id", "SHORT-ID", min_width=17),
    Column("title", "TITLE", min_width=10, ratio=3),
    Column("events", "EVENTS", width=6, align="right"),
    Column("users", "USERS", width=5, align="right"),
]
TRENDING_COLUMNS = [
    Column("short_id", "SHORT-ID", min_width=17),
    Column("title", "TITLE", min_width=10, ratio=3),
    Column("events", "NOW", width=5, align="right"),
    Column("previous", "PREV", width=5, align="right"),
    Column("rise", "RISE", width=5, align="right"),
    Column("ratio", "RATIO", width=5, align="right"),
]
HOT_COLUMNS = [
    Column("state", "STATE", width=12),
    Column("short_id", "SHORT-ID", min_width=17),
    Column("title", "TITLE", min_width=10, ratio=3),
    Column("events", "EVENTS", width=6, align="right"),
]
PRIORITY_COLUMNS = [
    Column("short_id", "SHORT-ID", min_width=17),
    Column("title", "TITLE", min_width=10, ratio=4),
    Column("total", "PRIO", width=4, align="right"),
    Column("level", "LEVEL", width=5, align="right"),
    Column("trend", "TREND", width=5, align="right"),
    Column("volume", "VOLUME", width=6, align="right"),
    Column("users", "USERS", width=5, align="right"),
    Column("recency", "RECENT", width=6, align="right"),
    Column("state", "STATE", width=5, align="right"),
    Column("spark", "EVENTS", width=10, hide_below=90),
]


def ratio_text(figure: IssueFigure) -> Text:
    ratio = figure.ratio
    if ratio is None:
        return Text("  new", style="bold")
    return Text(
        f"{f'×{ratio:.1f}' if ratio < 10 else f'×{ratio:.0f}' if ratio < 100 else '×99+':>5}"
    )


def change_text(now: int, before: int) -> Text:
    """ "▲ +23%" / "▼ −10%" / "= same": direction as a glyph and a word-like sign, not colour."""
    if before == 0:
        return Text("▲ new" if now else "= none", style="bold" if now else "")
    pct = (now - before) / before * 100
    if abs(pct) < 0.5:
        return Text("= same")
    glyph, style = ("▲", "bold red") if pct > 0 else ("▼", "green")
    if pct >= 1000:  # "+197250%" reads as noise: say how many times as many
        return Text(f"{glyph} ×{now / before:,.0f}", style=style)
    return Text(f"{glyph} {pct:+.0f}%", style=style)


def stamp(epoch: float, period: str) -> str:
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%H:%M") if is_hourly(period) else dt.strftime("%b %d")


def breakdown_text(breakdown: Breakdown | None, title: str, width: int, rows: int = 6) -> Text:
    """`title` then the top values: label, bar, count (the rest summed as "(other)")."""
    text = Text(no_wrap=True, end="")
    text.append(title + "\n", style="bold underline")
    if breakdown is None:
        text.append("loading…", style="dim italic")
        return text
    if not breakdown.values:
        text.append("no events", style="dim")
        return text
    top = breakdown.top(rows)
    peak = max(c for _, c in top)
    longest = max(len(label) for label, _ in top)
    label_w = max(6, min(longest, width - 13))
    bar_w = max(3, width - label_w - 8)
    for n, (label, count) in enumerate(top):
        # a value's end tells it apart (`checkout-api@2.14.0` from `@2.14.1`): cut the middle
        name = safe_text(middle_ellipsis(clean_str(label), label_w))
        name.truncate(label_w, pad=True)
        text.append_text(name)
        text.append(" " + hbar(count, peak, bar_w) + " ", style="bold")
        text.append(compact(count).rjust(5))
        if n < len(top) - 1:
            text.append("\n")
    return text


class AnalyticsScreen(ViewScreen):
    """Charts and rankings for the current org/projects/environment and a period."""

    DEFAULT_CSS = """
    AnalyticsScreen VerticalScroll { height: 1fr; }
    AnalyticsScreen .title { height: 1; padding: 0 1; text-style: bold; }
    AnalyticsScreen #volume { height: 9; padding: 0 1; }
    AnalyticsScreen #newresolved { height: 3; padding: 0 1; }
    AnalyticsScreen .pair { height: auto; }
    AnalyticsScreen .half { width: 1fr; height: auto; }
    AnalyticsScreen FastTable.short { height: 12; }
    AnalyticsScreen #priority { height: 12; }
    AnalyticsScreen .breakdown { width: 1fr; height: 8; padding: 0 1; }
    AnalyticsScreen #breakdowns { layout: grid; grid-size: 4; height: auto; }
    AnalyticsScreen.narrow .pair { layout: vertical; }
    AnalyticsScreen.narrow .half { width: 100%; }
    AnalyticsScreen.narrow #breakdowns { grid-size: 2; }
    """
    NARROW = 100  # below this many cells the side-by-side panels stack

    BINDINGS = [
        Binding("left_square_bracket", "period(-1)", "Period ◀", id="analytics.period_prev"),
        Binding("right_square_bracket", "period(1)", "Period ▶", id="analytics.period_next"),
        Binding("e", "environment", "Env", id="analytics.environment"),
        Binding("t", "pick_tag", "Tag breakdown", id="analytics.tag"),
        Binding("r", "refresh", "Refresh", id="analytics.refresh"),
    ]

    def __init__(self, ctx: TuiContext, *, period: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = AnalyticsService(ctx.client, ctx.org, ttl=TTL, clock=ctx.clock)
        start = period or ctx.settings.default_period
        self.period = start if start in PERIODS else FALLBACK_PERIOD
        self.environments: tuple[str, ...] = tuple(ctx.settings.default_environment)
        self.status = PollStatus(interval=TTL)
        self.data: Analytics | None = None
        self.tag_key: str | None = None
        self.tag: Breakdown | None = None

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        yield header_for(ctx, self.status, list(self.environments))
        yield Static(id="context")
        with VerticalScroll():
            yield Static(id="volume-title", classes="title")
            yield BarChart(id="volume")
            yield Static(id="newresolved")
            with Horizontal(classes="pair"):
                with Vertical(classes="half"):
                    yield Static("Top issues by events", classes="title")
                    yield FastTable(TOP_COLUMNS, id="top-events", classes="short")
                with Vertical(classes="half"):
                    yield Static("Top issues by users", classes="title")
                    yield FastTable(TOP_COLUMNS, id="top-users", classes="short")
            with Horizontal(classes="pair"):
                with Vertical(classes="half"):
                    yield Static(id="trending-title", classes="title")
                    yield FastTable(TRENDING_COLUMNS, id="trending", classes="short")
                with Vertical(classes="half"):
                    yield Static(id="hot-title", classes="title")
                    yield FastTable(HOT_COLUMNS, id="hot", classes="short")
            yield Static("Breakdown by events (t: pick a tag)", classes="title")
            with Horizontal(id="breakdowns"):
                yield Static(id="by-level", classes="breakdown")
                yield Static(id="by-environment", classes="breakdown")
                yield Static(id="by-release", classes="breakdown")
                yield Static(id="by-tag", classes="breakdown")
            yield Static(
                "Priority score top 10 (points per input; ? explains the score)", classes="title"
            )
            yield FastTable(PRIORITY_COLUMNS, id="priority")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.size.width < self.NARROW, "narrow")
        # focus the first table without scrolling the chart out of view
        self.query_one("#top-events", FastTable).focus(scroll_visible=False)
        self._show()
        self.set_interval(TTL, self._tick)

    def on_screen_resume(self) -> None:
        self.load()

    def _tick(self) -> None:
        if self.is_current:
            self.load()

    # -- loading -----------------------------------------------------------------------------

    def scope(self) -> Scope:
        projects: tuple[str, ...] = ()
        workspace = self.ctx.workspace
        if workspace is not None and self.ctx.settings.project:
            projects = tuple(workspace.project_ids(list(self.ctx.settings.project)))
        return Scope(self.period, self.environments, projects)

    @work(exclusive=True, group="analytics", exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        scope = self.scope()
        if self.data is None or self.data.scope != scope:
            self.status.state = LiveState.LOADING
            self._show_context()
        try:
            data = await self.service.load(scope, refresh=refresh)
            tag = None
            if self.tag_key:
                tag = await self.service.tag_breakdown(scope, self.tag_key)
        except Exception as error:
            self.status.failed(error, self.ctx.clock())
            self._show_context()
            raise
        self.data = data
        self.tag = tag
        self.status.succeeded(data.fetched_at)
        self._show()

    # -- drawing -----------------------------------------------------------------------------

    def _show(self) -> None:
        self._show_context()
        data = self.data
        volume = self.query_one("#volume", BarChart)
        if data is None:
            self.query_one("#volume-title", Static).update(Text("Events: loading…"))
            return
        w = data.window
        axis = (
            stamp(w.start, self.period),
            f"{self.period} · bucket {w.interval // 60}m"
            if w.interval < 3600
            else f"{self.period} · bucket {w.interval // 3600}h",
            "now",
        )
        volume.set_data(data.volume, axis, compare=data.previous_volume)
        title = Text.assemble(
            ("Events ", "bold"),
            (f"{data.total:,}", "bold"),
            f"  · previous {self.period}: {data.previous_total:,} ",
        )
        title.append_text(change_text(data.total, data.previous_total))
        title.append(
            f"  · {BarChart.COMPARE_GLYPH} the previous {self.period} (↑ above the scale)", "dim"
        )
        self.query_one("#volume-title", Static).update(title)
        self._show_new_resolved(data)
        now = self.ctx.clock()
        self._fill("#top-events", [self._top_row(f) for f in data.top_by_events()])
        self._fill("#top-users", [self._top_row(f) for f in data.top_by_users()])
        self.query_one("#trending-title", Static).update(
            Text(f"Trending: biggest rise vs the previous {self.period}", style="bold")
        )
        self._fill("#trending", [self._trend_row(f) for f in data.trending()])
        hot = data.hot()
        self.query_one("#hot-title", Static).update(
            Text(f"Regressed and escalating: {len(hot) or 'none'}", style="bold")
        )
        self._fill("#hot", [self._hot_row(i) for i in hot])
        self._fill("#priority", [self._priority_row(r, data) for r in data.priority_top(now)])
        for name in ("level", "environment", "release"):
            widget = self.query_one(f"#by-{name}", Static)
            width = widget.size.width or 28
            widget.update(breakdown_text(data.breakdowns.get(name), name.title(), width))
        tag_widget = self.query_one("#by-tag", Static)
        if self.tag_key:
            tag_widget.update(
                breakdown_text(self.tag, f"Tag {self.tag_key}", tag_widget.size.width or 28)
            )
        else:
            tag_widget.update(
                Text.assemble(("Tag", "bold underline"), "\n", ("t: pick a tag key", "dim"))
            )

    def _show_context(self) -> None:
        text = Text()
        text.append("Analytics", style="bold")
        text.append(f" · period: {self.period} ([ ])")
        text.append(" · env: ")
        text.append_text(safe_text(", ".join(self.environments) or "all"))
        text.append(" (e)")
        data = self.data
        if data is not None:
            text.append(f" · {data.requests} requests · cache {int(TTL)}s")
        if self.status.state is LiveState.STALE:
            text.append(" · showing the last good data", style="bold reverse")
        self.show_context(text)
        header = self.status_header
        header.where.environments = list(self.environments)
        header.refresh()

    def _show_new_resolved(self, data: Analytics) -> None:
        widget = self.query_one("#newresolved", Static)
        if data.new_issues is None or data.resolved_issues is None:
            widget.update(Text("New vs resolved issues: not offered by this Sentry", style="dim"))
            return
        width = max(10, (widget.size.width or 100) - 18)
        new_row, resolved_row = _shared_scale_rows(
            [data.new_issues, data.resolved_issues], width, ["bold", ""]
        )
        text = Text(no_wrap=True, end="")
        text.append("Issues per bucket, new vs resolved (same scale)\n", style="bold")
        text.append(f"new      {sum(data.new_issues):>5}  ")
        text.append_text(new_row)
        text.append(f"\nresolved {sum(data.resolved_issues):>5}  ")
        text.append_text(resolved_row)
        widget.update(text)

    def _fill(self, selector: str, rows: list[Row]) -> None:
        table = self.query_one(selector, FastTable)
        table.set_rows(rows, track_new=False)

    def _top_row(self, f: IssueFigure) -> Row:
        return Row(
            key=f.issue_id,
            cells={
                "level": level_text(f.level),
                "short_id": identifier_text(f.short_id, "bold"),
                "title": safe_text(f.title),
                "events": Text(compact(f.events)),
                "users": Text(compact(f.users)),
            },
            data=f,
        )

    def _trend_row(self, f: IssueFigure) -> Row:
        return Row(
            key=f.issue_id,
            cells={
                "short_id": identifier_text(f.short_id, "bold"),
                "title": safe_text(f.title),
                "events": Text(compact(f.events)),
                "previous": Text(compact(f.previous_events)),
                "rise": Text(f"+{compact(f.rise)}", style="bold"),
                "ratio": ratio_text(f),
            },
            data=f,
        )

    def _hot_row(self, issue: Issue) -> Row:
        glyph = "R" if issue.substatus == "regressed" else "E"
        state = Text.assemble((glyph, "bold"), " ", issue.substatus or "")
        return Row(
            key=issue.id,
            cells={
                "state": state,
                "short_id": identifier_text(issue.short_id, "bold"),
                "title": safe_text(issue.title),
                "events": Text(compact(issue.count)),
            },
            data=issue,
        )

    def _priority_row(self, ranked: Ranked, data: Analytics) -> Row:
        s = ranked.score
        issue = ranked.issue
        buckets = [int(p[1]) for p in issue.stats.get(stats_key(data.scope.period)) or []]
        return Row(
            key=issue.id,
            cells={
                "short_id": identifier_text(issue.short_id, "bold"),
                "title": safe_text(issue.title),
                "total": Text(f"{s.total:.0f}", style="bold"),
                "level": Text(f"{s.level:.0f}"),
                "trend": Text(f"{s.trend:.0f}"),
                "volume": Text(f"{s.volume:.0f}"),
                "users": Text(f"{s.users:.0f}"),
                "recency": Text(f"{s.recency:.0f}"),
                "state": Text(f"{s.state:.0f}"),
                "spark": sparkline(buckets, 10) if buckets else Text(""),
            },
            data=issue,
        )

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "narrow")
        if self.data is not None:
            self.call_after_refresh(self._show)

    # -- actions -----------------------------------------------------------------------------

    def action_period(self, step: int) -> None:
        current = self.period if self.period in PERIODS else FALLBACK_PERIOD
        index = PERIODS.index(current)
        self.period = PERIODS[(index + step) % len(PERIODS)]
        self.load()

    def action_environment(self) -> None:
        workspace = self.ctx.workspace
        names = list(workspace.environments) if workspace else []
        choices = ["(all environments)", *names]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.environments = () if index == 0 else (names[index - 1],)
            self.load()

        self.app.push_screen(PickDialog("Environment", choices), chosen)

    def action_pick_tag(self) -> None:
        self.pick_tag()

    @work(group="analytics-tags", exit_on_error=False)
    async def pick_tag(self) -> None:
        """Offer the tag keys of the period's top issue (one request), then break one down."""
        data = self.data
        keys: list[str] = []
        top = data.top_by_events(1) if data else []
        if top:
            keys = await breakdown_keys(
                self.ctx.client, self.ctx.org, top[0].issue_id, self.environments
            )
        if not keys:
            self.notify("No tags to break down in this period", severity="warning")
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.tag_key = keys[index]
                self.load_tag()

        self.app.push_screen(PickDialog("Break down by tag", keys), chosen)

    @work(exclusive=True, group="analytics-tag", exit_on_error=False)
    async def load_tag(self) -> None:
        if self.tag_key is None:
            return
        self.tag = await self.service.tag_breakdown(self.scope(), self.tag_key)
        self._show()

    def action_refresh(self) -> None:
        self.load(refresh=True)

    @on(FastTable.RowActivated)
    def _open(self, event: FastTable.RowActivated) -> None:
        row = event.table.get_row(event.key)
        if row is None:
            return
        data = row.data
        issue = data.issue if isinstance(data, IssueFigure) else data
        if isinstance(issue, Issue):
            self._open_issue(issue)
        elif isinstance(data, IssueFigure):
            self.fetch_and_open(data.issue_id)

    @work(group="analytics-open", exit_on_error=False)
    async def fetch_and_open(self, issue_id: str) -> None:
        self._open_issue(await load_issue(self.ctx.client, self.ctx.org, issue_id))

    def _open_issue(self, issue: Issue) -> None:
        self.post_message(OpenIssue(issue))


def _shared_scale_rows(series: list[list[int]], width: int, styles: list[str]) -> list[Text]:
    """One bar row per series on a shared scale, so "new" and "resolved" compare by height.

    Zero is ``▁`` and any non-zero bucket at least ``▂`` (as in the issue list's sparklines).
    """
    fitted = [resample(values, width) for values in series]
    peak = max((v for values in fitted for v in values), default=0.0)
    rows = []
    for values, style in zip(fitted, styles, strict=True):
        chars = [
            BARS[0] if v <= 0 or peak <= 0 else BARS[max(1, min(7, round(v / peak * 7)))]
            for v in values
        ]
        rows.append(Text("".join(chars) or " " * width, style=style))
    return rows
