"""Pilot tests of the event list's filter: what it lists is exactly what the API returns."""

from __future__ import annotations

from textual.widgets import Input

from dexter_tui.services.event_filter import with_term
from dexter_tui.tui.dialogs.event_list import EventListDialog
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (140, 40)


def _issue_in_two_environments(store) -> tuple[str, str]:
    """An issue with events in ≥2 environments, and its least frequent environment."""
    row = store.query_one(
        "SELECT group_id FROM events WHERE environment IS NOT NULL GROUP BY group_id"
        " HAVING COUNT(DISTINCT environment) >= 2 ORDER BY COUNT(*) DESC LIMIT 1"
    )
    env = store.query_one(
        "SELECT environment FROM events WHERE group_id = ? GROUP BY environment"
        " ORDER BY COUNT(*), environment LIMIT 1",
        (row["group_id"],),
    )
    return str(row["group_id"]), env["environment"]


async def _api_ids(app, issue_id: str, query: str) -> list[str]:
    """Every event id the issue events route returns for `query`, newest first (all pages)."""
    ids: list[str] = []
    cursor = None
    while True:
        page = await app.ctx.client.list_issue_events(
            app.ctx.org, issue_id, query=query or None, per_page=100, cursor=cursor
        )
        ids += [e.event_id or e.id for e in page.items]
        if not page.has_next:
            return ids
        cursor = page.next_cursor


async def _all_loaded(pilot, dialog: EventListDialog) -> list[str]:
    """Scroll the list to its end until no page is left to load; the ids it shows."""
    while dialog.cursor:
        dialog.table.action_cursor_bottom()
        await settle(pilot)
    return dialog.table.visible_keys()


async def _open_list(pilot, issue_id: str) -> EventListDialog:
    app = pilot.app
    await settle(pilot)
    issues = app.screen
    assert isinstance(issues, IssuesScreen)
    assert issues.table.move_cursor_to_key(issue_id), "the issue is on the first page"
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, EventDetailScreen)
    await pilot.press("E")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, EventListDialog)
    return dialog


async def test_filtered_event_list_equals_the_api(make_app, seeded_store) -> None:
    issue_id, env = _issue_in_two_environments(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_list(pilot, issue_id)
        everything = await _all_loaded(pilot, dialog)
        assert everything == await _api_ids(app, issue_id, "")

        await pilot.press("slash", *f"environment:{env}", "enter")
        await settle(pilot)
        query = f"environment:{env}"
        shown = await _all_loaded(pilot, dialog)
        assert shown == await _api_ids(app, issue_id, query)
        assert 0 < len(shown) < len(everything)
        assert f"matching {query}" in str(dialog.query_one("#event-list-status").render())

        # the distribution: enter on a release value adds `release:"…"` to the filter
        dist = dialog.dist
        releases = [r for r in dist.rows() if r.data.key == "release"]
        assert releases, "the tag distribution lists the issue's releases"
        dist.focus()
        dist.move_cursor_to_key(releases[0].key)
        await pilot.press("enter")
        await settle(pilot)
        combined = with_term(query, "release", releases[0].data.value)
        assert dialog.query_one("#event-filter", Input).value == combined
        assert await _all_loaded(pilot, dialog) == await _api_ids(app, issue_id, combined)

        await pilot.press("ctrl+l")  # clear: back to every event
        await settle(pilot)
        assert await _all_loaded(pilot, dialog) == everything


async def test_a_filter_the_server_refuses_keeps_the_dialog(make_app, seeded_store) -> None:
    issue_id, _env = _issue_in_two_environments(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_list(pilot, issue_id)
        await pilot.press("slash", *"is:unresolved", "enter")  # an issue field, not an event one
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.table.visible_keys() == []
        status = str(dialog.query_one("#event-list-status").render())
        assert status.startswith("Sentry refused the filter: ")
        assert "is" in status
