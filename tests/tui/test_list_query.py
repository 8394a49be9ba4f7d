"""The issue list's `/` query input (issue 15, item 6): no traps between typing and acting."""

from __future__ import annotations

from textual.widgets import Input

from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


def _list(app) -> IssuesScreen:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen


async def test_slash_keeps_the_query_and_typing_adds_to_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _list(app)
        assert screen.feed.query.query == "is:unresolved"
        await pilot.press("slash", *"dead", "enter")
        await settle(pilot)
        assert screen.feed.query.query == "is:unresolved dead"
        titles = [screen.feed.issues[k].title for k in screen.table.visible_keys()]
        assert titles
        assert all("dead" in t.lower() for t in titles)
        assert all(screen.feed.issues[k].status == "unresolved" for k in screen.feed.order)


async def test_escape_after_a_search_goes_back_to_the_query_before(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _list(app)
        before = screen.table.visible_count
        await pilot.press("slash", *"dead", "enter")
        await settle(pilot)
        assert screen.feed.query.query == "is:unresolved dead"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.feed.query.query == "is:unresolved"
        assert screen.query_one("#query", Input).value == "is:unresolved"
        assert screen.table.visible_count == before


async def test_escape_in_the_input_drops_the_typing_then_leaves_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _list(app)
        before = screen.table.visible_count
        await pilot.press("slash", *"dead")
        assert screen.table.visible_count < before  # filtered as you type
        await pilot.press("escape")
        assert screen.table.has_focus
        assert screen.table.visible_count == before
        assert screen.query_one("#query", Input).value == "is:unresolved"
        assert screen.feed.query.query == "is:unresolved"


async def test_down_leaves_the_input_for_the_filtered_rows_and_space_marks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _list(app)
        await pilot.press("slash", *"dead")
        filtered = screen.table.visible_keys()
        assert filtered
        await pilot.press("down", "space")
        query_input = screen.query_one("#query", Input)
        assert query_input.value.strip() == "is:unresolved dead"
        assert screen.table.has_focus
        assert screen.table.marked_keys == (filtered[0],)
        assert screen.table.visible_keys() == filtered  # the filter stays while acting


async def test_tag_search_adds_to_the_query_and_replaces_the_same_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        detail.filter_list_by("environment", "production")
        await settle(pilot)
        screen = _list(app)
        assert screen.feed.query.query == 'is:unresolved environment:"production"'
        screen.set_query(screen.feed.query.with_(query='is:unresolved environment:"staging"'))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        app.screen.filter_list_by("environment", "production")
        await settle(pilot)
        assert _list(app).feed.query.query == 'is:unresolved environment:"production"'
