"""Event detail, headless: navigation against the seeded demo, view models, masking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Activity, Event, Issue, TagDetail
from dexter_tui.services import events as ev
from dexter_tui.services.events import EventNavigator, NoMoreEvents

#: fake token prefixes, joined at run time so secret scanners skip these fixtures
ORG_TOKEN = "sntry" + "s_"


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


async def _issue(client: SentryClient, org: str, query: str = "is:unresolved") -> Issue:
    page = await client.list_issues(org, query=query, limit=100)
    # an issue with a few events, so newer/older have somewhere to go
    return next(i for i in page.items if 3 <= i.count <= 200)


# -- navigation --------------------------------------------------------------------------------


async def test_latest_older_newer_oldest_one_request_each(client, seeded_world) -> None:
    org = seeded_world.org_slug
    issue = await _issue(client, org)
    nav = EventNavigator(client, org, issue.id, total=issue.count)
    latest = await nav.load("latest")
    assert nav.position == 1
    assert latest.next_event_id is None
    assert nav.describe() == f"event 1 of {issue.count:,}"
    with pytest.raises(NoMoreEvents):
        await nav.load("newer")

    older = await nav.load("older")
    assert older.event_id == latest.previous_event_id
    assert older.next_event_id == latest.event_id
    assert nav.position == 2

    back = await nav.load("newer")
    assert back.event_id == latest.event_id
    assert nav.position == 1

    oldest = await nav.load("oldest")
    assert oldest.previous_event_id is None
    assert nav.position == issue.count
    with pytest.raises(NoMoreEvents):
        await nav.load("older")

    recommended = await nav.load("recommended")
    assert recommended.group_id == issue.id
    assert nav.position is None
    assert nav.describe() == f"recommended event · {issue.count:,} in all"  # was "event ? of"
    assert nav.requests == 5  # NoMoreEvents never sent a request

    by_id = await nav.load(older.event_id or "", position=2)
    assert by_id.event_id == older.event_id
    assert nav.position == 2


async def test_event_list_pages_newest_first(client, seeded_world) -> None:
    org = seeded_world.org_slug
    issue = await _issue(client, org)
    nav = EventNavigator(client, org, issue.id, total=issue.count)
    page = await nav.list_events(per_page=2)
    assert len(page.items) == 2
    dates = [e.date_created for e in page.items]
    assert dates == sorted(dates, reverse=True)
    latest = await nav.load("latest")
    assert page.items[0].event_id == latest.event_id


async def test_seeded_event_view_models(client, seeded_world) -> None:
    org = seeded_world.org_slug
    issue = await _issue(client, org)
    event = await client.get_issue_event(org, issue.id, "latest")
    chain = ev.exception_chain(event, in_app_only=False)
    assert chain
    assert chain[-1].type == event.metadata.get("type")
    frames = chain[-1].stack.frames
    assert frames
    assert frames[-1].context, "the crashing frame carries its source lines"
    hot = [n for n, _ in frames[-1].context]
    assert frames[-1].line_no in hot
    in_app = ev.exception_chain(event, in_app_only=True)[-1].stack
    assert all(f.in_app for f in in_app.frames)
    assert in_app.hidden == in_app.total - len(in_app.frames)
    crumbs = ev.breadcrumb_views(event)
    assert crumbs
    assert all(c.offset is not None and c.offset <= 0 for c in crumbs)
    groups = dict(ev.context_groups(event))
    assert "runtime" in groups
    assert "os" in groups
    raw = ev.event_json(event)
    assert raw["eventID"] == event.event_id
    assert "entries" in raw
    lines = ev.raw_lines(raw)
    assert ev.search_lines(lines, event.event_id or "")


async def test_tag_rows_mark_the_event_value(client, seeded_world) -> None:
    org = seeded_world.org_slug
    issue = await _issue(client, org)
    event = await client.get_issue_event(org, issue.id, "latest")
    details = await client.list_issue_tags(org, issue.id)
    rows = ev.tag_rows(details, event)
    env = event.tag("environment")
    mine = [r for r in rows if r.key == "environment" and r.on_event]
    assert [r.value for r in mine] == [env]
    level = [r for r in rows if r.key == "level"]
    assert level[0].first_of_key
    assert abs(sum(r.share for r in level) - 1.0) < 0.01


async def test_deadlock_event_is_recognised(client, seeded_world) -> None:
    org = seeded_world.org_slug
    page = await client.list_issues(org, query="DeadlockDetected", limit=100)
    deadlock = next(i for i in page.items if "deadlock" in i.title.lower())
    event = await client.get_issue_event(org, deadlock.id, "latest")
    analysis = ev.deadlock_analysis(event)
    assert analysis is not None
    assert analysis.is_deadlock
    assert "deadlock" in analysis.render_text().lower()

    other = await _issue(client, org)
    plain = await client.get_issue_event(org, other.id, "latest")
    assert "deadlock" not in plain.title.lower()
    assert ev.deadlock_analysis(plain) is None


# -- pure view models ------------------------------------------------------------------------------


def _event(**fields: Any) -> Event:
    return Event.model_validate({"id": "e1", "eventID": "e1", "title": "t", **fields})


def _frame(function: str, in_app: bool, line: int = 10) -> dict[str, Any]:
    return {
        "function": function,
        "filename": f"{function}.py",
        "inApp": in_app,
        "lineNo": line,
        "context": [[line - 1, "a = 1"], [line, "boom()"], [line + 1, "b = 2"]],
        "vars": {"x": 1, "name": "[bold]y[/]"},
    }


def test_exception_chain_is_causal_and_filters_library_frames() -> None:
    event = _event(
        entries=[
            {
                "type": "exception",
                "data": {
                    "values": [
                        {
                            "type": "KeyError",
                            "value": "'a'",
                            "stacktrace": {"frames": [_frame("lib", False), _frame("mine", True)]},
                        },
                        {
                            "type": "RuntimeError",
                            "value": "wrapped",
                            "mechanism": {"type": "chained", "handled": True},
                            "stacktrace": {"frames": [_frame("lib2", False)]},
                        },
                    ]
                },
            }
        ]
    )
    chain = ev.exception_chain(event, in_app_only=True)
    assert [e.type for e in chain] == ["KeyError", "RuntimeError"]  # cause first
    assert chain[0].relation == ""
    assert "another exception" in chain[1].relation
    assert [f.function for f in chain[0].stack.frames] == ["mine"]
    assert chain[0].stack.hidden == 1
    # no in-app frame at all: every frame is shown rather than an empty trace
    assert [f.function for f in chain[1].stack.frames] == ["lib2"]
    full = ev.exception_chain(event, in_app_only=False, newest_first=True)
    assert [e.type for e in full] == ["RuntimeError", "KeyError"]
    assert [f.function for f in full[1].stack.frames] == ["mine", "lib"]
    assert ("name", "[bold]y[/]") in chain[0].stack.frames[0].variables
    assert chain[1].mechanism == "chained"
    assert chain[1].handled is True


def test_threads_crashed_first() -> None:
    event = _event(
        entries=[
            {
                "type": "threads",
                "data": {
                    "values": [
                        {"id": 1, "name": "idle", "stacktrace": {"frames": [_frame("w", True)]}},
                        {"id": 2, "name": "main", "crashed": True, "current": True},
                    ]
                },
            }
        ]
    )
    threads = ev.thread_views(event)
    assert [t.id for t in threads] == ["2", "1"]
    assert threads[0].crashed


def test_breadcrumb_offsets_and_filters() -> None:
    event = _event(
        dateCreated="2026-01-01T00:00:10Z",
        entries=[
            {
                "type": "breadcrumbs",
                "data": {
                    "values": [
                        {
                            "category": "query",
                            "message": "SELECT 1",
                            "level": "info",
                            "timestamp": "2026-01-01T00:00:07.500Z",
                        },
                        {
                            "category": "http",
                            "message": "GET /x",
                            "level": "warning",
                            "data": {"status_code": 500},
                            "timestamp": "2026-01-01T00:00:09Z",
                        },
                    ]
                },
            }
        ],
    )
    crumbs = ev.breadcrumb_views(event)
    assert [ev.format_offset(c.offset) for c in crumbs] == ["-2.50s", "-1.00s"]
    assert [c.message for c in ev.filter_crumbs(crumbs, "category:http")] == ["GET /x"]
    assert [c.message for c in ev.filter_crumbs(crumbs, "level:info")] == ["SELECT 1"]
    assert [c.message for c in ev.filter_crumbs(crumbs, "500")] == ["GET /x"]
    assert ev.filter_crumbs(crumbs, "cat:query nothing") == []
    assert ev.format_offset(-125) == "-2m05s"
    assert ev.format_offset(None) == "?"


def test_request_secrets_are_masked() -> None:
    event = _event(
        entries=[
            {
                "type": "request",
                "data": {
                    "method": "POST",
                    "url": "https://shop.example/api/pay",
                    "query": [["page", "2"], ["access_token", "abc123"]],
                    "headers": [
                        ["Authorization", "Bearer s3cr3t-value"],
                        ["Cookie", "session=xyz"],
                        ["X-Api-Key", "k-123"],
                        ["User-Agent", "curl/8"],
                    ],
                    "cookies": [["session", "xyz"]],
                    "data": {"card": {"number": "4111"}, "password": "hunter2", "amount": 3},
                    "env": {"REMOTE_ADDR": "10.0.0.1", "SECRET_KEY": "dj"},
                },
            }
        ]
    )
    req = ev.request_view(event)
    assert req is not None
    headers = dict(req.headers)
    assert headers["Authorization"] == "Bearer ********"
    assert headers["Cookie"] == ev.MASK
    assert headers["X-Api-Key"] == ev.MASK
    assert headers["User-Agent"] == "curl/8"
    assert dict(req.query) == {"page": "2", "access_token": ev.MASK}
    assert req.cookies == [("session", ev.MASK)]
    assert "hunter2" not in req.body
    assert '"amount": 3' in req.body
    assert dict(req.env)["SECRET_KEY"] == ev.MASK
    assert dict(req.env)["REMOTE_ADDR"] == "10.0.0.1"
    assert ev.request_view(_event()) is None
    assert (
        ev.request_view(
            _event(entries=[{"type": "request", "data": {"data": "user=a&password=p1&x=2"}}])
        ).body
        == "user=a&password=********&x=2"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ana@example.com now", "mail ‹email› now"),
        ("from 192.168.1.20:5432", "from ‹ip›:5432"),
        ("v6 2001:db8::1 here", "v6 ‹ip› here"),
        ("card 4111 1111 1111 1111!", "card ‹card›!"),
        ("not a card 1234 5678 9012 3456", "not a card 1234 5678 9012 3456"),
        (f"token {ORG_TOKEN}abcdefghijklmnop", "token ‹token›"),
        ("jwt eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig_part-1", "jwt ‹token›"),
        ("key " + "aB3" * 15, "key ‹token›"),
        # kept: event/trace ids, times, versions, plain words
        ("event 1528f381c7fb0a4a6e946c7e39897f66", "event 1528f381c7fb0a4a6e946c7e39897f66"),
        ("at 12:30:45 on 2.13.0", "at 12:30:45 on 2.13.0"),
        ("dexter_tui/demo/scenario/checkout.py", "dexter_tui/demo/scenario/checkout.py"),
    ],
)
def test_mask_pii(text: str, expected: str) -> None:
    assert ev.mask_pii(text) == expected


def test_tag_query_quotes_and_bars() -> None:
    assert ev.tag_query("release", 'a"b\\c') == 'release:"a\\"b\\\\c"'
    assert ev.bar(1.0, 4) == "████"
    assert ev.bar(0.0, 4) == "    "
    assert ev.bar(0.5, 4) == "██  "
    assert len(ev.bar(0.33, 10)) == 10


def test_tag_rows_include_event_values_missing_from_top_values() -> None:
    detail = TagDetail.model_validate(
        {"key": "browser", "totalValues": 10, "topValues": [{"value": "Chrome", "count": 10}]}
    )
    event = _event(tags=[{"key": "browser", "value": "Lynx"}, {"key": "solo", "value": "1"}])
    rows = ev.tag_rows([detail], event)
    assert [(r.key, r.value, r.on_event) for r in rows] == [
        ("browser", "Chrome", False),
        ("browser", "Lynx", True),
        ("solo", "1", True),
    ]


def test_activity_labels_and_ownership() -> None:
    note = Activity.model_validate(
        {"id": "1", "type": "note", "data": {"text": "hi"}, "user": {"id": "7", "name": "Ana"}}
    )
    assigned = Activity.model_validate(
        {"id": "2", "type": "assigned", "data": {"assigneeName": "Ben"}, "user": None}
    )
    assert ev.is_own(note, "7")
    assert not ev.is_own(note, "8")
    assert not ev.is_own(assigned, "7")
    assert ev.activity_label(assigned) == "assigned to Ben"
    assert ev.actor_name(assigned) == "Sentry"
    assert ev.actor_name(note) == "Ana"


def test_raw_lines_of_a_multi_megabyte_event() -> None:
    big = {
        "entries": [
            {
                "type": "breadcrumbs",
                "data": {"values": [{"message": f"crumb {n} " + "x" * 40} for n in range(60_000)]},
            }
        ]
    }
    lines = ev.raw_lines(big)
    assert len(lines) > 180_000
    found = ev.search_lines(lines, "CRUMB 59999")
    assert len(found) == 1
    assert '"crumb 59999 x' in lines[found[0]]
