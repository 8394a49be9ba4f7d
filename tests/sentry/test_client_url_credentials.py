"""Credentials written into the Sentry URL never replace the token.

Why: httpx turns `https://user:pw@host` into a Basic `Authorization` header that silently
overwrites the Bearer token, so every request answered 401 with the token never sent — and the
URL's password went to the server instead. Sentry accepts only the token.
"""

from __future__ import annotations

from dexter_tui.sentry.client import SentryClient
from tests.sentry.conftest import RecordingTransport


async def test_a_url_with_credentials_still_sends_the_token(live_server, world) -> None:
    scheme, rest = live_server.url.split("://", 1)
    recorder = RecordingTransport()
    async with SentryClient(
        f"{scheme}://someone:hunter2@{rest}", world.token, transport=recorder
    ) as client:
        orgs = await client.list_organizations()
    assert world.org_slug in [org.slug for org in orgs]
    assert recorder.statuses == [200]
    assert "hunter2" not in recorder.sent[0].url
    assert "someone" not in recorder.sent[0].url
    assert client.base_url == live_server.url
