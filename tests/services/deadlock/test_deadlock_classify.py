"""Classification by the mix of lock types in the cycle, advisory keys decoded, relations from
every source in the text, and the catalog queries for what the text gives only as numbers."""

from __future__ import annotations

from dexter_tui.services.deadlock import analyze


def report(*waits: tuple[int, str, str, int], context: str = "", queries: str = "") -> str:
    lines = [f"Process {p} waits for {m} on {o}; blocked by process {b}." for p, m, o, b in waits]
    text = "ERROR:  deadlock detected\nDETAIL:  " + "\n\t".join(lines)
    if queries:
        text += "\n\t" + queries.replace("\n", "\n\t")
    text += "\nHINT:  See server log for query details."
    if context:
        text += "\nCONTEXT:  " + context
    return text + "\n"


def adv(a: int, b: int, c: int, d: int) -> str:
    return f"advisory lock [{a},{b},{c},{d}]"


def test_advisory_keys_are_decoded_and_opposite_order_named() -> None:
    result = analyze(
        report(
            (9, "ExclusiveLock", adv(16388, 0, 42, 1), 8),
            (8, "ExclusiveLock", adv(16388, 0, 7, 2), 9),
        )
    )
    assert result.advice.pattern == "advisory-key-order"
    assert "pg_advisory_lock(42)" in result.advice.explanations[0]
    assert "pg_advisory_lock(0, 7)" in result.advice.explanations[1]
    assert any("locktype = 'advisory'" in q for q in result.advice.catalog_queries)


def test_one_advisory_key_is_a_shared_to_exclusive_upgrade() -> None:
    result = analyze(
        report(
            (9, "ExclusiveLock", adv(16388, 1, 4294967295, 1), 8),
            (8, "ExclusiveLock", adv(16388, 1, 4294967295, 1), 9),
        )
    )
    assert result.advice.pattern == "advisory-shared-upgrade"
    assert "pg_advisory_lock(8589934591)" in result.advice.explanations[0]


def test_advisory_plus_row_lock_is_its_own_mix() -> None:
    result = analyze(
        report(
            (9, "ExclusiveLock", adv(16388, 0, 5, 1), 8),
            (8, "ShareLock", "transaction 77", 9),
        )
    )
    assert result.advice.pattern == "advisory-and-row"
    assert result.advice.recommendations[0].id == "advisory-before-rows"


def test_an_extensions_lock_is_not_called_user_advisory_keys() -> None:
    result = analyze(
        report(
            (9, "ExclusiveLock", adv(16388, 12, 5, 7), 8),
            (8, "ExclusiveLock", adv(16388, 12, 6, 7), 9),
        )
    )
    assert result.advice.pattern == "extension-lock"
    assert result.advice.recommendations[0].title.startswith("Unsure")
    assert "not a pg_advisory_lock key (field 4 = 7)" in result.advice.explanations[0]


def test_object_class_is_decoded_with_pg_describe_object() -> None:
    result = analyze(
        report(
            (9, "AccessExclusiveLock", "object 16820 of class 2606 of database 16388", 8),
            (8, "AccessExclusiveLock", "relation 16400 of database 16388", 9),
        )
    )
    assert "(pg_constraint)" in result.advice.explanations[0]
    queries = result.advice.catalog_queries
    assert "SELECT pg_describe_object(2606, 16820, 0);" in queries
    assert any(q.startswith("SELECT 16400::regclass;") for q in queries)
    assert any("pg_database WHERE oid = 16388" in q for q in queries)
    assert "SELECT pg_describe_object(2606, 16820, 0);" in result.render_text()


def test_relations_from_the_fk_check_sql_in_context() -> None:
    ctx = (
        'while locking tuple (17142683,15) in relation "players"\n'
        'SQL statement "SELECT 1 FROM ONLY "public"."players" x WHERE "id" '
        'OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x"'
    )
    result = analyze(
        report((9, "ShareLock", "transaction 5", 8), (8, "ShareLock", "transaction 6", 9),
               context=ctx)
    )  # fmt: skip
    assert result.advice.relations == ["players"]
    assert result.advice.pattern == "fk-parent-child"


def test_fk_check_at_commit_is_a_deferred_constraint() -> None:
    ctx = (
        'while locking tuple (0,1) in relation "teams"\n'
        'SQL statement "SELECT 1 FROM ONLY "public"."teams" x WHERE "id" '
        'OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x"'
    )
    text = report(
        (9, "ShareLock", "transaction 5", 8),
        (8, "ShareLock", "transaction 6", 9),
        context=ctx,
        queries="Process 9: COMMIT\nProcess 8: COMMIT",
    )
    assert analyze(text).advice.pattern == "fk-deferred"


def test_table_locks_inside_a_function_get_table_advice() -> None:
    ctx = (
        'SQL statement "LOCK TABLE audit IN EXCLUSIVE MODE"\n'
        "PL/pgSQL function rotate() line 4 at SQL statement"
    )
    text = report(
        (9, "ExclusiveLock", "relation 16400 of database 16388", 8),
        (8, "ExclusiveLock", "relation 16401 of database 16388", 9),
        context=ctx,
    )
    result = analyze(text)
    assert result.advice.pattern == "function-table-locks"
    assert "audit" in result.advice.relations
    assert result.advice.recommendations[0].id == "function-table-lock-order"


def test_two_ddl_statements_are_not_blamed_on_application_transactions() -> None:
    text = report(
        (9, "AccessExclusiveLock", "relation 16400 of database 16388", 8),
        (8, "AccessExclusiveLock", "relation 16401 of database 16388", 9),
        queries="Process 9: DROP TABLE a_old\nProcess 8: DROP TABLE b_old",
    )
    result = analyze(text)
    assert result.advice.pattern == "ddl-vs-ddl"
    assert "application" not in result.advice.recommendations[0].detail


def test_create_index_concurrently_waiting_on_a_virtualxid() -> None:
    text = report(
        (9, "ShareLock", "virtual transaction 4/77", 8),
        (8, "ShareUpdateExclusiveLock", "relation 16400 of database 16388", 9),
        queries="Process 9: CREATE INDEX CONCURRENTLY i ON orders (x)\nProcess 8: ANALYZE orders",
    )
    result = analyze(text)
    assert result.advice.pattern == "index-build"
    assert "CONCURRENTLY" in result.advice.explanations[0]
    assert any("virtualxid = '4/77'" in q for q in result.advice.catalog_queries)


def test_unsure_when_the_text_shows_no_pattern() -> None:
    result = analyze("ERROR:  deadlock detected\nHINT:  See server log for query details.\n")
    assert result.advice.pattern == "unknown"
    assert result.advice.recommendations[0].id == "unsure"


def test_drop_table_names_its_tables_and_explains_access_exclusive() -> None:
    text = report(
        (9, "AccessExclusiveLock", "relation 16400 of database 16388", 8),
        (8, "AccessExclusiveLock", "relation 16401 of database 16388", 9),
        queries="Process 9: DROP TABLE old_b\nProcess 8: DROP TABLE old_a",
    )
    result = analyze(text)
    assert result.advice.relations == ["old_b", "old_a"]
    assert result.advice.relation_names == {16400: "old_b", 16401: "old_a"}
    # not "holds at least AccessShareLock ... (SELECT)": the holder ran DDL before
    assert "AccessExclusiveLock conflicts with every mode" in result.advice.explanations[0]
    assert "(SELECT)" not in result.advice.explanations[0]


def test_access_exclusive_waits_without_queries_are_ddl_not_application() -> None:
    """A client error of two DROPs (or ALTER vs LOCK TABLE) shows only AccessExclusiveLock
    waits: nobody in the cycle runs DML."""
    text = report(
        (9, "AccessExclusiveLock", "relation 16400 of database 16388", 8),
        (8, "AccessExclusiveLock", "relation 16401 of database 16388", 9),
    )
    result = analyze(text)
    assert result.advice.pattern == "ddl-vs-ddl"
    assert "application" not in result.advice.recommendations[0].detail


def test_object_locks_on_two_types_are_ddl_not_a_lock_upgrade() -> None:
    text = report(
        (9, "ExclusiveLock", "object 16566 of class 1247 of database 16560", 8),
        (8, "ExclusiveLock", "object 16562 of class 1247 of database 16560", 9),
    )
    result = analyze(text)
    assert result.advice.pattern == "ddl-vs-ddl"
    assert "(pg_type)" in result.advice.explanations[0]


def test_upserts_waiting_on_transactions_are_a_speculative_insertion() -> None:
    upsert = "INSERT INTO tokens VALUES ({}, 0) ON CONFLICT (k) DO UPDATE SET n = tokens.n + 1"
    text = report(
        (9, "ShareLock", "transaction 809", 8),
        (8, "ShareLock", "transaction 808", 9),
        context='while inserting index tuple (0,2) in relation "tokens"',
        queries=f"Process 9: {upsert.format(2)}\nProcess 8: {upsert.format(1)}",
    )
    result = analyze(text)
    assert result.advice.pattern == "speculative-insertion"
    assert result.advice.recommendations[0].id == "upsert-key-order"


def test_the_unique_index_an_upsert_waited_on_is_not_a_table() -> None:
    text = report(
        (9, "ShareLock", "transaction 833", 8),
        (8, "ShareLock", "speculative token 1 of transaction 834", 9),
        context='while inserting index tuple (0,2) in relation "tokens_u_key"',
        queries="Process 9: INSERT INTO tokens VALUES (1, 2) ON CONFLICT (k) DO NOTHING\n"
        "Process 8: INSERT INTO tokens VALUES (1, 3) ON CONFLICT (k) DO NOTHING",
    )
    result = analyze(text)
    assert result.advice.relations == ["tokens"]
    first = result.advice.recommendations[0]
    assert first.id == "upsert-other-unique-index"
    assert "tokens_u_key" in first.detail


def test_fk_check_seen_only_by_the_client_says_it_may_be_deferred() -> None:
    ctx = (
        'while locking tuple (0,1) in relation "parent"\n'
        'SQL statement "SELECT 1 FROM ONLY "public"."parent" x WHERE "id" '
        'OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x"'
    )
    text = report(
        (9, "ShareLock", "transaction 5", 8), (8, "ShareLock", "transaction 6", 9), context=ctx
    )
    first = analyze(text).advice.recommendations[0]
    assert first.id == "lock-parent-first"
    assert "If the statement that failed was COMMIT" in first.detail


def test_for_share_ri_check_of_an_old_server() -> None:
    """Built text: PostgreSQL 15 (the tests' server) takes FOR KEY SHARE in RI checks; servers
    before 9.3 took FOR SHARE, which this CONTEXT shows (the query text 9.2's ri_triggers.c
    ran)."""
    ctx = (
        'while locking tuple (0,7) in relation "players"\n'
        'SQL statement "SELECT 1 FROM ONLY "public"."players" x WHERE "id" '
        'OPERATOR(pg_catalog.=) $1 FOR SHARE OF x"'
    )
    text = report(
        (9, "ShareLock", "transaction 5", 8), (8, "ShareLock", "transaction 6", 9), context=ctx
    )
    result = analyze(text)
    assert result.advice.pattern == "fk-for-share"
    assert result.advice.relations == ["players"]
    assert result.advice.recommendations[0].id == "fk-for-share-old-server"
