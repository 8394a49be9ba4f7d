"""Analytics over real HTTP against the seeded demo: figures match the API, requests are counted."""

from __future__ import annotations

import httpx

from dexter_tui.services.analytics import (
    AnalyticsService,
    Scope,
    Window,
    breakdowns_from_rows,
    iso,
    split_halves,
)
from tests.conftest import SEED_NOW


def test_window_is_aligned_and_splits_two_periods_exactly() -> None:
    w = Window.of("24h", SEED_NOW)
    assert w.end >= SEED_NOW > w.end - w.interval
    assert w.end % w.interval == 0
    assert w.span == 86400
    assert w.buckets == 48
    assert w.previous_start == w.start - 86400
    previous, current = split_halves(list(range(96)), 48)
    assert previous == list(range(48))
    assert current == list(range(48, 96))
    # a short series (server trimmed leading buckets) pads the old end with zeros
    previous, current = split_halves([5, 6], 2)
    assert previous == [0, 0]
    assert current == [5, 6]


def test_breakdowns_sum_a_grouped_page_per_dimension() -> None:
    rows = [
        {"level": "error", "environment": "production", "release": "a@1", "count()": 5},
        {"level": "error", "environment": "staging", "release": "a@1", "count()": 2},
        {"level": "warning", "environment": "production", "release": None, "count()": 4},
    ]
    b = breakdowns_from_rows(rows)
    assert b["level"].values == [("error", 7), ("warning", 4)]
    assert b["environment"].values == [("production", 9), ("staging", 2)]
    assert b["release"].values == [("a@1", 7), ("(none)", 4)]
    assert b["release"].total == 11
    assert b["level"].top(1) == [("error", 7), ("(other)", 4)]


async def _discover(raw: httpx.AsyncClient, org: str, params: list[tuple[str, str]]) -> list[dict]:
    r = await raw.get(f"/api/0/organizations/{org}/events/", params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_one_period_costs_six_requests_and_matches_the_api(
    counted, raw, seeded_world
) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    service = AnalyticsService(client, org, clock=lambda: SEED_NOW)
    data = await service.load(Scope(period="7d"))
    assert len(paths) == 6
    assert data.requests == 6
    assert sorted(set(paths)) == sorted(
        {
            f"/api/0/organizations/{org}/events-timeseries/",
            f"/api/0/organizations/{org}/issues-timeseries/",
            f"/api/0/organizations/{org}/issues/",
            f"/api/0/organizations/{org}/events/",
        }
    )
    w = data.window
    window = [("start", iso(w.start)), ("end", iso(w.end)), ("dataset", "errors")]
    previous = [("start", iso(w.previous_start)), ("end", iso(w.start)), ("dataset", "errors")]

    (total,) = await _discover(raw, org, [("field", "count()"), *window])
    (before,) = await _discover(raw, org, [("field", "count()"), *previous])
    assert data.total == total["count()"] > 0
    assert data.previous_total == before["count()"] > 0
    assert len(data.volume) == len(data.previous_volume) == w.buckets

    per_issue = await _discover(
        raw,
        org,
        [
            ("field", "issue.id"),
            ("field", "count()"),
            ("field", "count_unique(user)"),
            ("sort", "-count()"),
            ("per_page", "100"),
            *window,
        ],
    )
    top = data.top_by_events(3)
    expected = {str(r["issue.id"]): r for r in per_issue}
    for figure in top:
        assert figure.events == expected[figure.issue_id]["count()"]
        assert figure.users == expected[figure.issue_id]["count_unique(user)"]
    assert top[0].events == max(r["count()"] for r in per_issue)
    assert data.top_by_users(1)[0].users == max(r["count_unique(user)"] for r in per_issue)

    levels = await _discover(raw, org, [("field", "level"), ("field", "count()"), *window])
    assert dict(data.breakdowns["level"].values) == {r["level"]: r["count()"] for r in levels}
    assert data.breakdowns["environment"].total == total["count()"]

    # new issues per bucket add up to the issues first seen in the period
    r = await raw.get(
        f"/api/0/organizations/{org}/issues/",
        params={"query": f"firstSeen:>={iso(w.start)}", "limit": "100", "statsPeriod": "30d"},
    )
    assert data.new_issues is not None
    assert sum(data.new_issues) == len(r.json())
    assert data.resolved_issues is not None


async def test_trending_is_the_rise_against_the_previous_period(counted, seeded_world) -> None:
    client, _ = counted
    service = AnalyticsService(client, seeded_world.org_slug, clock=lambda: SEED_NOW)
    data = await service.load(Scope(period="24h"))
    trending = data.trending()
    assert trending
    rises = [f.rise for f in trending]
    assert rises == sorted(rises, reverse=True)
    assert all(f.events - f.previous_events == f.rise > 0 for f in trending)
    ranked = data.priority_top(SEED_NOW)
    assert len(ranked) == 10
    totals = [r.score.total for r in ranked]
    assert totals == sorted(totals, reverse=True)


async def test_cache_per_scope_with_ttl_and_refresh(counted, seeded_world) -> None:
    client, paths = counted
    now = [SEED_NOW]
    service = AnalyticsService(client, seeded_world.org_slug, ttl=60, clock=lambda: now[0])
    first = await service.load(Scope(period="24h"))
    assert len(paths) == 6
    assert await service.load(Scope(period="24h")) is first
    assert len(paths) == 6  # cached
    await service.load(Scope(period="24h", environments=("production",)))
    assert len(paths) == 12  # another environment is another scope
    await service.load(Scope(period="24h"), refresh=True)
    assert len(paths) == 18
    now[0] += 61
    await service.load(Scope(period="24h"))
    assert len(paths) == 24  # expired


async def test_environment_filter_reaches_every_figure(counted, raw, seeded_world) -> None:
    client, _ = counted
    org = seeded_world.org_slug
    service = AnalyticsService(client, org, clock=lambda: SEED_NOW)
    data = await service.load(Scope(period="14d", environments=("staging",)))
    w = data.window
    (total,) = await _discover(
        raw,
        org,
        [
            ("field", "count()"),
            ("start", iso(w.start)),
            ("end", iso(w.end)),
            ("dataset", "errors"),
            ("environment", "staging"),
        ],
    )
    assert data.total == total["count()"]
    assert [v for v, _ in data.breakdowns["environment"].values] in (["staging"], [])


async def test_tag_breakdown_is_one_request(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    service = AnalyticsService(client, org, clock=lambda: SEED_NOW)
    breakdown = await service.tag_breakdown(Scope(period="14d"), "server_name")
    assert len(paths) == 1
    w = Window.of("14d", SEED_NOW)
    rows = await _discover(
        raw,
        org,
        [
            ("field", "tags[server_name]"),
            ("field", "count()"),
            ("start", iso(w.start)),
            ("end", iso(w.end)),
            ("dataset", "errors"),
        ],
    )
    assert breakdown.total == sum(r["count()"] for r in rows) > 0


async def test_top_by_users_stays_exact_when_issues_span_pages(
    counted, raw, seeded_world, monkeypatch
) -> None:
    """With a page smaller than the issues of the period, one extra request (sorted by users)
    is made only if the first page cannot prove its top 10 by users."""
    from dexter_tui.services import analytics

    monkeypatch.setattr(analytics, "PAGE", 12)
    client, paths = counted
    org = seeded_world.org_slug
    data = await AnalyticsService(client, org, clock=lambda: SEED_NOW).load(Scope(period="14d"))
    # 6, + 1 sorted by users, + 3: the level/environment/release combinations no longer fit one
    # page either, so each breakdown is its own grouped query
    assert len(paths) == 10
    w = data.window
    rows = await _discover(
        raw,
        org,
        [
            ("field", "issue.id"),
            ("field", "count()"),
            ("field", "count_unique(user)"),
            ("sort", "-count_unique(user)"),
            ("per_page", "100"),
            ("start", iso(w.start)),
            ("end", iso(w.end)),
            ("dataset", "errors"),
        ],
    )
    expected = sorted((r["count_unique(user)"] for r in rows), reverse=True)[:10]
    assert [f.users for f in data.top_by_users()] == expected


def test_users_complete_needs_the_tenth_user_count_to_reach_the_page_floor() -> None:
    from dexter_tui.services.analytics import users_complete

    rows = [{"count()": 50 - i, "count_unique(user)": 45} for i in range(10)]
    assert users_complete(rows)  # 45 users ≥ 41 events, the most any other issue can have
    rows[-1]["count_unique(user)"] = 3
    assert not users_complete(rows)
    assert not users_complete(rows[:5])


async def test_resolving_issues_shows_in_the_resolved_buckets(counted, seeded_world) -> None:
    client, _ = counted
    org = seeded_world.org_slug
    service = AnalyticsService(client, org, clock=lambda: SEED_NOW)
    before = await service.load(Scope(period="1h"))
    assert before.resolved_issues is not None
    assert before.new_issues is not None
    assert len(before.resolved_issues) == len(before.new_issues) == before.window.buckets
    ids = [f.issue_id for f in before.top_by_events(2)]
    result = await client.bulk_update_issues(org, ids, {"status": "resolved"})
    assert sorted(result.succeeded) == sorted(ids)
    after = await service.load(Scope(period="1h"), refresh=True)
    assert sum(after.resolved_issues) == sum(before.resolved_issues) + 2
    # the demo's clock is frozen at SEED_NOW: the resolutions land in the bucket holding "now"
    now_bucket = int((SEED_NOW - after.window.start) // after.window.interval)
    assert after.resolved_issues[now_bucket] == before.resolved_issues[now_bucket] + 2
