"""Pilot tests of the Deadlocks view (`3`) and the deadlock report, on the seeded demo.

Expectations come from the demo API's own search and from the analyzer run on the same events,
never from hard-coded counts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
from textual.widgets import Static
from textual.worker import WorkerCancelled

from dexter_tui.sentry.errors import SentryError
from dexter_tui.services.deadlock import analyze
from dexter_tui.services.deadlock.sql import mask_literals
from dexter_tui.services.deadlocks_view import DeadlockQuery
from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen, sql_block
from dexter_tui.tui.screens.deadlocks import DeadlocksScreen
from dexter_tui.tui.widgets.lock_graph import LockGraph
from tests.tui.conftest import settle

SIZE = (120, 36)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deadlocks"


async def _api_issue_ids(server, world, query: str) -> set[str]:
    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {world.token}"}
    ) as http:
        response = await http.get(
            f"/api/0/organizations/{world.org_slug}/issues/",
            params={"query": query, "statsPeriod": "14d", "limit": 100},
        )
        response.raise_for_status()
        return {issue["id"] for issue in response.json()}


async def _api_events(server, world, issue_id: str) -> list[dict]:
    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {world.token}"}
    ) as http:
        response = await http.get(
            f"/api/0/organizations/{world.org_slug}/issues/{issue_id}/events/",
            params={"full": "true", "statsPeriod": "14d", "per_page": 100},
        )
        response.raise_for_status()
        return response.json()


async def _settle(pilot) -> None:
    """`settle`, also past a fetch the issue list cancelled (a project switch at start)."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await settle(pilot)


async def _open_view(pilot) -> DeadlocksScreen:
    await _settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DeadlocksScreen)
    return screen


def _text(widget) -> str:
    return str(widget.render())


async def test_view_finds_the_deadlock_issues_the_api_search_returns(
    make_app, seeded_server, seeded_world
) -> None:
    expected: set[str] = set()
    for query in DeadlockQuery().search_queries():
        expected |= await _api_issue_ids(seeded_server, seeded_world, query)
    assert expected, "the seed holds PostgreSQL deadlocks"

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        scan = screen.scan
        assert scan is not None
        found = {i.id for p in scan.patterns for i in p.issues}
        assert found == expected
        assert not scan.not_deadlocks
        # every pattern row is on screen; events add up to the events analyzed
        assert screen.table.row_count == len(scan.patterns)
        assert sum(p.event_count for p in scan.patterns) == scan.events_analyzed
        context = _text(screen.query_one("#context", Static))
        assert f"{len(scan.patterns)} patterns" in context
        assert f"{len(expected)} issues" in context


async def test_patterns_match_the_analyzer_on_the_api_events(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        scan = screen.scan
        assert scan is not None
        pattern = screen.selected_pattern()
        assert pattern is not None
        # the counts of one pattern, recomputed from the raw API events of its issues
        expected = 0
        for issue in pattern.issues:
            for raw in await _api_events(seeded_server, seeded_world, issue.id):
                if analyze(raw).fingerprint == pattern.fingerprint:
                    expected += 1
        assert pattern.event_count == expected
        shown = set(screen.issue_table.visible_keys())
        assert shown == {i.id for i in pattern.issues}
        # moving the cursor shows the next pattern's issues
        if len(scan.patterns) > 1:
            await pilot.press("j")
            await pilot.pause()
            other = screen.selected_pattern()
            assert other is not None
            assert other is not pattern
            assert set(screen.issue_table.visible_keys()) == {i.id for i in other.issues}


async def test_enter_opens_the_report_with_the_analyzers_cycle(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        pattern = screen.selected_pattern()
        assert pattern is not None
        await pilot.press("enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, DeadlockReportScreen)
        analysis = pattern.latest.analysis
        assert analysis.graph is not None
        graph = _text(report.query_one(LockGraph))
        for wait in analysis.graph.cycle_edges(analysis.graph.cycles[0]):
            assert f"pid {wait.pid}" in graph
            assert f"─{wait.mode} on {wait.target.object}" in graph
        assert analysis.cycle_text() in graph
        assert set(report.table.visible_keys()) == {str(pid) for pid in analysis.graph.nodes}
        title = _text(report.query_one("#title", Static))
        assert pattern.pattern in title
        assert pattern.latest.issue.short_id in title
        advice = _text(report.query_one("#advice", Static))
        assert analysis.advice is not None
        for rec in analysis.advice.recommendations:
            assert rec.title in advice
        await pilot.press("escape")
        assert app.screen is screen


async def test_enter_on_an_issue_opens_event_detail(make_app) -> None:
    app = make_app()
    if not hasattr(app, "open_issue"):
        pytest.skip("event detail (issue 5) is not wired into this app yet")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        issue = screen.issue_table.cursor_row.data
        screen.issue_table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "EventDetailScreen"
        assert app.screen.issue.id == issue.id
        await pilot.press("escape")
        await settle(pilot)


async def test_view_is_kept_between_visits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        scan = screen.scan
        await pilot.press("1")
        await settle(pilot)
        assert not isinstance(app.screen, DeadlocksScreen)
        await pilot.press("3")
        await settle(pilot)
        assert app.screen is screen
        assert screen.scan is scan  # same projects/period: no rescan
        await pilot.press("r")
        await settle(pilot)
        assert screen.scan is not scan


async def test_view_follows_the_issue_lists_period(make_app) -> None:
    """The scan uses the list's period (read from `ctx.list_query`) and rescans when it changes."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        assert screen.scan is not None
        assert screen.scan.query.period == app.issues_screen.feed.query.period
        await pilot.press("1")
        await _settle(pilot)
        await pilot.press("t")  # the list's next period
        await _settle(pilot)
        period = app.issues_screen.feed.query.period
        assert period != screen.scan.query.period
        await pilot.press("3")
        await _settle(pilot)
        assert app.screen is screen
        assert screen.scan.query.period == period


async def test_report_o_opens_the_issue_in_event_detail(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        pattern = screen.selected_pattern()
        issue = pattern.latest.issue
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeadlockReportScreen)
        await pilot.press("o")
        await _settle(pilot)
        assert type(app.screen).__name__ == "EventDetailScreen"
        assert app.screen.issue.id == issue.id


async def test_report_copies_the_blocking_query_and_masks_literals(make_app) -> None:
    text = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text()
    analysis = analyze(text)
    blocking = analysis.blocking_query()
    assert blocking
    copied: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        app.push_screen(DeadlockReportScreen(app.ctx, text))
        await settle(pilot)
        await pilot.press("c")
        assert copied == [blocking]
        assert app.screen.shown_sql == analysis.graph.nodes[analysis.report.victim_pid].query


async def test_masking_toggles_the_shown_queries(make_app) -> None:
    report_text = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text()
    report_text = report_text.replace("balance + $1 WHERE id = $2", "balance + 25 WHERE id = 7")
    analysis = analyze(report_text)
    blocking = analysis.blocking_query()
    assert blocking
    assert "25" in blocking
    copied: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        app.push_screen(DeadlockReportScreen(app.ctx, analysis))
        await settle(pilot)
        report = app.screen
        cell = report.table.rows()[0].get_cells()["query"].plain
        assert "25" in cell
        await pilot.press("m")
        masked_cell = report.table.rows()[0].get_cells()["query"].plain
        assert "25" not in masked_cell
        assert masked_cell == mask_literals(blocking)
        await pilot.press("c")
        assert copied == [mask_literals(blocking)]
        await pilot.press("m")
        assert "25" in report.table.rows()[0].get_cells()["query"].plain


async def test_y_copies_the_selected_process_query_and_bystanders_are_drawn(make_app) -> None:
    text = (FIXTURES / "D29_bystander_not_in_cycle" / "server_log.txt").read_text()
    analysis = analyze(text)
    assert analysis.graph is not None
    assert analysis.graph.bystanders
    copied: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        app.push_screen(DeadlockReportScreen(app.ctx, analysis))
        await settle(pilot)
        report = app.screen
        graph = _text(report.query_one(LockGraph))
        assert "Waiting outside the cycle" in graph
        for pid in analysis.graph.bystanders:
            for wait in analysis.graph.nodes[pid].waits:
                assert f"pid {pid} ─{wait.mode} on {wait.target.object}" in graph
        await pilot.press("j")
        second = report.table.cursor_row.data
        await pilot.press("y")
        if second.query:
            assert copied == [second.query]
            assert report.shown_sql == second.query
        else:
            assert copied == []


async def test_no_deadlocks_in_a_project_without_them(
    make_app, seeded_server, seeded_world
) -> None:
    project = str(seeded_world.projects["notifications"].project_id)
    searched: set[str] = set()
    async with httpx.AsyncClient(
        base_url=seeded_server.url, headers={"Authorization": f"Bearer {seeded_world.token}"}
    ) as http:
        for query in DeadlockQuery().search_queries():
            response = await http.get(
                f"/api/0/organizations/{seeded_world.org_slug}/issues/",
                params={"query": query, "statsPeriod": "14d", "project": project},
            )
            searched |= {i["id"] for i in response.json()}
    assert not searched
    app = make_app(project=["notifications"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_view(pilot)
        assert screen.scan is not None
        assert screen.scan.query.projects == (project,)
        assert screen.table.row_count == 0
        assert screen.has_class("empty")
        assert "No PostgreSQL deadlocks" in _text(screen.query_one("#empty", Static))


async def test_a_failed_scan_is_reported_and_r_retries(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    errors: list[BaseException | None] = []
    report_error = app.report_error
    app.report_error = lambda e: (errors.append(e), report_error(e))  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async with httpx.AsyncClient(
            base_url=seeded_server.url,
            headers={"Authorization": f"Bearer {seeded_world.token}"},
        ) as http:
            await http.post("/api/0/_demo/faults/", json={"malformed_json": 50})
            await pilot.press("3")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DeadlocksScreen)
            assert screen.scan is None
            assert screen.table.empty_text == "the scan failed · r to retry"
            assert len(errors) == 1  # the app's single error handler saw the failure
            assert isinstance(errors[0], SentryError)
            await http.post("/api/0/_demo/faults/", json={"clear": True})
        await pilot.press("r")
        await settle(pilot)
        assert screen.scan is not None
        assert screen.table.row_count == len(screen.scan.patterns) > 0


async def test_command_line_and_palette_reach_the_view(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Deadlocks" in titles
        app.run_command("deadlocks")
        await _settle(pilot)
        assert isinstance(app.screen, DeadlocksScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, DeadlocksScreen)


async def test_space_and_b_page_through_a_long_report(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_view(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        body = app.screen.query_one("#body")
        assert body.max_scroll_y > 0
        await pilot.press("space")
        await _settle(pilot)
        assert body.scroll_y > 0
        await pilot.press("b")
        await _settle(pilot)
        assert body.scroll_y == 0


async def test_untrusted_names_and_queries_are_shown_literally(make_app) -> None:
    # ESC c (terminal reset): colour codes (ESC [ ... m) are pasting noise the analyzer strips
    hostile = "[red]acc\x1bc"
    text = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text()
    text = text.replace('relation "accounts"', f'relation "{hostile}"')
    text = text.replace("UPDATE accounts", f'UPDATE "{hostile}"')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.push_screen(DeadlockReportScreen(app.ctx, text))
        await _settle(pilot)
        report = app.screen
        shown = "[red]acc␛c"
        assert shown in _text(report.query_one("#title", Static))
        assert shown in _text(report.query_one("#explanation", Static))
        cell = report.table.rows()[0].get_cells()["query"].plain
        assert shown in cell
        assert "\x1b" not in cell
        code = sql_block(report.shown_sql).code  # the pane below the table
        assert shown in code
        assert "\x1b" not in code


async def test_a_partial_report_says_so_and_names_no_victim(make_app) -> None:
    text = (FIXTURES / "D02_update_cycle_3" / "psycopg3.txt").read_text()
    body = text.split("----- str(e) -----\n", 1)[1].split("----- end str(e) -----", 1)[0]
    lines = body.splitlines()
    lost = next(i for i, line in enumerate(lines) if line.startswith("Process"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.push_screen(DeadlockReportScreen(app.ctx, "\n".join(lines[:lost] + lines[lost + 1 :])))
        await _settle(pilot)
        title = _text(app.screen.query_one("#title", Static))
        assert "victim unknown" in title
        assert "PARTIAL: 1 wait line missing (pid" in title
