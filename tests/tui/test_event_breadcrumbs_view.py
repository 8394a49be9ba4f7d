"""`enter` on a breadcrumb opens it whole (issue 15, item 10: it did nothing)."""

from __future__ import annotations

from dexter_tui.tui.dialogs.full_text import FullTextScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text
from tests.tui.test_event_detail import _open

SIZE = (120, 36)


async def test_enter_on_a_breadcrumb_opens_it_whole(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        crumbs = screen.pane("breadcrumbs")
        last = crumbs.crumbs[-1]  # the cursor starts on the last one, right before the error
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FullTextScreen)
        shown = screen_text(app)
        assert f"Breadcrumb {len(crumbs.crumbs)} of {len(crumbs.crumbs)}" in shown
        assert f"category  {last.category}" in shown
        assert last.message.splitlines()[0][:60] in shown
        await pilot.press("escape")
        assert app.screen is screen
