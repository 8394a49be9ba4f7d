"""Pilot tests of the alert rules view against the seeded demo server."""

from __future__ import annotations

import httpx

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.screens.alerts import AlertsScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


async def _open(pilot) -> AlertsScreen:
    await settle(pilot)
    pilot.app.run_command("alerts")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AlertsScreen)
    return screen


def _rules(server, world, project: str) -> list[dict]:
    r = httpx.get(
        f"{server.url}/api/0/projects/{world.org_slug}/{project}/rules/",
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _go(pilot, screen: AlertsScreen, name: str) -> None:
    """Put the cursor on the rule whose name holds `name`."""
    await pilot.press("g")
    for _ in range(screen.table.row_count):
        if name in screen.current().rule.name:
            break
        await pilot.press("j")
    assert name in screen.current().rule.name
    await settle(pilot)


def _detail(screen: AlertsScreen) -> str:
    return str(screen.query_one("#detail").render())


async def test_rule_list_and_details(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        api = _rules(seeded_server, seeded_world, "checkout-api")
        shown = [r.data.rule.name for r in screen.table.rows()]
        assert sorted(shown) == sorted(r["name"] for r in api)
        await _go(pilot, screen, "100 events")
        detail = _detail(screen)
        assert "The issue is seen more than 100 times in 1h" in detail
        assert "Only events in the production environment" in detail
        assert "Notifies at most once every hour per issue" in detail
        assert "Fired for:\n  1 issue in the last 14 days" in detail
        assert "CHECKOUT-API-3" in detail  # from the rule's group-history
        await _go(pilot, screen, "New issue")
        detail = _detail(screen)
        assert "A new issue is created" in detail
        assert "Owner: #backend" in detail  # team:ID resolved through the workspace


async def test_toggle_is_confirmed_and_reaches_the_server(make_app, seeded_store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        rule_id = int(screen.current().rule.id)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # the default answer changes nothing
        await settle(pilot)
        status = "SELECT status FROM rules WHERE id = ?"
        assert seeded_store.query_one(status, (rule_id,))["status"] == "active"
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert seeded_store.query_one(status, (rule_id,))["status"] == "disabled"
        assert "○ off" in screen.table.get_row(screen.current().key).get_cells()["status"].plain
        assert app.ctx.action_log.entries[-1].verb == "alert rule disable"


async def test_snooze_for_everyone_then_unsnooze(make_app, seeded_store, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        rule_id = int(screen.current().rule.id)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, PickDialog)
        await pilot.press("down", "enter")  # for everyone
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        row = seeded_store.query_one("SELECT * FROM rules WHERE id = ?", (rule_id,))
        assert row["snoozed_by"] == seeded_world.user_ids["ana"]
        assert "Snoozed for everyone" in _detail(screen)
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        row = seeded_store.query_one("SELECT * FROM rules WHERE id = ?", (rule_id,))
        assert row["snoozed_by"] is None


async def test_read_only_refuses_toggle_and_snooze(make_app, seeded_store) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        before = [tuple(r) for r in seeded_store.query("SELECT status, snoozed_by FROM rules")]
        assert screen.check_action("toggle_enabled", ()) is None
        assert screen.check_action("snooze", ()) is None
        await pilot.press("t", "y", "z", "y")
        await settle(pilot)
        assert app.screen is screen
        after = [tuple(r) for r in seeded_store.query("SELECT status, snoozed_by FROM rules")]
        assert before == after


async def test_project_switch_reloads_on_return(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.table.row_count == 2
        app.run_command("project billing-worker")  # a project without rules
        await settle(pilot)
        app.run_command("alerts")
        await settle(pilot)
        assert app.screen is screen
        assert screen.table.row_count == 0
        assert "No alert rules" in _detail(screen)


async def test_failing_server_is_reported_and_keeps_the_rules(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        seeded_app.state.options.fail_rate = 1.0
        try:
            await pilot.press("r")
            await settle(pilot)
        finally:
            seeded_app.state.options.fail_rate = 0.0
        assert screen.table.row_count == 2  # the last good data stays
        toasts = [n.message for n in app._notifications]
        assert any("Showing the last good data" in m for m in toasts)
