"""Triage helpers outside Sentry's public schema: similar issues, an event's suspect committers.

Both routes exist on sentry.io and recent self-hosted, but the OpenAPI document does not list
them and a server may not serve them (similarity needs its backend; committers need a repository
integration or release commits): a 404 is an answer here ("not available"), not an error.

- `GET /organizations/{org}/issues/{id}/similar/` → `[[issue, {"<feature>": score|null}], …]`
- `GET /projects/{org}/{project}/events/{event_id}/committers/` →
  `{"committers": [{"author": {…}, "commits": [{…, "suspectCommitType": "…"}]}]}`
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dexter_tui.sentry.decoding import json_body, validate
from dexter_tui.sentry.errors import BadResponse
from dexter_tui.sentry.models import Issue, SentryModel
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import API, pairs, q


class CommitAuthor(SentryModel):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    username: str | None = None


class SuspectCommit(SentryModel):
    id: str = ""
    message: str | None = None
    date_created: str | None = None
    suspect_commit_type: str | None = None
    author: CommitAuthor | None = None
    repository: dict[str, Any] | None = None


class Committer(SentryModel):
    author: CommitAuthor | None = None
    commits: list[SuspectCommit] = Field(default_factory=list)


class SimilarApi(IssueRoutes):
    """Merge candidates Sentry's similarity backend found; an event's suspect commits."""

    async def list_similar_issues(
        self, org: str, issue_id: str | int, *, limit: int = 50
    ) -> list[tuple[Issue, dict[str, float | None]]]:
        """(issue, per-feature scores 0..1) pairs, most similar first. 404: not served here."""
        response = await self._issue_call(
            "GET", org, issue_id, "similar/", params=pairs(limit=limit)
        )
        data = json_body(response)
        if not isinstance(data, list):
            raise BadResponse(
                "expected a list of [issue, scores] pairs",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        out = []
        for item in data:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], dict):
                scores = item[1] if isinstance(item[1], dict) else {}
                clean = {
                    str(k): float(v) if isinstance(v, int | float) else None
                    for k, v in scores.items()
                }
                out.append((validate(response, Issue, item[0]), clean))
        return out

    async def list_event_committers(self, org: str, project: str, event_id: str) -> list[Committer]:
        """The suspect commits of an event (who last touched its in-app frames)."""
        path = f"{API}/projects/{q(org)}/{q(project)}/events/{q(event_id)}/committers/"
        response = await self.request("GET", path, org=org)
        data = json_body(response)
        items = data.get("committers") if isinstance(data, dict) else None
        return [validate(response, Committer, c) for c in items or [] if isinstance(c, dict)]
