"""Snapshots of the analytics view on the frozen seeded demo."""

from __future__ import annotations

from tests.tui.conftest import settle

WIDE = (120, 36)


def _before(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def test_analytics_default(snap_compare, make_app) -> None:
    assert snap_compare(make_app(default_period="24h"), terminal_size=WIDE, run_before=_before())


def test_analytics_80x24(snap_compare, make_app) -> None:
    app = make_app(default_period="24h")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before())


def test_analytics_7d_breakdowns_and_priority(snap_compare, make_app) -> None:
    """7d: the breakdowns and the priority table with its inputs (focus scrolls them in)."""

    async def run(pilot) -> None:
        await _before("right_square_bracket")(pilot)
        pilot.app.screen.query_one("#priority").focus()
        await settle(pilot)

    app = make_app(default_period="24h")
    assert snap_compare(app, terminal_size=WIDE, run_before=run)
