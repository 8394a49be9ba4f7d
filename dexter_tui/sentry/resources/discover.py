"""Discover queries and charts: `events/`, `events-stats/`, `events-timeseries/`, project stats.

The analytics, releases and Discover views aggregate on the server through these instead of
paging through events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dexter_tui.sentry.decoding import json_body, parse
from dexter_tui.sentry.errors import BadResponse
from dexter_tui.sentry.models import DiscoverResult, EventsStats, TimeSeriesResult
from dexter_tui.sentry.pagination import Page
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, pairs, q


class DiscoverApi(Transport):
    """Tabular queries and time series."""

    async def discover_query(
        self,
        org: str,
        fields: Sequence[str],
        *,
        dataset: str = "errors",
        query: str | None = None,
        sort: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "14d",
        start: str | None = None,
        end: str | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
    ) -> tuple[DiscoverResult, Page[dict[str, Any]]]:
        """`GET /organizations/{org}/events/`: (result with `meta`, page of rows with cursors)."""
        if not 1 <= len(fields) <= 20:
            raise ValueError("Discover needs 1..20 fields")
        params = pairs(
            field=list(fields),
            dataset=dataset,
            query=query,
            sort=sort,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period if not (start or end) else None,
            start=start,
            end=end,
            per_page=per_page,
            cursor=cursor,
        )
        response = await self.request(
            "GET", f"{API}/organizations/{q(org)}/events/", org=org, params=params
        )
        result = parse(response, DiscoverResult)
        return result, Page.from_headers(result.data, response.headers)

    async def events_stats(
        self,
        org: str,
        *,
        y_axis: str = "count()",
        interval: str | None = "1h",
        query: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "24h",
        dataset: str | None = None,
    ) -> EventsStats:
        """Legacy `events-stats` (not in the schema; still routed, useful on self-hosted)."""
        params = pairs(
            yAxis=y_axis,
            interval=interval,
            query=query,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period,
            dataset=dataset,
        )
        return await self._get(
            f"{API}/organizations/{q(org)}/events-stats/", EventsStats, org=org, params=params
        )

    async def events_timeseries(
        self,
        org: str,
        *,
        dataset: str = "errors",
        y_axis: str | Sequence[str] = "count()",
        interval: int | None = None,
        query: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "24h",
        start: str | None = None,
        end: str | None = None,
        group_by: Iterable[str] | None = None,
        top_events: int | None = None,
        sort: str | None = None,
    ) -> TimeSeriesResult:
        params = pairs(
            dataset=dataset,
            yAxis=[y_axis] if isinstance(y_axis, str) else list(y_axis),
            interval=interval,
            query=query,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period if not (start or end) else None,
            start=start,
            end=end,
            groupBy=list(group_by or []),
            topEvents=top_events,
            sort=sort,
        )
        return await self._get(
            f"{API}/organizations/{q(org)}/events-timeseries/",
            TimeSeriesResult,
            org=org,
            params=params,
        )

    async def project_stats(
        self,
        org: str,
        project: str,
        *,
        stat: str = "received",
        since: float | None = None,
        until: float | None = None,
        resolution: str | None = "1h",
    ) -> list[tuple[float, float]]:
        """`GET /projects/{org}/{project}/stats/`: `[(epoch_s, count), ...]` of accepted events."""
        params = pairs(
            stat=stat,
            since=int(since) if since is not None else None,
            until=int(until) if until is not None else None,
            resolution=resolution,
        )
        response = await self.request(
            "GET", f"{API}/projects/{q(org)}/{q(project)}/stats/", org=org, params=params
        )
        data = json_body(response)
        if not isinstance(data, list):
            raise BadResponse(
                "expected a list of [timestamp, count] pairs",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        points: list[tuple[float, float]] = []
        for row in data:
            if not (isinstance(row, list) and len(row) == 2):
                raise BadResponse(
                    "expected [timestamp, count] pairs",
                    method="GET",
                    path=response.request.url.path,
                    status=response.status_code,
                )
            points.append((float(row[0]), float(row[1])))
        return points
