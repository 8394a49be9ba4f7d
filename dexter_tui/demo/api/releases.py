"""Releases and deploys: what `sentry-cli releases ...` and a triage UI's release column use."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api import commits
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.body import decode_json
from dexter_tui.demo.api.errors import ApiError, not_found
from dexter_tui.demo.api.shapes import iso
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.pagination import page_params, paginated

if TYPE_CHECKING:
    import sqlite3

    from starlette.requests import Request

    from dexter_tui.demo.store import Store

READ = ("project:read", "project:write", "project:admin", "project:releases", "org:ci")
WRITE = ("project:write", "project:admin", "project:releases", "org:ci")
DELETE = ("project:admin", "project:releases")

_SEMVER = re.compile(
    r"^v?(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?(?:\.(?P<revision>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)
_HASH = re.compile(r"^[0-9a-f]{12,64}$")
#: Versions Sentry refuses (`Release.is_valid_version`).
_BAD_VERSIONS = {"", ".", "..", "latest"}
#: `ReleaseStatus` values (the API's words).
STATUSES = ("open", "archived")


def parse_status(value: Any) -> str:
    """A request's release `status` (400 with Sentry's field error when not open/archived)."""
    if value not in STATUSES:
        raise ApiError(400, {"status": [f"Invalid status {value}"]})
    return value


def version_info(version: str) -> dict[str, Any]:
    """Sentry's `versionInfo`: `package@1.2.3+build` split into its parts."""
    package, sep, raw = version.partition("@")
    if not sep or not package or not raw:
        package, raw = None, version  # type: ignore[assignment]
    out: dict[str, Any] = {"raw": raw}
    build_hash = None
    description = raw
    m = _SEMVER.match(raw)
    if m:
        build = m["build"]
        out.update(
            {
                "major": int(m["major"]),
                "minor": int(m["minor"] or 0),
                "patch": int(m["patch"] or 0),
                "revision": int(m["revision"] or 0),
                "pre": m["pre"],
                "buildCode": build,
                "components": sum(1 for g in ("major", "minor", "patch", "revision") if m[g]),
            }
        )
        core = raw.split("+", 1)[0]
        description = f"{core} ({build})" if build else core
    elif _HASH.match(raw):
        build_hash = raw
        description = raw[:12]
    return {
        "package": package,
        "version": out,
        "description": description,
        "buildHash": build_hash,
    }


def parse_date(value: Any, field: str) -> float | None:
    """An ISO 8601 request field as epoch seconds (400 with a field error when unreadable)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, {field: ["Datetime has wrong format."]})
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python < 3.12 takes at most 6 fractional digits (sentry-cli sends 9).
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, {field: ["Datetime has wrong format."]}) from None
    if dt.tzinfo is None:
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = decode_json(raw)
    except ValueError:
        raise ApiError(400, "Malformed request.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Malformed request.")
    return body


def org_of(store: Store, request: Request, *scopes: str) -> sqlite3.Row:
    caller = authenticate(request, store, *scopes)
    return lookup.org(store, caller, request.path_params["org"])


def release_row(store: Store, org: sqlite3.Row, version: str) -> sqlite3.Row:
    row = store.query_one(
        "SELECT * FROM releases WHERE org_id = ? AND version = ?", (org["id"], version)
    )
    if row is None:
        raise not_found()
    return row


def release_json(
    store: Store, row: sqlite3.Row, *, project_ids: list[int] | None = None
) -> dict[str, Any]:
    projects = store.query(
        "SELECT p.* FROM projects p JOIN release_projects rp ON rp.project_id = p.id"
        " WHERE rp.release_id = ? ORDER BY p.slug",
        (row["id"],),
    )
    counted = [p["id"] for p in projects] if project_ids is None else project_ids
    marks = ",".join("?" * len(counted)) or "NULL"
    new_groups = {
        r["project_id"]: r["n"]
        for r in store.query(
            f"SELECT project_id, COUNT(*) AS n FROM groups WHERE first_release = ?"
            f" AND merged_into IS NULL AND project_id IN ({marks}) GROUP BY project_id",
            (row["version"], *counted),
        )
    }
    span = store.query_one(
        f"SELECT MIN(timestamp) AS first, MAX(timestamp) AS last FROM events"
        f" WHERE release = ? AND project_id IN ({marks})",
        (row["version"], *counted),
    )
    deploys = store.query(
        "SELECT * FROM deploys WHERE release_id = ? ORDER BY date_finished DESC, id DESC",
        (row["id"],),
    )
    info = version_info(row["version"])
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "version": row["version"],
        "shortVersion": info["description"],
        "status": row["status"],
        "ref": row["ref"],
        "url": row["url"],
        "dateCreated": iso(row["date_created"]),
        "dateReleased": iso(row["date_released"]),
        "dateStarted": None,
        "data": {},
        "newGroups": sum(new_groups.values()),
        **commits.release_commit_summary(store, row["id"]),
        "deployCount": len(deploys),
        "firstEvent": iso(span["first"]) if span else None,
        "lastEvent": iso(span["last"]) if span else None,
        "currentProjectMeta": {},
        "userAgent": None,
        "versionInfo": info,
        "projects": [
            {
                "id": int(p["id"]),
                "slug": p["slug"],
                "name": p["name"],
                "platform": p["platform"],
                "platforms": [p["platform"]] if p["platform"] else [],
                "hasHealthData": False,
                "newGroups": int(new_groups.get(p["id"], 0)),
            }
            for p in projects
        ],
    }
    if deploys:
        out["lastDeploy"] = deploy_json(deploys[0])
    return out


def list_releases(
    store: Store, request: Request, org: sqlite3.Row, project_ids: list[int] | None
) -> JSONResponse:
    offset, limit = page_params(request)
    where = ["r.org_id = ?"]
    params: list[Any] = [org["id"]]
    if project_ids is not None:
        where.append(
            "r.id IN (SELECT release_id FROM release_projects WHERE project_id IN"
            f" ({','.join('?' * len(project_ids)) or 'NULL'}))"
        )
        params += project_ids
    environments = request.query_params.getlist("environment")
    if environments:
        marks = ",".join("?" * len(environments))
        where.append(
            "(EXISTS (SELECT 1 FROM events e WHERE e.release = r.version"
            f" AND e.environment IN ({marks})) OR EXISTS (SELECT 1 FROM deploys d"
            f" WHERE d.release_id = r.id AND d.environment IN ({marks})))"
        )
        params += environments * 2
    query = request.query_params.get("query", "").strip()
    if query:
        where.append("r.version LIKE ? ESCAPE '\\'")
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    status = request.query_params.get("status") or "open"
    if status not in STATUSES:
        raise ApiError(400, "invalid value for status")
    where.append("r.status = ?")
    params.append(status)
    rows = store.query(
        f"SELECT r.* FROM releases r WHERE {' AND '.join(where)}"
        " ORDER BY r.date_created DESC, r.id DESC LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    items = [release_json(store, r, project_ids=project_ids) for r in rows[:limit]]
    return paginated(request, items, offset=offset, limit=limit, has_more=len(rows) > limit)


def project_filter(store: Store, request: Request, org: sqlite3.Row) -> list[int] | None:
    values = [v for v in request.query_params.getlist("project") if v]
    if not values or "-1" in values:
        return None
    ids = []
    for value in values:
        if not value.lstrip("-").isdigit():
            raise ApiError(400, "Invalid project parameter. Values must be numbers.")
        number = lookup.db_int(value)
        row = (
            None
            if number is None
            else store.query_one(
                "SELECT id FROM projects WHERE org_id = ? AND id = ?", (org["id"], number)
            )
        )
        if row is None:
            raise ApiError(403, "You do not have permission to perform this action.")
        ids.append(int(row["id"]))
    return ids


def create(
    store: Store, org: sqlite3.Row, body: dict[str, Any], project_rows: list[sqlite3.Row]
) -> tuple[sqlite3.Row, bool]:
    version = body.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ApiError(400, {"version": ["This field is required."]})
    if version.strip() in _BAD_VERSIONS or any(c in version for c in "\n\t\r\x0c\x0b/\\"):
        raise ApiError(400, {"version": ["Release with name " + version + " is not allowed"]})
    date_released = parse_date(body.get("dateReleased"), "dateReleased")
    status = parse_status(body["status"]) if "status" in body else None
    commit_list = commits.validate_commits(body["commits"]) if "commits" in body else None
    refs = commits.validate_refs(body["refs"]) if body.get("refs") else None
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM releases WHERE org_id = ? AND version = ?", (org["id"], version)
        ).fetchone()
        created = row is None
        if created:
            release_id = conn.execute(
                "INSERT INTO releases (org_id, version, date_created, date_released, ref, url,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    org["id"],
                    version,
                    store.now(),
                    date_released,
                    body.get("ref"),
                    body.get("url"),
                    status or "open",
                ),
            ).lastrowid
        else:
            release_id = row["id"]
            if status is not None:  # `sentry-cli releases archive/restore` post again
                conn.execute("UPDATE releases SET status = ? WHERE id = ?", (status, release_id))
        conn.executemany(
            "INSERT OR IGNORE INTO release_projects (release_id, project_id) VALUES (?, ?)",
            [(release_id, p["id"]) for p in project_rows],
        )
        if commit_list is not None:
            commits.set_commits(conn, org["id"], release_id, commit_list, store.now())
        elif refs:
            commits.set_refs(conn, org["id"], release_id, refs, store.now())
        row = conn.execute("SELECT * FROM releases WHERE id = ?", (release_id,)).fetchone()
    return row, created


async def org_releases(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        org = org_of(store, request, *READ)
        return list_releases(store, request, org, project_filter(store, request, org))
    org = org_of(store, request, *WRITE)
    body = await _json_body(request)
    slugs = body.get("projects")
    if not isinstance(slugs, list):  # an empty list is fine (`sentry-cli releases archive`)
        raise ApiError(400, {"projects": ["This field is required."]})
    project_rows = []
    for slug in slugs:
        row = store.query_one(
            "SELECT * FROM projects WHERE org_id = ? AND (slug = ? OR CAST(id AS TEXT) = ?)",
            (org["id"], str(slug), str(slug)),
        )
        if row is None:
            raise ApiError(400, {"projects": ["Invalid project ids or slugs"]})
        project_rows.append(row)
    row, created = create(store, org, body, project_rows)
    return JSONResponse(release_json(store, row), status_code=201 if created else 208)


async def project_releases(request: Request) -> Response:
    store = store_of(request)
    scopes = READ if request.method == "GET" else WRITE
    org = org_of(store, request, *scopes)
    project = lookup.project(store, org, request.path_params["project"])
    if request.method == "GET":
        return list_releases(store, request, org, [project["id"]])
    row, created = create(store, org, await _json_body(request), [project])
    return JSONResponse(
        release_json(store, row, project_ids=[project["id"]]), status_code=201 if created else 208
    )


async def release_detail(request: Request) -> Response:
    store = store_of(request)
    version = request.path_params["version"]
    if request.method == "GET":
        org = org_of(store, request, *READ)
        row = release_row(store, org, version)
        return JSONResponse(
            release_json(store, row, project_ids=project_filter(store, request, org))
        )
    if request.method == "DELETE":
        org = org_of(store, request, *DELETE)
        row = release_row(store, org, version)
        in_use = store.query_one(
            "SELECT 1 FROM groups WHERE first_release = ? OR last_release = ? LIMIT 1",
            (version, version),
        )
        if in_use is not None:
            raise ApiError(400, "This release is in use and cannot be removed.")
        with store.transaction() as conn:
            conn.execute("DELETE FROM deploys WHERE release_id = ?", (row["id"],))
            conn.execute("DELETE FROM release_commits WHERE release_id = ?", (row["id"],))
            conn.execute("DELETE FROM release_projects WHERE release_id = ?", (row["id"],))
            conn.execute("DELETE FROM releases WHERE id = ?", (row["id"],))
        return Response(status_code=204)
    org = org_of(store, request, *WRITE)
    row = release_row(store, org, version)
    body = await _json_body(request)
    changes: dict[str, Any] = {}
    for field in ("ref", "url"):
        if field in body:
            if body[field] is not None and not isinstance(body[field], str):
                raise ApiError(400, {field: ["Not a valid string."]})
            changes[field] = body[field]
    if "dateReleased" in body:
        changes["date_released"] = parse_date(body["dateReleased"], "dateReleased")
    if "status" in body:
        changes["status"] = parse_status(body["status"])
    commit_list = commits.validate_commits(body["commits"]) if "commits" in body else None
    refs = commits.validate_refs(body["refs"]) if body.get("refs") else None
    with store.transaction() as conn:
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(f"UPDATE releases SET {sets} WHERE id = ?", (*changes.values(), row["id"]))
        if commit_list is not None:
            commits.set_commits(conn, org["id"], row["id"], commit_list, store.now())
        elif refs:
            commits.set_refs(conn, org["id"], row["id"], refs, store.now())
    return JSONResponse(release_json(store, release_row(store, org, version)))


async def release_commits(request: Request) -> Response:
    store = store_of(request)
    org = org_of(store, request, *READ)
    row = release_row(store, org, request.path_params["version"])
    if "project" in request.path_params:
        project = lookup.project(store, org, request.path_params["project"])
        linked = store.query_one(
            "SELECT 1 FROM release_projects WHERE release_id = ? AND project_id = ?",
            (row["id"], project["id"]),
        )
        if linked is None:
            raise not_found()
    offset, limit = page_params(request)
    rows = commits.release_commit_rows(store, row["id"])
    page = [commits.commit_json(store, c) for c in rows[offset : offset + limit]]
    return paginated(request, page, offset=offset, limit=limit, has_more=len(rows) > offset + limit)


async def previous_with_commits(request: Request) -> Response:
    """The newest earlier release that has commits (`{}` when none): where
    `set-commits --local` starts its range."""
    store = store_of(request)
    org = org_of(store, request, *READ)
    row = release_row(store, org, request.path_params["version"])
    prev = store.query_one(
        "SELECT r.* FROM releases r WHERE r.org_id = ? AND r.id != ?"
        " AND (r.date_created < ? OR (r.date_created = ? AND r.id < ?))"
        " AND EXISTS (SELECT 1 FROM release_commits rc WHERE rc.release_id = r.id)"
        " ORDER BY r.date_created DESC, r.id DESC LIMIT 1",
        (org["id"], row["id"], row["date_created"], row["date_created"], row["id"]),
    )
    return JSONResponse({} if prev is None else release_json(store, prev))


async def repositories(request: Request) -> Response:
    store = store_of(request)
    org = org_of(store, request, *READ)
    offset, limit = page_params(request)
    where, params = "org_id = ?", [org["id"]]
    query = request.query_params.get("query", "").strip()
    if query:
        where += " AND instr(lower(name), lower(?)) > 0"
        params.append(query)
    rows = store.query(
        f"SELECT * FROM repositories WHERE {where} ORDER BY name, id LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    return paginated(
        request,
        [commits.repository_json(r) for r in rows[:limit]],
        offset=offset,
        limit=limit,
        has_more=len(rows) > limit,
    )


async def release_deploys(request: Request) -> Response:
    store = store_of(request)
    version = request.path_params["version"]
    if request.method == "GET":
        org = org_of(store, request, *READ)
        row = release_row(store, org, version)
        offset, limit = page_params(request)
        rows = store.query(
            "SELECT * FROM deploys WHERE release_id = ? ORDER BY date_finished DESC, id DESC"
            " LIMIT ? OFFSET ?",
            (row["id"], limit + 1, offset),
        )
        return paginated(
            request,
            [deploy_json(d) for d in rows[:limit]],
            offset=offset,
            limit=limit,
            has_more=len(rows) > limit,
        )
    org = org_of(store, request, *WRITE)
    row = release_row(store, org, version)
    body = await _json_body(request)
    environment = body.get("environment")
    if not isinstance(environment, str) or not environment.strip():
        raise ApiError(400, {"environment": ["This field is required."]})
    name = body.get("name")
    started = parse_date(body.get("dateStarted"), "dateStarted")
    finished = parse_date(body.get("dateFinished"), "dateFinished") or store.now()
    with store.transaction() as conn:
        deploy_id = conn.execute(
            "INSERT INTO deploys (release_id, environment, name, date_started, date_finished)"
            " VALUES (?, ?, ?, ?, ?)",
            (row["id"], environment, name, started, finished),
        ).lastrowid
        conn.execute(
            "INSERT OR IGNORE INTO environments (org_id, name) VALUES (?, ?)",
            (org["id"], environment),
        )
        env_id = conn.execute(
            "SELECT id FROM environments WHERE org_id = ? AND name = ?",
            (org["id"], environment),
        ).fetchone()["id"]
        conn.execute(
            "INSERT OR IGNORE INTO environment_projects (environment_id, project_id)"
            " SELECT ?, project_id FROM release_projects WHERE release_id = ?",
            (env_id, row["id"]),
        )
        if row["date_released"] is None:
            conn.execute(
                "UPDATE releases SET date_released = ? WHERE id = ?", (finished, row["id"])
            )
        deploy = conn.execute("SELECT * FROM deploys WHERE id = ?", (deploy_id,)).fetchone()
    return JSONResponse(deploy_json(deploy), status_code=201)


def routes() -> list[Route]:
    return [
        Route("/api/0/organizations/{org}/releases/", org_releases, methods=["GET", "POST"]),
        Route(
            "/api/0/organizations/{org}/releases/{version:path}/deploys/",
            release_deploys,
            methods=["GET", "POST"],
        ),
        Route(
            "/api/0/organizations/{org}/releases/{version:path}/commits/",
            release_commits,
            methods=["GET"],
        ),
        Route(
            "/api/0/organizations/{org}/releases/{version:path}/previous-with-commits/",
            previous_with_commits,
            methods=["GET"],
        ),
        Route(
            "/api/0/projects/{org}/{project}/releases/{version:path}/commits/",
            release_commits,
            methods=["GET"],
        ),
        Route("/api/0/organizations/{org}/repos/", repositories, methods=["GET"]),
        Route(
            "/api/0/organizations/{org}/releases/{version:path}/",
            release_detail,
            methods=["GET", "PUT", "DELETE"],
        ),
        Route(
            "/api/0/projects/{org}/{project}/releases/", project_releases, methods=["GET", "POST"]
        ),
    ]


def deploy_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "environment": row["environment"],
        "dateStarted": iso(row["date_started"]),
        "dateFinished": iso(row["date_finished"]),
        "name": row["name"],
        "url": None,
    }
