"""Pilot tests of the Discover view (`5`) against the seeded demo server."""

from __future__ import annotations

import json

import httpx
from textual.widgets import Input, Static

from dexter_tui.tui.screens.discover import DiscoverScreen
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


def _api(server, world, params) -> dict:
    r = httpx.get(
        f"{server.url}/api/0/organizations/{world.org_slug}/events/",
        params=params,
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _open(pilot) -> DiscoverScreen:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DiscoverScreen)
    return screen


async def _type(pilot, screen: DiscoverScreen, name: str, value: str) -> None:
    box = screen.query_one(f"#d-{name}", Input)
    box.value = value
    box.focus()
    await pilot.pause()


async def test_functions_and_sort_give_the_api_rows(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        fields = "release, environment, count(), count_unique(user), last_seen()"
        await _type(pilot, screen, "fields", fields)
        await _type(pilot, screen, "sort", "-count_unique(user)")
        await _type(pilot, screen, "query", "level:error")
        await pilot.press("enter")
        await settle(pilot)
        api = _api(
            seeded_server,
            seeded_world,
            [
                ("field", "release"),
                ("field", "environment"),
                ("field", "count()"),
                ("field", "count_unique(user)"),
                ("field", "last_seen()"),
                ("sort", "-count_unique(user)"),
                ("query", "level:error"),
                ("statsPeriod", "14d"),
                ("dataset", "errors"),
                ("per_page", "50"),
            ],
        )
        assert [r.data for r in screen.table.rows()] == api["data"]
        assert api["data"]
        first = screen.table.rows()[0].get_cells()
        assert first["c2"].plain == f"{api['data'][0]['count()']:,}"  # integer from meta
        assert [c.label for c in screen.table.columns][:3] == ["release", "environment", "count()"]
        # sort by a column: the server sorts (every page agrees), again reverses
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # count()
        await settle(pilot)
        counts = [r.data["count()"] for r in screen.table.rows()]
        assert screen.query_spec.sort == "-count()"
        assert counts == sorted(counts, reverse=True)
        await pilot.press("S")
        await settle(pilot)
        counts = [r.data["count()"] for r in screen.table.rows()]
        assert counts == sorted(counts)


async def test_invalid_query_shows_sentry_error_and_stays_editable(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _type(pilot, screen, "query", "count():>5 level:error")
        await pilot.press("enter")
        await settle(pilot)
        error = str(screen.query_one("#error", Static).render())
        assert "Invalid query." in error
        assert screen.query_one("#error").has_class("shown")
        box = screen.query_one("#d-query", Input)
        assert box.has_focus
        assert box.value == "count():>5 level:error"
        await pilot.press("ctrl+a")  # not a global key inside an Input
        box.value = "level:error"
        await pilot.press("enter")
        await settle(pilot)
        assert not screen.query_one("#error").has_class("shown")
        assert screen.table.row_count > 0


async def test_paging_history_and_open(make_app, seeded_world, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        first = screen.query_spec
        await _type(pilot, screen, "fields", "id, issue, title, timestamp")
        await _type(pilot, screen, "sort", "-timestamp")
        await pilot.press("enter")
        await settle(pilot)
        results = screen.session.results
        assert results is not None
        assert results.has_more
        loaded = screen.table.row_count
        assert loaded % 50 == 0
        screen.table.focus()
        await pilot.press("G")  # to the end: NearEnd loads the next page
        await settle(pilot)
        assert screen.table.row_count > loaded
        assert screen.table.row_count == len(results.rows)
        ids = [r.data["id"] for r in screen.table.rows()]
        assert len(set(ids)) == len(ids)
        # history: the first query is one pick away
        assert screen.session.history[1] == first
        # export what is loaded
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(tmp_path / "d.json")
        await pilot.press("enter")
        await settle(pilot)
        exported = json.loads((tmp_path / "d.json").read_text())
        assert [r["id"] for r in exported] == ids
        # enter on a row opens its issue
        await pilot.press("g", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        assert app.screen.issue.short_id == screen.table.rows()[0].data["issue"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.query_spec == first
        assert screen.query_one("#d-fields", Input).value == ", ".join(first.fields)


async def test_history_survives_a_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _type(pilot, screen, "fields", "release, count()")
        await pilot.press("enter")
        await settle(pilot)
        ran = screen.query_spec
    app = make_app()  # same state dir (the test's temp dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.session.history[:2] == [screen.query_spec, ran]
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.query_spec == ran
        assert screen.query_one("#d-fields", Input).value == "release, count()"


async def test_project_slugs_and_environment_scope_the_query(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _type(pilot, screen, "fields", "project, environment, count()")
        await _type(pilot, screen, "sort", "-count()")
        await _type(pilot, screen, "env", "production")
        await _type(pilot, screen, "projects", "checkout-api")
        await pilot.press("enter")
        await settle(pilot)
        project_id = next(p.id for p in app.ctx.workspace.projects if p.slug == "checkout-api")
        api = _api(
            seeded_server,
            seeded_world,
            [
                ("field", "project"),
                ("field", "environment"),
                ("field", "count()"),
                ("sort", "-count()"),
                ("project", project_id),
                ("environment", "production"),
                ("statsPeriod", "14d"),
                ("dataset", "errors"),
            ],
        )
        rows = [r.data for r in screen.table.rows()]
        assert rows == api["data"]
        assert {(r["project"], r["environment"]) for r in rows} == {("checkout-api", "production")}
        assert screen.session.history[0].projects == ("checkout-api",)  # as typed


async def test_failing_server_is_reported_and_keeps_the_query(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        shown = screen.table.row_count
        await _type(pilot, screen, "query", "level:error")
        seeded_app.state.options.fail_rate = 1.0
        try:
            await pilot.press("enter")
            await settle(pilot)
        finally:
            seeded_app.state.options.fail_rate = 0.0
        toasts = [n.message for n in app._notifications]
        assert any("Showing the last good data" in m for m in toasts)
        assert screen.table.row_count == shown
        assert screen.query_one("#d-query", Input).value == "level:error"
