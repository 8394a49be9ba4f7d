"""The one issue-action controller: shared binding ids, reasons, confirm policy, store messages."""

from __future__ import annotations

import pytest

from dexter_tui.config import Settings
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.factory import BINDING_OWNERS, checked_keymap
from dexter_tui.tui.issue_actions import ISSUE_KEYS
from dexter_tui.tui.keymap import KeymapError, declared_bindings, validate_keymap
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.screens.releases import ReleaseDetailScreen
from tests.tui.conftest import settle

SIZE = (120, 36)
ISSUE_SCREENS = (IssuesScreen, EventDetailScreen, ReleaseDetailScreen)


def _status(store, issue_id: str) -> str:
    return store.query_one("SELECT status FROM groups WHERE id = ?", (int(issue_id),))["status"]


def toasts(app) -> list[str]:
    """The text of the toasts on screen, as a person reads it."""
    return [toast.render().plain for toast in app.screen.query("Toast")]


def test_every_issue_screen_binds_an_action_under_the_same_id_and_key() -> None:
    for name in ("resolve", "resolve_next"):
        keys, _, binding_id = ISSUE_KEYS[name]
        found = {
            cls.__name__: b for cls in ISSUE_SCREENS for b in cls.BINDINGS if b.id == binding_id
        }
        if name == "resolve":
            assert set(found) == {c.__name__ for c in ISSUE_SCREENS}
        assert {b.key for b in found.values()} == {keys}
        assert {b.action for b in found.values()} == {name}


def test_a_shared_id_is_checked_on_every_screen_that_has_it() -> None:
    bindings = declared_bindings(BINDING_OWNERS)
    # E is free on the list but opens the event list in the detail
    with pytest.raises(KeymapError, match=r"'issue.resolve' = 'E' clashes with 'event.list'"):
        validate_keymap({"issue.resolve": "E"}, bindings)


def test_old_and_new_name_of_one_binding_together_are_refused() -> None:
    with pytest.raises(KeymapError, match=r"old name of 'issue\.resolve'"):
        validate_keymap(
            {"issues.resolve": "f2", "issue.resolve": "f3"}, declared_bindings(BINDING_OWNERS)
        )


def test_old_ids_stay_valid_in_config() -> None:
    settings = Settings(keymap={"event.resolve": "f2", "release_detail.resolve_in": "f3"})
    assert checked_keymap(settings) == {"event.resolve": "f2", "release_detail.resolve_in": "f3"}


async def test_one_remap_changes_the_key_on_every_screen(make_app, seeded_store) -> None:
    app = make_app(confirm="never", keymap={"issue.resolve": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        first, second = issues.table.visible_keys()[:2]
        await pilot.press("x")  # the old key does nothing now
        await settle(pilot)
        assert _status(seeded_store, first) == "unresolved"
        await pilot.press("f2")
        await settle(pilot)
        assert _status(seeded_store, first) == "resolved"

        issues.table.move_cursor_to_key(second)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        await pilot.press("f2")
        await settle(pilot)
        assert _status(seeded_store, second) == "resolved"
        assert detail.issue.status == "resolved"
        # the list heard it too (IssuesChanged), without a refetch
        assert issues.feed.issues[second].status == "resolved"


async def test_an_old_per_screen_id_keeps_its_old_meaning(make_app, seeded_store) -> None:
    app = make_app(confirm="never", keymap={"issues.resolve": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        first, second = issues.table.visible_keys()[:2]
        await pilot.press("f2")  # the list: remapped
        await settle(pilot)
        assert _status(seeded_store, first) == "resolved"
        issues.table.move_cursor_to_key(second)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        await pilot.press("x")  # the detail: the default key still resolves
        await settle(pilot)
        assert _status(seeded_store, second) == "resolved"


async def _release_detail(pilot) -> ReleaseDetailScreen:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    await pilot.press(*"jjjjjj", "enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, ReleaseDetailScreen)
    return detail


@pytest.mark.parametrize(("policy", "asks"), [("never", False), ("bulk", True)])
async def test_release_detail_honours_the_confirm_policy(
    make_app, seeded_store, policy: str, asks: bool
) -> None:
    app = make_app(confirm=policy)
    async with app.run_test(size=SIZE) as pilot:
        detail = await _release_detail(pilot)
        keys = [k for k in detail.table.visible_keys() if _status(seeded_store, k) == "unresolved"][
            :2
        ]
        detail.table.mark(*keys)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog) is asks
        if asks:
            assert f"Resolve in {detail.release.version}: 2 issues?" in app.screen.question
            await pilot.press("y")
        await settle(pilot)
        assert {_status(seeded_store, k) for k in keys} == {"resolved"}


async def test_a_greyed_out_key_says_why(make_app, seeded_store) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("merge", ()) is False
        await pilot.press("M")
        await settle(pilot)
        assert "Merge needs at least 2 marked issues: mark them with space, then M" in toasts(app)

        by_project: dict[str, str] = {}
        for issue in screen.feed.ordered():
            if issue.project is not None:
                by_project.setdefault(issue.project.slug, issue.id)
        assert len(by_project) >= 2
        two = list(by_project.values())[:2]
        screen.table.mark(*two)
        assert screen.check_action("merge", ()) is False
        assert screen.disabled_reason("merge") == (
            f"Cannot merge across projects ({', '.join(sorted(list(by_project)[:2]))}): "
            "Sentry merges issues of one project only"
        )
        await pilot.press("M")
        await settle(pilot)
        assert all(_status(seeded_store, k) == "unresolved" for k in two)
        assert (
            seeded_store.query_one(
                "SELECT COUNT(*) AS n FROM groups WHERE merged_into IS NOT NULL"
            )["n"]
            == 0
        )


async def test_read_only_hides_the_shared_actions_on_every_issue_screen(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.check_action("resolve", ()) is False
        assert app.screen.disabled_reason("resolve") == "read-only mode: no changes are sent"
        assert app.screen.check_action("copy_short_id", ()) is True
        detail = await _release_detail(pilot)
        assert detail.check_action("resolve", ()) is False
        assert detail.check_action("resolve_next", ()) is False


async def test_release_detail_takes_the_lists_other_actions_and_undo(
    make_app, seeded_store
) -> None:
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        detail = await _release_detail(pilot)

        def bookmarked(key: str) -> bool:
            row = seeded_store.query_one(
                "SELECT 1 FROM group_bookmarks WHERE group_id = ?", (int(key),)
            )
            return row is not None

        key = next(k for k in detail.table.visible_keys() if not bookmarked(k))
        detail.table.move_cursor_to_key(key)
        await pilot.press("b")
        await settle(pilot)
        assert bookmarked(key)
        await pilot.press("z")  # undo, as on the list
        await settle(pilot)
        assert not bookmarked(key)
        await pilot.press("at")
        await settle(pilot)
        assert type(app.screen).__name__ == "ActionLogScreen"
        assert [e.verb for e in app.ctx.action_log.load()][-1] == "undo"
