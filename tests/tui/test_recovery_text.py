"""What the screen says while Sentry fails: the header's real cadence, honest write toasts."""

from __future__ import annotations

from dexter_tui.services.poller import LiveState
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (160, 36)


def _header_text(app) -> str:
    return str(app.screen.query_one("#header").render())


async def test_header_shows_the_backoff_not_the_nominal_interval(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        every = int(screen.poll_status.interval)
        assert f"every {every}s" in _header_text(app)
        seeded_app.state.options.fail_rate = 1.0
        try:
            screen.poll()
            await settle(pilot)
            screen.poll()
            await settle(pilot)
        finally:
            seeded_app.state.options.fail_rate = 0.0
        assert screen.poll_status.state is LiveState.STALE
        text = _header_text(app)
        # a 500 backs off ("retrying every 60s"); a 502/503 probes ("offline · probing every 5s")
        assert "retrying every " in text or "offline · probing every " in text
        assert f"· every {every}s" not in text
        screen.poll()
        await settle(pilot)
        assert f"· every {every}s" in _header_text(app)  # back to normal once it answers


async def test_a_failed_comment_promises_no_background_retry(make_app, seeded_app) -> None:
    from dexter_tui.tui.dialogs.comment_editor import CommentEditor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c", *"important finding")
        assert isinstance(app.screen, CommentEditor)
        seeded_app.state.options.fail_rate = 1.0
        try:
            await pilot.press("ctrl+s")
            await settle(pilot)
        finally:
            seeded_app.state.options.fail_rate = 0.0
        toasts = "\n".join(str(n.message) for n in app._notifications)
        assert "POST" in toasts  # the error handler's toast for the write is there
        assert "retrying in the background" not in toasts  # no retry happens for a write
        assert "not retried" in toasts
        assert "press the key again to retry" in toasts
