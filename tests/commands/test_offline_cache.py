"""The offline cache: the service's rules, and the commands that write and read it."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dexter_tui.sentry.models import Event, Issue
from dexter_tui.services.cache import CacheScope, OfflineCache, list_key


def issue(n: int, title: str = "boom") -> Issue:
    return Issue.model_validate(
        {"id": str(n), "shortId": f"API-{n}", "title": f"{title} {n}", "count": "3"}
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_file_and_directory_are_private_and_hold_no_token(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "offline.sqlite3"
    scope = CacheScope("https://user:secret-pw@sentry.example", "acme", "work")
    with OfflineCache(scope, path) as cache:
        cache.put_issue(issue(1))
        cache.put_issue_list(list_key(query="q", sort="date", period="24h"), [issue(2)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert b"secret-pw" not in raw
    assert b"sentry.example org acme (profile work)" in raw


def test_lists_issues_and_events_round_trip_per_scope(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    key = list_key(query="is:unresolved", sort="date", period="14d", environments=["prod"])
    with OfflineCache(CacheScope("https://a.example", "acme"), path) as cache:
        cache.put_issue_list(key, [issue(1), issue(2)], hits=40)
        cache.put_event("1", Event.model_validate({"id": "e" * 32, "title": "t"}), which="latest")
        got = cache.issue_list(key)
        assert got is not None
        assert [i.short_id for i in got.issues] == ["API-1", "API-2"]
        assert got.hits == 40
        assert cache.issue("API-2").value.title == "boom 2"  # from the list, by short id
        assert cache.event("latest", "1").value.id == "e" * 32
        assert cache.event("e" * 32).value.title == "t"
    with OfflineCache(CacheScope("https://a.example", "other-org"), path) as cache:
        assert cache.issue_list(key) is None
        assert cache.issue("API-2") is None


def test_size_cap_keeps_the_newest(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    clock = Clock()
    with OfflineCache(
        CacheScope("https://a.example", "acme"), path, max_bytes=6000, clock=clock
    ) as cache:
        for n in range(40):
            # incompressible titles so each entry has a real size
            cache.put_issue(issue(n, os.urandom(300).hex()))
        info = cache.info()
        assert info.payload_bytes <= 6000
        assert cache.issue("39") is not None
        assert cache.issue("0") is None


def _change_counter(path: Path) -> int:
    """SQLite's file change counter (header bytes 24-27): it moves with every write."""
    return int.from_bytes(path.read_bytes()[24:28], "big")


def test_opening_a_known_cache_writes_nothing(tmp_path: Path) -> None:
    """Every `dexter` opens the cache before its first rows; a write there is a disk sync
    (tens of ms). The first open sets the file up, later ones only read."""
    path = tmp_path / "c.sqlite3"
    scope = CacheScope("https://a.example", "acme", "work")
    with OfflineCache(scope, path) as cache:
        cache.put_issue(issue(1))
    before = _change_counter(path)
    with OfflineCache(scope, path) as cache:
        assert cache.issue("1") is not None
    assert _change_counter(path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
    with OfflineCache(CacheScope("https://b.example", "acme"), path):  # a new scope is written
        pass
    assert _change_counter(path) > before


def test_clear_this_scope_or_all(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    a = OfflineCache(CacheScope("https://a.example", "acme"), path)
    b = OfflineCache(CacheScope("https://b.example", "acme"), path)
    a.put_issue(issue(1))
    b.put_issue(issue(2))
    assert a.clear() == 2  # the issue and its short-id alias
    assert a.issue("1") is None
    assert b.issue("2") is not None
    assert b.clear(every_scope=True) == 2
    assert b.issue("2") is None
    a.close()
    b.close()


def test_list_then_offline_list_with_the_server_gone(
    dexter, sentry_env, seeded_world, monkeypatch
) -> None:
    online = dexter("issues", "list", "--json", "--limit", "5")
    assert online.code == 0
    sentry_env.stop()
    down = dexter("issues", "list", "--json", "--limit", "5")
    assert down.code == 5
    assert "cached data from" in down.err
    assert "add --offline" in down.err
    offline = dexter("issues", "list", "--json", "--limit", "5", "--offline")
    assert offline.code == 0, offline.err
    assert [(r["id"], r["title"]) for r in offline.json_lines()] == [
        (r["id"], r["title"]) for r in online.json_lines()
    ]
    assert "offline — showing cached data from" in offline.err
    other = dexter("issues", "list", "is:resolved", "--offline")
    assert other.code == 4
    assert "nothing cached" in other.err


def test_offline_needs_no_token(dexter, sentry_env, monkeypatch) -> None:
    first = dexter("issues", "list", "--limit", "3")
    assert first.code == 0
    monkeypatch.delenv("SENTRY_AUTH_TOKEN")
    offline = dexter("issues", "list", "--limit", "3", "--offline")
    assert offline.code == 0, offline.err
    assert (
        offline.out.splitlines()[1:] == first.out.splitlines()[1:]
        or len(offline.out.splitlines()) == 4
    )


def test_shown_issue_and_event_are_readable_offline(dexter, sentry_env, seeded_store) -> None:
    short_id = seeded_store.query_one("SELECT short_id FROM groups ORDER BY times_seen DESC")[0]
    assert dexter("issues", "show", short_id).code == 0
    online_event = dexter("events", "show", "latest", short_id, "--json")
    sentry_env.stop()
    shown = dexter("issues", "show", short_id, "--offline", "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["shortId"] == short_id
    event = dexter("events", "show", "latest", short_id, "--offline", "--json")
    assert event.code == 0, event.err
    assert json.loads(event.out)["eventID"] == json.loads(online_event.out)["eventID"]


def test_cache_info_and_clear(dexter, sentry_env, isolated_home) -> None:
    dexter("issues", "list", "--limit", "3")
    info = dexter("cache", "info", "--json")
    assert info.code == 0, info.err
    data = json.loads(info.out)
    assert data["path"] == str(isolated_home / "cache" / "dexter-tui" / "offline.sqlite3")
    assert data["payloadBytes"] > 0
    assert sum(data["scopes"][data["current"]].values()) >= 1
    plain = dexter("cache", "info")
    assert "(mode 0600)" in plain.out
    cleared = dexter("cache", "clear")
    assert cleared.code == 0
    assert "removed" in cleared.err
    assert json.loads(dexter("cache", "info", "--json").out)["payloadBytes"] == 0


@pytest.mark.parametrize("kind", ["malformed_json", "drop_connection"])
def test_faults_exit_5(dexter, sentry_env, faults, kind) -> None:
    faults(**{kind: 20})
    result = dexter("issues", "list", "--limit", "3")
    assert result.code == 5, result.err
    assert "Traceback" not in result.err


def test_offline_project_filter_uses_the_cached_project_ids(dexter, sentry_env) -> None:
    online = dexter("issues", "list", "--project", "checkout-api", "--json")
    assert online.code == 0
    sentry_env.stop()
    offline = dexter("issues", "list", "--project", "checkout-api", "--json", "--offline")
    assert offline.code == 0, offline.err
    assert [r["id"] for r in offline.json_lines()] == [r["id"] for r in online.json_lines()]
    assert dexter("issues", "list", "--project", "billing-worker", "--offline").code == 4


def test_the_cli_and_the_tui_share_list_entries() -> None:
    from dexter_tui.services.cache import list_key, list_key_for
    from dexter_tui.services.issues import IssueQuery

    query = IssueQuery(query="is:unresolved", period="24h", environments=("prod",), projects=("1",))
    assert list_key_for(query) == list_key(
        query="is:unresolved", sort="date", period="24h", environments=["prod"], projects=["1"]
    )


def test_cache_commands_work_without_any_configuration(dexter) -> None:
    info = dexter("cache", "info")
    assert info.code == 0, info.err
    assert "(empty)" in info.out
    assert dexter("cache", "clear", "--all").code == 0
