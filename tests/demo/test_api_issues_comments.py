"""Issue comments (notes) and the activity feed of the demo server."""

from __future__ import annotations

import httpx
import pytest
from issues_data import ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_790_000_000.0
ISSUES = "/api/0/organizations/acme/issues/"


@pytest.fixture
def gid(store: Store, world: World) -> int:
    store.clock = lambda: NOW
    _, group_id = ingest(store, world.projects["checkout-api"].project_id, "a", ts=NOW - 60)
    return group_id


def _client(demo_app, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=demo_app),
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("prefix", [ISSUES, "/api/0/issues/"])
@pytest.mark.parametrize("name", ["comments", "notes"])
async def test_post_and_list_comments(api: httpx.AsyncClient, gid: int, prefix, name) -> None:
    url = f"{prefix}{gid}/{name}/"
    r = await api.post(url, json={"text": "looking into it"})
    assert r.status_code == 201
    note = r.json()
    assert note["type"] == "note"
    assert note["data"] == {"text": "looking into it"}
    assert note["user"]["username"] == "ana"
    assert note["dateCreated"].endswith("Z")
    await api.post(url, json={"text": "found it"})
    r = await api.get(url)
    assert [n["data"]["text"] for n in r.json()] == ["found it", "looking into it"]
    assert 'rel="next"; results="false"' in r.headers["Link"]
    issue = (await api.get(f"{ISSUES}{gid}/")).json()
    assert issue["numComments"] == 2
    assert issue["isSubscribed"] is True
    assert issue["subscriptionDetails"] == {"reason": "comment"}
    assert [a["type"] for a in issue["activity"]][:2] == ["note", "note"]


async def test_duplicate_and_empty_comments(api: httpx.AsyncClient, gid: int, store: Store) -> None:
    url = f"{ISSUES}{gid}/comments/"
    assert (await api.post(url, json={"text": "same"})).status_code == 201
    r = await api.post(url, json={"text": "same"})
    assert r.status_code == 400
    assert r.json() == {"detail": "You have already posted that comment."}
    store.clock = lambda: NOW + 3601  # an hour later the same text is fine again
    assert (await api.post(url, json={"text": "same"})).status_code == 201
    for body in ({"text": ""}, {"text": "   "}, {}, {"text": 5}):
        r = await api.post(url, json=body)
        assert r.status_code == 400
        assert "text" in r.json()


async def test_mentions_subscribe_users(api: httpx.AsyncClient, gid: int, world: World) -> None:
    url = f"{ISSUES}{gid}/comments/"
    ben = world.user_ids["ben"]
    r = await api.post(url, json={"text": "@ben look", "mentions": [f"user:{ben}"]})
    assert r.status_code == 201
    participants = (await api.get(f"{ISSUES}{gid}/")).json()["participants"]
    assert {p["username"] for p in participants} == {"ana", "ben"}
    r = await api.post(url, json={"text": "x", "mentions": ["user:9999"]})
    assert r.status_code == 400


async def test_edit_and_delete_only_own_comment(
    api: httpx.AsyncClient, demo_app, store: Store, world: World, gid: int
) -> None:
    url = f"{ISSUES}{gid}/comments/"
    note_id = (await api.post(url, json={"text": "first"})).json()["id"]
    r = await api.put(f"{url}{note_id}/", json={"text": "edited"})
    assert r.status_code == 200
    assert r.json()["data"]["text"] == "edited"
    ben_token = store.create_token(world.user_ids["ben"], "event:read event:write")
    async with _client(demo_app, ben_token) as ben:
        r = await ben.put(f"{url}{note_id}/", json={"text": "hijack"})
        assert r.status_code == 403
        assert (await ben.delete(f"{url}{note_id}/")).status_code == 403
    assert (await api.put(f"{url}9999/", json={"text": "x"})).status_code == 404
    assert (await api.put(f"{url}{note_id}/", json={"text": ""})).status_code == 400
    assert (await api.delete(f"/api/0/issues/{gid}/notes/{note_id}/")).status_code == 204
    assert (await api.get(url)).json() == []


async def test_read_token_can_read_but_not_comment(demo_app, world: World, gid: int) -> None:
    async with _client(demo_app, world.read_token) as c:
        r = await c.post(f"{ISSUES}{gid}/comments/", json={"text": "hi"})
        assert r.status_code == 403
        assert (await c.get(f"{ISSUES}{gid}/comments/")).status_code == 200
        assert (await c.get(f"{ISSUES}{gid}/activities/")).status_code == 200


@pytest.mark.parametrize("prefix", [ISSUES, "/api/0/issues/"])
async def test_activities_record_every_change(api: httpx.AsyncClient, gid: int, prefix) -> None:
    await api.put(ISSUES, params={"id": gid}, json={"status": "resolved"})
    await api.put(ISSUES, params={"id": gid}, json={"status": "unresolved"})
    await api.put(ISSUES, params={"id": gid}, json={"status": "ignored", "ignoreDuration": 60})
    await api.put(ISSUES, params={"id": gid}, json={"assignedTo": "ben"})
    await api.put(ISSUES, params={"id": gid}, json={"assignedTo": None})
    await api.put(ISSUES, params={"id": gid}, json={"priority": "low"})
    await api.post(f"{ISSUES}{gid}/comments/", json={"text": "done"})
    r = await api.get(f"{prefix}{gid}/activities/")
    assert r.status_code == 200
    types = [a["type"] for a in r.json()["activity"]]
    assert types == [
        "note",
        "set_priority",
        "unassigned",
        "assigned",
        "set_ignored",
        "set_unresolved",
        "set_resolved",
        "first_seen",
    ]
    ignored = r.json()["activity"][4]
    assert ignored["data"]["ignoreDuration"] == 60
    assert ignored["user"]["username"] == "ana"


async def test_comments_on_unknown_issue(api: httpx.AsyncClient, gid: int) -> None:
    assert (await api.get(f"{ISSUES}99999/comments/")).status_code == 404
    assert (await api.post("/api/0/issues/99999/comments/", json={"text": "x"})).status_code == 404
