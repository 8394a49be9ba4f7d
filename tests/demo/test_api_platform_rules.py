"""Legacy issue alert rules: list, edit, enable/disable, snooze."""

from __future__ import annotations

import httpx
import pytest

from dexter_tui.demo.store import Store, dumps
from dexter_tui.demo.world import World

RULES = "/api/0/projects/acme/checkout-api/rules/"
NEW_ISSUE = {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
FREQUENT = {
    "id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
    "value": 100,
    "interval": "1h",
}
EMAIL = {
    "id": "sentry.mail.actions.NotifyEmailAction",
    "targetType": "IssueOwners",
    "fallthroughType": "ActiveMembers",
}


@pytest.fixture
def rule_id(store: Store, world: World) -> int:
    """A rule as the seed would store it."""
    data = {
        "conditions": [FREQUENT],
        "filters": [],
        "actions": [EMAIL],
        "actionMatch": "any",
        "filterMatch": "all",
        "frequency": 60,
    }
    return int(
        store.execute(
            "INSERT INTO rules (project_id, name, environment, data, date_created, last_triggered,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                world.projects["checkout-api"].project_id,
                "Checkout error spike",
                "production",
                dumps(data),
                1_790_000_000.0,
                1_790_000_500.0,
                world.user_ids["ben"],
            ),
        ).lastrowid
    )


async def test_list_renders_rule_components(api: httpx.AsyncClient, rule_id: int) -> None:
    r = await api.get(RULES)
    assert r.status_code == 200
    [rule] = r.json()
    assert rule["id"] == str(rule_id)
    assert rule["conditions"][0]["name"] == "The issue is seen more than 100 times in 1h"
    assert rule["actions"][0]["name"] == "Send a notification to IssueOwners"
    assert rule["actionMatch"] == "any"
    assert rule["frequency"] == 60
    assert rule["environment"] == "production"
    assert rule["status"] == "active"
    assert rule["snooze"] is False
    assert rule["lastTriggered"].startswith("2026-09-21T")
    assert rule["createdBy"]["email"] == "ben@acme.test"
    assert rule["projects"] == ["checkout-api"]
    assert r.links["next"]["results"] == "false"


async def test_disable_and_enable(api: httpx.AsyncClient, rule_id: int) -> None:
    r = await api.put(f"{RULES}{rule_id}/", json={"status": "disabled"})
    assert r.status_code == 200
    assert r.json()["status"] == "disabled"
    assert r.json()["name"] == "Checkout error spike"  # partial update keeps the rest
    assert (await api.get(f"{RULES}{rule_id}/")).json()["status"] == "disabled"
    r = await api.put(f"{RULES}{rule_id}/", json={"status": "active", "frequency": 30})
    assert r.json()["status"] == "active"
    assert r.json()["frequency"] == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "paused"}, "status"),
        ({"frequency": 1}, "frequency"),
        ({"actionMatch": "some"}, "actionMatch"),
        ({"name": "  "}, "name"),
        ({"actions": []}, "actions"),
    ],
)
async def test_invalid_edits_are_400_field_errors(
    api: httpx.AsyncClient, rule_id: int, body: dict, field: str
) -> None:
    r = await api.put(f"{RULES}{rule_id}/", json=body)
    assert r.status_code == 400
    assert field in r.json()


async def test_read_only_token_cannot_edit(
    api: httpx.AsyncClient, rule_id: int, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.read_token}"}
    r = await api.put(f"{RULES}{rule_id}/", json={"status": "disabled"}, headers=headers)
    assert r.status_code == 403
    assert (await api.get(RULES, headers=headers)).status_code == 200


async def test_unknown_rule_is_404(api: httpx.AsyncClient, rule_id: int) -> None:
    assert (await api.get(f"{RULES}999/")).status_code == 404
    other = f"/api/0/projects/acme/billing-worker/rules/{rule_id}/"
    assert (await api.get(other)).status_code == 404


async def test_snooze_for_me_and_unsnooze(
    api: httpx.AsyncClient, rule_id: int, world: World, store: Store
) -> None:
    r = await api.post(f"{RULES}{rule_id}/snooze/", json={"target": "me"})
    assert r.status_code == 201
    assert r.json()["ruleId"] == rule_id
    assert r.json()["until"] == "forever"
    rule = (await api.get(f"{RULES}{rule_id}/")).json()
    assert rule["snooze"] is True
    assert rule["snoozeCreatedBy"] == "You"
    assert rule["snoozeForEveryone"] is False

    # another user's view: a "me" snooze is not theirs
    ben = store.create_token(world.user_ids["ben"], "alerts:read")
    theirs = await api.get(f"{RULES}{rule_id}/", headers={"Authorization": f"Bearer {ben}"})
    assert theirs.json()["snooze"] is False

    again = await api.post(f"{RULES}{rule_id}/snooze/", json={"target": "me"})
    assert again.status_code == 410
    assert (await api.delete(f"{RULES}{rule_id}/snooze/")).status_code == 204
    assert (await api.get(f"{RULES}{rule_id}/")).json()["snooze"] is False
    assert (await api.delete(f"{RULES}{rule_id}/snooze/")).status_code == 404


async def test_snooze_until_expires(api: httpx.AsyncClient, rule_id: int, store: Store) -> None:
    now = store.now()
    store.clock = lambda: now
    r = await api.post(
        f"{RULES}{rule_id}/snooze/", json={"target": "everyone", "until": "2099-01-01T00:00:00Z"}
    )
    assert r.json()["until"].startswith("2099-01-01T00:00:00")
    assert (await api.get(f"{RULES}{rule_id}/")).json()["snoozeForEveryone"] is True
    store.clock = lambda: 4_102_444_801.0  # 2100
    assert (await api.get(f"{RULES}{rule_id}/")).json()["snooze"] is False


async def test_create_and_delete(api: httpx.AsyncClient) -> None:
    body = {
        "name": "New checkout issues",
        "conditions": [NEW_ISSUE],
        "actions": [EMAIL],
        "actionMatch": "all",
        "frequency": 30,
    }
    r = await api.post(RULES, json=body)
    assert r.status_code == 200
    created = r.json()
    assert created["conditions"][0]["name"] == "A new issue is created"
    assert created["createdBy"]["email"] == "ana@acme.test"
    assert (await api.delete(f"{RULES}{created['id']}/")).status_code == 202
    assert (await api.get(f"{RULES}{created['id']}/")).status_code == 404
    r = await api.post(RULES, json={"name": "x"})
    assert r.status_code == 400
    assert set(r.json()) >= {"actions", "actionMatch", "frequency"}
