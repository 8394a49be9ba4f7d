"""While the client waits out Sentry's 429, the header says so and counts down.

Why: during a 429 storm the client sleeps until Sentry's `X-Sentry-Rate-Limit-Reset` (up to a
minute, up to five times) and the header only said "◌ loading" — the person could not tell a
slow Sentry from a rate-limited one, nor when the next try comes.
"""

from __future__ import annotations

import time

from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines

SIZE = (160, 36)


async def test_the_header_says_rate_limited_and_when_it_retries(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        limiter = seeded_app.state.rate_limiter
        # every request is refused, and Sentry's reset is 20 s away (the limiter's window ends
        # one second after its clock): the client sleeps, well within its 60 s limit
        limiter.limit = 0
        limiter.clock = lambda: time.time() + 19
        try:
            screen.poll()
            for _ in range(50):  # the 429 comes back, the client starts its wait
                await pilot.pause(0.1)
                if app.ctx.client.rate_limits.backoff_until is not None:
                    break
            for _ in range(30):  # the header repaints every second
                await pilot.pause(0.1)
                head = screen_lines(app)[0]
                if "loading" not in head and "live" not in head:
                    break
            assert "rate-limited by Sentry (429)" in head
            assert "retrying in 1" in head or "retrying in 2" in head  # ~20 s
            assert "loading" not in head
        finally:
            limiter.limit = None
            limiter.clock = time.time
            screen.workers.cancel_all()
