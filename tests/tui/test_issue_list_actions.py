"""More of the issue list by keys: every remaining verb, export, `:` commands, back-off, SIGHUP."""

from __future__ import annotations

import csv
import json
import os
import signal
from pathlib import Path

import pytest

from dexter_tui.services.poller import LiveState
from dexter_tui.tui.dialogs.export_dialog import ExportDialog
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


def _screen(app) -> IssuesScreen:
    assert isinstance(app.screen, IssuesScreen)
    return app.screen


def _group(store, issue_id: str):
    return store.query_one("SELECT * FROM groups WHERE id = ?", (int(issue_id),))


@pytest.mark.parametrize(
    ("keys", "check"),
    [
        (("x", "X"), lambda row, _: row["status"] == "unresolved"),
        (
            ("ctrl+x",),
            lambda row, _: (
                row["status"] == "resolved"
                and json.loads(row["status_details"]).get("inNextRelease") is True
            ),
        ),
        (("i", "enter"), lambda row, _: row["substatus"] == "archived_forever"),
    ],
    ids=["unresolve", "resolve_next_release", "ignore_forever"],
)
async def test_status_verbs_reach_the_server(make_app, seeded_store, keys, check) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = _screen(app).table.cursor_key
        for k in keys:
            await pilot.press(k)
            await settle(pilot)
        assert check(_group(seeded_store, key), key)


async def test_mark_seen_reaches_the_server(make_app, seeded_store, seeded_world) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = _screen(app).table.cursor_key
        await pilot.press("n")
        await settle(pilot)
        seen = seeded_store.query_one(
            "SELECT 1 FROM group_seen WHERE group_id = ? AND user_id = ?",
            (int(key), seeded_world.user_ids["ana"]),
        )
        assert seen is not None
        assert _screen(app).feed.issues[key].has_seen


async def test_merge_needs_two_and_merges_on_the_server(make_app, seeded_store) -> None:
    app = make_app(confirm="always")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        assert screen.check_action("merge", ()) is False  # greyed out with one issue
        same_project = [
            i.id for i in screen.feed.ordered() if i.project and i.project.slug == "checkout-api"
        ][:2]
        screen.table.mark(*same_project)
        assert screen.check_action("merge", ()) is True
        await pilot.press("M", "y")
        await settle(pilot)
        rows = [_group(seeded_store, k) for k in same_project]
        merged = [r for r in rows if r is None or r["merged_into"] is not None]
        assert len(merged) == 1
        assert len([k for k in same_project if k in screen.feed.issues]) == 1


async def test_export_writes_the_loaded_rows(make_app, tmp_path: Path) -> None:
    app = make_app()
    target = tmp_path / "out" / "issues.csv"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path_input = dialog.query_one("#path")
        path_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        with target.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["short_id"] for r in rows] == [i.short_id for i in screen.feed.ordered()]


async def test_export_refuses_an_unknown_extension(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#path").value = str(tmp_path / "issues.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # still asking
        assert not (tmp_path / "issues.txt").exists()


async def test_command_line_switches_environment_and_period(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press("colon", *"env production", "enter")
        await settle(pilot)
        assert screen.feed.query.environments == ("production",)
        await pilot.press("colon", *"period 24h", "enter")
        await settle(pilot)
        assert screen.feed.query.period == "24h"
        assert screen.feed.query.stats_key == "24h"
        await pilot.press("colon", *"project billing-worker", "enter")
        await settle(pilot)
        assert {i.project.slug for i in screen.feed.ordered()} == {"billing-worker"}


async def test_polling_backs_off_under_the_rate_limit(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        seeded_app.state.rate_limiter.limit = 1  # as `dexter demo-server --rate-limit 1`
        try:
            for _ in range(3):
                screen.poll()
            await settle(pilot)
        finally:
            seeded_app.state.rate_limiter.limit = None
        limits = app.ctx.client.rate_limits
        # the client waited for the window to reset: before sending (paced) or after a 429
        assert limits.paced + limits.throttled >= 1
        assert screen.poll_status.state is LiveState.LIVE
        assert screen.table.visible_count > 0


async def test_sighup_exits_cleanly(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
    assert app.return_code == 129


async def test_preview_shows_the_issue_with_its_releases(make_app, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press("p")
        await pilot.pause(0.4)
        await settle(pilot)
        key = screen.table.cursor_key
        detail = await app.ctx.client.get_issue(seeded_world.org_slug, key)
        shown = str(screen.query_one("#preview").render())
        assert screen.feed.issues[key].short_id in shown
        assert f"first {detail.first_release.version}" in shown
