"""Releases of an org: the list (filtered by project, environment, text) and one release."""

from __future__ import annotations

from collections.abc import Iterable

from dexter_tui.sentry.models import Release
from dexter_tui.sentry.pagination import Page
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, pairs, q


class ReleasesApi(Transport):
    """Read releases."""

    async def list_releases(
        self,
        org: str,
        *,
        cursor: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        query: str | None = None,
        per_page: int | None = None,
    ) -> Page[Release]:
        params = pairs(
            project=list(projects or []),
            environment=list(environments or []),
            query=query,
            per_page=per_page,
        )
        return await self._get_page(
            f"{API}/organizations/{q(org)}/releases/",
            Release,
            org=org,
            params=params,
            cursor=cursor,
        )

    async def get_release(
        self, org: str, version: str, *, project: int | str | None = None
    ) -> Release:
        return await self._get(
            f"{API}/organizations/{q(org)}/releases/{q(version)}/",
            Release,
            org=org,
            params=pairs(project=project),
        )
