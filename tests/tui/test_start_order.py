"""What a start sends, and in which order: the issue list's request first, the rest after it.

Why (issue 19): every request the first rows do not need, sent before the list's own, costs the
event loop time before those rows appear. The workspace (projects, members, teams, environments,
server info) waits until the list's first request has gone out; the search field's tag keys and
saved searches wait until the field is focused (the table, not the field, is focused at start).
A recording transport over real loopback HTTP tells the order the requests went out in.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from dexter_tui.config import Secret, Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.tui.factory import build_app, build_context
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle

SIZE = (120, 36)
WORKSPACE = ("/projects/", "/members/", "/teams/", "/environments/")


class RecordingTransport(httpx.AsyncHTTPTransport):
    """The real transport; notes each request's path as it is sent."""

    def __init__(self, app_box: list | None = None) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.rows_at_send: list[int] = []  # the list's rows on screen when each request went out
        self.app_box = app_box if app_box is not None else []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.path)
        self.rows_at_send.append(self._rows())
        return await super().handle_async_request(request)

    def _rows(self) -> int:
        screen = self.app_box[0].screen if self.app_box else None
        return screen.table.row_count if isinstance(screen, IssuesScreen) else 0


def _app(seeded_server, seeded_world, tmp_path: Path, **overrides: object):
    settings = Settings(
        url=seeded_server.url,
        token=Secret(seeded_world.token),
        org=seeded_world.org_slug,
        poll_interval=3600.0,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    app_box: list = []
    transport = RecordingTransport(app_box)
    client = SentryClient(settings.url, settings.token_value(), transport=transport)
    ctx = build_context(
        settings, clock=lambda: SEED_NOW, action_log_path=tmp_path / "a.jsonl", client=client
    )
    ctx.show_rate = False
    app_box.append(build_app(ctx))
    return app_box[0], transport


def _first(sent: list[str], part: str) -> int:
    return next(n for n, path in enumerate(sent) if part in path)


async def test_the_list_request_goes_out_before_the_workspace(
    seeded_server, seeded_world, tmp_path
) -> None:
    app, transport = _app(seeded_server, seeded_world, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        assert screen.table.row_count > 0
        assert app.ctx.workspace is not None  # it still loads
        assert app.ctx.workspace.projects
        assert app.focused is screen.table
    sent = transport.sent
    issues = _first(sent, "/issues/")
    assert all(issues < _first(sent, part) for part in WORKSPACE), sent
    # nothing focused the search field, so it asked for nothing
    assert not [p for p in sent if p.endswith(("/tags/", "/searches/"))], sent


async def test_the_workspace_waits_for_the_lists_rows(
    seeded_server, seeded_world, tmp_path
) -> None:
    """Its answers (projects, members, environments…) would otherwise be parsed, and the HTTP
    connections for them opened, while the list's own answer waits to be drawn."""
    app, transport = _app(seeded_server, seeded_world, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.ctx.workspace is not None  # it still loads
    sent, rows = transport.sent, transport.rows_at_send
    workspace = [n for n, path in enumerate(sent) if any(p in path for p in WORKSPACE)]
    assert workspace, sent
    assert all(rows[n] > 0 for n in workspace), list(zip(sent, rows, strict=True))


async def test_the_search_field_loads_its_keys_when_focused(
    seeded_server, seeded_world, tmp_path
) -> None:
    app, transport = _app(seeded_server, seeded_world, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
    assert [p for p in transport.sent if p.endswith("/tags/")], transport.sent


async def test_with_a_project_the_workspace_comes_first(
    seeded_server, seeded_world, tmp_path
) -> None:
    """The list filters by project id, which only the workspace knows: it does not wait."""
    slug = next(iter(seeded_world.projects))
    app, transport = _app(seeded_server, seeded_world, tmp_path, project=[slug])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        assert screen.feed.query.projects  # the list ended filtered by the project's id
    sent = transport.sent
    last_list = max(n for n, path in enumerate(sent) if "/issues/" in path)
    assert _first(sent, "/projects/") < last_list, sent
