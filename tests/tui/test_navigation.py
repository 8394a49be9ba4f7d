"""Navigation history: every jump is a step; esc / q / ctrl+o go back exactly, ctrl+n forward."""

from __future__ import annotations

from textual.widgets import Input

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.navigation import History, Place
from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
from dexter_tui.tui.screens.deadlocks import DeadlocksScreen
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.breadcrumb import Breadcrumb
from tests.tui.conftest import settle

SIZE = (120, 36)


def _list(app) -> IssuesScreen:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen


def _detail(app) -> EventDetailScreen:
    screen = app.screen
    assert isinstance(screen, EventDetailScreen)
    return screen


def _trail(screen) -> str:
    crumb = screen.query_one(Breadcrumb)
    return str(crumb.render()) if crumb.display else ""


async def test_history_round_trip_restores_query_row_tab_and_event(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = _list(app)
        await pilot.press("s")  # sort: first seen — part of the place
        await settle(pilot)
        keys = issues.table.visible_keys()
        row = next(i for i, k in enumerate(keys) if issues.feed.issues[k].count >= 3 and i >= 2)
        await pilot.press("g", *["j"] * row)
        key = issues.table.cursor_key
        assert _trail(issues) == ""  # nothing behind the first place: no breadcrumb

        await pilot.press("enter")
        await settle(pilot)
        detail = _detail(app)
        await pilot.press("N")  # an older event than the latest
        await settle(pilot)
        event_id = detail.event.id
        await pilot.press("right_square_bracket", "right_square_bracket")  # → tags
        await settle(pilot)
        assert detail.active_tab == "tags"
        table = detail.pane("tags").table
        tag = next(r for r in table.rows() if r.data.key == "environment")
        table.move_cursor_to_key(tag.key)
        await pilot.press("enter")  # tag → search
        await settle(pilot)

        listed = _list(app)
        tagged = f'is:unresolved environment:"{tag.data.value}"'
        assert listed.feed.query.query == tagged
        trail = _trail(listed)
        assert "issues: is:unresolved" in trail
        assert f"{detail.issue.short_id} · tags" in trail
        assert trail.index("issues: is:unresolved") < trail.index(detail.issue.short_id)

        await pilot.press("escape")  # back to the event the search left
        await settle(pilot)
        back = _detail(app)
        assert back.event.id == event_id
        assert back.active_tab == "tags"
        assert back.issue.id == key

        await pilot.press("q")  # q goes back too: the list as it was
        await settle(pilot)
        listed = _list(app)
        assert listed.feed.query.query == "is:unresolved"
        assert listed.feed.query.sort == "new"
        assert listed.table.cursor_key == key
        assert listed.table.cursor_index == row
        assert listed.query_one("#query", Input).value == "is:unresolved"

        await pilot.press("ctrl+n")  # forward: the event again
        await settle(pilot)
        again = _detail(app)
        assert (again.event.id, again.active_tab) == (event_id, "tags")
        await pilot.press("ctrl+n")  # and the tag search
        await settle(pilot)
        assert _list(app).feed.query.query == tagged

        await pilot.press("q")  # a list you navigated into: q goes back, never asks to quit
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert _detail(app).event.id == event_id


async def test_q_at_the_first_place_asks_to_quit_and_esc_does_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, IssuesScreen)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmDialog)


async def test_view_switch_is_a_step_and_esc_clears_marks_before_going_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"dead", "enter")
        await settle(pilot)
        issues = _list(app)
        await pilot.press("space")
        assert issues.table.marked_count == 1
        await pilot.press("2", "1")  # analytics, then back to the list by key
        await settle(pilot)
        assert _list(app) is issues
        await pilot.press("escape")  # marks first
        assert issues.table.marked_count == 0
        assert issues.feed.query.query == "is:unresolved dead"
        await pilot.press("ctrl+o")  # then history: the analytics view
        await settle(pilot)
        assert app.screen is not issues
        await pilot.press("ctrl+o")  # and the list with the search
        await settle(pilot)
        assert _list(app).feed.query.query == "is:unresolved dead"
        await pilot.press("ctrl+o")  # and the list before the search
        await settle(pilot)
        assert _list(app).feed.query.query == "is:unresolved"


def test_history_back_forward_and_trail() -> None:
    history = History(limit=3)

    def at(name: str) -> Place:
        return Place("issues", name, {"key": name})

    history.jump(at("a"))
    history.jump(at("b"))
    assert history.back(at("c")) == at("b")
    assert history.forward(at("b")) == at("c")
    history.jump(at("c"))
    history.jump(at("d"))
    history.jump(at("e"))
    assert [p.label for p in history.back_stack] == ["c", "d", "e"]  # the oldest forgotten
    assert history.trail(at("f"), keep=2) == ["…", "e", "f"]
    history.jump(at("f"))
    assert history.back(at("f")) == at("e")  # a step that is where we are is skipped
    assert not history.can_go_forward or history.forward_stack[-1] == at("f")


async def test_back_from_an_issue_restores_the_lists_scroll(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        issues = _list(app)
        await pilot.press("pagedown", "pagedown", "k")
        key, scroll = issues.table.cursor_key, issues.table.scroll_offset.y
        assert scroll > 0
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert _list(app).table.cursor_key == key
        assert issues.table.scroll_offset.y == scroll


async def test_pattern_to_report_is_a_step_and_back_keeps_the_pattern_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, DeadlocksScreen)
        assert len(view.table.visible_keys()) >= 2
        await pilot.press("j")  # not the first row: the row must come back, not a reset
        row, key = view.table.cursor_index, view.table.cursor_key
        pattern = view.selected_pattern()
        assert row == 1

        await pilot.press("enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, DeadlockReportScreen)
        trail = _trail(report)
        step = f"report: {pattern.pattern} · {pattern.latest.issue.short_id}"
        assert "issues: is:unresolved › deadlocks › " + step in trail
        assert "esc/ctrl+o back" in trail

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is view
        assert (view.table.cursor_index, view.table.cursor_key) == (row, key)

        await pilot.press("ctrl+n")  # forward: the same report again
        await settle(pilot)
        again = app.screen
        assert isinstance(again, DeadlockReportScreen)
        assert again.event is pattern.latest.event
        assert step in _trail(again)

        await pilot.press("ctrl+o")  # back like vim, then q: back once more, to the list
        await settle(pilot)
        assert app.screen is view
        assert view.table.cursor_key == key
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
