"""Who and where: the org, its projects, environments, members and teams, and the current user.

Loaded once at start (a handful of requests) so screens can resolve project slugs to the ids
Sentry's issue search wants, offer assignees, and put "me" first.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Member, Project, Team
from dexter_tui.services.actions import Assignee


@dataclass
class Workspace:
    org: str
    projects: list[Project] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    me_email: str | None = None
    me_id: str | None = None

    def project_ids(self, slugs: list[str]) -> list[str]:
        """Ids for the given slugs (Sentry's org issue search filters by project id)."""
        by_slug = {p.slug: p.id for p in self.projects}
        missing = [s for s in slugs if s not in by_slug]
        if missing:
            known = ", ".join(sorted(by_slug)) or "none"
            raise LookupError(f"unknown project(s): {', '.join(missing)} (known: {known})")
        return [by_slug[s] for s in slugs]

    @property
    def me(self) -> Assignee | None:
        if self.me_id is None:
            return None
        name = next(
            (m.name or m.email or "me" for m in self.members if m.user and m.user.id == self.me_id),
            self.me_email or "me",
        )
        return Assignee("user", self.me_id, name, self.me_email)

    def assignees(self) -> list[Assignee]:
        """Members (by user id, as `assignedTo` wants) then teams."""
        people = [
            Assignee("user", m.user.id, m.name or m.email or m.user.id, m.email)
            for m in self.members
            if m.user is not None and not m.pending
        ]
        people.sort(key=lambda a: a.name.casefold())
        teams = sorted(
            (Assignee("team", t.id, t.slug or t.name) for t in self.teams),
            key=lambda a: a.name.casefold(),
        )
        return people + teams


async def load_workspace(client: SentryClient, org: str) -> Workspace:
    """Fetch what the screens need about `org`, concurrently."""
    info, projects, environments, members, teams = await asyncio.gather(
        client.server_info(),
        client.list_projects(org),
        client.list_environments(org),
        client.list_members(org),
        client.list_teams(org),
    )
    user = info.raw.get("user") if isinstance(info.raw, dict) else None
    return Workspace(
        org=org,
        projects=projects,
        environments=sorted(e.name for e in environments),
        members=members,
        teams=teams,
        me_email=user.get("email") if isinstance(user, dict) else None,
        me_id=str(user["id"]) if isinstance(user, dict) and user.get("id") else None,
    )
