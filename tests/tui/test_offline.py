"""The TUI with the offline cache: Sentry down at start, down mid-session, 429s, a slow server.

The demo server's fault API drops every connection (as a dead Sentry or a cut link does), its
rate limiter answers 429 to everything, and its latency knob holds answers back; the screen is
read back as a person sees it (from the screenshot's text).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from dexter_tui.config import Secret, Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.tui import offline
from dexter_tui.tui.app import DexterApp
from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.factory import build_app, build_context
from dexter_tui.tui.screens.alerts import AlertsScreen
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle

SIZE = (160, 40)
SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')
#: the cache is warmed 3 minutes before the offline run (both on the demo's frozen clock)
WARM_AT = SEED_NOW - 180
WARM_HHMM = time.strftime("%H:%M UTC", time.gmtime(WARM_AT))
NOW_HHMM = time.strftime("%H:%M UTC", time.gmtime(SEED_NOW))
CACHED_FROM = f"offline — showing cached data from {WARM_HHMM}"

OfflineApp = Callable[..., DexterApp]


def screen_text(app: DexterApp) -> str:
    """The screen as lines of plain text, read back from its SVG screenshot."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in SVG_TEXT.findall(app.export_screenshot()):
        lines.setdefault(float(y), []).append((float(x), html.unescape(text)))
    return "\n".join(
        "".join(t for _, t in sorted(parts)).replace("\xa0", " ")
        for _, parts in sorted(lines.items())
    )


#: every toast each app was asked to show, in order (a toast on screen expires after seconds,
#: and a loaded machine can take longer than that between two assertions)
_TOASTS: dict[int, list[str]] = {}


def toasts(app: DexterApp) -> list[str]:
    return _TOASTS[id(app)]


def record_toasts(app: DexterApp) -> DexterApp:
    shown = _TOASTS.setdefault(id(app), [])
    notify = app.notify

    def recording(message: str, **kw: Any) -> None:
        shown.append(str(message))
        notify(message, **kw)

    app.notify = recording  # type: ignore[method-assign]
    return app


def header(app: DexterApp) -> str:
    return str(app.screen.query_one("#header").render())


@pytest.fixture
def make_offline_app(seeded_server, seeded_world, tmp_path: Path) -> OfflineApp:
    """`make_offline_app(now=…)`: the app as `dexter` builds it (offline cache on), on the demo.

    The client does not retry (a dead server fails at once instead of after backoff)."""

    def make(now: float = SEED_NOW, **overrides: object) -> DexterApp:
        settings = Settings(
            url=seeded_server.url,
            token=Secret(seeded_world.token),
            org=seeded_world.org_slug,
            poll_interval=3600.0,  # the tests trigger ticks themselves
            max_concurrency=4,
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        client = SentryClient.from_settings(settings, max_retries=0, max_rate_limit_retries=0)
        ctx = build_context(
            settings, clock=lambda: now, action_log_path=tmp_path / "actions.jsonl", client=client
        )
        ctx.show_rate = False
        offline.enable(ctx, path=tmp_path / "cache" / "offline.sqlite3")
        return record_toasts(build_app(ctx))

    return make


@pytest.fixture
def faults(seeded_server, seeded_world) -> Callable[..., None]:
    """POST a body to the demo server's fault API."""

    def set_faults(**body: object) -> None:
        r = httpx.post(
            f"{seeded_server.url}/api/0/_demo/faults/",
            json=body,
            headers={"Authorization": f"Bearer {seeded_world.token}"},
        )
        assert r.status_code in (200, 201, 204), r.text

    return set_faults


def sentry_down(faults: Callable[..., None]) -> None:
    faults(drop_connection=1_000_000)  # every API request: connection closed, no answer


def sentry_back(faults: Callable[..., None]) -> None:
    faults(clear=True)


async def warm_cache(make_offline_app: OfflineApp) -> tuple[str, str]:
    """Run the app online once: the list and the first issue's latest event are cached.
    Returns (short id, exception type) of that issue as the screen showed them."""
    app = make_offline_app(now=WARM_AT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        issue = screen.cursor_issue()
        assert issue is not None
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        assert detail.event is not None
        data = detail.event.exception
        assert data is not None
        assert data.values
        kind = data.values[-1].type or ""
        assert kind
        await pilot.press("q")
        await settle(pilot)
    return issue.short_id, kind


async def test_down_at_start_rows_and_an_event_from_the_cache_then_recovery(
    make_offline_app, faults, seeded_store
) -> None:
    short_id, kind = await warm_cache(make_offline_app)
    sentry_down(faults)
    app = make_offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        text = screen_text(app)
        assert CACHED_FROM in text
        assert short_id in text  # the cached rows are readable
        # one toast says it; the failed requests behind it add none
        assert [t for t in toasts(app) if "offline" in t.lower()] == [toasts(app)[0]]
        assert len(toasts(app)) == 1

        # changes are refused with the reason, and nothing is sent or queued
        status_before = seeded_store.query_one(
            "SELECT status FROM groups WHERE id = ?", (int(screen.cursor_issue().id),)
        )["status"]
        await pilot.press("x")
        await settle(pilot)
        refusal = toasts(app)[-1]
        assert "offline — Sentry is unreachable: changes are not sent (nothing is queued)" in (
            refusal
        )
        assert (
            seeded_store.query_one(
                "SELECT status FROM groups WHERE id = ?", (int(screen.cursor_issue().id),)
            )["status"]
            == status_before
        )

        # the cached issue opens with its cached event
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        text = screen_text(app)
        assert f"cached event from {WARM_HHMM}" in text
        assert short_id in text
        assert kind in text  # the stack trace tab: the exception of the cached event
        await pilot.press("q")
        await settle(pilot)

        # it keeps trying by itself (a failed first load was not retried before); when Sentry
        # answers, the marker goes
        assert "retrying every 5s" in header(app)
        assert screen._poll_timer is not None
        screen._poll_due()  # a tick while Sentry is still down: probed, still offline
        await settle(pilot)
        assert CACHED_FROM in header(app)
        assert screen._poll_timer is not None  # and the next one is scheduled
        assert len(toasts(app)) == 2  # the offline toast and the refusal: no new one
        sentry_back(faults)
        screen._poll_due()  # what the retry timer calls
        await settle(pilot)
        text = screen_text(app)
        assert "offline" not in header(app)
        assert "cached" not in header(app)
        assert "● live" in header(app)
        assert short_id in text
        assert toasts(app)[-1] == "Sentry answers again: showing live data."


async def test_down_mid_session_keeps_list_and_viewed_event_readable(
    make_offline_app, faults
) -> None:
    app = make_offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        short_id = screen.cursor_issue().short_id
        await pilot.press("enter")  # viewed: its latest event goes to the cache
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert "● live" in header(app)

        sentry_down(faults)
        for _ in range(3):  # three failed ticks: one marker, one toast
            screen.poll()
            await settle(pilot)
        assert f"offline — showing cached data from {NOW_HHMM}" in header(app)
        assert len([t for t in toasts(app) if "Sentry" in t]) == 1
        assert short_id in screen_text(app)

        await pilot.press("b")  # bookmark: refused, says why
        await settle(pilot)
        assert "changes are not sent (nothing is queued)" in toasts(app)[-1]

        await pilot.press("enter")
        await settle(pilot)
        assert f"cached event from {NOW_HHMM}" in screen_text(app)
        await pilot.press("c")  # a comment is a change too
        assert "changes are not sent" in toasts(app)[-1]
        assert isinstance(app.screen, EventDetailScreen)

        # Sentry is back while the event is open: the next tick brings everything back
        sentry_back(faults)
        screen._poll_due()
        await settle(pilot)
        assert "cached event" not in screen_text(app)  # the event was fetched again
        await pilot.press("q")
        await settle(pilot)
        assert "● live" in header(app)
        assert "offline" not in header(app)


async def test_a_429_storm_is_offline_with_its_reason_and_recovers(
    make_offline_app, seeded_app
) -> None:
    app = make_offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        limiter = seeded_app.state.rate_limiter
        limiter.limit = 0  # every request: 429
        try:
            for _ in range(3):
                screen.poll()
                await settle(pilot)
            assert f"offline — showing cached data from {NOW_HHMM}" in header(app)
            assert len(toasts(app)) == 1
            assert "Sentry is rate-limiting (429)" in toasts(app)[0]
            await pilot.press("x")
            assert (
                "offline — Sentry is rate-limiting (429): changes are not sent" in (toasts(app)[-1])
            )
            assert screen.table.visible_count > 0  # the rows stay
        finally:
            limiter.limit = None
        screen._poll_due()
        await settle(pilot)
        assert "● live" in header(app)
        assert "offline" not in header(app)


async def test_slow_server_first_rows_come_from_the_cache(make_offline_app, seeded_app) -> None:
    short_id, _ = await warm_cache(make_offline_app)
    options = seeded_app.state.options
    options.latency_ms = 60_000  # held until the test lowers it
    try:
        app = make_offline_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            for _ in range(400):
                await pilot.pause(0.05)
                screen = app.screen
                if isinstance(screen, IssuesScreen) and screen.table.visible_count:
                    break
            assert isinstance(screen, IssuesScreen)
            assert not screen.feed.loaded_once  # the network has not answered yet
            text = screen_text(app)
            assert "◌ loading · cached 3 min ago" in text
            assert short_id in text
            options.latency_ms = 0  # the network answers
            await settle(pilot)
            assert screen.feed.loaded_once
            assert "cached" not in header(app)
            assert "● live" in header(app)
    finally:
        options.latency_ms = 0


async def test_down_at_start_with_a_project_shows_that_projects_cached_rows(
    make_offline_app, faults
) -> None:
    """Project slugs become ids through the workspace, which needs Sentry: offline, the ids come
    from the cached project list, so the cached list of that project is the one shown."""
    warm = make_offline_app(now=WARM_AT, project=["billing-worker"])
    async with warm.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = warm.screen
        assert isinstance(screen, IssuesScreen)
        assert screen.feed.query.projects  # loaded for the project, after the workspace
        shown = {i.short_id for i in screen.feed.ordered()}
    assert shown
    assert all(s.startswith("BILLING-WORKER") for s in shown)

    sentry_down(faults)
    app = make_offline_app(project=["billing-worker"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IssuesScreen)
        assert CACHED_FROM in header(app)
        assert {i.short_id for i in screen.feed.ordered()} == shown
        text = screen_text(app)
        assert "CHECKOUT-API" not in text
        assert screen.feed.ordered()[0].short_id in text


async def test_alert_rule_changes_are_refused_while_offline(make_offline_app, faults) -> None:
    """Rules loaded while Sentry answered, then Sentry goes away: `t` and `z` say why at once
    (no confirm that would end in a connection error), and the rules stay on screen."""
    app = make_offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        app.run_command("alerts")
        await settle(pilot)
        alerts = app.screen
        assert isinstance(alerts, AlertsScreen)
        rule = alerts.current()
        assert rule is not None

        sentry_down(faults)
        issues.poll()  # the list's poll finds Sentry gone: the app is offline
        await settle(pilot)
        assert app.screen is alerts
        for key in ("t", "z"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmDialog)
            assert app.screen is alerts
            assert "changes are not sent (nothing is queued)" in toasts(app)[-1]
        assert rule.rule.name in screen_text(app)
