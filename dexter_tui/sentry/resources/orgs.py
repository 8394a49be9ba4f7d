"""The server, organizations, projects, teams, members and environments: who and where.

These answer "what can this token see" (`dexter doctor`, the project switcher, assignee pickers)
and are mostly small lists fetched whole across pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from dexter_tui.sentry.decoding import dict_list, json_body, parse_list
from dexter_tui.sentry.errors import NetworkError
from dexter_tui.sentry.models import Environment, Member, Organization, Project, Team
from dexter_tui.sentry.transport import Transport, error_of_response, network_message
from dexter_tui.sentry.urls import API, Params, pairs, q


@dataclass
class ServerInfo:
    """What `GET /api/0/` says about the server (self-hosted exposes a version there)."""

    version: str | None
    authenticated: bool | None
    raw: dict[str, Any]


class OrgsApi(Transport):
    """Server info and the org-level lists."""

    async def ping(self, limit: float = 5.0) -> None:
        """Is the server answering at all? One short `GET /api/0/`, no retries, nothing parsed.

        Any answer below 500 counts (even 401); 5xx and network errors raise. Polling uses it
        every few seconds while offline: far cheaper than the issue list it stands in for.
        """
        path = f"{API}/"
        try:
            response = await self._http.get(self.base_url + path, timeout=limit)
        except httpx.TransportError as exc:
            raise NetworkError(
                network_message(exc, self.base_url), method="GET", path=path
            ) from None
        if response.status_code >= 500:
            raise error_of_response(response, "GET", path)

    async def server_info(self) -> ServerInfo:
        """`GET /api/0/`: self-hosted and SaaS answer with auth info (and sometimes a version)."""
        data = json_body(await self.request("GET", f"{API}/"))
        if not isinstance(data, dict):
            data = {}
        version = data.get("version")
        return ServerInfo(
            version=str(version) if version not in (None, "0") else None,
            authenticated=bool(data.get("user") or data.get("auth")) if data else None,
            raw=data,
        )

    async def region_url(self, org: str) -> str:
        """The base URL org-scoped calls of `org` use (discovering it when enabled)."""
        return await self._base_for(org)

    async def list_organizations(
        self, *, max_pages: int = 5, per_page: int | None = None
    ) -> list[Organization]:
        return await self._all_pages(
            f"{API}/organizations/",
            Organization,
            org=None,
            params=pairs(per_page=per_page),
            max_pages=max_pages,
        )

    async def get_organization(self, org: str) -> Organization:
        return await self._get(f"{API}/organizations/{q(org)}/", Organization, org=org)

    async def list_projects(
        self, org: str, *, max_pages: int = 10, per_page: int | None = None
    ) -> list[Project]:
        return await self._all_pages(
            f"{API}/organizations/{q(org)}/projects/",
            Project,
            org=org,
            params=pairs(per_page=per_page),
            max_pages=max_pages,
        )

    async def get_project(self, org: str, project: str) -> Project:
        return await self._get(f"{API}/projects/{q(org)}/{q(project)}/", Project, org=org)

    async def list_teams(
        self, org: str, *, max_pages: int = 10, per_page: int | None = None
    ) -> list[Team]:
        return await self._all_pages(
            f"{API}/organizations/{q(org)}/teams/",
            Team,
            org=org,
            params=pairs(per_page=per_page),
            max_pages=max_pages,
        )

    async def list_members(self, org: str, *, max_pages: int = 10) -> list[Member]:
        """Org members (the schema declares only `cursor`: Sentry's page size applies)."""
        return await self._all_pages(
            f"{API}/organizations/{q(org)}/members/",
            Member,
            org=org,
            params=[],
            max_pages=max_pages,
        )

    async def list_project_members(self, org: str, project: str) -> list[Member]:
        response = await self.request(
            "GET", f"{API}/projects/{q(org)}/{q(project)}/members/", org=org
        )
        return parse_list(response, Member)

    async def list_environments(
        self, org: str, *, visibility: str | None = "visible"
    ) -> list[Environment]:
        response = await self.request(
            "GET",
            f"{API}/organizations/{q(org)}/environments/",
            org=org,
            params=pairs(visibility=visibility),
        )
        return parse_list(response, Environment)

    async def list_project_environments(
        self, org: str, project: str, *, visibility: str | None = "visible"
    ) -> list[Environment]:
        response = await self.request(
            "GET",
            f"{API}/projects/{q(org)}/{q(project)}/environments/",
            org=org,
            params=pairs(visibility=visibility),
        )
        return parse_list(response, Environment)

    async def list_org_resource(
        self, org: str, name: str, *, params: Params = None
    ) -> list[dict[str, Any]]:
        """One page of an org-level list endpoint as raw dicts (`workflows`, `detectors`,
        `searches`...): for features that exist only on some Sentry versions, so callers probe
        them and treat `NotFound` as absent instead of modelling every variant.
        """
        response = await self.request(
            "GET", f"{API}/organizations/{q(org)}/{q(name)}/", org=org, params=params
        )
        data = json_body(response)
        return dict_list(data)
