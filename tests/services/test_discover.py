"""Discover over real HTTP against the seeded demo: functions, sort, paging, errors, export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.services.discover import (
    DiscoverQuery,
    DiscoverSession,
    render_export,
    split_fields,
    write_export,
)


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


def _api(server, world, params) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/0/organizations/{world.org_slug}/events/",
        params=params,
        headers={"Authorization": f"Bearer {world.token}"},
    )


def test_split_fields_keeps_commas_inside_brackets() -> None:
    assert split_fields("title, tag[os, string], count_unique(user),, p95(a)") == (
        "title",
        "tag[os, string]",
        "count_unique(user)",
        "p95(a)",
    )


def test_problems_before_asking_sentry() -> None:
    assert DiscoverQuery(fields=("title",), sort="-count()").problems() == [
        "Sort by a selected field (count() is not one)"
    ]
    assert DiscoverQuery(fields=tuple(f"f{i}" for i in range(21)), sort="").problems()
    q = DiscoverQuery(fields=("title", "count()"), sort="-count()")
    assert q.sorted_by("count()").sort == "count()"
    assert q.sorted_by("title").sort == "-title"


async def test_functions_and_sort_match_the_api(client, seeded_server, seeded_world) -> None:
    query = DiscoverQuery(
        fields=("issue", "title", "count()", "count_unique(user)", "last_seen()"),
        sort="-count_unique(user)",
        period="14d",
    )
    session = DiscoverSession(client, seeded_world.org_slug, page_size=20)
    results = await session.run(query)
    assert results.error is None
    api = _api(
        seeded_server,
        seeded_world,
        [("field", f) for f in query.fields]
        + [("sort", query.sort), ("statsPeriod", "14d"), ("dataset", "errors"), ("per_page", "20")],
    )
    assert results.rows == api.json()["data"]
    assert results.type_of("count()") == "integer"
    assert results.type_of("last_seen()") == "date"
    users = [r["count_unique(user)"] for r in results.rows]
    assert users == sorted(users, reverse=True)


async def test_pages_by_cursor_to_the_end(client, seeded_world) -> None:
    query = DiscoverQuery(fields=("id", "title", "timestamp"), sort="-timestamp", period="30d")
    session = DiscoverSession(client, seeded_world.org_slug, page_size=100)
    results = await session.run(query)
    assert results.has_more
    pages = 1
    while results.has_more and pages < 50:
        await session.load_more()
        pages += 1
    assert not results.has_more
    assert pages > 1
    ids = [r["id"] for r in results.rows]
    assert len(ids) == len(set(ids))


async def test_invalid_query_gives_sentry_text(client, seeded_world) -> None:
    session = DiscoverSession(client, seeded_world.org_slug)
    query = DiscoverQuery(fields=("title", "count()"), query="count():>5", sort="-count()")
    results = await session.run(query)
    assert results.error is not None
    assert results.error.startswith("Invalid query.")
    assert not results.rows
    assert session.history[0] == query  # kept, so the user can fix it


async def test_history_most_recent_first_without_duplicates(client, seeded_world) -> None:
    session = DiscoverSession(client, seeded_world.org_slug)
    a = DiscoverQuery(fields=("title", "count()"))
    b = DiscoverQuery(fields=("release", "count()"))
    for q in (a, b, a):
        await session.run(q)
    assert session.history == [a, b]


async def test_row_opens_its_issue(client, seeded_world) -> None:
    session = DiscoverSession(client, seeded_world.org_slug)
    results = await session.run(DiscoverQuery(fields=("issue", "count()")))
    row = results.rows[0]
    issue = await session.issue_for(row)
    assert issue is not None
    assert issue.short_id == row["issue"]
    events = await session.run(DiscoverQuery(fields=("id", "title"), sort=""))
    by_event = await session.issue_for({"id": events.rows[0]["id"]})
    assert by_event is not None
    assert by_event.title == events.rows[0]["title"]


def test_export_formats(tmp_path) -> None:
    columns = ["title", "count()"]
    rows = [{"title": "=HYPERLINK(1)", "count()": 3}, {"title": "a|b\nc", "count()": None}]
    parsed = list(csv.reader(io.StringIO(render_export(columns, rows, "csv"))))
    assert parsed == [columns, ["'=HYPERLINK(1)", "3"], ["a|b\nc", ""]]
    assert json.loads(render_export(columns, rows, "json"))[0]["count()"] == 3
    assert "a\\|b c" in render_export(columns, rows, "md")
    path = write_export(columns, rows, tmp_path / "out.md")
    assert path.read_text().startswith("| title | count() |")
    with pytest.raises(ValueError, match=r"\.csv, \.json or \.md"):
        write_export(columns, rows, tmp_path / "out.txt")


async def test_history_outlives_the_session(client, seeded_world, tmp_path) -> None:
    path = tmp_path / "state" / "discover_history.json"
    first = DiscoverSession(client, seeded_world.org_slug, history_path=path)
    typed = DiscoverQuery(fields=("title", "count()"), projects=("checkout-api",))
    await first.run(typed.with_(projects=("1",)), remember=typed)
    assert path.stat().st_mode & 0o777 == 0o600
    again = DiscoverSession(client, seeded_world.org_slug, history_path=path)
    assert again.history == [typed]  # what the user typed, not the ids sent
    path.write_text("[{]")
    assert DiscoverSession(client, seeded_world.org_slug, history_path=path).history == []


async def test_two_sessions_never_lose_each_others_history(client, seeded_world, tmp_path) -> None:
    """Two TUIs share the history file: each write merges what the other saved (issue 18 #10)."""
    path = tmp_path / "discover_history.json"
    org = seeded_world.org_slug
    one = DiscoverSession(client, org, history_path=path)
    two = DiscoverSession(client, org, history_path=path)  # both started with an empty history
    a = DiscoverQuery(fields=("title", "count()"))
    b = DiscoverQuery(fields=("release", "count()"))
    c = DiscoverQuery(fields=("environment", "count()"))
    one.remember(a)
    two.remember(b)
    one.remember(c)
    assert DiscoverSession(client, org, history_path=path).history == [c, b, a]
    assert two.history == [b, a]
    assert path.stat().st_mode & 0o777 == 0o600
