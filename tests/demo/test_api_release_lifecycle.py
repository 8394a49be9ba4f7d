"""Release life cycle of the demo Web API as Sentry has it: open/archived status, commits (from
`sentry-cli releases set-commits --local`) and head refs (`--commit REPO@SHA`), the commits and
repositories routes, and the status-filtered bulk issue update sentry-cli's `-s` sends."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from platform_events import error_event, ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

RELEASES = "/api/0/organizations/acme/releases/"
NOW = 1_795_000_000.0


def _url(version: str, suffix: str = "") -> str:
    return f"{RELEASES}{quote(version, safe='')}/{suffix}"


def _commit(
    sha: str, message: str, author: str = "Ana Oncall", repo: str = "acme/checkout"
) -> dict:
    """A commit as `sentry-cli releases set-commits --local` sends it."""
    return {
        "patch_set": [{"path": "app/views.py", "type": "M"}],
        "repository": repo,
        "author_name": author,
        "author_email": f"{author.split()[0].lower()}@acme.test",
        "timestamp": "2026-11-20T10:00:00+01:00",
        "message": message,
        "id": sha,
    }


async def _new(api: httpx.AsyncClient, version: str, **extra) -> httpx.Response:
    return await api.post(
        RELEASES, json={"version": version, "projects": ["checkout-api"], **extra}
    )


async def _versions(api: httpx.AsyncClient, query: str = "") -> list[str]:
    return [r["version"] for r in (await api.get(RELEASES + query)).json()]


async def test_status_on_create_and_update(api: httpx.AsyncClient) -> None:
    assert (await _new(api, "1.0")).json()["status"] == "open"
    archived = await _new(api, "0.9", status="archived")
    assert archived.status_code == 201
    assert archived.json()["status"] == "archived"
    assert await _versions(api) == ["1.0"]  # the list shows open releases by default
    assert await _versions(api, "?status=archived") == ["0.9"]

    r = await api.put(_url("1.0"), json={"status": "archived"})
    assert r.status_code == 200
    assert r.json()["status"] == "archived"
    assert (await api.get(_url("1.0"))).json()["status"] == "archived"
    assert await _versions(api) == []
    r = await api.put(_url("1.0"), json={"status": "open"})
    assert r.json()["status"] == "open"
    assert await _versions(api) == ["1.0"]


async def test_invalid_status_is_refused(api: httpx.AsyncClient) -> None:
    await _new(api, "1.0")
    for bad in ("closed", 3, None):
        r = await api.put(_url("1.0"), json={"status": bad})
        assert r.status_code == 400, bad
        assert "status" in r.json()
    assert (await _new(api, "2.0", status="gone")).status_code == 400
    assert (await api.get(RELEASES + "?status=gone")).status_code == 400
    assert (await api.get(_url("1.0"))).json()["status"] == "open"


async def test_archive_and_restore_the_way_sentry_cli_does(api: httpx.AsyncClient) -> None:
    """`releases archive`/`restore` POST the version again with `projects: []` and a status."""
    await _new(api, "1.0")
    r = await api.post(RELEASES, json={"projects": [], "version": "1.0", "status": "archived"})
    assert r.status_code == 208
    assert r.json()["status"] == "archived"
    assert [p["slug"] for p in r.json()["projects"]] == ["checkout-api"]  # projects kept
    r = await api.post(RELEASES, json={"projects": [], "version": "1.0", "status": "open"})
    assert r.json()["status"] == "open"


async def test_set_commits_stores_them_in_order(api: httpx.AsyncClient) -> None:
    await _new(api, "1.0")
    commits = [
        _commit("c" * 40, "fix: retry the payment call"),
        _commit("b" * 40, "feat: basket totals", author="Ben Builder"),
        _commit("a" * 40, "chore: bump deps"),
    ]
    r = await api.put(_url("1.0"), json={"commits": commits})
    assert r.status_code == 200
    release = r.json()
    assert release["commitCount"] == 3
    assert release["lastCommit"]["id"] == "c" * 40
    assert release["lastCommit"]["message"] == "fix: retry the payment call"
    assert {(a["name"], a["email"]) for a in release["authors"]} == {
        ("Ana Oncall", "ana@acme.test"),
        ("Ben Builder", "ben@acme.test"),
    }

    listed = (await api.get(_url("1.0", "commits/"))).json()
    assert [c["id"] for c in listed] == ["c" * 40, "b" * 40, "a" * 40]
    assert listed[1]["author"] == {"name": "Ben Builder", "email": "ben@acme.test"}
    assert listed[1]["repository"]["name"] == "acme/checkout"
    assert listed[1]["releases"][0]["version"] == "1.0"
    assert listed[0]["dateCreated"].startswith("2026-11-20T09:00:00")  # in UTC
    project_listed = await api.get(
        f"/api/0/projects/acme/checkout-api/releases/{quote('1.0')}/commits/"
    )
    assert [c["id"] for c in project_listed.json()] == [c["id"] for c in listed]

    repos = (await api.get("/api/0/organizations/acme/repos/")).json()
    assert [r["name"] for r in repos] == ["acme/checkout"]  # created on first use, as Sentry does
    assert repos[0]["provider"] == {"id": "unknown", "name": "Unknown Provider"}

    # setting commits again replaces them
    r = await api.put(_url("1.0"), json={"commits": [_commit("d" * 40, "hotfix")]})
    assert r.json()["commitCount"] == 1
    assert [c["id"] for c in (await api.get(_url("1.0", "commits/"))).json()] == ["d" * 40]


async def test_commits_are_validated(api: httpx.AsyncClient) -> None:
    await _new(api, "1.0")
    for bad in ([{"message": "no id"}], [{"id": "x" * 65}], "abc", [7]):
        r = await api.put(_url("1.0"), json={"commits": bad})
        assert r.status_code == 400, bad
        assert "commits" in r.json()
    assert (await api.get(_url("1.0"))).json()["commitCount"] == 0


async def test_refs_need_a_known_repository_and_store_the_head(api: httpx.AsyncClient) -> None:
    await _new(api, "1.0")
    await _new(api, "1.1")
    r = await api.put(_url("1.1"), json={"refs": [{"repository": "nope/nope", "commit": "abc"}]})
    assert r.status_code == 400
    assert r.json() == {"refs": ["Invalid repository names: nope/nope"]}

    await api.put(_url("1.0"), json={"commits": [_commit("a" * 40, "first")]})
    refs = [{"repository": "acme/checkout", "commit": "e" * 40, "previousCommit": "a" * 40}]
    r = await api.put(_url("1.1"), json={"refs": refs})
    assert r.status_code == 200
    assert r.json()["commitCount"] == 1
    assert r.json()["lastCommit"]["id"] == "e" * 40
    assert [c["id"] for c in (await api.get(_url("1.1", "commits/"))).json()] == ["e" * 40]


async def test_previous_release_with_commits(api: httpx.AsyncClient, store: Store) -> None:
    await _new(api, "1.0")
    await _new(api, "1.1")
    assert (await api.get(_url("1.1", "previous-with-commits/"))).json() == {}
    await api.put(_url("1.0"), json={"commits": [_commit("a" * 40, "first")]})
    prev = (await api.get(_url("1.1", "previous-with-commits/"))).json()
    assert prev["version"] == "1.0"
    assert prev["lastCommit"]["id"] == "a" * 40
    assert (await api.get(_url("nope", "previous-with-commits/"))).status_code == 404


async def test_read_only_token_cannot_change_status_or_commits(
    api: httpx.AsyncClient, world: World
) -> None:
    await _new(api, "1.0")
    ro = {"Authorization": f"Bearer {world.read_token}"}
    assert (await api.put(_url("1.0"), json={"status": "archived"}, headers=ro)).status_code == 403
    assert (await api.get(_url("1.0", "commits/"), headers=ro)).status_code == 200
    assert (await api.get("/api/0/organizations/acme/repos/", headers=ro)).status_code == 200


# -- bulk issue updates filtered by `status=` ---------------------------------------------------


def _three_issues(store: Store, world: World) -> list[int]:
    pid = world.projects["checkout-api"].project_id
    return [
        ingest(store, pid, error_event(f"E{n}Error", timestamp=NOW - n, function=f"f{n}"))[1]
        for n in range(3)
    ]


def _statuses(store: Store) -> dict[int, str]:
    return {r["id"]: r["status"] for r in store.query("SELECT id, status FROM groups")}


async def test_bulk_put_with_status_selects_issues_of_that_status(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    a, b, c = _three_issues(store, world)
    issues = "/api/0/projects/acme/checkout-api/issues/"
    await api.put(f"{issues}?id={a}", json={"status": "ignored"})
    await api.put(f"{issues}?id={b}", json={"status": "resolved"})

    r = await api.put(f"{issues}?status=muted", json={"status": "resolved"})  # sentry-cli -s muted
    assert r.status_code == 200
    assert _statuses(store) == {a: "resolved", b: "resolved", c: "unresolved"}

    r = await api.put(f"{issues}?status=resolved", json={"status": "unresolved"})
    assert r.status_code == 200
    assert _statuses(store) == {a: "unresolved", b: "unresolved", c: "unresolved"}

    await api.put(f"{issues}?id={c}", json={"status": "ignored"})
    r = await api.put(f"{issues}?status=ignored", json={"status": "resolved"})
    assert _statuses(store) == {a: "unresolved", b: "unresolved", c: "resolved"}

    # an explicit query still applies on top of the status
    r = await api.put(f"{issues}?status=unresolved&query=E0Error", json={"status": "resolved"})
    assert _statuses(store) == {a: "resolved", b: "unresolved", c: "resolved"}
    assert (await api.put(f"{issues}?status=bogus", json={"status": "resolved"})).status_code == 400
