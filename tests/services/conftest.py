"""Clients on the seeded demo server shared by the service tests: one that counts the requests
it sends (to prove what an operation costs) and a plain one (the test's own view of the API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient


class CountingTransport(httpx.AsyncHTTPTransport):
    """Counts requests per path, so a test proves how many calls an operation costs."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


@pytest.fixture
async def counted(seeded_server, seeded_world) -> AsyncIterator[tuple[SentryClient, list[str]]]:
    transport = CountingTransport()
    async with SentryClient(seeded_server.url, seeded_world.token, transport=transport) as client:
        yield client, transport.paths


@pytest.fixture
async def raw(seeded_server, seeded_world) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client on the same server: the test's own view of what the API says."""
    async with httpx.AsyncClient(
        base_url=seeded_server.url,
        headers={"Authorization": f"Bearer {seeded_world.token}"},
    ) as client:
        yield client
