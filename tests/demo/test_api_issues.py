"""The demo server's issue list, search and single-issue routes, on events from the real SDK."""

from __future__ import annotations

import itertools

import httpx
import pytest
from issues_data import ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_790_000_000.0  # fixed clock: stats buckets and relative dates are deterministic
ISSUES = "/api/0/organizations/acme/issues/"


@pytest.fixture
def data(store: Store, world: World) -> dict[str, int]:
    """Three checkout issues and one billing issue, ingested through the real ingest."""
    store.clock = lambda: NOW
    p1 = world.projects["checkout-api"].project_id
    p2 = world.projects["billing-worker"].project_id
    ids: dict[str, int] = {}
    # "busy": 3 events, 2 users, two environments, seen 30 minutes ago
    for ts, env, uid in [(NOW - 7200, "production", "1"), (NOW - 3600, "staging", "2"),
                         (NOW - 1800, "production", "1")]:  # fmt: skip
        _, ids["busy"] = ingest(store, p1, "busy", ts=ts, environment=env, user={"id": uid})
    # "old": 1 event 3 days ago, warning
    _, ids["old"] = ingest(store, p1, "old", ts=NOW - 3 * 86400, level="warning", release="0.9")
    # "fresh": 2 events, the first 10 minutes ago
    for ts in (NOW - 600, NOW - 300):
        _, ids["fresh"] = ingest(store, p1, "fresh", ts=ts, tags={"shard": "us-2"})
    # "billing": 5 events in another project, 5 days ago .. 1 day ago
    for d in range(5, 0, -1):
        _, ids["billing"] = ingest(store, p2, "billing", ts=NOW - d * 86400, environment="staging")
    return ids


def _ids(r: httpx.Response) -> list[int]:
    assert r.status_code == 200, r.text
    return [int(i["id"]) for i in r.json()]


async def test_list_default_is_unresolved_sorted_by_last_seen(api: httpx.AsyncClient, data) -> None:
    r = await api.get(ISSUES)
    assert _ids(r) == [data["fresh"], data["busy"], data["billing"], data["old"]]
    assert r.headers["X-Hits"] == "4"
    assert 'rel="next"; results="false"' in r.headers["Link"]
    busy = r.json()[1]
    assert busy["count"] == "3"
    assert isinstance(busy["count"], str)
    assert busy["userCount"] == 2
    assert busy["status"] == "unresolved"
    assert busy["substatus"] == "new"
    assert busy["shortId"] == "CHECKOUT-API-1"
    assert busy["project"]["slug"] == "checkout-api"
    assert busy["permalink"] == f"http://demo.test/organizations/acme/issues/{data['busy']}/"
    assert busy["firstSeen"].endswith("Z")
    assert busy["lastSeen"] > busy["firstSeen"]
    assert busy["assignedTo"] is None
    assert busy["annotations"] == []
    assert busy["isBookmarked"] is False
    assert busy["hasSeen"] is False
    assert busy["lifetime"]["count"] == "3"
    assert busy["filtered"] is None
    stats = busy["stats"]["24h"]
    assert len(stats) == 24
    assert sum(n for _, n in stats) == 3
    assert stats[-1][0] == int(NOW // 3600) * 3600
    assert all(b[0] - a[0] == 3600 for a, b in itertools.pairwise(stats))
    assert not any(k.startswith("_") for k in busy["statusDetails"])


async def test_group_stats_period(api: httpx.AsyncClient, data) -> None:
    r = await api.get(
        ISSUES, params={"groupStatsPeriod": "14d", "query": f"issue.id:{data['billing']}"}
    )
    (billing,) = r.json()
    assert list(billing["stats"]) == ["14d"]
    assert len(billing["stats"]["14d"]) == 14
    assert sum(n for _, n in billing["stats"]["14d"]) == 5
    r = await api.get(ISSUES, params={"groupStatsPeriod": ""})
    assert all("stats" not in i for i in r.json())
    r = await api.get(ISSUES, params={"groupStatsPeriod": "7d"})
    assert r.status_code == 400
    r = await api.get(ISSUES, params={"groupStatsPeriod": "auto", "statsPeriod": "7d"})
    buckets = r.json()[0]["stats"]["auto"]
    assert len(buckets) == 7
    assert buckets[1][0] - buckets[0][0] == 86400
    r = await api.get(ISSUES, params={"groupStatsPeriod": "auto", "statsPeriod": "6h"})
    assert len(r.json()[0]["stats"]["auto"]) == 6


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["fresh", "busy", "billing", "old"]),
        ("new", ["fresh", "busy", "old", "billing"]),
        ("freq", ["billing", "busy", "fresh", "old"]),
        ("user", ["busy", "fresh", "billing", "old"]),
        ("trends", ["busy", "fresh", "billing", "old"]),
    ],
)
async def test_sorts(api: httpx.AsyncClient, data, sort: str, expected: list[str]) -> None:
    r = await api.get(ISSUES, params={"sort": sort})
    assert _ids(r) == [data[k] for k in expected]


async def test_pagination_walks_to_the_last_page(api: httpx.AsyncClient, data) -> None:
    seen: list[int] = []
    url: str | None = ISSUES + "?limit=1&query="
    pages = 0
    while url:
        r = await api.get(url)
        seen += _ids(r)
        pages += 1
        nxt = r.links["next"]
        url = nxt["url"] if nxt["results"] == "true" else None
    assert pages == 4
    assert sorted(seen) == sorted(data.values())
    assert r.headers["X-Hits"] == "4"


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"limit": "101"}, "Invalid limit parameter. Cannot exceed 100."),
        ({"query": "is:bogus"}, None),
        ({"query": 'title:"unbalanced'}, None),
        ({"query": "a OR b"}, None),
        ({"query": "timesSeen:>lots"}, None),
        ({"sort": "random"}, None),
        ({"statsPeriod": "forever"}, None),
        ({"cursor": "garbage"}, "Invalid cursor parameter."),
    ],
)
async def test_bad_requests_answer_400(api: httpx.AsyncClient, data, params, detail) -> None:
    r = await api.get(ISSUES, params=params)
    assert r.status_code == 400
    if detail:
        assert r.json() == {"detail": detail}
    if params.get("query"):
        assert r.json()["detail"].startswith("Invalid search query: ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["fresh", "busy", "billing", "old"]),
        ("level:warning", ["old"]),
        ("timesSeen:>2", ["busy", "billing"]),
        ("firstSeen:-1d", ["fresh", "busy"]),
        ("age:+2d", ["billing", "old"]),
        ("shard:us-2", ["fresh"]),
        ("!shard:us-2", ["busy", "billing", "old"]),
        ("release:0.9", ["old"]),
        ("firstRelease:1.0.0", ["fresh", "busy", "billing"]),
        ("user.id:2", ["busy"]),
        ("environment:staging", ["busy", "billing"]),
        ("project:billing-worker", ["billing"]),
        ("error.type:ErrorFresh", ["fresh"]),
        ("ErrorOld", ["old"]),
        ('"failure bi"', ["billing"]),
        ("has:shard", ["fresh", "busy", "billing", "old"]),
    ],
)
async def test_search_queries(api: httpx.AsyncClient, data, query: str, expected) -> None:
    r = await api.get(ISSUES, params={"query": query})
    assert _ids(r) == [data[k] for k in expected]


async def test_environment_filter_counts_only_those_events(api: httpx.AsyncClient, data) -> None:
    r = await api.get(ISSUES, params={"environment": "staging"})
    items = {int(i["id"]): i for i in r.json()}
    assert set(items) == {data["busy"], data["billing"]}
    busy = items[data["busy"]]
    assert busy["count"] == "1"
    assert busy["lifetime"]["count"] == "3"
    assert busy["filtered"]["count"] == "1"
    assert sum(n for _, n in busy["stats"]["24h"]) == 1


async def test_project_and_window_filters(api: httpx.AsyncClient, data, world: World) -> None:
    p2 = world.projects["billing-worker"].project_id
    assert _ids(await api.get(ISSUES, params={"project": p2})) == [data["billing"]]
    assert _ids(await api.get(ISSUES, params={"project": "-1", "limit": 2})) == [
        data["fresh"],
        data["busy"],
    ]
    assert (await api.get(ISSUES, params={"project": 999})).status_code == 403
    assert _ids(await api.get(ISSUES, params={"statsPeriod": "1h"})) == [
        data["fresh"],
        data["busy"],
    ]
    r = await api.get(
        ISSUES, params={"start": "2026-09-19T00:00:00Z", "end": "2026-09-20T00:00:00Z", "query": ""}
    )
    assert r.status_code == 200


async def test_short_id_and_event_id_lookup_in_query(api: httpx.AsyncClient, data, store) -> None:
    r = await api.get(ISSUES, params={"query": "checkout-api-2", "shortIdLookup": "1"})
    assert _ids(r) == [data["old"]]
    event_id = store.query_one("SELECT event_id FROM events WHERE group_id = ?", (data["fresh"],))[
        0
    ]
    r = await api.get(ISSUES, params={"query": event_id})
    assert _ids(r) == [data["fresh"]]
    assert r.headers["X-Sentry-Direct-Hit"] == "1"
    r = await api.get("/api/0/organizations/acme/shortids/CHECKOUT-API-2/")
    assert r.json()["groupId"] == str(data["old"])
    assert r.json()["projectSlug"] == "checkout-api"
    assert r.json()["group"]["id"] == str(data["old"])
    assert (await api.get("/api/0/organizations/acme/shortids/NOPE-9/")).status_code == 404


async def test_issue_detail(api: httpx.AsyncClient, data) -> None:
    gid = data["busy"]
    r = await api.get(f"{ISSUES}{gid}/")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == str(gid)
    assert [a["type"] for a in body["activity"]] == ["first_seen"]
    assert body["firstRelease"]["version"] == "1.0.0"
    assert len(body["stats"]["24h"]) == 24
    assert len(body["stats"]["30d"]) == 30
    assert sum(n for _, n in body["stats"]["30d"]) == 3
    tags = {t["key"]: t for t in body["tags"]}
    assert tags["environment"]["totalValues"] == 3
    assert tags["environment"]["name"] == "Environment"
    assert body["seenBy"] == []
    assert body["userReportCount"] == 0
    legacy = await api.get(f"/api/0/issues/{gid}/")
    assert legacy.json()["id"] == str(gid)
    by_short = await api.get(f"{ISSUES}CHECKOUT-API-1/")
    assert by_short.json()["id"] == str(gid)


async def test_unknown_issue_is_404(api: httpx.AsyncClient, data) -> None:
    for url in (f"{ISSUES}99999/", "/api/0/issues/99999/", f"{ISSUES}NOPE-1/"):
        r = await api.get(url)
        assert r.status_code == 404
        assert r.json() == {"detail": "The requested resource does not exist"}
    assert (await api.put(f"{ISSUES}99999/", json={"status": "resolved"})).status_code == 404


async def test_project_issue_list_legacy_route(api: httpx.AsyncClient, data) -> None:
    url = "/api/0/projects/acme/checkout-api/issues/"
    r = await api.get(url)
    assert _ids(r) == [data["fresh"], data["busy"], data["old"]]
    assert list(r.json()[0]["stats"]) == ["24h"]
    r = await api.get(url, params={"statsPeriod": "14d"})
    assert len(r.json()[0]["stats"]["14d"]) == 14
    r = await api.get(url, params={"statsPeriod": ""})
    assert "stats" not in r.json()[0]
    assert (await api.get(url, params={"statsPeriod": "1h"})).status_code == 400
    assert (await api.get("/api/0/projects/acme/nope/issues/")).status_code == 404


async def test_read_only_token_cannot_mutate(demo_app, world: World, data) -> None:
    transport = httpx.ASGITransport(app=demo_app)
    headers = {"Authorization": f"Bearer {world.read_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=headers
    ) as c:
        assert (await c.get(ISSUES)).status_code == 200
        gid = data["busy"]
        r = await c.put(ISSUES, params={"id": gid}, json={"status": "resolved"})
        assert r.status_code == 403
        assert r.json() == {"detail": "You do not have permission to perform this action."}
        assert (await c.put(f"{ISSUES}{gid}/", json={"status": "resolved"})).status_code == 403
        assert (await c.delete(ISSUES, params={"id": gid})).status_code == 403
        assert (await c.delete(f"/api/0/issues/{gid}/")).status_code == 403
        assert (await c.get(f"{ISSUES}{gid}/")).json()["status"] == "unresolved"
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as anon:
        assert (await anon.get(ISSUES)).status_code == 401


async def test_page_cost_does_not_grow_with_page_size(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    """No per-issue queries: a page of 20 costs as many queries as a page of 2."""
    store.clock = lambda: NOW
    project = world.projects["notifications"].project_id
    for i in range(20):
        ingest(store, project, f"bulk{i}", ts=NOW - 60 * i)
    calls = 0
    for name in ("query", "query_one", "execute"):
        original = getattr(store, name)

        def counted(*args, _original=original, **kwargs):
            nonlocal calls
            calls += 1
            return _original(*args, **kwargs)

        setattr(store, name, counted)
    costs = []
    for limit in (2, 20):
        calls = 0
        r = await api.get(ISSUES, params={"limit": limit, "expand": "inbox"})
        assert len(r.json()) == limit
        costs.append(calls)
    assert costs[0] == costs[1]


async def test_collapse_and_expand(api: httpx.AsyncClient, data) -> None:
    params = [("collapse", "stats"), ("collapse", "lifetime"), ("collapse", "unhandled")]
    item = (await api.get(ISSUES, params=params)).json()[0]
    assert "stats" not in item
    assert "lifetime" not in item
    assert "isUnhandled" not in item
    base = (await api.get(ISSUES, params={"collapse": "base"})).json()[0]
    assert set(base) == {"id", "stats", "lifetime", "filtered"}
    expand = [
        ("expand", e) for e in ("integrationIssues", "sentryAppIssues", "latestEventHasAttachments")
    ]
    item = (await api.get(ISSUES, params=expand)).json()[0]
    assert item["integrationIssues"] == []
    assert item["sentryAppIssues"] == []
    assert item["latestEventHasAttachments"] is False


async def test_project_list_by_hashes(api: httpx.AsyncClient, data, store: Store) -> None:
    url = "/api/0/projects/acme/checkout-api/issues/"
    (h,) = store.query("SELECT hash FROM group_hashes WHERE group_id = ?", (data["old"],))
    r = await api.get(url, params={"hashes": h["hash"]})
    assert [int(i["id"]) for i in r.json()] == [data["old"]]
    assert (await api.get(url, params={"hashes": h["hash"], "query": "x"})).status_code == 400
