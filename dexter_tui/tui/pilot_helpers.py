"""Driving the app headless (tests, screenshots): wait until background work has settled."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.worker import WorkerFailed


async def settle(pilot: Pilot) -> None:
    """Wait until every worker finished (failed ones included) and the screen caught up.

    A failed worker is reported by the app's error handler; callers look at what a user sees.
    """
    for _ in range(2):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
