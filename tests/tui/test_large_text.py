"""A huge comment does not freeze the event view: it is clipped with a note, and `enter` on it
shows all of it in a line view that draws only what is on screen."""

from __future__ import annotations

import json

from dexter_tui.services.sanitize import TEXT_CAP
from dexter_tui.tui.dialogs.full_text import FullTextScreen
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.event_comments import ActivityItem
from tests.tui.conftest import settle

SIZE = (120, 36)
LINE = "lorem ipsum dolor sit amet, consectetur adipiscing elit " * 2  # 112 characters


def _huge_comment() -> str:
    lines = [f"{i:06d} {LINE}" for i in range(45_000)]  # ~5.4 MB
    lines[-1] = "THE VERY LAST LINE"
    return "\n".join(lines)


async def test_a_5mb_comment_is_clipped_and_the_rest_is_reachable(make_app, seeded_store) -> None:
    text = _huge_comment()
    assert len(text) > 5_000_000
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        key = issues.table.visible_keys()[0]
        # the demo refuses comments over 65,536 characters, as a real Sentry's body limit would
        # refuse 100 MB: plant it in the store, as an old or imported note would be
        seeded_store.execute(
            "INSERT INTO activities (group_id, project_id, type, user_id, data, date_created)"
            " SELECT id, project_id, 'note', NULL, ?, ? FROM groups WHERE id = ?",
            (json.dumps({"text": text}), seeded_store.now() + 1, int(key)),
        )
        assert issues.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        screen.show_tab("comments")
        await settle(pilot)
        item = next(i for i in screen.query(ActivityItem) if len(i.activity.text or "") > 1000)
        shown = item.shown_text()
        assert len(shown) < TEXT_CAP + 500  # clipped: what is drawn is bounded, not 5 MB
        assert "000000 lorem ipsum" in shown
        hidden = len(text) - len(shown.split("\n… ")[0])
        assert f"… {hidden:,} more characters — show all (enter)" in shown
        assert "THE VERY LAST LINE" not in shown

        item.focus()
        await pilot.press("enter")
        await settle(pilot)
        full = app.screen
        assert isinstance(full, FullTextScreen)
        assert "000000 lorem ipsum" in full.visible_text()
        await pilot.press("G")  # the end of the text is one key away
        await pilot.pause()
        assert "THE VERY LAST LINE" in full.visible_text()
        await pilot.press("escape")
        assert app.screen is screen


async def test_a_huge_log_message_is_clipped_with_show_all(
    make_app, seeded_store, seeded_world
) -> None:
    from dexter_tui.demo.ingest import ingest_event
    from dexter_tui.tui.widgets.event_text import LongTextBlock
    from tests.conftest import SEED_NOW

    message = "HEAD " + "x" * 3_000_000 + " TAIL-OF-THE-MESSAGE"
    event = {
        "event_id": "cd" * 16,
        "timestamp": SEED_NOW - 5,
        "platform": "python",
        "level": "error",
        "logentry": {"formatted": message},
        "exception": {"values": [{"type": "HugeMessageError", "value": "a huge message"}]},
        "breadcrumbs": {"values": [{"timestamp": SEED_NOW - 6, "message": "crumb " + message}]},
    }
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, event, received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(k for k, i in issues.feed.issues.items() if "HugeMessageError" in i.title)
        assert issues.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        screen.show_tab("stack")
        await settle(pilot)
        block = next(b for b in screen.query(LongTextBlock) if b.is_clipped)
        drawn = str(block.render())
        assert drawn.startswith("Message\nHEAD xxx")
        assert len(drawn) < TEXT_CAP + 200
        assert "more characters — show all (enter)" in drawn
        assert "TAIL-OF-THE-MESSAGE" not in drawn
        block.focus()
        await pilot.press("enter")
        await settle(pilot)
        full = app.screen
        assert isinstance(full, FullTextScreen)
        await pilot.press("G")
        await pilot.pause()
        assert "TAIL-OF-THE-MESSAGE" in full.visible_text()
        await pilot.press("escape")
        screen.show_tab("breadcrumbs")
        await settle(pilot)
        crumbs = screen.pane("breadcrumbs").table.rows()[0].get_cells()["message"].plain
        assert "more characters — show all in the Raw tab" in crumbs
        assert len(crumbs) < TEXT_CAP + 200
