"""What a first real user tripped on in the issue list (issue 15): each test reads the screen."""

from __future__ import annotations

import json
from pathlib import Path

from dexter_tui.tui.dialogs.action_log import ActionLogScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.test_issue_actions import toasts
from tests.tui.test_literal_text import screen_text

SIZE = (120, 36)


def _screen(app) -> IssuesScreen:
    assert isinstance(app.screen, IssuesScreen)
    return app.screen


def _text(widget) -> str:
    return str(widget.render())


async def test_the_action_log_names_a_deleted_issue(make_app, tmp_path: Path) -> None:
    """`delete │ 46` told nothing: the log and actions.jsonl keep the short id and title."""
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        issue = screen.cursor_issue()
        assert issue is not None
        await pilot.press("D", "y")
        await settle(pilot)
        assert issue.id not in screen.feed.issues
        await pilot.press("at")
        await settle(pilot)
        assert isinstance(app.screen, ActionLogScreen)
        row = next(line for line in screen_text(app).splitlines() if "delete" in line)
        assert f"{issue.id} {issue.short_id} {issue.title[:12]}" in row
    [entry] = [json.loads(line) for line in (tmp_path / "actions.jsonl").read_text().splitlines()]
    assert entry["names"] == {issue.id: [issue.short_id, issue.title]}


def _flags(screen: IssuesScreen) -> dict[str, str]:
    """The FLG cell of every loaded row, as drawn."""
    return {row.key: row.get_cells()["flags"].plain for row in screen.table.rows()}


async def test_undo_puts_back_the_new_flags_and_the_review_queue(make_app) -> None:
    """`*` `x` `y` `z` said "Restored 62/62" but the N flags and "for review" were gone."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = _screen(app)
        before = _flags(screen)
        fresh = sorted(k for k, flags in before.items() if flags.startswith("N"))
        assert fresh  # the seeded demo has new issues
        await pilot.press("asterisk", "x", "y")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert f"Restored {len(before)}/{len(before)} issues " in header
        assert "not as before" not in header
        await pilot.press("r")
        await settle(pilot)
        assert _flags(screen) == before
        await pilot.press("f", "down", "enter")  # quick filter: for review
        await settle(pilot)
        assert screen.feed.query.query == "is:unresolved is:for_review"
        shown = screen_text(app)
        assert "No issues match" not in shown
        assert set(fresh) <= set(screen.table.visible_keys())


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_read_only_hides_the_verbs_and_says_why_on_a_press(make_app) -> None:
    """`--read-only` still offered Resolve/Ignore/Assign (and Comment); pressing did nothing."""
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        footer = _footer(app)
        assert "Filter" in footer
        for verb in ("Resolve", "Ignore", "Assign"):
            assert verb not in footer
        await pilot.press("x")
        await settle(pilot)
        assert "read-only mode: no changes are sent" in toasts(app)
        app.clear_notifications()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "EventDetailScreen"
        footer = _footer(app)
        assert "Comment" not in footer
        assert "Resolve" not in footer
        await pilot.press("c")
        await settle(pilot)
        assert "read-only mode: no changes are sent" in toasts(app)


async def test_merge_with_one_marked_says_so(make_app) -> None:
    app = make_app(confirm="always")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("space", "M")
        await settle(pilot)
        assert type(app.screen).__name__ == "IssuesScreen"  # no confirm: nothing to merge
        assert "Merge needs at least 2 marked issues: mark them with space, then M" in toasts(app)


async def test_o_over_ssh_says_the_url_was_copied(make_app, monkeypatch) -> None:
    """Over SSH `o` did nothing visible: the URL is copied and the toast says so."""
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 52000 10.0.0.1 22")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        permalink = app.screen.issue.permalink
        await pilot.press("o")
        await settle(pilot)
        assert app.clipboard == permalink
        [toast] = [t for t in toasts(app) if "browser" in t]
        assert "No browser opens here (over SSH): the URL is copied to your clipboard" in toast
        assert permalink in toast


async def test_opening_an_issue_marks_it_seen(make_app, seeded_store, seeded_world) -> None:
    """Sentry's web UI marks an opened issue seen; the `•` stayed until `n`."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        key = next(k for k, flags in _flags(screen).items() if "•" in flags)
        screen.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "•" not in _flags(screen)[key]
        seen = seeded_store.query_one(
            "SELECT 1 FROM group_seen WHERE group_id = ? AND user_id = ?",
            (int(key), seeded_world.user_ids["ana"]),
        )
        assert seen is not None
        assert [e.verb for e in app.ctx.action_log.entries] == []  # not a triage action


async def test_opening_an_issue_in_read_only_mode_changes_nothing(make_app, seeded_store) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        key = next(k for k, flags in _flags(screen).items() if "•" in flags)
        screen.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "•" in _flags(screen)[key]
        assert (
            seeded_store.query_one("SELECT 1 FROM group_seen WHERE group_id = ?", (int(key),))
            is None
        )


def _events(screen: IssuesScreen) -> dict[str, str]:
    return {row.key: row.get_cells()["events"].plain for row in screen.table.rows()}


async def test_the_events_column_counts_the_period(make_app) -> None:
    """EVENTS showed the lifetime count (480) at 14d and at 24h alike."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        header = screen_text(app).splitlines()[3]
        assert "EV 14d" in header
        at_14d = _events(screen)
        await pilot.press("t")  # 30d: longer than Sentry's stats reach: the lifetime count
        await settle(pilot)
        assert "EVENTS" in screen_text(app).splitlines()[3]
        lifetime = {i.id: str(i.count) for i in screen.feed.ordered() if i.count < 1000}
        assert lifetime.items() <= _events(screen).items()
        await pilot.press("t", "t")  # 1h, 24h
        await settle(pilot)
        assert screen.feed.query.period == "24h"
        assert "EV 24h" in screen_text(app).splitlines()[3]
        at_24h = _events(screen)
        day = {i.id: int(sum(n for _, n in i.stats["24h"])) for i in screen.feed.ordered()}
        assert {k: str(v) for k, v in day.items() if v < 1000}.items() <= at_24h.items()
        older = [k for k in at_24h if k in at_14d and at_24h[k] != at_14d[k]]
        assert older  # some issue had events before the last day
        await pilot.press("p")
        await settle(pilot)
        issue = screen.cursor_issue()
        preview = str(screen.query_one("#preview").render())
        assert f"{issue.count} events · {issue.user_count} users (lifetime)" in preview
        assert f"{day[issue.id]} events in 24h" in preview


async def test_the_column_arrow_agrees_with_the_context_line(make_app) -> None:
    """`▲SEEN` in the header contradicted `last seen ▼` in the context line."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert "sort: last seen ▼" in lines[1]
        assert "▼SEEN" in lines[3]
        await pilot.press("S")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert "sort: last seen ▲" in lines[1]
        assert "▲SEEN" in lines[3]


async def test_the_context_line_counts_matches_and_forgets_deleted_issues(make_app) -> None:
    """`Issues 61 · filtered` showed the total; `Issues 60/61` stayed after a delete."""
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        loaded = len(screen.feed.order)
        assert screen_text(app).splitlines()[1].startswith(f"Issues {loaded} ·")
        await pilot.press("D", "y")
        await settle(pilot)
        assert screen_text(app).splitlines()[1].startswith(f"Issues {loaded - 1} ·")
        await pilot.press("slash", *"deadlock")
        await settle(pilot)
        matches = screen.table.visible_count
        assert 0 < matches < loaded - 1
        line = screen_text(app).splitlines()[1]
        assert line.startswith(f"Issues {matches} of {loaded - 1} match")


async def test_help_lists_merge_and_undo_and_scrolls(make_app) -> None:
    """`?` on a fresh list did not mention M or z; `**level**` showed raw; G did nothing."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = screen_text(app)
        merge = next(line for line in shown.splitlines() if "Merge" in line)
        assert "M" in merge
        assert "Merge (not available now: Merge needs at least 2" in merge
        assert any("Undo" in line and "Nothing to undo" in line for line in shown.splitlines())
        view = app.screen.query_one("VerticalScroll")
        assert view.scroll_y == 0
        await pilot.press("G")
        await settle(pilot)
        assert view.scroll_y == view.max_scroll_y > 0
        shown = screen_text(app)
        assert "level: fatal 30" in shown
        assert "**" not in shown


async def test_outcomes_replace_each_other_in_the_header_not_toasts(make_app) -> None:
    """Five toasts, each "z to undo", stacked over the EVENTS/USERS/ASSIGNEE columns."""
    app = make_app(confirm="never")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("j", "x")
        await settle(pilot)
        assert toasts(app) == []
        header = screen_text(app).splitlines()[0]
        assert "Resolved 1/1 issue · z to undo" in header
        assert "Bookmarked" not in header


async def test_a_new_sort_shows_its_first_rows(make_app) -> None:
    """After `s` the cursor kept its issue, so the list scrolled and hid the top rows."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press(*"j" * 40)
        assert screen.table.scroll_offset.y > 0
        await pilot.press("s")
        await settle(pilot)
        first = screen.feed.issues[screen.table.visible_keys()[0]]
        assert screen.table.scroll_offset.y == 0
        assert screen.table.cursor_index == 0
        assert first.short_id in screen_text(app).splitlines()[4]


async def test_a_live_issue_above_the_screen_is_announced_in_the_list(
    make_app, seeded_store, seeded_world
) -> None:
    from dexter_tui.demo.ingest import ingest_event
    from tests.conftest import SEED_NOW

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press(*"j" * 40)
        assert screen.table.scroll_offset.y > 0
        event = {
            "event_id": "a" * 32,
            "timestamp": SEED_NOW - 5,
            "level": "error",
            "exception": {"values": [{"type": "BrandNewError", "value": "first time"}]},
        }
        ingest_event(seeded_store, seeded_world.projects["billing-worker"].project_id, event)
        screen.poll()
        await settle(pilot)
        assert "↑ 1 new above (g: top)" in screen_text(app).splitlines()[1]
        await pilot.press("g")
        await settle(pilot)
        assert "new above" not in screen_text(app).splitlines()[1]


async def test_a_release_with_one_new_issue_says_issue(make_app) -> None:
    """The release detail read `1 new issues`."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        releases = app.screen
        counts = {row.key: row.data.new_issues for row in releases.table.rows()}
        key = next(k for k, n in counts.items() if n == 1)
        releases.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        context = screen_text(app).splitlines()[1]
        assert "· 1 new issue ·" in context
