"""One picture of the stack tab per platform family (events ingested through /store/): what a
person reads first on a JVM, JavaScript, Cocoa, native, Android NDK, PHP, Ruby, Elixir, .NET,
Unity, console, security-report or old-SDK event."""

from __future__ import annotations

import hashlib

import pytest

from tests.fixtures.events import EXPECTED, load
from tests.tui.conftest import settle
from tests.tui.test_event_detail_snapshots import stable_permalink
from tests.tui.test_event_platforms import ingest

WIDE = (120, 36)
FAMILIES = [
    "java", "javascript", "cocoa", "native", "android_ndk", "php", "ruby", "elixir", "dotnet",
    "unity", "console", "csp", "legacy_exception",
]  # fmt: skip


@pytest.mark.parametrize("name", FAMILIES)
def test_platform_stack(snap_compare, make_app, seeded_server, seeded_world, name: str) -> None:
    event = load(name)
    event["event_id"] = hashlib.md5(name.encode()).hexdigest()  # a stable id for the header
    ingest(seeded_server, seeded_world, event)
    title = EXPECTED[name][0]

    async def run(pilot) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        key = next(k for k, i in screen.feed.issues.items() if i.title == title)
        screen.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        stable_permalink(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
