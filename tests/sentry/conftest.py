"""Fixtures for the client tests: the real client on the demo server over loopback HTTP, issues
made by the real sentry-sdk, a transport that records what the client sends, and fault control.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sentry_sdk

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.world import World
from dexter_tui.sentry.client import SentryClient


@dataclass
class Sent:
    method: str
    url: str
    body: bytes


@dataclass
class RecordingTransport(httpx.AsyncBaseTransport):
    """Delegates to real HTTP and keeps every request the client sent (for contract checks)."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    sent: list[Sent] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.sent.append(Sent(request.method, str(request.url), body))
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class SleepLog:
    """A `sleep` for the client that records the waits and yields without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def make_client(
    live_server: BackgroundServer, world: World, recorder: RecordingTransport
) -> Callable[..., SentryClient]:
    made: list[SentryClient] = []

    def make(token: str | None = None, **kw: Any) -> SentryClient:
        kw.setdefault("transport", recorder)
        client = SentryClient(live_server.url, world.token if token is None else token, **kw)
        made.append(client)
        return client

    return make


@pytest.fixture
async def client(make_client, sleeps: SleepLog) -> AsyncIterator[SentryClient]:
    """The client with the full token; retries do not really sleep (see `sleeps.waits`)."""
    async with make_client(sleep=sleeps) as c:
        yield c


@pytest.fixture
def faults(live_server: BackgroundServer, world: World) -> Callable[[dict[str, Any]], None]:
    """Set demo faults: `faults({"drop_connection": 1})` (`POST /api/0/_demo/faults/`)."""

    def configure(body: dict[str, Any]) -> None:
        r = httpx.post(
            f"{live_server.url}/api/0/_demo/faults/",
            json=body,
            headers={"Authorization": f"Bearer {world.token}"},
        )
        r.raise_for_status()

    return configure


def capture_issues(
    server: BackgroundServer, world: World, project: str, count: int, *, prefix: str = "boom"
) -> None:
    """Raise `count` real exceptions and send them with sentry-sdk, one issue each."""
    keys = world.projects[project]
    host = server.url.split("://", 1)[1]
    dsn = f"http://{keys.public_key}@{host}/{keys.project_id}"
    sdk = sentry_sdk.Client(
        dsn, default_integrations=False, environment="production", release="app@1.0.0"
    )
    try:
        for i in range(count):
            with sentry_sdk.new_scope() as scope:
                scope.set_client(sdk)
                scope.fingerprint = [f"{prefix}-{i}"]
                scope.set_tag("case", str(i))
                try:
                    raise ValueError(f"{prefix} number {i}")
                except ValueError as exc:
                    sentry_sdk.capture_exception(exc)
    finally:
        sdk.flush(timeout=10)
        sdk.close()
