"""Hostile input to the demo Web API (issue 18 item 11): numbers beyond SQLite's 64-bit integers
in ids and cursors, bodies over the size limits, oversized comments, and stored events that are
not valid JSON. None of it may produce a 500; each gets a 4xx with a `detail` a person can read.
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
