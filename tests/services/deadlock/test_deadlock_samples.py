"""Every real sample, in every form it provides, against what actually happened (case.json)."""

from __future__ import annotations

import pytest
from deadlock_samples import (
    LOCK_KINDS,
    Form,
    case_dirs,
    english_object,
    forms,
    run_truth,
)

from dexter_tui.services.deadlock import analyze

DEADLOCK_FORMS = [f for c in case_dirs("D") for f in forms(c.name)]
LOOKALIKE_FORMS = [f for c in case_dirs("L") for f in forms(c.name)]
SERVER_KINDS = {"server-log", "csvlog", "jsonlog"}

#: the pattern each case really is (classified from server logs, which name every query)
PATTERNS = {
    "D01_update_swap_2": "row-order-inversion",
    "D02_update_cycle_3": "row-order-inversion",
    "D03_update_cycle_4": "row-order-inversion",
    "D05_for_share_upgrade_multixact": "lock-upgrade",
    # C queues behind B for row 1 (the tuple lock) while holding row 3: a hot-row queue
    "D07_tuple_lock_chain_3": "hot-row-queue",
    "D08_lock_table_share_upgrade": "lock-upgrade",
    "D10_ddl_alter_vs_select": "ddl-vs-dml",
    "D14_advisory_session_swap": "advisory-key-order",
    "D17_fk_insert_vs_parent_key_update": "fk-parent-child",
    "D19_plpgsql_transfer_function": "function-internal",
    "D22_long_multiline_queries": "row-order-inversion",
    "D27_cic_virtual_transaction": "index-build",
    "D29_bystander_not_in_cycle": "row-order-inversion",
    "D31_localized_de": "row-order-inversion",
    "D35_sqlalchemy_core": "row-order-inversion",
}
#: D05 from the client side alone: only the victim's row is known, which reads as an inversion
CLIENT_PATTERNS = {"D05_for_share_upgrade_multixact": "row-order-inversion"}


def _ids(items: list[Form]) -> list[str]:
    return [f.id for f in items]


def _tables(truth: dict) -> set[str]:
    return {r["name"] for r in truth["relations"] if r.get("relkind") == "r"}


@pytest.mark.parametrize("form", DEADLOCK_FORMS, ids=_ids(DEADLOCK_FORMS))
def test_cycle_and_waits_match_what_happened(form: Form) -> None:
    truth = run_truth(form.case, form.run)["deadlock"]
    analysis = analyze(form.data)
    result = analysis.to_json()
    assert result["is_deadlock"] is True
    assert result["sqlstate"] == "40P01"
    assert result["cycles"] == [truth["cycle_pids"]]
    reported = list(analysis.report.waits)
    assert len(reported) == len(truth["edges"])
    for wait, edge in zip(reported, truth["edges"], strict=True):
        assert wait.pid == edge["pid"]
        assert wait.blocked_by == edge["blocked_by"]
        assert wait.mode == edge["mode"]
        assert wait.target.locktype == LOCK_KINDS[edge["lock_kind"]]
        assert wait.target.object == english_object(edge["object"])
        assert wait.target.original == edge["object"]
    assert result["waits"][: len(reported)] == [w.to_json() for w in reported]
    assert analysis.report.victim_pid == truth["victim_pid"]


@pytest.mark.parametrize("form", DEADLOCK_FORMS, ids=_ids(DEADLOCK_FORMS))
def test_relations_pattern_and_queries(form: Form) -> None:
    truth = run_truth(form.case, form.run)
    analysis = analyze(form.data)
    result = analysis.to_json()
    tables = _tables(truth)
    if form.kind in SERVER_KINDS:
        assert set(result["relations"]) == tables
        assert result["pattern"] == PATTERNS[form.case]
        for pid in truth["deadlock"]["cycle_pids"]:
            assert analysis.graph.nodes[pid].query, f"no query for pid {pid}"
        by_oid = {r["oid"]: r["name"] for r in truth["relations"] if r.get("oid")}
        for wait in analysis.report.waits:
            oid = wait.target.relation_oid
            if oid is not None:
                assert analysis.advice.relation_names.get(oid) == by_oid[oid]
    else:
        assert set(result["relations"]) <= tables
        if truth["deadlock"].get("client_context"):
            assert result["relations"], "CONTEXT names the table"
        assert result["pattern"] == CLIENT_PATTERNS.get(form.case, PATTERNS[form.case])
    ids = [r["id"] for r in result["recommendations"]]
    assert "retry-40p01" in ids
    assert len(ids) == len(set(ids))
    assert result["severity"] in ("medium", "high", "critical")


@pytest.mark.parametrize("form", LOOKALIKE_FORMS, ids=_ids(LOOKALIKE_FORMS))
def test_lookalikes_are_not_deadlocks(form: Form) -> None:
    result = analyze(form.data).to_json()
    # L10's server log and its first (swallowed) exception really hold the deadlock
    holds_deadlock = form.case.startswith("L10") and (
        form.kind in SERVER_KINDS
        or form.kind in ("client-file", "client-str", "client-pgerror", "diag")
    )
    assert result["is_deadlock"] is holds_deadlock
    if not holds_deadlock:
        assert result["sqlstate"] is None
        assert result["cycles"] == []
        assert result["waits"] == []
        assert result["pattern"] == "none"


@pytest.mark.parametrize(
    ("case", "kind", "expected"),
    [
        ("L05_lock_timeout", "event-sdk", "lock-timeout"),
        ("L05_lock_timeout", "server-log", "lock-timeout"),
        ("L06_serialization_failure_rr", "client-str", "serialization-failure"),
        ("L06_serialization_failure_rr", "event-api", "serialization-failure"),
        ("L10_in_failed_transaction_after_deadlock", "event-sdk", "in-failed-transaction"),
        ("L10_in_failed_transaction_after_deadlock", "client-str#1", "in-failed-transaction"),
    ],
)
def test_lookalikes_are_named(case: str, kind: str, expected: str) -> None:
    form = next(f for f in forms(case) if f.kind == kind)
    analysis = analyze(form.data)
    assert analysis.report is not None
    assert analysis.report.lookalike == expected
    assert analysis.to_json()["recommendations"][0]["id"].startswith("not-")


def test_zero_division_has_no_report() -> None:
    form = next(f for f in forms("L01_zero_division") if f.kind == "event-sdk")
    analysis = analyze(form.data)
    assert analysis.report is None
    assert analysis.to_json()["is_deadlock"] is False


def test_bystander_waits_outside_the_cycle() -> None:
    for form in forms("D29_bystander_not_in_cycle"):
        if form.kind not in SERVER_KINDS:
            continue
        truth = run_truth(form.case, form.run)
        pids = {s["name"]: s["pid"] for s in truth["sessions"]}
        analysis = analyze(form.data)
        assert analysis.graph.bystanders == [pids["C"]]
        wait = analysis.graph.nodes[pids["C"]].waits[0]
        assert (wait.blocked_by, wait.mode, wait.target.locktype) == (
            pids["A"],
            "ShareLock",
            "transactionid",
        )
        assert not wait.in_report
        assert pids["C"] in [p["pid"] for p in analysis.to_json()["processes"]]
        assert analysis.to_json()["cycles"] == [truth["deadlock"]["cycle_pids"]]


def test_long_multiline_queries_keep_their_lines_and_are_marked_truncated() -> None:
    form = next(f for f in forms("D22_long_multiline_queries") if f.kind == "server-log")
    analysis = analyze(form.data)
    for proc in analysis.report.processes.values():
        assert proc.query is not None
        assert proc.query.startswith("/* app='ledger-service'")
        assert "\nUPDATE accounts\n" in proc.query
        assert proc.truncated
    assert analysis.to_json()["relations"] == ["accounts"]


def test_line_marker_names_the_relation_the_victim_waited_for() -> None:
    form = next(f for f in forms("D10_ddl_alter_vs_select") if f.kind == "client-str")
    analysis = analyze(form.data)
    victim_wait = analysis.report.waits[0]
    assert analysis.advice.relation_names[victim_wait.target.relation_oid] == "products"
    assert analysis.report.position.startswith("LINE 1: SELECT id, name FROM products")


def test_fingerprint_groups_runs_of_the_same_deadlock() -> None:
    prints: dict[str, set[str]] = {}
    for case in case_dirs("D"):
        for form in forms(case.name):
            if form.kind == "server-log":
                prints.setdefault(case.name, set()).add(analyze(form.data).advice.fingerprint)
    for case, found in prints.items():
        assert len(found) == 1, case  # pids, xids and OIDs differ between the runs
    assert prints["D01_update_swap_2"] != prints["D10_ddl_alter_vs_select"]
    assert prints["D01_update_swap_2"] != prints["D02_update_cycle_3"]


def test_sqlalchemy_wrapper_gives_the_client_statement() -> None:
    form = next(f for f in forms("D35_sqlalchemy_core") if f.kind == "client-str")
    report = analyze(form.data).report
    assert report.error_class == "psycopg.errors.DeadlockDetected"
    assert report.client_statement.startswith("UPDATE accounts SET balance")
    assert report.client_params == "{'amount': 10, 'id': 1}"
    assert report.processes[report.victim_pid].query == report.client_statement


def test_logged_message_event_without_exception() -> None:
    form = next(f for f in forms("D08_lock_table_share_upgrade") if f.kind == "event-sdk")
    assert "exception" not in form.data
    result = analyze(form.data).to_json()
    assert result["is_deadlock"]
    assert result["relations"] == ["ledger"]


def test_enriched_event_query_from_extra() -> None:
    form = next(f for f in forms("D14_advisory_session_swap") if f.kind == "event-sdk")
    analysis = analyze(form.data)
    victim = analysis.report.processes[analysis.report.victim_pid]
    assert victim.query == "SELECT pg_advisory_lock(%s)"
    assert victim.query_source == "client"


def test_german_report_is_read_with_postgres_translations() -> None:
    for form in forms("D31_localized_de"):
        analysis = analyze(form.data)
        assert analysis.report.language == "de", form.id
        assert analysis.to_json()["relations"] == ["accounts"]


def test_event_fingerprints_agree_across_runs_and_shapes() -> None:
    for case in case_dirs("D"):
        found = {
            analyze(f.data).fingerprint
            for f in forms(case.name)
            if f.kind in ("event-sdk", "event-api")
        }
        assert len(found) == 1, case.name
