"""Deadlocks provoked for real on PostgreSQL (Debian's package, clusters from .ci/postgres.sh),
analysed from the psycopg client error and from the server log in three log_line_prefix styles,
csvlog and jsonlog, in English, German, French and Spanish.

Skipped when no cluster is running, unless DEXTER_REQUIRE_POSTGRES=1 (CI sets it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from real_postgres import Outcome, provoke, require_clusters, scratch_database

from dexter_tui.services.deadlock import Analysis, analyze, analyze_report, find_reports

ACCOUNTS = [
    "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
    "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 3) g",
]


def upd(i: int) -> str:
    return f"UPDATE accounts SET balance = balance + 1 WHERE id = {i}"


#: name -> (setup, steps, expected pattern, a table the analysis must name)
PATTERNS: dict[str, tuple[list[str], list[tuple[str, str]], str, str]] = {
    "row-swap": (
        ACCOUNTS,
        [("a", upd(1)), ("b", upd(2)), ("a", upd(2)), ("b", upd(1))],
        "row-order-inversion",
        "accounts",
    ),
    "row-cycle-3": (
        ACCOUNTS,
        [("a", upd(1)), ("b", upd(2)), ("c", upd(3)), ("a", upd(2)), ("b", upd(3)),
         ("c", upd(1))],
        "row-order-inversion",
        "accounts",
    ),
    "advisory": (
        [],
        [("a", "SELECT pg_advisory_xact_lock(1)"), ("b", "SELECT pg_advisory_xact_lock(2)"),
         ("a", "SELECT pg_advisory_xact_lock(2)"), ("b", "SELECT pg_advisory_xact_lock(1)")],
        "advisory-key-order",
        "",
    ),
    "table-lock-upgrade": (
        ["CREATE TABLE ledger (id serial PRIMARY KEY, amount int)"],
        [("a", "LOCK TABLE ledger IN SHARE MODE"), ("b", "LOCK TABLE ledger IN SHARE MODE"),
         ("a", "INSERT INTO ledger (amount) VALUES (1)"),
         ("b", "INSERT INTO ledger (amount) VALUES (2)")],
        "lock-upgrade",
        "ledger",
    ),
    "fk-check": (
        ["CREATE TABLE parent (id int PRIMARY KEY)",
         "CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent)",
         "INSERT INTO parent VALUES (1), (2)"],
        [("a", "UPDATE parent SET id = 11 WHERE id = 1"),
         ("b", "UPDATE parent SET id = 12 WHERE id = 2"),
         ("a", "INSERT INTO child (parent_id) VALUES (2)"),
         ("b", "INSERT INTO child (parent_id) VALUES (1)")],
        "fk-parent-child",
        "parent",
    ),
    "plpgsql": (
        [*ACCOUNTS,
         "CREATE FUNCTION bump(k int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
         "UPDATE accounts SET balance = balance + 1 WHERE id = k; END $$"],
        [("a", "SELECT bump(1)"), ("b", "SELECT bump(2)"), ("a", "SELECT bump(2)"),
         ("b", "SELECT bump(1)")],
        "function-internal",
        "accounts",
    ),
    "ddl-vs-select": (
        ["CREATE TABLE products (id int)", "CREATE TABLE prices (id int)"],
        [("a", "ALTER TABLE products ADD COLUMN note text"), ("b", "SELECT * FROM prices"),
         ("a", "ALTER TABLE prices ADD COLUMN note text"), ("b", "SELECT * FROM products")],
        "ddl-vs-dml",
        "products",
    ),
    "unique-insert": (
        ["CREATE TABLE tokens (k int PRIMARY KEY)"],
        [("a", "INSERT INTO tokens VALUES (1)"), ("b", "INSERT INTO tokens VALUES (2)"),
         ("a", "INSERT INTO tokens VALUES (2)"), ("b", "INSERT INTO tokens VALUES (1)")],
        "unique-constraint",
        "tokens",
    ),
    "index-build": (
        ["CREATE TABLE events (id int, kind text)", "INSERT INTO events VALUES (1, 'x')"],
        [("a", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
         ("a", "SELECT count(*) FROM events"),
         ("auto_b", "CREATE INDEX CONCURRENTLY events_kind ON events (kind)"),
         ("a", "ANALYZE events")],
        "index-build",
        "events",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def clusters() -> dict[str, Any]:
    return require_clusters()


def run(
    clusters: dict[str, Any], pattern: str, cluster_index: int = 0, lang: str = "en"
) -> tuple[Outcome, dict[str, Any]]:
    cluster = clusters["clusters"][cluster_index]
    setup, steps, _, _ = PATTERNS[pattern]
    locale = clusters["locales"][lang]
    with scratch_database(cluster) as db:
        return provoke(cluster, db, setup, steps, lang=locale), cluster


def own_report(text: str, victim: int) -> Analysis:
    """This test's deadlock among whatever the shared log holds."""
    mine = [r for r in find_reports(text) if r.is_deadlock and r.victim_pid == victim]
    assert mine, f"no deadlock with victim {victim} in:\n{text[-3000:]}"
    return analyze_report(mine[0])


def assert_whole(
    analysis: Analysis, outcome: Outcome, pattern: str, *, tables: bool = True
) -> None:
    _, steps, expected, table = PATTERNS[pattern]
    cycle_sessions = {name for name, _ in steps}
    assert analysis.is_deadlock
    assert analysis.report.partial == []
    assert analysis.report.victim_pid == outcome.victim_pid
    assert len(analysis.graph.cycles) == 1
    assert set(analysis.graph.cycles[0]) == {outcome.pids[s] for s in cycle_sessions}
    assert analysis.graph.cycles[0][0] == outcome.victim_pid
    assert analysis.graph.bystanders == []
    if table and tables:
        assert table in analysis.advice.relations
    assert expected  # the server-log side asserts the pattern


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_pattern_from_client_error_and_every_log_format(
    clusters: dict[str, Any], pattern: str
) -> None:
    outcome, _ = run(clusters, pattern)
    expected = PATTERNS[pattern][2]
    client = analyze(str(outcome.error))
    # the client error names tables only through CONTEXT, or as OIDs (with catalog hints)
    context = client.report.context or ""
    assert_whole(client, outcome, pattern, tables=bool(context) and "index tuple" not in context)
    assert client.report.source == "client"
    for name, text in (
        ("stderr", outcome.stderr_log),
        ("csvlog", outcome.csv_log),
        ("jsonlog", outcome.json_log),
    ):
        analysis = own_report(text, outcome.victim_pid)
        assert_whole(analysis, outcome, pattern)
        assert analysis.advice.pattern == expected, name
        # the server's DETAIL names every process's query
        assert all(node.query for node in analysis.graph.nodes.values()), name
        assert (
            analysis.fingerprint == own_report(outcome.stderr_log, outcome.victim_pid).fingerprint
        )


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
@pytest.mark.parametrize("cluster_index", [0, 1, 2], ids=["default", "rds", "bare"])
def test_localized_server_with_each_log_line_prefix(
    clusters: dict[str, Any], lang: str, cluster_index: int
) -> None:
    outcome, cluster = run(clusters, "row-swap", cluster_index, lang)
    client = analyze(str(outcome.error))
    assert client.report.language == lang
    assert_whole(client, outcome, "row-swap")
    assert client.advice.pattern == "row-order-inversion"
    for text in (outcome.stderr_log, outcome.csv_log, outcome.json_log):
        analysis = own_report(text, outcome.victim_pid)
        assert analysis.report.language == lang
        assert_whole(analysis, outcome, "row-swap")
        assert analysis.advice.pattern == "row-order-inversion"
        assert analysis.advice.relations == ["accounts"]
    assert re.search("^" + LINE_STARTS[cluster["name"]], outcome.stderr_log, re.M)


#: how each cluster's log_line_prefix starts a line
LINE_STARTS = {
    "stderr-default": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] postgres@dl_",
    "stderr-rds": (
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+:127\.0\.0\.1\(\d+\):postgres@dl_\w+:\[\d+\]:"
    ),
    "stderr-bare": r"[A-Z]+:  ",
}


def test_real_log_summary_groups_and_lists_lock_waits(clusters: dict[str, Any]) -> None:
    import time
    from pathlib import Path

    from dexter_tui.services.deadlock.summary import summarize_log

    first, cluster = run(clusters, "row-cycle-3")
    second, _ = run(clusters, "row-cycle-3")
    # same pattern, other pids and database: one fingerprint
    fp = {own_report(o.stderr_log, o.victim_pid).fingerprint for o in (first, second)}
    assert len(fp) == 1
    # the survivors' lock-wait lines are logged after the deadlock: read the whole log, and
    # wait for them (the log collector writes asynchronously)
    deadline = time.monotonic() + 15
    while True:
        summary = summarize_log(Path(cluster["log"]).read_text("utf-8", errors="replace"))
        waited = {w.pid for w in summary.lock_waits}
        found = [any(p in waited for p in o.pids.values()) for o in (first, second)]
        if all(found) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert all(found)
    group = next(g for g in summary.groups if g.fingerprint in fp)
    assert group.count >= 2
    assert group.example.advice.pattern == "row-order-inversion"
