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
from dexter_tui.services.listed_issues import ListedIssue
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
    seconds = max(0, int(now - when.timestamp()))
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


def issue_row(
    issue: AnyIssue,
    stats_key: str,
    now: float | Callable[[], float],
    priority: Callable[[Any], PriorityScore],
    period: str = "",
) -> Row:
    """One issue as a keyed row; cells are built lazily when the row is drawn. EVENTS counts
    the `period` (the lifetime count when none is given).

    ``now`` may be the clock: ages ("5m") are then computed when the row is drawn, so a row
    that a poll did not change still shows its age as of the latest redraw.
    """
    at = now() if callable(now) else now
    events = period_events(issue, period, stats_key, at) if period else issue.count

    def cells() -> dict[str, Text]:
        when = now() if callable(now) else now
        buckets = issue_buckets(issue, stats_key)
        return {
            "level": level_text(issue.level),
            "short_id": identifier_text(issue.short_id or issue.id, "bold"),
            "flags": flags_text(issue),
            "title": safe_text(issue.title),
            "culprit": safe_text(issue.culprit or "", "dim"),
            "events": Text(compact(events)),
            "users": Text(compact(issue.user_count)),
            "trend": sparkline(buckets, 8) if buckets else Text(""),
            "priority": Text(f"{priority(issue).total:.0f}"),
            "assignee": safe_text(assignee_label(issue)),
            "first_seen": Text(relative(issue.first_seen, when)),
            "last_seen": Text(relative(issue.last_seen, when)),
        }

    if isinstance(issue, ListedIssue):
        last, first = issue.last_seen_ts, issue.first_seen_ts
    else:
        last = issue.last_seen.timestamp() if issue.last_seen else 0.0
        first = issue.first_seen.timestamp() if issue.first_seen else 0.0
    return Row(
        key=issue.id,
        cells=cells,
        dim=issue.status in ("resolved", "ignored"),
        sort_values={
            "last_seen": last,
            "first_seen": first,
            "events": events,
            "users": issue.user_count,
            "priority": priority(issue).total,
        },
        data=issue,
        search=haystack(issue),
    )


def haystack(issue: AnyIssue) -> str:
    """What the local filter searches: short id, title, culprit, assignee, case-folded once."""
    return " ".join(
        (issue.short_id, issue.title, issue.culprit or "", assignee_label(issue))
    ).casefold()


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
