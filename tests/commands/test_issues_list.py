"""`dexter issues list` against the seeded demo server over loopback HTTP."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from dexter_tui.services.issue_records import schema


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def test_json_lines_match_the_documented_schema_and_the_server(
    dexter, sentry_env, seeded_store
) -> None:
    result = dexter("issues", "list", "--json", "--limit", "7")
    assert result.code == 0, result.err
    records = result.json_lines()
    assert len(records) == 7
    check = validator()
    for record in records:
        check.validate(record)
        row = seeded_store.query_one(
            "SELECT short_id, title, status FROM groups WHERE id = ?", (int(record["id"]),)
        )
        assert record["shortId"] == row["short_id"]
        assert record["title"] == row["title"]
        assert record["status"] == row["status"] == "unresolved"
        parts = record["dexter"]["priority"]["parts"]
        assert record["dexter"]["priority"]["score"] == pytest.approx(sum(parts.values()), abs=0.1)
    assert "dexter: 7 issue(s) of" in result.err


def test_the_connection_line_names_url_and_token_source_never_the_token(
    dexter, sentry_env, seeded_world
) -> None:
    result = dexter("issues", "list", "--limit", "1")
    assert f"dexter: {sentry_env.url} (from environment variable SENTRY_URL)" in result.err
    assert "token ******** from environment variable SENTRY_AUTH_TOKEN" in result.err
    assert seeded_world.token not in result.err + result.out


def test_all_streams_every_page(dexter, sentry_env, seeded_store) -> None:
    unresolved = seeded_store.query_one("SELECT COUNT(*) FROM groups WHERE status = 'unresolved'")[
        0
    ]
    result = dexter("issues", "list", "--all", "--period", "30d", "--json")
    assert result.code == 0, result.err
    ids = [r["id"] for r in result.json_lines()]
    assert len(ids) == len(set(ids)) > 0
    assert len(ids) <= unresolved


def test_query_project_and_environment_use_sentry_search(dexter, sentry_env, seeded_store) -> None:
    result = dexter(
        "issues", "list", "is:unresolved", "--project", "checkout-api", "--json", "--all"
    )
    assert result.code == 0, result.err
    records = result.json_lines()
    assert records
    assert {r["project"]["slug"] for r in records} == {"checkout-api"}
    resolved = dexter("issues", "list", "is:resolved", "--json", "--all", "--period", "30d")
    assert all(r["status"] == "resolved" for r in resolved.json_lines())


def test_unknown_project_exits_4(dexter, sentry_env) -> None:
    result = dexter("issues", "list", "--project", "ghost")
    assert result.code == 4
    assert "unknown project(s): ghost" in result.err


def test_plain_csv_markdown_and_template(dexter, sentry_env) -> None:
    plain = dexter("issues", "list", "--limit", "3")
    assert plain.code == 0
    lines = plain.out.splitlines()
    assert lines[0].startswith("SHORT ID")
    assert len(lines) == 4
    as_csv = dexter("issues", "list", "--limit", "3", "--csv")
    table = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert len(table) == 3
    assert {"short_id", "title", "events"} <= set(table[0])
    md = dexter("issues", "list", "--limit", "3", "--md")
    assert md.out.splitlines()[0].startswith("| short_id |")
    assert len(md.out.splitlines()) == 5
    template = dexter("issues", "list", "--limit", "3", "--format", "{shortId}|{project[slug]}")
    first = json.loads(dexter("issues", "list", "--limit", "1", "--json").out)
    assert template.out.splitlines()[0] == f"{first['shortId']}|{first['project']['slug']}"


def test_csv_over_several_pages_has_one_header(dexter, sentry_env) -> None:
    result = dexter("issues", "list", "--all", "--csv", "--period", "30d")
    rows = list(csv.reader(io.StringIO(result.out)))
    assert sum(1 for r in rows if r and r[0] == "short_id") == 1


def test_bad_template_field_is_a_usage_error(dexter, sentry_env) -> None:
    result = dexter("issues", "list", "--format", "{nope}")
    assert result.code == 2
    assert "no field {nope}" in result.err
    broken = dexter("issues", "list", "--format", "{shortId")
    assert broken.code == 2


def test_priority_sort_is_by_dexters_score(dexter, sentry_env) -> None:
    result = dexter("issues", "list", "--sort", "priority", "--json", "--limit", "10")
    scores = [r["dexter"]["priority"]["score"] for r in result.json_lines()]
    assert len(scores) == 10
    assert scores == sorted(scores, reverse=True)


def test_bad_token_exits_3(dexter, sentry_env, monkeypatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "not-a-real-token-123")
    result = dexter("issues", "list")
    assert result.code == 3
    assert "not-a-real-token-123" not in result.err


def test_no_configuration_exits_2(dexter) -> None:
    result = dexter("issues", "list")
    assert result.code == 2
    assert "no token" in result.err


def test_invalid_search_exits_2_with_sentrys_message_shown_literally(dexter, sentry_env) -> None:
    result = dexter("issues", "list", "timesSeen:>[/]\x1b[31m")
    assert result.code == 2
    assert "\x1b" not in result.err


def test_url_before_the_command_is_the_one_used(dexter, sentry_env, monkeypatch) -> None:
    """Issue 18 #6: a global option before the subcommand must not be dropped."""
    monkeypatch.setenv("SENTRY_URL", "http://127.0.0.1:9")  # would fail if --url were ignored
    result = dexter("--url", sentry_env.url, "issues", "list", "--limit", "1", "--json")
    assert result.code == 0, result.err
    assert f"dexter: {sentry_env.url} (from command-line flag --url)" in result.err
    assert len(result.json_lines()) == 1
