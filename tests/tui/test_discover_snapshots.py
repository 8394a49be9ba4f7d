"""Snapshots of the Discover view on the frozen seeded demo (text cursors still)."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import settle
from tests.tui.test_issue_list_snapshots import still_cursor

WIDE = (120, 36)


def _before(query: str | None = None):
    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        if query is not None:
            box = pilot.app.screen.query_one("#d-query", Input)
            box.value = query
            box.focus()
            await pilot.press("enter")
            await settle(pilot)
        still_cursor(pilot)
        await pilot.pause()

    return run


def test_discover_default(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_before())


def test_discover_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_before())


def test_discover_invalid_query(snap_compare, make_app) -> None:
    run = _before("count():>5 level:error")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
