"""Snapshots of the issue list in each state that matters, on the frozen seeded demo."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest
from textual.widgets import Input

from tests.tui.conftest import settle

WIDE = (120, 36)


def _before(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        still_cursor(pilot)
        await pilot.pause()

    return run


def still_cursor(pilot) -> None:
    """A blinking text cursor would make the picture depend on timing."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


def test_list_default(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_before())


def test_list_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_before())


def test_list_marked_with_preview(snap_compare, make_app) -> None:
    run = _before("space", "space", "j", "space", "p")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("confirm", ("space", "space", "x")),
        ("ignore_menu", ("i",)),
        ("assign_picker", ("a",)),
        ("help", ("question_mark",)),
        ("quick_filter", ("f",)),
    ],
)
def test_list_dialogs(snap_compare, make_app, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(make_app(confirm="bulk"), terminal_size=WIDE, run_before=_before(*keys))


def test_action_log_after_a_partial_failure(
    snap_compare, make_app, seeded_server, seeded_world, monkeypatch
) -> None:
    # the demo's 500 carries a random errorId, like Sentry's; pin it so the picture is stable
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0xD3C7E5))

    async def run(pilot) -> None:
        await settle(pilot)
        table = pilot.app.screen.table
        failing = table.visible_keys()[1]
        async with httpx.AsyncClient(base_url=seeded_server.url) as http:
            await http.post(
                "/api/0/_demo/faults/",
                json={"bulk_fail_ids": [failing]},
                headers={"Authorization": f"Bearer {seeded_world.token}"},
            )
        await pilot.press("space", "space", "space", "x")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.2)  # the cleared toast and the row restyling finish drawing first
        await pilot.press("at")
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.2)

    app = make_app(confirm="never")
    assert snap_compare(app, terminal_size=WIDE, run_before=run)


def test_empty_result(snap_compare, make_app) -> None:
    app = make_app(default_query="is:unresolved nothing-matches-this-text")
    assert snap_compare(app, terminal_size=WIDE, run_before=_before())


def test_stale_after_server_errors(snap_compare, make_app, seeded_app) -> None:
    async def run(pilot) -> None:
        await settle(pilot)
        seeded_app.state.faults.random = random.Random(7)  # which 5xx answers: repeatable
        seeded_app.state.options.fail_rate = 1.0
        pilot.app.screen.poll()
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_bad_token_modal(snap_compare, make_app) -> None:
    from dexter_tui.config import Secret

    app = make_app(token=Secret("0" * 64))
    assert snap_compare(app, terminal_size=WIDE, run_before=_before())
