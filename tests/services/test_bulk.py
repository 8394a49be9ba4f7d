"""Bulk actions against the seeded demo over real HTTP: state changes, partial failure, undo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Issue
from dexter_tui.services import actions
from dexter_tui.services.action_log import ActionLog
from dexter_tui.services.actions import Assignee, IgnoreSpec
from dexter_tui.services.bulk import BulkService


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


@pytest.fixture
def bulk(client, seeded_world, tmp_path: Path) -> BulkService:
    return BulkService(client, seeded_world.org_slug, ActionLog(tmp_path / "actions.jsonl"))


async def _unresolved(client: SentryClient, org: str, n: int, project: str) -> list[Issue]:
    page = await client.list_issues(org, query=f"is:unresolved project:{project}", limit=100)
    assert len(page.items) >= n
    return page.items[:n]


def _row(store, issue_id: str):
    return store.query_one("SELECT * FROM groups WHERE id = ?", (int(issue_id),))


async def test_resolve_then_undo_restores_each_issue(client, bulk, seeded_store, seeded_world):
    issues = await _unresolved(client, seeded_world.org_slug, 3, "checkout-api")
    outcome = await bulk.apply(actions.resolve(), issues)
    assert outcome.succeeded == [i.id for i in issues]
    assert outcome.requests == 1
    assert {_row(seeded_store, i.id)["status"] for i in issues} == {"resolved"}
    assert all(outcome.updated[i.id].status == "resolved" for i in issues)
    assert outcome.summary == "Resolved 3/3 issues"

    undone = await bulk.undo(outcome)
    assert undone.succeeded == outcome.succeeded
    assert {_row(seeded_store, i.id)["status"] for i in issues} == {"unresolved"}
    assert [e.verb for e in bulk.log.load()] == ["resolve", "undo"]


async def test_partial_failure_reports_exactly_the_failing_ids(
    client, bulk, seeded_store, seeded_world, seeded_server
):
    issues = await _unresolved(client, seeded_world.org_slug, 5, "billing-worker")
    failing = [issues[1].id, issues[3].id]
    async with httpx.AsyncClient(base_url=seeded_server.url) as http:
        response = await http.post(
            "/api/0/_demo/faults/",
            json={"bulk_fail_ids": failing},
            headers={"Authorization": f"Bearer {seeded_world.token}"},
        )
        assert response.status_code == 200
    outcome = await bulk.apply(actions.ignore(IgnoreSpec("forever")), issues)
    assert sorted(outcome.failed) == sorted(failing)
    assert sorted(outcome.succeeded) == sorted(i.id for i in issues if i.id not in failing)
    for issue in issues:
        expected = "unresolved" if issue.id in failing else "ignored"
        assert _row(seeded_store, issue.id)["status"] == expected
    assert "2 failed" in outcome.summary
    [entry] = bulk.log.load()
    assert {i for i, r in entry.outcome.items() if r != "ok"} == set(failing)


async def test_assign_bookmark_and_read_back(client, bulk, seeded_store, seeded_world):
    org = seeded_world.org_slug
    issues = await _unresolved(client, org, 2, "notifications")
    team = Assignee("team", str(seeded_world.team_ids["platform"]), "platform")
    bulk.set_assignees([team])
    outcome = await bulk.apply(actions.assign(team), issues)
    assert not outcome.failed
    assert outcome.updated[issues[0].id].assigned_to.name == "platform"
    fresh = await client.get_issue(org, issues[0].id)
    assert fresh.assigned_to is not None
    assert fresh.assigned_to.type == "team"
    assert fresh.assigned_to.id == team.id

    await bulk.apply(actions.bookmark(), issues)
    fresh = await client.get_issue(org, issues[1].id)
    assert fresh.is_bookmarked


async def test_merge_and_delete(client, bulk, seeded_store, seeded_world):
    issues = await _unresolved(client, seeded_world.org_slug, 3, "checkout-api")
    merged = await bulk.apply(actions.merge(), issues[:2])
    assert merged.merge_parent in {issues[0].id, issues[1].id}
    assert len(merged.removed) == 1
    assert not merged.can_undo

    deleted = await bulk.apply(actions.delete(), [issues[2]])
    assert deleted.removed == [issues[2].id]
    assert _row(seeded_store, issues[2].id) is None or (
        _row(seeded_store, issues[2].id)["status"] == "pending_deletion"
    )


async def test_read_only_and_merge_rules_refuse_before_sending(client, seeded_world, tmp_path):
    bulk = BulkService(client, seeded_world.org_slug, ActionLog(None), read_only=True)
    issues = await _unresolved(client, seeded_world.org_slug, 1, "checkout-api")
    assert bulk.check(actions.resolve(), 1) == "read-only mode: no changes are sent"
    with pytest.raises(ValueError, match="read-only"):
        await bulk.apply(actions.resolve(), issues)
    writable = BulkService(client, seeded_world.org_slug, ActionLog(None))
    assert writable.check(actions.merge(), 1) == "Merge needs at least 2 issues"


# -- a write that happened but whose answer is unreadable (issue 18, item 2) --------------


async def test_unreadable_200_body_is_recorded_and_verified(
    client, bulk, seeded_app, seeded_store, seeded_world
):
    """The PUT applied, its answer was cut off: the log has it, re-fetching confirms it."""
    issues = await _unresolved(client, seeded_world.org_slug, 3, "checkout-api")
    seeded_app.state.faults.malformed_json = 1  # only the bulk PUT's answer is broken
    outcome = await bulk.apply(actions.resolve(), issues)
    assert {_row(seeded_store, i.id)["status"] for i in issues} == {"resolved"}
    assert outcome.succeeded == [i.id for i in issues]
    assert not outcome.failed
    assert all(outcome.updated[i.id].status == "resolved" for i in issues)
    [entry] = bulk.log.load()
    assert entry.verb == "resolve"
    assert entry.outcome == dict.fromkeys([i.id for i in issues], "ok")
    assert bulk.log.entries[-1] == entry


async def test_unreadable_body_and_failed_check_say_outcome_unknown(
    client, bulk, seeded_app, seeded_store, seeded_world
):
    """When the re-fetch is unreadable too, the entry says so — never "failed", never lost."""
    issues = await _unresolved(client, seeded_world.org_slug, 2, "checkout-api")
    seeded_app.state.faults.malformed_json = 50
    outcome = await bulk.apply(actions.ignore(IgnoreSpec("forever")), issues)
    seeded_app.state.faults.malformed_json = 0
    assert {_row(seeded_store, i.id)["status"] for i in issues} == {"ignored"}
    assert outcome.succeeded == []
    assert outcome.unknown == [i.id for i in issues]
    assert set(outcome.failed.values()) == {"sent, outcome unknown — verify"}
    assert "retry" not in outcome.summary
    assert outcome.summary == "Ignored 0/2 issues — 2 sent, outcome unknown — verify"
    [entry] = bulk.log.load()
    assert entry.outcome == dict.fromkeys([i.id for i in issues], "sent, outcome unknown — verify")


async def test_merge_with_unreadable_answer_is_not_logged_as_failed(
    client, bulk, seeded_app, seeded_world
):
    issues = await _unresolved(client, seeded_world.org_slug, 2, "checkout-api")
    seeded_app.state.faults.malformed_json = 1
    merged = await bulk.apply(actions.merge(), issues)
    assert not merged.failed
    assert merged.succeeded == [i.id for i in issues]
    assert merged.merge_parent in {issues[0].id, issues[1].id}
    assert merged.removed == [i.id for i in issues if i.id != merged.merge_parent]
    [entry] = bulk.log.load()
    assert entry.verb == "merge"
    assert set(entry.outcome.values()) == {"ok"}


# -- hung writes (issue 18 item 9) --------------------------------------------------------------


class HeldWrites(httpx.AsyncHTTPTransport):
    """PUTs reach the demo only once released — or, with `timeout`, never get an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.sent = asyncio.Event()
        self.timeout = False
        self.puts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts += 1
            self.sent.set()
            if self.timeout:
                raise httpx.ReadTimeout("no answer", request=request)
            await self.release.wait()
        return await super().handle_async_request(request)


async def test_a_write_without_answer_is_sent_once_and_checked(
    seeded_server, seeded_world, seeded_store, tmp_path
):
    transport = HeldWrites()
    transport.timeout = True
    async with SentryClient(seeded_server.url, seeded_world.token, transport=transport) as client:
        bulk = BulkService(client, seeded_world.org_slug, ActionLog(tmp_path / "a.jsonl"))
        issues = await _unresolved(client, seeded_world.org_slug, 2, "checkout-api")
        outcome = await bulk.apply(actions.resolve(), issues)
    assert transport.puts == 1  # the timeout is per request: no chain of retries
    # the check found it not applied (the PUT never reached the demo): failed, and says why
    assert set(outcome.failed.values()) == {"not applied (checked after its answer was lost)"}
    assert {_row(seeded_store, i.id)["status"] for i in issues} == {"unresolved"}
    [entry] = bulk.log.load()
    assert entry.outcome == outcome.failed


async def test_a_hung_write_does_not_block_reads(seeded_server, seeded_world, tmp_path):
    transport = HeldWrites()
    async with SentryClient(
        seeded_server.url, seeded_world.token, transport=transport, max_concurrency=1
    ) as client:
        bulk = BulkService(client, seeded_world.org_slug, ActionLog(tmp_path / "a.jsonl"))
        issues = await _unresolved(client, seeded_world.org_slug, 2, "checkout-api")
        write = asyncio.create_task(bulk.apply(actions.bookmark(), issues))
        await transport.sent.wait()
        # the only slot a write could take is busy; a read still goes through (the guard only
        # stops a deadlock from hanging the suite)
        fresh = await asyncio.wait_for(client.get_issue(seeded_world.org_slug, issues[0].id), 20)
        assert fresh.id == issues[0].id
        assert not write.done()
        transport.release.set()
        outcome = await write
    assert outcome.succeeded == [i.id for i in issues]


async def test_a_cancelled_send_still_reaches_the_log(seeded_server, seeded_world, tmp_path):
    """Quitting mid-action (the worker is cancelled): the ids in flight are logged as unknown."""
    transport = HeldWrites()
    async with SentryClient(seeded_server.url, seeded_world.token, transport=transport) as client:
        bulk = BulkService(client, seeded_world.org_slug, ActionLog(tmp_path / "a.jsonl"))
        issues = await _unresolved(client, seeded_world.org_slug, 2, "checkout-api")
        write = asyncio.create_task(bulk.apply(actions.resolve(), issues))
        await transport.sent.wait()
        write.cancel()
        with pytest.raises(asyncio.CancelledError):
            await write
    [entry] = bulk.log.load()
    assert entry.outcome == dict.fromkeys([i.id for i in issues], "sent, outcome unknown — verify")
    assert bulk.log.entries == [entry]
