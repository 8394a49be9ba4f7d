"""Pilot tests of similar issues (`=`): near-duplicates first, `M` merges on the server."""

from __future__ import annotations

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.similar_issues import SimilarIssuesDialog
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (140, 40)


def _id(store, short_id: str) -> str:
    return str(store.query_one("SELECT id FROM groups WHERE short_id = ?", (short_id,))["id"])


async def _similar_of(pilot, issue_id: str) -> SimilarIssuesDialog:
    app = pilot.app
    await settle(pilot)
    issues = app.screen
    assert isinstance(issues, IssuesScreen)
    assert issues.table.move_cursor_to_key(issue_id)
    await pilot.press("equals_sign")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, SimilarIssuesDialog)
    return dialog


async def test_similar_lists_the_near_duplicates_first_and_merges(make_app, seeded_store) -> None:
    app = make_app(default_query="", confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _similar_of(pilot, _id(seeded_store, "CHECKOUT-API-K"))
        rows = [dialog.table.get_row(k) for k in dialog.table.visible_keys()]
        shown = [r.data.short_id for r in rows]
        assert set(shown[:2]) == {"CHECKOUT-API-G", "CHECKOUT-API-M"}, shown
        status = str(dialog.query_one("#similar-status").render())
        assert "local score: exception type, normalised message, in-app frames" in status
        first = rows[0].get_cells()
        assert first["why"].plain.startswith("type 100% · message 100%")

        await pilot.press("space", "space", "M")  # both near-duplicates
        assert isinstance(app.screen, ConfirmDialog)
        assert "Merge 3 issues?" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        ids = [_id(seeded_store, s) for s in ("CHECKOUT-API-K", "CHECKOUT-API-G", "CHECKOUT-API-M")]
        merged = seeded_store.query(
            f"SELECT id, merged_into FROM groups WHERE id IN ({','.join('?' * 3)})",
            tuple(int(i) for i in ids),
        )
        parents = {r["merged_into"] for r in merged}
        survivors = [r["id"] for r in merged if r["merged_into"] is None]
        assert len(survivors) == 1
        assert parents == {None, survivors[0]}
        assert app.ctx.action_log.load()[-1].verb == "merge"


async def test_similar_in_another_scenario_and_read_only(make_app, seeded_store) -> None:
    app = make_app(default_query="", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _similar_of(pilot, _id(seeded_store, "NOTIFICATIONS-G"))
        first = dialog.table.get_row(dialog.table.visible_keys()[0])
        assert first.data.short_id == "NOTIFICATIONS-E"
        await pilot.press("M")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)  # read-only: nothing is sent
        assert (
            seeded_store.query_one(
                "SELECT COUNT(*) AS n FROM groups WHERE merged_into IS NOT NULL"
            )["n"]
            == 0
        )
