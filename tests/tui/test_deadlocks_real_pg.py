"""The deadlock report on reports a real PostgreSQL 15 wrote (tests/fixtures/deadlocks/
pg15_session, captured by tests/services/deadlock/capture_pg_fixtures.py): snapshots, and the
process table's columns read off the screen at every width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dexter_tui.services.deadlock import Analysis, analyze, analyze_report, find_reports
from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
from tests.tui.conftest import settle

SESSION = Path(__file__).resolve().parent.parent / "fixtures" / "deadlocks" / "pg15_session"
VICTIMS: dict[str, int] = json.loads((SESSION / "session.json").read_text("utf-8"))["victims"]


def server_report(name: str) -> Analysis:
    """The server log's report of one provoked pattern (by its victim's pid)."""
    text = (SESSION / "server.log").read_text("utf-8")
    report = next(r for r in find_reports(text) if r.is_deadlock and r.victim_pid == VICTIMS[name])
    return analyze_report(report)


def table_lines(screen: DeadlockReportScreen) -> list[str]:
    """The process table as the terminal shows it, header first."""
    table = screen.table
    return [table.render_line(y).text for y in range(table.size.height)]


def column_starts(screen: DeadlockReportScreen) -> list[tuple[str, int]]:
    """(label, first cell) of each shown column, from the header line itself."""
    header = table_lines(screen)[0]
    out: list[tuple[str, int]] = []
    for label in ("PID", "ROLE", "WAITS FOR", "QUERY"):
        at = header.find(label)
        if at >= 0:
            out.append((label, at))
    return out


@pytest.mark.parametrize("width", [52, 60, 72, 80, 100, 120, 160])
async def test_process_table_keeps_a_gap_between_columns_at_every_width(
    make_app, width: int
) -> None:
    analysis = server_report("hot-row-queue")
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        app.push_screen(DeadlockReportScreen(app.ctx, analysis))
        await settle(pilot)
        lines = table_lines(app.screen)
        starts = column_starts(app.screen)
        # every column is on screen, the query too, at 52 columns and up
        assert [label for label, _ in starts] == ["PID", "ROLE", "WAITS FOR", "QUERY"]
        assert all(len(line) <= width for line in lines)
        victim = VICTIMS["hot-row-queue"]
        rows = lines[1:4]
        assert int(rows[0][: starts[1][1]].strip(" ▌")) == victim
        for row in rows:
            for label, at in starts[1:]:
                assert row[at - 1] == " ", f"no gap before {label} at width {width}: {row!r}"
            role = row[starts[1][1] : starts[2][1]]
            assert role.split()[0] in ("victim", "cycle")
            assert role.rstrip() != role  # `victim` never runs into the waits column
        waits = lines[1][starts[2][1] : starts[3][1]]
        assert waits.startswith("ExclusiveLock")
        query = lines[1][starts[3][1] :]
        assert query.startswith("UPDATE")


async def test_localized_report_from_the_server_log_reads_whole(make_app) -> None:
    """A German server's report (real PostgreSQL 15) in the report screen: the cycle in the
    graph, every query, the English advice."""
    analysis = server_report("row-swap.de")
    assert analysis.report.language == "de"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(DeadlockReportScreen(app.ctx, analysis))
        await settle(pilot)
        lines = table_lines(app.screen)
        assert all("UPDATE accounts SET balance" in line for line in lines[1:3])
        roles = [line.strip(" ▌").split()[1] for line in lines[1:3]]
        assert sorted(roles) == ["cycle", "victim"]


async def test_client_error_of_a_speculative_token_deadlock(make_app) -> None:
    """What the client saw: no queries (said so), the token wait in the table."""
    text = (SESSION / "speculative-token.client.txt").read_text("utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(DeadlockReportScreen(app.ctx, text))
        await settle(pilot)
        lines = table_lines(app.screen)
        assert any("ShareLock on speculative" in line for line in lines), lines
        assert all("(not in this report)" in line for line in lines[1:3])
        assert analyze(text).advice.pattern == "speculative-insertion"


WIDE = (120, 40)


def _report(name: str):
    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(DeadlockReportScreen(pilot.app.ctx, server_report(name)))
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


def test_snapshot_hot_row_queue_from_a_real_server_log(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_report("hot-row-queue"))


def test_snapshot_speculative_token_from_a_real_server_log(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_report("speculative-token"))
