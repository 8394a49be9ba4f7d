"""Snapshot of the issue list offline: the header's marker and a refused change, as drawn."""

from __future__ import annotations

import asyncio

from tests.tui.conftest import settle
from tests.tui.test_offline import (  # noqa: F401 - fixtures
    faults,
    make_offline_app,
    sentry_down,
    warm_cache,
)

WIDE = (120, 36)


def test_list_offline_refusing_a_change(snap_compare, make_offline_app, faults) -> None:  # noqa: F811
    asyncio.run(warm_cache(make_offline_app))
    sentry_down(faults)

    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()  # the "Offline" toast; the refusal is the one drawn
        await pilot.press("x")
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(make_offline_app(), terminal_size=WIDE, run_before=run)
