"""Snapshots of the releases view and a release's detail on the frozen seeded demo."""

from __future__ import annotations

from tests.tui.conftest import settle

WIDE = (120, 36)


def _before(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def test_releases_list(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_before())


def test_releases_list_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_before())


def test_release_detail_marked(snap_compare, make_app) -> None:
    run = _before("j", "j", "j", "j", "j", "j", "enter", "space", "space")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_release_detail_80x24(snap_compare, make_app) -> None:
    run = _before("j", "j", "j", "j", "j", "j", "enter")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_release_resolve_confirm(snap_compare, make_app) -> None:
    run = _before("j", "j", "j", "j", "j", "j", "enter", "space", "x")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
