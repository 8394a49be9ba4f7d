"""Sentry's saved searches: `GET|POST /organizations/{org}/searches/`, `DELETE …/{id}/`.

Not in the OpenAPI document; the body is Sentry's `SavedSearchSerializer`. The list holds
Sentry's global defaults ("Unresolved Issues", "Needs Triage"…), the org's shared searches and
the caller's own. Older self-hosted servers (or tokens without an org scope) answer 404/403:
callers treat those as "no saved searches here".
"""

from __future__ import annotations

from datetime import datetime

from dexter_tui.sentry.decoding import parse, parse_list
from dexter_tui.sentry.models import SentryModel
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, pairs, q

#: Sentry's SearchType for issue searches
ISSUE_SEARCH = 0


class SavedSearch(SentryModel):
    id: str
    type: int | None = ISSUE_SEARCH
    name: str = ""
    query: str = ""
    sort: str | None = None
    visibility: str | None = None  # organization | owner | owner_pinned
    date_created: datetime | None = None
    is_global: bool = False
    is_pinned: bool = False


class SavedSearchesApi(Transport):
    """List, create and delete an org's saved searches."""

    async def list_saved_searches(self, org: str, *, type: int = ISSUE_SEARCH) -> list[SavedSearch]:
        """Every saved search of `type` the caller sees (unpaginated, by name)."""
        response = await self.request(
            "GET", f"{API}/organizations/{q(org)}/searches/", org=org, params=pairs(type=type)
        )
        return parse_list(response, SavedSearch)

    async def create_saved_search(
        self,
        org: str,
        name: str,
        query: str,
        *,
        sort: str = "date",
        visibility: str | None = None,
        type: int = ISSUE_SEARCH,
    ) -> SavedSearch:
        """Save `query` under `name` (visibility None: the server's default for the caller)."""
        body: dict[str, object] = {"type": type, "name": name, "query": query, "sort": sort}
        if visibility is not None:
            body["visibility"] = visibility
        response = await self.request(
            "POST", f"{API}/organizations/{q(org)}/searches/", org=org, json=body
        )
        return parse(response, SavedSearch)

    async def delete_saved_search(self, org: str, search_id: str | int) -> None:
        await self.request(
            "DELETE",
            f"{API}/organizations/{q(org)}/searches/{q(search_id)}/",
            org=org,
            idempotent=True,
        )
