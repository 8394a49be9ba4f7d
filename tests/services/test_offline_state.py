"""The offline state machine and the cache-backed event reads, against the demo server's faults."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import (
    AuthError,
    BadRequest,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
)
from dexter_tui.services.cache import CacheScope, OfflineCache
from dexter_tui.services.offline import (
    Availability,
    Mode,
    OfflineSession,
    age_words,
    is_unavailable,
    utc_stamp,
    why_unavailable,
)
from dexter_tui.services.offline_events import CachingEventNavigator, CachingIssueDetail
from tests.conftest import SEED_NOW

NOW = SEED_NOW
HHMM = time.strftime("%H:%M UTC", time.gmtime(NOW - 600))


@pytest.mark.parametrize(
    ("error", "unavailable", "why"),
    [
        (NetworkError("down"), True, "Sentry is unreachable"),
        (ConnectionRefusedError("refused"), True, "Sentry is unreachable"),
        (TimeoutError("slow"), True, "Sentry is unreachable"),
        (PermissionError("export.csv: read-only"), False, None),  # local, not Sentry's
        (ServerError("boom", status=503), True, "Sentry answers 503"),
        (ServerError("boom", status=500), True, "Sentry answers 500"),
        (RateLimited("slow down"), True, "Sentry is rate-limiting (429)"),
        (AuthError("bad token"), False, None),
        (NotFound("gone"), False, None),
        (BadRequest("bad query"), False, None),
        (ValueError("a bug"), False, None),
    ],
)
def test_what_counts_as_sentry_unavailable(error, unavailable, why) -> None:
    assert is_unavailable(error) is unavailable
    if why:
        assert why_unavailable(error) == why


def test_words_for_ages_and_times() -> None:
    assert [age_words(s) for s in (0, 59, 60, 179, 3600, 2 * 86400 + 5)] == [
        "0 s",
        "59 s",
        "1 min",
        "2 min",
        "1 h",
        "2 d",
    ]
    assert utc_stamp(NOW - 600, NOW) == HHMM
    assert utc_stamp(NOW - 3 * 86400, NOW).endswith(" UTC")
    assert utc_stamp(NOW - 3 * 86400, NOW)[:4].isdigit()  # another day: the date too


def test_state_machine_cached_offline_back() -> None:
    changes: list[tuple[Mode, Mode]] = []
    state = Availability(listeners=[lambda old, new: changes.append((old, new))])
    assert state.marker(NOW) is None
    assert state.refusal() is None

    state.showing_cache(NOW - 180)  # rows from the cache at start
    assert state.mode is Mode.CACHED
    assert state.marker(NOW) == "cached 3 min ago"
    assert state.refusal() is None  # a slow Sentry still takes changes

    state.answered()  # another read answered: the list's rows are still the cached ones
    assert state.marker(NOW) == "cached 3 min ago"

    assert state.failed(NetworkError("down"), NOW) is True
    assert state.marker(NOW) == "offline — showing cached data from " + utc_stamp(NOW - 180, NOW)
    refusal = state.refusal() or ""
    assert refusal.startswith("offline — Sentry is unreachable: changes are not sent")
    assert "nothing is queued" in refusal

    assert state.failed(NotFound("gone"), NOW) is False  # an answer, not an outage
    assert state.mode is Mode.OFFLINE

    state.list_answered(NOW + 5)
    assert state.mode is Mode.ONLINE
    assert state.marker(NOW + 5) is None
    assert state.refusal() is None
    assert changes == [
        (Mode.ONLINE, Mode.CACHED),
        (Mode.CACHED, Mode.OFFLINE),
        (Mode.OFFLINE, Mode.ONLINE),
    ]

    # down mid-session: the last good data is what is shown, from the time it arrived
    state.failed(ServerError("boom", status=502), NOW + 60)
    assert state.marker(NOW + 60) == f"offline — showing cached data from {utc_stamp(NOW + 5, NOW)}"
    assert "Sentry answers 502" in (state.refusal() or "")


def test_offline_without_any_data_says_so() -> None:
    state = Availability()
    state.failed(NetworkError("down"), NOW)
    assert state.marker(NOW) == f"offline since {utc_stamp(NOW, NOW)} — no cached data"


def test_an_unusable_cache_gives_a_session_without_one(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")

    class Settings:
        url = "https://sentry.example"
        org = "acme"
        profile = None

    session = OfflineSession.for_settings(Settings(), path=blocked / "offline.sqlite3")
    assert session.cache is None
    session.failed(NetworkError("down"))
    assert session.offline  # the state machine works without a cache


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token, max_retries=0) as c:
        yield c


@pytest.fixture
def session(seeded_server, seeded_world, tmp_path: Path) -> OfflineSession:
    cache = OfflineCache(
        CacheScope(seeded_server.url, seeded_world.org_slug),
        tmp_path / "offline.sqlite3",
        clock=lambda: NOW - 600,
    )
    return OfflineSession(cache, clock=lambda: NOW)


async def _first_issue(client: SentryClient, org: str):
    page = await client.list_issues(org, query="is:unresolved", limit=1)
    return page.items[0]


async def test_viewed_events_and_issues_are_read_back_when_sentry_is_down(
    client, session, seeded_world, seeded_app
) -> None:
    org = seeded_world.org_slug
    issue = await _first_issue(client, org)
    nav = CachingEventNavigator(client, org, issue.id, total=issue.count, session=session)
    detail = CachingIssueDetail(client, org, issue.id, session)
    online_event = await nav.load("latest")
    online_issue = await detail.issue()
    assert nav.cached_at is None
    assert session.state.mode is Mode.ONLINE

    seeded_app.state.faults.configure({"drop_connection": 1_000_000})
    try:
        offline_nav = CachingEventNavigator(
            client, org, issue.id, total=issue.count, session=session
        )
        event = await offline_nav.load("latest")
        assert event.event_id == online_event.event_id
        assert session.offline
        assert offline_nav.describe().endswith(f"· cached event from {HHMM}")
        again = await offline_nav.load(online_event.event_id or "")  # by id, from the cache
        assert again.event_id == online_event.event_id
        cached_issue = await CachingIssueDetail(client, org, issue.id, session).issue()
        assert cached_issue.short_id == online_issue.short_id
        with pytest.raises(NetworkError):  # never viewed: not in the cache, the error stands
            await offline_nav.load("oldest")
        with pytest.raises(NetworkError):  # side lists are not cached
            await detail.tags()
    finally:
        seeded_app.state.faults.configure({"clear": True})

    fresh = await offline_nav.load("oldest")  # Sentry answers again: the state follows
    assert offline_nav.cached_at is None
    assert fresh.event_id
    assert not session.offline


async def test_a_cached_event_has_no_body_size_of_a_live_one_before_it(
    client, session, seeded_world, seeded_app
) -> None:
    """`body_bytes` tells the event screen whether an event is small enough to prepare on the UI
    thread; an event read back from the cache has no body, so it must not keep the size of the
    live event the navigator loaded before (a large cached event would be prepared inline)."""
    org = seeded_world.org_slug
    issue = await _first_issue(client, org)
    nav = CachingEventNavigator(client, org, issue.id, total=issue.count, session=session)

    async def first_look(_event) -> None:
        return None

    await nav.load("latest", first_look=first_look)
    assert nav.body_bytes > 0
    seeded_app.state.faults.configure({"drop_connection": 1_000_000})
    try:
        cached = await nav.load("latest", first_look=first_look)
        assert nav.cached_at is not None  # read back from the cache
        assert cached.event_id
        assert nav.body_bytes == 0  # unknown: prepared in a thread
    finally:
        seeded_app.state.faults.configure({"clear": True})
