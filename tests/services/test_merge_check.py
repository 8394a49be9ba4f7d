"""A merge Sentry would refuse (issues of two projects) is refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.services import actions
from dexter_tui.services.action_log import ActionLog
from dexter_tui.services.bulk import BulkService


async def test_a_merge_across_projects_never_reaches_sentry(
    counted, seeded_world, seeded_store, tmp_path: Path
) -> None:
    client: SentryClient
    client, paths = counted
    org = seeded_world.org_slug
    page = await client.list_issues(org, query="is:unresolved", limit=100)
    by_project = {}
    for issue in page.items:
        by_project.setdefault(issue.project.slug, issue)
    two = list(by_project.values())[:2]
    bulk = BulkService(client, org, ActionLog(tmp_path / "actions.jsonl"))
    assert bulk.check_issues(actions.merge(), two) == (
        f"Cannot merge across projects ({', '.join(sorted(i.project.slug for i in two))}): "
        "Sentry merges issues of one project only"
    )
    sent = len(paths)
    with pytest.raises(ValueError, match="Cannot merge across projects"):
        await bulk.apply(actions.merge(), two)
    assert len(paths) == sent  # nothing was sent
    assert bulk.log.load() == []
    merged = seeded_store.query_one(
        "SELECT COUNT(*) AS n FROM groups WHERE merged_into IS NOT NULL"
    )
    assert merged["n"] == 0
