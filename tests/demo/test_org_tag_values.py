"""`GET /organizations/{org}/tags/{key}/values/` (search completion): Sentry's body, org-wide.

The route is what Sentry's search bar asks; the public schema documents the same body for the
project route, so each answer is checked against that operation's response schema.
"""

from __future__ import annotations

import httpx
import openapi_contract as contract
from test_api_events import data  # noqa: F401 - the fixture

ORG_VALUES = "/api/0/organizations/acme/tags/{key}/values/"
PROJECT_VALUES = "/api/0/projects/acme/checkout-api/tags/{key}/values/"


def _fits_the_project_routes_schema(key: str, body: object) -> list[str]:
    return contract.check_response("GET", PROJECT_VALUES.format(key=key), 200, body).problems


async def test_org_values_match_the_project_route_and_fit_its_schema(
    api: httpx.AsyncClient,
    data,  # noqa: F811
) -> None:
    org = await api.get(ORG_VALUES.format(key="host"))
    project = await api.get(PROJECT_VALUES.format(key="host"))
    assert org.status_code == 200
    assert org.json() == project.json()  # one project holds every host value
    assert _fits_the_project_routes_schema("host", org.json()) == []
    assert "Link" in org.headers


async def test_org_values_filter_by_substring_environment_and_unknown_keys(
    api: httpx.AsyncClient,
    data,  # noqa: F811
) -> None:
    url = ORG_VALUES.format(key="host")
    found = (await api.get(url, params={"query": "b-2"})).json()
    assert [v["value"] for v in found] == ["web-2"]
    staging = (await api.get(url, params={"environment": "staging"})).json()
    assert [v["value"] for v in staging] == ["web-2"]
    unknown = await api.get(ORG_VALUES.format(key="nope"))
    assert unknown.status_code == 200
    assert unknown.json() == []
    assert _fits_the_project_routes_schema("nope", unknown.json()) == []
