"""An issue's tags: every key with its top values, one key, and a key's values page by page."""

from __future__ import annotations

from collections.abc import Iterable

from dexter_tui.sentry.decoding import parse, parse_list
from dexter_tui.sentry.models import TagDetail, TagValue
from dexter_tui.sentry.pagination import Page
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import pairs, q


class TagsApi(IssueRoutes):
    """Tag distributions of one issue."""

    async def list_issue_tags(
        self, org: str, issue_id: str | int, *, environments: Iterable[str] | None = None
    ) -> list[TagDetail]:
        params = pairs(environment=list(environments or []))
        response = await self._issue_call("GET", org, issue_id, "tags/", params=params)
        return parse_list(response, TagDetail)

    async def get_issue_tag(
        self,
        org: str,
        issue_id: str | int,
        key: str,
        *,
        environments: Iterable[str] | None = None,
    ) -> TagDetail:
        params = pairs(environment=list(environments or []))
        response = await self._issue_call("GET", org, issue_id, f"tags/{q(key)}/", params=params)
        return parse(response, TagDetail)

    async def list_issue_tag_values(
        self,
        org: str,
        issue_id: str | int,
        key: str,
        *,
        cursor: str | None = None,
        sort: str | None = None,
        environments: Iterable[str] | None = None,
    ) -> Page[TagValue]:
        params = pairs(sort=sort, environment=list(environments or []), cursor=cursor)
        response = await self._issue_call(
            "GET", org, issue_id, f"tags/{q(key)}/values/", params=params
        )
        return Page.from_headers(parse_list(response, TagValue), response.headers)
