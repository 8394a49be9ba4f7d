"""Bulk verbs from the command line: the server's state afterwards, outcomes, exit codes."""

from __future__ import annotations

import json

import pytest


def unresolved(store, n: int, project: str | None = None) -> list[tuple[str, str]]:
    """(id, short id) of n unresolved issues."""
    sql = (
        "SELECT g.id, g.short_id FROM groups g JOIN projects p ON p.id = g.project_id"
        " WHERE g.status = 'unresolved'" + (" AND p.slug = ?" if project else "") + " ORDER BY g.id"
    )
    rows = store.query(sql, (project,) if project else ())
    return [(str(r["id"]), r["short_id"]) for r in rows[:n]]


def status(store, issue_id: str) -> str:
    return store.query_one("SELECT status FROM groups WHERE id = ?", (int(issue_id),))["status"]


def action_log(isolated_home) -> list[dict]:
    path = isolated_home / "state" / "dexter-tui" / "actions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_resolve_by_short_id_and_id_changes_the_server_and_logs(
    dexter, sentry_env, seeded_store, isolated_home
) -> None:
    (a_id, a_short), (b_id, _b_short) = unresolved(seeded_store, 2)
    result = dexter("issues", "resolve", a_short, b_id)
    assert result.code == 0, result.err
    assert f"{a_short}\tok" in result.out
    assert status(seeded_store, a_id) == status(seeded_store, b_id) == "resolved"
    assert "Resolved 2/2 issues" in result.err
    entry = action_log(isolated_home)[-1]
    assert entry["verb"] == "resolve"
    assert entry["outcome"] == {a_id: "ok", b_id: "ok"}
    back = dexter("issues", "unresolve", a_id, "--json")
    assert back.json_lines() == [{"id": a_id, "shortId": a_short, "outcome": "ok"}]
    assert status(seeded_store, a_id) == "unresolved"


def test_a_failing_issue_is_a_partial_failure_with_per_issue_outcomes(
    dexter, sentry_env, seeded_store, faults
) -> None:
    (a_id, a_short), (b_id, b_short), (c_id, _) = unresolved(seeded_store, 3)
    faults(bulk_fail_ids=[b_id])
    result = dexter("issues", "ignore", "--for", "2h", a_id, b_id, c_id, "--json")
    assert result.code == 1, result.err
    outcomes = {r["shortId"]: r for r in result.json_lines()}
    assert outcomes[a_short]["outcome"] == "ok"
    assert outcomes[b_short]["outcome"] == "failed"
    assert "500" in outcomes[b_short]["reason"]
    assert status(seeded_store, a_id) == status(seeded_store, c_id) == "ignored"
    assert status(seeded_store, b_id) == "unresolved"


def test_unknown_ids_are_reported_and_exit_4_when_nothing_matched(dexter, sentry_env) -> None:
    result = dexter("issues", "resolve", "NOPE-1", "999999999")
    assert result.code == 4
    assert "NOPE-1\tfailed\tnot found" in result.out


def test_query_dry_run_lists_and_changes_nothing(dexter, sentry_env, seeded_store) -> None:
    before = seeded_store.query("SELECT id, status FROM groups ORDER BY id")
    result = dexter(
        "issues", "resolve", "--query", "is:unresolved", "--project", "checkout-api", "--dry-run"
    )
    assert result.code == 0, result.err
    assert "dry run — would resolve" in result.err
    assert len(result.out.splitlines()) >= 2
    assert seeded_store.query("SELECT id, status FROM groups ORDER BY id") == before


def test_query_resolves_every_match(dexter, sentry_env, seeded_store) -> None:
    targets = dexter(
        "issues", "list", "is:unresolved", "--project", "notifications", "--all", "--json"
    ).json_lines()
    result = dexter("issues", "resolve", "--query", "is:unresolved", "--project", "notifications")
    assert result.code == 0, result.err
    assert targets
    for record in targets:
        assert status(seeded_store, record["id"]) == "resolved"


def test_delete_refuses_without_a_terminal_unless_yes(
    dexter, sentry_env, seeded_store, monkeypatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    ((a_id, a_short),) = unresolved(seeded_store, 1)
    result = dexter("issues", "delete", a_short)
    assert result.code == 2
    assert "pass --yes" in result.err
    assert status(seeded_store, a_id) == "unresolved"
    done = dexter("issues", "delete", a_short, "--yes")
    assert done.code == 0, done.err
    assert seeded_store.query_one("SELECT 1 FROM groups WHERE id = ?", (int(a_id),)) is None


def test_merge_needs_yes_and_reports_the_parent(dexter, sentry_env, seeded_store) -> None:
    (a_id, _), (b_id, _) = unresolved(seeded_store, 2, project="billing-worker")
    result = dexter("issues", "merge", a_id, b_id, "--yes", "--json")
    assert result.code == 0, result.err
    rows = result.json_lines()
    parents = {r["mergedInto"] for r in rows}
    assert len(parents) == 1
    (parent,) = parents
    (child,) = {a_id, b_id} - parents
    row = seeded_store.query_one("SELECT merged_into FROM groups WHERE id = ?", (int(child),))
    assert str(row["merged_into"]) == parent


def test_assign_to_me_and_to_a_team(dexter, sentry_env, seeded_store, seeded_world) -> None:
    ((a_id, a_short),) = unresolved(seeded_store, 1)
    assert dexter("issues", "assign", "--to", "me", a_short).code == 0
    row = seeded_store.query_one("SELECT * FROM groups WHERE id = ?", (int(a_id),))
    assert row["assigned_user_id"] is not None
    team = seeded_store.query_one("SELECT slug FROM teams ORDER BY id")["slug"]
    assert dexter("issues", "assign", "--to", f"#{team}", a_short).code == 0
    row = seeded_store.query_one("SELECT * FROM groups WHERE id = ?", (int(a_id),))
    assert row["assigned_team_id"] is not None
    nobody = dexter("issues", "assign", "--to", "nobody@nowhere", a_short)
    assert nobody.code == 4


@pytest.mark.parametrize("where", ["before", "after"])
def test_read_only_refuses_every_change(dexter, sentry_env, seeded_store, where) -> None:
    ((_, a_short),) = unresolved(seeded_store, 1)
    bookmarks = "SELECT COUNT(*) FROM group_bookmarks"
    before = seeded_store.query_one(bookmarks)[0]
    argv = ["issues", "bookmark", a_short]
    argv = ["--read-only", *argv] if where == "before" else [*argv, "--read-only"]
    result = dexter(*argv)
    assert result.code == 2
    assert "read-only" in result.err
    assert seeded_store.query_one(bookmarks)[0] == before


def test_ids_and_query_are_exclusive(dexter, sentry_env) -> None:
    assert dexter("issues", "resolve").code == 2
    assert dexter("issues", "resolve", "1", "--query", "x").code == 2
