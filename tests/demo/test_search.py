"""Sentry issue search: parsing, and what the compiled SQL matches in a real demo store."""

from __future__ import annotations

import json

import pytest

from dexter_tui.demo.search import (
    Filter,
    SearchContext,
    SearchError,
    compile_query,
    looks_like_event_id,
    looks_like_short_id,
    parse,
    parse_stats_period,
)
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_800_000_000.0


# -- parser -------------------------------------------------------------------------------------


def test_parse_filters_and_free_text() -> None:
    q = parse('is:unresolved !level:info server:web-* "db timeout" boom')
    assert q.filters == (
        Filter("is", ("unresolved",)),
        Filter("level", ("info",), negated=True),
        Filter("server", ("web-*",)),
    )
    assert q.text == "db timeout boom"


def test_parse_quoted_value_with_escapes() -> None:
    q = parse(r'user.username:"Jane \"JD\" Doe" x')
    assert q.filters[0].values == ('Jane "JD" Doe',)
    assert q.filters[0].quoted
    assert q.text == "x"


def test_parse_lists() -> None:
    q = parse('level:[error, fatal] release:["1.0 beta",2.0]')
    assert q.filters[0] == Filter("level", ("error", "fatal"), is_list=True)
    assert q.filters[1].values == ("1.0 beta", "2.0")


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("timesSeen:>10", ">", "10"),
        ("timesSeen:>=10", ">=", "10"),
        ("lastSeen:<2024-01-01", "<", "2024-01-01"),
        ("firstSeen:<=2024-01-01T10:00:00Z", "<=", "2024-01-01T10:00:00Z"),
        ("times_seen:5", "=", "5"),
    ],
)
def test_parse_operators(text: str, op: str, value: str) -> None:
    (flt,) = parse(text).filters
    assert (flt.op, flt.value) == (op, value)


def test_parse_tags_bracket_key() -> None:
    (flt,) = parse("tags[server.name]:web-1").filters
    assert flt.key == "tags[server.name]"


@pytest.mark.parametrize(
    "text",
    [
        'title:"unterminated',
        '"unterminated free text',
        "level:[error, fatal",
        "level:[error,,fatal]",
        "a OR b",
        "level:error AND level:fatal",
        "(level:error",
        "level:error)",
        'key:"a"b',
    ],
)
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(SearchError):
        parse(text)


def test_free_text_with_balanced_parentheses_is_text() -> None:
    assert parse("foo() bar").text == "foo() bar"


def test_key_without_value_is_free_text() -> None:
    q = parse("KeyError: 'cart' level:error")
    assert q.text == "KeyError: 'cart'"
    assert q.filters == (Filter("level", ("error",)),)
    assert parse("level:").text == "level:"


def test_stats_period_and_id_shapes() -> None:
    assert parse_stats_period("24h") == 86400
    assert parse_stats_period("2w") == 14 * 86400
    for bad in ("", "24", "0d", "1y", "x"):
        with pytest.raises(SearchError):
            parse_stats_period(bad)
    assert looks_like_short_id("CHECKOUT-API-1A")
    assert not looks_like_short_id("timeout")
    assert looks_like_event_id("A" * 32) == "a" * 32
    assert (
        looks_like_event_id("12345678-1234-1234-1234-123456789abc")
        == "123456781234" + "1234" * 2 + "123456789abc"
    )
    assert looks_like_event_id("g" * 32) is None


# -- compiled against a store -------------------------------------------------------------------


def _group(store: Store, project_id: int, n: int, **cols) -> int:
    values = {
        "project_id": project_id,
        "short_id": f"P{project_id}-{n}",
        "title": f"Error {n}",
        "culprit": "app.views in index",
        "message": "",
        "first_seen": NOW - 3600,
        "last_seen": NOW - 60,
        "times_seen": 1,
        **cols,
    }
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cur = store.execute(f"INSERT INTO groups ({names}) VALUES ({marks})", tuple(values.values()))
    return int(cur.lastrowid)


def _event(store: Store, group_id: int, project_id: int, *, env="production", tags=(), data=None):
    data = data or {}
    cur = store.execute(
        "INSERT INTO events (event_id, project_id, group_id, timestamp, received, type, level,"
        " title, environment, data) VALUES (?, ?, ?, ?, ?, 'error', 'error', 't', ?, ?)",
        (
            f"{group_id:016x}{len(tags):016x}{id(data):x}"[:32],
            project_id,
            group_id,
            NOW - 60,
            NOW - 60,
            env,
            json.dumps(data),
        ),
    )
    row = cur.lastrowid
    for k, v in [("environment", env), *tags]:
        store.execute(
            "INSERT INTO event_tags (event_row, group_id, key, value) VALUES (?, ?, ?, ?)",
            (row, group_id, k, v),
        )


@pytest.fixture
def groups(store: Store, world: World) -> dict[str, int]:
    p1 = world.projects["checkout-api"].project_id
    p2 = world.projects["billing-worker"].project_id
    ana, ben = world.user_ids["ana"], world.user_ids["ben"]
    g = {
        "new_error": _group(store, p1, 1, level="error", substatus="new", title="KeyError: 'cart'"),
        "old_warning": _group(
            store,
            p1,
            2,
            level="warning",
            substatus="ongoing",
            first_seen=NOW - 30 * 86400,
            last_seen=NOW - 10 * 86400,
            times_seen=500,
            assigned_user_id=ana,
            priority="high",
            first_release="1.0",
        ),
        "resolved": _group(store, p2, 3, status="resolved", substatus=None, times_seen=20),
        "ignored": _group(
            store,
            p2,
            4,
            status="ignored",
            substatus="archived_forever",
            assigned_team_id=world.team_ids["payments"],
            culprit="billing.tasks in charge",
        ),
        "regressed": _group(store, p1, 5, substatus="regressed", assigned_user_id=ben),
    }
    _event(
        store,
        g["new_error"],
        p1,
        tags=[("server_name", "web-1"), ("release", "2.0"), ("handled", "no")],
        data={
            "user": {"email": "jo@example.com", "id": "42"},
            "exception": {
                "values": [
                    {
                        "type": "KeyError",
                        "value": "'cart'",
                        "stacktrace": {"frames": [{"function": "checkout", "filename": "a.py"}]},
                    }
                ]
            },
        },
    )
    _event(store, g["old_warning"], p1, env="staging", tags=[("server_name", "web-2")])
    _event(store, g["regressed"], p1, tags=[("release", "1.0"), ("handled", "yes")])
    store.execute(
        "INSERT INTO releases (org_id, version, date_created) VALUES (?, '1.0', ?), (?, '2.0', ?)",
        (world.org_id, NOW - 100, world.org_id, NOW - 50),
    )
    store.execute("INSERT INTO release_projects SELECT id, ? FROM releases", (p1,))
    store.execute(
        "INSERT INTO group_bookmarks (group_id, user_id, date_added) VALUES (?, ?, ?)",
        (g["resolved"], ana, NOW),
    )
    return g


def _search(store: Store, world: World, text: str, *, envs=(), user: str = "ana") -> set[str]:
    ctx = SearchContext(world.org_id, world.user_ids[user], NOW, environments=envs)
    compiled = compile_query(text, ctx)
    rows = store.query(f"SELECT g.id FROM groups g WHERE {compiled.where}", compiled.params)
    return {r["id"] for r in rows}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"new_error", "old_warning", "resolved", "ignored", "regressed"}),
        ("is:unresolved", {"new_error", "old_warning", "regressed"}),
        ("is:resolved", {"resolved"}),
        ("is:ignored", {"ignored"}),
        ("is:archived", {"ignored"}),
        ("is:muted", {"ignored"}),
        ("!is:unresolved", {"resolved", "ignored"}),
        ("is:assigned", {"old_warning", "ignored", "regressed"}),
        ("is:unassigned", {"new_error", "resolved"}),
        ("is:new", {"new_error"}),
        ("is:ongoing", {"old_warning"}),
        ("is:regressed", {"regressed"}),
        ("is:for_review", {"new_error", "regressed"}),
        ("is:[resolved,ignored]", {"resolved", "ignored"}),
        ("level:warning", {"old_warning"}),
        ("!level:error", {"old_warning"}),
        ("level:[warning,error] is:unresolved", {"new_error", "old_warning", "regressed"}),
        ("assigned:me", {"old_warning"}),
        ("assigned:ben@acme.test", {"regressed"}),
        ("assigned:ben", {"regressed"}),
        ("assigned:#payments", {"ignored"}),
        ("assigned:my_teams", set()),
        ("assigned:none", {"new_error", "resolved"}),
        ("assigned:[me,none]", {"old_warning", "new_error", "resolved"}),
        ("bookmarks:me", {"resolved"}),
        ("timesSeen:>100", {"old_warning"}),
        ("times_seen:>=20", {"old_warning", "resolved"}),
        ("timesSeen:<=1", {"new_error", "ignored", "regressed"}),
        ("timesSeen:20", {"resolved"}),
        ("timesSeen:0.5k", {"old_warning"}),
        ("firstSeen:+7d", {"old_warning"}),
        ("age:-24h", {"new_error", "resolved", "ignored", "regressed"}),
        ("lastSeen:-1w", {"new_error", "resolved", "ignored", "regressed"}),
        ("lastSeen:<2027-01-10", {"old_warning"}),
        ("server_name:web-1", {"new_error"}),
        ("server_name:web-*", {"new_error", "old_warning"}),
        ("tags[server_name]:web-2", {"old_warning"}),
        ("!server_name:web-1", {"old_warning", "resolved", "ignored", "regressed"}),
        ('server_name:""', {"resolved", "ignored", "regressed"}),
        ("has:server_name", {"new_error", "old_warning"}),
        ("!has:server_name", {"resolved", "ignored", "regressed"}),
        ("has:assignee", {"old_warning", "ignored", "regressed"}),
        ("has:user.email", {"new_error"}),
        ("release:1.0", {"regressed"}),
        ("release:latest", {"new_error"}),
        ("firstRelease:1.0", {"old_warning"}),
        ("environment:staging", {"old_warning"}),
        ("user.email:jo@example.com", {"new_error"}),
        ("user.id:42", {"new_error"}),
        ("error.type:KeyError", {"new_error"}),
        ("error.value:*cart*", {"new_error"}),
        ("error.handled:0", {"new_error"}),
        ("error.unhandled:true", {"new_error"}),
        ("error.handled:1", {"old_warning", "regressed"}),
        ("stack.function:checkout", {"new_error"}),
        ("issue.priority:high", {"old_warning"}),
        ("issue.category:error", {"new_error", "old_warning", "resolved", "ignored", "regressed"}),
        ("project:billing-worker", {"resolved", "ignored"}),
        ("title:KeyError*", {"new_error"}),
        ("message:billing", {"ignored"}),
        ("keyerror", {"new_error"}),
        ("'cart'", {"new_error"}),
        ("KeyError: 'cart'", {"new_error"}),
        ("billing.tasks", {"ignored"}),
        ("Err*3", {"resolved"}),
    ],
)
def test_compiled_query_matches(
    store: Store, world: World, groups: dict[str, int], text: str, expected: set[str]
) -> None:
    by_id = {v: k for k, v in groups.items()}
    assert {by_id[i] for i in _search(store, world, text)} == expected


def test_issue_key_matches_short_id_and_id(store: Store, world: World, groups) -> None:
    short = store.query_one("SELECT short_id FROM groups WHERE id = ?", (groups["resolved"],))[0]
    assert _search(store, world, f"issue:{short.lower()}") == {groups["resolved"]}
    assert _search(store, world, f"issue.id:{groups['ignored']}") == {groups["ignored"]}


def test_environment_filter_restricts_event_matches(store: Store, world: World, groups) -> None:
    assert _search(store, world, "server_name:web-*", envs=["staging"]) == {groups["old_warning"]}
    assert _search(store, world, "has:server_name", envs=["production"]) == {groups["new_error"]}


def test_for_review_leaves_after_review(store: Store, world: World, groups) -> None:
    store.execute(
        "UPDATE groups SET status_details = '{\"_reviewed\": 1}' WHERE id = ?",
        (groups["new_error"],),
    )
    assert _search(store, world, "is:for_review") == {groups["regressed"]}


@pytest.mark.parametrize(
    "text",
    [
        "is:bogus",
        "level:loud",
        "issue.priority:urgent",
        "timesSeen:many",
        "timesSeen:>x",
        "firstSeen:yesterday",
        "firstSeen:>-24h",
        "lastSeen:2024-13-45",
        "server:>5",
        "issue.id:abc",
        "error.handled:maybe",
        "age:[-1h,-2h]",
    ],
)
def test_compile_rejects_unanswerable(store: Store, world: World, text: str) -> None:
    with pytest.raises(SearchError):
        _search(store, world, text)
