"""`/organizations/{org}/searches/` (saved searches): list, create, delete as Sentry answers them.

The route is not in Sentry's OpenAPI document, so the body is checked field by field against
`SavedSearchSerializer` (id as a string, type, name, query, sort, visibility, dateCreated,
isGlobal, isPinned) rather than against the schema.
"""

from __future__ import annotations

import re

import httpx

from dexter_tui.demo.api.saved_searches import seed_saved_searches
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

URL = "/api/0/organizations/acme/searches/"
FIELDS = {
    "id",
    "type",
    "name",
    "query",
    "sort",
    "visibility",
    "dateCreated",
    "isGlobal",
    "isPinned",
}
GLOBALS = ["Assigned to Me", "Errors Only", "My Bookmarks", "Needs Triage", "New Today"]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _client(demo_app, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=demo_app),
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_every_org_lists_sentrys_global_searches(api: httpx.AsyncClient) -> None:
    r = await api.get(URL, params={"type": 0})
    assert r.status_code == 200
    body = r.json()
    assert "link" not in r.headers  # unpaginated, like Sentry
    assert [s["name"] for s in body] == [*GLOBALS, "Unresolved Issues"]  # ordered by name
    for search in body:
        assert set(search) == FIELDS
        assert isinstance(search["id"], str)
        assert search["id"].isdigit()
        assert search["type"] == 0
        assert search["isGlobal"] is True
        assert search["isPinned"] is False
        assert ISO.match(search["dateCreated"])
    unresolved = body[-1]
    assert (unresolved["query"], unresolved["sort"]) == ("is:unresolved", "date")
    assert (await api.get(URL)).json() == body  # type defaults to issues


async def test_seeded_searches_hide_other_members_personal_ones(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    seed_saved_searches(store, world.org_id, world.user_ids, store.now())
    names = [s["name"] for s in (await api.get(URL)).json()]
    assert "Prod errors" in names
    assert "Deadlocks" in names
    assert "Checkout regressions" in names  # ana's own (the token's user)
    assert "Billing noise" not in names  # ben's personal search
    prod = next(s for s in (await api.get(URL)).json() if s["name"] == "Prod errors")
    assert (prod["visibility"], prod["isGlobal"], prod["sort"]) == ("organization", False, "freq")


async def test_create_list_and_delete(api: httpx.AsyncClient) -> None:
    body = {"type": 0, "name": "Slow checkout", "query": "is:unresolved transaction:/checkout"}
    r = await api.post(URL, json=body)
    assert r.status_code == 200  # Sentry answers 200, not 201
    made = r.json()
    assert set(made) == FIELDS
    assert (made["name"], made["query"], made["sort"]) == (body["name"], body["query"], "date")
    assert made["visibility"] == "organization"  # the default for org:write tokens
    assert made["isGlobal"] is False
    listed = (await api.get(URL)).json()
    assert made in listed
    again = await api.post(URL, json=body)
    assert again.status_code == 400
    assert again.json() == {
        "detail": "An organization search for 'is:unresolved transaction:/checkout' already exists"
    }
    gone = await api.delete(f"{URL}{made['id']}/")
    assert gone.status_code == 204
    assert made["id"] not in [s["id"] for s in (await api.get(URL)).json()]
    assert (await api.delete(f"{URL}{made['id']}/")).status_code == 404


async def test_globals_and_other_types_are_apart(api: httpx.AsyncClient) -> None:
    assert (await api.delete(f"{URL}1/")).status_code == 404  # a global search is nobody's
    event_search = {"type": 1, "name": "Events", "query": "event.type:error", "sort": "new"}
    assert (await api.post(URL, json=event_search)).status_code == 200
    assert "Events" not in [s["name"] for s in (await api.get(URL)).json()]
    events = (await api.get(URL, params={"type": 1})).json()
    assert [s["name"] for s in events] == ["Events"]
    bad = await api.get(URL, params={"type": "x"})
    assert bad.status_code == 400
    assert "Invalid input for `type`" in bad.json()["detail"]


async def test_field_errors_read_like_django_rest_framework(api: httpx.AsyncClient) -> None:
    r = await api.post(URL, json={"name": " ", "query": "", "sort": "loud", "visibility": "x"})
    assert r.status_code == 400
    assert r.json() == {
        "type": ["This field is required."],
        "name": ["This field may not be blank."],
        "query": ["This field may not be blank."],
        "sort": ['"loud" is not a valid choice.'],
        "visibility": ['"x" is not a valid choice.'],
    }
    assert (await api.post(URL, content=b"[1]")).status_code == 400


async def test_members_keep_personal_searches_only(demo_app, store: Store, world: World) -> None:
    """org:read may create and delete its own searches, never the org's shared ones."""
    seed_saved_searches(store, world.org_id, world.user_ids, store.now())
    async with _client(demo_app, world.read_token) as member:
        mine = {"type": 0, "name": "Mine", "query": "assigned:me"}
        shared = await member.post(URL, json={**mine, "visibility": "organization"})
        assert shared.status_code == 400
        assert shared.json() == {"visibility": ['"organization" is not a valid choice.']}
        made = await member.post(URL, json=mine)
        assert made.status_code == 200
        assert made.json()["visibility"] == "owner"
        listed = (await member.get(URL)).json()
        prod = next(s for s in listed if s["name"] == "Prod errors")
        assert (await member.delete(f"{URL}{prod['id']}/")).status_code == 403
        assert (await member.delete(f"{URL}{made.json()['id']}/")).status_code == 204
    async with _client(demo_app, "nope") as stranger:
        assert (await stranger.get(URL)).status_code == 401


async def test_every_listed_search_is_one_the_issue_search_accepts(
    api: httpx.AsyncClient, store: Store, world: World
) -> None:
    """Choosing any offered search must not end in a 400 from the same server."""
    seed_saved_searches(store, world.org_id, world.user_ids, store.now())
    for search in (await api.get(URL)).json():
        params = {"query": search["query"], "sort": search["sort"]}
        r = await api.get("/api/0/organizations/acme/issues/", params=params)
        assert r.status_code == 200, (search["name"], r.text)
