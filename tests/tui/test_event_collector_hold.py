"""Opening an event holds the collector off from `enter` until a pause after its stack is drawn.

Why: a large event's JSON, model and widgets are ~100k objects that all stay alive; young passes
over them while the event was read and drawn were 15-30 ms of a 1 MB event's open."""

from __future__ import annotations

import gc

from dexter_tui.tui import collector_hold
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text

SIZE = (120, 36)


async def test_an_event_open_holds_the_collector_until_its_stack_is_drawn(
    make_app, monkeypatch
) -> None:
    monkeypatch.setattr(collector_hold, "PAUSE", 60.0)  # no pause: held as long as it is open
    assert gc.isenabled()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not collector_hold.held()
        await pilot.press("enter")
        assert collector_hold.held()  # from the key on
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        assert "Stack trace" in screen_text(app)
        assert screen.pane("stack").ready
        assert not gc.isenabled()  # still held after the stack was drawn (the rest follows)
        frozen = gc.get_freeze_count()
        monkeypatch.setattr(collector_hold, "PAUSE", 0.05)
        collector_hold.hold(freeze=False)  # as the screen's next hold: given back after the pause
        await pilot.pause(0.5)
        assert gc.isenabled()
        assert not collector_hold.held()
        # collected, not frozen: the screen's reference cycles can still be freed once it is left
        assert gc.get_freeze_count() <= frozen
        monkeypatch.setattr(collector_hold, "PAUSE", 60.0)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        await pilot.press("enter")
        assert collector_hold.held()
        await pilot.press("q")  # leaving the event gives it back at once
        await settle(pilot)
        assert gc.isenabled()
        assert not collector_hold.held()
    assert gc.isenabled()
