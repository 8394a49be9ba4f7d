"""The `:` command line shows what is typed (issue 15, item 1: only the input's borders showed)."""

from __future__ import annotations

import pytest

from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)])
async def test_typed_command_is_visible_on_the_bottom_row(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(":", *"period 24h")
        await pilot.pause()
        assert screen_lines(app)[-1].startswith(":period 24h")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        assert app.issues_screen.feed.query.period == "24h"
        assert ":period" not in screen_lines(app)[-1]  # the prompt is gone once it ran
