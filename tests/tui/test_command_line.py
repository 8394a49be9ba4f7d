"""The `:` command line shows what is typed (issue 15, item 1: only the input's borders showed)."""

from __future__ import annotations

import pytest

from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.search_input import SearchInput
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


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
@pytest.mark.parametrize("typed", ["per", "p"])
async def test_completions_show_above_the_prompt_and_keep_the_typed_text(
    make_app, size, typed
) -> None:
    """One candidate (`:per` → period) was drawn over the prompt row, hiding what was typed."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(":", *typed)
        await pilot.pause()
        line = app.screen.query_one(SearchInput)
        labels = [c.label for c in line.candidates]
        assert "period" in labels
        assert (len(labels) == 1) is (typed == "per")
        lines = screen_lines(app)
        assert lines[-1].startswith(f":{typed}")
        above = lines[-1 - len(labels) : -1]  # the list sits right above the prompt
        for label, row in zip(labels, above, strict=True):
            assert row.lstrip().startswith(label), (label, row)


async def test_the_problem_line_shows_above_the_prompt_too(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(":", *"query is:foo (")
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[-1].startswith(":query is:foo (")
        assert "⚠ is:foo is not a status" in lines[-2]


async def test_keys_sent_in_the_same_instant_as_the_colon_reach_the_prompt(make_app) -> None:
    """A paste, tmux `send-keys` or a fast typist: the keys that follow `:` arrive before the
    command line has mounted its input; they were dropped (or fell to the list behind it)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for char in ":period 24h":
            key = "colon" if char == ":" else ("space" if char == " " else char)
            app.post_message(events.Key(key, char))  # all queued at once, no pause between
        await pilot.pause()
        await pilot.pause()
        assert screen_lines(app)[-1].startswith(":period 24h")
        await pilot.press("enter")
        await settle(pilot)
        assert app.issues_screen.feed.query.period == "24h"
