"""An event's suspect commits: `GET /projects/{org}/{project}/events/{event_id}/committers/`.

Sentry's `EventFileCommittersEndpoint` (not in the OpenAPI document) answers
`{"committers": [{"author": {…}, "commits": [{…, "suspectCommitType": "…"}]}]}`, or 404 when the
event's release has no commits (or there is no repository integration): "none", not an error.
"""

from __future__ import annotations

from dexter_tui.sentry.decoding import json_body, validate
from dexter_tui.sentry.models import Committer
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, q


class CommittersApi(Transport):
    """Who last touched the code an event failed in."""

    async def list_event_committers(self, org: str, project: str, event_id: str) -> list[Committer]:
        """The suspect commits of an event (who last touched its in-app frames)."""
        path = f"{API}/projects/{q(org)}/{q(project)}/events/{q(event_id)}/committers/"
        response = await self.request("GET", path, org=org)
        data = json_body(response)
        items = data.get("committers") if isinstance(data, dict) else None
        return [validate(response, Committer, c) for c in items or [] if isinstance(c, dict)]
