"""Where an issue's calls go: the org-scoped route, or the legacy one old self-hosted serves.

Sentry moved issue routes under `/organizations/{org}/`; older self-hosted installs answer those
with 404 and serve `/api/0/issues/{id}/...` and `/api/0/projects/{org}/{project}/issues/`.
The first 404 per org switches to the legacy forms, so later calls cost one request again.
"""

from __future__ import annotations

from typing import Any

import httpx

from dexter_tui.sentry.errors import NotFound
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, q


class IssueRoutes(Transport):
    """Issue-scoped calls with the per-org legacy fallback (state: `_legacy_issue_routes`)."""

    async def _issue_call(
        self,
        method: str,
        org: str,
        issue_id: str | int,
        suffix: str = "",
        **kw: Any,
    ) -> httpx.Response:
        """An issue-scoped call: org-scoped route, falling back once to `/api/0/issues/{id}/`."""
        org_path = f"{API}/organizations/{q(org)}/issues/{q(issue_id)}/{suffix}"
        legacy_path = f"{API}/issues/{q(issue_id)}/{suffix}"
        mode = self._legacy_issue_routes.get(org)
        if mode is True:
            return await self.request(method, legacy_path, org=org, **kw)
        try:
            response = await self.request(method, org_path, org=org, **kw)
        except NotFound:
            if mode is False:
                raise
            response = await self.request(method, legacy_path, org=org, **kw)
            self._legacy_issue_routes[org] = True
            return response
        self._legacy_issue_routes[org] = False
        return response
