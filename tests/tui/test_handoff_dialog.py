"""Pilot tests of the hand-off copy (`H`): the Markdown summary, path:line, literal text."""

from __future__ import annotations

from dexter_tui.services.handoff import top_frame
from dexter_tui.tui.dialogs.handoff import HandoffDialog
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (140, 40)


def _issue_with_frames_and_crumbs(store) -> str:
    """A seeded issue in ≥2 environments whose events carry an in-app frame and breadcrumbs."""
    row = store.query_one(
        "SELECT group_id FROM events WHERE environment IS NOT NULL"
        " AND json_extract(data, '$.breadcrumbs') IS NOT NULL"
        " AND (data LIKE '%\"in_app\": true%' OR data LIKE '%\"in_app\":true%')"
        " GROUP BY group_id HAVING COUNT(DISTINCT environment) >= 2"
        " ORDER BY COUNT(*) DESC LIMIT 1"
    )
    return str(row["group_id"])


async def test_markdown_summary_holds_the_listed_fields(make_app, seeded_store) -> None:
    issue_id = _issue_with_frames_and_crumbs(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        assert issues.table.move_cursor_to_key(issue_id)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        await pilot.press("H")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, HandoffDialog)
        shown = dialog.preview_text

        issue, event = detail.issue, detail.event
        tags = await app.ctx.client.list_issue_tags(app.ctx.org, issue_id)
        frame = top_frame(event)
        assert frame is not None
        assert frame.source
        crumbs = event.breadcrumbs
        assert crumbs
        expected = [
            f"### {issue.short_id}: ",
            f"- **Link:** {issue.permalink}",
            f"- **Level:** {issue.level}",
            f"- **Status:** {issue.status}",
            "- **First seen:** " + issue.first_seen.strftime("%Y-%m-%d %H:%M UTC"),
            "- **Last seen:** " + issue.last_seen.strftime("%Y-%m-%d %H:%M UTC"),
            "- **Events:** ",
            f" · {issue.lifetime.count if issue.lifetime else issue.count:,} lifetime",
            "- **Users:** ",
            "- **Environments:** ",
            "- **Releases:** ",
            f"**Top in-app frame:** {frame.path}:{frame.line_no}",
            frame.source,
            "**Latest breadcrumbs**",
            crumbs[-1].message or crumbs[-1].category,
        ]
        for part in expected:
            assert part in shown, part
        for key in ("environment", "release"):
            top = next(t for t in tags if t.key == key).top_values[0].value
            assert top in shown.split(f"- **{key.title()}s:** ")[1].splitlines()[0]

        await pilot.press("enter")  # the first choice: the summary, copied as shown
        assert app.screen is detail
        assert app.clipboard == shown

        await pilot.press("H")
        await settle(pilot)
        await pilot.press("down")
        assert app.screen.preview_text == f"{frame.path}:{frame.line_no}"
        await pilot.press("enter")
        assert app.clipboard == f"{frame.path}:{frame.line_no}"
