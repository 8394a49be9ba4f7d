"""Mutating issues: bulk PUT/DELETE, single-issue PUT/DELETE, merge, and their effect on state."""

from __future__ import annotations

import httpx
import pytest
from issues_data import ingest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_790_000_000.0
ISSUES = "/api/0/organizations/acme/issues/"


@pytest.fixture
def data(store: Store, world: World) -> dict[str, int]:
    store.clock = lambda: NOW
    p1 = world.projects["checkout-api"].project_id
    p2 = world.projects["billing-worker"].project_id
    ids: dict[str, int] = {}
    for i in range(3):
        _, ids["a"] = ingest(store, p1, "a", ts=NOW - 3600 + i)
    for i in range(2):
        _, ids["b"] = ingest(store, p1, "b", ts=NOW - 7200 + i, release="2.0.0")
    _, ids["c"] = ingest(store, p1, "c", ts=NOW - 100)
    _, ids["d"] = ingest(store, p2, "d", ts=NOW - 50)
    return ids


async def _issue(api: httpx.AsyncClient, gid: int) -> dict:
    r = await api.get(f"{ISSUES}{gid}/")
    assert r.status_code == 200, r.text
    return r.json()


async def _activity_types(api: httpx.AsyncClient, gid: int) -> list[str]:
    return [a["type"] for a in (await _issue(api, gid))["activity"]]


async def test_bulk_resolve_by_ids(api: httpx.AsyncClient, data) -> None:
    r = await api.put(
        ISSUES, params=[("id", data["a"]), ("id", data["b"])], json={"status": "resolved"}
    )
    assert r.status_code == 200
    assert r.json() == {"status": "resolved", "statusDetails": {}}
    a = await _issue(api, data["a"])
    assert a["status"] == "resolved"
    assert a["substatus"] is None
    assert (await _activity_types(api, data["a"]))[0] == "set_resolved"
    listed = await api.get(ISSUES, params={"query": "is:resolved"})
    assert sorted(int(i["id"]) for i in listed.json()) == sorted([data["a"], data["b"]])
    # and back
    r = await api.put(ISSUES, params={"id": data["a"]}, json={"status": "unresolved"})
    assert r.json()["status"] == "unresolved"
    a = await _issue(api, data["a"])
    assert a["status"] == "unresolved"
    assert a["substatus"] == "ongoing"
    assert (await _activity_types(api, data["a"]))[0] == "set_unresolved"


async def test_regression_after_resolve(api: httpx.AsyncClient, data, store, world) -> None:
    await api.put(ISSUES, params={"id": data["c"]}, json={"status": "resolved"})
    ingest(store, world.projects["checkout-api"].project_id, "c", ts=NOW - 10)
    c = await _issue(api, data["c"])
    assert c["status"] == "unresolved"
    assert c["substatus"] == "regressed"


async def test_ids_outside_org_or_projects_are_ignored_204(api: httpx.AsyncClient, data) -> None:
    r = await api.put(ISSUES, params={"id": 99999}, json={"status": "resolved"})
    assert r.status_code == 204
    r = await api.put(
        ISSUES,
        params=[("id", data["d"]), ("project", "checkout-api")],
        json={"status": "resolved"},
    )
    assert r.status_code == 204
    assert (await _issue(api, data["d"]))["status"] == "unresolved"


async def test_status_change_without_ids_applies_to_the_query(api: httpx.AsyncClient, data) -> None:
    r = await api.put(ISSUES, params={"query": "error.type:ErrorC"}, json={"status": "ignored"})
    assert r.status_code == 200
    statuses = {k: (await _issue(api, v))["status"] for k, v in data.items()}
    assert statuses == {"a": "unresolved", "b": "unresolved", "c": "ignored", "d": "unresolved"}


async def test_non_status_change_without_ids_is_400(api: httpx.AsyncClient, data) -> None:
    for body in ({"isBookmarked": True}, {"assignedTo": "user:1"}, {"merge": True}, {}):
        r = await api.put(ISSUES, json=body)
        assert r.status_code == 400
        assert r.json() == {"detail": "You must specify a list of IDs for this operation"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"status": "ignored", "substatus": "ongoing"}, "substatus"),
        (
            {"status": "ignored", "statusDetails": {"ignoreWindow": 99999, "ignoreCount": 5}},
            "statusDetails",
        ),
        ({"status": "ignored", "ignoreCount": "many"}, "ignoreCount"),
        ({"assignedTo": "nobody@nowhere"}, "assignedTo"),
        ({"priority": "urgent"}, "priority"),
        ({"hasSeen": "maybe"}, "hasSeen"),
        ({"status": "resolved", "statusDetails": {"inRelease": "9.9.9"}}, "statusDetails"),
    ],
)
async def test_invalid_bodies(api: httpx.AsyncClient, data, body, field) -> None:
    r = await api.put(ISSUES, params={"id": data["a"]}, json=body)
    assert r.status_code == 400
    assert field in r.json()
    assert (await _issue(api, data["a"]))["status"] == "unresolved"


async def test_bad_json_and_discard_are_400(api: httpx.AsyncClient, data) -> None:
    r = await api.put(
        ISSUES,
        params={"id": data["a"]},
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["detail"].startswith("JSON parse error")
    r = await api.put(ISSUES, params={"id": data["a"]}, json={"discard": True})
    assert r.status_code == 400


async def test_ignore_until_count_then_escalates(
    api: httpx.AsyncClient, data, store, world
) -> None:
    body = {"status": "ignored", "statusDetails": {"ignoreCount": 2}}
    r = await api.put(ISSUES, params={"id": data["c"]}, json=body)
    assert r.status_code == 200
    echo = r.json()
    assert echo["status"] == "ignored"
    assert echo["substatus"] == "archived_until_condition_met"
    assert echo["statusDetails"]["ignoreCount"] == 2
    assert echo["statusDetails"]["actor"]["username"] == "ana"
    c = await _issue(api, data["c"])
    assert c["statusDetails"]["ignoreCount"] == 2
    assert not [k for k in c["statusDetails"] if k.startswith("_")]
    assert (await _activity_types(api, data["c"]))[0] == "set_ignored"
    project = world.projects["checkout-api"].project_id
    ingest(store, project, "c", ts=NOW - 5)
    assert (await _issue(api, data["c"]))["status"] == "ignored"
    ingest(store, project, "c", ts=NOW - 4)
    c = await _issue(api, data["c"])
    assert c["status"] == "unresolved"
    assert c["substatus"] == "escalating"


@pytest.mark.parametrize(
    ("body", "substatus", "detail_key"),
    [
        ({"status": "ignored"}, "archived_until_escalating", None),
        ({"status": "muted"}, "archived_until_escalating", None),
        ({"status": "ignored", "substatus": "archived_forever"}, "archived_forever", None),
        (
            {"status": "ignored", "statusDetails": {"ignoreDuration": 60}},
            "archived_until_condition_met",
            "ignoreUntil",
        ),
        (
            {"status": "ignored", "ignoreDuration": 30},
            "archived_until_condition_met",
            "ignoreUntil",
        ),
        (
            {"status": "ignored", "statusDetails": {"ignoreUserCount": 10, "ignoreUserWindow": 60}},
            "archived_until_condition_met",
            "ignoreUserWindow",
        ),
        (
            {"status": "ignored", "statusDetails": {"ignoreUntil": "2026-10-01T00:00:00Z"}},
            "archived_until_condition_met",
            "ignoreUntil",
        ),
    ],
)
async def test_archive_recipes(api: httpx.AsyncClient, data, body, substatus, detail_key) -> None:
    r = await api.put(ISSUES, params={"id": data["a"]}, json=body)
    assert r.status_code == 200
    issue = await _issue(api, data["a"])
    assert issue["status"] == "ignored"
    assert issue["substatus"] == substatus
    if detail_key:
        assert detail_key in issue["statusDetails"]
    assert [i["id"] for i in (await api.get(ISSUES, params={"query": "is:archived"})).json()] == [
        str(data["a"])
    ]


async def test_resolve_in_release(api: httpx.AsyncClient, data, store, world) -> None:
    r = await api.put(ISSUES, params={"id": data["a"]}, json={"status": "resolvedInNextRelease"})
    assert r.status_code == 200
    assert r.json()["statusDetails"]["inNextRelease"] is True
    assert (await _issue(api, data["a"]))["statusDetails"]["inNextRelease"] is True
    body = {"status": "resolved", "statusDetails": {"inRelease": "2.0.0"}}
    r = await api.put(ISSUES, params={"id": data["b"]}, json=body)
    assert r.json()["statusDetails"]["inRelease"] == "2.0.0"
    b = await _issue(api, data["b"])
    assert b["activity"][0]["type"] == "set_resolved_in_release"
    assert b["activity"][0]["data"] == {"version": "2.0.0"}
    r = await api.put(ISSUES, params=[("id", data["a"]), ("id", data["d"])], json=body)
    assert r.status_code == 400
    assert r.json() == {"detail": "Cannot set resolved in release for multiple projects."}
    # no release at all in billing-worker's events? it has 1.0.0 from the SDK event
    r = await api.put(ISSUES, params={"id": data["d"]}, json={"status": "resolvedInNextRelease"})
    assert r.status_code == 200


async def test_assign_user_team_and_unassign(api: httpx.AsyncClient, data, world) -> None:
    gid = data["a"]
    ben = world.user_ids["ben"]
    r = await api.put(ISSUES, params={"id": gid}, json={"assignedTo": f"user:{ben}"})
    assert r.json()["assignedTo"] == {
        "type": "user",
        "id": str(ben),
        "name": "Ben Backend",
        "email": "ben@acme.test",
    }
    issue = await _issue(api, gid)
    assert issue["assignedTo"]["id"] == str(ben)
    assert issue["activity"][0]["type"] == "assigned"
    assert issue["activity"][0]["data"]["assigneeType"] == "user"
    assert [p["username"] for p in issue["participants"]] == ["ben"]
    for value in ("chloe@acme.test", "chloe"):
        r = await api.put(ISSUES, params={"id": gid}, json={"assignedTo": value})
        assert r.json()["assignedTo"]["email"] == "chloe@acme.test"
    team = world.team_ids["payments"]
    r = await api.put(ISSUES, params={"id": gid}, json={"assignedTo": f"team:{team}"})
    assert r.json()["assignedTo"] == {"type": "team", "id": str(team), "name": "payments"}
    q = await api.get(ISSUES, params={"query": "assigned:#payments"})
    assert [int(i["id"]) for i in q.json()] == [gid]
    # dev is in no team with access to checkout-api
    r = await api.put(ISSUES, params={"id": gid}, json={"assignedTo": "dev"})
    assert r.status_code == 400
    r = await api.put(
        ISSUES, params={"id": gid}, json={"assignedTo": f"team:{world.team_ids['platform']}"}
    )
    assert r.status_code == 400
    r = await api.put(ISSUES, params={"id": gid}, json={"assignedTo": ""})
    assert r.status_code == 200
    assert r.json()["assignedTo"] is None
    issue = await _issue(api, gid)
    assert issue["assignedTo"] is None
    assert issue["activity"][0]["type"] == "unassigned"
    await api.put(ISSUES, params={"id": gid}, json={"assignedTo": "user:1"})
    mine = await api.get(ISSUES, params={"query": "assigned:me"})
    assert [int(i["id"]) for i in mine.json()] == [gid]


async def test_per_user_flags(api: httpx.AsyncClient, data) -> None:
    gid = data["b"]
    body = {"hasSeen": True, "isBookmarked": True, "isSubscribed": True}
    r = await api.put(ISSUES, params={"id": gid}, json=body)
    assert r.json()["isBookmarked"] is True
    issue = await _issue(api, gid)
    assert issue["hasSeen"] is True
    assert issue["isBookmarked"] is True
    assert issue["isSubscribed"] is True
    assert [u["username"] for u in issue["seenBy"]] == ["ana"]
    bookmarked = await api.get(ISSUES, params={"query": "bookmarks:me"})
    assert [int(i["id"]) for i in bookmarked.json()] == [gid]
    await api.put(ISSUES, params={"id": gid}, json={"isBookmarked": False, "isSubscribed": False})
    issue = await _issue(api, gid)
    assert issue["isBookmarked"] is False
    assert issue["isSubscribed"] is False


async def test_public_priority_and_inbox(api: httpx.AsyncClient, data) -> None:
    gid = data["a"]
    r = await api.put(ISSUES, params={"id": gid}, json={"isPublic": True, "priority": "high"})
    assert r.json()["isPublic"] is True
    assert len(r.json()["shareId"]) == 32
    issue = await _issue(api, gid)
    assert issue["isPublic"] is True
    assert issue["shareId"] == r.json()["shareId"]
    assert issue["priority"] == "high"
    assert issue["priorityLockedAt"] is not None
    assert {"set_public", "set_priority"} <= set(await _activity_types(api, gid))
    assert [
        int(i["id"])
        for i in (await api.get(ISSUES, params={"query": "issue.priority:high"})).json()
    ] == [gid]
    review = await api.get(ISSUES, params={"query": "is:for_review", "expand": "inbox"})
    assert gid in [int(i["id"]) for i in review.json()]
    assert review.json()[0]["inbox"]["reason"] == 0
    await api.put(ISSUES, params={"id": gid}, json={"inbox": False})
    review = await api.get(ISSUES, params={"query": "is:for_review"})
    assert gid not in [int(i["id"]) for i in review.json()]
    await api.put(ISSUES, params={"id": gid}, json={"inbox": True})
    review = await api.get(ISSUES, params={"query": "is:for_review"})
    assert gid in [int(i["id"]) for i in review.json()]


async def test_merge(api: httpx.AsyncClient, data, store, world) -> None:
    a, b, c = data["a"], data["b"], data["c"]
    r = await api.put(ISSUES, params=[("id", c), ("id", b), ("id", a)], json={"merge": True})
    assert r.status_code == 200
    assert r.json()["merge"] == {"parent": str(a), "children": [str(b), str(c)]}
    parent = await _issue(api, a)
    assert parent["count"] == "6"
    assert parent["activity"][0]["type"] == "merge"
    listed = await api.get(ISSUES, params={"query": ""})
    assert {int(i["id"]) for i in listed.json()} == {a, data["d"]}
    # a merged child resolves to its parent; its events and hashes moved
    assert (await _issue(api, b))["id"] == str(a)
    events = await api.get(f"{ISSUES}{a}/events/")
    if events.status_code == 200:
        assert len(events.json()) == 6
    ingest(store, world.projects["checkout-api"].project_id, "b", ts=NOW - 1)
    assert (await _issue(api, a))["count"] == "7"


async def test_merge_rules(api: httpx.AsyncClient, data) -> None:
    r = await api.put(ISSUES, params=[("id", data["a"]), ("id", data["d"])], json={"merge": True})
    assert r.status_code == 400
    assert r.json() == {"detail": "Merging across multiple projects is not supported"}
    r = await api.put(ISSUES, params={"id": data["a"]}, json={"merge": True})
    assert r.status_code == 400


async def test_bulk_delete(api: httpx.AsyncClient, data, store, world) -> None:
    r = await api.delete(ISSUES, params=[("id", data["a"]), ("id", data["b"])])
    assert r.status_code == 204
    assert (await api.get(f"{ISSUES}{data['a']}/")).status_code == 404
    assert (
        store.query_one(
            "SELECT COUNT(*) FROM events WHERE group_id IN (?, ?)", (data["a"], data["b"])
        )[0]
        == 0
    )
    _, new_gid = ingest(store, world.projects["checkout-api"].project_id, "a", ts=NOW - 1)
    assert new_gid not in (data["a"], data["b"])
    assert (await api.delete(ISSUES, params={"id": 99999})).status_code == 204


async def test_bulk_delete_without_ids_uses_the_query(api: httpx.AsyncClient, data) -> None:
    r = await api.delete(ISSUES, params={"query": "error.type:ErrorD"})
    assert r.status_code == 204
    remaining = await api.get(ISSUES, params={"query": ""})
    assert sorted(int(i["id"]) for i in remaining.json()) == sorted(
        [data["a"], data["b"], data["c"]]
    )


async def test_single_issue_put_and_delete(api: httpx.AsyncClient, data) -> None:
    url = f"{ISSUES}{data['c']}/"
    r = await api.put(url, json={"status": "resolved", "isBookmarked": True})
    assert r.status_code == 200
    assert r.json()["id"] == str(data["c"])
    assert r.json()["status"] == "resolved"
    assert r.json()["isBookmarked"] is True
    legacy = await api.put(f"/api/0/issues/{data['c']}/", json={"status": "unresolved"})
    assert legacy.json()["status"] == "unresolved"
    r = await api.delete(url)
    assert r.status_code == 202
    assert (await api.get(url)).status_code == 404


async def test_bulk_fault_changes_nothing(api: httpx.AsyncClient, data) -> None:
    r = await api.post("/api/0/_demo/faults/", json={"bulk_fail_ids": [str(data["b"])]})
    assert r.status_code == 200
    r = await api.put(
        ISSUES, params=[("id", data["a"]), ("id", data["b"])], json={"status": "resolved"}
    )
    assert r.status_code == 500
    assert (await _issue(api, data["a"]))["status"] == "unresolved"
    r = await api.put(ISSUES, params={"id": data["a"]}, json={"status": "resolved"})
    assert r.status_code == 200


async def test_project_route_bulk_with_status_filter(api: httpx.AsyncClient, data) -> None:
    url = "/api/0/projects/acme/checkout-api/issues/"
    await api.put(ISSUES, params={"id": data["b"]}, json={"status": "resolved"})
    # only issues currently unresolved are muted: b stays resolved
    r = await api.put(
        url,
        params=[("id", data["a"]), ("id", data["b"]), ("status", "unresolved")],
        json={"status": "muted"},
    )
    assert r.status_code == 200
    assert r.json()["status"] == "ignored"
    assert (await _issue(api, data["a"]))["status"] == "ignored"
    assert (await _issue(api, data["b"]))["status"] == "resolved"
    # ids of another project are ignored by the project route
    r = await api.put(url, params={"id": data["d"]}, json={"status": "resolved"})
    assert r.status_code == 204
    r = await api.delete(url, params={"id": data["c"]})
    assert r.status_code == 204
    assert (await api.get(f"{ISSUES}{data['c']}/")).status_code == 404


async def test_status_and_inbox_in_one_request(api: httpx.AsyncClient, data) -> None:
    body = {"status": "ignored", "statusDetails": {"ignoreCount": 5}, "inbox": False}
    r = await api.put(ISSUES, params={"id": data["a"]}, json=body)
    assert r.status_code == 200
    issue = await _issue(api, data["a"])
    assert issue["statusDetails"]["ignoreCount"] == 5
    assert issue["substatus"] == "archived_until_condition_met"


async def test_resolving_takes_an_issue_out_of_the_inbox_for_good(
    api: httpx.AsyncClient, data
) -> None:
    """As Sentry does (`remove_group_from_inbox` on resolve and ignore): unresolving does not
    put the issue back into "for review"; only `inbox: true` (GroupInboxReason.MANUAL) does."""
    gid = data["a"]

    async def for_review() -> dict[int, dict | None]:
        r = await api.get(ISSUES, params={"query": "is:for_review", "expand": "inbox"})
        return {int(i["id"]): i.get("inbox") for i in r.json()}

    assert (await for_review())[gid]["reason"] == 0  # new
    for status in ({"status": "resolved"}, {"status": "ignored"}):
        await api.put(ISSUES, params={"id": gid}, json={"status": "unresolved", "inbox": True})
        assert gid in await for_review()
        await api.put(ISSUES, params={"id": gid}, json=status)
        await api.put(ISSUES, params={"id": gid}, json={"status": "unresolved", "substatus": "new"})
        assert gid not in await for_review(), status
    r = await api.put(
        ISSUES, params={"id": gid}, json={"status": "unresolved", "substatus": "new", "inbox": True}
    )
    assert r.status_code == 200
    assert (await for_review())[gid]["reason"] == 3  # manual
    await api.put(ISSUES, params={"id": gid}, json={"substatus": "ongoing"})  # still unresolved
    assert gid in await for_review()  # a change that keeps it unresolved keeps it in the inbox
