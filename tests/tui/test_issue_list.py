"""Pilot tests of the issue list: keys in, demo server state out."""

from __future__ import annotations

import io
import json

import httpx
import sentry_sdk
from rich.console import Console
from textual.widgets import Static

from dexter_tui.services.poller import LiveState
from dexter_tui.tui.dialogs.action_log import ActionLogScreen
from dexter_tui.tui.dialogs.assign_picker import AssignPicker
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.ignore_menu import IgnoreMenu
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle

SIZE = (120, 36)


def _screen(app) -> IssuesScreen:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen


def _group(store, issue_id: str):
    return store.query_one("SELECT * FROM groups WHERE id = ?", (int(issue_id),))


async def test_marks_space_range_all_and_clear(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        table = screen.table
        assert table.visible_count > 20
        first_three = table.visible_keys()[:3]
        await pilot.press("space", "space", "space")
        assert set(table.marked_keys) == set(first_three)
        assert "3 marked" in str(screen.query_one("#context").render())

        await pilot.press("U")
        assert table.marked_count == 0
        await pilot.press("j", "j", "v")  # no anchor: marks the cursor row, sets the anchor
        start = table.cursor_index
        assert table.marked_keys == (table.visible_keys()[start],)
        await pilot.press("j", "j", "j", "v")
        assert set(table.marked_keys) == set(table.visible_keys()[start : start + 4])

        await pilot.press("U", "asterisk")
        assert table.marked_count == table.visible_count
        await pilot.press("escape")
        assert table.marked_count == 0


async def test_resolve_confirm_defaults_to_no_then_yes_reaches_server(
    make_app, seeded_store
) -> None:
    app = make_app(confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = _screen(app).table
        keys = table.visible_keys()[:2]
        await pilot.press("space", "space", "x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the focused button is No
        await settle(pilot)
        assert {_group(seeded_store, k)["status"] for k in keys} == {"unresolved"}

        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert {_group(seeded_store, k)["status"] for k in keys} == {"resolved"}
        assert table.marked_count == 0  # all succeeded: marks cleared

        await pilot.press("z")  # undo while the toast is up
        await settle(pilot)
        assert {_group(seeded_store, k)["status"] for k in keys} == {"unresolved"}
        entries = app.ctx.action_log.load()
        assert [e.verb for e in entries] == ["resolve", "undo"]


async def test_single_issue_needs_no_confirmation_under_bulk_policy(make_app, seeded_store):
    app = make_app(confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        key = screen.table.cursor_key
        was = screen.feed.issues[key].is_bookmarked
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)  # no confirmation for one issue
        row = seeded_store.query_one(
            "SELECT 1 FROM group_bookmarks WHERE group_id = ?", (int(key),)
        )
        assert (row is not None) is (not was)
        assert screen.feed.issues[key].is_bookmarked is (not was)


async def test_ignore_menu_sends_the_chosen_duration(make_app, seeded_store) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = _screen(app).table.cursor_key
        await pilot.press("i")
        assert isinstance(app.screen, IgnoreMenu)
        await pilot.press("down", "down", "down", "enter")  # forever, escalating, 30m, → 2h
        await settle(pilot)
        row = _group(seeded_store, key)
        assert row["status"] == "ignored"
        assert row["substatus"] == "archived_until_condition_met"
        assert json.loads(row["status_details"])["ignoreDuration"] == 120

        await pilot.press("j", "i", "end", "enter")  # until N users…
        await pilot.press("2", "5", "enter")
        await settle(pilot)
        row = _group(seeded_store, _screen(app).table.cursor_key)
        assert json.loads(row["status_details"])["ignoreUserCount"] == 25


async def test_assign_picker_lists_me_first_and_filters(make_app, seeded_store, seeded_world):
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        # chloe is on the payments team, which has access to checkout-api (not to notifications)
        key = next(i.id for i in screen.feed.ordered() if i.project.slug == "checkout-api")
        assert screen.table.move_cursor_to_key(key)
        await pilot.press("a")
        picker = app.screen
        assert isinstance(picker, AssignPicker)
        assert picker.candidates[0].id == str(seeded_world.user_ids["ana"])
        await pilot.press(*"chloe", "enter")
        await settle(pilot)
        assert _group(seeded_store, key)["assigned_user_id"] == seeded_world.user_ids["chloe"]
        await pilot.press("A")
        await settle(pilot)
        assert _group(seeded_store, key)["assigned_user_id"] is None


async def test_partial_failure_keeps_exactly_the_failed_issues_marked(
    make_app, seeded_store, seeded_server, seeded_world
) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = _screen(app).table
        keys = table.visible_keys()[:6]
        failing = [keys[1], keys[4]]
        async with httpx.AsyncClient(base_url=seeded_server.url) as http:
            await http.post(
                "/api/0/_demo/faults/",
                json={"bulk_fail_ids": failing},
                headers={"Authorization": f"Bearer {seeded_world.token}"},
            )
        await pilot.press(*["space"] * 6, "x")
        await settle(pilot)
        assert sorted(table.marked_keys) == sorted(failing)
        for key in keys:
            expected = "unresolved" if key in failing else "resolved"
            assert _group(seeded_store, key)["status"] == expected

        feed = _screen(app).feed
        await pilot.press("at")
        await pilot.pause()
        log = app.screen
        assert isinstance(log, ActionLogScreen)
        console = Console(width=120, record=True, file=io.StringIO())
        for static in log.query(Static):
            console.print(static.content)
        shown = console.export_text()
        assert "4/6 ok" in shown
        for key in failing:
            assert f"✗ {feed.issues[key].short_id}: 500" in shown


async def test_read_only_hides_and_refuses_every_change(make_app, seeded_store) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        key = screen.table.cursor_key
        assert screen.check_action("resolve", ()) is False
        active = app.screen.active_bindings
        assert "x" not in active  # hidden from the footer
        assert "D" not in active
        await pilot.press("x", "i", "D", "b")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        assert _group(seeded_store, key)["status"] == "unresolved"
        assert app.ctx.action_log.load() == []


async def test_delete_always_confirms_even_with_policy_never(make_app, seeded_store) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = _screen(app).table.cursor_key
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert _group(seeded_store, key) is not None
        await pilot.press("D", "y")
        await settle(pilot)
        assert key not in _screen(app).feed.issues
        row = _group(seeded_store, key)
        assert row is None or row["status"] == "pending_deletion"


async def test_new_event_from_sentry_sdk_appears_after_a_poll(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        keys = seeded_world.projects["notifications"]
        dsn = f"http://{keys.public_key}@127.0.0.1:{seeded_server.port}/{keys.project_id}"
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False)
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            scope.set_tag("feature", "live-test")
            try:
                raise ConnectionResetError("push gateway hung up on us")
            except ConnectionResetError as error:
                event_id = sentry_sdk.capture_exception(error)
            client.flush(timeout=5)
        assert event_id
        screen.poll()
        await settle(pilot)
        new = list(screen.table.new_keys)
        titles = [screen.feed.issues[k].title for k in new]
        assert any("push gateway hung up" in t for t in titles)
        assert screen.table.visible_keys()[0] in new
        assert screen.poll_status.state is LiveState.LIVE


async def test_regression_after_resolve_is_highlighted(
    make_app, seeded_store, seeded_world
) -> None:
    from dexter_tui.demo.ingest import ingest_event

    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        project = seeded_world.projects["billing-worker"]
        event = {
            "event_id": "f" * 32,
            "timestamp": SEED_NOW - 30,
            "level": "error",
            "exception": {"values": [{"type": "LedgerDrift", "value": "cents lost"}]},
        }
        _, group_id = ingest_event(seeded_store, project.project_id, event)
        screen.poll()
        await settle(pilot)
        key = str(group_id)
        assert screen.table.move_cursor_to_key(key)
        await pilot.press("x")
        await settle(pilot)
        assert _group(seeded_store, key)["status"] == "resolved"
        ingest_event(seeded_store, project.project_id, event | {"event_id": "e" * 32})
        screen.poll()
        await settle(pilot)
        assert screen.feed.issues[key].substatus == "regressed"
        assert key in screen.table._model.highlighted


async def test_failing_server_marks_data_stale_and_keeps_rows(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        shown = screen.table.visible_count
        seeded_app.state.options.fail_rate = 1.0
        screen.poll()
        await settle(pilot)
        assert screen.poll_status.state is LiveState.STALE
        assert screen.table.visible_count == shown
        assert "stale" in str(screen.query_one("#header").render())
        toasts = [n.message for n in app._notifications]
        assert any("Showing the last good data" in m for m in toasts)  # the one error handler
        seeded_app.state.options.fail_rate = 0.0


async def test_query_bar_filters_locally_then_sends_to_sentry(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        total = screen.table.visible_count
        await pilot.press("slash", *"deadlock")
        await pilot.pause()
        assert 0 < screen.table.visible_count < total
        screen.query_one("#query").value = "is:unresolved DeadlockDetected"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.feed.query.query == "is:unresolved DeadlockDetected"
        assert all("Deadlock" in i.title for i in screen.feed.ordered())


async def test_bad_query_shows_sentrys_error_and_keeps_the_query(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        screen.query_one("#query").value = 'title:"unbalanced'
        screen.query_one("#query").focus()
        await pilot.press("enter")  # flagged before sending (open quote) …
        assert "unclosed quote" in str(screen.query_one(".search-problems").render())
        await pilot.press("enter")  # … a second enter sends it anyway
        await settle(pilot)
        assert screen.query_one("#query").value == 'title:"unbalanced'
        assert screen.poll_status.state is LiveState.STALE
        assert screen.table.visible_count > 0


async def test_pause_and_period_are_view_state_the_header_and_context_follow(make_app) -> None:
    """`Z` and `t` change the list's reactive state; the header and the context line read it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        header = screen.query_one("#header")
        assert screen.live_state is LiveState.LIVE
        await pilot.press("Z")
        await pilot.pause()
        assert screen.live_state is LiveState.PAUSED
        assert "‖ paused" in str(header.render())
        await pilot.press("Z")
        await settle(pilot)
        assert screen.live_state is LiveState.LIVE
        assert "● live" in str(header.render())
        before = screen.period
        await pilot.press("t")
        await settle(pilot)
        assert screen.period == screen.feed.query.period != before
        assert f"period: {screen.period}" in str(screen.query_one("#context", Static).render())
