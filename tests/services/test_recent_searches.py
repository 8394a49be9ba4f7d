"""Recent searches: per org, newest first, private, shared by two dexters, robust to damage."""

from __future__ import annotations

import stat

from dexter_tui.services.recent_searches import LIMIT, RecentSearches


def test_newest_first_once_and_per_org(tmp_path) -> None:
    path = tmp_path / "recent.json"
    acme = RecentSearches(path, "acme")
    for query in ("a", "b", "a", "  c   d "):
        acme.remember(query)
    acme.remember("")
    assert acme.items() == ["c d", "a", "b"]
    assert RecentSearches(path, "other").items() == []
    assert RecentSearches(path, "acme").items() == ["c d", "a", "b"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_two_sessions_keep_each_others_searches_and_the_limit(tmp_path) -> None:
    path = tmp_path / "recent.json"
    one, two = RecentSearches(path, "acme"), RecentSearches(path, "acme")
    one.remember("first")
    two.remember("second")
    assert RecentSearches(path, "acme").items() == ["second", "first"]
    for i in range(LIMIT + 5):
        one.remember(f"q{i}")
    assert len(RecentSearches(path, "acme").items()) == LIMIT


def test_a_damaged_file_is_an_empty_list_and_is_rewritten(tmp_path) -> None:
    path = tmp_path / "recent.json"
    path.write_text("{not json")
    recent = RecentSearches(path, "acme")
    assert recent.items() == []
    recent.remember("x")
    assert RecentSearches(path, "acme").items() == ["x"]


def test_without_a_path_it_lasts_the_session(tmp_path) -> None:
    recent = RecentSearches(None, "acme")
    recent.remember("x")
    assert recent.items() == ["x"]
    assert list(tmp_path.iterdir()) == []
