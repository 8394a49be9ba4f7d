"""Organisation-level routes of the demo Web API: what a client needs before it lists issues."""

from __future__ import annotations

import httpx
import pytest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World


async def test_api_root_describes_the_token(api: httpx.AsyncClient, demo_app) -> None:
    r = await api.get("/api/0/")
    body = r.json()
    assert body["version"] == "0"
    assert "event:write" in body["auth"]["scopes"]
    assert body["user"]["email"] == "ana@acme.test"
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as anon:
        assert (await anon.get("/api/0/")).json() == {"version": "0", "auth": None, "user": None}


async def test_organizations_link_back_to_this_server(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/0/organizations/")
    assert r.status_code == 200
    [org] = r.json()
    assert org["slug"] == "acme"
    assert org["links"] == {
        "organizationUrl": "http://demo.test",
        "regionUrl": "http://demo.test",
    }
    assert r.links["next"]["results"] == "false"
    detail = (await api.get("/api/0/organizations/acme/")).json()
    assert detail["id"] == org["id"]
    assert "org:write" in detail["access"]


async def test_org_token_sees_only_its_org(api: httpx.AsyncClient, store: Store, world) -> None:
    other = store.create_org("other", "Other Inc")
    store.add_member(other, world.user_ids["ana"], "member")
    r = await api.get("/api/0/organizations/")
    assert sorted(o["slug"] for o in r.json()) == ["acme", "other"]
    token = store.create_token(world.user_ids["ana"], "org:read", org_id=other)
    r = await api.get("/api/0/organizations/", headers={"Authorization": f"Bearer {token}"})
    assert [o["slug"] for o in r.json()] == ["other"]
    r = await api.get("/api/0/organizations/acme/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


async def test_non_member_org_is_403(api: httpx.AsyncClient, store: Store) -> None:
    store.create_org("stranger", "Stranger Ltd")
    r = await api.get("/api/0/organizations/stranger/")
    assert r.status_code == 403
    assert r.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/0/organizations/nope/",
        "/api/0/organizations/nope/projects/",
        "/api/0/projects/acme/nope/",
        "/api/0/projects/nope/checkout-api/",
        "/api/0/projects/acme/nope/keys/",
    ],
)
async def test_unknown_org_or_project_is_404(api: httpx.AsyncClient, path: str) -> None:
    r = await api.get(path)
    assert r.status_code == 404
    assert r.json() == {"detail": "The requested resource does not exist"}


async def test_projects_list_with_teams_and_search(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/0/organizations/acme/projects/")
    projects = {p["slug"]: p for p in r.json()}
    assert set(projects) == {"checkout-api", "billing-worker", "notifications"}
    checkout = projects["checkout-api"]
    assert [t["slug"] for t in checkout["teams"]] == ["backend", "payments"]
    assert checkout["isMember"] is True  # ana is in backend
    assert projects["billing-worker"]["isMember"] is False
    assert checkout["firstEvent"] is None
    r = await api.get("/api/0/organizations/acme/projects/", params={"query": "team:payments"})
    assert sorted(p["slug"] for p in r.json()) == ["billing-worker", "checkout-api"]
    r = await api.get("/api/0/organizations/acme/projects/", params={"query": "notif"})
    assert [p["slug"] for p in r.json()] == ["notifications"]


async def test_projects_paginate(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/0/organizations/acme/projects/", params={"per_page": 2})
    assert len(r.json()) == 2
    assert r.links["next"]["results"] == "true"
    r = await api.get(r.links["next"]["url"])
    assert len(r.json()) == 1
    assert r.links["next"]["results"] == "false"
    assert r.links["previous"]["results"] == "true"


async def test_project_detail_by_slug_or_id(api: httpx.AsyncClient, world: World) -> None:
    by_slug = (await api.get("/api/0/projects/acme/checkout-api/")).json()
    pid = world.projects["checkout-api"].project_id
    by_id = (await api.get(f"/api/0/projects/acme/{pid}/")).json()
    assert by_slug["id"] == by_id["id"] == str(pid)
    assert by_slug["organization"]["slug"] == "acme"
    assert "latestRelease" not in by_slug  # no releases yet


async def test_project_keys_give_a_working_dsn(api: httpx.AsyncClient, world: World) -> None:
    keys = (await api.get("/api/0/projects/acme/checkout-api/keys/")).json()
    project = world.projects["checkout-api"]
    assert keys[0]["dsn"]["public"] == (
        f"http://{project.public_key}@demo.test/{project.project_id}"
    )
    assert keys[0]["projectId"] == project.project_id
    assert keys[0]["isActive"] is True


async def test_teams_members_and_user_teams(api: httpx.AsyncClient, world: World) -> None:
    teams = (await api.get("/api/0/organizations/acme/teams/")).json()
    backend = next(t for t in teams if t["slug"] == "backend")
    assert backend["memberCount"] == 2
    assert backend["isMember"] is True
    assert [p["slug"] for p in backend["projects"]] == ["checkout-api"]
    brief = (await api.get("/api/0/organizations/acme/teams/", params={"detailed": "0"})).json()
    assert "projects" not in brief[0]

    members = (await api.get("/api/0/organizations/acme/members/")).json()
    ben = next(m for m in members if m["email"] == "ben@acme.test")
    assert ben["id"] == str(world.member_ids["ben"])
    assert ben["user"]["id"] == str(world.user_ids["ben"])  # what `assignedTo: user:<id>` needs
    assert ben["orgRole"] == "admin"
    found = await api.get("/api/0/organizations/acme/members/", params={"query": "chloe"})
    assert [m["name"] for m in found.json()] == ["Chloe Payments"]

    mine = (await api.get("/api/0/organizations/acme/user-teams/")).json()
    assert sorted(t["slug"] for t in mine) == ["backend", "platform"]

    project_members = (await api.get("/api/0/projects/acme/billing-worker/members/")).json()
    assert sorted(m["user"]["username"] for m in project_members) == ["ben", "chloe"]


async def test_environments(api: httpx.AsyncClient, store: Store, world: World) -> None:
    pid = world.projects["checkout-api"].project_id
    for name, hidden in (("production", 0), ("staging", 1)):
        env = store.execute(
            "INSERT INTO environments (org_id, name) VALUES (?, ?)", (world.org_id, name)
        ).lastrowid
        store.execute(
            "INSERT INTO environment_projects (environment_id, project_id, is_hidden)"
            " VALUES (?, ?, ?)",
            (env, pid, hidden),
        )
    org_envs = (await api.get("/api/0/organizations/acme/environments/")).json()
    assert [e["name"] for e in org_envs] == ["production"]
    r = await api.get("/api/0/projects/acme/checkout-api/environments/?visibility=all")
    assert [(e["name"], e["isHidden"]) for e in r.json()] == [
        ("production", False),
        ("staging", True),
    ]
    r = await api.get("/api/0/projects/acme/checkout-api/environments/?visibility=bogus")
    assert r.status_code == 400


async def test_read_only_token_reads_everything(api: httpx.AsyncClient, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.read_token}"}
    for path in (
        "/api/0/organizations/",
        "/api/0/organizations/acme/projects/",
        "/api/0/organizations/acme/members/",
        "/api/0/organizations/acme/teams/",
        "/api/0/projects/acme/checkout-api/keys/",
    ):
        assert (await api.get(path, headers=headers)).status_code == 200, path


async def test_scopes_are_checked(api: httpx.AsyncClient, store: Store, world: World) -> None:
    token = store.create_token(world.user_ids["ana"], "event:read")
    r = await api.get(
        "/api/0/organizations/acme/members/", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403


async def test_member_detail(api: httpx.AsyncClient, world: World) -> None:
    r = await api.get(f"/api/0/organizations/acme/members/{world.member_ids['ana']}/")
    member = r.json()
    assert member["email"] == "ana@acme.test"
    assert member["isOnlyOwner"] is True
    assert sorted(member["teams"]) == ["backend", "platform"]
    assert {role["id"] for role in member["orgRoleList"]} >= {"member", "owner"}
    assert (await api.get("/api/0/organizations/acme/members/99999/")).status_code == 404


async def test_team_routes(api: httpx.AsyncClient) -> None:
    team = (await api.get("/api/0/teams/acme/payments/")).json()
    assert team["slug"] == "payments"
    assert team["organization"]["slug"] == "acme"
    assert team["isMember"] is False  # ana is not in payments
    members = (await api.get("/api/0/teams/acme/payments/members/")).json()
    assert sorted(m["user"]["username"] for m in members) == ["ben", "chloe"]
    assert {m["teamSlug"] for m in members} == {"payments"}
    projects = (await api.get("/api/0/teams/acme/payments/projects/")).json()
    assert sorted(p["slug"] for p in projects) == ["billing-worker", "checkout-api"]
    assert (await api.get("/api/0/teams/acme/nope/")).status_code == 404


async def test_project_environment_detail(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    env = store.execute(
        "INSERT INTO environments (org_id, name) VALUES (?, 'production')", (world.org_id,)
    ).lastrowid
    store.execute(
        "INSERT INTO environment_projects (environment_id, project_id) VALUES (?, ?)",
        (env, world.projects["checkout-api"].project_id),
    )
    r = await api.get("/api/0/projects/acme/checkout-api/environments/production/")
    assert r.json() == {"id": str(env), "name": "production", "isHidden": False}
    r = await api.get("/api/0/projects/acme/billing-worker/environments/production/")
    assert r.status_code == 404


async def test_project_users(api: httpx.AsyncClient, store: Store, world: World) -> None:
    from platform_events import error_event, ingest

    pid = world.projects["checkout-api"].project_id
    for i, user in enumerate(["u1", "u2", "u1"]):
        ingest(store, pid, error_event(timestamp=1_790_000_000.0 + i, user=user))
    users = (await api.get("/api/0/projects/acme/checkout-api/users/")).json()
    assert sorted(u["tagValue"] for u in users) == ["id:u1", "id:u2"]
    u1 = next(u for u in users if u["identifier"] == "u1")
    assert u1["email"] == "u1@customers.test"
    assert len(u1["hash"]) == 32
    found = await api.get(
        "/api/0/projects/acme/checkout-api/users/", params={"query": "email:u2@customers.test"}
    )
    assert [u["identifier"] for u in found.json()] == ["u2"]
