"""Sentry's own saved searches in `/` completion: one request per session, chosen like any other,
and a server without the route (an older self-hosted Sentry) still completes keys and recents."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.search_input import SearchInput
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines

SIZE = (120, 36)
SEARCHES = "/api/0/organizations/acme/searches/"
TRIAGE = "is:unresolved is:for_review assigned_or_suggested:[me, none]"


@pytest.fixture
def requests_seen() -> list[tuple[str, int]]:
    return []


@pytest.fixture
def seeded_server(seeded_app, requests_seen) -> Iterator[BackgroundServer]:
    """The seeded demo over loopback HTTP, recording each request's path, query and status."""

    async def recording(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await seeded_app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode()
        path = scope["path"] + ("?" + query if query else "")

        async def send_seen(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                requests_seen.append((path, message["status"]))
            await send(message)

        await seeded_app(scope, receive, send_seen)

    with BackgroundServer(recording) as server:
        yield server


def _input(app) -> SearchInput:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen.query_one("#query", SearchInput)


async def _toasts(pilot) -> list[str]:
    """The text of the toasts on screen, as a person reads it (once they are drawn)."""
    await pilot.pause()
    return [toast.render().plain for toast in pilot.app.screen.query("Toast")]


def _asked(requests_seen) -> list[tuple[str, int]]:
    return [r for r in requests_seen if r[0].startswith(SEARCHES)]


async def test_sentry_saved_search_is_offered_and_chosen(make_app, requests_seen) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert _asked(requests_seen) == [(SEARCHES + "?type=0", 200)]
        await pilot.press("ctrl+u", *"triage")
        await settle(pilot)
        lines = screen_lines(app)
        assert any(f"★ Needs Triage  {TRIAGE}" in line for line in lines), "\n".join(lines)
        await pilot.press("down", "enter")  # highlight it, choose it: the search is sent
        await settle(pilot)
        assert _input(app).value == TRIAGE
        assert app.screen.feed.query.query == TRIAGE
        assert any(TRIAGE in line for line in screen_lines(app)[:4])  # the search line
        await pilot.press("escape", "slash")  # a second `/`: no second request
        await settle(pilot)
        assert len(_asked(requests_seen)) == 1


async def test_without_the_route_completion_offers_keys_and_recent(
    make_app, requests_seen, seeded_app
) -> None:
    """An older self-hosted Sentry answers 404: no ★ entries, no error shown, the rest works."""
    seeded_app.state.faults.configure({"missing_routes": [SEARCHES]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *" dead", "enter")  # a recent search
        await settle(pilot)
        await pilot.press("escape", "slash", "ctrl+u")
        await settle(pilot)
        assert _asked(requests_seen) == [(SEARCHES + "?type=0", 404)]
        candidates = _input(app).candidates
        assert [c.label for c in candidates if c.kind == "recent"] == ["is:unresolved dead"]
        assert not [c for c in candidates if c.kind == "sentry"]
        await pilot.press(*"lev")
        await settle(pilot)
        assert _input(app).candidates[0].label == "level:"
        text = "\n".join(screen_lines(app))
        assert "level:" in text
        assert "saved searches" not in text.lower()  # quiet: no toast, no error line
        await pilot.press("escape", "escape", "slash")
        await settle(pilot)
        assert len(_asked(requests_seen)) == 1  # a missing route is not asked again


async def test_save_sentry_creates_a_personal_search_offered_at_once(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash")  # Sentry's searches loaded once
        await settle(pilot)
        await pilot.press("escape")
        app.run_command("query is:unresolved level:warning")
        await settle(pilot)
        app.run_command("save-sentry Warnings")
        await settle(pilot)
        assert any("Saved to Sentry as “Warnings”" in toast for toast in await _toasts(pilot))
        async with httpx.AsyncClient(
            base_url=seeded_server.url,
            headers={"Authorization": f"Bearer {seeded_world.token}"},
        ) as raw:
            listed = (await raw.get(SEARCHES)).json()
        made = next(s for s in listed if s["name"] == "Warnings")
        assert (made["query"], made["visibility"]) == ("is:unresolved level:warning", "owner")
        await pilot.press("slash", "end", "ctrl+u", *"warn")
        await settle(pilot)
        assert "★ Warnings" in [c.label for c in _input(app).candidates]
        await pilot.press("escape", "escape")
        app.run_command("save-sentry Again")  # the same query: Sentry's 400, shown as it says
        await settle(pilot)
        [refused] = [t for t in await _toasts(pilot) if "did not save" in t]
        assert "A search for 'is:unresolved level:warning' already exists" in refused


async def test_save_sentry_in_read_only_mode_changes_nothing(make_app, requests_seen) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.run_command("save-sentry Mine")
        await settle(pilot)
        assert any("read-only mode" in toast for toast in await _toasts(pilot))
    assert not [
        r for r in requests_seen if r[0].startswith(SEARCHES) and r[1] == 200 and "?" not in r[0]
    ]


async def _server_searches(server, world) -> list[dict]:
    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {world.token}"}
    ) as raw:
        return (await raw.get(SEARCHES)).json()


async def test_unsave_deletes_only_your_own_sentry_search(
    make_app, seeded_server, seeded_world
) -> None:
    """`:unsave NAME` with no local view of that name: the caller's own Sentry search is deleted
    (and leaves completion); a shared org search and Sentry's built-in ones are refused, kept."""
    before = {s["name"] for s in await _server_searches(seeded_server, seeded_world)}
    assert {"Checkout regressions", "Prod errors", "Needs Triage"} <= before
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.run_command("unsave checkout regressions")  # names match case-insensitively
        await settle(pilot)
        toasts = await _toasts(pilot)
        assert any("Deleted your Sentry search “Checkout regressions”" in t for t in toasts)
        app.run_command("unsave Prod errors")
        await settle(pilot)
        assert any(
            "“Prod errors” is shared with the whole organization; delete it in Sentry" in t
            for t in await _toasts(pilot)
        )
        app.run_command("unsave Needs Triage")
        await settle(pilot)
        assert any(
            "“Needs Triage” is one of Sentry's built-in searches" in t for t in await _toasts(pilot)
        )
        await pilot.press("slash", "ctrl+u", *"regress")
        await settle(pilot)
        labels = [c.label for c in _input(app).candidates]
        assert "★ Checkout regressions" not in labels
    after = {s["name"] for s in await _server_searches(seeded_server, seeded_world)}
    assert after == before - {"Checkout regressions"}


async def test_unsave_of_a_sentry_search_in_read_only_mode_keeps_it(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.run_command("unsave Checkout regressions")
        await settle(pilot)
        [refused] = [t for t in await _toasts(pilot) if "did not delete" in t]
        assert "read-only mode" in refused
    names = {s["name"] for s in await _server_searches(seeded_server, seeded_world)}
    assert "Checkout regressions" in names
