"""Pilot tests of the analytics view: the figures shown are what the demo API says."""

from __future__ import annotations

import httpx

from dexter_tui.services.analytics import iso
from dexter_tui.services.poller import LiveState
from dexter_tui.tui.screens.analytics import AnalyticsScreen
from dexter_tui.tui.widgets.bar_chart import BarChart
from dexter_tui.tui.widgets.fast_table import FastTable
from tests.tui.conftest import settle

SIZE = (120, 36)


def _screen(app) -> AnalyticsScreen:
    screen = app.screen
    assert isinstance(screen, AnalyticsScreen)
    return screen


def _text(widget) -> str:
    return str(widget.render())


def _count(server, world, params: list[tuple[str, str]]) -> int:
    r = httpx.get(
        f"{server.url}/api/0/organizations/{world.org_slug}/events/",
        params=[("field", "count()"), ("dataset", "errors"), *params],
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert r.status_code == 200, r.text
    return int(r.json()["data"][0]["count()"])


def _per_issue(server, world, params: list[tuple[str, str]]) -> dict[str, int]:
    r = httpx.get(
        f"{server.url}/api/0/organizations/{world.org_slug}/events/",
        params=[
            ("field", "issue"),
            ("field", "count()"),
            ("dataset", "errors"),
            ("sort", "-count()"),
            *params,
        ],
        headers={"Authorization": f"Bearer {world.token}"},
    )
    return {row["issue"]: int(row["count()"]) for row in r.json()["data"]}


async def test_figures_match_the_api_and_period_keys_requery(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app(default_period="24h")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = _screen(app)
        data = screen.data
        assert data is not None
        assert data.scope.period == "24h"
        w = data.window
        now = [("start", iso(w.start)), ("end", iso(w.end))]
        before = [("start", iso(w.previous_start)), ("end", iso(w.start))]
        total = _count(seeded_server, seeded_world, now)
        previous = _count(seeded_server, seeded_world, before)
        title = _text(screen.query_one("#volume-title"))
        assert f"Events {total:,}" in title
        assert f"previous 24h: {previous:,}" in title
        chart = screen.query_one("#volume", BarChart)
        assert sum(chart.values) == total

        # the top table shows each issue's events in the period, as the API counts them
        expected = _per_issue(seeded_server, seeded_world, now)
        table = screen.query_one("#top-events", FastTable)
        shown = {}
        for key in table.visible_keys():
            cells = table.get_row(key).get_cells()
            shown[cells["short_id"].plain] = cells["events"].plain
        assert shown
        for short_id, events in shown.items():
            assert events == str(expected[short_id])
        assert max(expected.values()) == max(int(v) for v in shown.values())

        requests = data.requests
        assert requests == 6
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.data.scope.period == "7d"
        w = screen.data.window
        total_7d = _count(
            seeded_server, seeded_world, [("start", iso(w.start)), ("end", iso(w.end))]
        )
        assert f"Events {total_7d:,}" in _text(screen.query_one("#volume-title"))
        assert total_7d > total

        await pilot.press("left_square_bracket")  # back to 24h: served from the cache
        await settle(pilot)
        assert screen.data is data


async def test_environment_switch_requeries(make_app, seeded_server, seeded_world) -> None:
    app = make_app(default_period="14d")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = _screen(app)
        everything = screen.data
        assert everything is not None
        await pilot.press("e")
        await settle(pilot)
        options = app.screen
        labels = options.labels  # PickDialog
        assert labels[0] == "(all environments)"
        index = labels.index("staging")
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        data = screen.data
        assert data.scope.environments == ("staging",)
        assert data is not everything
        w = data.window
        staging = _count(
            seeded_server,
            seeded_world,
            [("start", iso(w.start)), ("end", iso(w.end)), ("environment", "staging")],
        )
        assert f"Events {staging:,}" in _text(screen.query_one("#volume-title"))
        assert staging < everything.total
        assert "env: staging" in _text(screen.query_one("#context"))


async def test_enter_opens_the_issue_and_q_comes_back(make_app) -> None:
    app = make_app(default_period="24h")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = _screen(app)
        table = screen.query_one("#top-events", FastTable)
        assert table.has_focus
        key = table.cursor_key
        opened = []
        app.open_issue = opened.append  # type: ignore[method-assign]
        await pilot.press("enter")
        await settle(pilot)
        assert [i.id for i in opened] == [key]
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is app.issues_screen
        await pilot.press("2")
        await settle(pilot)
        assert app.screen is screen  # installed: the same view, its data kept


async def test_tag_breakdown_and_refresh(make_app) -> None:
    app = make_app(default_period="14d")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = _screen(app)
        first = screen.data
        await pilot.press("t")
        await settle(pilot)
        labels = app.screen.labels
        assert "server_name" in labels
        for _ in range(labels.index("server_name")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.tag is not None
        assert screen.tag.total == first.total
        assert "Tag server_name" in _text(screen.query_one("#by-tag"))
        await pilot.press("r")
        await settle(pilot)
        assert screen.data is not first


async def test_chart_fills_the_width_and_redraws_on_resize(make_app) -> None:
    app = make_app(default_period="24h")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        chart = _screen(app).query_one("#volume", BarChart)
        wide = chart.render().plain.split("\n")
        assert max(len(line) for line in wide) == chart.size.width > 100
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow = chart.render().plain.split("\n")
        assert max(len(line) for line in narrow) == chart.size.width < 80
        assert _screen(app).has_class("narrow")  # side-by-side panels stack below 100 cells


async def test_failing_server_keeps_the_last_figures_marked_stale(make_app, seeded_app) -> None:
    app = make_app(default_period="24h")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = _screen(app)
        good = screen.data
        title = _text(screen.query_one("#volume-title"))
        seeded_app.state.options.fail_rate = 1.0
        try:
            await pilot.press("r")
            await settle(pilot)
        finally:
            seeded_app.state.options.fail_rate = 0.0
        assert screen.status.state is LiveState.STALE
        assert screen.data is good
        assert _text(screen.query_one("#volume-title")) == title
        assert "showing the last good data" in _text(screen.query_one("#context"))
        assert "stale" in _text(screen.query_one("#header"))
        await pilot.press("r")
        await settle(pilot)
        assert screen.status.state is LiveState.LIVE
