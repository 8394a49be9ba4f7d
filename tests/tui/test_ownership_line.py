"""Pilot tests of owners and suspect commits: "assign to suggested", the event header's lines."""

from __future__ import annotations

from textual.widgets import OptionList

from dexter_tui.tui.dialogs.assign_picker import AssignPicker
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.ownership_line import OwnershipLine
from tests.tui.conftest import settle

SIZE = (140, 40)


def _id(store, short_id: str) -> str:
    return str(store.query_one("SELECT id FROM groups WHERE short_id = ?", (short_id,))["id"])


async def test_assign_to_suggested_owner_reaches_the_server(make_app, seeded_store) -> None:
    issue_id = _id(seeded_store, "CHECKOUT-API-1")  # /api/carts/…: path rule → #backend
    app = make_app(default_query="", confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        assert issues.table.move_cursor_to_key(issue_id)
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AssignPicker)
        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == "★ #backend — suggested: ownership rule"
        assert labels[1] == "★ Ben Backend — suggested: suspect commit  ben@acme.test"
        assert sum(label.startswith("★") for label in labels) == 3

        await pilot.press("enter")  # the first: the suggested team
        await settle(pilot)
        row = seeded_store.query_one(
            "SELECT g.assigned_team_id, t.slug FROM groups g JOIN teams t"
            " ON t.id = g.assigned_team_id WHERE g.id = ?",
            (int(issue_id),),
        )
        assert row["slug"] == "backend"


async def test_event_header_names_owners_and_the_suspect_commit(make_app, seeded_store) -> None:
    issue_id = _id(seeded_store, "CHECKOUT-API-3")  # /api/checkout: the url rule → #payments
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert issues.table.move_cursor_to_key(issue_id)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        line = detail.query_one(OwnershipLine)
        assert line.display
        shown = str(line.render())
        committers = await app.ctx.client.list_event_committers(
            app.ctx.org, "checkout-api", detail.event.event_id
        )
        first = committers[0].commits[0]
        assert shown.startswith("Owners: #payments (ownership rule) · ")
        assert "(suspect commit)" in shown
        assert f"Suspect commit: {first.id[:7]} {first.message}" in shown
        assert "(via commit in release)" in shown
        assert "+1 more" in shown


async def test_no_ownership_line_without_owners_or_commits(make_app, seeded_store) -> None:
    seeded_store.conn.execute("DELETE FROM project_ownership")
    seeded_store.conn.execute("DELETE FROM commit_files")
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        assert not detail.query_one(OwnershipLine).display
