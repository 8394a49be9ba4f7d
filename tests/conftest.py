"""Shared fixtures: a demo store and world, its ASGI app, and the same app on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.server import ServerOptions, create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World, create_world

REPO = Path(__file__).resolve().parent.parent
#: `../shared` beside a clean clone (read-only reference material).
SHARED = REPO.parent / "shared"


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def world(store: Store) -> World:
    return create_world(store)


@pytest.fixture
def server_options() -> ServerOptions:
    return ServerOptions()


@pytest.fixture
def demo_app(store: Store, world: World, server_options: ServerOptions):
    return create_app(store, server_options)


@pytest.fixture
async def api(demo_app, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the demo app in-process, authenticated with the full token."""
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {world.token}"},
    ) as client:
        yield client


@pytest.fixture
def live_server(demo_app) -> Iterator[BackgroundServer]:
    """The demo app served over real loopback HTTP."""
    with BackgroundServer(demo_app) as server:
        yield server
