"""The offline cache's copy of the issue list: the list's first issues, in order, parsed off the UI.

Why a test: the copy used to parse every loaded issue back to a full `Issue` on each load and
poll (a 100k list: a gigabyte and seconds on the UI thread) only for the cache to keep the first
`MAX_LIST_ISSUES`. Now only those are parsed; the copy must still be the list's head, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dexter_tui.config import Secret, Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.services import offline as offline_session
from dexter_tui.services.cache import list_key_for
from dexter_tui.tui import offline
from dexter_tui.tui.factory import build_app, build_context
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle


async def test_the_cached_list_is_the_head_of_the_loaded_list_in_order(
    seeded_server, seeded_world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offline_session, "MAX_LIST_ISSUES", 4)
    settings = Settings(
        url=seeded_server.url,
        token=Secret(seeded_world.token),
        org=seeded_world.org_slug,
        poll_interval=3600.0,
        max_concurrency=4,
    )
    client = SentryClient.from_settings(settings, max_retries=0)
    ctx = build_context(
        settings, clock=lambda: SEED_NOW, action_log_path=tmp_path / "log", client=client
    )
    ctx.show_rate = False
    session = offline.enable(ctx, path=tmp_path / "offline.sqlite3")
    app = build_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        assert len(screen.feed.order) > 4
        head = screen.feed.ordered()[:4]
        await app.workers.wait_for_complete()
        assert session.cache is not None
        cached = session.cache.issue_list(list_key_for(screen.feed.query))
    assert cached is not None
    assert [i.short_id for i in cached.issues] == [i.short_id for i in head]
    assert [i.title for i in cached.issues] == [i.title for i in head]
    assert cached.hits == screen.feed.hits
