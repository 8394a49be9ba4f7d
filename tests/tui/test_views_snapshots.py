"""Snapshots of the saved-view dialog and picker (config dir in a temp path)."""

from __future__ import annotations

import pytest

from tests.tui.conftest import settle
from tests.tui.test_issue_list_snapshots import still_cursor

WIDE = (120, 36)


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _before(*commands: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for command in commands:
            pilot.app.run_command(command)
            await settle(pilot)
        pilot.app.clear_notifications()
        still_cursor(pilot)
        await pilot.pause()

    return run


def test_save_view_dialog(snap_compare, make_app) -> None:
    run = _before("period 24h", "save")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_views_picker(snap_compare, make_app) -> None:
    run = _before("save prod errors", "period 24h", "save last day", "views")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
