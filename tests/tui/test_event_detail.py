"""Pilot tests of the event detail screen on the seeded demo (real sentry-sdk events)."""

from __future__ import annotations

import io
import json

import sentry_sdk
from rich.console import Console

from dexter_tui.tui.dialogs.comment_editor import CommentEditor
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.event_list import EventListDialog
from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.event_comments import ActivityItem
from dexter_tui.tui.widgets.event_stack import FrameItem
from tests.tui.conftest import settle

SIZE = (120, 36)


def text_of(renderable) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def table_text(table) -> str:
    return "\n".join(
        " ".join(cell.plain for cell in row.get_cells().values()) for row in table.rows()
    )


def _detail(app) -> EventDetailScreen:
    screen = app.screen
    assert isinstance(screen, EventDetailScreen)
    return screen


async def _open(pilot, key: str | None = None) -> EventDetailScreen:
    """Open `key` (an issue id) or the cursor row from the list and wait for its panes."""
    await settle(pilot)
    issues = pilot.app.screen
    assert isinstance(issues, IssuesScreen)
    if key is not None:
        assert issues.table.move_cursor_to_key(key)
    await pilot.press("enter")
    await settle(pilot)
    return _detail(pilot.app)


def _issue_with_events(app, minimum: int = 5) -> str:
    issues = app.screen
    return next(k for k in issues.table.visible_keys() if issues.feed.issues[k].count >= minimum)


async def test_enter_opens_latest_event_and_q_goes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        event = screen.event
        assert event is not None
        assert screen.nav.position == 1
        header = text_of(screen.query_one("#event-header").content)
        assert screen.issue.short_id in header
        assert f"event 1 of {screen.issue.count:,}" in header
        assert (event.event_id or "") in header
        frames = screen.query(FrameItem)
        assert frames, "the stack trace shows frames"
        exc_type = event.exception.values[-1].type
        assert exc_type in text_of(screen.query(".exc-head").last().content)
        await pilot.press("q")
        assert isinstance(app.screen, IssuesScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, IssuesScreen)


async def test_navigation_newer_older_oldest_latest(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await _open(pilot, _issue_with_events(app))
        latest = screen.event
        assert latest is not None
        await pilot.press("n")  # already the newest: a notice, no request
        await settle(pilot)
        assert screen.event is latest
        assert screen.nav.requests == 1

        await pilot.press("N")
        await settle(pilot)
        assert screen.event.event_id == latest.previous_event_id
        assert screen.nav.position == 2
        second = screen.event

        await pilot.press("N", "N")  # queued: each step needs the previous answer
        await settle(pilot)
        assert screen.nav.position == 4
        assert screen.nav.requests == 4

        await pilot.press("n")
        await settle(pilot)
        assert screen.nav.position == 3
        assert screen.event.previous_event_id is not None
        await pilot.press("n")
        await settle(pilot)
        assert screen.event.event_id == second.event_id

        await pilot.press("O")
        await settle(pilot)
        assert screen.event.previous_event_id is None
        assert screen.nav.position == screen.issue.count
        header = text_of(screen.query_one("#event-header").content)
        assert f"event {screen.issue.count:,} of {screen.issue.count:,}" in header

        await pilot.press("L")
        await settle(pilot)
        assert screen.event.event_id == latest.event_id

        await pilot.press("R")
        await settle(pilot)
        assert screen.event.group_id == screen.issue.id


async def test_event_list_jumps_to_the_chosen_event(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await _open(pilot, _issue_with_events(app))
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EventListDialog)
        keys = dialog.table.visible_keys()
        assert len(keys) >= 3
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.event.event_id == keys[2]
        assert screen.nav.position == 3


async def test_every_tab_renders_the_event(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        event = screen.event
        assert event is not None

        await pilot.press("right_square_bracket")
        assert screen.active_tab == "breadcrumbs"
        crumbs = screen.pane("breadcrumbs").table
        assert crumbs.row_count == len(event.breadcrumbs) > 0
        assert event.breadcrumbs[-1].message in table_text(crumbs)

        await pilot.press("tab")
        await settle(pilot)
        assert screen.active_tab == "tags"
        tags = table_text(screen.pane("tags").table)
        assert "◀ this" in tags
        assert event.tag("environment") in tags

        await pilot.press("tab")
        context = text_of(screen.pane("context").query_one(".pane-text").content)
        runtime = event.contexts["runtime"]
        assert "runtime" in context
        assert runtime["version"] in context

        await pilot.press("tab")
        request = text_of(screen.pane("request").query_one(".pane-text").content)
        assert ("no HTTP request" in request) == (event.entry("request") is None)

        await pilot.press("tab")
        await settle(pilot)
        assert screen.active_tab == "comments"
        items = list(screen.query(ActivityItem))
        assert any(i.activity.type == "first_seen" for i in items)

        await pilot.press("tab")
        assert screen.active_tab == "raw"
        raw = screen.pane("raw")
        assert json.loads("\n".join(raw.view.lines))["eventID"] == event.event_id

        await pilot.press("tab")
        await settle(pilot)
        assert screen.active_tab == "hashes"
        hashes = screen.pane("hashes").table
        assert hashes.row_count >= 1
        assert (event.event_id or "") in table_text(hashes)

        await pilot.press("tab")
        assert screen.active_tab == "stack"
        await pilot.press("left_square_bracket")
        assert screen.active_tab == "hashes"


async def test_request_tab_masks_secrets(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        list_screen = app.screen
        keys = seeded_world.projects["checkout-api"]
        dsn = f"http://{keys.public_key}@127.0.0.1:{seeded_server.port}/{keys.project_id}"
        # before_send runs after the SDK's own scrubber: the secrets reach the server as they are
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False, before_send=_with_request)
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            try:
                raise PermissionError("request secrets test")
            except PermissionError as error:
                sentry_sdk.capture_exception(error)
            client.flush(timeout=5)
        list_screen.poll()
        await settle(pilot)
        key = next(k for k, i in list_screen.feed.issues.items() if "request secrets" in i.title)
        screen = await _open(pilot, key)
        screen.show_tab("request")
        await settle(pilot)
        text = text_of(screen.pane("request").query_one(".pane-text").content)
        assert "POST https://shop.example/api/pay" in text
        assert "Bearer ********" in text
        assert "s3cr3t" not in text
        assert "hunter2" not in text
        assert "curl/8" in text


def _with_request(event, hint):
    event["request"] = {
        "method": "POST",
        "url": "https://shop.example/api/pay",
        "headers": {"Authorization": "Bearer s3cr3t", "Cookie": "sid=1", "User-Agent": "curl/8"},
        "data": {"password": "hunter2", "amount": 3},
    }
    return event


async def test_in_app_toggle_shows_library_frames(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        in_app = list(screen.query(FrameItem))
        assert all(f.frame.in_app for f in in_app)
        total = sum(len(v.stacktrace.frames) for v in screen.event.exception.values)
        await pilot.press("f")
        await settle(pilot)
        full = list(screen.query(FrameItem))
        assert len(full) == total > len(in_app)
        assert any(not f.frame.in_app for f in full)
        await pilot.press("f")
        await settle(pilot)
        assert len(screen.query(FrameItem)) == len(in_app)


async def test_frame_variables_expand(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        frame = app.focused
        assert isinstance(frame, FrameItem)
        name = frame.frame.variables[0][0]
        before = text_of(frame.render())
        await pilot.press("enter")
        after = text_of(frame.render())
        assert frame.expanded
        assert len(after.splitlines()) > len(before.splitlines())
        assert name in after
        await pilot.press("j")
        assert app.focused is not frame or len(screen.query(FrameItem)) == 1


async def test_comment_create_edit_delete_reach_the_server(make_app, seeded_store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        issue_id = int(screen.issue.id)
        screen.show_tab("comments")
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, CommentEditor)
        await pilot.press(*"first line", "enter", *"second [b]line[/b]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = seeded_store.query(
            "SELECT id, data FROM activities WHERE group_id = ? AND type = 'note'", (issue_id,)
        )
        texts = [json.loads(r["data"])["text"] for r in rows]
        assert "first line\nsecond [b]line[/b]" in texts
        assert str(issue_id) not in app.ctx.comment_drafts
        mine = [i for i in screen.query(ActivityItem) if i.own]
        assert mine, "my new comment is listed and marked as mine"
        assert "second [b]line[/b]" in text_of(mine[0].render())

        mine[0].focus()
        await pilot.press("e")
        assert isinstance(app.screen, CommentEditor)
        await pilot.press(*" (edited)", "ctrl+s")
        await settle(pilot)
        note_id = mine[0].activity.id
        row = seeded_store.query_one("SELECT data FROM activities WHERE id = ?", (int(note_id),))
        assert json.loads(row["data"])["text"].endswith("(edited)")

        mine = [i for i in screen.query(ActivityItem) if i.own]
        mine[0].focus()
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        gone = seeded_store.query_one("SELECT 1 FROM activities WHERE id = ?", (int(note_id),))
        assert gone is None


async def test_draft_survives_a_failed_send_and_navigation(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        issue_id = screen.issue.id
        await pilot.press("c", *"important finding")
        seeded_app.state.faults.drop_connection = 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.ctx.comment_drafts[issue_id] == "important finding"
        await pilot.press("q")  # leave the issue and come back
        assert isinstance(app.screen, IssuesScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        editor = app.screen
        assert isinstance(editor, CommentEditor)
        assert editor.query_one("#comment-text").text == "important finding"
        await pilot.press("escape")  # closing keeps it too
        assert app.ctx.comment_drafts[issue_id] == "important finding"


async def test_tag_value_filters_the_issue_list(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        screen.show_tab("tags")
        await settle(pilot)
        table = screen.pane("tags").table
        row = next(r for r in table.rows() if r.data.key == "environment")
        table.move_cursor_to_key(row.key)
        await pilot.press("enter")
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        # added to the list's search (issue 15 item 6), not replacing it
        assert issues.feed.query.query == f'is:unresolved environment:"{row.data.value}"'
        assert issues.table.visible_count > 0


async def test_pii_masking_toggle(make_app) -> None:
    app = make_app(mask_pii=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(
            k
            for k in issues.table.visible_keys()
            if issues.feed.issues[k].project
            and issues.feed.issues[k].project.slug == "checkout-api"
        )
        screen = await _open(pilot, key)
        email = screen.event.user.email
        assert email
        screen.show_tab("context")
        context = screen.pane("context").query_one(".pane-text")
        assert email in text_of(context.content)
        await pilot.press("m")
        masked = text_of(context.content)
        assert email not in masked
        assert "‹email›" in masked
        await pilot.press("m")
        assert email in text_of(context.content)


async def test_untrusted_text_is_shown_literally(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        list_screen = app.screen
        keys = seeded_world.projects["notifications"]
        dsn = f"http://{keys.public_key}@127.0.0.1:{seeded_server.port}/{keys.project_id}"
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False)
        hostile = "[bold red]x[/] \x1b[31mred\x1b[0m"
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            scope.set_tag("hostile", "[link=http://evil]y[/link]")
            scope.add_breadcrumb(category="hostile", message=hostile)
            try:
                raise ValueError(hostile)
            except ValueError as error:
                sentry_sdk.capture_exception(error)
            client.flush(timeout=5)
        list_screen.poll()
        await settle(pilot)
        key = next(k for k, i in list_screen.feed.issues.items() if "[bold red]x[/]" in i.title)
        screen = await _open(pilot, key)
        shown = "[bold red]x[/] ␛[31mred␛[0m"
        assert shown in text_of(screen.query_one("#event-header").content)
        head = screen.query(".exc-head").last().content
        assert shown in head.plain
        assert not any("red" in str(span.style) for span in head.spans if span.start > 10)
        screenshot = app.export_screenshot()
        assert "[bold&#160;red]x[/]&#160;␛[31mred␛[0m" in screenshot
        assert "\x1b" not in screenshot

        screen.show_tab("breadcrumbs")
        assert shown in table_text(screen.pane("breadcrumbs").table)
        screen.show_tab("tags")
        await settle(pilot)
        assert "[link=http://evil]y[/link]" in table_text(screen.pane("tags").table)


async def test_resolve_and_bookmark_from_the_detail(make_app, seeded_store) -> None:
    app = make_app(confirm="bulk")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        issue_id = screen.issue.id
        was = screen.issue.is_bookmarked
        await pilot.press("b")
        await settle(pilot)
        bookmarked = seeded_store.query_one(
            "SELECT 1 FROM group_bookmarks WHERE group_id = ?", (int(issue_id),)
        )
        assert (bookmarked is not None) is (not was)
        await pilot.press("x")  # one issue: no confirmation under the bulk policy
        await settle(pilot)
        row = seeded_store.query_one("SELECT status FROM groups WHERE id = ?", (int(issue_id),))
        assert row["status"] == "resolved"
        assert screen.issue.status == "resolved"
        assert "resolved" in text_of(screen.query_one("#event-header").content)
        entries = app.ctx.action_log.load()
        assert [e.verb for e in entries][-2:] == ["unbookmark" if was else "bookmark", "resolve"]
        await pilot.press("q")
        list_screen = app.screen
        assert list_screen.feed.issues[issue_id].status == "resolved"


async def test_read_only_hides_mutating_keys(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("c")
        assert app.screen is screen
        assert screen.check_action("resolve", ()) is False
        await pilot.press("y", "y")  # copying is not a change: still allowed (y y: the short id)
        assert app.clipboard == screen.issue.short_id
        await pilot.press("Y")
        assert app.clipboard == screen.issue.permalink
        assert screen.check_action("navigate", ("older",)) is True


async def test_deadlock_banner_and_analysis(make_app) -> None:
    app = make_app(default_query="DeadlockDetected")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(k for k, i in issues.feed.issues.items() if "deadlock" in i.title.lower())
        screen = await _open(pilot, key)
        assert screen.deadlock is not None
        assert screen.has_class("-deadlock")
        banner = text_of(screen.query_one("#deadlock-banner").content)
        assert "PostgreSQL deadlock" in banner
        await pilot.press("d")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, DeadlockReportScreen)
        assert report.analysis is screen.deadlock
        assert report.event is screen.event
        await pilot.press("escape")
        assert app.screen is screen


async def test_failed_pane_shows_error_and_retries(make_app, seeded_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded_app.state.faults.malformed_json = 2  # the issue detail and the event
        screen = await _open(pilot)
        stack = screen.pane("stack")
        assert not stack.ready
        assert "retry" in text_of(stack.status.content)
        assert screen.event is None
        await pilot.press("r")
        await settle(pilot)
        assert stack.ready
        assert screen.event is not None


async def test_stack_order_and_mask_defaults_come_from_config(make_app) -> None:
    app = make_app(stack_order="newest-first", mask_pii=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.mask
        frames = [f.frame for f in screen.query(FrameItem)]
        raised = screen.event.exception.values[-1].stacktrace.frames
        in_app = [f for f in raised if f.in_app]
        assert frames[0].function == in_app[-1].function  # the crashing frame first
        header = text_of(screen.query_one("#event-header").content)
        assert "PII masked" in header


async def test_multi_megabyte_event_draws_only_visible_raw_lines(
    make_app, seeded_store, seeded_world
) -> None:
    from dexter_tui.demo.ingest import ingest_event
    from tests.conftest import SEED_NOW

    crumbs = [
        {"timestamp": SEED_NOW - 600 + n * 0.01, "category": "bulk", "message": f"step {n} " * 12}
        for n in range(20_000)
    ]
    event = {
        "event_id": "ab" * 16,
        "timestamp": SEED_NOW - 5,
        "platform": "python",
        "level": "error",
        "exception": {"values": [{"type": "HugeEventError", "value": "a very large event"}]},
        "breadcrumbs": {"values": crumbs},
    }
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, event, received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(k for k, i in issues.feed.issues.items() if "HugeEventError" in i.title)
        screen = await _open(pilot, key)
        assert screen.pane("breadcrumbs").table.row_count == 20_000
        screen.show_tab("raw")
        await settle(pilot)
        view = screen.pane("raw").view
        assert len(view.lines) > 150_000
        assert sum(len(x) for x in view.lines) > 3_000_000  # a multi-megabyte event
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y > 150_000
        # only the lines on screen were styled, not the whole document
        assert len(view._cache) < 100
        await pilot.press("slash", *"step 19999 ", "enter")
        await settle(pilot)
        raw = screen.pane("raw")
        assert raw.matches
        assert view.current == raw.matches[0]


async def test_help_lists_the_event_keys(make_app) -> None:
    from dexter_tui.tui.dialogs.help import HelpScreen, help_rows

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        ids = {row.binding_id for row in help_rows(screen, app.get_key_display)}
        assert {"event.newer", "event.older", "event.in_app", "event.mask", "event.comment"} <= ids
        assert "event.stack.vars" in ids  # the focused frame's own key
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_breadcrumb_filter_and_raw_search_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("right_square_bracket", "slash", *"category:query")
        crumbs = screen.pane("breadcrumbs")
        assert crumbs.table.visible_count == sum(
            1 for c in screen.event.breadcrumbs if "query" in (c.category or "")
        )
        await pilot.press("escape")  # clears the filter, stays on the screen
        assert app.screen is screen
        assert crumbs.table.visible_count == crumbs.table.row_count
        screen.show_tab("raw")
        await settle(pilot)
        await pilot.press("slash", *"eventID", "enter")
        raw = screen.pane("raw")
        assert raw.view.current == raw.matches[0]
        assert "eventID" in raw.view.lines[raw.view.current]
        await pilot.press("escape", "escape")  # clear the search, then back to the list
        assert isinstance(app.screen, IssuesScreen)


async def test_chained_exceptions_and_threads(make_app, seeded_server, seeded_world) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        list_screen = app.screen
        keys = seeded_world.projects["billing-worker"]
        dsn = f"http://{keys.public_key}@127.0.0.1:{seeded_server.port}/{keys.project_id}"

        def add_threads(event, hint):
            event["threads"] = {
                "values": [
                    {"id": 7, "name": "idle-worker", "crashed": False},
                    {"id": 1, "name": "MainThread", "crashed": True, "current": True},
                ]
            }
            return event

        client = sentry_sdk.Client(dsn=dsn, default_integrations=False, before_send=add_threads)
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            try:
                try:
                    {}["ledger"]
                except KeyError as cause:
                    raise RuntimeError("posting failed: chained test") from cause
            except RuntimeError as error:
                sentry_sdk.capture_exception(error)
            client.flush(timeout=5)
        list_screen.poll()
        await settle(pilot)
        key = next(k for k, i in list_screen.feed.issues.items() if "chained test" in i.title)
        screen = await _open(pilot, key)
        heads = [text_of(w.content) for w in screen.query(".exc-head")]
        assert heads[0].startswith("KeyError")  # the cause first, as Python prints it
        assert heads[1].startswith("RuntimeError: posting failed")
        assert screen.query(".relation")
        threads = [text_of(w.content) for w in screen.query(".thread-head")]
        assert threads[0].startswith("Thread 1 MainThread")
        assert "crashed" in threads[0]
        assert threads[1].startswith("Thread 7 idle-worker")
