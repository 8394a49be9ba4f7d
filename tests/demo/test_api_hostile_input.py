"""Hostile input to the demo Web API (issue 18 item 11): numbers beyond SQLite's 64-bit integers
in ids and cursors, bodies over the size limits, oversized comments, and stored events that are
not valid JSON. None of it may produce a 500; each gets a 4xx with a `detail` a person can read.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx
import pytest
from platform_events import error_event, ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_795_000_000.0
HUGE = str(2**63)  # one past SQLite's largest INTEGER
HUGER = "9" * 40
NEGATIVE = str(-(2**63) - 1)


@pytest.fixture
def issue(store: Store, world: World) -> tuple[str, int]:
    pid = world.projects["checkout-api"].project_id
    return ingest(store, pid, error_event(timestamp=NOW, release="checkout-api@1.0.0"))


def _values(issue: tuple[str, int], big: str) -> dict[str, str]:
    return {
        "org": "acme",
        "project": "checkout-api",
        "team": "backend",
        "member_id": big,
        "environment": "production",
        "version": quote("checkout-api@1.0.0", safe=""),
        "rule_id": big,
        "issue_id": big,
        "event_id": issue[0],
        "short_id": big,
        "key": "environment",
        "note_id": big,
    }


def _concrete(demo_app, values: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for route in demo_app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method == "HEAD":
                continue
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), route.path)
            out.append((method, path))
    return out


@pytest.mark.parametrize("big", [HUGE, HUGER, "²", "٣"])
@pytest.mark.parametrize("slot", ["ids", "org", "project", "team"])
async def test_huge_ids_in_paths_are_not_server_errors(
    api: httpx.AsyncClient, demo_app, issue: tuple[str, int], big: str, slot: str
) -> None:
    values = _values(issue, big)
    if slot != "ids":
        values = {**_values(issue, str(issue[1])), slot: big}
    failures = []
    for method, url in _concrete(demo_app, values):
        if "/_demo/" in url:
            continue
        body = {} if method in ("PUT", "POST") else None
        r = await api.request(method, url, json=body)
        if r.status_code >= 500:
            failures.append(f"{method} {url} -> {r.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "query",
    [
        f"id={HUGE}",
        f"id={HUGER}",
        f"id={NEGATIVE}",
        f"project={HUGE}",
        f"project={HUGER}",
        f"cursor=0:{HUGE}:0",
        f"cursor={HUGER}:0:0",
        f"cursor=0:{HUGER}:0",
        "cursor=1e400:0:0",
        f"per_page={HUGER}",
        f"limit={HUGER}",
        f"query=id:{HUGER}",
        f"query=times_seen:>{HUGER}",
        f"query=timesSeen:>{HUGE}",
        f"query=issue.id:{HUGER}",
        f"groupStatsPeriod=auto&start=1&end={HUGER}",
        f"statsPeriod={HUGER}d",
        f"statsPeriod={HUGER}",
        f"interval={HUGER}",
        f"full={HUGER}",
        f"environment={HUGER}",
    ],
)
async def test_huge_numbers_in_queries_are_not_server_errors(
    api: httpx.AsyncClient, demo_app, issue: tuple[str, int], query: str
) -> None:
    values = _values(issue, str(issue[1]))
    values["rule_id"] = "1"
    failures = []
    for method, url in _concrete(demo_app, values):
        if method != "GET" or "/_demo/" in url:
            continue
        r = await api.get(f"{url}?{query}")
        if r.status_code >= 500:
            failures.append(f"GET {url}?{query} -> {r.status_code}")
    for method in ("PUT", "DELETE"):
        for url in (
            "/api/0/organizations/acme/issues/",
            "/api/0/projects/acme/checkout-api/issues/",
        ):
            r = await api.request(method, f"{url}?{query}", json={"status": "resolved"})
            if r.status_code >= 500:
                failures.append(f"{method} {url}?{query} -> {r.status_code}")
    assert not failures, "\n".join(failures)


async def test_huge_cursor_and_id_answer_400_with_a_detail(api: httpx.AsyncClient) -> None:
    r = await api.get(f"/api/0/organizations/acme/issues/?cursor=0:{HUGER}:0")
    assert r.status_code == 400
    assert r.json() == {"detail": "Invalid cursor parameter."}
    r = await api.put(f"/api/0/organizations/acme/issues/?id={HUGER}", json={"status": "resolved"})
    assert r.status_code == 400
    assert r.json() == {"id": ["A valid integer is required."]}
    assert (await api.get(f"/api/0/issues/{HUGER}/")).status_code == 404


# -- body size limits ---------------------------------------------------------------------------


async def _call_raw(
    app, method: str, path: str, headers: dict[str, str], chunks
) -> tuple[int, bytes, int]:
    """Drive the ASGI app directly: `chunks` is what the client would stream. Returns status,
    body and how many chunks the app read."""
    read = 0
    sent: list[dict] = []
    iterator = iter(chunks)

    async def receive() -> dict:
        nonlocal read
        chunk = next(iterator, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5555),
        "server": ("demo.test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, read


def _never():
    raise AssertionError("the body was read although Content-Length is over the limit")
    yield b""  # pragma: no cover


def _endless(size: int = 64 * 1024):
    while True:
        yield b" " * size


@pytest.mark.parametrize(
    "path",
    [
        "/api/0/organizations/acme/issues/",
        "/api/0/organizations/acme/releases/",
        "/api/0/issues/1/comments/",
        "/api/0/no-such-route/",
        "/api/1/store/",
        "/api/1/envelope/",
    ],
)
async def test_declared_length_over_the_limit_is_refused_unread(
    demo_app, world: World, path: str
) -> None:
    headers = {
        "authorization": f"Bearer {world.token}",
        "content-type": "application/json",
        "content-length": str(300 * 1024 * 1024),
    }
    status, body, read = await _call_raw(demo_app, "POST", path, headers, _never())
    assert status == 413
    assert read == 0
    assert b"too large" in body.lower()


@pytest.mark.parametrize(
    ("path", "limit_mib"),
    [
        ("/api/0/organizations/acme/releases/", 3),
        ("/api/0/issues/{issue}/comments/", 3),
        ("/api/1/store/", 2),
    ],
)
async def test_streamed_body_over_the_limit_stops_being_read(
    demo_app, world: World, issue: tuple[str, int], path: str, limit_mib: int
) -> None:
    """No Content-Length (chunked): the server stops reading at the limit."""
    headers = {"authorization": f"Bearer {world.token}", "content-type": "application/json"}
    path = path.format(issue=issue[1])
    status, body, read = await _call_raw(demo_app, "POST", path, headers, _endless())
    assert status == 413
    assert read * 64 * 1024 <= limit_mib * 1024 * 1024 + 64 * 1024
    assert b"too large" in body.lower()


async def test_bad_content_length_is_a_400(demo_app, world: World) -> None:
    headers = {"authorization": f"Bearer {world.token}", "content-length": "12abc"}
    status, _, read = await _call_raw(
        demo_app, "PUT", "/api/0/organizations/acme/issues/", headers, _never()
    )
    assert status == 400
    assert read == 0


async def test_a_body_within_the_limit_still_works(api: httpx.AsyncClient) -> None:
    commits = [{"id": f"{n:040x}", "message": "m" * 1000} for n in range(1500)]  # ~1.6 MB
    r = await api.post(
        "/api/0/organizations/acme/releases/",
        json={"version": "big@1", "projects": ["checkout-api"], "commits": commits},
    )
    assert r.status_code == 201, r.text
    assert r.json()["commitCount"] == 1500


async def test_oversized_body_over_real_http(live_server, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as client:
        r = await client.post(
            "/api/0/organizations/acme/releases/", content=b"x" * (4 * 1024 * 1024)
        )
    assert r.status_code == 413
    assert "too large" in r.json()["detail"].lower()


# -- comment size cap ---------------------------------------------------------------------------


async def test_a_comment_over_the_cap_is_refused(
    api: httpx.AsyncClient, store: Store, issue: tuple[str, int]
) -> None:
    from dexter_tui.demo.api.comments import MAX_COMMENT_CHARS

    url = f"/api/0/issues/{issue[1]}/comments/"
    r = await api.post(url, json={"text": "x" * (MAX_COMMENT_CHARS + 1)})
    assert r.status_code == 400
    assert r.json() == {
        "text": [f"Ensure this field has no more than {MAX_COMMENT_CHARS} characters."]
    }
    assert store.query("SELECT COUNT(*) FROM activities WHERE type = 'note'")[0][0] == 0
    ok = await api.post(url, json={"text": "y" * MAX_COMMENT_CHARS})
    assert ok.status_code == 201
    edit = await api.put(f"{url}{ok.json()['id']}/", json={"text": "z" * (MAX_COMMENT_CHARS + 1)})
    assert edit.status_code == 400
    stored = store.query("SELECT data FROM activities WHERE type = 'note'")
    assert [len(json.loads(r["data"])["text"]) for r in stored] == [MAX_COMMENT_CHARS]


# -- stored events that are not valid JSON ------------------------------------------------------

#: What a stored event's `data` can hold when something wrote it unchecked: Python's `json`
#: writes NaN/Infinity (not JSON), 1e400 reads back as infinity, a lone surrogate escape, text
#: cut off, nesting deeper than SQLite's JSON parser takes.
BROKEN_DATA = {
    "nan": '{"exception":{"values":[{"type":"ValueError","value":"x","module":NaN}]},'
    '"extra":{"v":Infinity}}',
    "huge-float": '{"exception":{"values":[{"type":"ValueError","value":"x"}]},'
    '"extra":{"v":1e400}}',
    "surrogate": '{"exception":{"values":[{"type":"ValueError","value":"bad \\ud800 text"}]}}',
    "truncated": '{"exception":{"values":[{"type":"ValueError","val',
    "deep": '{"exception":{"values":[{"type":"ValueError"}]},"extra":{"d":'
    + "[" * 3000
    + "]" * 3000
    + "}}",
}


def _event_urls(event_id: str, group_id: int) -> list[str]:
    org = "/api/0/organizations/acme"
    return [
        f"/api/0/issues/{group_id}/events/",
        f"/api/0/issues/{group_id}/events/?full=true",
        f"/api/0/issues/{group_id}/events/latest/",
        f"/api/0/issues/{group_id}/events/oldest/",
        f"/api/0/issues/{group_id}/events/recommended/",
        f"/api/0/issues/{group_id}/events/{event_id}/",
        f"{org}/issues/{group_id}/events/{event_id}/",
        f"/api/0/issues/{group_id}/hashes/",
        f"/api/0/issues/{group_id}/hashes/?full=true",
        f"/api/0/issues/{group_id}/tags/",
        f"/api/0/issues/{group_id}/",
        "/api/0/projects/acme/checkout-api/events/",
        "/api/0/projects/acme/checkout-api/events/?full=true",
        f"/api/0/projects/acme/checkout-api/events/{event_id}/",
        f"{org}/eventids/{event_id}/",
        "/api/0/projects/acme/checkout-api/users/",
        f"{org}/issues/?query=error.type:ValueError",
        f"{org}/issues/?query=error.value:x",
        f"{org}/issues/?query=stack.function:handler",
        f"{org}/issues/?query=user.email:a@b.c",
        "/api/0/projects/acme/checkout-api/issues/?query=error.type:ValueError",
        f"{org}/events/?dataset=errors&field=id&field=title&field=error.type&field=user.email"
        "&query=error.type:ValueError&statsPeriod=14d",
        f"{org}/events/?dataset=errors&field=error.value&field=count()&statsPeriod=14d",
        f"{org}/events/?dataset=errors&field=extra.v&field=id&statsPeriod=14d",
        f"/api/0/issues/{group_id}/events/?query=error.value:x",
    ]


@pytest.mark.parametrize("kind", list(BROKEN_DATA))
async def test_a_broken_stored_event_breaks_no_route(
    api: httpx.AsyncClient, store: Store, world: World, kind: str
) -> None:
    pid = world.projects["checkout-api"].project_id
    good_id, group_id = ingest(store, pid, error_event(timestamp=NOW - 60, user="u1"))
    bad_id, bad_group = ingest(store, pid, error_event(timestamp=NOW, user="u2"))
    assert bad_group == group_id
    store.execute("UPDATE events SET data = ? WHERE event_id = ?", (BROKEN_DATA[kind], bad_id))

    failures = []
    for url in _event_urls(bad_id, group_id):
        r = await api.get(url)
        if r.status_code != 200:
            failures.append(f"GET {url} -> {r.status_code} {r.text[:200]}")
    assert not failures, "\n".join(failures)

    # the good event is still served whole; the broken one keeps its columns (title, ids)
    good = (await api.get(f"/api/0/issues/{group_id}/events/{good_id}/")).json()
    assert good["entries"]
    bad = (await api.get(f"/api/0/issues/{group_id}/events/{bad_id}/")).json()
    assert bad["eventID"] == bad_id
    assert bad["title"] == good["title"]
    listed = (await api.get(f"/api/0/issues/{group_id}/events/")).json()
    assert {e["eventID"] for e in listed} == {good_id, bad_id}
    found = (await api.get("/api/0/organizations/acme/issues/?query=error.type:ValueError")).json()
    assert [int(i["id"]) for i in found] == [group_id]  # the good event still matches


async def test_what_can_be_read_of_a_broken_event_is_shown(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    """NaN/Infinity become null, a lone surrogate becomes U+FFFD; the rest of the event stays."""
    pid = world.projects["checkout-api"].project_id
    event_id, group_id = ingest(store, pid, error_event(timestamp=NOW))
    store.execute("UPDATE events SET data = ? WHERE event_id = ?", (BROKEN_DATA["nan"], event_id))
    event = (await api.get(f"/api/0/issues/{group_id}/events/{event_id}/")).json()
    (exc,) = next(e for e in event["entries"] if e["type"] == "exception")["data"]["values"]
    assert exc["type"] == "ValueError"
    assert exc["module"] is None

    store.execute(
        "UPDATE events SET data = ? WHERE event_id = ?", (BROKEN_DATA["surrogate"], event_id)
    )
    event = (await api.get(f"/api/0/issues/{group_id}/events/{event_id}/")).json()
    (exc,) = next(e for e in event["entries"] if e["type"] == "exception")["data"]["values"]
    assert exc["value"] == "bad \ufffd text"


async def test_a_database_written_before_the_guard_is_repaired_on_open(tmp_path) -> None:
    from dexter_tui.demo.server import create_app
    from dexter_tui.demo.world import create_world

    path = tmp_path / "old.sqlite3"
    store = Store(path)
    world = create_world(store)
    pid = world.projects["checkout-api"].project_id
    event_id, group_id = ingest(store, pid, error_event(timestamp=NOW))
    for trigger in store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        store.execute(f"DROP TRIGGER {trigger['name']}")  # as a database from before the guard
    store.execute("DELETE FROM meta")
    store.execute("UPDATE events SET data = ? WHERE event_id = ?", (BROKEN_DATA["nan"], event_id))
    store.close()

    store = Store(path)
    transport = httpx.ASGITransport(app=create_app(store))
    headers = {"Authorization": f"Bearer {world.token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=headers
    ) as client:
        r = await client.get("/api/0/organizations/acme/issues/?query=error.type:ValueError")
        assert r.status_code == 200
        r = await client.get(f"/api/0/issues/{group_id}/events/{event_id}/")
        assert r.status_code == 200
    store.close()


# -- request bodies the store cannot hold -------------------------------------------------------

_DEEP = b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/0/issues/{issue}/", _DEEP),
        ("PUT", "/api/0/organizations/acme/issues/?id={issue}", _DEEP),
        ("POST", "/api/0/organizations/acme/releases/", _DEEP),
        ("POST", "/api/0/projects/acme/checkout-api/rules/", _DEEP),
        ("POST", "/api/0/_demo/faults/", _DEEP),
        ("POST", "/api/0/issues/{issue}/comments/", b'{"text": "bad \\ud800 x"}'),
        ("PUT", "/api/0/issues/{issue}/", b'{"assignedTo": "\\udc00"}'),
        ("POST", "/api/0/organizations/acme/releases/", b'{"version": "v\\ud800", "projects": []}'),
        ("POST", "/api/0/projects/acme/checkout-api/rules/", b'{"name": "\\ud800"}'),
        ("PUT", "/api/0/issues/{issue}/", b'{"status": NaN}'),
        ("PUT", "/api/0/issues/{issue}/", b'{"snoozeDuration": 1e400}'),
    ],
)
async def test_bodies_the_store_cannot_hold_are_400(
    api: httpx.AsyncClient, store: Store, issue: tuple[str, int], method: str, path: str, body
) -> None:
    before = store.query("SELECT COUNT(*) FROM activities")[0][0]
    r = await api.request(
        method,
        path.format(issue=issue[1]),
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert r.json()
    assert store.query("SELECT COUNT(*) FROM activities")[0][0] == before
