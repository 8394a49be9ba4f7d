"""Events, hashes, tags, comments, activity, releases and alert rules through SentryClient, over
loopback HTTP, on events sent by the real sentry-sdk."""

from __future__ import annotations

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, NotFound, ScopeError
from tests.sentry.conftest import capture_issues

ORG = "acme"
PROJECT = "checkout-api"


@pytest.fixture
def issue_id(live_server, world) -> str:
    """One issue with three events (same fingerprint), sent by sentry-sdk."""
    for _ in range(3):
        capture_issues(live_server, world, PROJECT, 1, prefix="repeat")
    return "1"


async def test_list_issue_events_newest_first(client: SentryClient, issue_id: str) -> None:
    page = await client.list_issue_events(ORG, issue_id)
    assert len(page.items) == 3
    assert all(e.group_id == issue_id for e in page.items)
    assert all(e.event_id and len(e.event_id) == 32 for e in page.items)
    stamps = [e.date_created for e in page.items]
    assert stamps == sorted(stamps, reverse=True)
    assert page.items[0].tag("case") == "0"
    full = await client.list_issue_events(ORG, issue_id, full=True, per_page=2)
    assert len(full.items) == 2
    assert full.next_cursor is not None
    assert full.items[0].exception is not None
    rest = await client.list_issue_events(ORG, issue_id, cursor=full.next_cursor, per_page=2)
    assert len(rest.items) == 1
    assert rest.next_cursor is None


async def test_latest_oldest_and_navigation(client: SentryClient, issue_id: str) -> None:
    latest = await client.get_issue_event(ORG, issue_id, "latest")
    oldest = await client.get_issue_event(ORG, issue_id, "oldest")
    assert latest.event_id != oldest.event_id
    assert latest.next_event_id is None
    assert oldest.previous_event_id is None
    middle = await client.get_issue_event(ORG, issue_id, latest.previous_event_id or "")
    assert middle.next_event_id == latest.event_id
    assert middle.previous_event_id == oldest.event_id
    recommended = await client.get_issue_event(ORG, issue_id, "recommended")
    assert recommended.group_id == issue_id
    # the exception the SDK really raised, with its frames, oldest call first
    exc = latest.exception
    assert exc is not None
    raised = exc.values[-1]
    assert raised.type == "ValueError"
    assert raised.value == "repeat number 0"
    assert raised.stacktrace is not None
    assert raised.stacktrace.frames[-1].function == "capture_issues"
    assert latest.sdk is not None
    assert latest.sdk.name
    assert latest.sdk.name.startswith("sentry.python")


async def test_project_event_and_event_id_lookup(client: SentryClient, issue_id: str) -> None:
    latest = await client.get_issue_event(ORG, issue_id)
    assert latest.event_id
    same = await client.get_project_event(ORG, PROJECT, latest.event_id)
    assert same.event_id == latest.event_id
    found = await client.lookup_event_id(ORG, latest.event_id)
    assert found.group_id == issue_id
    assert found.project_slug == PROJECT
    with pytest.raises(NotFound):
        await client.lookup_event_id(ORG, "f" * 32)


async def test_hashes_and_tags(client: SentryClient, issue_id: str) -> None:
    hashes = await client.list_issue_hashes(ORG, issue_id)
    assert len(hashes.items) == 1
    assert len(hashes.items[0].id) == 32
    tags = await client.list_issue_tags(ORG, issue_id)
    keys = {t.key for t in tags}
    assert {"case", "environment", "release", "level"} <= keys
    env = await client.get_issue_tag(ORG, issue_id, "environment")
    assert env.total_values == 3
    assert [v.value for v in env.top_values] == ["production"]
    values = await client.list_issue_tag_values(ORG, issue_id, "release")
    assert [v.value for v in values.items] == ["app@1.0.0"]
    assert values.items[0].count == 3


async def test_comments_crud_and_activity(client: SentryClient, issue_id: str) -> None:
    note = await client.create_comment(ORG, issue_id, "[red]looking[/red] at it")
    assert note.type == "note"
    assert note.text == "[red]looking[/red] at it"
    with pytest.raises(BadRequest, match="already posted"):
        await client.create_comment(ORG, issue_id, "[red]looking[/red] at it")
    edited = await client.update_comment(ORG, issue_id, note.id, "fixed in #42")
    assert edited.text == "fixed in #42"
    page = await client.list_comments(ORG, issue_id)
    assert [c.text for c in page.items] == ["fixed in #42"]
    activity = await client.list_activities(ORG, issue_id)
    assert "note" in {a.type for a in activity}
    assert "first_seen" in {a.type for a in activity}
    await client.delete_comment(ORG, issue_id, note.id)
    assert (await client.list_comments(ORG, issue_id)).items == []
    issue = await client.get_issue(ORG, issue_id)
    assert issue.num_comments == 0


async def test_comment_post_is_never_retried(client: SentryClient, issue_id, faults, sleeps):
    from dexter_tui.sentry.errors import NetworkError

    faults({"drop_connection": 1})
    with pytest.raises(NetworkError):
        await client.create_comment(ORG, issue_id, "once")
    assert sleeps.waits == []
    assert (await client.list_comments(ORG, issue_id)).items == []


async def test_read_only_token_cannot_comment(make_client, issue_id: str, world) -> None:
    async with make_client(token=world.read_token) as client:
        with pytest.raises(ScopeError):
            await client.create_comment(ORG, issue_id, "hello")


async def test_releases(client: SentryClient, issue_id: str) -> None:
    page = await client.list_releases(ORG)
    assert [r.version for r in page.items] == ["app@1.0.0"]
    release = await client.get_release(ORG, "app@1.0.0")
    assert release.version == "app@1.0.0"
    assert release.new_groups == 1
    with pytest.raises(NotFound):
        await client.get_release(ORG, "nope/1.0+x")


async def test_alert_rules_toggle(client: SentryClient) -> None:
    created = await client.request(
        "POST",
        f"/api/0/projects/{ORG}/{PROJECT}/rules/",
        json={
            "name": "new issues",
            "actionMatch": "all",
            "frequency": 30,
            "conditions": [
                {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
            ],
            "actions": [{"id": "sentry.rules.actions.notify_event.NotifyEventAction"}],
        },
    )
    assert created.status_code == 200, created.text
    rules = await client.list_alert_rules(ORG, PROJECT)
    assert [r.name for r in rules] == ["new issues"]
    rule = rules[0]
    assert rule.is_enabled
    off = await client.set_alert_rule_enabled(ORG, PROJECT, rule.id, False)
    assert off.is_enabled is False
    again = await client.get_alert_rule(ORG, PROJECT, rule.id)
    assert again.is_enabled is False
    assert again.conditions == rule.conditions or len(again.conditions) == len(rule.conditions)
    on = await client.set_alert_rule_enabled(ORG, PROJECT, rule.id, True)
    assert on.is_enabled is True


async def test_discover_query(client: SentryClient, issue_id: str) -> None:
    result, page = await client.discover_query(
        ORG, ["title", "count()"], query="", sort="-count()", stats_period="14d"
    )
    assert result.meta["fields"]["count()"] == "integer"
    assert page.items == result.data
    top = result.data[0]
    assert top["title"] == "ValueError: repeat number 0"
    assert top["count()"] == 3
    with pytest.raises(ValueError, match=r"1\.\.20 fields"):
        await client.discover_query(ORG, [])


async def test_events_stats_and_timeseries(client: SentryClient, issue_id: str) -> None:
    stats = await client.events_stats(ORG, interval="1h", stats_period="24h")
    assert sum(count for _, count in stats.points()) == 3
    series = await client.events_timeseries(ORG, interval=3600, stats_period="24h")
    assert len(series.time_series) == 1
    assert series.time_series[0].y_axis == "count()"
    assert sum(v.value or 0 for v in series.time_series[0].values) == 3
    points = await client.project_stats(ORG, PROJECT, resolution="1h")
    assert sum(c for _, c in points) == 3
