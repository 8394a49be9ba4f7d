"""The Deadlocks view's data, headless: search, analysis and grouping against the seeded demo."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.sentry.client import SentryClient
from dexter_tui.services.deadlock import analyze
from dexter_tui.services.deadlock.sql import mask_literals
from dexter_tui.services.deadlocks_view import (
    DeadlockQuery,
    period_seconds,
    process_rows,
    relative_age,
    scan_deadlocks,
    shown_query,
    timeline,
)
from tests.conftest import SEED_NOW

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deadlocks"


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


async def _search_ids(client: SentryClient, org: str, query: DeadlockQuery) -> set[str]:
    ids: set[str] = set()
    for q in query.search_queries():
        page = await client.list_issues(org, query=q, stats_period=query.period, limit=100)
        ids |= {i.id for i in page.items}
    return ids


# -- scanning the seeded demo ----------------------------------------------------------------


async def test_scan_groups_every_deadlock_event_of_the_searched_issues(
    client, seeded_world
) -> None:
    org = seeded_world.org_slug
    query = DeadlockQuery()
    scan = await scan_deadlocks(client, org, query)

    assert {i.id for i in scan.issues} == await _search_ids(client, org, query)
    assert scan.patterns
    assert not scan.not_deadlocks
    # one request per search, one per issue
    assert scan.requests == len(query.searches) + len(scan.issues)

    # recompute from the API's events: every deadlock event lands in its fingerprint's pattern
    by_fp: dict[str, set[str]] = {}
    for issue in scan.issues:
        page = await client.list_issue_events(
            org, issue.id, full=True, stats_period=query.period, per_page=100
        )
        for event in page.items:
            fp = analyze(event.model_dump(mode="json", by_alias=True, exclude_unset=True))
            by_fp.setdefault(fp.fingerprint, set()).add(event.event_id or event.id)
    assert {
        p.fingerprint: {o.event.event_id or o.event.id for o in p.occurrences}
        for p in scan.patterns
    } == by_fp
    assert scan.deadlock_events == scan.events_analyzed == sum(len(v) for v in by_fp.values())

    # newest pattern first; each pattern newest event first
    last_seen = [p.last_seen for p in scan.patterns]
    assert last_seen == sorted(last_seen, reverse=True)
    for pattern in scan.patterns:
        stamps = [o.timestamp for o in pattern.occurrences]
        assert stamps == sorted(stamps, reverse=True)
        assert sum(pattern.events_of(i.id) for i in pattern.issues) == pattern.event_count
        assert sum(pattern.buckets(SEED_NOW, period_seconds("14d"), 14)) == pattern.event_count


async def test_one_issue_can_hold_several_patterns(client, seeded_world) -> None:
    """Sentry groups by stack, the analyzer by locks: the seed has an issue with both kinds."""
    scan = await scan_deadlocks(client, seeded_world.org_slug, DeadlockQuery())
    patterns_per_issue: dict[str, set[str]] = {}
    for pattern in scan.patterns:
        for issue in pattern.issues:
            patterns_per_issue.setdefault(issue.id, set()).add(pattern.fingerprint)
    assert max(len(v) for v in patterns_per_issue.values()) > 1


async def test_a_lookalike_matching_the_search_is_not_a_pattern(
    client, seeded_world, seeded_store
) -> None:
    project = seeded_world.projects["notifications"]
    ingest_event(
        seeded_store,
        project.project_id,
        {
            "event_id": uuid.uuid4().hex,
            "timestamp": SEED_NOW - 600,
            "level": "warning",
            "platform": "python",
            "message": {"formatted": "Retried the digest job after a deadlock scare: 3 attempts"},
        },
    )
    scan = await scan_deadlocks(client, seeded_world.org_slug, DeadlockQuery())
    assert [i.title for i in scan.not_deadlocks] == [
        "Retried the digest job after a deadlock scare: 3 attempts"
    ]
    assert all(i.id != scan.not_deadlocks[0].id for p in scan.patterns for i in p.issues)


async def test_project_filter_limits_the_scan(client, seeded_world) -> None:
    org = seeded_world.org_slug
    everything = await scan_deadlocks(client, org, DeadlockQuery())
    billing = str(seeded_world.projects["billing-worker"].project_id)
    scan = await scan_deadlocks(client, org, DeadlockQuery(projects=(billing,)))
    assert scan.issues
    assert {i.project.id for i in scan.issues if i.project} == {billing}
    assert len(scan.issues) < len(everything.issues)


# -- pure helpers ----------------------------------------------------------------------------


def test_timeline_buckets_cover_the_period_oldest_first() -> None:
    now = 1000.0
    assert timeline([now, now - 1, now - 99, now - 100, now + 1, now - 50], now, 100, 4) == [
        1,  # now-99
        1,  # now-50
        0,
        2,  # now-1, now
    ]
    assert timeline([5.0], now, 0, 4) == [0, 0, 0, 0]


def test_period_and_age_formats() -> None:
    assert period_seconds("14d") == 14 * 86400
    assert period_seconds("24h") == 86400
    with pytest.raises(ValueError, match="not a period"):
        period_seconds("fortnight")
    assert relative_age(100.0, 100.0 + 3 * 3600 + 5) == "3h"
    assert relative_age(100.0, 130.0) == "now"


def test_process_rows_roles_with_a_bystander() -> None:
    analysis = analyze((FIXTURES / "D29_bystander_not_in_cycle" / "server_log.txt").read_text())
    assert analysis.report is not None
    assert analysis.graph is not None
    rows = process_rows(analysis)
    assert [r.pid for r in rows] == list(analysis.graph.nodes)
    roles = {r.pid: r.role for r in rows}
    assert roles[analysis.report.victim_pid] == "victim"
    for pid in analysis.graph.bystanders:
        assert roles[pid] in ("bystander", "holder")
    assert any(role == "bystander" for role in roles.values())
    cycle = set(analysis.graph.cycles[0]) - {analysis.report.victim_pid}
    assert all(roles[pid] == "cycle" for pid in cycle)
    for row in rows:
        for wait in analysis.graph.nodes[row.pid].waits:
            assert f"{wait.mode} on " in row.waits_for
            assert f"pid {wait.blocked_by}" in row.waits_for


def test_shown_query_masks_with_the_analyzer() -> None:
    sql = "UPDATE accounts SET balance = balance - 25 WHERE id = 'acct-4478'"
    assert shown_query(sql, masked=False) == sql
    assert shown_query(sql, masked=True) == mask_literals(sql)
    assert "acct-4478" not in shown_query(sql, masked=True)
    assert shown_query(None, masked=True) == ""


def test_process_rows_of_a_partial_report_call_no_one_a_bystander() -> None:
    text = (
        "deadlock detected\n"
        "DETAIL:  Process 1 waits for ShareLock on transaction 7; blocked by process 2.\n"
        "Process 3 waits for ShareLock on transaction 9; blocked by process 1.\n"
    )  # the line of pid 2 (waiting for 3) was lost
    analysis = analyze(text)
    roles = {row.pid: row.role for row in process_rows(analysis)}
    assert analysis.report.partial
    assert "bystander" not in roles.values()
    assert roles == {1: "unplaced", 2: "unplaced", 3: "unplaced"}
