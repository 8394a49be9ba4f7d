"""Pilot tests of the releases view: the list and a release's detail against the demo API."""

from __future__ import annotations

import httpx

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.issue_rows import compact
from dexter_tui.tui.screens.releases import ReleaseDetailScreen, ReleasesScreen
from dexter_tui.tui.widgets.bar_chart import BarChart
from tests.tui.conftest import settle

SIZE = (120, 36)


def _api(server, world, path: str, params=None):
    r = httpx.get(
        f"{server.url}/api/0/organizations/{world.org_slug}/{path}",
        params=params,
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _open_releases(pilot) -> ReleasesScreen:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReleasesScreen)
    return screen


async def test_list_shows_what_the_api_says(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_releases(pilot)
        api = _api(seeded_server, seeded_world, "releases/")
        table = screen.table
        assert table.visible_keys() == [r["version"] for r in api]
        events = _api(
            seeded_server,
            seeded_world,
            "events/",
            [
                ("field", "release"),
                ("field", "count()"),
                ("statsPeriod", "30d"),
                ("dataset", "errors"),
            ],
        )["data"]
        by_version = {e["release"]: e["count()"] for e in events}
        for release in api:
            cells = table.get_row(release["version"]).get_cells()
            assert cells["new"].plain == str(release["newGroups"])
            assert cells["events"].plain == compact(by_version.get(release["version"], 0))
            assert cells["deploy"].plain.startswith(release["lastDeploy"]["environment"])


async def test_detail_lists_new_issues_and_resolves_in_this_release(
    make_app, seeded_server, seeded_world, seeded_store
) -> None:
    app = make_app(confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_releases(pilot)
        api = _api(seeded_server, seeded_world, "releases/")
        target = max(api, key=lambda r: r["newGroups"])
        while screen.table.cursor_key != target["version"]:
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ReleaseDetailScreen)
        new = _api(
            seeded_server,
            seeded_world,
            "issues/",
            {"query": f"firstRelease:{target['version']}", "limit": "100"},
        )
        keys = detail.table.visible_keys()
        assert new
        assert set(keys[: len(new)]) == {i["id"] for i in new}  # new issues first
        assert {detail.table.get_row(k).get_cells()["why"].plain for k in keys[: len(new)]} == {
            "new"
        }
        chart = detail.query_one("#chart", BarChart)
        assert sum(chart.values) > 0

        unresolved = [k for k in keys if detail.table.get_row(k).data.status == "unresolved"][:2]
        assert len(unresolved) == 2
        for key in unresolved:
            detail.table.move_cursor_to_key(key)
            await pilot.press("space")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        for key in unresolved:
            row = seeded_store.query_one(
                "SELECT status, status_details FROM groups WHERE id = ?", (int(key),)
            )
            assert row["status"] == "resolved"
            assert target["version"] in row["status_details"]
        assert detail.table.marked_count == 0

        opened = []
        app.open_issue = opened.append  # type: ignore[method-assign]
        detail.table.move_cursor_to_key(keys[0])
        await pilot.press("enter")
        assert [i.id for i in opened] == [keys[0]]


async def test_read_only_refuses_resolve(make_app, seeded_store) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_releases(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ReleaseDetailScreen)
        key = detail.table.cursor_key
        assert key is not None
        before = seeded_store.query_one("SELECT status FROM groups WHERE id = ?", (int(key),))
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert detail.check_action("resolve_here", ()) is False
        after = seeded_store.query_one("SELECT status FROM groups WHERE id = ?", (int(key),))
        assert after["status"] == before["status"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
