"""The event screen's late work (the other tabs' panes, mounted once the stack is painted) finds
its tab containers gone when the app is closing under it: it stops, it does not raise (a
traceback on quitting while a large event was still being read)."""

from __future__ import annotations

from textual.widgets import TabPane

from dexter_tui.tui.screens.event_detail import EventDetailScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


async def test_panes_mounted_late_stop_when_their_tabs_are_gone(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        tags = screen.query_one("TabPane#tags", TabPane)
        screen._panes.pop("tags", None)  # as if its pane had not been mounted yet
        await tags.remove()  # the app tearing the screen down
        await screen._mount_panes()  # the late step: nothing to mount into, no error
        assert screen._mounted("tags") is None
