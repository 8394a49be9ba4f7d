"""Issue methods of SentryClient over loopback HTTP, on issues sent by the real sentry-sdk."""

from __future__ import annotations

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, NotFound, ScopeError, ServerError
from tests.sentry.conftest import capture_issues

ORG = "acme"


@pytest.fixture
def issues(live_server, world) -> int:
    """Seven issues in checkout-api and two in billing-worker."""
    capture_issues(live_server, world, "checkout-api", 7)
    capture_issues(live_server, world, "billing-worker", 2, prefix="billing")
    return 9


async def _ids(client: SentryClient, project: str = "checkout-api") -> list[str]:
    page = await client.list_issues(ORG, query="", limit=100)
    return sorted((i.id for i in page.items if i.project and i.project.slug == project), key=int)


async def test_list_issues_parses_issues_with_stats(client: SentryClient, issues: int) -> None:
    page = await client.list_issues(ORG, limit=100, group_stats_period="24h")
    assert len(page.items) == issues
    assert page.next_cursor is None
    issue = page.items[0]
    assert issue.short_id
    assert issue.count >= 1
    assert isinstance(issue.count, int)
    assert "24h" in issue.stats
    assert issue.status == "unresolved"
    assert page.hits == issues  # X-Hits


async def test_iter_issues_to_the_last_page(client: SentryClient, issues: int, recorder) -> None:
    pages = [p async for p in client.iter_issues(ORG, limit=2, max_pages=20)]
    assert [len(p.items) for p in pages] == [2, 2, 2, 2, 1]
    assert {p.hits for p in pages} == {issues}
    assert pages[-1].next_cursor is None
    ids = [i.id for p in pages for i in p.items]
    assert len(set(ids)) == issues
    assert len([s for s in recorder.sent if "/issues/" in s.url]) == 5


async def test_get_issue_and_short_id_lookup(client: SentryClient, issues: int) -> None:
    first = (await client.list_issues(ORG, limit=1)).items[0]
    detail = await client.get_issue(ORG, first.id)
    assert detail.id == first.id
    assert detail.title == first.title
    found = await client.lookup_short_id(ORG, first.short_id)
    assert found.group_id == first.id
    assert found.group is not None
    assert found.group.short_id == first.short_id
    with pytest.raises(NotFound):
        await client.lookup_short_id(ORG, "CHECKOUT-API-ZZZZ")


async def test_update_issue_assign_and_bookmark(client: SentryClient, issues: int, world) -> None:
    issue_id = (await _ids(client))[0]
    ben = world.user_ids["ben"]
    updated = await client.update_issue(
        ORG, issue_id, {"assignedTo": f"user:{ben}", "isBookmarked": True}
    )
    assert updated.assigned_to is not None
    assert updated.assigned_to.actor == f"user:{ben}"
    assert updated.is_bookmarked is True
    again = await client.get_issue(ORG, issue_id)
    assert again.assigned_to is not None
    assert again.assigned_to.id == str(ben)


async def test_bulk_update_all_succeed(client: SentryClient, issues: int, recorder) -> None:
    ids = await _ids(client)
    recorder.sent.clear()
    result = await client.bulk_update_issues(ORG, ids, {"status": "resolved"}, chunk_size=3)
    assert result.ok
    assert result.succeeded == ids
    assert result.requests == 3  # ceil(7 / 3)
    for sent in recorder.sent:
        assert sent.method == "PUT"
        assert "id=" in sent.url  # never a status update without ids
    statuses = {(await client.get_issue(ORG, i)).status for i in ids}
    assert statuses == {"resolved"}
    left = await client.list_issues(ORG, query="is:unresolved")
    assert {i.project.slug for i in left.items if i.project} == {"billing-worker"}


async def test_bulk_update_partial_failure_reports_exactly_the_failing_ids(
    client: SentryClient, issues: int, faults
) -> None:
    ids = await _ids(client)
    failing = [ids[1], ids[5]]
    faults({"bulk_fail_ids": failing})
    result = await client.bulk_update_issues(ORG, ids, {"status": "resolved"}, chunk_size=4)
    assert sorted(result.failed) == sorted(failing)
    assert all(isinstance(e, ServerError) for e in result.failed.values())
    assert result.succeeded == [i for i in ids if i not in failing]
    # bisection: 2 chunks, each split down to the failing id: O(k log n), not n
    assert result.requests <= 2 + 2 * 2 * 2
    faults({"clear": True})
    for issue_id in ids:
        status = (await client.get_issue(ORG, issue_id)).status
        assert status == ("unresolved" if issue_id in failing else "resolved")


async def test_bulk_update_unknown_ids_fail_as_not_found(client: SentryClient, issues: int) -> None:
    result = await client.bulk_update_issues(ORG, ["999999"], {"status": "resolved"})
    assert list(result.failed) == ["999999"]
    assert isinstance(result.failed["999999"], NotFound)


async def test_read_only_token_put_is_scope_error(make_client, issues: int, world) -> None:
    async with make_client(token=world.read_token) as client:
        issue_id = (await _ids(client))[0]
        with pytest.raises(ScopeError) as err:
            await client.update_issue(ORG, issue_id, {"status": "resolved"})
        assert err.value.scope == "event:write"
        assert "event:write" in str(err.value)
        result = await client.bulk_update_issues(ORG, [issue_id], {"status": "resolved"})
        assert isinstance(result.failed[issue_id], ScopeError)
        assert result.requests == 1  # a refusal is not bisected


async def test_merge_issues(client: SentryClient, issues: int) -> None:
    ids = (await _ids(client))[:3]
    merged = await client.merge_issues(ORG, ids)
    assert merged.merge is not None
    parent = str(merged.merge["parent"])
    assert parent in ids
    assert sorted(str(c) for c in merged.merge["children"]) == sorted(i for i in ids if i != parent)
    with pytest.raises(ValueError, match=r"2\.\."):
        await client.merge_issues(ORG, ids[:1])


async def test_merge_across_projects_is_bad_request(client: SentryClient, issues: int) -> None:
    ids = [(await _ids(client))[0], (await _ids(client, "billing-worker"))[0]]
    with pytest.raises(BadRequest):
        await client.merge_issues(ORG, ids)


async def test_delete_issue_and_bulk_delete(client: SentryClient, issues: int) -> None:
    ids = await _ids(client)
    await client.delete_issue(ORG, ids[0])
    result = await client.bulk_delete_issues(ORG, ids[1:3])
    assert result.succeeded == ids[1:3]
    remaining = {i.id for i in (await client.list_issues(ORG, query="")).items}
    assert not remaining & set(ids[:3])


async def test_legacy_issue_routes(client: SentryClient, issues: int) -> None:
    """Old self-hosted: once the org-scoped route 404s, `/api/0/issues/{id}/` is used."""
    issue_id = (await _ids(client))[0]
    client._legacy_issue_routes[ORG] = True
    issue = await client.get_issue(ORG, issue_id)
    assert issue.id == issue_id
    page = await client.list_issues(ORG, legacy_project="checkout-api", query="")
    assert {i.project.slug for i in page.items if i.project} == {"checkout-api"}


async def test_bulk_chunks_run_concurrently_within_the_cap(make_client, recorder) -> None:
    peak = 0

    def watch(state) -> None:
        nonlocal peak
        peak = max(peak, state.in_flight)

    ids = [str(900000 + n) for n in range(250)]  # no such issues: each chunk answers 204
    async with make_client(max_concurrency=2) as client:
        client.rate_limits.subscribe(watch)
        result = await client.bulk_update_issues(ORG, ids, {"status": "resolved"})
    assert result.requests == 3
    assert sorted(result.failed) == sorted(ids)
    assert 1 <= peak <= 2
    counts = sorted(s.url.count("id=") for s in recorder.sent)
    assert counts == [50, 100, 100]


class _OldSelfHosted(httpx.AsyncBaseTransport):
    """The demo server behind a proxy that hides the org-scoped issue routes (older self-hosted)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith(f"/api/0/organizations/{ORG}/issues/"):
            return httpx.Response(404, json={"detail": "The requested resource does not exist"})
        return await self.inner.handle_async_request(request)


async def test_org_scoped_404_falls_back_to_legacy_routes(make_client, issues, recorder) -> None:
    async with make_client(transport=_OldSelfHosted(recorder)) as client:
        page = await client.list_issues(ORG, legacy_project="checkout-api", query="")
        assert len(page.items) == 7
        issue = await client.get_issue(ORG, page.items[0].id)
        assert issue.id == page.items[0].id
        events = await client.list_issue_events(ORG, issue.id)
        assert len(events.items) == 1
        with pytest.raises(NotFound):
            await client.get_issue(ORG, "424242")
    legacy = [s.url for s in recorder.sent if "/api/0/issues/" in s.url]
    assert len(legacy) == 3  # once learnt, the org-scoped form is not tried again


async def test_bulk_update_on_old_self_hosted_uses_the_project_route(
    make_client, issues, recorder
) -> None:
    async with make_client(transport=_OldSelfHosted(recorder)) as client:
        page = await client.list_issues(ORG, legacy_project="checkout-api", query="")
        ids = sorted((i.id for i in page.items), key=int)
        result = await client.bulk_update_issues(
            ORG, ids, {"status": "resolved"}, chunk_size=4, legacy_project="checkout-api"
        )
        assert result.succeeded == ids
        left = await client.list_issues(ORG, legacy_project="checkout-api")
        assert left.items == []
    puts = [s.url for s in recorder.sent if s.method == "PUT"]
    assert all(f"/api/0/projects/{ORG}/checkout-api/issues/?" in u for u in puts)
    assert len(puts) == 2
