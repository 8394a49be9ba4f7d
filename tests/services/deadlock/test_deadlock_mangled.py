"""Real reports mangled the ways they reach an engineer (Slack, GitHub, mail, pagers, compose,
kubectl, journald, Java/Elixir/Go/Node drivers). Each test asserts either the exact wait edges
of the real run, or an honest `partial` that claims nothing wrong: no invented edge, no
bystander from a lost line, no guessed victim, a fingerprint of its own."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from deadlock_samples import FIXTURES, case_json, exception_blocks

from dexter_tui.services.deadlock import analyze

Edge = tuple[int, str, str, int]


def truth(case: str) -> tuple[list[Edge], int]:
    dl = case_json(case)["runs"]["psycopg3"]["deadlock"]
    edges = [(e["pid"], e["mode"], e["object"], e["blocked_by"]) for e in dl["edges"]]
    return edges, dl["victim_pid"]


def client(case: str) -> str:
    return exception_blocks((FIXTURES / case / "psycopg3.txt").read_text("utf-8"))[0]["str"]


def server_log(case: str) -> str:
    return (FIXTURES / case / "server_log.txt").read_text("utf-8")


def edges_of(analysis) -> list[Edge]:
    return [(w.pid, w.mode, w.target.object, w.blocked_by) for w in analysis.report.waits]


def assert_exact(analysis, case: str) -> None:
    edges, victim = truth(case)
    assert analysis.is_deadlock
    assert edges_of(analysis) == edges
    assert analysis.report.partial == []
    assert analysis.report.victim_pid == victim
    assert analysis.graph.cycles == [[e[0] for e in edges]]


def assert_honest(analysis, case: str) -> None:
    """Partial, and nothing claimed that the real run contradicts."""
    edges, victim = truth(case)
    assert analysis.is_deadlock
    assert analysis.report.partial, "a mangled report must say it is partial"
    assert set(edges_of(analysis)) <= set(edges)
    assert analysis.report.victim_pid in (victim, None)
    assert analysis.graph.bystanders == []
    assert analysis.to_json()["partial"] is True


D01, D02, D22 = "D01_update_swap_2", "D02_update_cycle_3", "D22_long_multiline_queries"


def test_space_indented_process_lines_keep_their_queries() -> None:
    text = server_log(D22).replace("\t", "        ")
    analysis = analyze(text)
    assert_exact(analysis, D22)
    queries = [p["query"] for p in analysis.to_json()["processes"]]
    assert all(q and "WHERE" in q for q in queries)
    clean = analyze(server_log(D22)).to_json()["processes"]
    assert [q.split() for q in queries] == [p["query"].split() for p in clean]


def test_pgjdbc_labels_in_a_java_stack_trace() -> None:
    body = client(D01).split("\n")
    detail = [ln for ln in body if ln.startswith(("DETAIL:", "Process"))]
    text = (
        "Caused by: org.postgresql.util.PSQLException: ERROR: deadlock detected\n"
        f"  Detail: {detail[0].removeprefix('DETAIL:  ')}\n"
        + "\n".join(detail[1:])
        + "\n  Hint: See server log for query details.\n"
        '  Where: while updating tuple (0,1) in relation "accounts"\n'
        "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse"
        "(QueryExecutorImpl.java:2725)\n"
        "\t... 66 common frames omitted\n"
    )
    analysis = analyze(text)
    assert_exact(analysis, D01)
    assert analysis.report.context == 'while updating tuple (0,1) in relation "accounts"'
    assert analysis.report.driver == "pgjdbc"
    assert "accounts" in analysis.advice.relations


@pytest.mark.parametrize("case", [D01, D02])
def test_report_flattened_onto_one_line(case: str) -> None:
    flat = " ".join(ln.strip() for ln in client(case).splitlines())
    analysis = analyze(f"(psycopg2.errors.DeadlockDetected) {flat}")
    assert_exact(analysis, case)
    assert analysis.report.hint == "See server log for query details."


def test_server_log_flattened_with_queries() -> None:
    log = server_log(D01)
    start = log.index("ERROR:  deadlock detected")
    block = log[start : log.index("HINT:", start)]
    flat = re.sub(r"\s*\n\s*(?:\S+ \S+ UTC \[\d+\] app@shop )?", " ", block)
    analysis = analyze(flat)
    assert_exact(analysis, D01)
    queries = {p["pid"]: p["query"] for p in analysis.to_json()["processes"]}
    assert set(queries.values()) == {"UPDATE accounts SET balance = balance + $1 WHERE id = $2"}


def _postgrex(case: str) -> str:
    detail = client(case).split("DETAIL:  ", 1)[1].split("\nHINT:", 1)[0]
    return (
        "2023-09-01T05:54:46.740 application=indexer [error] failed to insert: "
        "%Postgrex.Error{connection_id: 22574, message: nil, postgres: %{code: "
        f':deadlock_detected, detail: {json.dumps(detail)}, file: "deadlock.c", hint: '
        '"See server log for query details.", line: "1147", message: "deadlock detected", '
        'pg_code: "40P01", routine: "DeadLockReport", severity: "ERROR", where: '
        '"while updating tuple (0,1) in relation \\"accounts\\""}, query: nil}'
    )


def test_postgrex_struct_with_escaped_detail() -> None:
    analysis = analyze(_postgrex(D02))
    assert_exact(analysis, D02)
    assert analysis.report.driver == "postgrex"
    assert analysis.report.context == 'while updating tuple (0,1) in relation "accounts"'


def test_ecto_prints_wait_lines_without_a_label() -> None:
    waits = [ln for ln in client(D02).splitlines() if "waits for" in ln]
    waits[0] = waits[0].removeprefix("DETAIL:  ")
    text = (
        "2023-09-01T05:54:46.740 application=indexer [error] ** (Postgrex.Error) ERROR 40P01 "
        "(deadlock_detected) deadlock detected" + " " * 40 + "\n\n"
        "    hint: See server log for query details."
        + " " * 30
        + "\n\n"
        + "\n".join(w + " " * 20 for w in waits)
        + "\n    (ecto_sql 3.9.2) lib/ecto/adapters/sql.ex:913: "
        "Ecto.Adapters.SQL.raise_sql_call_error/1\n"
    )
    analysis = analyze(text)
    assert_exact(analysis, D02)
    assert analysis.report.sqlstate == "40P01"


def test_pgx_struct_dump() -> None:
    detail = client(D01).split("DETAIL:  ", 1)[1].split("\nHINT:", 1)[0]
    text = (
        'level=error msg="update failed" err="&pgconn.PgError{Severity:\\"ERROR\\", '
        'Code:\\"40P01\\", Message:\\"deadlock detected\\", Detail:\\"'
        + detail.replace("\n", "\\\\n")
        + '\\", Hint:\\"See server log for query details.\\", Position:0}"'
    )
    analysis = analyze(text)
    assert edges_of(analysis) == truth(D01)[0]
    assert analysis.report.partial == []


def test_pgx_error_string_has_no_detail_and_says_so() -> None:
    a = analyze("ERROR: deadlock detected (SQLSTATE 40P01)")
    b = analyze("update orders: ERROR: deadlock detected (SQLSTATE 40P01)")
    assert a.is_deadlock
    assert a.report.waits == []
    assert a.report.partial == ["no wait lines in the report (DETAIL missing or cut off)"]
    assert a.report.victim_pid is None
    assert a.fingerprint
    assert b.fingerprint
    assert a.fingerprint != b.fingerprint
    assert a.report.driver == "pgx"


def test_node_postgres_inspect_output() -> None:
    waits = [ln.removeprefix("DETAIL:  ") for ln in client(D01).splitlines() if "waits for" in ln]
    text = (
        "error: deadlock detected\n"
        "    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:287:98) {\n"
        "  length: 318,\n  severity: 'ERROR',\n  code: '40P01',\n"
        f"  detail: '{waits[0]}\\n' +\n    '{waits[1]}',\n"
        "  hint: 'See server log for query details.',\n  position: undefined,\n"
        "  where: 'while updating tuple (0,1) in relation \"accounts\"',\n"
        "  routine: 'DeadLockReport'\n}\n"
    )
    analysis = analyze(text)
    assert_exact(analysis, D01)
    assert analysis.report.driver == "node-postgres"


def test_compose_prefixes_and_interleaved_services() -> None:
    lines = []
    for i, line in enumerate(server_log(D02).splitlines()):
        lines.append(f"db-1      | {line}")
        if i % 3 == 0:
            lines.append(f"web-1     | 10.0.0.7 - - GET /api/orders/{i} 200")
    analysis = analyze("\n".join(lines))
    assert_exact(analysis, D02)
    assert all(p["query"] for p in analysis.to_json()["processes"])


def test_mail_quoting_and_rewrapping() -> None:
    wrapped = []
    for line in client(D02).splitlines():
        wrapped.extend(textwrap.wrap(line, 52) or [""])
    analysis = analyze("\n".join("> " + ln for ln in wrapped))
    assert_exact(analysis, D02)
    assert "unwrap" in analysis.report.normalized


def test_kubectl_prefix_and_timestamps() -> None:
    text = "\n".join(
        f"[pod/pg-0/postgres] 2026-11-27T12:12:51.810123456Z {line}"
        for line in server_log(D01).splitlines()
    )
    assert_exact(analyze(text), D01)


def test_journald_without_sequence_numbers() -> None:
    lines = []
    for line in server_log(D01).splitlines():
        body = "#011" + line[1:] if line.startswith("\t") else line
        lines.append(f"Nov 27 12:12:51 db postgres[24025]: {body}")
    assert_exact(analyze("\n".join(lines)), D01)


def test_rust_gutter() -> None:
    text = "\n".join(f"   | {line}" for line in client(D02).splitlines())
    assert_exact(analyze("error: database error\n" + text), D02)


def test_html_with_br_and_entities() -> None:
    body = client(D01).replace('"', "&quot;").replace("\n", "<br>")
    analysis = analyze(f"<p><code>{body}</code></p>")
    assert_exact(analysis, D01)
    assert analysis.report.context == 'while updating tuple (0,1) in relation "accounts"'


def test_markdown_fence_and_indentation() -> None:
    body = textwrap.indent(client(D02), "    ")
    assert_exact(analyze(f"We got this:\n\n```sql\n{body}\n```\nany idea?"), D02)


def test_ansi_colours_real_and_caret_notation() -> None:
    body = "\n".join(
        f"\x1b[36mweb_1    |\x1b[0m {ln}" if i % 2 else f"^[[36mweb_1    |^[[0m {ln}"
        for i, ln in enumerate(client(D01).splitlines())
    )
    assert_exact(analyze(body), D01)


def test_repr_string_in_a_log_line() -> None:
    text = f"Task raised unexpected: DeadlockDetected({client(D02)!r})"
    assert_exact(analyze(text), D02)


def test_any_label_case_and_spacing() -> None:
    text = client(D01).replace("DETAIL:  ", "detail: ").replace("CONTEXT:  ", "Context:")
    analysis = analyze(text)
    assert_exact(analysis, D01)
    assert analysis.report.context == 'while updating tuple (0,1) in relation "accounts"'


def test_localized_report_flattened_and_quoted() -> None:
    case = "D31_localized_de"
    flat = " ".join(ln.strip() for ln in client(case).splitlines())
    analysis = analyze("> " + flat)
    edges, victim = truth(case)
    assert [(w.pid, w.blocked_by) for w in analysis.report.waits] == [(e[0], e[3]) for e in edges]
    assert analysis.report.victim_pid == victim


def test_wait_sentences_in_prose_are_found_but_partial() -> None:
    waits = [ln.removeprefix("DETAIL:  ") for ln in client(D01).splitlines() if "waits for" in ln]
    text = f"Hi team, prod paged again: {waits[0]} and then {waits[1]} Any idea?"
    analysis = analyze(text)
    assert edges_of(analysis) == truth(D01)[0]
    assert analysis.report.partial[0].startswith("no report structure")
    assert analysis.report.victim_pid is None


def test_lost_middle_line_is_a_gap_not_a_bystander() -> None:
    lines = client(D02).splitlines()
    lost = next(i for i, ln in enumerate(lines) if ln.startswith("Process"))
    mangled = "\n".join(lines[:lost] + lines[lost + 1 :])
    analysis = analyze(mangled)
    assert_honest(analysis, D02)
    assert analysis.report.partial == [
        f"1 wait line missing (pid {truth(D02)[0][1][0]} waits for ?)"
    ]
    assert analysis.graph.gaps
    whole = analyze(client(D02))
    assert analysis.advice.severity == whole.advice.severity
    assert analysis.fingerprint != whole.fingerprint


def test_lost_first_line_names_no_victim() -> None:
    lines = client(D01).splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("DETAIL:"))
    mangled = "\n".join([*lines[:first], "DETAIL:  " + lines[first + 1], *lines[first + 2 :]])
    analysis = analyze(mangled)
    assert_honest(analysis, D01)
    assert analysis.report.victim_pid is None
    assert "victim: unknown" in analysis.render_text()


def test_pager_cut_wait_line_is_unreadable_not_guessed() -> None:
    lines = client(D02).splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("Process"))
    lines[i] = lines[i][:48]
    analysis = analyze("\n".join(lines))
    assert_honest(analysis, D02)
    assert "1 wait line unreadable" in analysis.report.partial


def test_partial_reports_do_not_share_a_fingerprint() -> None:
    a = analyze("deadlock detected\nDETAIL:  Process 7 waits for ShareLock on transaction 9")
    b = analyze("deadlock detected\nDETAIL:  Process 8 waits for ShareLock on transaction 3")
    assert a.report.partial
    assert b.report.partial
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint != analyze(client(D01)).fingerprint


def test_timestamp_glued_to_the_severity() -> None:
    log = server_log(D01)
    glued = re.sub(r"^(\S+ \S+) UTC \[\d+\] app@shop ", r"\1 EEST", log, flags=re.M)
    analysis = analyze(glued)
    assert edges_of(analysis) == truth(D01)[0]
    assert analysis.report.partial == []


def test_unrelated_lock_waits_in_a_busy_log_are_not_bystanders() -> None:
    log = server_log("D29_bystander_not_in_cycle")
    other = (
        "2026-11-27 12:15:22.100 UTC [999] app@shop LOG:  process 999 still waiting for "
        "ShareLock on transaction 5 after 200.000 ms\n"
        "2026-11-27 12:15:22.100 UTC [999] app@shop DETAIL:  Process holding the lock: 998. "
        "Wait queue: 999.\n"
    )
    analysis = analyze(other + log)
    assert 999 not in analysis.graph.nodes
    assert analysis.graph.bystanders == analyze(log).graph.bystanders != []


def test_dbd_pg_statement_appended_to_context() -> None:
    body = client(D01).replace(
        'relation "accounts"',
        'relation "accounts" [for Statement "UPDATE accounts SET balance = ? WHERE id = ?" '
        "with ParamValues: 1='0', 2='1'] at /srv/app/bin/worker line 173",
    )
    text = "DBIx::Class::Storage::DBI::_dbh_execute(): DBI Exception: DBD::Pg::st execute failed: "
    analysis = analyze(text + "ERROR:  " + body)
    assert_exact(analysis, D01)
    assert analysis.report.driver == "dbd-pg"
    assert analysis.advice.relations == ["accounts"]


def test_vertx_one_line_with_a_single_wait_is_partial() -> None:
    first = next(ln for ln in client(D01).splitlines() if ln.startswith("DETAIL:"))
    text = (
        "error=io.vertx.pgclient.PgException: deadlock detected)) with PgException code: 40P01, "
        f"severity: ERROR and detail: {first.removeprefix('DETAIL:  ')}"
    )
    analysis = analyze(text)
    assert_honest(analysis, D01)
    assert analysis.report.driver == "vertx-pg-client"
