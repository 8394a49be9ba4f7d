"""Discover queries and charts over ingested events."""

from __future__ import annotations

import httpx
import pytest
from platform_events import error_event, ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

EVENTS = "/api/0/organizations/acme/events/"
NOW = 1_790_000_000.0  # 2026-09-21T14:13:20Z


@pytest.fixture
def events(store: Store, world: World) -> dict[str, int]:
    """Checkout: 3 KeyErrors (2 users, gold tier) and 1 TypeError; billing: 1 RuntimeError."""
    store.clock = lambda: NOW
    checkout = world.projects["checkout-api"].project_id
    billing = world.projects["billing-worker"].project_id
    for i, user in enumerate(["u1", "u2", "u1"]):
        ingest(
            store,
            checkout,
            error_event(
                "KeyError",
                "'sku'",
                timestamp=NOW - 3600 * (i + 1),
                release="checkout-api@1.0.0",
                user=user,
                tags={"customer_tier": "gold"},
                transaction="/api/checkout",
            ),
        )
    ingest(
        store,
        checkout,
        error_event(
            "TypeError",
            "unsupported operand",
            timestamp=NOW - 60,
            release="checkout-api@1.1.0",
            environment="staging",
            function="total",
        ),
    )
    ingest(
        store,
        billing,
        error_event("RuntimeError", "card declined", timestamp=NOW - 9000, function="charge"),
    )
    ingest(  # outside the default 14d window
        store, billing, error_event("OldError", "ancient", timestamp=NOW - 30 * 86400)
    )
    return {"checkout": checkout, "billing": billing}


async def test_raw_rows_newest_first(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        EVENTS, params=[("field", "title"), ("field", "timestamp"), ("field", "project")]
    )
    assert r.status_code == 200
    body = r.json()
    titles = [row["title"] for row in body["data"]]
    assert titles == [
        "TypeError: unsupported operand",
        "KeyError: 'sku'",
        "KeyError: 'sku'",
        "RuntimeError: card declined",
        "KeyError: 'sku'",
    ]
    first = body["data"][0]
    assert first["timestamp"] == "2026-09-21T14:12:20+00:00"
    assert first["project"] == "checkout-api"
    assert len(first["id"]) == 32  # Discover adds the event id to raw rows
    assert body["meta"]["fields"]["timestamp"] == "date"
    assert body["meta"]["fields"]["title"] == "string"


async def test_aggregate_by_issue_with_sort(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        EVENTS,
        params=[
            ("field", "issue"),
            ("field", "title"),
            ("field", "count()"),
            ("field", "count_unique(user)"),
            ("field", "last_seen()"),
            ("sort", "-count()"),
            ("project", str(events["checkout"])),
        ],
    )
    body = r.json()
    assert [(row["title"], row["count()"], row["count_unique(user)"]) for row in body["data"]] == [
        ("KeyError: 'sku'", 3, 2),
        ("TypeError: unsupported operand", 1, 0),
    ]
    assert body["data"][0]["issue"].startswith("CHECKOUT-API-")
    assert body["data"][0]["last_seen()"] == "2026-09-21T13:13:20+00:00"
    assert body["meta"]["fields"]["count()"] == "integer"
    assert "id" not in body["data"][0]  # aggregates do not add the event id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customer_tier:gold", 3),
        ("tags[customer_tier]:gold", 3),
        ("!customer_tier:gold", 2),
        ("has:customer_tier", 3),
        ("!has:customer_tier", 2),
        ("level:error release:checkout-api@1.1.0", 1),
        ("release:checkout-api@1.*", 4),
        ("user.email:u1@customers.test", 2),
        ("project:billing-worker", 1),
        ("environment:[staging, nowhere]", 1),
        ("transaction:/api/checkout", 3),
        ("error.type:RuntimeError", 1),
        ("card declined", 1),
        ("message:declined", 1),
        ('message:"card decl*"', 1),
        ("timestamp:-90m", 2),
        ("timestamp:>2026-09-21T13:00:00", 2),
        ("event.type:error", 5),
    ],
)
async def test_query_filters(
    api: httpx.AsyncClient, events: dict[str, int], query: str, expected: int
) -> None:
    r = await api.get(EVENTS, params={"field": "count()", "query": query})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == [{"count()": expected}]


async def test_issue_filter_by_short_id(api: httpx.AsyncClient, store: Store, events) -> None:
    short = store.query_one("SELECT short_id FROM groups WHERE title LIKE 'KeyError%'")["short_id"]
    r = await api.get(
        EVENTS,
        params=[("field", "id"), ("field", "release"), ("query", f"issue:{short.lower()}")],
    )
    assert len(r.json()["data"]) == 3


async def test_tag_fields(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        EVENTS,
        params=[
            ("field", "tag[customer_tier, string]"),
            ("field", "customer_tier"),
            ("field", "count()"),
            ("sort", "-count()"),
        ],
    )
    rows = r.json()["data"]
    assert rows[0] == {"tag[customer_tier, string]": "gold", "customer_tier": "gold", "count()": 3}
    assert rows[1]["customer_tier"] is None


async def test_paging(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(EVENTS, params={"field": "id", "per_page": 2})
    assert len(r.json()["data"]) == 2
    ids = [row["id"] for row in r.json()["data"]]
    while r.links["next"]["results"] == "true":
        r = await api.get(r.links["next"]["url"])
        ids += [row["id"] for row in r.json()["data"]]
    assert len(ids) == len(set(ids)) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"field": "p99()"},
        {"field": "count(", "query": ""},
        {"field": "title", "sort": "-timestamp"},
        {"field": "count()", "query": "count():>5"},
        {"field": "count()", "query": "timestamp:yesterday"},
        {"field": "count()", "query": "title:>5"},
        {"field": "count()", "query": "(a OR b)"},
        {"field": "count()", "dataset": "spans"},
        {"field": "count()", "statsPeriod": "forever"},
        {},
    ],
)
async def test_invalid_queries_are_400(
    api: httpx.AsyncClient, events: dict[str, int], params: dict
) -> None:
    r = await api.get(EVENTS, params=params)
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["detail"], str)


async def test_unknown_project_is_403(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(EVENTS, params={"field": "count()", "project": "999"})
    assert r.status_code == 403


async def test_events_stats_legacy_shape(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        "/api/0/organizations/acme/events-stats/",
        params={"statsPeriod": "6h", "interval": "1h", "query": "customer_tier:gold"},
    )
    body = r.json()
    assert body["start"] == int(NOW - 6 * 3600)
    counts = [point[1][0]["count"] for point in body["data"]]
    assert sum(counts) == 3
    assert all(b[0] - a[0] == 3600 for a, b in zip(body["data"], body["data"][1:], strict=False))
    r = await api.get(
        "/api/0/organizations/acme/events-stats/",
        params=[("statsPeriod", "6h"), ("yAxis", "count()"), ("yAxis", "count_unique(user)")],
    )
    both = r.json()
    assert sum(p[1][0]["count"] for p in both["count()"]["data"]) == 5
    assert sum(p[1][0]["count"] for p in both["count_unique(user)"]["data"]) == 3  # per bucket


async def test_events_timeseries(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        "/api/0/organizations/acme/events-timeseries/",
        params={"dataset": "errors", "statsPeriod": "24h", "interval": "3600"},
    )
    body = r.json()
    [series] = body["timeSeries"]
    assert series["yAxis"] == "count()"
    assert series["meta"]["interval"] == 3_600_000
    assert sum(v["value"] for v in series["values"]) == 5
    assert series["values"][-1]["incomplete"] is True
    assert series["values"][0]["timestamp"] % 3_600_000 == 0


async def test_project_stats(api: httpx.AsyncClient, events: dict[str, int]) -> None:
    r = await api.get(
        "/api/0/projects/acme/checkout-api/stats/",
        params={"stat": "received", "resolution": "1h", "since": NOW - 86400, "until": NOW},
    )
    points = r.json()
    assert sum(n for _, n in points) == 4
    assert all(ts % 3600 == 0 for ts, _ in points)
    bad = await api.get("/api/0/projects/acme/checkout-api/stats/", params={"resolution": "2h"})
    assert bad.status_code == 400
