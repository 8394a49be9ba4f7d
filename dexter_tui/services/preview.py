"""The list's preview pane: an issue's detail route (releases), fetched once per issue.

Why: the releases an issue was first and last seen in are only in the detail route, one request
per issue. The cursor often comes back to an issue; the answer is kept for the session (a few
hundred bytes each), so moving the cursor back and forth costs no request.
"""

from __future__ import annotations

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Issue


class IssuePreviews:
    """Issue details for the preview, by id; `cached` answers without a request."""

    def __init__(self, client: SentryClient, org: str) -> None:
        self.client = client
        self.org = org
        self._details: dict[str, Issue] = {}

    def cached(self, issue_id: str) -> Issue | None:
        return self._details.get(issue_id)

    async def load(self, issue_id: str) -> Issue:
        found = self._details.get(issue_id)
        if found is None:
            found = await self.client.get_issue(self.org, issue_id, collapse=["stats", "tags"])
            self._details[issue_id] = found
        return found
