"""Search completion against the seeded demo: keys, values with one request per (key, prefix)."""

from __future__ import annotations

import asyncio

from dexter_tui.services.recent_searches import RecentSearches
from dexter_tui.services.search_completion import CommandCompleter, SearchCompleter
from dexter_tui.services.views import SavedView


def _labels(completer, text: str) -> list[str]:
    return [c.label for c in completer.complete(text)]


async def test_keys_include_the_orgs_tag_keys(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    completer = SearchCompleter(client, org)
    keys = await completer.load_tag_keys()
    api = (await raw.get(f"/api/0/organizations/{org}/tags/")).json()
    assert keys == [k["key"] for k in api]
    await completer.load_tag_keys()
    assert paths.count(f"/api/0/organizations/{org}/tags/") == 1
    assert "level:" in _labels(completer, "lev")
    assert "!level:" in _labels(completer, "!lev")
    assert "server_name:" in _labels(completer, "server")
    assert _labels(completer, "is:unr") == ["unresolved"]
    choice = completer.complete("is:unresolved assigned:")[0]
    assert choice.text == "is:unresolved assigned:me "


async def test_values_one_request_per_key_prefix(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    completer = SearchCompleter(client, org)
    text = "is:unresolved release:"
    assert completer.needs_values(text, len(text)) == ("release", "")
    values = await asyncio.gather(*[completer.fetch_values("release", "") for _ in range(3)])
    route = f"/api/0/organizations/{org}/tags/release/values/"
    assert paths.count(route) == 1  # three callers at once: one request
    api = (await raw.get(route)).json()
    assert values[0] == [v["value"] for v in api]
    assert completer.needs_values(text + "2", len(text) + 1) is None  # filtered locally
    versions = _labels(completer, text + "2")
    assert versions
    assert all("2" in v for v in versions)
    assert completer.requests == 1
    assert completer.needs_values("is:resolved", 11) is None  # fixed values: no request
    assert completer.needs_values("message:x", 9) is None  # free text: no request


async def test_recent_and_saved_searches_are_offered(tmp_path) -> None:
    recent = RecentSearches(tmp_path / "r.json", "acme")
    recent.remember("is:unresolved level:error")
    completer = SearchCompleter(None, "acme", recent=recent, saved=lambda: ["assigned:me"])
    offered = completer.complete("")
    assert [(c.kind, c.label) for c in offered] == [
        ("recent", "is:unresolved level:error"),
        ("saved", "assigned:me"),
    ]
    assert [c.label for c in completer.complete("level")] == ["is:unresolved level:error"]


def test_command_line_verbs_arguments_and_search() -> None:
    search = SearchCompleter(None, "acme")
    search.tag_keys = []
    commands = CommandCompleter(search, lambda verb: ["api", "web"] if verb == "project" else [])
    assert [c.label for c in commands.complete("pro")] == ["project"]
    assert [c.text for c in commands.complete("project api,w")] == ["project api,web"]
    first = commands.complete("query is:unresolved lev")[0]
    assert (first.label, first.text) == ("level:", "query is:unresolved level:")
    assert first.cursor == len(first.text)


async def test_sentry_saved_searches_one_request_and_labelled(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    completer = SearchCompleter(client, org)
    assert completer.complete("triage") == []  # not loaded yet: nothing, no request
    loaded = await asyncio.gather(*[completer.load_sentry_searches() for _ in range(3)])
    route = f"/api/0/organizations/{org}/searches/"
    assert paths.count(route) == 1  # three callers at once: one request
    api = (await raw.get(route, params={"type": 0})).json()
    assert [v.query for v in loaded[0]] == [s["query"] for s in api]
    await completer.load_sentry_searches()
    assert paths.count(route) == 1  # cached for the session
    triage = next(s for s in api if s["name"] == "Needs Triage")
    [offered] = completer.complete("triage")  # the name matches too, not only the query
    assert (offered.kind, offered.label, offered.detail) == (
        "sentry",
        "★ Needs Triage",
        triage["query"],
    )
    assert (offered.text, offered.cursor) == (triage["query"], len(triage["query"]))
    assert "★ Unresolved Issues" not in [c.label for c in completer.complete("is:unresolved")]


async def test_many_recent_searches_leave_room_for_saved_ones(tmp_path) -> None:
    recent = RecentSearches(tmp_path / "r.json", "acme")
    for n in range(10):
        recent.remember(f"is:unresolved release:{n}")
    completer = SearchCompleter(None, "acme", recent=recent, saved=lambda: ["assigned:me"])
    completer.sentry_searches = [SavedView("Mine", "is:unresolved assigned:me", source="sentry")]
    kinds = [c.kind for c in completer.complete("")]
    assert kinds == ["recent"] * 4 + ["saved", "sentry"] + ["recent"] * 2
    assert [c.kind for c in completer.complete("assigned")] == ["key", "saved", "sentry"]


async def test_server_without_saved_searches_offers_the_rest(
    counted, seeded_app, seeded_world, tmp_path
) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    route = f"/api/0/organizations/{org}/searches/"
    seeded_app.state.faults.configure({"missing_routes": [route]})
    recent = RecentSearches(tmp_path / "r.json", org)
    recent.remember("is:unresolved level:error")
    completer = SearchCompleter(client, org, recent=recent)
    assert await completer.load_sentry_searches() == []
    assert "no saved searches endpoint" in completer.sentry_note
    await completer.load_sentry_searches()
    assert paths.count(route) == 1  # a missing route is not asked again
    assert [c.label for c in completer.complete("lev")] == ["level:", "is:unresolved level:error"]
