"""The event detail's warm-up (run while the list is idle) leaves what the first open would
build ready: the event screen imported and the `Event` validator built."""

from __future__ import annotations

import subprocess
import sys
import threading

SCRIPT = """
import sys
from dexter_tui.sentry.models import Event
assert not Event.__pydantic_complete__  # built on first use (defer_build)
assert "dexter_tui.tui.screens.event_detail" not in sys.modules
from dexter_tui.tui.event_prewarm import _warm
_warm()
assert Event.__pydantic_complete__
assert "dexter_tui.tui.screens.event_detail" in sys.modules
print("warm")
"""


def test_the_warm_up_builds_what_the_first_open_needs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "warm"


async def test_the_warm_up_starts_once_the_list_has_shown_its_rows(make_app, monkeypatch) -> None:
    """Not before the first rows (it would take the GIL from them), and without waiting the
    fallback delay after them (a person reading the rows and pressing `enter` within a few
    seconds paid for it). The fallback is pushed out of reach so only the rows can start it."""
    from dexter_tui.tui import event_prewarm
    from dexter_tui.tui.screens.issues import IssuesScreen

    warmed: list[int] = []
    rows_when_started: list[int] = []
    monkeypatch.setattr(event_prewarm, "_started", threading.Event())
    monkeypatch.setattr(event_prewarm, "DELAY", 3600.0)
    app = make_app()

    def warm() -> None:
        warmed.append(1)

    def started() -> None:
        screen = app.screen
        rows_when_started.append(screen.table.row_count if isinstance(screen, IssuesScreen) else 0)
        real_start()

    monkeypatch.setattr(event_prewarm, "_warm", warm)
    real_start = event_prewarm._start
    monkeypatch.setattr(event_prewarm, "_start", started)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):  # the list's rows, then the frame after them
            await pilot.pause(0.05)
            if warmed:
                break
    assert rows_when_started
    assert rows_when_started[0] > 0  # started with the rows on screen
    assert warmed == [1]


async def test_after_the_warm_up_an_event_open_adds_no_css(make_app, monkeypatch) -> None:
    """The event screen's widgets' CSS is known to the app once the list has shown its rows:
    the first open parses no stylesheet (it had been parsed again for each new widget class),
    and the screen looks exactly as it does when the CSS comes with its widgets."""
    from dexter_tui.tui import event_prewarm
    from dexter_tui.tui.screens.event_detail import EventDetailScreen
    from tests.tui.conftest import settle
    from tests.tui.screen_text import screen_text

    async def open_event(wait_for_styles: bool) -> str:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            sources = app.stylesheet.source
            for _ in range(100 if wait_for_styles else 0):  # the rows, then the thread's import
                await pilot.pause(0.05)
                if any("FrameItem" in location for _, location in sources):
                    break
            known = set(sources)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, EventDetailScreen)
            assert "Stack trace" in screen_text(app)
            if wait_for_styles:
                assert set(app.stylesheet.source) == known
            return app.export_screenshot()

    warmed = await open_event(True)
    monkeypatch.setattr(event_prewarm, "_styles_ready", lambda app, tries=0: None)
    assert await open_event(False) == warmed  # the same styles either way
