"""Shared fixtures: a demo store and world, its ASGI app, and the same app on a loopback port."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.server import ServerOptions, create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World, create_world, load_world

REPO = Path(__file__).resolve().parent.parent
#: `../shared` beside a clean clone (read-only reference material).
SHARED = REPO.parent / "shared"
#: The frozen "now" of the seeded demo data: the store's clock and the TUI's clock in tests.
SEED_NOW = 1_795_000_000.0  # 2026-11-18T04:26:40Z


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


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo scenario seeded once per test session (the real sentry-sdk, ~5 s)."""
    from dexter_tui.demo.seed import seed

    path = tmp_path_factory.mktemp("seed") / "demo.sqlite3"
    store = Store(path, clock=lambda: SEED_NOW)
    seed(store, create_world(store), now=SEED_NOW, random_seed=0)
    store.close()
    return path


@pytest.fixture
def seeded_store(seeded_db: Path) -> Iterator[Store]:
    """A private in-memory copy of the seeded database, its clock frozen at `SEED_NOW`."""
    store = Store(":memory:", clock=lambda: SEED_NOW)
    source = sqlite3.connect(seeded_db)
    try:
        source.backup(store.conn)
    finally:
        source.close()
    yield store
    store.close()


@pytest.fixture
def seeded_world(seeded_store: Store) -> World:
    return load_world(seeded_store)


@pytest.fixture
def seeded_app(seeded_store: Store, server_options: ServerOptions):
    return create_app(seeded_store, server_options)


@pytest.fixture
def seeded_server(seeded_app) -> Iterator[BackgroundServer]:
    """The seeded demo served over real loopback HTTP."""
    with BackgroundServer(seeded_app) as server:
        yield server
