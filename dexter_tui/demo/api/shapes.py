"""JSON shapes shared by the demo API's org-level routes (users, orgs, teams, projects, members).

Field names and types follow Sentry's serializers as described by its OpenAPI schema. Where Sentry
would send `null` for a field the schema declares as a non-nullable object (e.g. a project without
releases has no `latestRelease`), the key is left out rather than contradicting the schema.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

    from dexter_tui.demo.store import Store

#: Scopes a member of each org role holds (what `access` lists).
ROLE_SCOPES = {
    "member": [
        "alerts:read", "event:read", "event:write", "member:read", "org:read", "project:read",
        "project:releases", "team:read",
    ],
    "admin": [
        "alerts:read", "alerts:write", "event:admin", "event:read", "event:write", "member:read",
        "org:read", "project:admin", "project:read", "project:releases", "project:write",
        "team:admin", "team:read", "team:write",
    ],
    "manager": [
        "alerts:read", "alerts:write", "event:admin", "event:read", "event:write", "member:admin",
        "member:read", "member:write", "org:integrations", "org:read", "project:admin",
        "project:read", "project:releases", "project:write", "team:admin", "team:read",
        "team:write",
    ],
    "owner": [
        "alerts:read", "alerts:write", "event:admin", "event:read", "event:write", "member:admin",
        "member:read", "member:write", "org:admin", "org:integrations", "org:read", "org:write",
        "project:admin", "project:read", "project:releases", "project:write", "team:admin",
        "team:read", "team:write",
    ],
}  # fmt: skip

ORG_FEATURES = ["global-views", "advanced-search", "discover-basic", "discover-query", "onboarding"]
PROJECT_FEATURES = ["similarity-indexing", "similarity-view", "releases", "servicehooks"]
LETTER_AVATAR = {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None}


def iso(ts: float | None) -> str | None:
    """Epoch seconds as Sentry's ISO 8601 UTC text (`2024-05-01T12:00:00.123456Z`)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def base_url(request: Request) -> str:
    """`scheme://host[:port]` the client used: the demo is its own region and org host."""
    return f"{request.url.scheme}://{request.url.netloc}"


def user_json(row: sqlite3.Row) -> dict[str, Any]:
    """A user as `UserSerializer` shows it (id, name, username, email, avatar...)."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "username": row["username"],
        "email": row["email"],
        "avatarUrl": "",
        "avatar": dict(LETTER_AVATAR),
        "isActive": True,
        "isSuspended": False,
        "hasPasswordAuth": True,
        "isManaged": False,
        "dateJoined": iso(row["date_joined"]),
        "lastLogin": None,
        "has2fa": False,
        "lastActive": None,
        "isSuperuser": False,
        "isStaff": False,
        "experiments": {},
        "emails": [{"id": str(row["id"]), "email": row["email"], "is_verified": True}],
    }


def org_json(request: Request, row: sqlite3.Row, *, role: str | None = None) -> dict[str, Any]:
    base = base_url(request)
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "slug": row["slug"],
        "status": {"id": "active", "name": "active"},
        "name": row["name"],
        "dateCreated": iso(row["date_created"]),
        "isEarlyAdopter": False,
        "require2FA": False,
        "avatar": dict(LETTER_AVATAR),
        "links": {"organizationUrl": base, "regionUrl": base},
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "allowSuperuserAccess": False,
        "features": list(ORG_FEATURES),
    }
    if role is not None:
        out["access"] = list(ROLE_SCOPES.get(role, ROLE_SCOPES["member"]))
    return out


def member_role(store: Store, org_id: int, user_id: int) -> str | None:
    row = store.query_one(
        "SELECT role FROM members WHERE org_id = ? AND user_id = ?", (org_id, user_id)
    )
    return None if row is None else str(row["role"])


def team_json(
    store: Store, row: sqlite3.Row, user_id: int, *, projects: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A team (`TeamSerializer`); `projects` is added by the detailed variants."""
    count = store.query_one(
        "SELECT COUNT(*) AS n FROM team_members WHERE team_id = ?", (row["id"],)
    )
    is_member = (
        store.query_one(
            "SELECT 1 FROM team_members tm JOIN members m ON m.id = tm.member_id"
            " WHERE tm.team_id = ? AND m.user_id = ?",
            (row["id"], user_id),
        )
        is not None
    )
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "slug": row["slug"],
        "name": row["name"],
        "dateCreated": iso(row["date_created"]),
        "isMember": is_member,
        "teamRole": "contributor" if is_member else None,
        "flags": {"idp:provisioned": False},
        "access": [
            "alerts:read", "event:read", "event:write", "project:read", "project:releases",
            "team:read",
        ],
        "hasAccess": True,
        "isPending": False,
        "memberCount": int(count["n"]) if count else 0,
        "avatar": dict(LETTER_AVATAR),
    }  # fmt: skip
    if projects is not None:
        out["externalTeams"] = []
        out["projects"] = projects
    return out


def project_teams(store: Store, project_id: int) -> list[dict[str, str]]:
    rows = store.query(
        "SELECT t.id, t.slug, t.name FROM teams t JOIN project_teams pt ON pt.team_id = t.id"
        " WHERE pt.project_id = ? ORDER BY t.slug",
        (project_id,),
    )
    return [{"id": str(r["id"]), "name": r["name"], "slug": r["slug"]} for r in rows]


def _is_project_member(store: Store, project_id: int, user_id: int) -> bool:
    return (
        store.query_one(
            "SELECT 1 FROM project_teams pt JOIN team_members tm ON tm.team_id = pt.team_id"
            " JOIN members m ON m.id = tm.member_id WHERE pt.project_id = ? AND m.user_id = ?",
            (project_id, user_id),
        )
        is not None
    )


_HAS_FLAGS = (
    "hasFeedbacks", "hasFlags", "hasMinifiedStackTrace", "hasMonitors", "hasNewFeedbacks",
    "hasProfiles", "hasReplays", "hasSessions", "hasInsightsHttp", "hasInsightsDb",
    "hasInsightsAssets", "hasInsightsAppStart", "hasInsightsScreenLoad", "hasInsightsVitals",
    "hasInsightsCaches", "hasInsightsQueues", "hasInsightsAgentMonitoring", "hasInsightsMCP",
    "hasLogs", "hasTraceMetrics",
)  # fmt: skip


def project_summary(store: Store, row: sqlite3.Row, user_id: int) -> dict[str, Any]:
    """A project as `ProjectSerializer` shows it (what team and detail shapes build on)."""
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "slug": row["slug"],
        "name": row["name"],
        "platform": row["platform"],
        "dateCreated": iso(row["date_created"]),
        "isBookmarked": False,
        "isMember": _is_project_member(store, row["id"], user_id),
        "features": list(PROJECT_FEATURES),
        "firstEvent": iso(row["first_event"]),
        "firstTransactionEvent": False,
        "access": list(ROLE_SCOPES["member"]),
        "hasAccess": True,
        **dict.fromkeys(_HAS_FLAGS, False),
        "isInternal": False,
        "isPublic": False,
        "avatar": dict(LETTER_AVATAR),
        "color": "#3f70bf",
        "status": "active",
    }
    return out


def project_environments(store: Store, project_id: int) -> list[str]:
    rows = store.query(
        "SELECT e.name FROM environments e JOIN environment_projects ep"
        " ON ep.environment_id = e.id WHERE ep.project_id = ? AND ep.is_hidden = 0"
        " ORDER BY e.name",
        (project_id,),
    )
    return [r["name"] for r in rows]


def latest_release(store: Store, project_id: int) -> dict[str, str] | None:
    row = store.query_one(
        "SELECT r.version FROM releases r JOIN release_projects rp ON rp.release_id = r.id"
        " WHERE rp.project_id = ? ORDER BY r.date_created DESC, r.id DESC LIMIT 1",
        (project_id,),
    )
    return None if row is None else {"version": row["version"]}


def project_list_item(store: Store, row: sqlite3.Row, user_id: int) -> dict[str, Any]:
    """An item of `/organizations/{org}/projects/` (`OrganizationProjectResponse`)."""
    out = project_summary(store, row, user_id)
    teams = project_teams(store, row["id"])
    out["team"] = teams[0] if teams else None
    if out["team"] is None:
        del out["team"]
    out["teams"] = teams
    out["platforms"] = [row["platform"]] if row["platform"] else []
    out["hasUserReports"] = False
    out["environments"] = project_environments(store, row["id"])
    release = latest_release(store, row["id"])
    if release is not None:
        out["latestRelease"] = release
    out["latestDeploys"] = None
    out["options"] = {}
    return out


def member_json(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    """A member (`OrganizationMemberSerializer`); `row` joins members with users (`u_*`)."""
    teams = store.query(
        "SELECT t.slug FROM teams t JOIN team_members tm ON tm.team_id = t.id"
        " WHERE tm.member_id = ? ORDER BY t.slug",
        (row["id"],),
    )
    user = user_json(
        {  # type: ignore[arg-type]
            "id": row["user_id"],
            "name": row["u_name"],
            "username": row["u_username"],
            "email": row["u_email"],
            "date_joined": row["u_date_joined"],
        }
    )
    return {
        "id": str(row["id"]),
        "email": row["u_email"],
        "name": row["u_name"],
        "user": user,
        "orgRole": row["role"],
        "role": row["role"],
        "roleName": row["role"].title(),
        "pending": False,
        "expired": False,
        "flags": {
            "idp:provisioned": False,
            "idp:role-restricted": False,
            "sso:linked": False,
            "sso:invalid": False,
            "member-limit:restricted": False,
            "partnership:restricted": False,
        },
        "dateCreated": iso(row["date_created"]),
        "inviteStatus": "approved",
        "inviterName": None,
        "teams": [t["slug"] for t in teams],
    }


MEMBER_SELECT = (
    "SELECT m.*, u.name AS u_name, u.username AS u_username, u.email AS u_email,"
    " u.date_joined AS u_date_joined FROM members m JOIN users u ON u.id = m.user_id"
)
