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

from dexter_tui.services.deadlock import analyze, find_reports

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


# -- every mangling of "What goes wrong today", on every report a real PostgreSQL 15 wrote ------

SESSION = FIXTURES / "pg15_session"
SESSION_VICTIMS: dict[str, int] = json.loads((SESSION / "session.json").read_text("utf-8"))[
    "victims"
]


def _session_client(name: str) -> str:
    return (SESSION / f"{name}.client.txt").read_text("utf-8").rstrip("\n")


def _label(line: str, label: str) -> tuple[str, str] | None:
    """(label, rest) when `line` starts with a report label (any language: the word before
    the two spaces)."""
    m = re.match(r"^([A-ZÄÖÜÉ]+):  (.*)$", line)
    return (m.group(1), m.group(2)) if m and (not label or m.group(1) == label) else None


def _waits(text: str) -> list[str]:
    """The DETAIL's wait lines, without the label."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        found = _label(line, "DETAIL")
        if found:
            out.append(found[1])
            out += [ln for ln in lines[i + 1 :] if not _label(ln, "")]
            break
    return out


def _context(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        found = _label(line, "CONTEXT")
        if found:
            return "\n".join([found[1], *lines[i + 1 :]])
    return ""


def m_spaces(t: str) -> str:  # GitHub/Slack/journald: continuation lines indented with spaces
    return "\n".join(("    " + ln if ln.startswith("Process") else ln) for ln in t.splitlines())


def m_pgjdbc(t: str) -> str:
    w, ctx = _waits(t), _context(t)
    return (
        "org.postgresql.util.PSQLException: ERROR: deadlock detected\n"
        f"  Detail: {w[0]}\n"
        + "\n".join(w[1:])
        + "\n  Hint: See server log for query details."
        + (f"\n  Where: {ctx.splitlines()[0]}" if ctx else "")
        + "\n\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(Q.java:2725)\n"
    )


def m_flat(t: str) -> str:
    return "ERROR: " + " ".join(ln.strip() for ln in t.splitlines())


def m_json_detail(t: str) -> str:
    w, ctx = _waits(t), _context(t)
    err = {"code": "40P01", "message": t.splitlines()[0], "detail": "\n".join(w)}
    if ctx:
        err["where"] = ctx
    return json.dumps({"level": "error", "msg": "tx failed", "err": err})


def m_postgrex(t: str) -> str:
    w, ctx = _waits(t), _context(t)
    where = f", where: {json.dumps(ctx)}" if ctx else ""
    return (
        "[error] %Postgrex.Error{postgres: %{code: :deadlock_detected, "
        f'detail: {json.dumps(chr(10).join(w))}, hint: "See server log for query details.", '
        f'message: "deadlock detected", pg_code: "40P01", severity: "ERROR"{where}}}, query: nil}}'
    )


def m_node_pg(t: str) -> str:
    w, ctx = _waits(t), _context(t)
    detail = " +\n    ".join(f"'{x}\\n'" for x in w[:-1]) + (" +\n    " if len(w) > 1 else "")
    where = f"  where: {json.dumps(ctx)},\n" if ctx else ""
    return (
        "error: deadlock detected\n    at Parser.parseErrorMessage (parser.js:287:98) {\n"
        f"  code: '40P01',\n  detail: {detail}'{w[-1]}',\n"
        f"  hint: 'See server log for query details.',\n{where}  routine: 'DeadLockReport'\n}}\n"
    )


def m_no_labels(t: str) -> str:  # Ecto: message, hint, then the bare wait lines
    return "** (Postgrex.Error) ERROR 40P01 (deadlock_detected) deadlock detected\n\n" + "\n".join(
        _waits(t)
    )


def m_compose(t: str) -> str:
    out = []
    for i, ln in enumerate(t.splitlines()):
        out.append(f"db-1   | {ln}")
        out.append(f"web-1  | GET /health {i} 200")
    return "\n".join(out)


def m_mail(t: str) -> str:
    wrapped = [w for ln in t.splitlines() for w in (textwrap.wrap(ln, 50) or [""])]
    return "\n".join("> " + ln for ln in wrapped)


def m_syslog(t: str) -> str:
    return "\n".join(
        f"Dec  6 09:43:01 db01 postgres[20792]: [12-{i}] {ln}"
        for i, ln in enumerate(t.splitlines(), 1)
    )


def m_kubectl(t: str) -> str:
    return "\n".join(f"[pod/pg-0/postgres] 2026-12-06T09:43:01.1Z {ln}" for ln in t.splitlines())


def m_journald(t: str) -> str:
    return "\n".join(f"Dec 06 09:43:01 db postgres[20792]: {ln}" for ln in t.splitlines())


def m_gutter(t: str) -> str:
    return "error: db error\n" + "\n".join(f"   | {ln}" for ln in t.splitlines())


def m_html(t: str) -> str:
    body = t.replace("&", "&amp;").replace('"', "&quot;").replace("»", "&raquo;")
    body = body.replace("«", "&laquo;").replace("\n", "</br>")
    return f"<div><p>prod again:</p><pre>{body}</pre></div>"


def m_fence(t: str) -> str:
    return f"Seen in prod:\n\n```\n{textwrap.indent(t, '  ')}\n```\nany idea?"


def m_ansi(t: str) -> str:
    return "\n".join(f"\x1b[31m{ln}\x1b[0m" for ln in t.splitlines())


def m_repr(t: str) -> str:
    return f"worker crashed: DeadlockDetected({t!r})"


def m_hard_wrap(t: str) -> str:  # `…transaction 10;` ⏎ `blocked by process 2.`
    return re.sub(r"; (blocked by|blockiert von) ", r";\n\1 ", t)


def m_label_case(t: str) -> str:
    return re.sub(r"^([A-Z]+):  ", lambda m: m.group(1).capitalize() + ": ", t, flags=re.M)


EXACT = [
    m_spaces, m_pgjdbc, m_flat, m_json_detail, m_postgrex, m_node_pg, m_no_labels, m_compose,
    m_mail, m_kubectl, m_journald, m_gutter, m_html, m_fence, m_ansi, m_repr,
    m_hard_wrap, m_label_case,
]  # fmt: skip


@pytest.mark.parametrize("mangle", EXACT, ids=lambda f: f.__name__[2:])
@pytest.mark.parametrize("name", list(SESSION_VICTIMS))
def test_real_pg15_reports_mangled_keep_their_exact_edges(name: str, mangle) -> None:
    text = _session_client(name)
    clean = analyze(text)
    assert clean.report.victim_pid == SESSION_VICTIMS[name]
    mangled = analyze(mangle(text))
    assert edges_of(mangled) == edges_of(clean), mangle(text)
    assert mangled.graph.cycles == clean.graph.cycles
    assert mangled.graph.bystanders == []
    assert mangled.report.partial == []
    if mangle is not m_no_labels:  # Ecto prints no CONTEXT: the pattern may be less specific
        assert mangled.advice.severity == clean.advice.severity
    # the victim is read where the text keeps the first wait line's place
    assert mangled.report.victim_pid in (SESSION_VICTIMS[name], None)


def m_lose_middle(t: str) -> str:
    lines = t.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(("Process", "Prozess")))
    return "\n".join(lines[:i] + lines[i + 1 :])


def m_pager_cut(t: str) -> str:
    lines = t.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(("Process", "Prozess")))
    lines[i] = lines[i][:40]
    return "\n".join(lines)


def m_cut_after_first(t: str) -> str:  # a chat preview or pager showing one wait line
    return "\n".join(t.splitlines()[:2])


@pytest.mark.parametrize("mangle", [m_lose_middle, m_pager_cut, m_cut_after_first])
@pytest.mark.parametrize("name", list(SESSION_VICTIMS))
def test_real_pg15_reports_with_lost_lines_are_honestly_partial(name: str, mangle) -> None:
    text = _session_client(name)
    clean = analyze(text)
    mangled = analyze(mangle(text))
    assert mangled.is_deadlock
    assert mangled.report.partial, "a lost line must be said"
    assert set(edges_of(mangled)) < set(edges_of(clean))  # nothing invented
    assert mangled.report.victim_pid in (SESSION_VICTIMS[name], None)
    assert mangled.graph.bystanders == []
    # what is left decides, or the analyzer says it is unsure; a lost line never makes it worse
    # (a lost token line leaves a unique-index wait: less specific, not wrong)
    less_specific = {"speculative-insertion": "unique-constraint"}.get(clean.advice.pattern)
    assert mangled.advice.pattern in (clean.advice.pattern, "unknown", less_specific)
    order = ("none", "low", "medium", "high", "critical")
    assert order.index(mangled.advice.severity) <= order.index(clean.advice.severity)
    if mangled.advice.pattern == clean.advice.pattern and mangle is not m_cut_after_first:
        assert mangled.advice.severity == clean.advice.severity  # every process still named
    assert mangled.fingerprint != clean.fingerprint
    assert mangled.to_json()["partial"] is True


def _server_reports(text: str) -> dict[int, list[Edge]]:
    return {
        r.victim_pid: [(w.pid, w.mode, w.target.object, w.blocked_by) for w in r.waits]
        for r in find_reports(text)
        if r.is_deadlock and r.victim_pid is not None
    }


def s_spaces(t: str) -> str:
    return t.replace("\t", "        ")


def s_compose(t: str) -> str:
    return "\n".join(f"db-1  | {ln}\nweb-1 | GET /x 200" for ln in t.splitlines())


def s_kubectl(t: str) -> str:
    return "\n".join(f"[pod/pg-0/postgres] {ln}" for ln in t.splitlines())


def s_journald(t: str) -> str:
    return "\n".join(
        "Dec 06 09:43:01 db postgres[1]: " + ("#011" + ln[1:] if ln.startswith("\t") else ln)
        for ln in t.splitlines()
    )


def s_syslog(t: str) -> str:
    from test_deadlock_synthetic import _to_syslog

    return _to_syslog(t)


def s_fence(t: str) -> str:
    return f"From the db box:\n```text\n{textwrap.indent(t, '    ')}```\n"


def s_ansi(t: str) -> str:
    return "\n".join(f"\x1b[2m{ln}\x1b[0m" for ln in t.splitlines())


def s_quote(t: str) -> str:
    return "\n".join("> " + ln for ln in t.splitlines())


@pytest.mark.parametrize(
    "mangle",
    [s_spaces, s_compose, s_kubectl, s_journald, s_syslog, s_fence, s_ansi, s_quote],
    ids=lambda f: f.__name__[2:],
)
def test_real_pg15_server_log_mangled_keeps_every_report(mangle) -> None:
    """The whole session's log (18 deadlocks, two languages) behind each decoration: every
    report, every edge, every query."""
    log = (SESSION / "server.log").read_text("utf-8")
    clean = _server_reports(log)
    assert set(clean) == set(SESSION_VICTIMS.values())
    mangled_text = mangle(log)
    assert _server_reports(mangled_text) == clean
    queries = {
        r.victim_pid: {p: " ".join((q.query or "").split()) for p, q in r.processes.items()}
        for r in find_reports(mangled_text)
        if r.is_deadlock
    }
    expected = {
        r.victim_pid: {p: " ".join((q.query or "").split()) for p, q in r.processes.items()}
        for r in find_reports(log)
        if r.is_deadlock
    }
    assert queries == expected
    assert all(all(qs.values()) for qs in expected.values())  # the server log names them all


def test_json_log_lines_with_a_go_pgerror_struct() -> None:
    """zap/logrus JSON lines: pgx's PgError marshalled with its Go field names (Detail, Where),
    between other services' lines."""
    text = _session_client("row-cycle-3")
    err = {
        "Severity": "ERROR",
        "Code": "40P01",
        "Message": "deadlock detected",
        "Detail": "\n".join(_waits(text)),
        "Hint": "See server log for query details.",
        "Where": _context(text),
    }
    lines = [
        json.dumps({"level": "info", "msg": "GET /healthz", "status": 200}),
        json.dumps({"level": "error", "msg": "close period", "error": err}),
        json.dumps({"level": "info", "msg": "retrying"}),
    ]
    analysis = analyze("\n".join(lines))
    clean = analyze(text)
    assert edges_of(analysis) == edges_of(clean)
    assert analysis.report.sqlstate == "40P01"
    assert analysis.report.context == clean.report.context
    assert analysis.report.partial == []
