"""Tag keys and values for search completion: the org's tag keys and one key's values by prefix.

`GET /organizations/{org}/tags/` is Sentry's documented "List an Organization's Tags"; the values
come from `GET /organizations/{org}/tags/{key}/values/?query=PREFIX`, the route Sentry's own
issue-search bar asks (same body as the documented project route: a list of tag values).
"""

from __future__ import annotations

from collections.abc import Iterable

from dexter_tui.sentry.decoding import parse_list
from dexter_tui.sentry.models import SentryModel, TagValue
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, pairs, q


class TagKey(SentryModel):
    key: str = ""
    name: str | None = None
    total_values: int | None = None


class SearchTagsApi(Transport):
    """The org-level tag routes search completion reads."""

    async def list_org_tag_keys(
        self,
        org: str,
        *,
        projects: Iterable[str | int] = (),
        environments: Iterable[str] = (),
        period: str | None = None,
    ) -> list[TagKey]:
        params = pairs(project=list(projects), environment=list(environments), statsPeriod=period)
        response = await self.request(
            "GET", f"{API}/organizations/{q(org)}/tags/", org=org, params=params
        )
        return parse_list(response, TagKey)

    async def list_org_tag_values(
        self,
        org: str,
        key: str,
        *,
        prefix: str = "",
        projects: Iterable[str | int] = (),
        environments: Iterable[str] = (),
    ) -> list[TagValue]:
        """One page of `key`'s values containing `prefix`, most recently seen first."""
        params = pairs(query=prefix or None, project=list(projects), environment=list(environments))
        response = await self.request(
            "GET", f"{API}/organizations/{q(org)}/tags/{q(key)}/values/", org=org, params=params
        )
        return parse_list(response, TagValue)
