"""Discover-style event queries and charts: `/organizations/{org}/events/`, `events-stats`,
`events-timeseries` and `/projects/{org}/{project}/stats/`.

A useful subset of Sentry's Discover over the demo's `events` table (errors and default events;
transactions only if ingest stored them):

* fields: built-in keys (`id`, `title`, `message`, `timestamp`, `level`, `release`, `environment`,
  `project`, `project.id`, `issue`, `issue.id`, `culprit`, `user`, `user.email`, ...), tags
  (`tags[key]`, `tag[key, string]`, or a bare unknown name, which Sentry also reads as a tag) and
  the functions `count()`, `count_unique(<field>)`, `last_seen()`, `first_seen()`, `min(<field>)`,
  `max(<field>)`, `epm()`, `eps()`. Selecting a function groups by the other fields.
* `query`: Sentry's search syntax (`key:value`, `!key:value`, `key:[a,b]`, `*` wildcards,
  `has:key`, `timestamp:>2024-01-01` / `timestamp:-24h`, free text on the message).
* anything the demo cannot answer exactly answers 400 `{"detail": "Invalid query. ..."}`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.errors import ApiError
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.pagination import link_header, page_params
from dexter_tui.demo.search import (
    Filter,
    SearchError,
    like_pattern,
    match_values,
    parse,
    parse_datetime,
    parse_stats_period,
)

if TYPE_CHECKING:
    import sqlite3

    from starlette.requests import Request

    from dexter_tui.demo.store import Store

ORG_READ = ("org:read", "org:write", "org:admin")
PROJECT_READ = ("project:read", "project:write", "project:admin")
MAX_FIELDS = 20
DEFAULT_PERIOD = "14d"
DATASETS = {
    None: "1",
    "discover": "1",
    "errors": "e.type != 'transaction'",
    "transactions": "e.type = 'transaction'",
}


def _json(path: str) -> str:
    return f"json_extract(e.data, '{path}')"


_USER = {
    "user.id": _json("$.user.id"),
    "user.email": _json("$.user.email"),
    "user.username": _json("$.user.username"),
    "user.ip": _json("$.user.ip_address"),
}
#: Built-in keys: name -> (SQL expression over events e / projects p / groups g, type).
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("e.event_id", "string"),
    "event.type": ("e.type", "string"),
    "title": ("e.title", "string"),
    "message": ("e.message", "string"),
    "culprit": ("e.culprit", "string"),
    "location": ("e.location", "string"),
    "timestamp": ("e.timestamp", "date"),
    "level": ("e.level", "string"),
    "release": ("e.release", "string"),
    "environment": ("e.environment", "string"),
    "platform": (_json("$.platform"), "string"),
    "transaction": (_json("$.transaction"), "string"),
    "project": ("p.slug", "string"),
    "project.name": ("p.slug", "string"),
    "project.id": ("e.project_id", "integer"),
    "issue": ("g.short_id", "string"),
    "issue.id": ("e.group_id", "integer"),
    "user": ("e.user_key", "string"),
    **{k: (v, "string") for k, v in _USER.items()},
    "user.display": (
        "COALESCE({}, {}, {}, {})".format(
            _USER["user.email"], _USER["user.username"], _USER["user.id"], _USER["user.ip"]
        ),
        "string",
    ),
    "error.type": (_json("$.exception.values[#-1].type"), "string"),
    "error.value": (_json("$.exception.values[#-1].value"), "string"),
    "sdk.name": (_json("$.sdk.name"), "string"),
    "sdk.version": (_json("$.sdk.version"), "string"),
}
RATE_UNITS = {"epm()": "1/minute", "eps()": "1/second"}
ALIASES = {"user.ip_address": "user.ip", "issue.short_id": "issue", "type": "event.type"}
_TAG = re.compile(r"^tags?\[\s*([^\],\s]+)\s*(?:,\s*(string|number|boolean)\s*)?\]$")
_FUNCTION = re.compile(r"^([a-z_]+)\((.*)\)$")
_PLAIN = re.compile(r"^[A-Za-z_][\w.\-:]*$")
_AGGREGATE_CONDITION = re.compile(r"(^|\s)!?[a-z_]+\([^)]*\):")


def invalid(reason: str) -> ApiError:
    return ApiError(400, f"Invalid query. {reason}")


@dataclass
class Expr:
    """A SQL expression, its parameters and Discover's type name for it."""

    sql: str
    params: list[Any] = field(default_factory=list)
    type: str = "string"
    aggregate: bool = False


def column(name: str) -> Expr:
    """A non-aggregate field: built-in key or tag."""
    name = ALIASES.get(name, name)
    if name in COLUMNS:
        sql, kind = COLUMNS[name]
        return Expr(sql, [], kind)
    m = _TAG.match(name)
    key = m.group(1) if m else name if _PLAIN.match(name) else None
    if key is None:
        raise invalid(f"{name!r} is not a valid field.")
    return Expr(
        "(SELECT t.value FROM event_tags t WHERE t.event_row = e.id AND t.key = ? LIMIT 1)",
        [key],
        "string",
    )


def field_expr(name: str, period: float) -> Expr:
    """A selected field or function."""
    m = _FUNCTION.match(name.strip())
    if not m:
        return column(name.strip())
    fn, arg = m.group(1), m.group(2).strip()
    if fn == "count":
        if arg and arg not in ("id",):
            raise invalid(f"count() takes no argument here, got {arg!r}.")
        return Expr("COUNT(*)", [], "integer", True)
    if fn == "count_unique":
        if not arg:
            raise invalid("count_unique() needs a field.")
        inner = column(arg)
        return Expr(f"COUNT(DISTINCT {inner.sql})", inner.params, "integer", True)
    if fn in ("last_seen", "first_seen"):
        if arg:
            raise invalid(f"{fn}() takes no argument.")
        agg = "MAX" if fn == "last_seen" else "MIN"
        return Expr(f"{agg}(e.timestamp)", [], "date", True)
    if fn in ("min", "max"):
        inner = column(arg)
        return Expr(f"{fn.upper()}({inner.sql})", inner.params, inner.type, True)
    if fn in ("epm", "eps"):
        if arg:
            raise invalid(f"{fn}() takes no argument.")
        per = 60.0 if fn == "epm" else 1.0
        return Expr(f"(COUNT(*) * {per} / {max(period, 1.0)})", [], "rate", True)
    raise invalid(f"{fn}() is not a function the demo server supports.")


def render(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "date":
        return datetime.fromtimestamp(float(value), UTC).isoformat(timespec="seconds")
    if kind == "integer":
        return int(value)
    if kind == "rate":
        return float(value)
    return value if isinstance(value, str) else str(value)


# -- request scope: time window, projects, environments, query ----------------------------------


@dataclass
class Scope:
    """The rows a Discover request covers, as a WHERE clause over `events e`."""

    start: float
    end: float
    where: list[str]
    params: list[Any]

    @property
    def sql(self) -> str:
        return " AND ".join(self.where)


def time_window(request: Request, now: float, default: str = DEFAULT_PERIOD) -> tuple[float, float]:
    q = request.query_params
    try:
        if q.get("statsPeriod"):
            return now - parse_stats_period(q["statsPeriod"]), now
        if q.get("start") or q.get("end"):
            if not (q.get("start") and q.get("end")):
                raise ApiError(400, "start and end are both required")
            start, end = parse_datetime(q["start"]), parse_datetime(q["end"])
            if start >= end:
                raise ApiError(400, "start must be before end")
            return start, end
        return now - parse_stats_period(default), now
    except SearchError as exc:
        raise ApiError(400, str(exc)) from None


def project_ids(store: Store, request: Request, org: sqlite3.Row) -> list[int]:
    """`project` params (ids or slugs; none or -1 = all) as ids; 403 for one outside the org."""
    values = [v for v in request.query_params.getlist("project") if v]
    rows = store.query("SELECT id, slug FROM projects WHERE org_id = ?", (org["id"],))
    if not values or "-1" in values:
        return [r["id"] for r in rows]
    by_key = {str(r["id"]): r["id"] for r in rows} | {r["slug"]: r["id"] for r in rows}
    out = []
    for v in values:
        if v not in by_key:
            raise ApiError(403, "You do not have permission to perform this action.")
        out.append(by_key[v])
    return out


def _tag_key(expr: Expr) -> str | None:
    """The tag key when `expr` reads a tag (its only parameter), else None."""
    return str(expr.params[0]) if expr.params else None


def _filter_sql(flt: Filter, now: float) -> tuple[str, list[Any]]:
    """One search term as SQL over `events e`; tag terms test the event's `event_tags`."""
    key = ALIASES.get(flt.key, flt.key)
    if key == "timestamp":
        return _time_filter(flt, now)
    if key == "has":
        expr = column(flt.value)
        tag = _tag_key(expr)
        if tag is not None:
            sql, params = _TAG_EXISTS.format(""), [tag]
        else:
            sql, params = f"({expr.sql} IS NOT NULL AND {expr.sql} != '')", []
        return (f"NOT {sql}" if flt.negated else sql), params
    expr = column(key)
    tag = _tag_key(expr)
    if flt.op != "=":
        if expr.type != "integer":
            raise invalid(f"{flt.key} does not support {flt.op} comparisons.")
        try:
            number = float(flt.value)
        except ValueError:
            raise invalid(f"{flt.value!r} is not a number for {flt.key}.") from None
        sql, params = f"COALESCE({expr.sql} {flt.op} ?, 0)", [number]
    elif flt.values == ("",):  # key:"" = the field is missing
        if tag is not None:
            sql, params = f"NOT {_TAG_EXISTS.format('')}", [tag]
        else:
            sql, params = f"({expr.sql} IS NULL OR {expr.sql} = '')", []
    elif tag is not None:
        inner, m_params = match_values("t.value", list(flt.values))
        sql, params = _TAG_EXISTS.format(f" AND {inner}"), [tag, *m_params]
    elif key == "issue":
        inner, params = match_values(f"UPPER({expr.sql})", [v.upper() for v in flt.values])
        sql = f"COALESCE({inner}, 0)"
    elif key == "message":  # Sentry matches the message as a substring
        parts = [f"{expr.sql} LIKE ? ESCAPE '\\'" for _ in flt.values]
        sql = f"COALESCE(({' OR '.join(parts)}), 0)"
        params = [like_pattern(v, contains=True) for v in flt.values]
    else:
        inner, params = match_values(expr.sql, list(flt.values))
        sql = f"COALESCE({inner}, 0)"
    return (f"NOT {sql}" if flt.negated else sql), params


_TAG_EXISTS = "EXISTS (SELECT 1 FROM event_tags t WHERE t.event_row = e.id AND t.key = ?{})"


def _time_filter(flt: Filter, now: float) -> tuple[str, list[Any]]:
    value = flt.value
    try:
        if value[:1] in "-+" and value[1:2].isdigit():
            moment = now - parse_stats_period(value[1:])
            op = ">=" if value[0] == "-" else "<"
            if flt.op not in ("=",):
                op = flt.op
        else:
            moment = parse_datetime(value)
            op = flt.op if flt.op != "=" else ">="
    except SearchError as exc:
        raise invalid(str(exc)) from None
    sql = f"e.timestamp {op} ?"
    return (f"NOT ({sql})" if flt.negated else sql), [moment]


def build_scope(store: Store, request: Request, org: sqlite3.Row, *, period: str) -> Scope:
    now = store.now()
    start, end = time_window(request, now, period)
    where = ["p.org_id = ?", "e.timestamp >= ?", "e.timestamp < ?"]
    params: list[Any] = [org["id"], start, end]
    ids = project_ids(store, request, org)
    where.append(f"e.project_id IN ({','.join('?' * len(ids)) or 'NULL'})")
    params += ids
    environments = request.query_params.getlist("environment")
    if environments:
        where.append(f"e.environment IN ({','.join('?' * len(environments))})")
        params += environments
    dataset = request.query_params.get("dataset") or None
    if dataset not in DATASETS:
        names = ", ".join(k for k in DATASETS if k)
        raise ApiError(400, f"dataset must be one of: {names}")
    where.append(DATASETS[dataset])
    text = request.query_params.get("query", "")
    if _AGGREGATE_CONDITION.search(text):
        raise invalid("Aggregate conditions are not supported by the demo server.")
    try:
        parsed = parse(text)
    except SearchError as exc:
        raise invalid(str(exc)) from None
    for flt in parsed.filters:
        sql, p = _filter_sql(flt, now)
        where.append(sql)
        params += p
    if parsed.text:
        pattern = like_pattern(parsed.text, contains=True)
        where.append("(e.message LIKE ? ESCAPE '\\' OR e.title LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    return Scope(start, end, where, params)


FROM = (
    "FROM events e JOIN projects p ON p.id = e.project_id LEFT JOIN groups g ON g.id = e.group_id"
)


# -- intervals ----------------------------------------------------------------------------------


def interval_seconds(request: Request, start: float, end: float) -> int:
    """The bucket size: `interval` (`1h`, `5m`, `3600`) or a default that gives <= ~200 buckets."""
    raw = request.query_params.get("interval", "").strip()
    span = max(end - start, 1.0)
    chosen = None
    if raw:
        m = re.match(r"^(\d+)([smhdw]?)$", raw)
        if m and int(m.group(1)) > 0:
            chosen = (
                int(m.group(1))
                * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]
            )
    if chosen is None or chosen > span or span / chosen > 10_000:
        for candidate in (60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800):
            if span / candidate <= 200:
                return candidate
        return 604800
    return chosen


def bucket_starts(start: float, end: float, interval: int) -> list[int]:
    first = int(math.floor(start / interval) * interval)
    return list(range(first, int(end), interval)) or [first]


# -- routes -------------------------------------------------------------------------------------


def org_of(store: Store, request: Request) -> sqlite3.Row:
    caller = authenticate(request, store, *ORG_READ)
    return lookup.org(store, caller, request.path_params["org"])


async def events(request: Request) -> JSONResponse:
    store = store_of(request)
    org = org_of(store, request)
    names = [f for f in request.query_params.getlist("field") if f.strip()]
    if not names:
        raise ApiError(400, "No columns selected")
    if len(names) > MAX_FIELDS:
        raise ApiError(400, f"You can only have up to {MAX_FIELDS} fields at a time.")
    offset, limit = page_params(request)
    scope = build_scope(store, request, org, period=DEFAULT_PERIOD)
    period = scope.end - scope.start
    exprs = [field_expr(n, period) for n in names]
    aggregated = any(x.aggregate for x in exprs)
    if not aggregated:
        for extra in ("id", "project.name"):
            if extra not in names:
                names.append(extra)
                exprs.append(field_expr(extra, period))
    select = ", ".join(f"{x.sql} AS c{i}" for i, x in enumerate(exprs))
    params: list[Any] = [p for x in exprs for p in x.params]
    sql = f"SELECT {select} {FROM} WHERE {scope.sql}"
    params += scope.params
    if aggregated:
        groups = [f"c{i}" for i, x in enumerate(exprs) if not x.aggregate]
        if groups:
            sql += " GROUP BY " + ", ".join(groups)
    order = []
    for raw in request.query_params.getlist("sort"):
        desc = raw.startswith("-")
        name = raw.lstrip("-").strip()
        if not name:
            continue
        if name not in names:
            raise ApiError(400, f"Cannot sort by a field that is not selected: {name!r}.")
        order.append(f"c{names.index(name)} {'DESC' if desc else 'ASC'}")
    if not order:
        if aggregated:
            first = next(i for i, x in enumerate(exprs) if x.aggregate)
            order.append(f"c{first} DESC")
        else:
            order.append("e.timestamp DESC")
    order.append("1" if aggregated else "e.id DESC")
    sql += " ORDER BY " + ", ".join(order) + " LIMIT ? OFFSET ?"
    rows = store.query(sql, (*params, limit + 1, offset))
    pairs = list(zip(names, exprs, strict=True))
    data = [{n: render(r[f"c{i}"], x.type) for i, (n, x) in enumerate(pairs)} for r in rows[:limit]]
    kinds = {n: ("rate" if x.type == "rate" else x.type) for n, x in pairs}
    units = {n: RATE_UNITS.get(n) for n in names}
    body = {
        "data": data,
        "meta": {
            "fields": kinds,
            "units": units,
            "isMetricsData": False,
            "isMetricsExtractedData": False,
            "tips": {},
            "datasetReason": "unchanged",
            "dataset": request.query_params.get("dataset") or "discover",
        },
    }
    headers = {"Link": link_header(request, offset=offset, limit=limit, has_more=len(rows) > limit)}
    return JSONResponse(body, headers=headers)


def series(
    store: Store, request: Request, org: sqlite3.Row, y_axis: str, *, default_period: str
) -> tuple[Scope, int, list[int], list[float]]:
    scope = build_scope(store, request, org, period=default_period)
    expr = field_expr(y_axis, scope.end - scope.start)
    if not expr.aggregate or expr.type == "date":
        raise invalid(f"{y_axis!r} cannot be charted; use count() or count_unique(...).")
    interval = interval_seconds(request, scope.start, scope.end)
    starts = bucket_starts(scope.start, scope.end, interval)
    rows = store.query(
        f"SELECT CAST(e.timestamp / ? AS INTEGER) * ? AS bucket, {expr.sql} AS v {FROM}"
        f" WHERE {scope.sql} GROUP BY bucket",
        (interval, interval, *expr.params, *scope.params),
    )
    found = {int(r["bucket"]): r["v"] for r in rows}
    return scope, interval, starts, [found.get(s, 0) or 0 for s in starts]


def y_axes(request: Request) -> list[str]:
    return [y for y in request.query_params.getlist("yAxis") if y.strip()] or ["count()"]


async def events_stats(request: Request) -> JSONResponse:
    store = store_of(request)
    org = org_of(store, request)
    out: dict[str, Any] = {}
    for y in y_axes(request):
        scope, _interval, starts, values = series(store, request, org, y, default_period="14d")
        out[y] = {
            "data": [[s, [{"count": v}]] for s, v in zip(starts, values, strict=True)],
            "start": int(scope.start),
            "end": int(scope.end),
            "isMetricsData": False,
            "meta": {"fields": {y: "integer"}, "units": {y: None}, "isMetricsData": False},
        }
    axes = y_axes(request)
    return JSONResponse(out[axes[0]] if len(axes) == 1 else out)


async def events_timeseries(request: Request) -> JSONResponse:
    store = store_of(request)
    org = org_of(store, request)
    if request.query_params.get("topEvents") or request.query_params.getlist("groupBy"):
        raise invalid("topEvents and groupBy are not supported by the demo server.")
    time_series = []
    scope = None
    for y in y_axes(request):
        scope, interval, starts, values = series(store, request, org, y, default_period="24h")
        now_bucket = starts[-1] if starts else 0
        time_series.append(
            {
                "yAxis": y,
                "values": [
                    {
                        "timestamp": s * 1000,
                        "value": v,
                        "incomplete": s == now_bucket and s + interval > scope.end,
                    }
                    for s, v in zip(starts, values, strict=True)
                ],
                "groupBy": [],
                "meta": {
                    "valueType": "integer",
                    "valueUnit": None,
                    "interval": interval * 1000,
                },
            }
        )
    assert scope is not None
    return JSONResponse(
        {
            "meta": {
                "dataset": request.query_params.get("dataset") or "errors",
                "start": scope.start * 1000,
                "end": scope.end * 1000,
            },
            "timeSeries": time_series,
        }
    )


async def project_stats(request: Request) -> JSONResponse:
    store = store_of(request)
    caller = authenticate(request, store, *PROJECT_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    project = lookup.project(store, org, request.path_params["project"])
    q = request.query_params
    stat = q.get("stat", "received")
    if stat not in ("received", "rejected", "blacklisted", "generated"):
        raise ApiError(400, "Invalid stat")
    resolution = q.get("resolution") or "1h"
    step = {"10s": 10, "1h": 3600, "1d": 86400}.get(resolution)
    if step is None:
        raise ApiError(400, "Invalid resolution")
    now = store.now()
    try:
        until = float(q["until"]) if q.get("until") else now
        since = float(q["since"]) if q.get("since") else until - 86400
    except ValueError:
        raise ApiError(400, "since and until must be epoch seconds") from None
    if since > until:
        raise ApiError(400, "since must be before until")
    first = int(math.floor(since / step) * step)
    starts = list(range(first, int(until) + 1, step))
    if len(starts) > 10_000:
        raise ApiError(400, "Too many buckets; use a coarser resolution")
    counts: dict[int, int] = {}
    if stat == "received":
        rows = store.query(
            "SELECT CAST(received / ? AS INTEGER) * ? AS bucket, COUNT(*) AS n FROM events"
            " WHERE project_id = ? AND received >= ? AND received < ? GROUP BY bucket",
            (step, step, project["id"], first, until + step),
        )
        counts = {int(r["bucket"]): int(r["n"]) for r in rows}
    return JSONResponse([[s, counts.get(s, 0)] for s in starts])


def routes() -> list[Route]:
    return [
        Route("/api/0/organizations/{org}/events/", events, methods=["GET"]),
        Route("/api/0/organizations/{org}/events-stats/", events_stats, methods=["GET"]),
        Route("/api/0/organizations/{org}/events-timeseries/", events_timeseries, methods=["GET"]),
        Route("/api/0/projects/{org}/{project}/stats/", project_stats, methods=["GET"]),
    ]
