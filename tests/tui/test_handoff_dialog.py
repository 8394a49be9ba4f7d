"""Pilot tests of the copy menu (`y`, `H`): short id, URL, the Markdown summary, path:line."""

from __future__ import annotations

from dexter_tui.services.handoff import top_frame
from dexter_tui.services.sanitize import clipboard_text
from dexter_tui.tui.dialogs.handoff import CopyChoice, HandoffDialog
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text
from tests.tui.test_issue_actions import _release_detail

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
        assert dialog.labels == MENU  # `H`: the `y` menu, at the summary
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


# -- the copy menu on `y` ------------------------------------------------------------------------

MENU = ["y  Short id", "u  Issue URL", "m  Summary as Markdown", "f  Frame as path:line"]


async def _list_at(pilot, issue_id: str) -> IssuesScreen:
    await settle(pilot)
    issues = pilot.app.screen
    assert isinstance(issues, IssuesScreen)
    assert issues.table.move_cursor_to_key(issue_id)
    return issues


async def test_y_shows_the_copy_menu_with_its_four_choices(make_app, seeded_store) -> None:
    issue_id = _issue_with_frames_and_crumbs(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        issues = await _list_at(pilot, issue_id)
        issue = issues.cursor_issue()
        await pilot.press("y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, HandoffDialog)
        assert dialog.labels == MENU
        text = screen_text(app)
        for label in MENU:
            assert label in text
        assert f"Copy from {issue.short_id}" in text
        assert "y u m f: show it · again or enter: copy (OSC 52) · esc: cancel" in text
        assert dialog.preview_text == issue.short_id  # the menu opens on the short id
        await pilot.press("u")  # a key shows its choice, copies nothing yet
        assert app.screen is dialog
        assert dialog.preview_text == issue.permalink
        assert app.clipboard == ""
        await pilot.press("escape")
        assert app.screen is issues
        assert app.clipboard == ""


async def test_y_y_copies_the_short_id_at_once(make_app, seeded_store) -> None:
    issue_id = _issue_with_frames_and_crumbs(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        issues = await _list_at(pilot, issue_id)
        short_id = issues.table.cursor_row.data.short_id
        await pilot.press("y", "y")  # no wait for the summary: the short id is there at once
        assert app.screen is issues
        assert app.clipboard == short_id
        await settle(pilot)
        toasts = [toast.render().plain for toast in app.screen.query("Toast")]
        assert f"Copied {short_id}" in toasts


async def test_y_m_copies_the_markdown_summary_as_previewed(make_app, seeded_store) -> None:
    issue_id = _issue_with_frames_and_crumbs(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        issues = await _list_at(pilot, issue_id)
        short_id = issues.table.cursor_row.data.short_id
        await pilot.press("y", "m", "enter")  # asked for before the event loaded: copied when it is
        await settle(pilot)
        assert app.screen is issues
        summary = app.clipboard
        assert summary.startswith(f"### {short_id}: ")
        assert "**Top in-app frame:**" in summary

        await pilot.press("y")
        await settle(pilot)
        await pilot.press("m")
        assert app.screen.preview_text == summary  # shown before it is copied
        await pilot.press("m")  # the same key again copies
        assert app.screen is issues
        assert app.clipboard == summary


async def test_the_frame_choice_copies_path_and_line(make_app, seeded_store) -> None:
    issue_id = _issue_with_frames_and_crumbs(seeded_store)
    app = make_app(default_query="")
    async with app.run_test(size=SIZE) as pilot:
        issues = await _list_at(pilot, issue_id)
        event = await app.ctx.client.get_issue_event(app.ctx.org, issue_id, "latest")
        frame = top_frame(event)
        assert frame is not None
        assert frame.line_no is not None
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("f")
        assert app.screen.preview_text == f"{frame.path}:{frame.line_no}"
        await pilot.press("f")
        assert app.screen is issues
        assert app.clipboard == f"{frame.path}:{frame.line_no}"


async def test_y_opens_the_menu_on_release_detail(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _release_detail(pilot)
        issue = detail.cursor_issue()
        await pilot.press("y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, HandoffDialog)
        assert dialog.labels[:3] == MENU[:3]
        assert dialog.preview_text == issue.short_id
        await pilot.press("m")
        assert dialog.preview_text.startswith(f"### {issue.short_id}: ")
        await pilot.press("y", "y")
        assert app.screen is detail
        assert app.clipboard == issue.short_id


async def test_the_preview_shows_untrusted_text_literally(make_app) -> None:
    hostile = "[bold]boom[/] \x1b]52;c;ZXZpbA==\x07 `x`"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        choices = [CopyChoice("markdown", "m", "Summary as Markdown", clipboard_text(hostile))]
        got: list[tuple[str, str] | None] = []
        app.push_screen(HandoffDialog(choices, "Copy from [red]X[/]"), got.append)
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]boom[/] ␛]52;c;ZXZpbA==␇ `x`" in text
        assert "Copy from [red]X[/]" in text
        await pilot.press("enter")
        assert got == [("Summary as Markdown", "[bold]boom[/] ␛]52;c;ZXZpbA==␇ `x`")]
