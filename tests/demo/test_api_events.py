"""Event routes of the demo server: issue events, latest/oldest/recommended, hashes, tags, project
events and the event-id lookup, on events from the real SDK."""

from __future__ import annotations

import httpx
import pytest
from issues_data import ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_790_000_000.0
ISSUES = "/api/0/organizations/acme/issues/"


@pytest.fixture
def data(store: Store, world: World) -> dict:
    """Issue "a": 4 events (oldest first) in two environments; the third has no stack trace."""
    store.clock = lambda: NOW
    p1 = world.projects["checkout-api"].project_id
    events: list[str] = []
    specs = [
        (NOW - 4000, "production", {"id": "1"}, "web-1"),
        (NOW - 3000, "staging", {"id": "2"}, "web-2"),
        (NOW - 2000, "production", {"id": "1"}, "web-1"),
        (NOW - 1000, "production", {"id": "3"}, "web-3"),
    ]
    gid = 0
    for ts, env, user, host in specs:
        eid, gid = ingest(store, p1, "a", ts=ts, environment=env, user=user, tags={"host": host})
        events.append(eid)
    # drop the stack traces of the newest event: "recommended" must skip it
    store.execute(
        "UPDATE events SET data = json_remove(data, '$.exception.values[0].stacktrace',"
        " '$.exception.values[1].stacktrace') WHERE event_id = ?",
        (events[3],),
    )
    _, other = ingest(store, p1, "b", ts=NOW - 500)
    return {"gid": gid, "events": events, "other": other, "project": p1}


def _event_ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [e["eventID"] for e in r.json()]


@pytest.mark.parametrize("prefix", [ISSUES, "/api/0/issues/"])
async def test_issue_events_newest_first(api: httpx.AsyncClient, data, prefix: str) -> None:
    r = await api.get(f"{prefix}{data['gid']}/events/")
    assert _event_ids(r) == data["events"][::-1]
    first = r.json()[0]
    assert first["groupID"] == str(data["gid"])
    assert first["event.type"] == "error"
    assert "entries" not in first
    assert {"key": "host", "value": "web-3"} in first["tags"]
    full = await api.get(f"{prefix}{data['gid']}/events/", params={"full": "true"})
    assert full.json()[0]["entries"] is not None
    assert full.json()[0]["release"]["version"] == "1.0.0"


async def test_issue_events_filters_and_pagination(api: httpx.AsyncClient, data) -> None:
    url = f"{ISSUES}{data['gid']}/events/"
    assert _event_ids(await api.get(url, params={"environment": "staging"})) == [data["events"][1]]
    assert _event_ids(await api.get(url, params={"query": "host:web-1"})) == [
        data["events"][2],
        data["events"][0],
    ]
    assert _event_ids(await api.get(url, params={"query": "!host:web-1 user.id:3"})) == [
        data["events"][3]
    ]
    assert _event_ids(await api.get(url, params={"statsPeriod": "30m"})) == [data["events"][3]]
    assert _event_ids(await api.get(url, params={"query": "host:web-1 AND user.id:1"})) == [
        data["events"][2],
        data["events"][0],
    ]
    assert (await api.get(url, params={"query": "host:web-1 OR host:web-2"})).status_code == 400
    r = await api.get(url, params={"query": "is:unresolved"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("Invalid search query: ")
    assert (await api.get(url, params={"per_page": "101"})).status_code == 400
    seen: list[str] = []
    next_url: str | None = f"{url}?per_page=3"
    while next_url:
        r = await api.get(next_url)
        seen += _event_ids(r)
        link = r.links["next"]
        next_url = link["url"] if link["results"] == "true" else None
    assert seen == data["events"][::-1]


@pytest.mark.parametrize("prefix", [ISSUES, "/api/0/issues/"])
async def test_latest_oldest_recommended_and_neighbours(
    api: httpx.AsyncClient, data, prefix: str
) -> None:
    ev = data["events"]
    url = f"{prefix}{data['gid']}/events/"
    latest = (await api.get(url + "latest/")).json()
    assert latest["eventID"] == ev[3]
    assert latest["nextEventID"] is None
    assert latest["previousEventID"] == ev[2]
    oldest = (await api.get(url + "oldest/")).json()
    assert oldest["eventID"] == ev[0]
    assert oldest["previousEventID"] is None
    assert oldest["nextEventID"] == ev[1]
    recommended = (await api.get(url + "recommended/")).json()
    assert recommended["eventID"] == ev[2]
    by_id = (await api.get(url + f"{ev[1]}/")).json()
    assert (by_id["previousEventID"], by_id["nextEventID"]) == (ev[0], ev[2])
    assert by_id["groupID"] == str(data["gid"])
    assert by_id["entries"][0]["type"] in ("exception", "message")
    staged = (await api.get(url + "latest/", params={"environment": "staging"})).json()
    assert staged["eventID"] == ev[1]
    assert staged["nextEventID"] is None
    assert (await api.get(url + "f" * 32 + "/")).status_code == 404
    assert (await api.get(url + "newest/")).status_code == 404


async def test_event_of_another_issue_is_404(api: httpx.AsyncClient, data) -> None:
    r = await api.get(f"{ISSUES}{data['other']}/events/{data['events'][0]}/")
    assert r.status_code == 404


async def test_project_events(api: httpx.AsyncClient, data) -> None:
    url = "/api/0/projects/acme/checkout-api/events/"
    r = await api.get(url)
    assert len(_event_ids(r)) == 5
    ev = data["events"]
    detail = await api.get(f"{url}{ev[1]}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["eventID"] == ev[1]
    assert (body["previousEventID"], body["nextEventID"]) == (ev[0], ev[2])
    assert (await api.get(f"{url}latest/")).status_code == 404  # must be a 32-hex id
    assert (
        await api.get(f"/api/0/projects/acme/billing-worker/events/{ev[1]}/")
    ).status_code == 404


async def test_event_id_lookup(api: httpx.AsyncClient, data) -> None:
    ev = data["events"][2]
    r = await api.get(f"/api/0/organizations/acme/eventids/{ev}/")
    assert r.status_code == 200
    body = r.json()
    assert body["groupId"] == str(data["gid"])
    assert body["projectSlug"] == "checkout-api"
    assert body["event"]["eventID"] == ev
    assert (await api.get(f"/api/0/organizations/acme/eventids/{'0' * 32}/")).status_code == 404


async def test_hashes(api: httpx.AsyncClient, data) -> None:
    r = await api.get(f"{ISSUES}{data['gid']}/hashes/")
    assert r.status_code == 200
    (item,) = r.json()
    assert len(item["id"]) == 32
    assert item["latestEvent"]["eventID"] == data["events"][3]
    assert item["mergedBySeer"] is False
    simple = await api.get(f"/api/0/issues/{data['gid']}/hashes/", params={"full": "false"})
    assert "entries" not in simple.json()[0]["latestEvent"]


async def test_tags(api: httpx.AsyncClient, data) -> None:
    base = f"{ISSUES}{data['gid']}/tags/"
    r = await api.get(base)
    keys = {t["key"]: t for t in r.json()}
    assert keys["host"]["totalValues"] == 4
    assert keys["environment"]["name"] == "Environment"
    detail = (await api.get(base + "host/")).json()
    assert detail["uniqueValues"] == 3
    assert detail["totalValues"] == 4
    top = detail["topValues"][0]
    assert (top["value"], top["count"]) == ("web-1", 2)
    assert top["firstSeen"] < top["lastSeen"]
    staging = (await api.get(base + "host/", params={"environment": "staging"})).json()
    assert [v["value"] for v in staging["topValues"]] == ["web-2"]
    assert (await api.get(base + "nope/")).status_code == 404
    users = (await api.get(f"/api/0/issues/{data['gid']}/tags/user/")).json()
    assert {'user.id:"1"', 'user.id:"3"'} <= {v.get("query") for v in users["topValues"]}


async def test_tag_values_sort_and_pagination(api: httpx.AsyncClient, data) -> None:
    url = f"{ISSUES}{data['gid']}/tags/host/values/"
    values = lambda r: [v["value"] for v in r.json()]  # noqa: E731
    assert values(await api.get(url)) == ["web-3", "web-2", "web-1"]
    assert values(await api.get(url, params={"sort": "-count"}))[0] == "web-1"
    assert values(await api.get(url, params={"sort": "-date"}))[0] == "web-3"
    assert values(await api.get(url, params={"sort": "age"}))[0] == "web-1"
    r = await api.get(url, params={"per_page": 2})
    assert len(r.json()) == 2
    assert r.links["next"]["results"] == "true"
    r = await api.get(r.links["next"]["url"])
    assert values(r) == ["web-1"]
    assert r.links["next"]["results"] == "false"
    assert (await api.get(url, params={"sort": "size"})).status_code == 400


async def test_read_token_can_read_events(demo_app, world: World, data) -> None:
    transport = httpx.ASGITransport(app=demo_app)
    headers = {"Authorization": f"Bearer {world.read_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=headers
    ) as c:
        assert (await c.get(f"{ISSUES}{data['gid']}/events/latest/")).status_code == 200
        ev = data["events"][0]
        assert (await c.get(f"/api/0/projects/acme/checkout-api/events/{ev}/")).status_code == 200
        assert (await c.get(f"/api/0/organizations/acme/eventids/{ev}/")).status_code == 200


async def test_sample_order_is_deterministic(api: httpx.AsyncClient, data) -> None:
    url = f"{ISSUES}{data['gid']}/events/"
    first = _event_ids(await api.get(url, params={"sample": "true"}))
    assert first == sorted(data["events"])
    assert _event_ids(await api.get(url, params={"sample": "true"})) == first


async def test_llm_format(api: httpx.AsyncClient, data) -> None:
    url = f"{ISSUES}{data['gid']}/events/oldest/"
    md = (await api.get(url, params={"llmFormat": "markdown"})).json()["formatted"]
    assert md["format"] == "markdown"
    assert md["content"].startswith("# ErrorA: failure a")
    assert "_load_cart" in md["content"]
    xml = (await api.get(url, params={"llmFormat": "xml"})).json()["formatted"]
    assert xml["content"].startswith("<event id=")
    assert (await api.get(url, params={"llmFormat": "html"})).status_code == 400


async def test_project_tag_values_and_org_tags(api: httpx.AsyncClient, data) -> None:
    url = "/api/0/projects/acme/checkout-api/tags/host/values/"
    r = await api.get(url)
    assert r.status_code == 200
    assert [v["value"] for v in r.json()] == ["web-3", "web-1", "web-2"]
    assert r.json()[1]["count"] == 2
    assert [v["name"] for v in (await api.get(url, params={"query": "b-2"})).json()] == ["web-2"]
    assert (await api.get("/api/0/projects/acme/checkout-api/tags/nope/values/")).status_code == 404
    tags = (await api.get("/api/0/organizations/acme/tags/")).json()
    by_key = {t["key"]: t for t in tags}
    assert by_key["host"]["totalValues"] == 4
    assert by_key["environment"]["name"] == "Environment"
    staging = (
        await api.get("/api/0/organizations/acme/tags/", params={"environment": "staging"})
    ).json()
    assert {t["key"]: t["totalValues"] for t in staging}["host"] == 1
