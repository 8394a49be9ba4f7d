"""How an issue looks as a table row: columns, level glyphs, badges, relative times.

Severity is a glyph and a word (FTL, ERR, WRN, INF), never colour alone. Every value that came from
Sentry goes through `safe_text`, so a title like ``[bold]x[/]`` shows those characters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text

from dexter_tui.choices import period_seconds
from dexter_tui.sentry.models import Issue
from dexter_tui.services.issues import issue_buckets
from dexter_tui.services.listed_issues import IssueCodec, ListedIssue
from dexter_tui.services.priority import PriorityScore
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.sparkline import sparkline
from dexter_tui.tui.widgets.table_cells import identifier_text
from dexter_tui.tui.widgets.table_model import Column, Row, TextFilter

#: a parsed issue, or the slim form the list keeps (same attribute names)
AnyIssue = Issue | ListedIssue

LEVELS: dict[str, tuple[str, str]] = {
    "fatal": ("✖ FTL", "bold red"),
    "error": ("● ERR", "red"),
    "warning": ("▲ WRN", "yellow"),
    "info": ("ℹ INF", "blue"),
    "debug": ("· DBG", "dim"),
}

COLUMNS: list[Column] = [
    Column("level", "LVL", width=5),
    Column("short_id", "SHORT-ID", min_width=14, ratio=1),
    Column("flags", "FLG", width=3),
    Column("title", "TITLE", min_width=16, ratio=6),
    Column("culprit", "CULPRIT", min_width=16, ratio=3, hide_below=150),
    Column("events", "EVENTS", width=6, align="right"),
    Column("users", "USERS", width=5, align="right"),
    Column("trend", "TREND", width=8),
    Column("priority", "PRIO", width=4, align="right", hide_below=100),
    Column("assignee", "ASSIGNEE", width=12, hide_below=112),
    Column("first_seen", "AGE", width=5, align="right", hide_below=124),
    Column("last_seen", "SEEN", width=5, align="right"),
]

#: sort name (services.issues.SORTS) -> column showing the sort indicator
SORT_COLUMNS = {
    "date": "last_seen",
    "new": "first_seen",
    "freq": "events",
    "user": "users",
    "priority": "priority",
}


def compact(n: int) -> str:
    """1234 → 1.2k, 2_500_000 → 2.5M (fits a 6-cell column)."""
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if n >= size * 10:
            return f"{n // size}{suffix}"
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def relative(when: datetime | None, now: float) -> str:
    if when is None:
        return "—"
    return relative_ts(when.timestamp(), now)


def relative_ts(ts: float, now: float) -> str:
    """`relative` of a POSIX timestamp: 5s, 3m, 2h, 4d (never shorter as time goes on)."""
    seconds = max(0, int(now - ts))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


#: seconds per bucket of Sentry's two issue stats series, and how far each reaches back
SERIES_SPAN = {"24h": (3600, 86400), "14d": (86400, 14 * 86400)}


def period_covered(period: str, stats_key: str) -> bool:
    """Whether the stats series `stats_key` reaches back over all of `period`."""
    try:
        return period_seconds(period) <= SERIES_SPAN.get(stats_key, (0, 0))[1]
    except ValueError:
        return False


def period_events(issue: AnyIssue, period: str, stats_key: str, now: float) -> int:
    """The issue's events in the last `period`, summed from the stats Sentry sent with the list;
    its lifetime count when the series does not reach back that far (see `events_column`)."""
    if not period_covered(period, stats_key):
        return issue.count
    size = SERIES_SPAN[stats_key][0]
    if isinstance(issue, ListedIssue):
        series: list[Any] = issue.series(size)
    else:
        series = issue.stats.get(stats_key) or []
    if not series:
        return issue.count
    since = now - period_seconds(period)
    return sum(int(n) for ts, n in series if float(ts) + size > since)


def events_column(period: str, stats_key: str) -> Column:
    """EVENTS is labelled with the period it counts (`EV 24h`), or `EVENTS` (lifetime)."""
    label = f"EV {period}" if period_covered(period, stats_key) else "EVENTS"
    return Column("events", label if len(label) <= 6 else "EVENTS", width=6, align="right")


def columns_for(period: str, stats_key: str) -> list[Column]:
    """The list's columns with EVENTS labelled for `period`."""
    return [events_column(period, stats_key) if c.key == "events" else c for c in COLUMNS]


def level_text(level: str) -> Text:
    label, style = LEVELS.get(level, (f"? {level[:3].upper()}", ""))
    return Text(label, style=style)


FLAGS_LEGEND = (
    "FLG column: N new · R regressed · E escalating · ✓ resolved · - ignored · "
    "★ bookmarked · • not seen yet. Level: ✖ FTL fatal · ● ERR error · ▲ WRN warning · "
    "ℹ INF info · · DBG debug."
)


def flags_text(issue: AnyIssue) -> Text:
    """Up to three glyphs: state (N/R/E/✓/-), ★ bookmarked, • unseen (see FLAGS_LEGEND)."""
    text = Text()
    substatus = issue.substatus or ""
    if issue.status == "resolved":
        text.append("✓", style="green")
    elif issue.status == "ignored":
        text.append("-", style="dim")
    elif substatus == "new":
        text.append("N", style="bold green")
    elif substatus == "regressed":
        text.append("R", style="bold magenta")
    elif substatus == "escalating":
        text.append("E", style="bold red")
    if issue.is_bookmarked:
        text.append("★", style="yellow")
    if not issue.has_seen:
        text.append("•", style="bold")
    return text


def assignee_label(issue: AnyIssue) -> str:
    who = issue.assigned_to
    if who is None:
        return ""
    name = who.name or who.email or who.id
    return f"#{name}" if who.type == "team" else name


class RowView:
    """What every row of one list shares (stats series, clock, priority, period, the codec of
    its listed issues' packed bytes): one object per list, not a closure per row."""

    __slots__ = ("codec", "now", "period", "priority", "stats_key")

    def __init__(
        self,
        stats_key: str,
        now: float | Callable[[], float],
        priority: Callable[[Any], PriorityScore],
        period: str,
        codec: IssueCodec | None = None,
    ) -> None:
        self.stats_key = stats_key
        self.now = now
        self.priority = priority
        self.period = period
        self.codec = codec

    def at(self) -> float:
        now = self.now
        return now() if callable(now) else now

    def same(self, *args: Any) -> bool:
        mine = (self.stats_key, self.now, self.priority, self.period)
        return mine == args[:-1] and self.codec is args[-1]


#: `Row`'s slots that an `IssueRow` derives instead (cells, sort values and search text come from
#: its issue) hold its own state: the list's view, the period's events, the priority total
_VIEW = Row.__dict__["cells"]
_EVENTS = Row.__dict__["sort_values"]
_PRIORITY = Row.__dict__["search"]
#: `Row.data`'s slot: a listed issue's packed bytes (`data` makes the `ListedIssue` when read,
#: with the view's codec: ~48 B less per row), or the parsed `Issue` a row was made of
_DATA = Row.__dict__["data"]


class IssueRow(Row):
    """One issue as a table row: the issue and the list's shared `RowView`, nothing else.

    Why not a plain `Row`: with 100k issues loaded, a closure, a sort-value dict and a search
    string per row cost ~1 KB each. Cells are built when the row is drawn; the event count of
    the period and the priority score are computed when first asked (drawn or sorted by) and
    kept; the search text is derived when the table indexes it (`Row.search`). No slot of its
    own: what it keeps sits in the `Row` slots it derives (`_VIEW`, `_EVENTS`, `_PRIORITY`),
    and of a listed issue it keeps the packed bytes only (`data`).
    """

    __slots__ = ()

    def __init__(self, issue: AnyIssue, view: RowView) -> None:
        if isinstance(issue, ListedIssue) and issue._codec is not view.codec:
            raise ValueError("a listed issue's row needs the view of its list's codec")
        put = object.__setattr__
        put(self, "key", issue.id)
        put(self, "dim", issue.status in ("resolved", "ignored"))
        _DATA.__set__(self, issue._packed if isinstance(issue, ListedIssue) else issue)
        _VIEW.__set__(self, view)
        _EVENTS.__set__(self, None)
        _PRIORITY.__set__(self, None)

    @property  # type: ignore[misc]
    def data(self) -> AnyIssue:
        """The row's issue: a `ListedIssue` (made from the bytes kept), or a parsed `Issue`."""
        data = _DATA.__get__(self)
        if type(data) is bytes:
            return ListedIssue.unpacked(self.key, data, _VIEW.__get__(self).codec)
        return data

    @property  # type: ignore[misc]
    def cells(self) -> None:
        """None: `get_cells` builds them from the issue when the row is drawn."""
        return None

    @property  # type: ignore[misc]
    def sort_values(self) -> None:
        """None: `sort_value` reads the issue."""
        return None

    @property  # type: ignore[misc]
    def search(self) -> str:
        """`Row.search`, derived from the issue (the table keeps it, joined per chunk)."""
        return haystack(self.data)

    @property
    def _view(self) -> RowView:
        view: RowView = _VIEW.__get__(self)
        return view

    @property
    def events(self) -> int:
        """Events in the list's period (lifetime count without one), as of the first ask."""
        events: int | None = _EVENTS.__get__(self)
        if events is None:
            view, issue = self._view, self.data
            at = view.at()
            events = (
                period_events(issue, view.period, view.stats_key, at)
                if view.period
                else issue.count
            )
            _EVENTS.__set__(self, events)
        return events

    @property
    def priority(self) -> float:
        """The priority score's total, as of the first ask (drawn or sorted by)."""
        value: float | None = _PRIORITY.__get__(self)
        if value is None:
            value = self._view.priority(self.data).total
            _PRIORITY.__set__(self, value)
        return value

    def get_cells(self) -> dict[str, Text]:
        issue, view = self.data, self._view
        when = view.at()
        buckets = issue_buckets(issue, view.stats_key)
        short_id, title, culprit = texts_of(issue)
        return {
            "level": level_text(issue.level),
            "short_id": identifier_text(short_id or issue.id, "bold"),
            "flags": flags_text(issue),
            "title": safe_text(title),
            "culprit": safe_text(culprit, "dim"),
            "events": Text(compact(self.events)),
            "users": Text(compact(issue.user_count)),
            "trend": sparkline(buckets, 8) if buckets else Text(""),
            "priority": Text(f"{self.priority:.0f}"),
            "assignee": safe_text(assignee_label(issue)),
            "first_seen": Text(relative(issue.first_seen, when)),
            "last_seen": Text(relative(issue.last_seen, when)),
        }

    def aged(self, then: float, now: float) -> bool:
        """Whether AGE or SEEN reads differently at `now` than at `then` (a row drawn between
        the two shows what it shows at both: the texts never come back as time goes on)."""
        if not callable(self._view.now):
            return False  # ages as of a fixed time: they never move
        issue = self.data
        return any(
            relative_ts(ts, then) != relative_ts(ts, now)
            for ts in (_timestamp(issue, "first"), _timestamp(issue, "last"))
            if ts
        )

    def sort_value(self, column_key: str) -> Any:
        issue = self.data
        if column_key == "last_seen":
            return _timestamp(issue, "last")
        if column_key == "first_seen":
            return _timestamp(issue, "first")
        if column_key == "events":
            return self.events
        if column_key == "users":
            return issue.user_count
        if column_key == "priority":
            return self.priority
        return super().sort_value(column_key)


def _timestamp(issue: AnyIssue, which: str) -> float:
    if isinstance(issue, ListedIssue):
        return issue.last_seen_ts if which == "last" else issue.first_seen_ts
    when = issue.last_seen if which == "last" else issue.first_seen
    return when.timestamp() if when is not None else 0.0


_view_cache: list[RowView] = []


def rows_aged(then: float | None, now: float) -> Callable[[Row], bool]:
    """Which drawn rows show an age that moved on between `then` (the last time the ages were
    brought up to date; None: never) and `now`: only those are drawn again."""

    def aged(row: Row) -> bool:
        if then is None or not isinstance(row, IssueRow):
            return True
        return row.aged(then, now)

    return aged


def issue_row(
    issue: AnyIssue,
    stats_key: str,
    now: float | Callable[[], float],
    priority: Callable[[Any], PriorityScore],
    period: str = "",
) -> IssueRow:
    """One issue as a keyed row; cells are built lazily when the row is drawn. EVENTS counts
    the `period` (the lifetime count when none is given).

    ``now`` may be the clock: ages ("5m") are then computed when the row is drawn, so a row
    that a poll did not change still shows its age as of the latest redraw. Rows built with
    the same arguments share one `RowView`.
    """
    codec = issue._codec if isinstance(issue, ListedIssue) else None
    args = (stats_key, now, priority, period, codec)
    view = _view_cache[0] if _view_cache and _view_cache[0].same(*args) else None
    if view is None:
        view = RowView(*args)
        _view_cache[:] = [view]
    return IssueRow(issue, view)


def texts_of(issue: AnyIssue) -> tuple[str, str, str]:
    """Short id, title and culprit ("" for none); a listed issue's in one read (they are
    compressed together)."""
    if isinstance(issue, ListedIssue):
        return issue.search_texts()
    return issue.short_id, issue.title, issue.culprit or ""


def haystack(issue: AnyIssue) -> str:
    """What the local filter searches: short id, title, culprit, assignee, case-folded, one line
    (a filter word has no whitespace, so newlines may as well be spaces)."""
    short_id, title, culprit = texts_of(issue)
    text = " ".join((short_id, title, culprit, assignee_label(issue)))
    return text.casefold().replace("\n", " ")  # one line: the table joins haystacks with \n


def filter_words(needle: str) -> list[str]:
    """The words of a typed needle the local filter uses (`key:value` terms are left out)."""
    return [w.lstrip("!") for w in needle.casefold().split() if ":" not in w]


def text_filter(needle: str) -> TextFilter:
    """Local filter while typing: every word must appear in short id, title, culprit or assignee.

    `key:value` words are Sentry search terms — they only take effect when the query is sent.
    """
    return TextFilter(filter_words(needle))


def matches_text(issue: AnyIssue, needle: str) -> bool:
    """`text_filter` for one issue: a full scan (what the table's narrowing must agree with;
    `benchmarks/app_bench.py` uses it as the old per-row predicate)."""
    text = haystack(issue)
    return all(w in text for w in filter_words(needle))
