"""Snapshots of the alert rules view on the frozen seeded demo."""

from __future__ import annotations

from tests.tui.conftest import settle

WIDE = (120, 36)


def _before(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.run_command("alerts")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        await pilot.pause()

    return run


def test_alerts_list(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_before())


def test_alerts_second_rule_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_before("j"))


def test_alerts_toggle_confirm(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_before("t"))


def test_alerts_read_only(snap_compare, make_app) -> None:
    assert snap_compare(make_app(read_only=True), terminal_size=WIDE, run_before=_before())
