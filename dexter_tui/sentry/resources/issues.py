"""Issues: the list (with the legacy project-scoped fallback), one issue, short/event id lookups.

Bulk changes of many issues live in `bulk.py`; an issue's events, tags and notes in their own parts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from dexter_tui.sentry import models  # `models.EventIdLookup`: built on first use
from dexter_tui.sentry.decoding import parse
from dexter_tui.sentry.errors import NotFound
from dexter_tui.sentry.models import Issue, ShortIdLookup
from dexter_tui.sentry.pagination import Page, iterate_pages
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import API, pairs, q

if TYPE_CHECKING:
    from dexter_tui.sentry.event_models import EventIdLookup


class IssuesApi(IssueRoutes):
    """List, read, change and delete single issues."""

    def issue_list_params(
        self,
        *,
        query: str | None = "is:unresolved",
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = None,
        start: str | None = None,
        end: str | None = None,
        group_stats_period: str | None = "24h",
        sort: str | None = None,
        limit: int | None = 100,
        expand: Iterable[str] | None = None,
        collapse: Iterable[str] | None = None,
        short_id_lookup: bool | None = None,
    ) -> list[tuple[str, str]]:
        """Query pairs of `GET /organizations/{org}/issues/` (SENTRY_API.md §3.1)."""
        if limit is not None and not 1 <= limit <= 100:
            raise ValueError("limit must be 1..100")
        return pairs(
            query=query if query is not None else "",
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period,
            start=start,
            end=end,
            groupStatsPeriod=group_stats_period,
            sort=sort,
            limit=limit,
            expand=list(expand or []),
            collapse=list(collapse or []),
            shortIdLookup=short_id_lookup,
        )

    async def list_issues(
        self,
        org: str,
        *,
        cursor: str | None = None,
        legacy_project: str | None = None,
        off_loop: bool = False,
        **kw: Any,
    ) -> Page[Issue]:
        """One page of issues (stats included); `kw` as `issue_list_params`.

        On a server without the org-scoped route (404) and a `legacy_project` slug, falls back to
        the deprecated project-scoped list. `off_loop`: the page is decoded in a worker thread.
        """
        params = self.issue_list_params(**kw)
        path = f"{API}/organizations/{q(org)}/issues/"
        if legacy_project and self._legacy_issue_routes.get(org):
            return await self._legacy_issue_page(org, legacy_project, kw, cursor)
        try:
            page = await self._get_page(
                path, Issue, org=org, params=params, cursor=cursor, off_loop=off_loop
            )
        except NotFound:
            if not legacy_project or self._legacy_issue_routes.get(org) is False:
                raise
            page = await self._legacy_issue_page(org, legacy_project, kw, cursor)
            self._legacy_issue_routes[org] = True
            return page
        self._legacy_issue_routes.setdefault(org, False)
        return page

    async def _legacy_issue_page(
        self, org: str, project: str, kw: dict[str, Any], cursor: str | None
    ) -> Page[Issue]:
        stats = kw.get("group_stats_period", "24h")
        params = pairs(
            query=kw.get("query", "is:unresolved") or "",
            statsPeriod=stats if stats in ("", "24h", "14d") else "24h",
            sort=kw.get("sort"),
            limit=kw.get("limit", 100),
            shortIdLookup=kw.get("short_id_lookup"),
        )
        path = f"{API}/projects/{q(org)}/{q(project)}/issues/"
        return await self._get_page(path, Issue, org=org, params=params, cursor=cursor)

    async def iter_issues(
        self, org: str, *, max_pages: int = 10, cursor: str | None = None, **kw: Any
    ) -> AsyncIterator[Page[Issue]]:
        """Pages of issues until the last one (`results="false"`) or `max_pages`."""
        async for page in iterate_pages(
            lambda c: self.list_issues(org, cursor=c, **kw), cursor=cursor, max_pages=max_pages
        ):
            yield page

    async def get_issue(
        self,
        org: str,
        issue_id: str | int,
        *,
        environments: Iterable[str] | None = None,
        expand: Iterable[str] | None = None,
        collapse: Iterable[str] | None = None,
    ) -> Issue:
        params = pairs(
            environment=list(environments or []),
            expand=list(expand or []),
            collapse=list(collapse or []),
        )
        response = await self._issue_call("GET", org, issue_id, params=params)
        return parse(response, Issue)

    async def update_issue(self, org: str, issue_id: str | int, changes: dict[str, Any]) -> Issue:
        """Partial update of one issue (status, assignedTo, isBookmarked...); returns it."""
        if not changes:
            raise ValueError("update_issue needs at least one change")
        response = await self._issue_call("PUT", org, issue_id, json=changes, idempotent=True)
        return parse(response, Issue)

    async def delete_issue(self, org: str, issue_id: str | int) -> None:
        """Queue one issue for deletion (202)."""
        await self._issue_call("DELETE", org, issue_id, idempotent=True)

    async def lookup_short_id(self, org: str, short_id: str) -> ShortIdLookup:
        return await self._get(
            f"{API}/organizations/{q(org)}/shortids/{q(short_id)}/", ShortIdLookup, org=org
        )

    async def lookup_event_id(self, org: str, event_id: str) -> EventIdLookup:
        return await self._get(
            f"{API}/organizations/{q(org)}/eventids/{q(event_id)}/", models.EventIdLookup, org=org
        )
