"""Event routes: an issue's events (list, latest/oldest/recommended/by id), hashes and tags;
project events; the org-wide event-id lookup.

Issue routes exist in both spellings (`/organizations/{org}/issues/{id}/...` and the legacy
`/issues/{id}/...`). Events are ordered by (timestamp, row id): lists newest first;
`nextEventID` is the next newer event of the issue, `previousEventID` the next older one.

`recommended` is the newest event with the most context: events are ranked by having an exception
stack trace (4), a request (2) and a user (1), then by time. Sentry ranks by similar "has
context" signals; the exact weights are the demo's.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.commits import release_commit_summary
from dexter_tui.demo.api.errors import ApiError, not_found
from dexter_tui.demo.api.issues import (
    READ,
    environments_of,
    issue_of,
    org_of,
    project_ids_of,
    search_error,
    time_window,
)
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.pagination import page_params, paginate_list, paginated
from dexter_tui.demo.render import full_event
from dexter_tui.demo.render import simple_event as _simple_event
from dexter_tui.demo.search import (
    SearchError,
    iso,
    like_pattern,
    match_values,
    parse,
    parse_datetime,
)
from dexter_tui.demo.serialize_issue import short_version, tag_name
from dexter_tui.demo.store import Store, event_data

if TYPE_CHECKING:
    from starlette.requests import Request


PROJECT_READ = ("project:read", "project:write", "project:admin", "event:read")
ORG_READ = ("org:read", "org:write", "org:admin")
EVENT_ID = re.compile(r"^[0-9a-fA-F]{32}$")
TOP_VALUES = 9
MAX_TAG_VALUES = 1000

RECOMMENDED_ORDER = (
    "(CASE WHEN json_extract(e.data, '$.exception.values[#-1].stacktrace') IS NOT NULL"
    " THEN 4 ELSE 0 END"
    " + CASE WHEN json_extract(e.data, '$.request') IS NOT NULL THEN 2 ELSE 0 END"
    " + CASE WHEN json_extract(e.data, '$.user') IS NOT NULL THEN 1 ELSE 0 END) DESC,"
    " e.timestamp DESC, e.id DESC"
)

# -- event search (the `query` of event lists) ----------------------------------------------------

_EVENT_COLUMNS = {
    "level": "e.level",
    "environment": "e.environment",
    "release": "e.release",
    "event.type": "e.type",
    "title": "e.title",
    "culprit": "e.culprit",
    "location": "e.location",
    "id": "e.event_id",
    "event.id": "e.event_id",
}
_USER_PATHS = {
    "user.id": "$.user.id",
    "user.email": "$.user.email",
    "user.username": "$.user.username",
    "user.ip": "$.user.ip_address",
}


def compile_event_query(text: str) -> tuple[str, list[Any]]:
    """A WHERE fragment over `events e` for Sentry's event search (AND of filters, free text)."""
    query = parse(text, allow_and=True)
    parts: list[str] = []
    params: list[Any] = []
    for flt in query.filters:
        key = flt.key
        if key.startswith("tags[") and key.endswith("]"):
            key = key[5:-1]
        if key in ("timestamp", "event.timestamp"):
            if flt.is_list:
                raise SearchError("timestamp does not accept a list")
            op = ">=" if flt.op == "=" else flt.op
            sql, p = f"e.timestamp {op} ?", [parse_datetime(flt.value)]
        elif flt.op != "=":
            raise SearchError(f"the operator {flt.op!r} is not supported for {flt.key!r}")
        elif key == "message":
            sql = "(e.title LIKE ? ESCAPE '\\' OR e.message LIKE ? ESCAPE '\\')"
            pattern = like_pattern(flt.value, contains=True)
            p = [pattern, pattern]
        elif key in _EVENT_COLUMNS:
            sql, p = match_values(_EVENT_COLUMNS[key], flt.values)
        elif key in _USER_PATHS:
            sql, p = match_values(f"json_extract(e.data, '{_USER_PATHS[key]}')", flt.values)
        elif key in ("error.type", "error.value"):
            m_sql, p = match_values(f"json_extract(x.value, '$.{key[6:]}')", flt.values)
            sql = f"EXISTS (SELECT 1 FROM json_each(e.data, '$.exception.values') x WHERE {m_sql})"
        elif key == "has":
            sql = (
                "("
                + " OR ".join(
                    "EXISTS (SELECT 1 FROM event_tags t WHERE t.event_row = e.id AND t.key = ?)"
                    for _ in flt.values
                )
                + ")"
            )
            p = list(flt.values)
        elif key in ("is", "issue", "issue.id", "assigned", "bookmarks", "firstSeen", "lastSeen"):
            raise SearchError(f"{flt.key!r} is an issue field, not an event field")
        else:
            m_sql, m_p = match_values("t.value", flt.values)
            sql = (
                "EXISTS (SELECT 1 FROM event_tags t WHERE t.event_row = e.id AND t.key = ?"
                f" AND {m_sql})"
            )
            p = [key, *m_p]
        parts.append(f"NOT {sql}" if flt.negated else sql)
        params += p
    if query.text:
        pattern = like_pattern(query.text, contains=True)
        parts.append("(e.title LIKE ? ESCAPE '\\' OR e.message LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    return (" AND ".join(f"({p})" for p in parts) or "1"), params


def _filters(request: Request, store: Store, *, window: bool = True) -> tuple[str, list[Any]]:
    """Environment, time window and `query` conditions on `events e`."""
    parts: list[str] = []
    params: list[Any] = []
    envs = environments_of(request)
    if envs:
        parts.append(f"e.environment IN ({','.join('?' * len(envs))})")
        params += envs
    if window:
        start, end = time_window(request, store.now())
        if start is not None:
            parts.append("e.timestamp >= ?")
            params.append(start)
        if end is not None:
            parts.append("e.timestamp <= ?")
            params.append(end)
    text = (request.query_params.get("query") or "").strip()
    if text:
        try:
            sql, p = compile_event_query(text)
        except SearchError as exc:
            raise search_error(exc) from None
        parts.append(sql)
        params += p
    return (" AND ".join(parts) or "1"), params


def _truthy(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.lower() in ("1", "true", "yes")


def _order(request: Request) -> str:
    """Newest first; `sample=true`: a deterministic pseudo-random order (by event id)."""
    if _truthy(request.query_params.get("sample")):
        return "e.event_id, e.id"
    return "e.timestamp DESC, e.id DESC"


def release_json(store: Store, org_id: int, version: str | None) -> dict[str, Any] | None:
    """The release object of a full event (Sentry's release serializer, trimmed)."""
    if not version:
        return None
    row = store.query_one(
        "SELECT * FROM releases WHERE org_id = ? AND version = ?", (org_id, version)
    )
    if row is None:
        return {"version": version, "shortVersion": short_version(version)}
    deploys = store.query(
        "SELECT * FROM deploys WHERE release_id = ? ORDER BY date_finished DESC", (row["id"],)
    )
    last = deploys[0] if deploys else None
    summary = release_commit_summary(store, row["id"])
    return {
        "id": row["id"],
        "version": row["version"],
        "shortVersion": short_version(row["version"]),
        "status": row["status"],
        "ref": row["ref"],
        "url": row["url"],
        "dateCreated": iso(row["date_created"]),
        "dateReleased": iso(row["date_released"]),
        "data": {},
        "commitCount": summary["commitCount"],
        "lastCommit": summary["lastCommit"],
        "deployCount": len(deploys),
        "lastDeploy": None
        if last is None
        else {
            "id": str(last["id"]),
            "environment": last["environment"],
            "name": last["name"],
            "dateStarted": iso(last["date_started"]),
            "dateFinished": iso(last["date_finished"]),
        },
        "userAgent": None,
        "versionInfo": None,
    }


def readable(row: sqlite3.Row) -> dict[str, Any]:
    """The row with its `data` parsed leniently: a stored event that is not valid JSON (or
    carries NaN, huge numbers, lone surrogates) renders with what can be read of it."""
    return {**dict(row), "data": event_data(row["data"])}


def simple_event(row: sqlite3.Row) -> dict[str, Any]:
    return _simple_event(readable(row))


def render_full(store: Store, org_id: int, row: sqlite3.Row) -> dict[str, Any]:
    return full_event(readable(row), release=release_json(store, org_id, row["release"]))


def render_rows(
    store: Store, org_id: int, rows: Sequence[sqlite3.Row], *, full: bool
) -> list[dict[str, Any]]:
    """List items: simple events, or full ones (one release lookup per distinct version)."""
    if not full:
        return [simple_event(r) for r in rows]
    releases: dict[str | None, dict[str, Any] | None] = {}
    out = []
    for r in rows:
        version = r["release"]
        if version not in releases:
            releases[version] = release_json(store, org_id, version)
        out.append(full_event(readable(r), release=releases[version]))
    return out


def llm_format(event: dict[str, Any], fmt: str) -> dict[str, str]:
    """`llmFormat=markdown|xml`: a compact text rendering of the event (title, exception, tags)."""
    lines: list[tuple[str, str]] = [("title", event.get("title") or "")]
    for entry in event.get("entries") or []:
        if entry.get("type") != "exception":
            continue
        for exc in (entry.get("data") or {}).get("values") or []:
            lines.append(("exception", f"{exc.get('type')}: {exc.get('value')}"))
            frames = ((exc.get("stacktrace") or {}).get("frames")) or []
            for f in frames:
                where = f"{f.get('filename') or f.get('module')}:{f.get('lineNo')}"
                lines.append(("frame", f"{f.get('function')} ({where})"))
    lines += [("tag", f"{t['key']}={t['value']}") for t in event.get("tags") or []]
    if fmt == "xml":
        from xml.sax.saxutils import escape

        body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in lines)
        content = f'<event id="{event["eventID"]}">{body}</event>'
    else:
        out = [f"# {lines[0][1]}", ""]
        out += [f"- **{k}**: {v}" if k != "frame" else f"    - at {v}" for k, v in lines[1:]]
        content = "\n".join(out)
    return {"format": fmt, "content": content}


def _neighbours(
    store: Store, row: sqlite3.Row, scope_sql: str, scope_params: Sequence[Any]
) -> dict[str, str | None]:
    """nextEventID (newer) / previousEventID (older) among events matching `scope_sql`."""
    newer = store.query_one(
        f"SELECT e.event_id FROM events e WHERE {scope_sql} AND (e.timestamp > ? OR"
        " (e.timestamp = ? AND e.id > ?)) ORDER BY e.timestamp, e.id LIMIT 1",
        [*scope_params, row["timestamp"], row["timestamp"], row["id"]],
    )
    older = store.query_one(
        f"SELECT e.event_id FROM events e WHERE {scope_sql} AND (e.timestamp < ? OR"
        " (e.timestamp = ? AND e.id < ?)) ORDER BY e.timestamp DESC, e.id DESC LIMIT 1",
        [*scope_params, row["timestamp"], row["timestamp"], row["id"]],
    )
    return {
        "nextEventID": newer["event_id"] if newer else None,
        "previousEventID": older["event_id"] if older else None,
    }


def _event_by_ref(
    store: Store, scope_sql: str, scope_params: list[Any], ref: str
) -> sqlite3.Row | None:
    order = {
        "latest": "e.timestamp DESC, e.id DESC",
        "oldest": "e.timestamp ASC, e.id ASC",
        "recommended": RECOMMENDED_ORDER,
    }.get(ref)
    if order is not None:
        return store.query_one(
            f"SELECT e.* FROM events e WHERE {scope_sql} ORDER BY {order} LIMIT 1", scope_params
        )
    if EVENT_ID.match(ref):
        return store.query_one(
            f"SELECT e.* FROM events e WHERE {scope_sql} AND e.event_id = ?",
            [*scope_params, ref.lower()],
        )
    return None


# -- tags -----------------------------------------------------------------------------------------


def _tag_rows(
    store: Store, group_id: int, envs: list[str], key: str | None = None
) -> list[sqlite3.Row]:
    """(key, value, count, first, last) per tag value of an issue's events."""
    where = "t.group_id = ?"
    params: list[Any] = [group_id]
    if key is not None:
        where += " AND t.key = ?"
        params.append(key)
    if envs:
        where += f" AND e.environment IN ({','.join('?' * len(envs))})"
        params += envs
    return store.query(
        "SELECT t.key, t.value, COUNT(*) AS n, MIN(e.timestamp) AS first, MAX(e.timestamp) AS last"
        f" FROM event_tags t JOIN events e ON e.id = t.event_row WHERE {where}"
        " GROUP BY t.key, t.value ORDER BY t.key, n DESC, t.value",
        params,
    )


def tag_value_json(key: str, row: sqlite3.Row) -> dict[str, Any]:
    value = row["value"]
    item: dict[str, Any] = {
        "key": key,
        "name": value,
        "value": value,
        "count": row["n"],
        "firstSeen": iso(row["first"]),
        "lastSeen": iso(row["last"]),
    }
    if key == "user" and ":" in value:
        kind, _, ident = value.partition(":")
        item["query"] = f'user.{kind}:"{ident}"'
    return item


def tag_key_json(key: str, rows: Sequence[sqlite3.Row]) -> dict[str, Any]:
    return {
        "key": key,
        "name": tag_name(key),
        "uniqueValues": len(rows),
        "totalValues": sum(r["n"] for r in rows),
        "topValues": [tag_value_json(key, r) for r in rows[:TOP_VALUES]],
    }


TAG_VALUE_SORTS = {
    "id": lambda r: r["value"],
    "count": lambda r: (r["n"], r["value"]),
    "date": lambda r: (r["last"], r["value"]),
    "age": lambda r: (r["first"], r["value"]),
}


# -- routes ---------------------------------------------------------------------------------------


def _event_page(
    request: Request, store: Store, org: sqlite3.Row, scope: str, scope_id: int
) -> Response:
    """One page of events under `scope` (an issue's or a project's), filtered and ordered as
    the query asks, rendered as the list routes answer."""
    where, params = _filters(request, store)
    offset, limit = page_params(request)
    full = _truthy(request.query_params.get("full"))
    rows = store.query(
        f"SELECT e.* FROM events e WHERE {scope} AND {where}"
        f" ORDER BY {_order(request)} LIMIT ? OFFSET ?",
        [scope_id, *params, limit + 1, offset],
    )
    has_more = len(rows) > limit
    items = render_rows(store, org["id"], rows[:limit], full=full)
    return paginated(request, items, offset=offset, limit=limit, has_more=has_more)


async def issue_events(request: Request) -> Response:
    store = store_of(request)
    _, org, group = issue_of(request, store, *READ)
    return _event_page(request, store, org, "e.group_id = ?", group["id"])


async def issue_event(request: Request) -> Response:
    store = store_of(request)
    _, org, group = issue_of(request, store, *READ)
    envs = environments_of(request)
    scope_sql = "e.group_id = ?"
    scope_params: list[Any] = [group["id"]]
    if envs:
        scope_sql += f" AND e.environment IN ({','.join('?' * len(envs))})"
        scope_params += envs
    ref = request.path_params["event_id"]
    row = _event_by_ref(store, scope_sql, scope_params, ref)
    if row is None and (row_id := lookup.db_int(ref)) is not None:
        row = store.query_one(
            f"SELECT e.* FROM events e WHERE {scope_sql} AND e.id = ?",
            [*scope_params, row_id],
        )
    if row is None:
        raise not_found()
    body = render_full(store, org["id"], row)
    body.update(_neighbours(store, row, scope_sql, scope_params))
    fmt = request.query_params.get("llmFormat")
    if fmt:
        if fmt not in ("markdown", "xml"):
            raise ApiError(400, {"llmFormat": [f'"{fmt}" is not a valid choice.']})
        body["formatted"] = llm_format(body, fmt)
    return JSONResponse(body)


async def hashes(request: Request) -> Response:
    store = store_of(request)
    _, org, group = issue_of(request, store, *READ)
    full = _truthy(request.query_params.get("full"), default=True)
    items = []
    for h in store.query(
        "SELECT hash FROM group_hashes WHERE group_id = ? ORDER BY hash", (group["id"],)
    ):
        latest = store.query_one(
            "SELECT e.* FROM events e WHERE e.group_id = ? AND EXISTS (SELECT 1 FROM"
            " json_each(e.hashes) j WHERE j.value = ?) ORDER BY e.timestamp DESC, e.id DESC"
            " LIMIT 1",
            (group["id"], h["hash"]),
        )
        event = None
        if latest is not None:
            event = render_full(store, org["id"], latest) if full else simple_event(latest)
        items.append(
            {
                "id": h["hash"],
                "latestEvent": event,
                "mergedBySeer": False,
                "seerMatchDistance": None,
            }
        )
    return paginate_list(request, items)


async def tags(request: Request) -> Response:
    store = store_of(request)
    _, _, group = issue_of(request, store, *READ)
    rows = _tag_rows(store, group["id"], environments_of(request))
    by_key: dict[str, list[sqlite3.Row]] = {}
    for r in rows:
        by_key.setdefault(r["key"], []).append(r)
    return JSONResponse([tag_key_json(k, v) for k, v in sorted(by_key.items())])


async def tag_detail(request: Request) -> Response:
    store = store_of(request)
    _, _, group = issue_of(request, store, *READ)
    key = request.path_params["key"]
    rows = _tag_rows(store, group["id"], environments_of(request), key)
    if not rows:
        raise not_found()
    return JSONResponse(tag_key_json(key, rows))


async def tag_values(request: Request) -> Response:
    store = store_of(request)
    _, _, group = issue_of(request, store, *READ)
    key = request.path_params["key"]
    sort = request.query_params.get("sort") or "-id"
    if sort.lstrip("-") not in TAG_VALUE_SORTS:
        raise ApiError(400, {"sort": [f'"{sort}" is not a valid choice.']})
    rows = _tag_rows(store, group["id"], environments_of(request), key)
    if not rows:
        raise not_found()
    rows = sorted(rows, key=TAG_VALUE_SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    items = [tag_value_json(key, r) for r in rows[:MAX_TAG_VALUES]]
    return paginate_list(request, items)


async def project_events(request: Request) -> Response:
    store = store_of(request)
    _, org = org_of(request, store, *PROJECT_READ)
    project = lookup.project(store, org, request.path_params["project"])
    scope = "e.project_id = ? AND e.type != 'transaction'"
    return _event_page(request, store, org, scope, project["id"])


async def project_event(request: Request) -> Response:
    store = store_of(request)
    _, org = org_of(request, store, *PROJECT_READ)
    project = lookup.project(store, org, request.path_params["project"])
    event_id = request.path_params["event_id"]
    if not EVENT_ID.match(event_id):
        raise not_found()
    envs = environments_of(request)
    scope_sql = "e.project_id = ?"
    scope_params: list[Any] = [project["id"]]
    if envs:
        scope_sql += f" AND e.environment IN ({','.join('?' * len(envs))})"
        scope_params += envs
    row = _event_by_ref(store, scope_sql, scope_params, event_id)
    if row is None:
        raise not_found()
    body = render_full(store, org["id"], row)
    body.update(_neighbours(store, row, scope_sql, scope_params))
    return JSONResponse(body)


async def event_id_lookup(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    event_id = request.path_params["event_id"]
    if not EVENT_ID.match(event_id):
        raise not_found()
    row = store.query_one(
        "SELECT e.*, p.slug AS project_slug FROM events e JOIN projects p"
        " ON p.id = e.project_id WHERE p.org_id = ? AND e.event_id = ?",
        (org["id"], event_id.lower()),
    )
    if row is None:
        raise not_found()
    return JSONResponse(
        {
            "organizationSlug": org["slug"],
            "projectSlug": row["project_slug"],
            "groupId": str(row["group_id"]) if row["group_id"] else None,
            "eventId": row["event_id"],
            "event": render_full(store, org["id"], row),
        }
    )


def tag_value_rows(request: Request, store: Store, key: str, project_ids: list[Any]) -> list[Any]:
    """A tag key's values in `project_ids`, newest first: `?query=` is a substring of the value,
    `?environment=` narrows the events (the project and the org routes answer alike)."""
    marks = ",".join("?" * len(project_ids)) or "NULL"
    where, params = f"t.key = ? AND e.project_id IN ({marks})", [key, *project_ids]
    contains = request.query_params.get("query")
    if contains:
        where += " AND t.value LIKE ? ESCAPE '\\'"
        params.append(like_pattern(contains, contains=True))
    envs = environments_of(request)
    if envs:
        where += f" AND e.environment IN ({','.join('?' * len(envs))})"
        params += envs
    return store.query(
        "SELECT t.key, t.value, COUNT(*) AS n, MIN(e.timestamp) AS first,"
        " MAX(e.timestamp) AS last FROM event_tags t JOIN events e ON e.id = t.event_row"
        f" WHERE {where} GROUP BY t.value ORDER BY last DESC, t.value LIMIT ?",
        [*params, MAX_TAG_VALUES],
    )


async def project_tag_values(request: Request) -> Response:
    store = store_of(request)
    _, org = org_of(request, store, *PROJECT_READ)
    project = lookup.project(store, org, request.path_params["project"])
    key = request.path_params["key"]
    rows = tag_value_rows(request, store, key, [project["id"]])
    if not rows and not request.query_params.get("query"):
        raise not_found()
    return paginate_list(request, [tag_value_json(key, r) for r in rows])


async def org_tags(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    project_ids = project_ids_of(request, store, org)
    where = f"e.project_id IN ({','.join('?' * len(project_ids)) or 'NULL'})"
    params: list[Any] = list(project_ids)
    envs = environments_of(request)
    if envs:
        where += f" AND e.environment IN ({','.join('?' * len(envs))})"
        params += envs
    start, end = time_window(request, store.now())
    if start is not None:
        where += " AND e.timestamp >= ?"
        params.append(start)
    if end is not None:
        where += " AND e.timestamp <= ?"
        params.append(end)
    rows = store.query(
        "SELECT t.key, COUNT(*) AS n FROM event_tags t JOIN events e ON e.id = t.event_row"
        f" WHERE {where} GROUP BY t.key ORDER BY t.key",
        params,
    )
    return JSONResponse(
        [{"key": r["key"], "name": tag_name(r["key"]), "totalValues": r["n"]} for r in rows]
    )


def routes() -> list[Route]:
    out: list[Route] = []
    for prefix in ("/api/0/organizations/{org}/issues/{issue_id}", "/api/0/issues/{issue_id}"):
        out += [
            Route(f"{prefix}/events/", issue_events, methods=["GET"]),
            Route(f"{prefix}/events/{{event_id}}/", issue_event, methods=["GET"]),
            Route(f"{prefix}/hashes/", hashes, methods=["GET"]),
            Route(f"{prefix}/tags/", tags, methods=["GET"]),
            Route(f"{prefix}/tags/{{key}}/", tag_detail, methods=["GET"]),
            Route(f"{prefix}/tags/{{key}}/values/", tag_values, methods=["GET"]),
        ]
    out += [
        Route("/api/0/projects/{org}/{project}/events/", project_events, methods=["GET"]),
        Route("/api/0/projects/{org}/{project}/events/{event_id}/", project_event, methods=["GET"]),
        Route("/api/0/organizations/{org}/eventids/{event_id}/", event_id_lookup, methods=["GET"]),
        Route("/api/0/organizations/{org}/tags/", org_tags, methods=["GET"]),
        Route(
            "/api/0/projects/{org}/{project}/tags/{key}/values/",
            project_tag_values,
            methods=["GET"],
        ),
    ]
    return out
