"""The analytics view's numbers: volume, new vs resolved, top and trending issues, breakdowns.

Why this shape: an on-call engineer wants one glance per period, and requests are precious
(ARCHITECTURE rule 1). A period costs six requests however many issues there are:

1. `events-timeseries` over *two* periods (previous + current) on interval-aligned bounds, so one
   call gives the volume chart and the previous period's figure bucket for bucket;
2. `issues-timeseries` with both `count(new_issues)` and `count(resolved_issues)` axes;
3. the issue list of the period (`sort=freq`, 100 issues, stats included): titles, levels,
   regressions/escalations and the priority score's inputs;
4. and 5. Discover per issue (`issue.id, count(), count_unique(user)`) for the current and the
   previous period: top issues and the rise of each (with more than 100 issues in the period, a
   7th request sorted by users, only when the first page cannot prove its top 10 by users);
6. Discover `level, environment, release, count()`: all three breakdowns from one grouped page;
   only when that page is not the whole answer does it split into one request per breakdown.

A tag breakdown the user picks is one more request, on demand. Results are cached per
(period, environments, projects) for `ttl` seconds; `refresh=True` skips the cache.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dexter_tui.choices import PERIODS as PERIODS  # the analytics view cycles these
from dexter_tui.choices import period_seconds, stats_key
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NotFound
from dexter_tui.sentry.models import Issue, TimeSeriesResult
from dexter_tui.services.issues import priority_of
from dexter_tui.services.priority import HOT_STATES, PriorityScore

PERIOD_SECONDS = {period: period_seconds(period) for period in PERIODS}
#: bucket size per period: 48–60 buckets, fine enough for a terminal-wide chart
INTERVALS = {"1h": 60, "24h": 1800, "7d": 10800, "14d": 21600, "30d": 43200}
TOP_N = 10
PAGE = 100
BREAKDOWN_FIELDS = ("level", "environment", "release")


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Window:
    """Interval-aligned bounds: previous period `[start - span, start)`, current `[start, end)`.

    `end` is `now` rounded up to the next bucket boundary, so both periods hold the same number
    of whole buckets and split exactly.
    """

    period: str
    start: float
    end: float
    interval: int

    @property
    def span(self) -> float:
        return self.end - self.start

    @property
    def previous_start(self) -> float:
        return self.start - self.span

    @property
    def buckets(self) -> int:
        return int(self.span // self.interval)

    @classmethod
    def of(cls, period: str, now: float) -> Window:
        interval = INTERVALS[period]
        end = math.ceil(now / interval) * interval
        return cls(period, end - PERIOD_SECONDS[period], end, interval)


@dataclass(frozen=True)
class Scope:
    """Which events count: the period and the org/project/environment filters."""

    period: str = "24h"
    environments: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # project ids

    def key(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        return (self.period, self.environments, self.projects)


@dataclass
class IssueFigure:
    """One issue's numbers in the period (and the period before)."""

    issue_id: str
    short_id: str
    events: int = 0
    users: int = 0
    previous_events: int = 0
    issue: Issue | None = None

    @property
    def title(self) -> str:
        return self.issue.title if self.issue else ""

    @property
    def level(self) -> str:
        return self.issue.level if self.issue else "error"

    @property
    def rise(self) -> int:
        return self.events - self.previous_events

    @property
    def ratio(self) -> float | None:
        """Current/previous events; None when the issue had no events before (new activity)."""
        return None if self.previous_events == 0 else self.events / self.previous_events


@dataclass
class Breakdown:
    """Top values of one dimension (level, environment, release, a tag) by events."""

    name: str
    values: list[tuple[str, int]] = field(default_factory=list)  # top first
    total: int = 0

    def top(self, n: int = 6) -> list[tuple[str, int]]:
        """The `n` biggest values; the rest summed as "(other)"."""
        head = self.values[:n]
        rest = sum(c for _, c in self.values[n:])
        return head + ([("(other)", rest)] if rest else [])


@dataclass
class Ranked:
    """An issue in the priority top list, with the score's parts."""

    issue: Issue
    score: PriorityScore


@dataclass
class Analytics:
    """Everything the view shows for one scope."""

    scope: Scope
    window: Window
    volume: list[int]
    previous_volume: list[int]
    new_issues: list[int] | None  # None: the server has no issues-timeseries
    resolved_issues: list[int] | None
    figures: dict[str, IssueFigure]
    issues: dict[str, Issue]
    breakdowns: dict[str, Breakdown]
    fetched_at: float
    requests: int = 0

    @property
    def total(self) -> int:
        return sum(self.volume)

    @property
    def previous_total(self) -> int:
        return sum(self.previous_volume)

    @property
    def bucket_starts(self) -> list[float]:
        w = self.window
        return [w.start + i * w.interval for i in range(w.buckets)]

    def top_by_events(self, n: int = TOP_N) -> list[IssueFigure]:
        return sorted(self.figures.values(), key=lambda f: (-f.events, -f.users, f.short_id))[:n]

    def top_by_users(self, n: int = TOP_N) -> list[IssueFigure]:
        return sorted(self.figures.values(), key=lambda f: (-f.users, -f.events, f.short_id))[:n]

    def trending(self, n: int = TOP_N) -> list[IssueFigure]:
        """Biggest absolute rise vs the previous period (ties: the bigger ratio first)."""
        rising = [f for f in self.figures.values() if f.rise > 0]
        return sorted(
            rising, key=lambda f: (-f.rise, -(f.ratio if f.ratio else math.inf), f.short_id)
        )[:n]

    def hot(self) -> list[Issue]:
        """Regressed and escalating issues seen in the period, most events first."""
        return sorted(
            (
                i
                for i in self.issues.values()
                if i.substatus in HOT_STATES and i.status == "unresolved"
            ),
            key=lambda i: (-i.count, i.short_id),
        )

    def priority_top(self, now: float, n: int = TOP_N) -> list[Ranked]:
        """The priority score's top `n` among the period's unresolved issues."""
        key = stats_key(self.scope.period)
        ranked = [
            Ranked(i, priority_of(i, key, now))
            for i in self.issues.values()
            if i.status == "unresolved"
        ]
        ranked.sort(key=lambda r: (-r.score.total, r.issue.short_id))
        return ranked[:n]


def split_halves(values: Sequence[float], buckets: int) -> tuple[list[int], list[int]]:
    """(previous, current) from a two-period series: the last `buckets` values are current."""
    ints = [int(v or 0) for v in values]
    ints = ([0] * max(0, 2 * buckets - len(ints)) + ints)[-2 * buckets :]
    return ints[:buckets], ints[buckets:]


def series_values(result: TimeSeriesResult, y_axis: str) -> list[float]:
    for series in result.time_series:
        if series.y_axis == y_axis:
            return [v.value or 0 for v in series.values]
    return []


def users_complete(rows: Sequence[dict[str, Any]], n: int = TOP_N) -> bool:
    """Whether a page of issues sorted by events already holds the top `n` by users.

    An issue not on the page has at most as many events as the page's last row, and users never
    exceed events; so if the `n`-th largest user count on the page reaches that, nothing beyond
    the page can outrank it.
    """
    if len(rows) < n:
        return False
    floor = min(int(r.get("count()") or 0) for r in rows)
    users = sorted((int(r.get("count_unique(user)") or 0) for r in rows), reverse=True)
    return users[n - 1] >= floor


def breakdowns_from_rows(
    rows: Iterable[dict[str, Any]], names: Sequence[str] = BREAKDOWN_FIELDS
) -> dict[str, Breakdown]:
    """Sum a grouped Discover page (`name..., count()`) into one breakdown per name."""
    sums: dict[str, dict[str, int]] = {n: defaultdict(int) for n in names}
    for row in rows:
        count = int(row.get("count()") or 0)
        for name in names:
            value = row.get(name)
            sums[name][str(value) if value not in (None, "") else "(none)"] += count
    return {n: _breakdown(n, s) for n, s in sums.items()}


def _breakdown(name: str, sums: dict[str, int]) -> Breakdown:
    values = sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))
    return Breakdown(name, values, sum(sums.values()))


class AnalyticsService:
    """Loads `Analytics` for a scope with as few requests as the data allows, cached with a TTL."""

    def __init__(
        self,
        client: SentryClient,
        org: str,
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.time,
    ):
        self.client = client
        self.org = org
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[Any, ...], Analytics] = {}
        self.has_issue_counts: bool | None = None  # learnt on the first issues-timeseries call

    def cached(self, scope: Scope) -> Analytics | None:
        hit = self._cache.get(scope.key())
        if hit is not None and self.clock() - hit.fetched_at < self.ttl:
            return hit
        return None

    async def load(self, scope: Scope, *, refresh: bool = False) -> Analytics:
        if not refresh:
            hit = self.cached(scope)
            if hit is not None:
                return hit
        now = self.clock()
        window = Window.of(scope.period, now)
        counter = [0]
        volume, counts, issues, current, previous, breakdowns = await asyncio.gather(
            self._volume(scope, window, counter),
            self._issue_counts(scope, window, counter),
            self._issues(scope, counter),
            self._per_issue(scope, window.start, window.end, counter, users=True),
            self._per_issue(scope, window.previous_start, window.start, counter, users=False),
            self._breakdowns(scope, window, counter),
        )
        previous_volume, current_volume = volume
        figures: dict[str, IssueFigure] = {}
        for row in current:
            issue_id = str(row.get("issue.id"))
            figures[issue_id] = IssueFigure(
                issue_id,
                str(row.get("issue") or issue_id),
                events=int(row.get("count()") or 0),
                users=int(row.get("count_unique(user)") or 0),
                issue=issues.get(issue_id),
            )
        for row in previous:
            issue_id = str(row.get("issue.id"))
            figure = figures.get(issue_id)
            if figure is None:
                figure = figures[issue_id] = IssueFigure(
                    issue_id, str(row.get("issue") or issue_id), issue=issues.get(issue_id)
                )
            figure.previous_events = int(row.get("count()") or 0)
        result = Analytics(
            scope=scope,
            window=window,
            volume=current_volume,
            previous_volume=previous_volume,
            new_issues=counts[0] if counts else None,
            resolved_issues=counts[1] if counts else None,
            figures=figures,
            issues=issues,
            breakdowns=breakdowns,
            fetched_at=now,
            requests=counter[0],
        )
        self._cache[scope.key()] = result
        return result

    # -- the requests ------------------------------------------------------------------------

    def _filters(self, scope: Scope) -> dict[str, Any]:
        return {
            "projects": list(scope.projects) or None,
            "environments": list(scope.environments) or None,
        }

    async def _volume(
        self, scope: Scope, window: Window, counter: list[int]
    ) -> tuple[list[int], list[int]]:
        counter[0] += 1
        result = await self.client.events_timeseries(
            self.org,
            dataset="errors",
            interval=window.interval,
            start=iso(window.previous_start),
            end=iso(window.end),
            stats_period=None,
            **self._filters(scope),
        )
        return split_halves(series_values(result, "count()"), window.buckets)

    async def _issue_counts(
        self, scope: Scope, window: Window, counter: list[int]
    ) -> tuple[list[int], list[int]] | None:
        """New and resolved issues per bucket (Sentry's private `issues-timeseries`)."""
        if self.has_issue_counts is False:
            return None
        counter[0] += 1
        try:
            result = await issue_counts(
                self.client,
                self.org,
                start=window.start,
                end=window.end - 1,  # Sentry's range is inclusive of `end`
                interval=window.interval,
                **self._filters(scope),
            )
        except NotFound:
            self.has_issue_counts = False
            return None
        self.has_issue_counts = True
        new = [int(v) for v in series_values(result, "count(new_issues)")][: window.buckets]
        resolved = [int(v) for v in series_values(result, "count(resolved_issues)")]
        return new, resolved[: window.buckets]

    async def _issues(self, scope: Scope, counter: list[int]) -> dict[str, Issue]:
        counter[0] += 1
        page = await self.client.list_issues(
            self.org,
            query="",
            stats_period=scope.period,
            group_stats_period=stats_key(scope.period),
            sort="freq",
            limit=PAGE,
            **self._filters(scope),
        )
        return {i.id: i for i in page.items}

    async def _per_issue(
        self, scope: Scope, start: float, end: float, counter: list[int], *, users: bool
    ) -> list[dict[str, Any]]:
        rows, more = await self._issue_rows(scope, start, end, counter, users=users)
        if users and more and not users_complete(rows):
            # an issue beyond this page could still have more users than the 10th here
            extra, _ = await self._issue_rows(
                scope, start, end, counter, users=True, sort="-count_unique(user)", size=TOP_N
            )
            known = {str(r.get("issue.id")) for r in rows}
            rows = rows + [r for r in extra if str(r.get("issue.id")) not in known]
        return rows

    async def _issue_rows(
        self,
        scope: Scope,
        start: float,
        end: float,
        counter: list[int],
        *,
        users: bool,
        sort: str = "-count()",
        size: int | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        fields = ["issue.id", "issue", "count()"] + (["count_unique(user)"] if users else [])
        counter[0] += 1
        result, page = await self.client.discover_query(
            self.org,
            fields,
            dataset="errors",
            sort=sort,
            start=iso(start),
            end=iso(end),
            stats_period=None,
            per_page=size or PAGE,
            **self._filters(scope),
        )
        return result.data, page.has_next

    async def _breakdowns(
        self, scope: Scope, window: Window, counter: list[int]
    ) -> dict[str, Breakdown]:
        counter[0] += 1
        result, page = await self.client.discover_query(
            self.org,
            [*BREAKDOWN_FIELDS, "count()"],
            dataset="errors",
            sort="-count()",
            start=iso(window.start),
            end=iso(window.end),
            stats_period=None,
            per_page=PAGE,
            **self._filters(scope),
        )
        if not page.has_next:
            return breakdowns_from_rows(result.data)
        # too many combinations for one page: one grouped request per dimension
        singles = await asyncio.gather(
            *(self.tag_breakdown(scope, name, counter=counter) for name in BREAKDOWN_FIELDS)
        )
        return {b.name: b for b in singles}

    async def tag_breakdown(
        self, scope: Scope, key: str, *, counter: list[int] | None = None
    ) -> Breakdown:
        """Top values of one field or tag in the current period (one request)."""
        window = Window.of(scope.period, self.clock())
        name = key if key in BREAKDOWN_FIELDS else f"tags[{key}]"
        if counter is not None:
            counter[0] += 1
        result, _page = await self.client.discover_query(
            self.org,
            [name, "count()"],
            dataset="errors",
            sort="-count()",
            start=iso(window.start),
            end=iso(window.end),
            stats_period=None,
            per_page=PAGE,
            **self._filters(scope),
        )
        sums: dict[str, int] = defaultdict(int)
        for row in result.data:
            value = row.get(name)
            sums[str(value) if value not in (None, "") else "(none)"] += int(
                row.get("count()") or 0
            )
        return _breakdown(key, sums)


async def issue_counts(
    client: SentryClient,
    org: str,
    *,
    start: float,
    end: float,
    interval: int,
    projects: Sequence[str] | None = None,
    environments: Sequence[str] | None = None,
) -> TimeSeriesResult:
    """`GET /organizations/{org}/issues-timeseries/` (new and resolved issues per bucket).

    Sentry serves it for its dashboards but not in the public schema, so `SentryClient` (whose
    public methods the contract test checks against the schema) has no method for it; this goes
    through the client's generic `request` (auth, retries, rate limits, typed errors all apply).
    """
    params: list[tuple[str, str]] = [
        ("yAxis", "count(new_issues)"),
        ("yAxis", "count(resolved_issues)"),
        ("category", "issue"),
        ("interval", str(interval)),
        ("start", iso(start)),
        ("end", iso(end)),
    ]
    params += [("project", p) for p in projects or ()]
    params += [("environment", e) for e in environments or ()]
    response = await client.request(
        "GET", f"/api/0/organizations/{org}/issues-timeseries/", org=org, params=params
    )
    return TimeSeriesResult.model_validate(response.json())
