"""Search completion against the seeded demo: keys, values with one request per (key, prefix)."""

from __future__ import annotations

import asyncio

from dexter_tui.services.recent_searches import RecentSearches
from dexter_tui.services.search_completion import CommandCompleter, SearchCompleter


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
