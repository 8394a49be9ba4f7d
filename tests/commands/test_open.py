"""`dexter open SHORTID`: the TUI starts on that issue's event detail; `q` goes to the list."""

from __future__ import annotations

from pathlib import Path

from dexter_tui.commands.open_cmd import build_app_on
from dexter_tui.config import Secret, Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.tui.pilot_helpers import settle
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.conftest import SEED_NOW


async def test_open_starts_on_the_issue(seeded_server, seeded_world, seeded_store, tmp_path: Path):
    short_id = seeded_store.query_one("SELECT short_id FROM groups ORDER BY times_seen DESC")[0]
    settings = Settings(
        url=seeded_server.url,
        token=Secret(seeded_world.token),
        org=seeded_world.org_slug,
        poll_interval=3600.0,
    )
    async with SentryClient.from_settings(settings) as client:
        lookup = await client.lookup_short_id(settings.org, short_id)
        issue = await client.get_issue(settings.org, lookup.group_id)
    app = build_app_on(
        settings, issue, clock=lambda: SEED_NOW, action_log_path=tmp_path / "actions.jsonl"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        assert app.screen.issue.short_id == short_id
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)


def test_open_unknown_issue_exits_4_before_the_tui(dexter, sentry_env) -> None:
    result = dexter("open", "NOPE-404")
    assert result.code == 4
    assert "not found" in result.err


def test_open_with_sentry_down_opens_the_cached_issue(
    dexter, sentry_env, seeded_store, monkeypatch
) -> None:
    """Sentry unreachable at 3 a.m.: an issue seen before opens from the offline cache (the TUI
    then shows its offline marker) instead of exiting 5."""
    from dexter_tui.commands import open_cmd

    short_id = seeded_store.query_one("SELECT short_id FROM groups ORDER BY times_seen DESC")[0]
    assert dexter("issues", "show", short_id).code == 0  # seen once: cached
    sentry_env.stop()
    opened: list[object] = []
    monkeypatch.setattr(open_cmd, "start_tui_on", lambda settings, issue: opened.append(issue) or 0)
    result = dexter("open", short_id)
    assert result.code == 0, result.err
    assert [i.short_id for i in opened] == [short_id]  # type: ignore[attr-defined]
    assert "Sentry is unavailable" in result.err
    assert f"opening {short_id} from the offline cache" in result.err

    never_seen = dexter("open", "NEVER-SEEN-1")
    assert never_seen.code == 5
    assert "not in the offline cache" in never_seen.err
    assert len(opened) == 1
