"""Client calls for alert-rule snooze, rule history and probing optional org endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, NotFound, ReadOnlyError


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


async def test_snooze_then_unsnooze(client, seeded_world, seeded_store) -> None:
    org = seeded_world.org_slug
    rule = (await client.list_alert_rules(org, "checkout-api"))[0]
    answer = await client.snooze_alert_rule(org, "checkout-api", rule.id, target="everyone")
    assert answer["ruleId"] == int(rule.id)
    assert answer["until"] == "forever"
    assert (await client.get_alert_rule(org, "checkout-api", rule.id)).snooze is True
    with pytest.raises(BadRequest):  # 410: already snoozed for that scope
        await client.snooze_alert_rule(org, "checkout-api", rule.id)
    await client.unsnooze_alert_rule(org, "checkout-api", rule.id, target="everyone")
    row = seeded_store.query_one("SELECT snoozed_by FROM rules WHERE id = ?", (int(rule.id),))
    assert row["snoozed_by"] is None
    with pytest.raises(NotFound):
        await client.unsnooze_alert_rule(org, "checkout-api", rule.id)


async def test_optional_endpoints_answer_not_found(client, seeded_world) -> None:
    org = seeded_world.org_slug
    for name in ("workflows", "detectors"):
        with pytest.raises(NotFound):
            await client.list_org_resource(org, name)
    assert await client.list_org_resource(org, "environments")  # a served list comes back raw
    assert await client.list_org_resource(org, "searches")  # the demo serves saved searches


async def test_group_history_lists_the_issues_a_rule_fired_for(
    client, seeded_world, seeded_store
) -> None:
    org = seeded_world.org_slug
    for rule in await client.list_alert_rules(org, "checkout-api"):
        history = await client.alert_rule_group_history(org, "checkout-api", rule.id)
        fired = seeded_store.query(
            "SELECT DISTINCT g.short_id FROM rule_fires f JOIN groups g ON g.id = f.group_id"
            " WHERE f.rule_id = ?",
            (int(rule.id),),
        )
        assert sorted(h["group"]["shortId"] for h in history) == sorted(r[0] for r in fired)
        assert all(h["count"] >= 1 for h in history)


async def test_read_only_client_never_snoozes(seeded_server, seeded_world) -> None:
    async with SentryClient(seeded_server.url, seeded_world.token, read_only=True) as client:
        with pytest.raises(ReadOnlyError):
            await client.snooze_alert_rule(seeded_world.org_slug, "checkout-api", "1")
