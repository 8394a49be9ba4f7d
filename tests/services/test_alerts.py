"""Alert rules over real HTTP against the seeded demo: sentences, toggle, snooze, probes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import ReadOnlyError
from dexter_tui.sentry.models import AlertRule
from dexter_tui.services.alerts import (
    NOT_EXPOSED,
    AlertService,
    RuleItem,
    component_text,
    describe,
    frequency_text,
    workflow_rule,
)
from tests.conftest import SEED_NOW


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


def _service(client: SentryClient, world, **kw) -> AlertService:
    return AlertService(client, world.org_slug, clock=lambda: SEED_NOW, **kw)


def test_components_read_as_sentences() -> None:
    assert component_text({"id": "x.y.FirstSeenEventCondition"}) == "A new issue is created"
    assert (
        component_text({"id": "a.EventFrequencyCondition", "value": 100, "interval": "1h"})
        == "The issue is seen more than 100 times in 1h"
    )
    assert component_text({"id": "a.b.SlackNotifyServiceAction"}) == "Slack notify service action"
    assert component_text({"id": "z", "name": "Given by Sentry"}) == "Given by Sentry"
    assert frequency_text(30) == "Notifies at most once every 30 minutes per issue"
    assert frequency_text(60) == "Notifies at most once every hour per issue"
    assert frequency_text(1440 * 2) == "Notifies at most once every 2 days per issue"


async def test_load_lists_the_rules_in_sentences(client, seeded_world, seeded_store) -> None:
    service = _service(client, seeded_world)
    overview = await service.load(["checkout-api", "billing-worker"])
    names = {i.rule.name for i in overview.items}
    stored = {r["name"] for r in seeded_store.query("SELECT name FROM rules")}
    assert names == stored
    assert names
    # the demo serves only the legacy endpoints: the probes say absent, no note on screen
    assert [p.name for p in overview.probes] == ["workflows", "detectors"]
    assert all(p.items is None and not p.note for p in overview.probes)
    frequent = next(i for i in overview.items if "100 events" in i.rule.name)
    text = describe(frequent, SEED_NOW)
    flat = [line for _, lines in text.sections for line in lines]
    assert "The issue is seen more than 100 times in 1h" in flat
    assert "Only events in the production environment" in flat
    assert "Notifies at most once every hour per issue" in flat
    assert "Not snoozed" in flat
    assert not any("{" in line for line in flat)  # no raw JSON


async def test_toggle_reaches_the_server(client, seeded_world, seeded_store) -> None:
    service = _service(client, seeded_world)
    item = (await service.load(["checkout-api"])).items[0]
    off = await service.set_enabled(item, False)
    assert not off.rule.is_enabled
    row = seeded_store.query_one("SELECT status FROM rules WHERE id = ?", (int(item.rule.id),))
    assert row["status"] == "disabled"
    on = await service.set_enabled(off, True)
    assert on.rule.is_enabled
    row = seeded_store.query_one("SELECT status FROM rules WHERE id = ?", (int(item.rule.id),))
    assert row["status"] == "active"


async def test_snooze_and_unsnooze(client, seeded_world, seeded_store) -> None:
    service = _service(client, seeded_world)
    item = (await service.load(["checkout-api"])).items[0]
    snoozed = await service.snooze(item)
    assert snoozed.snoozed
    assert "Snoozed for you" in describe(snoozed, SEED_NOW).sections[-1][1][4]
    row = seeded_store.query_one("SELECT snoozed_by FROM rules WHERE id = ?", (int(item.rule.id),))
    assert row["snoozed_by"] == seeded_world.user_ids["ana"]
    back = await service.unsnooze(snoozed)
    assert not back.snoozed
    row = seeded_store.query_one("SELECT snoozed_by FROM rules WHERE id = ?", (int(item.rule.id),))
    assert row["snoozed_by"] is None


async def test_read_only_refuses_before_any_request(client, seeded_world, seeded_store) -> None:
    service = _service(client, seeded_world, read_only=True)
    item = (await service.load(["checkout-api"])).items[0]
    before = [tuple(r) for r in seeded_store.query("SELECT status, snoozed_by FROM rules")]
    with pytest.raises(ReadOnlyError):
        await service.set_enabled(item, not item.rule.is_enabled)
    with pytest.raises(ReadOnlyError):
        await service.snooze(item)
    after = [tuple(r) for r in seeded_store.query("SELECT status, snoozed_by FROM rules")]
    assert before == after


async def test_fired_for_lists_issues(client, seeded_world, seeded_store) -> None:
    service = _service(client, seeded_world)
    overview = await service.load(["checkout-api"])
    item = next(i for i in overview.items if i.rule.name.startswith("New issue"))
    fired = await service.fired_for(item)
    assert fired.groups is not None
    stored = seeded_store.query(
        "SELECT COUNT(DISTINCT group_id) FROM rule_fires WHERE rule_id = ?", (int(item.rule.id),)
    )[0][0]
    assert len(fired.groups) == stored
    assert fired.note == f"{stored} issues in the last 14 days"


async def test_fired_for_says_when_the_server_does_not_tell(seeded_world) -> None:
    """An older Sentry without `group-history` (the one thing the demo serves that we fake)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "The requested resource does not exist"})

    transport = httpx.MockTransport(handler)
    async with SentryClient("http://old-sentry.test", "t", transport=transport) as client:
        service = _service(client, seeded_world)
        item = RuleItem("checkout-api", AlertRule(id="1", name="r"))
        fired = await service.fired_for(item)
        probes = await service.probe()
    assert fired.groups is None
    assert fired.note == NOT_EXPOSED
    assert all(p.items is None for p in probes)


def test_workflows_shown_read_only() -> None:
    rule = workflow_rule(
        {
            "id": 7,
            "name": "Paging",
            "enabled": False,
            "environment": "prod",
            "triggers": {"conditions": [{"type": "first_seen_event"}]},
            "actionFilters": [{"conditions": [], "actions": [{"type": "slack"}]}],
        }
    )
    item = RuleItem("(org)", rule, source="workflow")
    assert isinstance(item.rule, AlertRule)
    assert not item.rule.is_enabled
    assert not item.editable
    flat = [line for _, lines in describe(item, SEED_NOW).sections for line in lines]
    assert "First seen event" in flat
    assert "Slack" in flat
    assert any("read-only" in line for line in flat)


async def test_read_only_refuses_workflows(client, seeded_world) -> None:
    service = _service(client, seeded_world)
    item = RuleItem("(org)", workflow_rule({"id": 1, "name": "w"}), source="workflow")
    with pytest.raises(ReadOnlyError):
        await service.set_enabled(item, False)


async def test_newer_sentry_workflows_listed_read_only(seeded_world) -> None:
    """A Sentry with the workflows/detectors API (the demo has none, so a stand-in transport)."""
    workflow = {
        "id": "42",
        "name": "Page on-call",
        "enabled": True,
        "environment": None,
        "lastTriggered": None,
        "triggers": {"conditions": [{"type": "first_seen_event"}]},
        "actionFilters": [{"conditions": [], "actions": [{"type": "pagerduty"}]}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/rules/"):
            return httpx.Response(200, json=[])
        if path.endswith("/workflows/"):
            return httpx.Response(200, json=[workflow])
        if path.endswith("/detectors/"):
            return httpx.Response(403, json={"detail": "You do not have permission."})
        return httpx.Response(404, json={"detail": "not found"})

    transport = httpx.MockTransport(handler)
    async with SentryClient("http://new-sentry.test", "t", transport=transport) as client:
        overview = await _service(client, seeded_world).load(["api"])
    (item,) = overview.items
    assert item.source == "workflow"
    assert not item.editable
    assert item.rule.name == "Page on-call"
    assert "workflows: 1 on this server (read-only here)" in overview.notes()
    assert "detectors: the token may not read them" in overview.notes()
