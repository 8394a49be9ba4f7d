"""The demo data set: enough issues, events, history and realism for the TUI, and repeatable."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import sentry_sdk

from dexter_tui.demo.large import add_large
from dexter_tui.demo.seed import DAY, SeedReport, seed
from dexter_tui.demo.server import ServerOptions, create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World, create_world

NOW = 1_795_000_000.0  # a fixed "now": times are relative to it
RANDOM_SEED = 3


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[Store, World, SeedReport]]:
    store = Store(":memory:")
    world = create_world(store)
    report = seed(store, world, now=NOW, random_seed=RANDOM_SEED)
    yield store, world, report
    store.close()


def _one(store: Store, sql: str, params: tuple = ()) -> int:
    return int(store.query_one(sql, params)[0])


def test_enough_issues_events_projects_and_environments(seeded) -> None:
    store, _, report = seeded
    assert report.issues == _one(store, "SELECT COUNT(*) FROM groups") >= 60
    assert _one(store, "SELECT COUNT(DISTINCT project_id) FROM groups") == 3
    assert report.events == _one(store, "SELECT COUNT(*) FROM events") >= 3000
    envs = {r[0] for r in store.query("SELECT DISTINCT environment FROM events")}
    assert {"production", "staging"} <= envs
    per_project = store.query(
        "SELECT p.slug, COUNT(*) FROM groups g JOIN projects p ON p.id = g.project_id GROUP BY 1"
    )
    assert all(n >= 15 for _, n in per_project)


def test_events_span_two_weeks_with_daily_shape(seeded) -> None:
    store, _, _ = seeded
    first, last = store.query_one("SELECT MIN(timestamp), MAX(timestamp) FROM events")
    assert NOW - 15 * DAY <= first <= NOW - 13 * DAY
    assert NOW - DAY <= last <= NOW
    days = store.query(
        "SELECT CAST((? - timestamp) / 86400 AS INTEGER) AS d, COUNT(*) FROM events GROUP BY d",
        (NOW,),
    )
    assert len(days) >= 14
    # the busiest hour of the day (UTC) sees several times the traffic of the quietest one
    hours = [
        n
        for _, n in store.query(
            "SELECT CAST(timestamp % 86400 / 3600 AS INTEGER) AS h, COUNT(*) FROM events GROUP BY h"
        )
    ]
    assert max(hours) > 3 * min(hours)


def test_every_event_came_from_the_python_sdk(seeded) -> None:
    store, _, report = seeded
    names = {
        r[0] for r in store.query("SELECT DISTINCT json_extract(data, '$.sdk.name') FROM events")
    }
    assert names == {"sentry.python"}
    assert report.sdk_events >= 150  # the rest replay SDK payloads
    assert report.sdk_events + report.replayed_events + report.deadlock_events == report.events
    # the service code really ran: its frames are in the stack traces
    row = store.query_one(
        "SELECT data FROM events WHERE title LIKE 'PaymentError%' ORDER BY timestamp LIMIT 1"
    )
    data = json.loads(row[0])
    values = data["exception"]["values"]
    assert [v["type"] for v in values] == ["TimeoutError", "PaymentError"]  # chained, cause first
    functions = [f["function"] for f in values[-1]["stacktrace"]["frames"]]
    assert "submit_checkout" in functions
    frames = values[0]["stacktrace"]["frames"]
    assert any(f.get("module") == "dexter_tui.demo.scenario.checkout" for f in frames)
    assert data["request"]["method"] == "POST"
    assert data["user"]["email"].endswith("@example.com")


def test_message_and_logging_events(seeded) -> None:
    store, _, _ = seeded
    levels = {r[0] for r in store.query("SELECT DISTINCT level FROM groups")}
    assert {"error", "warning"} <= levels
    logged = store.query_one(
        "SELECT data FROM events WHERE json_extract(data, '$.logger') = 'billing.tasks' LIMIT 1"
    )
    assert logged is not None
    threads = store.query_one(
        "SELECT COUNT(*) FROM events WHERE project_id = 3 AND json_extract(data, '$.threads')"
        " IS NOT NULL"
    )
    assert threads[0] > 0  # attach_stacktrace on the notifications service


def test_real_postgres_deadlock_events(seeded) -> None:
    store, world, report = seeded
    rows = store.query("SELECT project_id, data FROM events WHERE title LIKE 'DeadlockDetected%'")
    assert len(rows) == report.deadlock_events >= 100
    projects = {r[0] for r in rows}
    assert projects == {
        world.projects["checkout-api"].project_id,
        world.projects["billing-worker"].project_id,
    }
    texts = {json.loads(r[1])["exception"]["values"][-1]["value"] for r in rows}
    assert all(t.startswith("deadlock detected") for t in texts)
    assert len(texts) >= 6  # several distinct real reports
    assert any("ShareLock on transaction" in t for t in texts)
    assert any("AccessExclusiveLock on relation" in t for t in texts)


def test_triage_history(seeded) -> None:
    store, _, _ = seeded
    statuses = {(r[0], r[1]) for r in store.query("SELECT DISTINCT status, substatus FROM groups")}
    assert ("unresolved", "regressed") in statuses
    assert ("ignored", "archived_forever") in statuses
    assert ("ignored", "archived_until_escalating") in statuses
    assert ("ignored", "archived_until_condition_met") in statuses
    assert any(s == "resolved" for s, _ in statuses)
    assert _one(store, "SELECT COUNT(*) FROM groups WHERE assigned_user_id IS NOT NULL") >= 3
    assert _one(store, "SELECT COUNT(*) FROM groups WHERE assigned_team_id IS NOT NULL") >= 2
    assert _one(store, "SELECT COUNT(DISTINCT group_id) FROM group_bookmarks") >= 3
    notes = store.query("SELECT user_id, data FROM activities WHERE type = 'note'")
    assert len(notes) >= 5
    assert len({n[0] for n in notes}) >= 3  # several people commented
    kinds = {r[0] for r in store.query("SELECT DISTINCT type FROM activities")}
    assert {"first_seen", "set_resolved", "set_ignored", "set_regression", "assigned"} <= kinds


def test_regressed_issue_was_resolved_before_its_new_event(seeded) -> None:
    store, _, report = seeded
    group_id = report.group_ids["billing-worker/prorate_zero_period"]
    acts = store.query(
        "SELECT type, date_created FROM activities WHERE group_id = ? ORDER BY date_created",
        (group_id,),
    )
    kinds = [a[0] for a in acts]
    assert kinds.index("set_resolved") < kinds.index("set_regression")
    last = store.query_one("SELECT last_seen, status FROM groups WHERE id = ?", (group_id,))
    assert last[1] == "unresolved"
    assert last[0] > dict(acts)["set_resolved"]


def test_releases_deploys_and_rules(seeded) -> None:
    store, _, _ = seeded
    per_project = store.query(
        "SELECT project_id, COUNT(*) FROM release_projects GROUP BY project_id"
    )
    assert len(per_project) == 3
    assert all(n >= 2 for _, n in per_project)
    envs = {r[0] for r in store.query("SELECT DISTINCT environment FROM deploys")}
    assert {"production", "staging"} <= envs
    rules = store.query("SELECT name, data FROM rules ORDER BY id")
    assert len(rules) == 2
    assert "New issue in checkout-api" in rules[0][0]
    assert rules[1][0] == "More than 100 events in 1h"
    assert _one(store, "SELECT COUNT(*) FROM rule_fires") > 0


async def test_triage_went_through_the_api_and_reads_back(seeded) -> None:
    store, world, report = seeded
    assert report.api_actions >= 50
    assert report.sql_fallbacks == []  # every route the seed needs is served
    transport = httpx.ASGITransport(app=create_app(store, ServerOptions()))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {world.token}"},
    ) as api:
        rules = await api.get("/api/0/projects/acme/checkout-api/rules/")
        assert rules.status_code == 200
        assert len(rules.json()) == 2
        payment = report.group_ids["checkout-api/payment_timeout"]
        notes = await api.get(f"/api/0/organizations/acme/issues/{payment}/comments/")
        assert notes.status_code == 200
        assert any("circuit breaker" in n["data"]["text"] for n in notes.json())
        issue = await api.get(f"/api/0/organizations/acme/issues/{payment}/")
        assert issue.json()["assignedTo"]["name"] == "Chloe Payments"
        regressed = report.group_ids["billing-worker/prorate_zero_period"]
        issue = await api.get(f"/api/0/organizations/acme/issues/{regressed}/")
        assert (issue.json()["status"], issue.json()["substatus"]) == ("unresolved", "regressed")


def test_seeding_twice_is_refused(seeded) -> None:
    store, world, _ = seeded
    with pytest.raises(ValueError, match="already holds events"):
        seed(store, world, now=NOW)


def test_seed_leaves_tokens_and_sdk_state_alone(seeded) -> None:
    store, world, _ = seeded
    tokens = {r[0] for r in store.query("SELECT token FROM tokens")}
    assert tokens == {world.token, world.read_token}
    assert not sentry_sdk.get_client().is_active()
    assert not sentry_sdk.get_isolation_scope()._breadcrumbs
    assert sentry_sdk.get_isolation_scope()._user is None


def _fingerprint(store: Store) -> list[tuple]:
    return [
        tuple(r)
        for r in store.query(
            "SELECT g.short_id, g.title, g.times_seen, g.status, g.substatus, g.first_seen,"
            " g.last_seen, (SELECT COUNT(*) FROM events e WHERE e.group_id = g.id)"
            " FROM groups g ORDER BY g.id"
        )
    ]


def test_same_random_seed_same_data(seeded) -> None:
    """Byte-identical: even stack-trace variables (addresses, ports, thread ids) are stable."""
    store, _, _ = seeded
    other = Store(":memory:")
    try:
        seed(other, create_world(other), now=NOW, random_seed=RANDOM_SEED)
        assert _fingerprint(other) == _fingerprint(store)
        events = "SELECT event_id, timestamp, data FROM events ORDER BY id"
        assert [tuple(r) for r in other.query(events)] == [tuple(r) for r in store.query(events)]
        acts = "SELECT group_id, type, user_id, data, date_created FROM activities ORDER BY id"
        assert [tuple(r) for r in other.query(acts)] == [tuple(r) for r in store.query(acts)]
    finally:
        other.close()


def test_another_random_seed_other_data(seeded) -> None:
    store, _, _ = seeded
    other = Store(":memory:")
    try:
        seed(other, create_world(other), now=NOW, random_seed=RANDOM_SEED + 1)
        ids = "SELECT event_id FROM events"
        assert not {r[0] for r in other.query(ids)} & {r[0] for r in store.query(ids)}
        assert _one(other, "SELECT COUNT(*) FROM groups") >= 60
    finally:
        other.close()


def test_large_adds_distinct_issues(seeded) -> None:
    store = Store(":memory:")
    try:
        world = create_world(store)
        report = add_large(store, world, 600, now=NOW)
        assert report.issues == 600
        assert _one(store, "SELECT COUNT(*) FROM groups") == 600
        assert _one(store, "SELECT COUNT(*) FROM events") == 600
        assert _one(store, "SELECT COUNT(DISTINCT project_id) FROM groups") == 3
        names = {
            r[0]
            for r in store.query("SELECT DISTINCT json_extract(data, '$.sdk.name') FROM events")
        }
        assert names == {"sentry.python"}
        # a second run continues the numbering instead of re-creating the same issues
        add_large(store, world, 50, now=NOW)
        assert _one(store, "SELECT COUNT(*) FROM groups") == 650
    finally:
        store.close()
