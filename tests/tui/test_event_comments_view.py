"""The Comments tab as a person reads and uses it (issue 15, items 2 and 10)."""

from __future__ import annotations

from dexter_tui.tui.dialogs.comment_editor import CommentEditor
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines
from tests.tui.test_event_detail import _open

SIZE = (120, 36)


async def _post(pilot, *lines: str) -> None:
    keys: list[str] = ["c"]
    for n, line in enumerate(lines):
        keys += (["enter"] if n else []) + list(line)
    await pilot.press(*keys, "ctrl+s")
    await settle(pilot)


async def test_every_line_of_a_multi_line_comment_is_shown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        screen.show_tab("comments")
        await settle(pilot)
        await _post(pilot, "first line", "second line", "third line")
        rows = screen_lines(app)
        for line in ("first line", "second line", "third line"):
            assert any(row.endswith(line) for row in rows), line
        await _post(pilot, "alpha", "omega")
        rows = screen_lines(app)
        assert any(row.endswith("omega") for row in rows)


async def test_e_edits_the_comment_just_posted_without_moving_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        screen.show_tab("comments")
        await settle(pilot)
        await _post(pilot, "older note")
        await _post(pilot, "newest note")
        await pilot.press("e")  # no j/k after the post
        assert isinstance(app.screen, CommentEditor)
        assert app.screen.query_one("#comment-text").text == "newest note"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("j", "e")  # a selected comment is the one edited
        assert isinstance(app.screen, CommentEditor)
        assert app.screen.query_one("#comment-text").text == "older note"
