"""The releases view's data: the release list with event counts, and one release's detail.

Why here: the list joins two sources (the releases endpoint has new-issue counts and deploys but
no event counts; one grouped Discover query has the events of every release), and the detail
needs three queries Sentry's UI also makes — issues first seen in the release
(`firstRelease:`), issues that regressed in it, and its events over time. Screens only render.

Costs: the list is 2 requests; a release's detail is 3.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Issue, Release
from dexter_tui.services.analytics import iso, series_values

EVENTS_PERIOD = "30d"
#: chart buckets after a release: about this many, on a round interval
DETAIL_BUCKETS = 48
ROUND_INTERVALS = (300, 900, 1800, 3600, 10800, 21600, 43200, 86400)


def search_value(value: str) -> str:
    """A search value, quoted when it holds characters the search syntax treats specially."""
    if value and all(c.isalnum() or c in "-_.@+/" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class ReleaseRow:
    """One line of the release list."""

    release: Release
    events: int | None = None  # events in EVENTS_PERIOD; None if unknown

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def date(self) -> float | None:
        when = self.release.date_released or self.release.date_created
        return when.timestamp() if when else None

    @property
    def new_issues(self) -> int:
        return int(self.release.new_groups or 0)

    @property
    def last_deploy(self) -> tuple[str, float | None] | None:
        """(environment, finished at) of the latest deploy, if any."""
        deploy = self.release.last_deploy
        if not deploy:
            return None
        finished = deploy.get("dateFinished") or deploy.get("dateStarted")
        when = None
        if isinstance(finished, str):
            from datetime import datetime

            try:
                when = datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp()
            except ValueError:
                when = None
        return str(deploy.get("environment") or "?"), when

    @property
    def adoption(self) -> float | None:
        """Adoption % when Sentry gives release health data for a project, else None."""
        values: list[float] = []
        for project in self.release.projects:
            health = project.get("healthData") if isinstance(project, dict) else None
            if isinstance(health, dict) and isinstance(health.get("adoption"), int | float):
                values.append(float(health["adoption"]))
        return max(values) if values else None


@dataclass
class ReleaseDetail:
    """A release's new issues, its regressions, and events over time since it was released."""

    release: Release
    new_issues: list[Issue] = field(default_factory=list)
    regressions: list[Issue] = field(default_factory=list)
    volume: list[int] = field(default_factory=list)
    start: float = 0.0
    interval: int = 3600
    requests: int = 0

    @property
    def issues(self) -> list[Issue]:
        """New issues first, then regressions not already listed."""
        seen = {i.id for i in self.new_issues}
        return self.new_issues + [i for i in self.regressions if i.id not in seen]


def detail_interval(span: float) -> int:
    for candidate in ROUND_INTERVALS:
        if span / candidate <= DETAIL_BUCKETS:
            return candidate
    return ROUND_INTERVALS[-1] * math.ceil(span / (ROUND_INTERVALS[-1] * DETAIL_BUCKETS))


class ReleaseService:
    def __init__(self, client: SentryClient, org: str, *, clock: Callable[[], float] = time.time):
        self.client = client
        self.org = org
        self.clock = clock

    async def list(
        self, *, projects: tuple[str, ...] = (), environments: tuple[str, ...] = ()
    ) -> list[ReleaseRow]:
        """Releases (newest first, as Sentry sends them) with their events in the last 30 days."""
        filters: dict[str, Any] = {
            "projects": list(projects) or None,
            "environments": list(environments) or None,
        }
        page, (counts, _) = await asyncio.gather(
            self.client.list_releases(self.org, per_page=100, **filters),
            self.client.discover_query(
                self.org,
                ["release", "count()"],
                dataset="errors",
                sort="-count()",
                stats_period=EVENTS_PERIOD,
                per_page=100,
                **filters,
            ),
        )
        events = {str(r.get("release")): int(r.get("count()") or 0) for r in counts.data}
        return [ReleaseRow(r, events.get(r.version, 0)) for r in page.items]

    async def detail(
        self, release: Release, *, environments: tuple[str, ...] = ()
    ) -> ReleaseDetail:
        """Three requests: new issues, regressions, events since the release."""
        version = search_value(release.version)
        now = self.clock()
        began = release.date_released or release.date_created or release.first_event
        start = began.timestamp() if began else now - 86400
        interval = detail_interval(max(now - start, 3600))
        start = math.floor(start / interval) * interval
        end = math.ceil(now / interval) * interval
        envs = list(environments) or None
        new, regressed, series = await asyncio.gather(
            self.client.list_issues(
                self.org,
                query=f"firstRelease:{version}",
                environments=envs,
                sort="freq",
                group_stats_period="14d",
                limit=100,
            ),
            self.client.list_issues(
                self.org,
                query=f"is:regressed release:{version}",
                environments=envs,
                sort="freq",
                group_stats_period="14d",
                limit=100,
            ),
            self.client.events_timeseries(
                self.org,
                dataset="errors",
                query=f"release:{version}",
                interval=interval,
                start=iso(start),
                end=iso(end),
                stats_period=None,
                environments=envs,
            ),
        )
        return ReleaseDetail(
            release=release,
            new_issues=list(new.items),
            regressions=list(regressed.items),
            volume=[int(v) for v in series_values(series, "count()")],
            start=start,
            interval=interval,
            requests=3,
        )
