"""Releases and deploys of the demo Web API (what `sentry-cli releases` drives)."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from platform_events import error_event, ingest

from dexter_tui.demo.api.releases import version_info
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

RELEASES = "/api/0/organizations/acme/releases/"


def _url(version: str, suffix: str = "") -> str:
    return f"{RELEASES}{quote(version, safe='')}/{suffix}"


async def test_create_then_read_a_release(api: httpx.AsyncClient) -> None:
    body = {"version": "checkout-api@1.2.0+b7", "projects": ["checkout-api"], "ref": "abc"}
    r = await api.post(RELEASES, json=body)
    assert r.status_code == 201
    created = r.json()
    assert created["version"] == "checkout-api@1.2.0+b7"
    assert created["shortVersion"] == "1.2.0 (b7)"
    assert created["versionInfo"]["package"] == "checkout-api"
    assert created["versionInfo"]["version"]["major"] == 1
    assert [p["slug"] for p in created["projects"]] == ["checkout-api"]
    assert created["dateReleased"] is None

    again = await api.post(RELEASES, json={**body, "projects": ["billing-worker"]})
    assert again.status_code == 208  # Sentry: already exists, projects added
    assert sorted(p["slug"] for p in again.json()["projects"]) == [
        "billing-worker",
        "checkout-api",
    ]

    detail = await api.get(_url("checkout-api@1.2.0+b7"))
    assert detail.status_code == 200
    assert detail.json()["id"] == created["id"]


async def test_versions_with_slashes_round_trip(api: httpx.AsyncClient) -> None:
    await api.post(RELEASES, json={"version": "web@2024.05.01", "projects": ["notifications"]})
    r = await api.get(_url("web@2024.05.01"))
    assert r.json()["version"] == "web@2024.05.01"
    assert (await api.get(_url("no-such-version"))).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"projects": ["checkout-api"]}, "version"),
        ({"version": "latest", "projects": ["checkout-api"]}, "version"),
        ({"version": "1.0"}, "projects"),
        ({"version": "1.0", "projects": ["nope"]}, "projects"),
    ],
)
async def test_create_validation(api: httpx.AsyncClient, body: dict, field: str) -> None:
    r = await api.post(RELEASES, json=body)
    assert r.status_code == 400
    assert field in r.json()


async def test_read_only_token_cannot_create(api: httpx.AsyncClient, world: World) -> None:
    r = await api.post(
        RELEASES,
        json={"version": "1.0", "projects": ["checkout-api"]},
        headers={"Authorization": f"Bearer {world.read_token}"},
    )
    assert r.status_code == 403


async def test_new_groups_and_event_span_come_from_ingested_events(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    pid = world.projects["checkout-api"].project_id
    t0 = 1_790_000_000.0
    ingest(store, pid, error_event("KeyError", timestamp=t0, release="checkout-api@1.0.0"))
    ingest(store, pid, error_event("KeyError", timestamp=t0 + 60, release="checkout-api@1.1.0"))
    ingest(store, pid, error_event("TypeError", timestamp=t0 + 120, release="checkout-api@1.1.0"))

    r = await api.get(RELEASES, params={"project": str(pid)})
    releases = {rel["version"]: rel for rel in r.json()}
    assert set(releases) == {"checkout-api@1.0.0", "checkout-api@1.1.0"}
    # KeyError first appeared in 1.0.0; TypeError is new in 1.1.0.
    assert releases["checkout-api@1.0.0"]["newGroups"] == 1
    assert releases["checkout-api@1.1.0"]["newGroups"] == 1
    assert releases["checkout-api@1.1.0"]["firstEvent"].startswith("2026-09-21T")
    assert releases["checkout-api@1.1.0"]["projects"][0]["newGroups"] == 1

    r = await api.get(RELEASES, params={"query": "1.1"})
    assert [rel["version"] for rel in r.json()] == ["checkout-api@1.1.0"]
    r = await api.get("/api/0/projects/acme/billing-worker/releases/")
    assert r.json() == []


async def test_release_list_paginates(api: httpx.AsyncClient) -> None:
    for n in range(5):
        await api.post(RELEASES, json={"version": f"v{n}", "projects": ["checkout-api"]})
    seen = []
    url = f"{RELEASES}?per_page=2"
    while True:
        r = await api.get(url)
        seen += [rel["version"] for rel in r.json()]
        if r.links["next"]["results"] == "false":
            break
        url = r.links["next"]["url"]
    assert seen == ["v4", "v3", "v2", "v1", "v0"]


async def test_deploys_and_finalize(api: httpx.AsyncClient) -> None:
    await api.post(RELEASES, json={"version": "1.0.0", "projects": ["checkout-api"]})
    r = await api.post(_url("1.0.0", "deploys/"), json={"environment": "canary", "name": "d1"})
    assert r.status_code == 201
    assert r.json()["environment"] == "canary"
    deploys = (await api.get(_url("1.0.0", "deploys/"))).json()
    assert [d["name"] for d in deploys] == ["d1"]
    release = (await api.get(_url("1.0.0"))).json()
    assert release["deployCount"] == 1
    assert release["lastDeploy"]["environment"] == "canary"
    assert release["dateReleased"] is not None  # a deploy releases it
    envs = (await api.get("/api/0/projects/acme/checkout-api/environments/")).json()
    assert [e["name"] for e in envs] == ["canary"]

    r = await api.put(_url("1.0.0"), json={"dateReleased": "2026-01-02T03:04:05.123456789Z"})
    assert r.json()["dateReleased"] == "2026-01-02T03:04:05.123456Z"
    r = await api.post(_url("1.0.0", "deploys/"), json={"name": "x"})
    assert r.status_code == 400


async def test_delete_release(api: httpx.AsyncClient, store: Store, world: World) -> None:
    await api.post(RELEASES, json={"version": "gone", "projects": ["checkout-api"]})
    assert (await api.delete(_url("gone"))).status_code == 204
    assert (await api.get(_url("gone"))).status_code == 404
    pid = world.projects["checkout-api"].project_id
    ingest(store, pid, error_event(timestamp=1_790_000_000.0, release="in-use"))
    r = await api.delete(_url("in-use"))
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("version", "package", "description"),
    [
        ("checkout@1.2.3", "checkout", "1.2.3"),
        ("1.2.3-rc.1+build.5", None, "1.2.3-rc.1 (build.5)"),
        ("0f1e2d3c4b5a69788796a5b4c3d2e1f001234567", None, "0f1e2d3c4b5a"),
        ("nightly", None, "nightly"),
    ],
)
def test_version_info(version: str, package: str | None, description: str) -> None:
    info = version_info(version)
    assert info["package"] == package
    assert info["description"] == description
    assert info["buildHash"] == (version if len(version) == 40 else None)


async def test_deploy_pages_link_back_to_the_encoded_version(api: httpx.AsyncClient) -> None:
    version = "checkout-api@2.0.0+build 7"
    await api.post(RELEASES, json={"version": version, "projects": ["checkout-api"]})
    for env in ("canary", "production"):
        await api.post(_url(version, "deploys/"), json={"environment": env})
    r = await api.get(_url(version, "deploys/"), params={"per_page": 1})
    assert r.links["next"]["url"].startswith(f"http://demo.test{_url(version, 'deploys/')}?")
    second = await api.get(r.links["next"]["url"])
    assert [d["environment"] for d in r.json() + second.json()] == ["production", "canary"]
