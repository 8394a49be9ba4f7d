"""The issue feed over real HTTP against the seeded demo: pages, polls, priority."""

from __future__ import annotations

import pytest

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.services.issues import IssueFeed, IssueQuery
from dexter_tui.services.workspace import load_workspace
from tests.conftest import SEED_NOW


async def test_pages_load_once_each_until_the_last(counted, seeded_world) -> None:
    client, paths = counted
    feed = IssueFeed(client, seeded_world.org_slug, IssueQuery(query=""), page_size=25)
    first = await feed.load_first()
    assert len(first) == 25
    assert feed.has_more
    total = feed.hits
    assert total is not None
    assert total >= 60
    while feed.has_more:
        await feed.load_more()
    assert len(feed.order) == total
    assert len(set(feed.order)) == total
    requests = len(paths)
    assert requests == -(-total // 25)
    assert await feed.load_more() == []
    assert len(paths) == requests


def _event(n: int, ts: float) -> dict:
    return {
        "event_id": f"{n:032x}",
        "timestamp": ts,
        "level": "error",
        "platform": "python",
        "exception": {"values": [{"type": "BrandNewError", "value": "never seen before"}]},
    }


async def test_poll_reports_new_and_regressed_issues(counted, seeded_store, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    feed = IssueFeed(client, org, IssueQuery(query="is:unresolved"))
    await feed.load_first()
    project = seeded_world.projects["notifications"]

    _, group_id = ingest_event(seeded_store, project.project_id, _event(1, SEED_NOW - 50))
    before = len(paths)
    changes = await feed.poll()
    assert len(paths) == before + 1  # one request per tick
    assert changes.new == [str(group_id)]
    assert changes.regressed == []

    result = await client.bulk_update_issues(org, [str(group_id)], {"status": "resolved"})
    assert result.succeeded == [str(group_id)]
    ingest_event(seeded_store, project.project_id, _event(2, SEED_NOW - 10))
    changes = await feed.poll()
    assert changes.new == []
    assert changes.regressed == [str(group_id)]
    assert feed.issues[str(group_id)].substatus == "regressed"
    assert feed.issues[str(group_id)].count == 2


async def test_priority_sort_is_local_and_explained(counted, seeded_world) -> None:
    client, _ = counted
    feed = IssueFeed(
        client, seeded_world.org_slug, IssueQuery(sort="priority", period="24h"), page_size=50
    )
    issues = await feed.load_first()
    scores = [feed.priority(i) for i in issues]
    assert all(0 <= s.total <= 100 for s in scores)
    assert any(s.trend > 0 or s.recency > 0 for s in scores)
    assert feed.query.server_sort == "date"


async def test_workspace_resolves_projects_and_assignees(counted, seeded_world) -> None:
    client, _ = counted
    workspace = await load_workspace(client, seeded_world.org_slug)
    assert {p.slug for p in workspace.projects} == set(seeded_world.projects)
    ids = workspace.project_ids(["billing-worker"])
    assert ids == [str(seeded_world.projects["billing-worker"].project_id)]
    with pytest.raises(LookupError, match="unknown project"):
        workspace.project_ids(["nope"])
    assert workspace.me is not None
    assert workspace.me.id == str(seeded_world.user_ids["ana"])
    kinds = [a.kind for a in workspace.assignees()]
    assert kinds.index("team") > kinds.index("user")
    assert "production" in workspace.environments
