"""Driving the app headless (tests, screenshots): wait until background work has settled."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed


def _busy(pilot: Pilot) -> bool:
    return any(not worker.is_finished for worker in pilot.app.workers)


async def settle(pilot: Pilot, *, rounds: int = 50) -> None:
    """Wait until no worker runs (failed and cancelled ones count as done) twice in a row.

    One wait is not enough: a finished worker's handler often starts the next one (a screen that
    mounts, then loads its first pane). A failed worker is reported by the app's error handler;
    a cancelled one was replaced by a newer one (an exclusive group); callers look at what a
    user sees.
    """
    quiet = 0
    for _ in range(rounds):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if _busy(pilot) else quiet + 1
        if quiet >= 2:
            return
