"""Issue routes: list/search, bulk update and delete, one issue, short-id lookup.

Both spellings Sentry serves: org-scoped (`/organizations/{org}/issues/...`, preferred) and the
legacy ones sentry-cli and old self-hosted clients use (`/projects/{org}/{project}/issues/`,
`/issues/{id}/`). Bulk mutations are all-or-nothing per request (one transaction); every change
writes the activity Sentry would (`set_resolved`, `set_ignored`, `assigned`, `merge`, ...).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.body import decode_json
from dexter_tui.demo.api.errors import ApiError, forbidden, not_found
from dexter_tui.demo.api.ownership import issue_owners
from dexter_tui.demo.auth import Caller, authenticate
from dexter_tui.demo.faults import check_bulk
from dexter_tui.demo.ingest import ignore_bookkeeping
from dexter_tui.demo.pagination import keyset_cache, page_params, paginated
from dexter_tui.demo.search import (
    ERROR_PREFIX,
    FOR_REVIEW_SQL,
    NEW_ISSUE_SECONDS,
    SearchContext,
    SearchError,
    compile_query,
    iso,
    looks_like_event_id,
    looks_like_short_id,
    parse_datetime,
    parse_stats_period,
)
from dexter_tui.demo.serialize_issue import IssueSerializer, user_json
from dexter_tui.demo.store import Store, dumps, loads

if TYPE_CHECKING:
    from starlette.requests import Request


READ = ("event:read", "event:write", "event:admin")
WRITE = ("event:write", "event:admin")
ADMIN = ("event:admin",)
#: Sentry's BULK_MUTATION_LIMIT: a status change without ids touches at most this many issues.
BULK_MUTATION_LIMIT = 1000
HIDDEN = "('pending_deletion', 'deletion_in_progress', 'pending_merge')"
MAX_WINDOW_MINUTES = 10080
NEEDS_IDS = "You must specify a list of IDs for this operation"

SORTS = {
    "date": "g.last_seen DESC, g.id DESC",
    "new": "g.first_seen DESC, g.id DESC",
    "freq": "g.times_seen DESC, g.last_seen DESC, g.id DESC",
    "user": "(SELECT COUNT(DISTINCT e.user_key) FROM events e WHERE e.group_id = g.id) DESC,"
    " g.last_seen DESC, g.id DESC",
    "trends": "(SELECT COUNT(*) FROM events e WHERE e.group_id = g.id AND e.timestamp >= :day)"
    " DESC, g.last_seen DESC, g.id DESC",
    "recommended": "CASE g.priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1"
    " ELSE 0 END DESC, g.last_seen DESC, g.id DESC",
    "inbox": f"{FOR_REVIEW_SQL.replace('?', ':week')} DESC, g.last_seen DESC, g.id DESC",
}
SORTS["priority"] = SORTS["recommended"]
#: Sorts made of plain columns, all descending: their pages can seek by key (`KeysetCache`).
KEYSET_COLUMNS = {
    "date": ("last_seen", "id"),
    "new": ("first_seen", "id"),
    "freq": ("times_seen", "last_seen", "id"),
}
#: search parameters that move with the clock (a page request differs from the last one by them);
#: the window they come from is part of the cache key as the request gave it
CLOCK_PARAMS = frozenset({"now", "day", "week", "w_start", "w_end"})
#: Sorts the deprecated project route accepts.
PROJECT_SORTS = ("date", "new", "trends", "freq", "user", "inbox")


# -- request helpers (shared with events.py and comments.py) ------------------------------------


def org_of(request: Request, store: Store, *scopes: str) -> tuple[Caller, sqlite3.Row]:
    caller = authenticate(request, store, *scopes)
    return caller, lookup.org(store, caller, request.path_params["org"])


def issue_of(
    request: Request, store: Store, *scopes: str
) -> tuple[Caller, sqlite3.Row, sqlite3.Row]:
    """(caller, org, group) of an `/organizations/{org}/issues/{id}/` or `/issues/{id}/` URL."""
    caller = authenticate(request, store, *scopes)
    issue_id = request.path_params["issue_id"]
    if "org" in request.path_params:
        org = lookup.org(store, caller, request.path_params["org"])
    else:
        number = lookup.db_int(issue_id)
        if number is None:
            raise not_found()
        row = store.query_one(
            "SELECT o.slug FROM groups g JOIN projects p ON p.id = g.project_id"
            " JOIN organizations o ON o.id = p.org_id WHERE g.id = ?",
            (number,),
        )
        if row is None:
            raise not_found()
        org = lookup.org(store, caller, row["slug"])
    return caller, org, lookup.group(store, org, issue_id)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = decode_json(raw)
    except ValueError as exc:
        raise ApiError(400, f"JSON parse error - {exc}") from None
    if not isinstance(body, dict):
        kind = type(body).__name__
        raise ApiError(
            400, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
        )
    return body


def environments_of(request: Request) -> list[str]:
    return [e for e in request.query_params.getlist("environment") if e != ""]


def project_ids_of(request: Request, store: Store, org: sqlite3.Row) -> list[int]:
    """The `project` params (ids or slugs; none or -1 = all the org's projects); 403 if unknown."""
    all_projects = {
        r["id"]: r["slug"]
        for r in store.query("SELECT id, slug FROM projects WHERE org_id = ?", (org["id"],))
    }
    wanted = request.query_params.getlist("project")
    if not wanted or "-1" in wanted:
        return sorted(all_projects)
    by_slug = {slug: pid for pid, slug in all_projects.items()}
    ids = []
    for value in wanted:
        if (number := lookup.db_int(value)) is not None and number in all_projects:
            ids.append(number)
        elif value in by_slug:
            ids.append(by_slug[value])
        else:
            raise forbidden()
    return sorted(set(ids))


def search_error(exc: SearchError) -> ApiError:
    return ApiError(400, ERROR_PREFIX + str(exc))


def serializer(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    *,
    environments: Sequence[str] = (),
    stats_periods: Sequence[str] = ("24h",),
    auto_spec: tuple[int, int] = (86400, 14),
) -> IssueSerializer:
    return IssueSerializer(
        store=store,
        org_id=org["id"],
        org_slug=org["slug"],
        base_url=str(request.base_url),
        user_id=caller.user_id,
        now=store.now(),
        environments=environments,
        stats_periods=stats_periods,
        auto_spec=auto_spec,
        collapse=frozenset(request.query_params.getlist("collapse")),
        expand=frozenset(request.query_params.getlist("expand")),
    )


# -- searching ----------------------------------------------------------------------------------


@dataclass
class Search:
    """A compiled issue search: WHERE clause over `groups g` plus named parameters."""

    where: str
    params: dict[str, Any]


def build_search(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    *,
    project_ids: Sequence[int],
    environments: Sequence[str],
    window: bool = True,
    status_param: str | None = None,
) -> Search:
    """The issue search a list/bulk request describes (query, projects, environments, window)."""
    now = store.now()
    query = request.query_params.get("query")
    if query is None:
        # Sentry's docs: `status=` on a bulk update "limits the query to issues of the specified
        # status", so it replaces the default `is:unresolved` (sentry-cli's `issues resolve -s`).
        query = "" if status_param else "is:unresolved"
    ctx = SearchContext(org["id"], caller.user_id, now, project_ids, environments)
    try:
        compiled = compile_query(query.strip(), ctx)
    except SearchError as exc:
        raise search_error(exc) from None
    params: dict[str, Any] = {"now": now, "day": now - 86400, "week": now - NEW_ISSUE_SECONDS}
    # positional parameters of the compiled query become :q0, :q1, ...
    where_q = compiled.where
    parts = where_q.split("?")
    where_q = parts[0]
    for i, part in enumerate(parts[1:]):
        where_q += f":q{i}" + part
        params[f"q{i}"] = compiled.params[i]
    projects = ",".join(str(int(p)) for p in project_ids) or "NULL"
    clauses = [
        f"+g.project_id IN ({projects})",  # unary +: let status/last_seen indexes drive
        "g.merged_into IS NULL",
        f"g.status NOT IN {HIDDEN}",
        f"({where_q})",
    ]
    if status_param:
        status = {"muted": "ignored"}.get(status_param, status_param)
        if status not in ("resolved", "unresolved", "ignored"):
            raise ApiError(400, {"status": [f'"{status_param}" is not a valid choice.']})
        clauses.append("g.status = :status_param")
        params["status_param"] = status
    if window:
        start, end = time_window(request, now)
        if start is not None:
            clauses.append("g.last_seen >= :w_start")
            params["w_start"] = start
        if end is not None:
            clauses.append("g.first_seen <= :w_end")
            params["w_end"] = end
        if start is not None and end is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM events e WHERE e.group_id = g.id"
                " AND e.timestamp >= :w_start AND e.timestamp <= :w_end)"
            )
    if environments:
        marks = []
        for i, env in enumerate(environments):
            params[f"env{i}"] = env
            marks.append(f":env{i}")
        clauses.append(
            f"EXISTS (SELECT 1 FROM events e WHERE e.group_id = g.id"
            f" AND e.environment IN ({','.join(marks)}))"
        )
    return Search(" AND ".join(clauses), params)


def time_window(request: Request, now: float) -> tuple[float | None, float | None]:
    """`statsPeriod` (wins) or `start`/`end`; (None, None) when the request sets no window."""
    q = request.query_params
    period = q.get("statsPeriod") or q.get("period")
    if period:
        try:
            return now - parse_stats_period(period), None
        except SearchError as exc:
            raise ApiError(400, str(exc)) from None
    start = end = None
    try:
        if q.get("start"):
            start = parse_datetime(q["start"])
        if q.get("end"):
            end = parse_datetime(q["end"])
    except SearchError as exc:
        raise ApiError(400, f"Invalid date range: {exc}") from None
    if (start is None) != (end is None):
        raise ApiError(400, "start and end are both required")
    if start is not None and end is not None and start > end:
        raise ApiError(400, "start must be before end")
    return start, end


def direct_hit(
    store: Store, org: sqlite3.Row, request: Request, *, short_id_lookup: bool
) -> sqlite3.Row | None:
    """An issue the query names directly: an event id always, a short id with shortIdLookup."""
    query = (request.query_params.get("query") or "").strip()
    if not query:
        return None
    event_id = looks_like_event_id(query)
    if event_id:
        row = store.query_one(
            "SELECT g.* FROM events e JOIN groups g ON g.id = e.group_id"
            " JOIN projects p ON p.id = e.project_id WHERE p.org_id = ? AND e.event_id = ?",
            (org["id"], event_id),
        )
        if row is not None:
            return row
    if short_id_lookup and looks_like_short_id(query):
        try:
            return lookup.group(store, org, query)
        except ApiError:
            return None
    return None


def list_issues(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    *,
    project_ids: Sequence[int],
    stats_periods: Sequence[str],
    sorts: Sequence[str],
    window: bool,
    short_id_lookup: bool,
) -> Response:
    environments = environments_of(request)
    sort = request.query_params.get("sort") or "date"
    if sort not in sorts:
        raise ApiError(400, {"sort": [f'"{sort}" is not a valid choice.']})
    offset, limit = page_params(request, param="limit", default=100, maximum=100)
    ser = serializer(
        request,
        store,
        caller,
        org,
        environments=environments,
        stats_periods=stats_periods,
        auto_spec=auto_stats_spec(request) if "auto" in stats_periods else (86400, 14),
    )
    hit = direct_hit(store, org, request, short_id_lookup=short_id_lookup)
    if hit is not None:
        items = ser.serialize_many([hit])
        response = paginated(request, items, offset=0, limit=limit, has_more=False, hits=1)
        response.headers["X-Sentry-Direct-Hit"] = "1"
        return response
    search = build_search(
        request,
        store,
        caller,
        org,
        project_ids=project_ids,
        environments=environments,
        window=window,
    )
    cache = keyset_cache(store)
    version = store.conn.total_changes
    window = tuple(request.query_params.get(k) for k in ("statsPeriod", "period", "start", "end"))
    signature = (  # one walk through the pages of one search (the window as asked, not as dated)
        search.where,
        tuple(sorted((k, v) for k, v in search.params.items() if k not in CLOCK_PARAMS)),
        window,
        sort,
        limit,
    )
    hits = cache.hits(signature, version)
    if hits is None:
        count_sql = f"SELECT COUNT(*) FROM groups g WHERE {search.where}"
        hits = store.query_one(count_sql, search.params)[0]
        cache.remember_hits(signature, version, hits)
    columns = KEYSET_COLUMNS.get(sort)
    after = cache.boundary(signature, offset, version) if columns and offset else None
    if columns and after is not None:
        rows = fetch_sorted(
            store, search, SORTS[sort], limit=limit, offset=0, after=(columns, after)
        )
    else:
        rows = fetch_sorted(store, search, SORTS[sort], limit=limit, offset=offset)
    if columns and rows:
        last = rows[-1]
        cache.remember(signature, offset + len(rows), version, tuple(last[c] for c in columns))
    return paginated(
        request,
        ser.serialize_many(rows),
        offset=offset,
        limit=limit,
        has_more=offset + len(rows) < hits,
        hits=hits,
    )


def fetch_sorted(
    store: Store,
    search: Search,
    order: str,
    *,
    limit: int,
    offset: int,
    after: tuple[Sequence[str], Sequence[Any]] | None = None,
) -> list[sqlite3.Row]:
    """One page of matching rows: ids are sorted first (a narrow sort), then rows fetched.

    `after`: (columns, values) of the last row before this page, for an all-descending `order`
    on those columns: the page starts below it (a seek) instead of at `offset`.
    """
    where, params = search.where, {**search.params, "limit": limit, "offset": offset}
    if after is not None:
        columns, values = after
        names = [f"k{i}" for i in range(len(columns))]
        params.update(zip(names, values, strict=True))
        lhs = ", ".join(f"g.{c}" for c in columns)
        rhs = ", ".join(f":{n}" for n in names)
        # the leading column alone lets SQLite's index on it start the scan
        where = f"{where} AND g.{columns[0]} <= :k0 AND ({lhs}) < ({rhs})"
    ids = [
        r[0]
        for r in store.query(
            f"SELECT g.id FROM groups g WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            params,
        )
    ]
    if not ids:
        return []
    rows = {
        r["id"]: r
        for r in store.query(f"SELECT * FROM groups WHERE id IN ({','.join('?' * len(ids))})", ids)
    }
    return [rows[i] for i in ids if i in rows]


def group_stats_periods(request: Request) -> list[str]:
    value = request.query_params.get("groupStatsPeriod", "24h")
    if value not in ("", "24h", "14d", "auto"):
        raise ApiError(400, {"groupStatsPeriod": [f'"{value}" is not a valid choice.']})
    return [value] if value else []


def auto_stats_spec(request: Request) -> tuple[int, int]:
    """Buckets of `groupStatsPeriod=auto`: the search window in hours (up to 2 days) or days."""
    start, end = time_window(request, 0.0)
    if start is not None and end is not None:
        span = end - start
    else:
        period = request.query_params.get("statsPeriod")
        span = float(parse_stats_period(period)) if period else 14 * 86400.0
    size = 3600 if span <= 2 * 86400 else 86400
    return size, max(1, min(int(-(-span // size)), 90))


# -- updating -----------------------------------------------------------------------------------

STATUSES = ("resolved", "unresolved", "ignored", "resolvedInNextRelease", "muted")
SUBSTATUSES = (
    "archived_until_escalating",
    "archived_until_condition_met",
    "archived_forever",
    "escalating",
    "ongoing",
    "regressed",
    "new",
)
IGNORE_KEYS = (
    "ignoreDuration",
    "ignoreCount",
    "ignoreWindow",
    "ignoreUserCount",
    "ignoreUserWindow",
)
BOOL_FIELDS = ("hasSeen", "isBookmarked", "isSubscribed", "isPublic", "merge", "discard", "inbox")


def _bool(errors: dict, body: dict, key: str) -> bool | None:
    if key not in body:
        return None
    value = body[key]
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1, "True"):
        return True
    if value in ("false", "0", 0, "False"):
        return False
    errors[key] = ["Must be a valid boolean."]
    return None


def _int(errors: dict, where: dict, key: str, *, maximum: int | None = None) -> int | None:
    value = where.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[key] = ["A valid integer is required."]
        return None
    try:
        number = int(value)
    except ValueError:
        errors[key] = ["A valid integer is required."]
        return None
    if abs(number) > lookup.MAX_DB_INT:
        errors[key] = ["A valid integer is required."]
        return None
    if number < 1:
        errors[key] = ["Ensure this value is greater than or equal to 1."]
        return None
    if maximum is not None and number > maximum:
        errors[key] = [f"Ensure this value is less than or equal to {maximum}."]
        return None
    return number


@dataclass
class Update:
    """A validated bulk/single update body."""

    body: dict[str, Any]
    status: str | None = None
    substatus: str | None = None
    in_release: str | None = None
    in_next_release: bool = False
    ignore: dict[str, Any] | None = None
    assign: tuple[str, int] | None = None  # ("user"|"team", id); ("", 0) = unassign
    priority: str | None = None
    flags: dict[str, bool] | None = None

    @property
    def has_non_status(self) -> bool:
        keys = set(self.body) - {"status", "substatus", "statusDetails", *IGNORE_KEYS}
        return bool(keys & {"assignedTo", "priority", *BOOL_FIELDS})


def resolve_actor(store: Store, org: sqlite3.Row, value: Any) -> tuple[str, int] | None:
    """`user:1`, `team:2`, `1`, username or email → ("user"|"team", id); ("", 0) = unassign."""
    if value is None or value == "":
        return ("", 0)
    text = str(value).strip()
    if text.startswith("team:"):
        ref = text[5:]
        row = store.query_one(
            "SELECT id FROM teams WHERE org_id = ? AND (CAST(id AS TEXT) = ? OR slug = ?)",
            (org["id"], ref, ref),
        )
        return ("team", row["id"]) if row else None
    if text.startswith("user:"):
        text = text[5:]
    row = store.query_one(
        "SELECT u.id FROM users u JOIN members m ON m.user_id = u.id AND m.org_id = ?"
        " WHERE CAST(u.id AS TEXT) = ? OR u.username = ? OR u.email = ?",
        (org["id"], text, text, text),
    )
    return ("user", row["id"]) if row else None


def validate_update(store: Store, org: sqlite3.Row, body: dict[str, Any]) -> Update:
    """DRF-style validation of the body; 400 with field errors."""
    errors: dict[str, Any] = {}
    upd = Update(body=body)
    if "status" in body:
        if body["status"] not in STATUSES:
            errors["status"] = [f'"{body["status"]}" is not a valid choice.']
        else:
            upd.status = body["status"]
    if body.get("substatus") is not None:
        if body["substatus"] not in SUBSTATUSES:
            errors["substatus"] = [f'"{body["substatus"]}" is not a valid choice.']
        else:
            upd.substatus = body["substatus"]
    details = body.get("statusDetails") or {}
    if not isinstance(details, dict):
        errors["statusDetails"] = ["Expected a dictionary of items."]
        details = {}
    detail_errors: dict[str, Any] = {}
    if "inRelease" in details:
        upd.in_release = str(details["inRelease"])
    if details.get("inNextRelease"):
        upd.in_next_release = True
    if "inCommit" in details:
        detail_errors["inCommit"] = ["Unable to find the given commit."]
    ignore: dict[str, Any] = {}
    for key in IGNORE_KEYS:
        maximum = MAX_WINDOW_MINUTES if key.endswith("Window") else None
        # statusDetails wins over the legacy top-level spelling
        source = details if key in details else body
        value = _int(detail_errors if source is details else errors, source, key, maximum=maximum)
        if value is not None:
            ignore[key] = value
    if details.get("ignoreUntil"):
        try:
            ts = parse_datetime(str(details["ignoreUntil"]))
            ignore["ignoreUntil"] = iso(ts)
        except SearchError:
            detail_errors["ignoreUntil"] = ["Datetime has wrong format."]
    if detail_errors:
        errors["statusDetails"] = detail_errors
    if upd.status == "resolvedInNextRelease":
        upd.status, upd.in_next_release = "resolved", True
    if upd.status in ("ignored", "muted"):
        upd.status = "ignored"
        upd.ignore = ignore
        if upd.substatus and not upd.substatus.startswith("archived_"):
            errors["substatus"] = [f"Invalid substatus {upd.substatus!r} for status ignored."]
    elif upd.status == "unresolved":
        if upd.substatus and upd.substatus not in ("ongoing", "escalating", "regressed", "new"):
            errors["substatus"] = [f"Invalid substatus {upd.substatus!r} for status unresolved."]
    elif upd.status is None and (upd.in_release or upd.in_next_release):
        upd.status = "resolved"
    elif upd.status is None and upd.substatus:
        errors["substatus"] = ["A status is required to set a substatus."]
    if "assignedTo" in body:
        actor = resolve_actor(store, org, body["assignedTo"])
        if actor is None:
            errors["assignedTo"] = ["Unknown actor input"]
        upd.assign = actor
    if "priority" in body:
        if body["priority"] not in ("low", "medium", "high"):
            errors["priority"] = [f'"{body["priority"]}" is not a valid choice.']
        else:
            upd.priority = body["priority"]
    flags = {}
    for key in BOOL_FIELDS:
        value = _bool(errors, body, key)
        if value is not None:
            flags[key] = value
    upd.flags = flags
    if errors:
        raise ApiError(400, errors)
    if flags.get("discard"):
        raise ApiError(400, "Discarding issues is not supported by the demo server.")
    return upd


def _activity(
    conn: sqlite3.Connection, group: sqlite3.Row, kind: str, user_id: int | None, data: dict, now
) -> None:
    conn.execute(
        "INSERT INTO activities (group_id, project_id, type, user_id, data, date_created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (group["id"], group["project_id"], kind, user_id, dumps(data), now),
    )


def _latest_release(store: Store, project_id: int) -> sqlite3.Row | None:
    return store.query_one(
        "SELECT r.* FROM releases r JOIN release_projects rp ON rp.release_id = r.id"
        " WHERE rp.project_id = ? ORDER BY r.date_created DESC, r.id DESC LIMIT 1",
        (project_id,),
    )


def _check_assignable(store: Store, actor: tuple[str, int], project_ids: set[int]) -> None:
    kind, ident = actor
    if kind == "team":
        rows = store.query("SELECT project_id FROM project_teams WHERE team_id = ?", (ident,))
        if not project_ids <= {r["project_id"] for r in rows}:
            raise ApiError(
                400, {"assignedTo": ["Cannot assign to a team without access to the project"]}
            )
    elif kind == "user":
        rows = store.query(
            "SELECT pt.project_id FROM project_teams pt JOIN team_members tm ON tm.team_id ="
            " pt.team_id JOIN members m ON m.id = tm.member_id WHERE m.user_id = ?",
            (ident,),
        )
        if not project_ids <= {r["project_id"] for r in rows}:
            raise ApiError(400, {"assignedTo": ["Cannot assign to non-team member"]})


def apply_update(
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    groups: Sequence[sqlite3.Row],
    upd: Update,
) -> dict[str, Any]:
    """Apply a validated update to `groups` atomically; returns Sentry's echo of the changes."""
    now = store.now()
    uid = caller.user_id
    project_ids = {g["project_id"] for g in groups}
    flags = upd.flags or {}
    result: dict[str, Any] = {}
    actor_row = store.query_one("SELECT * FROM users WHERE id = ?", (uid,))
    actor = user_json(actor_row)
    release = None
    if upd.in_release is not None or upd.in_next_release:
        if len(project_ids) > 1:
            raise ApiError(400, "Cannot set resolved in release for multiple projects.")
        (project_id,) = project_ids
        if upd.in_release is not None:
            version = upd.in_release
            if version == "latest":
                release = _latest_release(store, project_id)
            else:
                release = store.query_one(
                    "SELECT * FROM releases WHERE org_id = ? AND version = ?", (org["id"], version)
                )
            if release is None:
                raise ApiError(
                    400, {"statusDetails": {"inRelease": ["Unable to find the given release."]}}
                )
        elif _latest_release(store, project_id) is None:
            raise ApiError(
                400,
                {
                    "statusDetails": {
                        "inNextRelease": [
                            "No release data present in the system to form a basis for"
                            " 'Next Release'"
                        ]
                    }
                },
            )
    if flags.get("merge"):
        if len(groups) < 2:
            raise ApiError(400, "Merging requires at least two issues.")
        if len(project_ids) > 1:
            raise ApiError(400, "Merging across multiple projects is not supported")
    if upd.assign and upd.assign[0]:
        _check_assignable(store, upd.assign, project_ids)

    with store.transaction() as conn:
        if upd.status is not None:
            result.update(_set_status(conn, store, groups, upd, release, actor, uid, now))
        if upd.assign is not None:
            result["assignedTo"] = _assign(conn, store, groups, upd.assign, uid, now)
        for key, table in (("hasSeen", "group_seen"), ("isBookmarked", "group_bookmarks")):
            if key not in flags:
                continue
            for g in groups:
                conn.execute(
                    f"DELETE FROM {table} WHERE group_id = ? AND user_id = ?", (g["id"], uid)
                )
                if flags[key]:
                    col = "last_seen" if table == "group_seen" else "date_added"
                    conn.execute(
                        f"INSERT INTO {table} (group_id, user_id, {col}) VALUES (?, ?, ?)",
                        (g["id"], uid, now),
                    )
            result[key] = flags[key]
        if "isSubscribed" in flags:
            for g in groups:
                subscribe(conn, g["id"], uid, now, reason="unknown", active=flags["isSubscribed"])
            result["isSubscribed"] = flags["isSubscribed"]
            if flags["isSubscribed"]:
                result["subscriptionDetails"] = {"disabled": False, "reason": "unknown"}
        if "isPublic" in flags:
            share_id = None
            for g in groups:
                if flags["isPublic"]:
                    share_id = g["share_id"] or secrets.token_hex(16)
                    conn.execute(
                        "UPDATE groups SET is_public = 1, share_id = ? WHERE id = ?",
                        (share_id, g["id"]),
                    )
                else:
                    conn.execute(
                        "UPDATE groups SET is_public = 0, share_id = NULL WHERE id = ?", (g["id"],)
                    )
                if bool(g["is_public"]) != flags["isPublic"]:
                    kind = "set_public" if flags["isPublic"] else "set_private"
                    _activity(conn, g, kind, uid, {}, now)
            result["isPublic"] = flags["isPublic"]
            if flags["isPublic"] and len(groups) == 1:
                result["shareId"] = share_id
        if upd.priority is not None:
            for g in groups:
                conn.execute(
                    "UPDATE groups SET priority = ?, priority_locked_at = ? WHERE id = ?",
                    (upd.priority, now, g["id"]),
                )
                if g["priority"] != upd.priority:
                    data = {"priority": upd.priority, "reason": "manual"}
                    _activity(conn, g, "set_priority", uid, data, now)
            result["priority"] = upd.priority
        if "inbox" in flags:
            _set_inbox(conn, groups, flags["inbox"], uid, now)
            result["inbox"] = flags["inbox"]
        if flags.get("merge"):
            result["merge"] = _merge(conn, groups, uid, now)
    return result


def subscribe(
    conn: sqlite3.Connection, group_id: int, user_id: int, now: float, *, reason: str, active=True
) -> None:
    """Subscribe (or unsubscribe) a user; an explicit choice overrides implicit ones."""
    conn.execute(
        "INSERT INTO group_subscriptions (group_id, user_id, is_active, reason, date_added)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(group_id, user_id) DO UPDATE SET"
        " is_active = excluded.is_active, reason = excluded.reason",
        (group_id, user_id, int(active), reason, now),
    )


def _set_status(
    conn: sqlite3.Connection,
    store: Store,
    groups: Sequence[sqlite3.Row],
    upd: Update,
    release: sqlite3.Row | None,
    actor: dict | None,
    uid: int,
    now: float,
) -> dict[str, Any]:
    status = upd.status
    if status == "resolved":
        if release is not None:
            details: dict[str, Any] = {"inRelease": release["version"], "actor": actor}
            kind, data = "set_resolved_in_release", {"version": release["version"]}
        elif upd.in_next_release:
            details = {"inNextRelease": True, "actor": actor}
            kind, data = "set_resolved_in_release", {"version": ""}
        else:
            details, kind, data = {}, "set_resolved", {}
        for g in groups:
            conn.execute(
                "UPDATE groups SET status = 'resolved', substatus = NULL, status_details = ?,"
                " resolved_at = ? WHERE id = ?",
                (dumps(details), now, g["id"]),
            )
            if g["status"] != "resolved" or details:
                _activity(conn, g, kind, uid, data, now)
        return {"status": "resolved", "statusDetails": details}
    if status == "unresolved":
        substatus = upd.substatus or "ongoing"
        for g in groups:
            conn.execute(
                "UPDATE groups SET status = 'unresolved', substatus = ?, status_details = ?,"
                " resolved_at = NULL WHERE id = ?",
                (substatus, dumps(_inbox_kept(g, now)), g["id"]),
            )
            if g["status"] != "unresolved":
                _activity(conn, g, "set_unresolved", uid, {}, now)
        return {"status": "unresolved", "statusDetails": {}, "substatus": substatus}
    # ignored
    conditions = dict(upd.ignore or {})
    if conditions:
        substatus = "archived_until_condition_met"
    else:
        substatus = upd.substatus or "archived_until_escalating"
    public: dict[str, Any] = {}
    for g in groups:
        details = ignore_bookkeeping(conn, g["id"], {**conditions, "actor": actor}, now=now)
        conn.execute(
            "UPDATE groups SET status = 'ignored', substatus = ?, status_details = ?,"
            " resolved_at = NULL WHERE id = ?",
            (substatus, dumps(details), g["id"]),
        )
        data = {
            k: details.get(k)
            for k in (
                "ignoreCount",
                "ignoreDuration",
                "ignoreUntil",
                "ignoreUserCount",
                "ignoreUserWindow",
                "ignoreWindow",
            )
        }
        data["ignoreUntilEscalating"] = substatus == "archived_until_escalating"
        _activity(conn, g, "set_ignored", uid, data, now)
        public = {k: v for k, v in details.items() if not k.startswith("_")}
    return {"status": "ignored", "statusDetails": public, "substatus": substatus}


def _assign(
    conn: sqlite3.Connection,
    store: Store,
    groups: Sequence[sqlite3.Row],
    actor: tuple[str, int],
    uid: int,
    now: float,
) -> dict[str, Any] | None:
    kind, ident = actor
    if not kind:
        for g in groups:
            conn.execute(
                "UPDATE groups SET assigned_user_id = NULL, assigned_team_id = NULL WHERE id = ?",
                (g["id"],),
            )
            if g["assigned_user_id"] is not None or g["assigned_team_id"] is not None:
                _activity(conn, g, "unassigned", uid, {}, now)
        return None
    if kind == "user":
        row = store.query_one("SELECT id, name, email FROM users WHERE id = ?", (ident,))
        echo = {"type": "user", "id": str(row["id"]), "name": row["name"], "email": row["email"]}
        data = {"assignee": str(ident), "assigneeEmail": row["email"], "assigneeType": "user"}
        cols = (ident, None)
    else:
        row = store.query_one("SELECT id, slug FROM teams WHERE id = ?", (ident,))
        echo = {"type": "team", "id": str(row["id"]), "name": row["slug"]}
        data = {"assignee": str(ident), "assigneeEmail": None, "assigneeType": "team"}
        cols = (None, ident)
    for g in groups:
        conn.execute(
            "UPDATE groups SET assigned_user_id = ?, assigned_team_id = ? WHERE id = ?",
            (*cols, g["id"]),
        )
        if (g["assigned_user_id"], g["assigned_team_id"]) != cols:
            _activity(conn, g, "assigned", uid, data, now)
        if kind == "user":
            existing = conn.execute(
                "SELECT 1 FROM group_subscriptions WHERE group_id = ? AND user_id = ?",
                (g["id"], ident),
            ).fetchone()
            if existing is None:
                subscribe(conn, g["id"], ident, now, reason="assigned")
    return echo


def _inbox_kept(group: sqlite3.Row, now: float) -> dict[str, Any]:
    """The inbox bookkeeping an unresolve keeps. Sentry takes an issue out of the inbox when it
    is resolved or ignored (`remove_group_from_inbox`) and unresolving does not put it back, so
    one that was resolved/ignored stays out (`_reviewed`) until `inbox: true` or a regression."""
    if group["status"] != "unresolved":
        return {"_reviewed": now}
    details = loads(group["status_details"], {})
    return {k: details[k] for k in ("_inbox", "_reviewed") if k in details}


def _set_inbox(
    conn: sqlite3.Connection, groups: Sequence[sqlite3.Row], inbox: bool, uid: int, now: float
) -> None:
    for g in groups:
        # re-read: a status change in the same request may have rewritten the details
        current = conn.execute("SELECT status_details FROM groups WHERE id = ?", (g["id"],))
        details = loads(current.fetchone()[0], {})
        if inbox:
            details["_inbox"] = now
            details.pop("_reviewed", None)
        else:
            details.pop("_inbox", None)
            details["_reviewed"] = now
            _activity(conn, g, "mark_reviewed", uid, {}, now)
        conn.execute("UPDATE groups SET status_details = ? WHERE id = ?", (dumps(details), g["id"]))


def _merge(
    conn: sqlite3.Connection, groups: Sequence[sqlite3.Row], uid: int, now: float
) -> dict[str, Any]:
    """Merge into the issue with most events (ties: the oldest); children keep `merged_into`."""
    ordered = sorted(groups, key=lambda g: (-g["times_seen"], g["first_seen"], g["id"]))
    parent, children = ordered[0], ordered[1:]
    child_ids = [c["id"] for c in children]
    marks = ",".join("?" * len(child_ids))
    conn.execute(
        f"UPDATE events SET group_id = ? WHERE group_id IN ({marks})", [parent["id"], *child_ids]
    )
    conn.execute(
        f"UPDATE event_tags SET group_id = ? WHERE group_id IN ({marks})",
        [parent["id"], *child_ids],
    )
    conn.execute(
        f"UPDATE group_hashes SET group_id = ? WHERE group_id IN ({marks})",
        [parent["id"], *child_ids],
    )
    first = min(g["first_seen"] for g in groups)
    last = max(g["last_seen"] for g in groups)
    by_first = min(groups, key=lambda g: g["first_seen"])
    by_last = max(groups, key=lambda g: g["last_seen"])
    conn.execute(
        "UPDATE groups SET times_seen = ?, first_seen = ?, last_seen = ?,"
        " first_release = COALESCE(?, first_release), last_release = COALESCE(?, last_release)"
        " WHERE id = ?",
        (
            sum(g["times_seen"] for g in groups),
            first,
            last,
            by_first["first_release"],
            by_last["last_release"],
            parent["id"],
        ),
    )
    conn.execute(
        f"UPDATE groups SET merged_into = ?, times_seen = 0 WHERE id IN ({marks})",
        [parent["id"], *child_ids],
    )
    # children that had been merged into a child now point at the new parent
    conn.execute(
        f"UPDATE groups SET merged_into = ? WHERE merged_into IN ({marks})",
        [parent["id"], *child_ids],
    )
    _activity(conn, parent, "merge", uid, {"issues": [{"id": str(c)} for c in child_ids]}, now)
    return {"parent": str(parent["id"]), "children": [str(c) for c in child_ids]}


def delete_groups(store: Store, ids: Sequence[int]) -> None:
    """Delete issues, their merged children, events and everything that references them."""
    if not ids:
        return
    with store.transaction() as conn:
        marks = ",".join("?" * len(ids))
        conn.execute(
            f"UPDATE groups SET status = 'pending_deletion' WHERE id IN ({marks})", list(ids)
        )
        all_ids = list(ids)
        frontier = list(ids)
        while frontier:
            m = ",".join("?" * len(frontier))
            children = [
                r[0]
                for r in conn.execute(f"SELECT id FROM groups WHERE merged_into IN ({m})", frontier)
            ]
            frontier = [c for c in children if c not in all_ids]
            all_ids += frontier
        m = ",".join("?" * len(all_ids))
        event_rows = f"SELECT id FROM events WHERE group_id IN ({m})"
        for table, column in _referencing(conn, "events"):
            conn.execute(f"DELETE FROM {table} WHERE {column} IN ({event_rows})", all_ids)
        conn.execute(f"DELETE FROM event_tags WHERE group_id IN ({m})", all_ids)
        conn.execute(f"UPDATE groups SET merged_into = NULL WHERE id IN ({m})", all_ids)
        for table, column in _referencing(conn, "groups"):
            if table == "groups":
                continue
            conn.execute(f"DELETE FROM {table} WHERE {column} IN ({m})", all_ids)
        conn.execute(f"DELETE FROM groups WHERE id IN ({m})", all_ids)


def _referencing(conn: sqlite3.Connection, target: str) -> list[tuple[str, str]]:
    """(table, column) pairs with a foreign key to `target` (tables others add included)."""
    out = []
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    for (name,) in tables:
        for fk in conn.execute(f"PRAGMA foreign_key_list({name})").fetchall():
            if fk["table"] == target:
                out.append((name, fk["from"]))
    return out


# -- handlers -----------------------------------------------------------------------------------


def ids_of(request: Request) -> list[int]:
    ids = []
    for value in request.query_params.getlist("id"):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or abs(number) > lookup.MAX_DB_INT:  # beyond 64 bits: not an id
            raise ApiError(400, {"id": ["A valid integer is required."]})
        ids.append(number)
    return ids


def select_groups(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    project_ids: Sequence[int],
    *,
    ids: list[int],
    status_param: str | None = None,
) -> list[sqlite3.Row]:
    """Explicit ids (within the projects), else the first 1000 matches of the query."""
    if ids:
        search_sql = (
            f"g.project_id IN ({','.join(str(int(p)) for p in project_ids) or 'NULL'})"
            f" AND g.merged_into IS NULL AND g.status NOT IN {HIDDEN}"
            f" AND g.id IN ({','.join(str(i) for i in ids)})"
        )
        params: dict[str, Any] = {}
        if status_param:
            status = {"muted": "ignored"}.get(status_param, status_param)
            search_sql += " AND g.status = :status"
            params["status"] = status
        return store.query(f"SELECT g.* FROM groups g WHERE {search_sql} ORDER BY g.id", params)
    search = build_search(
        request,
        store,
        caller,
        org,
        project_ids=project_ids,
        environments=environments_of(request),
        status_param=status_param,
    )
    sort = request.query_params.get("sort") or "date"
    order = SORTS.get(sort, SORTS["date"])
    return fetch_sorted(store, search, order, limit=BULK_MUTATION_LIMIT, offset=0)


async def bulk_update(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    project_ids: Sequence[int],
    *,
    status_param: str | None = None,
) -> Response:
    body = await json_body(request)
    upd = validate_update(store, org, body)
    ids = ids_of(request)
    if not ids and (upd.has_non_status or upd.status is None):
        raise ApiError(400, NEEDS_IDS)
    groups = select_groups(
        request, store, caller, org, project_ids, ids=ids, status_param=status_param
    )
    if not groups:
        return Response(status_code=204)
    check_bulk(request, [g["id"] for g in groups])
    return JSONResponse(apply_update(store, caller, org, groups, upd))


async def bulk_delete(
    request: Request, store: Store, caller: Caller, org: sqlite3.Row, project_ids: Sequence[int]
) -> Response:
    ids = ids_of(request)
    groups = select_groups(request, store, caller, org, project_ids, ids=ids)
    if groups:
        check_bulk(request, [g["id"] for g in groups])
        delete_groups(store, [g["id"] for g in groups])
    return Response(status_code=204)


async def org_issues(request: Request) -> Response:
    store = store_of(request)
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": ADMIN}[request.method]
    caller, org = org_of(request, store, *scopes)
    project_ids = project_ids_of(request, store, org)
    if request.method == "GET":
        return list_issues(
            request,
            store,
            caller,
            org,
            project_ids=project_ids,
            stats_periods=group_stats_periods(request),
            sorts=tuple(SORTS),
            window=True,
            short_id_lookup=request.query_params.get("shortIdLookup") in ("1", "true"),
        )
    if request.method == "PUT":
        return await bulk_update(request, store, caller, org, project_ids)
    return await bulk_delete(request, store, caller, org, project_ids)


async def project_issues(request: Request) -> Response:
    store = store_of(request)
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": ADMIN}[request.method]
    caller, org = org_of(request, store, *scopes)
    project = lookup.project(store, org, request.path_params["project"])
    if request.method == "GET":
        period = request.query_params.get("statsPeriod", "24h")
        if period not in ("", "24h", "14d"):
            raise ApiError(
                400,
                {"statsPeriod": ["Invalid stats_period. Valid choices are '', '24h', and '14d'"]},
            )
        hashes = request.query_params.getlist("hashes")
        if hashes:
            return _by_hashes(request, store, caller, org, project, hashes, period)
        return list_issues(
            request,
            store,
            caller,
            org,
            project_ids=[project["id"]],
            stats_periods=[period] if period else [],
            sorts=PROJECT_SORTS,
            window=False,
            short_id_lookup=request.query_params.get("shortIdLookup") in ("1", "true"),
        )
    if request.method == "PUT":
        return await bulk_update(
            request,
            store,
            caller,
            org,
            [project["id"]],
            status_param=request.query_params.get("status") or None,
        )
    return await bulk_delete(request, store, caller, org, [project["id"]])


async def issue(request: Request) -> Response:
    store = store_of(request)
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": ADMIN}[request.method]
    caller, org, group = issue_of(request, store, *scopes)
    if request.method == "GET":
        ser = serializer(
            request,
            store,
            caller,
            org,
            environments=environments_of(request),
            stats_periods=("24h",),
        )
        body = ser.serialize_detail(group)
        if "owners" in ser.expand:  # Sentry: null when nothing matches; the demo leaves it out
            owners = issue_owners(store, org["id"], group)
            if owners:
                body["owners"] = owners
        return JSONResponse(body)
    if request.method == "DELETE":
        check_bulk(request, [group["id"]])
        delete_groups(store, [group["id"]])
        return Response(status_code=202)
    body = await json_body(request)
    upd = validate_update(store, org, body)
    if (upd.flags or {}).get("merge"):
        raise ApiError(400, "Merging requires at least two issues.")
    apply_update(store, caller, org, [group], upd)
    fresh = store.query_one("SELECT * FROM groups WHERE id = ?", (group["id"],))
    ser = serializer(request, store, caller, org, stats_periods=("24h",))
    return JSONResponse(ser.serialize(fresh))


async def short_id(request: Request) -> Response:
    store = store_of(request)
    caller, org = org_of(request, store, *READ)
    group = lookup.group(store, org, request.path_params["short_id"])
    project = store.query_one("SELECT slug FROM projects WHERE id = ?", (group["project_id"],))
    ser = serializer(request, store, caller, org)
    return JSONResponse(
        {
            "organizationSlug": org["slug"],
            "projectSlug": project["slug"],
            "groupId": str(group["id"]),
            "shortId": group["short_id"],
            "group": ser.serialize(group),
        }
    )


def routes() -> list[Route]:
    methods = ["GET", "PUT", "DELETE"]
    return [
        Route("/api/0/organizations/{org}/issues/", org_issues, methods=methods),
        Route("/api/0/projects/{org}/{project}/issues/", project_issues, methods=methods),
        Route("/api/0/organizations/{org}/issues/{issue_id}/", issue, methods=methods),
        Route("/api/0/issues/{issue_id}/", issue, methods=methods),
        Route("/api/0/organizations/{org}/shortids/{short_id}/", short_id, methods=["GET"]),
    ]


def _by_hashes(
    request: Request,
    store: Store,
    caller: Caller,
    org: sqlite3.Row,
    project: sqlite3.Row,
    hashes: list[str],
    period: str,
) -> Response:
    """`?hashes=` on the project list: the issues owning those grouping hashes."""
    if request.query_params.get("query"):
        raise ApiError(400, "Cannot use the hashes parameter together with query.")
    hashes = [h for value in hashes for h in value.split(",") if h][:100]
    marks = ",".join("?" * len(hashes))
    rows = store.query(
        f"SELECT DISTINCT g.* FROM group_hashes h JOIN groups g ON g.id = h.group_id"
        f" WHERE h.project_id = ? AND h.hash IN ({marks}) AND g.status NOT IN {HIDDEN}",
        [project["id"], *hashes],
    )
    ser = serializer(request, store, caller, org, stats_periods=[period] if period else [])
    return JSONResponse(ser.serialize_many(rows))
