"""Saved views: a JSON file in the config dir, atomic and private; Sentry's searches probed."""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.services.issues import IssueQuery
from dexter_tui.services.views import (
    SavedView,
    ViewsFileError,
    ViewStore,
    default_views_path,
    server_searches,
)


def test_default_path_follows_xdg_config_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_views_path() == tmp_path / "dexter-tui" / "views.json"


def test_save_load_replace_delete(tmp_path) -> None:
    store = ViewStore(tmp_path / "cfg" / "views.json")
    assert store.load() == []
    q = IssueQuery(
        query="is:unresolved level:error", sort="freq", period="24h", environments=("production",)
    )
    view = SavedView.from_query("Prod errors", q, ("checkout-api",))
    store.save(view)
    again = ViewStore(store.path)  # a restart: a new object reading the same file
    assert again.load() == [view]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert again.get("prod ERRORS") == view
    assert view.apply_to(IssueQuery()) == q.with_(projects=())
    store.save(SavedView.from_query("prod errors", IssueQuery(query="x")))
    assert [v.query for v in store.load()] == ["x"]
    assert store.delete("Prod Errors")
    assert store.load() == []
    assert not store.delete("nope")
    assert [p.name for p in store.path.parent.iterdir()] == ["views.json"]  # no temp left


def test_damaged_file_is_reported_and_not_overwritten(tmp_path) -> None:
    path = tmp_path / "views.json"
    path.write_text("{not json")
    store = ViewStore(path)
    with pytest.raises(ViewsFileError):
        store.load()
    with pytest.raises(ViewsFileError):
        store.save(SavedView("a"))
    assert path.read_text() == "{not json"
    path.write_text(json.dumps({"views": [{"name": "a", "environments": "prod"}]}))
    with pytest.raises(ViewsFileError, match="environments"):
        store.load()


async def test_server_without_saved_searches_degrades(
    seeded_app, seeded_server, seeded_world
) -> None:
    """An older self-hosted Sentry without the route (the demo told to answer 404 for it)."""
    org = seeded_world.org_slug
    seeded_app.state.faults.configure({"missing_routes": [f"/api/0/organizations/{org}/searches/"]})
    async with SentryClient(seeded_server.url, seeded_world.token) as client:
        found = await server_searches(client, org)
    assert found.views is None
    assert "no saved searches" in found.note
    assert not found.retry  # a missing route stays missing


async def test_server_saved_searches_from_the_demo(seeded_server, seeded_world) -> None:
    """Sentry's global searches, the org's shared ones and the caller's own, by name."""
    async with SentryClient(seeded_server.url, seeded_world.token) as client:
        found = await server_searches(client, seeded_world.org_slug)
        api = await client.list_saved_searches(seeded_world.org_slug)
    assert found.views is not None
    assert [(v.name, v.query, v.sort) for v in found.views] == [
        (s.name, s.query, s.sort) for s in api
    ]
    assert {v.source for v in found.views} == {"sentry"}
    names = [v.name for v in found.views]
    assert "Unresolved Issues" in names
    assert "Prod errors" in names
    assert found.note == f"{len(names)} saved searches on the server (read-only)"


async def test_server_saved_searches_read_only() -> None:
    """Other search types are left out (a stand-in transport answers with a mixed list)."""
    searches = [
        {"id": "1", "type": 0, "name": "Unresolved", "query": "is:unresolved", "sort": "date"},
        {"id": "2", "type": 6, "name": "Some other dataset", "query": "x"},
        {"id": "3", "type": 0, "name": "Mine", "query": "assigned:me", "sort": "freq"},
    ]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=searches))
    async with SentryClient("http://sentry.test", "t", transport=transport) as client:
        found = await server_searches(client, "acme")
    assert found.views is not None
    assert [(v.name, v.query, v.sort, v.source) for v in found.views] == [
        ("Unresolved", "is:unresolved", "date", "sentry"),
        ("Mine", "assigned:me", "freq", "sentry"),
    ]
    assert found.note == "2 saved searches on the server (read-only)"


def test_concurrent_writers_keep_every_view(tmp_path) -> None:
    """Two dexters saving at once: each save re-reads and merges under a lock (issue 18 #10)."""
    import threading

    path = tmp_path / "views.json"
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        store = ViewStore(path)
        try:
            for n in range(15):
                store.save(SavedView(name=f"{prefix}-{n}", query=f"is:unresolved {prefix}"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ViewStore(path).load()) == 60
