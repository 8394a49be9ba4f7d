"""HTTP semantics of the demo server: HEAD is GET without a body and never writes; methods a
route does not serve answer 405 with `Allow`.

Every route that serves GET is tried, with path parameters filled from a small world (an issue
with an event and a comment, a release with a deploy, an alert rule), so a new route is covered
the day it is added.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
from platform_events import error_event, ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_795_000_000.0
VERSION = "checkout-api@1.0.0"


def _snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: what "never writes" is checked against."""
    tables = [
        r["name"]
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: [tuple(r) for r in store.query(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}


@pytest.fixture
async def sample(api: httpx.AsyncClient, store: Store, world: World) -> dict[str, str]:
    """Path parameter values naming things that exist."""
    pid = world.projects["checkout-api"].project_id
    event_id, group_id = ingest(
        store, pid, error_event(timestamp=NOW, release=VERSION, tags={"region": "eu"})
    )
    releases = "/api/0/organizations/acme/releases/"
    assert (
        await api.post(releases, json={"version": VERSION, "projects": ["checkout-api"]})
    ).is_success
    deploys = f"{releases}{quote(VERSION, safe='')}/deploys/"
    assert (await api.post(deploys, json={"environment": "production"})).status_code == 201
    comment = await api.post(f"/api/0/issues/{group_id}/comments/", json={"text": "look"})
    assert comment.status_code == 201
    rule = await api.post(
        "/api/0/projects/acme/checkout-api/rules/",
        json={
            "name": "Page on-call",
            "actionMatch": "all",
            "frequency": 30,
            "conditions": [
                {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
            ],
            "actions": [{"id": "sentry.rules.actions.notify_event.NotifyEventAction"}],
        },
    )
    assert rule.status_code == 200, rule.text  # Sentry answers 200 here
    short_id = store.query_one("SELECT short_id FROM groups WHERE id = ?", (group_id,))[0]
    return {
        "org": "acme",
        "project": "checkout-api",
        "team": next(iter(world.team_ids)),
        "member_id": str(world.member_ids["ana"]),
        "environment": "production",
        "version": quote(VERSION, safe=""),
        "rule_id": str(rule.json()["id"]),
        "issue_id": str(group_id),
        "event_id": event_id,
        "short_id": short_id,
        "key": "region",
        "note_id": str(comment.json()["id"]),
    }


def _get_routes(app) -> list[str]:
    return [r.path for r in app.routes if "GET" in (getattr(r, "methods", None) or ())]


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


async def test_head_answers_like_get_on_every_get_route(
    api: httpx.AsyncClient, store: Store, demo_app, sample: dict[str, str]
) -> None:
    paths = _get_routes(demo_app)
    assert len(paths) > 50
    for path in paths:
        url = _fill(path, sample)
        before = _snapshot(store)
        head = await api.head(url)
        assert _snapshot(store) == before, f"HEAD {url} wrote to the database"
        get = await api.get(url)
        assert head.status_code == get.status_code, (url, head.status_code, get.status_code)
        assert head.content == b"", url
        assert head.headers["content-type"] == get.headers["content-type"], url
        if "link" in get.headers:
            assert head.headers["link"] == get.headers["link"], url


async def test_head_on_a_release_route_creates_nothing(
    api: httpx.AsyncClient, store: Store, sample: dict[str, str]
) -> None:
    """HEAD used to fall into the POST branch of the deploys route and create a deploy."""
    url = f"/api/0/organizations/acme/releases/{sample['version']}/deploys/"
    deploys = store.query("SELECT COUNT(*) FROM deploys")[0][0]
    r = await api.head(url, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert store.query("SELECT COUNT(*) FROM deploys")[0][0] == deploys
    r = await api.head("/api/0/organizations/acme/releases/")
    assert r.status_code == 200
    assert r.content == b""


async def test_head_on_issue_routes_is_not_a_server_error(
    api: httpx.AsyncClient, sample: dict[str, str]
) -> None:
    for url in (
        "/api/0/organizations/acme/issues/",
        "/api/0/projects/acme/checkout-api/issues/",
        f"/api/0/organizations/acme/issues/{sample['issue_id']}/",
        f"/api/0/issues/{sample['issue_id']}/",
    ):
        r = await api.head(url)
        assert r.status_code == 200, url
        assert int(r.headers["content-length"]) > 0  # the GET body's length, not sent


async def test_head_keeps_errors_of_get(api: httpx.AsyncClient) -> None:
    assert (await api.head("/api/0/issues/999999/")).status_code == 404
    anon = await api.head("/api/0/organizations/acme/issues/", headers={"Authorization": ""})
    assert anon.status_code == 401


async def test_head_over_real_http(live_server, world: World) -> None:
    """uvicorn sees HEAD too: the answer has GET's headers and no body."""
    headers = {"Authorization": f"Bearer {world.token}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as client:
        head = await client.head("/api/0/organizations/acme/issues/")
        get = await client.get("/api/0/organizations/acme/issues/")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("PATCH", "/api/0/organizations/acme/issues/", {"GET", "HEAD", "PUT", "DELETE"}),
        ("OPTIONS", "/api/0/organizations/acme/releases/", {"GET", "HEAD", "POST"}),
        ("FOO", "/api/0/organizations/acme/", {"GET", "HEAD"}),
        ("POST", "/api/0/organizations/acme/", {"GET", "HEAD"}),
        ("GET", "/api/0/issues/1/comments/1/", {"PUT", "DELETE"}),
        ("HEAD", "/api/0/issues/1/comments/1/", {"PUT", "DELETE"}),
        ("GET", "/api/1/store/", {"POST"}),
        ("HEAD", "/api/1/envelope/", {"POST"}),
    ],
)
async def test_methods_a_route_does_not_serve_answer_405(
    api: httpx.AsyncClient, method: str, url: str, allowed: set[str]
) -> None:
    r = await api.request(method, url)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == allowed
    if method != "HEAD":
        assert r.json() == {"detail": f'Method "{method}" not allowed.'}
    else:
        assert r.content == b""
