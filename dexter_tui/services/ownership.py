"""Who should look at an issue: its owners (`expand=owners`) and its suspect commits.

Why: "who owns this?" is the first triage question after "what broke?". Sentry answers it in two
places, both optional on a given server: the issue detail with `expand=owners` (ownership rules,
code owners, suspect-commit authors as `user:1` / `team:2` actors) and the committers route of
an event (commits of its release that touched its in-app files). Both are read here and matched
to the organisation's members and teams, so the assign picker can offer "assign to suggested"
and the event header can name the suspect commit. A route the server lacks (404) means "none".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NotFound
from dexter_tui.services.actions import Assignee

#: Sentry's GroupOwner types as a person reads them
REASONS = {
    "ownershipRule": "ownership rule",
    "codeowners": "code owners",
    "suspectCommit": "suspect commit",
}


@dataclass(frozen=True)
class Suggestion:
    """An assignee Sentry suggests for an issue, and why."""

    assignee: Assignee
    reason: str

    @property
    def label(self) -> str:
        return f"{self.assignee.label} — {self.reason}"


@dataclass(frozen=True)
class SuspectCommit:
    """One suspect commit as the header shows it."""

    sha: str
    message: str  # first line
    author: str
    why: str  # Sentry's suspectCommitType ("via commit in release", "via SCM integration")

    @property
    def short(self) -> str:
        return self.sha[:7]


def owner_entries(raw: Any) -> list[tuple[str, str]]:
    """(actor, type) pairs from an issue's `owners` (a list on Sentry; tolerant of one object)."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("owner"), str):
            out.append((item["owner"], str(item.get("type") or "")))
    return out


def suggestions(raw_owners: Any, assignees: Sequence[Assignee]) -> list[Suggestion]:
    """Owners matched to known members/teams, in Sentry's order, each actor once."""
    by_actor = {a.actor: a for a in assignees}
    seen: set[str] = set()
    out = []
    for actor, kind in owner_entries(raw_owners):
        who = by_actor.get(actor)
        if who is None or actor in seen:
            continue
        seen.add(actor)
        out.append(Suggestion(who, REASONS.get(kind, kind or "owner")))
    return out


async def suggested_assignees(
    client: SentryClient, org: str, issue_id: str, assignees: Sequence[Assignee]
) -> list[Suggestion]:
    """The issue's owners as assignees (one request: the detail route with `expand=owners`)."""
    issue = await client.get_issue(org, issue_id, expand=["owners"])
    return suggestions(issue.owners, assignees)


async def suspect_commits(
    client: SentryClient, org: str, project: str, event_id: str
) -> list[SuspectCommit]:
    """The event's suspect commits, newest first; none where the server has none (404)."""
    try:
        committers = await client.list_event_committers(org, project, event_id)
    except NotFound:
        return []
    out = []
    for committer in committers:
        author = committer.author
        who = (author.name or author.email or author.username or "") if author else ""
        for commit in committer.commits:
            message = (commit.message or "").strip().splitlines()
            out.append(
                SuspectCommit(
                    sha=commit.id,
                    message=message[0] if message else "",
                    author=who,
                    why=commit.suspect_commit_type or "",
                )
            )
    return out


def describe_owners(items: Sequence[Suggestion]) -> str:
    """`#backend (ownership rule) · Ben Backend (suspect commit)` for the header."""
    return " · ".join(f"{s.assignee.label} ({s.reason})" for s in items)


@dataclass(frozen=True)
class Ownership:
    """What the event header shows: suggested owners and suspect commits."""

    owners: list[Suggestion]
    suspects: list[SuspectCommit]


async def issue_ownership(
    client: SentryClient,
    org: str,
    issue_id: str,
    project: str | None,
    event_id: str | None,
    assignees: Sequence[Assignee],
) -> Ownership:
    """Owners and suspect commits together (two requests, concurrently)."""

    async def none() -> list[SuspectCommit]:
        return []

    owners, suspects = await asyncio.gather(
        suggested_assignees(client, org, issue_id, assignees),
        suspect_commits(client, org, project, event_id) if project and event_id else none(),
    )
    return Ownership(owners, suspects)
