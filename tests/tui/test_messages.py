"""Screens talk to the app through typed messages: what each one changes, seen by the user."""

from __future__ import annotations

from dexter_tui.tui.messages import IssuesChanged, QueryChanged
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


async def test_the_list_announces_its_query_and_the_app_records_it(make_app) -> None:
    seen: list[object] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"level:error", "enter")
        await settle(pilot)
        assert app.ctx.list_query is not None
        # `/` keeps the query and typing adds to it (issue 15 item 6)
        assert app.ctx.list_query.query == "is:unresolved level:error"
        queries = [m.query.query for m in seen if isinstance(m, QueryChanged)]
        assert queries[-1] == "is:unresolved level:error"


async def test_an_outcome_reaches_every_screen_as_one_issues_changed(make_app) -> None:
    seen: list[IssuesChanged] = []

    def hook(message: object) -> None:
        if isinstance(message, IssuesChanged):
            seen.append(message)

    app = make_app(confirm="never")
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        key = screen.table.cursor_key
        await pilot.press("x")
        await settle(pilot)
        assert seen, "no IssuesChanged was sent"
        assert {tuple(m.updated) for m in seen} == {(key,)}
        assert screen.feed.issues[key].status == "resolved"
        assert app.ctx.issues.get(key).status == "resolved"


async def test_reverse_sort_is_view_state_the_screen_follows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)

        def seen() -> list:
            return [screen.feed.issues[k].last_seen for k in screen.table.visible_keys()]

        assert seen() == sorted(seen(), reverse=True)  # last seen, newest first
        await pilot.press("S")
        assert screen.sort_reverse is True
        assert "▲" in screen.query_one("#context").render().plain
        assert seen() == sorted(seen())
        await pilot.press("S")
        assert seen() == sorted(seen(), reverse=True)
        assert "▼" in screen.query_one("#context").render().plain
