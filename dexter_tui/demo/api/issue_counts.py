"""`GET /organizations/{org}/issues-timeseries/`: new and resolved issues per time bucket.

Sentry serves this (private, not in the public schema) for its "Issue Counts" dashboard widget:
`yAxis` is `count(new_issues)` (issues by `first_seen`) and/or `count(resolved_issues)` (resolved
issues by `resolved_at`); `start`/`end` or `statsPeriod`, `interval` (seconds or `1h`), `project`,
`environment`. Buckets start at `start` (Sentry bins with `date_bin(interval, column, start)`) and
cover `start <= t <= end`. The analytics view reads new-vs-resolved from it in one request.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.discover import ORG_READ, project_ids
from dexter_tui.demo.api.errors import ApiError
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.search import (
    MAX_PERIOD_SECONDS,
    SearchError,
    parse_datetime,
    parse_stats_period,
)

if TYPE_CHECKING:
    from starlette.requests import Request


#: yAxis -> (date column of `groups`, extra condition)
AXES = {
    "count(new_issues)": ("first_seen", "1"),
    "count(resolved_issues)": ("resolved_at", "g.status = 'resolved'"),
}
MAX_BUCKETS = 200
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _window(request: Request, now: float) -> tuple[float, float]:
    q = request.query_params
    try:
        if q.get("statsPeriod"):
            return now - parse_stats_period(q["statsPeriod"]), now
        if q.get("start") and q.get("end"):
            start, end = parse_datetime(q["start"]), parse_datetime(q["end"])
            if start >= end:
                raise ApiError(400, "start must be before end")
            return start, end
        return now - parse_stats_period("14d"), now
    except SearchError as exc:
        raise ApiError(400, str(exc)) from None


def _interval(request: Request, span: float) -> int:
    raw = request.query_params.get("interval", "1h").strip()
    m = re.match(r"^(\d+)([smhdw]?)$", raw)
    if not m or int(m.group(1)) <= 0:
        raise ApiError(400, "Invalid Interval")
    seconds = int(m.group(1)) * _UNIT[m.group(2)]
    if span / seconds > MAX_BUCKETS or seconds > MAX_PERIOD_SECONDS:
        raise ApiError(400, "Invalid Interval")
    return seconds


async def issues_timeseries(request: Request) -> JSONResponse:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    start, end = _window(request, store.now())
    interval = _interval(request, end - start)
    axes = request.query_params.getlist("yAxis") or ["count(new_issues)"]
    for axis in axes:
        if axis not in AXES:
            raise ApiError(400, f"Unknown axis: {axis}")
    ids = project_ids(store, request, org)
    environments = request.query_params.getlist("environment")
    starts = [start + i * interval for i in range(int((end - start) // interval) + 1)]
    series: list[dict[str, Any]] = []
    for axis in axes:
        column, extra = AXES[axis]
        where = [
            f"g.project_id IN ({','.join('?' * len(ids)) or 'NULL'})",
            "g.merged_into IS NULL",
            extra,
            f"g.{column} >= ?",
            f"g.{column} <= ?",
        ]
        params: list[Any] = [*ids, start, end]
        if environments:
            marks = ",".join("?" * len(environments))
            where.append(
                "EXISTS (SELECT 1 FROM events e WHERE e.group_id = g.id"
                f" AND e.environment IN ({marks}))"
            )
            params += environments
        rows = store.query(
            f"SELECT CAST((g.{column} - ?) / ? AS INTEGER) AS b, COUNT(*) AS n"
            f" FROM groups g WHERE {' AND '.join(where)} GROUP BY b",
            (start, interval, *params),
        )
        counts = {int(r["b"]): int(r["n"]) for r in rows}
        series.append(
            {
                "yAxis": axis,
                "groupBy": [],
                "values": [
                    {"timestamp": s * 1000, "value": counts.get(i, 0), "incomplete": False}
                    for i, s in enumerate(starts)
                ],
                "meta": {
                    "interval": interval * 1000,
                    "valueType": "integer",
                    "valueUnit": None,
                },
            }
        )
    return JSONResponse(
        {
            "timeSeries": series,
            "meta": {"dataset": "issue", "start": start * 1000, "end": end * 1000},
        }
    )


def routes() -> list[Route]:
    return [
        Route("/api/0/organizations/{org}/issues-timeseries/", issues_timeseries, methods=["GET"])
    ]
