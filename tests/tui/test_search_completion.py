"""Search completion in `/`: keys, a tag's values after one request, recent searches, syntax."""

from __future__ import annotations

import stat
from collections.abc import Iterator

import pytest
from textual.widgets import Input

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.services.recent_searches import FILENAME
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.search_input import DEBOUNCE, SearchField, SearchInput
from tests.tui.conftest import settle

SIZE = (120, 36)


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
def seeded_server(seeded_app, requests_seen: list[str]) -> Iterator[BackgroundServer]:
    """The seeded demo over loopback HTTP, recording every request's path and query."""

    async def counting(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode()
            requests_seen.append(scope["path"] + ("?" + query if query else ""))
        await seeded_app(scope, receive, send)

    with BackgroundServer(counting) as server:
        yield server


def _input(app) -> SearchInput:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen.query_one("#query", SearchInput)


def _labels(app) -> list[str]:
    return [c.label for c in _input(app).candidates]


async def _wait_values(pilot) -> None:
    """Past the debounce, then until the request's worker is done."""
    await pilot.pause(DEBOUNCE + 0.15)
    await settle(pilot)


async def test_keys_complete_with_tab_then_fixed_values(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"lev")
        await settle(pilot)
        assert _labels(app)[0] == "level:"
        await pilot.press("tab")
        assert _input(app).value == "is:unresolved level:"
        assert _labels(app)[:3] == ["fatal", "error", "warning"]
        await pilot.press("e", "tab")
        assert _input(app).value == "is:unresolved level:error "
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.feed.query.query == "is:unresolved level:error"


async def test_project_tag_keys_come_from_the_org_tags_route(make_app, requests_seen) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert sum("/organizations/acme/tags/?" in r or r.endswith("/tags/") for r in requests_seen)
        await pilot.press(*"server")
        assert "server_name:" in _labels(app)
        shown = str(app.screen.query_one(SearchField).query_one("OptionList").render_line(0))
        assert shown  # the list is drawn


async def test_tag_values_after_one_request_then_from_the_cache(make_app, requests_seen) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"environment:")
        await _wait_values(pilot)
        asked = [r for r in requests_seen if "/tags/environment/values/" in r]
        assert len(asked) == 1
        assert {"production", "staging"} <= set(_labels(app))
        await pilot.press(*"prod")  # a longer prefix: filtered from the full answer
        await _wait_values(pilot)
        assert _labels(app) == ["production"]
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"sta")
        await _wait_values(pilot)
        assert [r for r in requests_seen if "/tags/environment/values/" in r] == asked
        await pilot.press("tab")
        assert _input(app).value == "is:unresolved environment:staging "


async def test_recent_searches_are_kept_per_org_newest_first(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for words in ("dead", "level:error"):
            await pilot.press("slash", *words, "enter")
            await settle(pilot)
            await pilot.press("escape")  # back to is:unresolved
            await settle(pilot)
    path = tmp_path / FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = make_app()  # a new session reads them
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        recent = [c.label for c in _input(again).candidates if c.kind == "recent"]
        assert recent[:2] == ["is:unresolved level:error", "is:unresolved dead"]
        await pilot.press("down", "down", "enter")  # the second one
        await settle(pilot)
        assert again.screen.feed.query.query == "is:unresolved dead"


async def test_invalid_syntax_is_flagged_before_sending(make_app, requests_seen) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'message:"dead')
        field = app.screen.query_one(SearchField)
        problems = str(field.query_one(".search-problems").render())
        assert "unclosed quote" in problems
        asked = len(requests_seen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.feed.query.query == "is:unresolved"  # not sent
        assert "enter again" in str(field.query_one(".search-problems").render())
        assert len([r for r in requests_seen[asked:] if "/issues/" in r]) == 0
        assert app.screen.query_one("#query", Input).has_focus
        await pilot.press("enter")  # sent anyway: Sentry's 400 is shown under the input
        await settle(pilot)
        assert "Sentry:" in str(field.query_one(".search-problems").render())


async def test_discover_query_completes_keys_and_values(make_app, requests_seen) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        query = app.screen.query_one("#d-query", SearchInput)
        query.focus()
        await pilot.press(*"envir")
        assert [c.label for c in query.candidates] == ["environment:"]
        await pilot.press("tab")
        await _wait_values(pilot)
        assert "production" in [c.label for c in query.candidates]
        assert len([r for r in requests_seen if "/tags/environment/values/" in r]) == 1


async def test_command_line_completes_verbs_arguments_and_a_search(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"per")
        line = app.screen.query_one(SearchInput)
        assert [c.label for c in line.candidates] == ["period"]
        await pilot.press("tab", "2")
        assert [c.label for c in line.candidates] == ["24h"]
        await pilot.press("tab")
        assert line.value == "period 24h"
        await pilot.press("ctrl+u", *"query lev")  # ctrl+u: clear the input
        assert next(c.label for c in line.candidates) == "level:"
        await pilot.press("tab", "f", "tab", "enter")
        await settle(pilot)
        assert app.list_query.query == "level:fatal"
