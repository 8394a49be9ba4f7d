"""Keyset pages behind offset cursors: the same rows as OFFSET, in the same order, on the seed.

The cursors stay Sentry's `0:offset:0`; what changes is how the demo finds a deep page (a seek
from the last row it served, `KeysetCache`). These tests walk every page both ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.demo.pagination import KeysetCache, _caches, keyset_cache
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World
from tests.conftest import SEED_NOW


@pytest.fixture
async def seeded_api(seeded_app, seeded_world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=seeded_app),
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {seeded_world.token}"},
    ) as client:
        yield client


async def walk(api: httpx.AsyncClient, org: str, sort: str, *, cold: Store | None = None) -> list:
    """Every page's ids through the `next` links; `cold`: forget the keys before each request."""
    url: str | None = f"/api/0/organizations/{org}/issues/"
    params: dict | None = {"query": "", "limit": 7, "sort": sort, "statsPeriod": "14d"}
    ids: list = []
    cursors: list[str] = []
    while url:
        if cold is not None:
            _caches.pop(cold, None)
        response = await api.get(url, params=params)
        assert response.status_code == 200, response.text
        ids += [issue["id"] for issue in response.json()]
        nxt = response.links["next"]
        cursors.append(nxt["cursor"])
        url = nxt["url"] if nxt["results"] == "true" else None
        params = None
    assert all(c.startswith("0:") and c.endswith(":0") for c in cursors)  # Sentry's offsets
    return ids


@pytest.mark.parametrize("sort", ["date", "new", "freq", "user"])
async def test_keyset_pages_equal_offset_pages(
    seeded_api: httpx.AsyncClient, seeded_store: Store, seeded_world: World, sort: str
) -> None:
    org = seeded_world.org_slug
    seek = await walk(seeded_api, org, sort)
    seeks = bool(keyset_cache(seeded_store)._bounds)
    assert seeks is (sort != "user")  # a sort on computed values pages by offset
    offset = await walk(seeded_api, org, sort, cold=seeded_store)
    assert len(seek) > 14  # several pages
    assert seek == offset
    assert len(set(seek)) == len(seek)


async def test_a_write_between_pages_falls_back_to_offsets(
    seeded_api: httpx.AsyncClient, seeded_store: Store, seeded_world: World
) -> None:
    org = seeded_world.org_slug
    path = f"/api/0/organizations/{org}/issues/"
    first = await seeded_api.get(path, params={"query": "", "limit": 5, "sort": "date"})
    hits = int(first.headers["X-Hits"])
    project = seeded_world.projects["notifications"]
    event = {
        "event_id": "f" * 32,
        "timestamp": SEED_NOW - 5,
        "level": "error",
        "platform": "python",
        "exception": {"values": [{"type": "KeysetNewError", "value": "between pages"}]},
    }
    ingest_event(seeded_store, project.project_id, event)
    # the new issue is on top now: the second page by offset starts one row earlier
    second = await seeded_api.get(first.links["next"]["url"])
    assert second.json()[0]["id"] == first.json()[-1]["id"]
    assert int(second.headers["X-Hits"]) == hits + 1  # the cached count was dropped


def test_cache_forgets_on_a_new_version() -> None:
    cache = KeysetCache(size=2)
    cache.remember("q", 100, 1, (5.0, 9))
    assert cache.boundary("q", 100, 1) == (5.0, 9)
    assert cache.boundary("q", 100, 2) is None
    assert cache.boundary("q", 200, 1) is None
    cache.remember("q", 200, 1, (4.0, 8))
    cache.remember("q", 300, 1, (3.0, 7))
    assert cache.boundary("q", 100, 1) is None  # the oldest went first
    cache.remember_hits("q", 1, 42)
    assert cache.hits("q", 1) == 42
    assert cache.hits("q", 2) is None
    assert keyset_cache(cache) is keyset_cache(cache)


async def test_a_cached_count_is_not_reused_for_another_window(
    seeded_api: httpx.AsyncClient, seeded_store: Store, seeded_world: World
) -> None:
    path = f"/api/0/organizations/{seeded_world.org_slug}/issues/"
    wide = await seeded_api.get(path, params={"query": "", "statsPeriod": "14d"})
    day = await seeded_api.get(path, params={"query": "", "statsPeriod": "24h"})
    _caches.pop(seeded_store, None)
    cold = await seeded_api.get(path, params={"query": "", "statsPeriod": "24h"})
    assert day.headers["X-Hits"] == cold.headers["X-Hits"]
    assert int(wide.headers["X-Hits"]) > int(day.headers["X-Hits"])
