"""The demo organisation: users, teams, projects and tokens every demo database starts with.

Kept apart from the seed scenario (which adds events and triage history) so that tests can build
an empty but complete world (`--no-seed`) and send their own events into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dexter_tui.demo.store import FULL_SCOPES, READ_SCOPES, ProjectKeys, Store

ORG_SLUG = "acme"
ORG_NAME = "Acme Corp"

#: (email, name, username, role)
USERS = [
    ("ana@acme.test", "Ana Oncall", "ana", "owner"),
    ("ben@acme.test", "Ben Backend", "ben", "admin"),
    ("chloe@acme.test", "Chloe Payments", "chloe", "member"),
    ("dev@acme.test", "Dev Notifications", "dev", "member"),
]
#: (slug, name, member usernames)
TEAMS = [
    ("backend", "Backend", ["ana", "ben"]),
    ("payments", "Payments", ["chloe", "ben"]),
    ("platform", "Platform", ["ana", "dev"]),
]
#: (slug, name, platform, team slugs)
PROJECTS = [
    ("checkout-api", "Checkout API", "python", ["backend", "payments"]),
    ("billing-worker", "Billing Worker", "python", ["payments"]),
    ("notifications", "Notifications", "python", ["platform"]),
]


@dataclass
class World:
    """Handles to what `create_world` made."""

    org_id: int
    org_slug: str
    token: str  # full access, acts as the first user (ana)
    read_token: str  # read-only scopes
    user_ids: dict[str, int] = field(default_factory=dict)  # username -> users.id
    member_ids: dict[str, int] = field(default_factory=dict)  # username -> members.id
    team_ids: dict[str, int] = field(default_factory=dict)  # slug -> teams.id
    projects: dict[str, ProjectKeys] = field(default_factory=dict)  # slug -> keys


def create_world(store: Store, *, token: str | None = None, read_token: str | None = None) -> World:
    """Create the demo organisation in an empty store."""
    org_id = store.create_org(ORG_SLUG, ORG_NAME)
    user_ids: dict[str, int] = {}
    member_ids: dict[str, int] = {}
    for email, name, username, role in USERS:
        user_ids[username] = store.create_user(email, name, username)
        member_ids[username] = store.add_member(org_id, user_ids[username], role)
    team_ids = {
        slug: store.create_team(org_id, slug, name, [member_ids[u] for u in members])
        for slug, name, members in TEAMS
    }
    projects = {
        slug: store.create_project(org_id, slug, name, platform, [team_ids[t] for t in teams])
        for slug, name, platform, teams in PROJECTS
    }
    first_user = user_ids[USERS[0][2]]
    world = World(
        org_id=org_id,
        org_slug=ORG_SLUG,
        token=store.create_token(first_user, FULL_SCOPES, token=token),
        read_token=store.create_token(first_user, READ_SCOPES, token=read_token),
        user_ids=user_ids,
        member_ids=member_ids,
        team_ids=team_ids,
        projects=projects,
    )
    store.set_meta("token", world.token)
    store.set_meta("read_token", world.read_token)
    return world


def load_world(store: Store) -> World:
    """Rebuild the handles of a world created earlier in this database (reopened `--db`)."""
    org = store.query_one("SELECT id, slug FROM organizations ORDER BY id LIMIT 1")
    if org is None:
        raise LookupError("the database holds no organisation")
    users = store.query(
        "SELECT u.id AS uid, u.username, m.id AS mid FROM users u"
        " JOIN members m ON m.user_id = u.id WHERE m.org_id = ?",
        (org["id"],),
    )
    teams = store.query("SELECT id, slug FROM teams WHERE org_id = ?", (org["id"],))
    return World(
        org_id=org["id"],
        org_slug=org["slug"],
        token=store.get_meta("token") or "",
        read_token=store.get_meta("read_token") or "",
        user_ids={r["username"]: r["uid"] for r in users},
        member_ids={r["username"]: r["mid"] for r in users},
        team_ids={r["slug"]: r["id"] for r in teams},
        projects={k.slug: k for k in store.project_keys()},
    )
