"""Pilot tests of setting priority: the picker, the bulk PUT, the server's state, undo."""

from __future__ import annotations

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.priority_picker import PriorityPicker
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


def _priorities(store, ids) -> dict[str, str | None]:
    rows = store.query(
        f"SELECT id, priority FROM groups WHERE id IN ({','.join('?' * len(ids))})",
        tuple(int(i) for i in ids),
    )
    return {str(r["id"]): r["priority"] for r in rows}


async def test_priority_bulk_change_reaches_the_server_and_undoes(make_app, seeded_store) -> None:
    app = make_app(confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        keys = screen.table.visible_keys()[:3]
        before = _priorities(seeded_store, keys)
        target = "low" if set(before.values()) != {"low"} else "high"

        await pilot.press("space", "space", "space", "P")
        assert isinstance(app.screen, PriorityPicker)
        await pilot.press(target[0])  # h / m / l
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Set priority {target}: 3 issues?" in app.screen.question
        await pilot.press("y")
        await settle(pilot)

        assert _priorities(seeded_store, keys) == dict.fromkeys(keys, target)
        assert {screen.feed.issues[k].priority for k in keys} == {target}
        entry = app.ctx.action_log.load()[-1]
        assert entry.verb == "priority"
        assert entry.detail == {"priority": target}

        await pilot.press("z")  # undo puts back each issue's own priority
        await settle(pilot)
        assert _priorities(seeded_store, keys) == before


async def test_priority_is_refused_in_read_only_mode(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("P")
        assert app.screen is screen
        assert screen.check_action("priority", ()) is False  # hidden in read-only, as every change
