"""Reports built from PostgreSQL's own message formats for what the samples do not show: every
lock target and mode, other languages (with reordered arguments), log_line_prefix variants,
track_activities = off, logged parameters, and look-alikes."""

from __future__ import annotations

import json
import re

import pytest
from deadlock_samples import FIXTURES

from dexter_tui.services.deadlock import analyze, parse_lock_target
from dexter_tui.services.deadlock import messages as M
from dexter_tui.services.deadlock.advice import CONFLICTS
from dexter_tui.services.deadlock.graph import find_cycles
from dexter_tui.services.deadlock.model import LockTarget, Wait


def cfmt(template: str, *args: object) -> str:
    """C printf as the server does it, including `%2$s` positional specifiers."""
    seq = iter(range(len(args)))

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        index = int(m.group(1)) - 1 if m.group(1) else next(seq)
        return str(args[index])

    return re.sub(r"%(?:(\d+)\$)?0?\d*l{0,2}[dus]|%%", sub, template)


def tr(msgid: str, lang: str) -> str:
    return M.catalog()[msgid].get(lang, msgid)


TARGETS = [
    ("advisory lock [%u,%u,%u,%u]", (16388, 0, 42, 2), "advisory"),
    ("advisory lock [%u,%u,%u,%u]", (16388, 7, 4294967295, 1), "advisory"),
    ("page %u of relation %u of database %u", (7, 16400, 16388), "page"),
    ("extension of relation %u of database %u", (16400, 16388), "extend"),
    ("speculative token %u of transaction %u", (3, 901), "spectoken"),
    ("object %u of class %u of database %u", (16500, 1259, 16388), "object"),
    ("virtual transaction %d/%u", (4, 77), "virtualxid"),
    ("tuple (%u,%u) of relation %u of database %u", (12, 5, 16400, 16388), "tuple"),
    ("relation %u of database %u", (16400, 16388), "relation"),
    ("transaction %u", (765,), "transactionid"),
    ("user lock [%u,%u,%u]", (1, 2, 3), "userlock"),
    ("pg_database.datfrozenxid of database %u", (16388,), "frozenid"),
    ("remote transaction %u of subscription %u of database %u", (5, 16600, 16388),
     "applytransaction"),
]  # fmt: skip
LANGS = ["en", "de", "fr", "es", "it", "ja", "zh_CN", "ru", "ko", "sv", "pl", "tr", "uk", "cs"]


def client_text(lang: str, waits: list[tuple[int, str, str, int]], context: str = "") -> str:
    lines = [tr(M.DEADLOCK, lang)]
    detail = [cfmt(tr(M.WAITS, lang), pid, mode, target, by) for pid, mode, target, by in waits]
    lines.append("DETAIL:  " + "\n".join(detail))
    lines.append("HINT:  " + tr(M.HINT, lang))
    if context:
        lines.append("CONTEXT:  " + context)
    return "\n".join(lines)


@pytest.mark.parametrize(("msgid", "args", "locktype"), TARGETS, ids=[t[2] for t in TARGETS])
@pytest.mark.parametrize("lang", LANGS)
def test_every_lock_target_in_every_language(
    msgid: str, args: tuple[int, ...], locktype: str, lang: str
) -> None:
    described = cfmt(tr(msgid, lang), *args)
    other = cfmt(tr("transaction %u", lang), 999)
    text = client_text(
        lang, [(101, "ExclusiveLock", described, 102), (102, "ShareLock", other, 101)]
    )
    result = analyze(text).to_json()
    assert result["is_deadlock"] is True
    assert result["cycles"] == [[101, 102]]
    first = result["waits"][0]
    assert first["locktype"] == locktype
    assert first["object"] == cfmt(msgid, *args)  # English, whatever the server language
    assert first["mode"] == "ExclusiveLock"
    assert result["waits"][1]["object"] == "transaction 999"


def test_lock_target_fields_follow_msgid_order_even_when_reordered() -> None:
    # Japanese prints the tuple as "データベース%4$uのリレーション%3$uのタプル(%2$u,%1$u)"
    ja = cfmt(tr("tuple (%u,%u) of relation %u of database %u", "ja"), 12, 5, 16400, 16388)
    assert ja == "データベース16388のリレーション16400のタプル(5,12)"
    target = parse_lock_target(ja, "ja")
    assert target.fields == {"page": 12, "tuple": 5, "relation": 16400, "database": 16388}
    assert target.object == "tuple (12,5) of relation 16400 of database 16388"
    adv = parse_lock_target("advisory lock [16388,0,1001,1]")
    assert adv.fields == {"field1": 16388, "field2": 0, "field3": 1001, "field4": 1}
    vx = parse_lock_target("virtual transaction 3/553")
    assert vx.fields == {"backend": 3, "localxid": 553}
    assert parse_lock_target("something new 5").locktype == "unknown"


@pytest.mark.parametrize("mode", M.LOCK_MODES)
def test_every_lock_mode(mode: str) -> None:
    text = client_text(
        "en",
        [
            (11, mode, "relation 16400 of database 16388", 12),
            (12, "AccessExclusiveLock", "relation 16401 of database 16388", 11),
        ],
    )
    waits = analyze(text).to_json()["waits"]
    assert [w["mode"] for w in waits] == [mode, "AccessExclusiveLock"]


def test_chinese_reordered_waits_and_context() -> None:
    ctx = cfmt(tr('while updating tuple (%u,%u) in relation "%s"', "zh_CN"), 0, 1, "accounts")
    text = client_text(
        "zh_CN",
        [
            (201, "ShareLock", cfmt(tr("transaction %u", "zh_CN"), 735), 202),
            (202, "ShareLock", cfmt(tr("transaction %u", "zh_CN"), 736), 201),
        ],
        ctx,
    )
    assert "进程201等待在事务 735上的ShareLock" in text
    analysis = analyze(text)
    result = analysis.to_json()
    assert result["cycles"] == [[201, 202]]
    assert result["waits"][0]["object"] == "transaction 735"
    assert result["relations"] == ["accounts"]
    assert analysis.report.language == "zh_CN"


def _server_log(lang: str, labels: dict[str, str], prefix: str) -> str:
    waits = [
        cfmt(tr(M.WAITS, lang), 301, "ShareLock", cfmt(tr("transaction %u", lang), 10), 302),
        cfmt(tr(M.WAITS, lang), 302, "ShareLock", cfmt(tr("transaction %u", lang), 11), 301),
        cfmt(tr(M.PROCESS_QUERY, lang), 301, "UPDATE t SET v = v + 1 WHERE id = 1"),
        cfmt(tr(M.PROCESS_QUERY, lang), 302, "UPDATE t SET v = v + 1 WHERE id = 2"),
    ]
    ctx = cfmt(tr('while updating tuple (%u,%u) in relation "%s"', lang), 0, 1, "t")
    still = cfmt(
        tr(M.STILL_WAITING, lang), 302, "ShareLock", cfmt(tr("transaction %u", lang), 11), 200, 142
    )
    rows = [
        f"{prefix}{labels['LOG']}:  {still}",
        f"{prefix}{labels['DETAIL']}:  Process holding the lock: 301. Wait queue: 302.",
        f"{prefix}{labels['STATEMENT']}:  UPDATE t SET v = v + 1 WHERE id = 2",
        f"{prefix}{labels['ERROR']}:  {tr(M.DEADLOCK, lang)}",
        f"{prefix}{labels['DETAIL']}:  " + "\n\t".join(waits),
        f"{prefix}{labels['HINT']}:  {tr(M.HINT, lang)}",
        f"{prefix}{labels['CONTEXT']}:  {ctx}",
        f"{prefix}{labels['STATEMENT']}:  UPDATE t SET v = v + 1 WHERE id = 1",
    ]
    return "\n".join(rows) + "\n"


_ROLES = ("LOG", "ERROR", "DETAIL", "HINT", "CONTEXT", "STATEMENT")
LOG_LABELS = {
    lang: dict(zip(_ROLES, words.split(), strict=True))
    for lang, words in {
        "en": "LOG ERROR DETAIL HINT CONTEXT STATEMENT",
        "de": "LOG FEHLER DETAIL TIPP ZUSAMMENHANG ANWEISUNG",
        "fr": "LOG ERREUR DÉTAIL ASTUCE CONTEXTE INSTRUCTION",
        "es": "LOG ERROR DETALLE SUGERENCIA CONTEXTO SENTENCIA",
        "it": "LOG ERRORE DETTAGLI SUGGERIMENTO CONTESTO ISTRUZIONE",
        # pt_BR translates only the PL/pgSQL lines: the server falls back to English text
        "pt_BR": "LOG ERRO DETALHE DICA CONTEXTO COMANDO",
        "ru": "СООБЩЕНИЕ ОШИБКА ПОДРОБНОСТИ ПОДСКАЗКА КОНТЕКСТ ОПЕРАТОР",
        # labels we do not list are recognised by what follows them
        "ja": "LOG ERROR 詳細 ヒント コンテキスト 文",
        "zh_CN": "日志 错误 详细信息 提示 上下文 语句",
    }.items()
}
PREFIXES = [
    "2026-11-27 12:12:51.810 UTC [301] app@shop ",
    "",
    "2026-11-27 12:12:51 UTC:10.0.0.1(5432):app@shop:[301]:",
    "< 2026-11-27 12:12:51.810 UTC > ",
    "Nov 27 12:12:51 db postgres[301]: [7-1] ",
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("lang", list(LOG_LABELS))
def test_server_log_any_language_any_prefix(lang: str, prefix: str) -> None:
    text = _server_log(lang, LOG_LABELS[lang], prefix)
    analysis = analyze(text)
    result = analysis.to_json()
    assert result["is_deadlock"] is True
    assert result["cycles"] == [[301, 302]]
    assert [p["query"] for p in result["processes"]] == [
        "UPDATE t SET v = v + 1 WHERE id = 1",
        "UPDATE t SET v = v + 1 WHERE id = 2",
    ]
    assert result["relations"] == ["t"]
    assert analysis.report.source == "server-log"
    assert analysis.report.processes[302].context is None  # the LOG entry had no CONTEXT


def test_line_numbered_prefix_on_the_real_log() -> None:
    text = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text("utf-8")
    counter = iter(range(1, 1000))
    renumbered = re.sub(
        r"^(\S+ \S+ UTC) \[(\d+)\] ",
        lambda m: f"{m.group(1)} [{m.group(2)}-{next(counter)}] db=shop,user=app ",
        text,
        flags=re.M,
    )
    assert renumbered != text
    assert analyze(renumbered).to_json() == analyze(text).to_json()


def test_track_activities_off_leaves_queries_unknown() -> None:
    text = (
        "ERROR:  deadlock detected\n"
        "DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "\tProcess 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "\tProcess 9: <command string not enabled>\n"
        "\tProcess 8: <command string not enabled>\n"
        "HINT:  See server log for query details.\n"
    )
    result = analyze(text).to_json()
    assert result["cycles"] == [[9, 8]]
    assert result["processes"] == [{"pid": 9, "query": None}, {"pid": 8, "query": None}]
    assert "server-log" in [r["id"] for r in result["recommendations"]]


def test_logged_bound_parameters_do_not_disturb_parsing() -> None:
    prefix = "2026-11-27 12:12:51.810 UTC [9] "
    text = (
        f"{prefix}LOG:  execute <unnamed>: UPDATE t SET v = $1 WHERE id = $2\n"
        f"{prefix}DETAIL:  parameters: $1 = '10', $2 = '1'\n"
        f"{prefix}ERROR:  deadlock detected\n"
        f"{prefix}DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "\tProcess 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "\tProcess 9: UPDATE t SET v = $1 WHERE id = $2\n"
        "\tProcess 8: UPDATE t SET v = $1 WHERE id = $2\n"
        f"{prefix}HINT:  See server log for query details.\n"
        f'{prefix}CONTEXT:  while updating tuple (0,1) in relation "t"\n'
        "\tunnamed portal with parameters: $1 = '10', $2 = '1'\n"
        f"{prefix}STATEMENT:  UPDATE t SET v = $1 WHERE id = $2\n"
    )
    analysis = analyze(text)
    assert analysis.to_json()["cycles"] == [[9, 8]]
    assert analysis.report.client_params == "$1 = '10', $2 = '1'"
    assert analysis.to_json()["relations"] == ["t"]


def test_many_reports_in_one_log_first_is_shown_rest_counted() -> None:
    one = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text("utf-8")
    two = (FIXTURES / "D02_update_cycle_3" / "server_log.txt").read_text("utf-8")
    analysis = analyze(one + two)
    assert analysis.to_json()["cycles"] == [[24025, 24024]]
    assert len(analysis.other_reports) == 1
    assert "1 more report" in analysis.render_text()


WRAPPED = [
    (
        "django.db.utils.OperationalError: deadlock detected\n"
        "DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "Process 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "HINT:  See server log for query details.\n"
    ),
    (
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        "    cur.execute(sql)\n"
        "psycopg2.errors.DeadlockDetected: deadlock detected\n"
        "DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "Process 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "HINT:  See server log for query details.\n"
        'CONTEXT:  while updating tuple (0,1) in relation "t"\n'
    ),
    (
        "Worker failed: DeadlockDetected('deadlock detected\\nDETAIL:  Process 9 waits for "
        "ShareLock on transaction 5; blocked by process 8.\\nProcess 8 waits for ShareLock on "
        "transaction 6; blocked by process 9.\\nHINT:  See server log for query details.')"
    ),
]


@pytest.mark.parametrize("text", WRAPPED, ids=["django", "traceback", "repr"])
def test_wrapped_client_errors(text: str) -> None:
    result = analyze(text).to_json()
    assert result["is_deadlock"] is True
    assert result["cycles"] == [[9, 8]]


LOOKALIKES = [
    ('could not obtain lock on row in relation "accounts"', "nowait"),
    ('ERROR:  could not obtain lock on relation "accounts"', "nowait"),
    ("canceling statement due to statement timeout", "statement-timeout"),
    ("could not serialize access due to read/write dependencies among transactions",
     "serialization-failure"),
    ("storniere Anfrage wegen Zeitüberschreitung einer Sperre", "lock-timeout"),
    ("ロックのタイムアウトのためステートメントをキャンセルしています", "lock-timeout"),
    ("sqlite3.OperationalError: database is locked", "sqlite-locked"),
    ("current transaction is aborted, commands ignored until end of transaction block",
     "in-failed-transaction"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind"), LOOKALIKES)
def test_lookalike_texts(text: str, kind: str) -> None:
    analysis = analyze(text)
    assert analysis.to_json()["is_deadlock"] is False
    assert analysis.report is not None
    assert analysis.report.lookalike == kind


def test_plain_text_and_other_errors_are_not_deadlocks() -> None:
    for text in ("", "ZeroDivisionError: division by zero", "{}", "[]", "deadlock", "null"):
        assert analyze(text).to_json()["is_deadlock"] is False


def test_event_with_report_only_in_a_breadcrumb() -> None:
    report = (
        "deadlock detected\n"
        "DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "Process 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "HINT:  See server log for query details."
    )
    event = {
        "event_id": "a" * 32,
        "message": "transfer failed",
        "breadcrumbs": {"values": [{"category": "app", "message": report}]},
    }
    assert analyze(event).to_json()["cycles"] == [[9, 8]]
    # a 25P02 after a swallowed deadlock is not the deadlock, even with it in a breadcrumb
    event["exception"] = {
        "values": [
            {
                "type": "InFailedSqlTransaction",
                "module": "psycopg.errors",
                "value": "current transaction is aborted, commands ignored until end of "
                "transaction block",
            }
        ]
    }
    assert analyze(event).to_json()["is_deadlock"] is False


def test_event_with_diag_fields_in_contexts() -> None:
    event = {
        "event_id": "b" * 32,
        "contexts": {
            "postgres": {
                "sqlstate": "40P01",
                "message_primary": "deadlock detected",
                "message_detail": "Process 9 waits for ExclusiveLock on advisory lock "
                "[16388,0,1,1]; blocked by process 8.\nProcess 8 waits for ExclusiveLock on "
                "advisory lock [16388,0,2,1]; blocked by process 9.",
            }
        },
    }
    result = analyze(event).to_json()
    assert result["cycles"] == [[9, 8]]
    assert result["pattern"] == "advisory-key-order"


def test_find_cycles_lists_each_cycle_once_in_reported_order() -> None:
    def w(a: int, b: int) -> Wait:
        return Wait(a, "ShareLock", LockTarget("transactionid", "transaction 1"), b)

    edges = [w(1, 2), w(2, 3), w(3, 1), w(3, 4), w(4, 3), w(5, 1)]
    assert find_cycles(edges, start=1) == [[1, 2, 3], [3, 4]]
    assert find_cycles([w(1, 2), w(2, 1)], start=2) == [[2, 1]]
    assert find_cycles([w(1, 2), w(2, 3)]) == []


def test_four_process_cycle_with_bystander_and_pattern_severity() -> None:
    waits = [(1, "ShareLock", f"transaction {100 + i}", (i % 4) + 1) for i in range(1, 5)]
    waits = [(i, m, o, nxt) for i, (_, m, o, nxt) in enumerate(waits, start=1)]
    analysis = analyze(client_text("en", waits))
    assert analysis.to_json()["cycles"] == [[1, 2, 3, 4]]
    assert analysis.to_json()["severity"] == "critical"


def test_conflict_table_is_postgres_symmetric_one() -> None:
    for mode, blocked_by in CONFLICTS.items():
        for other in blocked_by:
            assert mode in CONFLICTS[other]
    assert CONFLICTS["AccessShareLock"] == {"AccessExclusiveLock"}
    assert "RowExclusiveLock" not in CONFLICTS["RowExclusiveLock"]
    assert "ShareLock" not in CONFLICTS["ShareLock"]


def test_relation_conflict_is_explained() -> None:
    text = (FIXTURES / "D08_lock_table_share_upgrade" / "server_log.txt").read_text("utf-8")
    lines = analyze(text).advice.explanations
    # the one mode that explains the wait, not the whole conflict table
    assert any(
        "pid 24222 holds at least ShareLock from an earlier statement of its transaction "
        "(CREATE INDEX (not concurrently), LOCK TABLE ... IN SHARE MODE)"
        in line
        and "(ledger)" in line
        for line in lines
    )
    assert not any("AccessExclusiveLock" in line for line in lines)


def test_row_lock_owner_is_named() -> None:
    text = (FIXTURES / "D01_update_swap_2" / "server_log.txt").read_text("utf-8")
    lines = analyze(text).advice.explanations
    assert lines[0] == (
        "pid 24025 wants to update row (0,1) of accounts, which transaction 735 (pid 24024) "
        "changed or locked; it waits (ShareLock on the transaction) until pid 24024 commits or "
        "rolls back."
    )
    assert lines[1].startswith("pid 24024 wants to update row (0,2) of accounts")


def test_unparsable_queries_degrade() -> None:
    text = (
        "ERROR:  deadlock detected\n"
        "DETAIL:  Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "\tProcess 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "\tProcess 9: UPDATE orders SET x = (1, 2\n"
        "\tProcess 8: MERGE INTO ??? garbage\n"
    )
    result = analyze(text).to_json()
    assert result["relations"] == ["orders"]
    assert result["pattern"] == "row-order-inversion"


def _to_syslog(text: str) -> str:
    """The stderr log as syslog writes it: `postgres[pid]: [line-part]`, tabs as #011."""
    out: list[str] = []
    number = 0
    part = 0
    pid = "0"
    for line in text.splitlines():
        m = re.match(r"^\S+ \S+ UTC \[(\d+)\] \S+ (.*)$", line)
        if m:
            number, part, pid = number + 1, 1, m.group(1)
            out.append(f"Nov 27 12:12:51 db postgres[{pid}]: [{number}-{part}] {m.group(2)}")
        else:
            part += 1
            body = "#011" + line[1:] if line.startswith("\t") else line
            out.append(f"Nov 27 12:12:51 db postgres[{pid}]: [{number}-{part}] {body}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("case", ["D22_long_multiline_queries", "D29_bystander_not_in_cycle"])
def test_syslog_format(case: str) -> None:
    text = (FIXTURES / case / "server_log.txt").read_text("utf-8")
    syslog = _to_syslog(text)
    assert "#011Process" in syslog
    assert analyze(syslog).to_json() == analyze(text).to_json()


def test_verbose_errors_with_sqlstate_and_location() -> None:
    text = (
        "2026-11-27 12:12:51.810 UTC [9] ERROR:  40P01: deadlock detected\n"
        "2026-11-27 12:12:51.810 UTC [9] DETAIL:  Process 9 waits for ShareLock on transaction "
        "5; blocked by process 8.\n"
        "\tProcess 8 waits for ShareLock on transaction 6; blocked by process 9.\n"
        "\tProcess 9: UPDATE t SET v = 1 WHERE id = 1\n"
        "\tProcess 8: UPDATE t SET v = 1 WHERE id = 2\n"
        "2026-11-27 12:12:51.810 UTC [9] HINT:  See server log for query details.\n"
        "2026-11-27 12:12:51.810 UTC [9] LOCATION:  DeadLockReport, deadlock.c:1147\n"
        "2026-11-27 12:12:51.810 UTC [9] STATEMENT:  UPDATE t SET v = 1 WHERE id = 1\n"
    )
    analysis = analyze(text)
    assert analysis.to_json()["cycles"] == [[9, 8]]
    assert analysis.report.message == "deadlock detected"
    assert analysis.report.statement == "UPDATE t SET v = 1 WHERE id = 1"


def test_a_waiter_that_timed_out_is_no_bystander() -> None:
    text = (FIXTURES / "D29_bystander_not_in_cycle" / "server_log.txt").read_text("utf-8")
    cut = text.index("[24860] app@shop LOG:  process 24860 still waiting")
    start = text.rfind("\n", 0, cut) + 1
    timeout = (
        "2026-11-27 12:15:22.500 UTC [24862] app@shop ERROR:  canceling statement due to lock "
        "timeout\n"
    )
    analysis = analyze(text[:start] + timeout + text[start:])
    assert analysis.graph.bystanders == []
    assert analysis.to_json()["cycles"] == [[24861, 24860]]


def test_garbage_never_raises() -> None:
    import random

    rng = random.Random(6)
    sources = [
        (FIXTURES / c / n).read_text("utf-8")
        for c in ("D07_tuple_lock_chain_3", "D31_localized_de", "D19_plpgsql_transfer_function")
        for n in ("server_log.txt", "psycopg3.txt", "event.json", "server_log.csv")
    ]
    for _ in range(300):
        text = rng.choice(sources)
        a, b = sorted(rng.randrange(len(text)) for _ in range(2))
        mutated = rng.choice(
            [text[:a], text[a:], text[:a] + text[b:], text[a:b] * 3, text.replace("\n", "\r\n")]
        )
        result = analyze(mutated).to_json()
        assert isinstance(result["is_deadlock"], bool)
    deep = "[" * 100_000 + "]" * 100_000
    assert analyze(deep).to_json()["is_deadlock"] is False


PATTERN_CONTEXTS = [
    (
        'while deleting tuple (0,3) in relation "invoices"\n'
        'SQL statement "DELETE FROM ONLY "public"."invoices" WHERE $1 OPERATOR(pg_catalog.=) '
        '"customer_id""',
        "fk-cascade",
    ),
    ('while inserting index tuple (0,5) in relation "users_email_key"', "unique-constraint"),
    ('while checking uniqueness of tuple (1,2) in relation "users"', "unique-constraint"),
    (
        'while updating tuple (0,1) in relation "stock"\n'
        'SQL statement "UPDATE stock SET qty = qty - NEW.qty WHERE id = NEW.item"\n'
        "PL/pgSQL function order_line_stock() line 3 at SQL statement",
        "function-internal",
    ),
    ('while locking tuple (0,1) in relation "accounts"', "row-order-inversion"),
]


@pytest.mark.parametrize(("context", "pattern"), PATTERN_CONTEXTS)
def test_patterns_from_context(context: str, pattern: str) -> None:
    waits = [
        (9, "ShareLock", "transaction 5", 8),
        (8, "ShareLock", "transaction 6", 9),
    ]
    result = analyze(client_text("en", waits, context)).to_json()
    assert result["pattern"] == pattern
    assert result["recommendations"][0]["id"] not in ("retry-40p01", "short-transactions")


def test_speculative_token_is_an_upsert_order_deadlock() -> None:
    waits = [
        (9, "ShareLock", "speculative token 3 of transaction 901", 8),
        (8, "ShareLock", "transaction 902", 9),
    ]
    result = analyze(client_text("en", waits)).to_json()
    assert result["pattern"] == "speculative-insertion"
    assert result["waits"][0]["locktype"] == "spectoken"
    # ON CONFLICT made the token: the advice is the key order, not "use ON CONFLICT"
    assert result["recommendations"][0]["id"] == "upsert-key-order"
    assert "use INSERT ... ON CONFLICT" not in json.dumps(result)


def test_report_in_event_extra_and_string_message() -> None:
    report = client_text(
        "en", [(9, "ShareLock", "transaction 5", 8), (8, "ShareLock", "transaction 6", 9)]
    )
    assert analyze({"event_id": "c" * 32, "extra": {"db_error": report}}).to_json()["cycles"] == [
        [9, 8]
    ]
    assert analyze({"event_id": "d" * 32, "message": report}).to_json()["cycles"] == [[9, 8]]
    envelope = "\n".join(
        [
            '{"event_id": "' + "e" * 32 + '"}',
            '{"type": "event"}',
            json.dumps({"event_id": "e" * 32, "message": report}),
        ]
    )
    assert analyze(envelope).to_json()["cycles"] == [[9, 8]]


def test_client_labels_translated_by_libpq() -> None:
    waits = [
        cfmt(tr(M.WAITS, "fr"), 9, "ShareLock", cfmt(tr("transaction %u", "fr"), 5), 8),
        cfmt(tr(M.WAITS, "fr"), 8, "ShareLock", cfmt(tr("transaction %u", "fr"), 6), 9),
    ]
    text = (
        f"ERREUR : {tr(M.DEADLOCK, 'fr')}\n"
        f"DÉTAIL : {waits[0]}\n{waits[1]}\n"
        f"ASTUCE : {tr(M.HINT, 'fr')}\n"
        "CONTEXTE : "
        + cfmt(tr('while updating tuple (%u,%u) in relation "%s"', "fr"), 0, 1, "comptes")
    )
    analysis = analyze(text)
    assert analysis.to_json()["cycles"] == [[9, 8]]
    assert analysis.to_json()["relations"] == ["comptes"]
    assert analysis.report.language == "fr"


def test_view_helpers_cycle_text_blocking_query_and_masking() -> None:
    text = (FIXTURES / "D10_ddl_alter_vs_select" / "server_log.txt").read_text("utf-8")
    analysis = analyze(text)
    assert analysis.cycle_text() == (
        "pid 24389 ─AccessShareLock on relation 16527 of database 16388 (products)→ pid 24388 "
        "─AccessExclusiveLock on relation 16534 of database 16388 (prices)→ back"
    )
    assert (
        analysis.blocking_query() == "ALTER TABLE prices ADD COLUMN currency char(3) DEFAULT 'EUR'"
    )
    assert len(analysis.fingerprint) == 16
    from dexter_tui.services.deadlock.sql import mask_literals

    assert mask_literals("UPDATE t SET a = 'secret' WHERE id = 42") == (
        "UPDATE t SET a = $1 WHERE id = $2"
    )
    assert mask_literals("UPDATE t SET a = 'x' WHERE id IN (1, 2") == (
        "UPDATE t SET a = ? WHERE id IN (?, ?"
    )


def test_event_prefers_the_fullest_report_and_trusts_the_exception_type() -> None:
    detail = (
        "Process 9 waits for ShareLock on transaction 5; blocked by process 8.\n"
        "Process 8 waits for ShareLock on transaction 6; blocked by process 9."
    )
    event = {
        "event_id": "f" * 32,
        "exception": {
            "values": [
                {
                    "type": "DeadlockDetected",
                    "module": "psycopg.errors",
                    "value": "deadlock detected",
                }
            ]
        },
        "contexts": {"db": {"message_primary": "deadlock detected", "message_detail": detail}},
    }
    assert analyze(event).to_json()["cycles"] == [[9, 8]]
    bare = {
        "event_id": "f" * 32,
        "exception": {"values": [{"type": "DeadlockDetected", "module": "psycopg2.errors"}]},
    }
    result = analyze(bare).to_json()
    assert result["is_deadlock"] is True
    assert result["cycles"] == []
    assert result["pattern"] == "unknown"


def test_row_locks_say_which_transaction_owns_each_row() -> None:
    text = (FIXTURES / "D07_tuple_lock_chain_3" / "server_log.txt").read_text("utf-8")
    locks = analyze(text).advice.row_locks
    assert [(r.waiter, r.owner, r.xid, r.relation, r.row, r.operation) for r in locks] == [
        (24195, 24197, 778, "accounts", (0, 3), "update"),
        (24197, 24196, None, "accounts", (0, 1), "tuple-lock"),
        (24196, 24195, 777, "accounts", (0, 1), "update"),
    ]
