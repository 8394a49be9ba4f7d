"""Releases over real HTTP against the seeded demo: list figures and a release's detail."""

from __future__ import annotations

from dexter_tui.services import actions
from dexter_tui.services.releases import ReleaseService, search_value
from tests.conftest import SEED_NOW


def test_search_value_quotes_only_when_needed() -> None:
    assert search_value("checkout-api@2.14.0") == "checkout-api@2.14.0"
    assert search_value('a b"c') == '"a b\\"c"'


def test_resolve_in_release_payload() -> None:
    action = actions.resolve_in_release("api@1.2.3")
    assert action.payload == {"status": "resolved", "statusDetails": {"inRelease": "api@1.2.3"}}


async def test_list_is_two_requests_and_matches_the_api(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    rows = await ReleaseService(client, org, clock=lambda: SEED_NOW).list()
    assert len(paths) == 2
    api = (await raw.get(f"/api/0/organizations/{org}/releases/")).json()
    assert [r.version for r in rows] == [r["version"] for r in api]
    assert [r.new_issues for r in rows] == [r["newGroups"] for r in api]
    events = (
        await raw.get(
            f"/api/0/organizations/{org}/events/",
            params=[
                ("field", "release"),
                ("field", "count()"),
                ("statsPeriod", "30d"),
                ("dataset", "errors"),
            ],
        )
    ).json()["data"]
    by_version = {e["release"]: e["count()"] for e in events}
    assert any(r.events for r in rows)
    for row in rows:
        assert row.events == by_version.get(row.version, 0)
    deployed = [r for r in rows if r.last_deploy]
    assert deployed
    assert deployed[0].last_deploy[0] in ("production", "canary", "staging")


async def test_detail_is_three_requests_new_issues_first(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    service = ReleaseService(client, org, clock=lambda: SEED_NOW)
    rows = await service.list()
    row = max(rows, key=lambda r: r.new_issues)
    before = len(paths)
    detail = await service.detail(row.release)
    assert len(paths) - before == 3
    api = (
        await raw.get(
            f"/api/0/organizations/{org}/issues/",
            params={"query": f"firstRelease:{row.version}", "limit": "100"},
        )
    ).json()
    assert {i.id for i in detail.new_issues} == {i["id"] for i in api}
    assert len(detail.new_issues) == row.new_issues > 0
    assert detail.issues[: len(detail.new_issues)] == detail.new_issues
    events = (
        await raw.get(
            f"/api/0/organizations/{org}/events/",
            params=[
                ("field", "count()"),
                ("query", f"release:{row.version}"),
                ("statsPeriod", "30d"),
                ("dataset", "errors"),
            ],
        )
    ).json()["data"][0]["count()"]
    assert sum(detail.volume) == events > 0
