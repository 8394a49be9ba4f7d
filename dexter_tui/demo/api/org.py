"""Organisation-level routes: the API root, organisations, projects, teams, members,
environments and project keys (DSNs)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.errors import ApiError, not_found
from dexter_tui.demo.api.shapes import (
    MEMBER_SELECT,
    ROLE_SCOPES,
    base_url,
    iso,
    member_json,
    member_role,
    org_json,
    project_list_item,
    project_summary,
    team_json,
    user_json,
)
from dexter_tui.demo.auth import Caller, authenticate, bearer_token
from dexter_tui.demo.pagination import page_params, paginate_list, paginated
from dexter_tui.demo.store import loads_lenient

if TYPE_CHECKING:
    import sqlite3

    from starlette.requests import Request

    from dexter_tui.demo.store import Store

ORG_READ = ("org:read", "org:write", "org:admin")
PROJECT_READ = ("project:read", "project:write", "project:admin")
MEMBER_READ = ("member:read", "member:write", "member:admin")
VISIBILITY = ("all", "hidden", "visible")


def _split_query(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """`key:value` tokens and free words of a simple search string."""
    tokens: dict[str, list[str]] = {}
    words: list[str] = []
    for part in text.split():
        key, sep, value = part.partition(":")
        if sep and key and value:
            tokens.setdefault(key, []).append(value.strip('"'))
        else:
            words.append(part)
    return tokens, words


def caller_org(store: Store, request: Request, *scopes: str) -> tuple[Caller, sqlite3.Row]:
    caller = authenticate(request, store, *scopes)
    return caller, lookup.org(store, caller, request.path_params["org"])


def caller_project(
    store: Store, request: Request, *scopes: str
) -> tuple[Caller, sqlite3.Row, sqlite3.Row]:
    caller, org = caller_org(store, request, *scopes)
    return caller, org, lookup.project(store, org, request.path_params["project"])


async def api_root(request: Request) -> JSONResponse:
    """`GET /api/0/`: who the token belongs to (what `sentry-cli info` shows)."""
    store = store_of(request)
    if bearer_token(request) is None:
        return JSONResponse({"version": "0", "auth": None, "user": None})
    caller = authenticate(request, store)
    user = store.query_one("SELECT * FROM users WHERE id = ?", (caller.user_id,))
    return JSONResponse(
        {
            "version": "0",
            "auth": {"scopes": sorted(caller.scopes)},
            "user": None if user is None else user_json(user),
        }
    )


async def organizations(request: Request) -> JSONResponse:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    rows = store.query(
        "SELECT o.*, m.role FROM organizations o LEFT JOIN members m"
        " ON m.org_id = o.id AND m.user_id = ? ORDER BY o.name, o.id",
        (caller.user_id,),
    )
    rows = [
        r
        for r in rows
        if (caller.org_id is None and r["role"] is not None) or caller.org_id == r["id"]
    ]
    if request.query_params.get("owner") in ("1", "true"):
        rows = [r for r in rows if r["role"] == "owner"]
    query = request.query_params.get("query", "").strip().lower()
    if query:
        rows = [r for r in rows if query in r["slug"].lower() or query in r["name"].lower()]
    items = [org_json(request, r) for r in rows]
    return paginate_list(request, items)


async def organization(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, *ORG_READ)
    role = member_role(store, org["id"], caller.user_id) or "member"
    out = org_json(request, org, role=role)
    out["orgRole"] = role
    out["extraOptions"] = {}
    out["onboardingTasks"] = []
    return JSONResponse(out)


async def org_projects(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, *ORG_READ)
    rows = store.query("SELECT * FROM projects WHERE org_id = ? ORDER BY slug", (org["id"],))
    tokens, words = _split_query(request.query_params.get("query", ""))
    items = [project_list_item(store, r, caller.user_id) for r in rows]
    items = [p for p in items if _project_matches(p, tokens, words)]
    if request.query_params.get("all_projects") == "1":
        return JSONResponse(items)
    return paginate_list(request, items)


async def all_projects(request: Request) -> JSONResponse:
    """Legacy `GET /api/0/projects/`: every project the caller can see, with its org."""
    store = store_of(request)
    caller = authenticate(request, store, *PROJECT_READ)
    rows = store.query(
        "SELECT p.* FROM projects p JOIN organizations o ON o.id = p.org_id"
        " JOIN members m ON m.org_id = o.id AND m.user_id = ? ORDER BY o.slug, p.slug",
        (caller.user_id,),
    )
    orgs: dict[int, dict[str, Any]] = {}
    items = []
    for r in rows:
        if caller.org_id is not None and r["org_id"] != caller.org_id:
            continue
        if r["org_id"] not in orgs:
            org = store.query_one("SELECT * FROM organizations WHERE id = ?", (r["org_id"],))
            orgs[r["org_id"]] = org_json(request, org)
        item = project_summary(store, r, caller.user_id)
        item["organization"] = orgs[r["org_id"]]
        items.append(item)
    return paginate_list(request, items)


async def project_detail(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org, project = caller_project(store, request, *PROJECT_READ)
    item = project_list_item(store, project, caller.user_id)
    for key in ("environments", "hasUserReports", "latestDeploys"):
        item.pop(key, None)
    item.update(_PROJECT_DETAIL_DEFAULTS)
    item["organization"] = org_json(request, org)
    item["options"] = {}
    return JSONResponse(item)


async def org_teams(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, *ORG_READ, "team:read")
    rows = store.query("SELECT * FROM teams WHERE org_id = ? ORDER BY slug", (org["id"],))
    detailed = request.query_params.get("detailed", "1") != "0"
    query = request.query_params.get("query", "").strip().lower()
    if query:
        rows = [r for r in rows if query in r["slug"].lower() or query in r["name"].lower()]
    items = [_team(store, caller, r, detailed) for r in rows]
    return paginate_list(request, items)


def _team(store: Store, caller: Caller, row: sqlite3.Row, detailed: bool) -> dict[str, Any]:
    projects = None
    if detailed:
        prows = store.query(
            "SELECT p.* FROM projects p JOIN project_teams pt ON pt.project_id = p.id"
            " WHERE pt.team_id = ? ORDER BY p.slug",
            (row["id"],),
        )
        projects = [project_summary(store, p, caller.user_id) for p in prows]
    return team_json(store, row, caller.user_id, projects=projects)


async def user_teams(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, *ORG_READ)
    rows = store.query(
        "SELECT DISTINCT t.* FROM teams t JOIN team_members tm ON tm.team_id = t.id"
        " JOIN members m ON m.id = tm.member_id"
        " WHERE t.org_id = ? AND m.user_id = ? ORDER BY t.slug",
        (org["id"], caller.user_id),
    )
    return JSONResponse([_team(store, caller, r, True) for r in rows])


async def project_team_list(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, _org, project = caller_project(store, request, *PROJECT_READ)
    rows = store.query(
        "SELECT t.* FROM teams t JOIN project_teams pt ON pt.team_id = t.id"
        " WHERE pt.project_id = ? ORDER BY t.slug",
        (project["id"],),
    )
    return paginate_list(request, [team_json(store, r, caller.user_id) for r in rows])


async def org_members(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, org = caller_org(store, request, *MEMBER_READ)
    rows = store.query(MEMBER_SELECT + " WHERE m.org_id = ? ORDER BY u.name, m.id", (org["id"],))
    tokens, words = _split_query(request.query_params.get("query", ""))
    items = [member_json(store, r) for r in rows]
    items = [m for m in items if _member_matches(m, tokens, words)]
    return paginate_list(request, items)


async def project_members(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, org, project = caller_project(store, request, *PROJECT_READ)
    rows = store.query(
        MEMBER_SELECT + " WHERE m.org_id = ? AND m.id IN (SELECT tm.member_id FROM"
        " team_members tm JOIN project_teams pt ON pt.team_id = tm.team_id"
        " WHERE pt.project_id = ?) ORDER BY u.name, m.id",
        (org["id"], project["id"]),
    )
    return JSONResponse([member_json(store, r) for r in rows])


def _visibility(request: Request) -> str:
    value = request.query_params.get("visibility", "visible")
    if value not in VISIBILITY:
        raise ApiError(
            400, f"Invalid value for 'visibility', valid values are: {list(VISIBILITY)!r}"
        )
    return value


async def org_environments(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, org = caller_org(store, request, *ORG_READ)
    visibility = _visibility(request)
    hidden = {"visible": "ep.is_hidden = 0", "hidden": "ep.is_hidden = 1", "all": "1"}
    rows = store.query(
        "SELECT DISTINCT e.id, e.name FROM environments e LEFT JOIN environment_projects ep"
        f" ON ep.environment_id = e.id WHERE e.org_id = ? AND ({hidden[visibility]})"
        " ORDER BY e.name",
        (org["id"],),
    )
    return JSONResponse([{"id": str(r["id"]), "name": r["name"]} for r in rows])


async def project_environments(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, _org, project = caller_project(store, request, *PROJECT_READ)
    visibility = _visibility(request)
    rows = store.query(
        "SELECT e.id, e.name, ep.is_hidden FROM environments e JOIN environment_projects ep"
        " ON ep.environment_id = e.id WHERE ep.project_id = ? ORDER BY e.name",
        (project["id"],),
    )
    items = [
        {"id": str(r["id"]), "name": r["name"], "isHidden": bool(r["is_hidden"])}
        for r in rows
        if visibility == "all" or bool(r["is_hidden"]) == (visibility == "hidden")
    ]
    return JSONResponse(items)


async def project_keys(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, _org, project = caller_project(store, request, *PROJECT_READ)
    status = request.query_params.get("status")
    items = [] if status == "inactive" else [key_json(request, project)]
    return paginate_list(request, items)


async def member_detail(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, org = caller_org(store, request, *MEMBER_READ)
    member_id = request.path_params["member_id"]
    row = None
    if (number := lookup.db_int(member_id)) is not None:
        row = store.query_one(
            MEMBER_SELECT + " WHERE m.org_id = ? AND m.id = ?", (org["id"], number)
        )
    if row is None:
        raise not_found()
    out = member_json(store, row)
    out["teamRoles"] = [{"teamSlug": t, "role": None} for t in out["teams"]]
    out["invite_link"] = None
    owners = store.query_one(
        "SELECT COUNT(*) AS n FROM members WHERE org_id = ? AND role = 'owner'", (org["id"],)
    )
    out["isOnlyOwner"] = row["role"] == "owner" and int(owners["n"]) == 1
    out["orgRoleList"] = [_org_role(role) for role in ORG_ROLES]
    out["teamRoleList"] = [_team_role(role) for role in TEAM_ROLES]
    return JSONResponse(out)


def team_row(store: Store, request: Request, org: sqlite3.Row) -> sqlite3.Row:
    key = request.path_params["team"]
    row = store.query_one("SELECT * FROM teams WHERE org_id = ? AND slug = ?", (org["id"], key))
    if row is None and (team_id := lookup.db_int(key)) is not None:
        row = store.query_one(
            "SELECT * FROM teams WHERE org_id = ? AND id = ?", (org["id"], team_id)
        )
    if row is None:
        raise not_found()
    return row


async def team_detail(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, "team:read", "team:write", "team:admin", *ORG_READ)
    row = team_row(store, request, org)
    out = _team(store, caller, row, True)
    out["organization"] = org_json(request, org)
    return JSONResponse(out)


async def team_members(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, org = caller_org(store, request, "team:read", "team:write", "team:admin", *MEMBER_READ)
    team = team_row(store, request, org)
    rows = store.query(
        MEMBER_SELECT + " JOIN team_members tm ON tm.member_id = m.id"
        " WHERE tm.team_id = ? ORDER BY u.name, m.id",
        (team["id"],),
    )
    items = []
    for r in rows:
        item = member_json(store, r)
        item["teamRole"] = "contributor"
        item["teamSlug"] = team["slug"]
        items.append(item)
    return paginate_list(request, items)


async def team_projects(request: Request) -> JSONResponse:
    store = store_of(request)
    caller, org = caller_org(store, request, *PROJECT_READ, *ORG_READ)
    team = team_row(store, request, org)
    rows = store.query(
        "SELECT p.* FROM projects p JOIN project_teams pt ON pt.project_id = p.id"
        " WHERE pt.team_id = ? ORDER BY p.slug",
        (team["id"],),
    )
    return paginate_list(request, [project_list_item(store, r, caller.user_id) for r in rows])


async def project_environment(request: Request) -> JSONResponse:
    store = store_of(request)
    _caller, _org, project = caller_project(store, request, *PROJECT_READ)
    row = store.query_one(
        "SELECT e.id, e.name, ep.is_hidden FROM environments e JOIN environment_projects ep"
        " ON ep.environment_id = e.id WHERE ep.project_id = ? AND e.name = ?",
        (project["id"], request.path_params["environment"]),
    )
    if row is None:
        raise not_found()
    return JSONResponse(
        {"id": str(row["id"]), "name": row["name"], "isHidden": bool(row["is_hidden"])}
    )


async def project_users(request: Request) -> JSONResponse:
    """The project's event users (`EventUser`): one per distinct `user` tag value."""
    store = store_of(request)
    _caller, _org, project = caller_project(store, request, *PROJECT_READ)
    query = request.query_params.get("query", "").strip()
    sql = (
        "SELECT user_key, MIN(timestamp) AS first, MAX(id) AS last_row FROM events"
        " WHERE project_id = ? AND user_key IS NOT NULL GROUP BY user_key"
        " ORDER BY first DESC, user_key"
    )

    def users_of(rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        out = []
        for r in rows:
            latest = store.query_one(
                "SELECT json_extract(data, '$.user') AS u FROM events WHERE id = ?",
                (r["last_row"],),
            )
            out.append(event_user_json(r["user_key"], latest["u"] if latest else None, r["first"]))
        return out

    if query:  # filter on the rendered users, then page
        users = users_of(store.query(sql, (project["id"],)))
        return paginate_list(request, [u for u in users if _event_user_matches(u, query)])
    offset, limit = page_params(request)
    rows = store.query(sql + " LIMIT ? OFFSET ?", (project["id"], limit + 1, offset))
    return paginated(
        request, users_of(rows[:limit]), offset=offset, limit=limit, has_more=len(rows) > limit
    )


def routes() -> list[Route]:
    return [
        Route("/api/0/", api_root, methods=["GET"]),
        Route("/api/0/organizations/", organizations, methods=["GET"]),
        Route("/api/0/organizations/{org}/", organization, methods=["GET"]),
        Route("/api/0/organizations/{org}/projects/", org_projects, methods=["GET"]),
        Route("/api/0/organizations/{org}/teams/", org_teams, methods=["GET"]),
        Route("/api/0/organizations/{org}/user-teams/", user_teams, methods=["GET"]),
        Route("/api/0/organizations/{org}/members/", org_members, methods=["GET"]),
        Route("/api/0/organizations/{org}/members/{member_id}/", member_detail, methods=["GET"]),
        Route("/api/0/teams/{org}/{team}/", team_detail, methods=["GET"]),
        Route("/api/0/teams/{org}/{team}/members/", team_members, methods=["GET"]),
        Route("/api/0/teams/{org}/{team}/projects/", team_projects, methods=["GET"]),
        Route("/api/0/organizations/{org}/environments/", org_environments, methods=["GET"]),
        Route("/api/0/projects/", all_projects, methods=["GET"]),
        Route("/api/0/projects/{org}/{project}/", project_detail, methods=["GET"]),
        Route("/api/0/projects/{org}/{project}/teams/", project_team_list, methods=["GET"]),
        Route("/api/0/projects/{org}/{project}/members/", project_members, methods=["GET"]),
        Route(
            "/api/0/projects/{org}/{project}/environments/", project_environments, methods=["GET"]
        ),
        Route("/api/0/projects/{org}/{project}/keys/", project_keys, methods=["GET"]),
        Route(
            "/api/0/projects/{org}/{project}/environments/{environment}/",
            project_environment,
            methods=["GET"],
        ),
        Route("/api/0/projects/{org}/{project}/users/", project_users, methods=["GET"]),
    ]


def key_json(request: Request, project: sqlite3.Row) -> dict[str, Any]:
    """The project's DSN key (`ProjectKeySerializer`), its URLs on the server the client used."""
    scheme, host = request.url.scheme, request.url.netloc
    pub, sec, pid = project["public_key"], project["secret_key"], project["id"]
    api = f"{scheme}://{host}/api/{pid}"
    return {
        "id": pub,
        "name": "Default",
        "label": "Default",
        "public": pub,
        "secret": sec,
        "projectId": int(pid),
        "isActive": True,
        "dsn": {
            "secret": f"{scheme}://{pub}:{sec}@{host}/{pid}",
            "public": f"{scheme}://{pub}@{host}/{pid}",
            "csp": f"{api}/csp-report/?sentry_key={pub}",
            "security": f"{api}/security/?sentry_key={pub}",
            "minidump": f"{api}/minidump/?sentry_key={pub}",
            "nel": f"{api}/nel/?sentry_key={pub}",
            "unreal": f"{api}/unreal/{pub}/",
            "crons": f"{api}/cron/___MONITOR_SLUG___/{pub}/",
            "cdn": f"{base_url(request)}/js-sdk-loader/{pub}.min.js",
            "playstation": f"{api}/playstation/?sentry_key={pub}",
            "integration": f"{base_url(request)}/",
            "otlp_traces": f"{api}/integration/otlp/v1/traces",
            "otlp_logs": f"{api}/integration/otlp/v1/logs",
        },
        "browserSdkVersion": "9.x",
        "browserSdk": {"choices": [["latest", "latest"], ["9.x", "9.x"]]},
        "dateCreated": iso(project["date_created"]),
        "dynamicSdkLoaderOptions": {
            "hasReplay": False,
            "hasPerformance": False,
            "hasDebug": False,
            "hasFeedback": False,
            "hasLogsAndMetrics": False,
        },
        "useCase": "user",
    }


def _project_matches(p: dict[str, Any], tokens: dict[str, list[str]], words: list[str]) -> bool:
    if "id" in tokens and p["id"] not in tokens["id"]:
        return False
    if "slug" in tokens and p["slug"] not in tokens["slug"]:
        return False
    if "platform" in tokens and p["platform"] not in tokens["platform"]:
        return False
    if "team" in tokens and not {t["slug"] for t in p["teams"]} & set(tokens["team"]):
        return False
    if "is_member" in tokens and p["isMember"] != (tokens["is_member"][0] in ("1", "true")):
        return False
    text = f"{p['slug']} {p['name']}".lower()
    return all(w.lower() in text for w in words)


def _member_matches(m: dict[str, Any], tokens: dict[str, list[str]], words: list[str]) -> bool:
    if "email" in tokens and m["email"].lower() not in {e.lower() for e in tokens["email"]}:
        return False
    if "role" in tokens and m["orgRole"] not in tokens["role"]:
        return False
    if "id" in tokens and m["id"] not in tokens["id"]:
        return False
    if "user.id" in tokens and m["user"]["id"] not in tokens["user.id"]:
        return False
    text = f"{m['email']} {m['name']} {m['user']['username']}".lower()
    return all(w.lower() in text for w in words)


_PROJECT_DETAIL_DEFAULTS: dict[str, Any] = {
    "digestsMinDelay": 300,
    "digestsMaxDelay": 1800,
    "subjectPrefix": "",
    "allowedDomains": ["*"],
    "resolveAge": 0,
    "dataScrubber": True,
    "dataScrubberDefaults": True,
    "safeFields": [],
    "storeCrashReports": None,
    "sensitiveFields": [],
    "subjectTemplate": "$shortID - $title",
    "securityToken": "0" * 32,
    "securityTokenHeader": None,
    "verifySSL": False,
    "scrubIPAddresses": False,
    "scrapeJavaScript": True,
    "enableAutoReleaseCreation": False,
    "highlightTags": ["handled", "level"],
    "highlightContext": {},
    "highlightPreset": {"tags": ["handled", "level"], "context": {}},
    "groupingConfig": "newstyle:2023-01-11",
    "derivedGroupingEnhancements": "",
    "groupingEnhancements": "",
    "secondaryGroupingExpiry": 0,
    "secondaryGroupingConfig": None,
    "fingerprintingRules": "",
    "processingIssues": 0,
    "defaultEnvironment": None,
    "relayPiiConfig": None,
    "builtinSymbolSources": [],
    "dynamicSamplingBiases": [],
    "symbolSources": "[]",
    "isDynamicallySampled": False,
    "tempestFetchScreenshots": False,
    "autofixAutomationTuning": "off",
    "seerScannerAutomation": False,
    "seerNightshiftTweaks": None,
    "scmSourceContextEnabled": False,
    "debugFilesRole": None,
}


ORG_ROLES = [
    ("member", "Member", "Members can view and act on events, as well as view most other data."),
    ("admin", "Admin", "Admin privileges on any teams of which they're a member."),
    (
        "manager",
        "Manager",
        "Gains admin access on all teams as well as the ability to manage members.",
    ),
    ("owner", "Owner", "Unrestricted access to the organization, its data, and its settings."),
]
TEAM_ROLES = [
    ("contributor", "Contributor", "Contributors can view and act on events."),
    ("admin", "Team Admin", "Admin access on the team's projects and membership."),
]


def _org_role(role: tuple[str, str, str]) -> dict[str, Any]:
    role_id, name, desc = role
    return {
        "id": role_id,
        "name": name,
        "desc": desc,
        "scopes": list(ROLE_SCOPES[role_id]),
        "allowed": True,
        "isAllowed": True,
        "isRetired": False,
        "isTeamRolesAllowed": True,
        "is_global": role_id in ("manager", "owner"),
        "isGlobal": role_id in ("manager", "owner"),
        "minimumTeamRole": "admin" if role_id != "member" else "contributor",
    }


def _team_role(role: tuple[str, str, str]) -> dict[str, Any]:
    role_id, name, desc = role
    return {
        "id": role_id,
        "name": name,
        "desc": desc,
        "scopes": ["event:read", "event:write", "project:read", "team:read"]
        + (["team:admin", "team:write", "project:admin"] if role_id == "admin" else []),
        "allowed": True,
        "isAllowed": True,
        "isRetired": False,
        "isTeamRolesAllowed": True,
        "isMinimumRoleFor": "admin" if role_id == "admin" else None,
    }


def event_user_json(tag_value: str, user_json_text: str | None, first: float) -> dict[str, Any]:
    """An `EventUser` from the `user` tag value (`id:42`, `email:..`) and the latest user data."""
    data = loads_lenient(user_json_text, {}) or {}
    if not isinstance(data, dict):
        data = {}
    kind, _, ident = tag_value.partition(":")
    identifier = data.get("id") or (ident if kind == "id" else None)
    out: dict[str, Any] = {
        "id": None if identifier is None else str(identifier),
        "tagValue": tag_value,
        "identifier": None if identifier is None else str(identifier),
        "username": data.get("username"),
        "email": data.get("email"),
        "name": data.get("name") or data.get("username") or data.get("email"),
        "ipAddress": data.get("ip_address"),
        "avatarUrl": "",
        "hash": hashlib.md5(tag_value.encode(), usedforsecurity=False).hexdigest(),
        "dateCreated": iso(first),
    }
    # The schema types these as plain strings: leave out what the event did not carry.
    return {k: v for k, v in out.items() if v is not None or k in ("id", "dateCreated")}


def _event_user_matches(user: dict[str, Any], query: str) -> bool:
    key, sep, value = query.partition(":")
    fields = {"id": "identifier", "email": "email", "username": "username", "ip": "ipAddress"}
    if sep and key in fields:
        return str(user.get(fields[key]) or "") == value
    return query.lower() in " ".join(str(v) for v in user.values() if v).lower()
