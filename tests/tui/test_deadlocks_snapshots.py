"""Snapshots of the Deadlocks view and a deadlock report on the frozen seeded demo."""

from __future__ import annotations

from pathlib import Path

from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
from tests.tui.conftest import settle

WIDE = (120, 36)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deadlocks"


def _keys(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


def test_deadlocks_view(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_keys())


def test_deadlocks_view_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_keys())


def test_deadlock_report(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_keys("enter"))


def test_deadlock_report_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_keys("enter"))


def test_deadlock_report_server_log_masked(snap_compare, make_app) -> None:
    """A server-log report: every process's (long, multi-line) query known, masked with `m`."""
    text = (FIXTURES / "D22_long_multiline_queries" / "server_log.txt").read_text()

    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(DeadlockReportScreen(pilot.app.ctx, text))
        await settle(pilot)
        await pilot.press("m")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
