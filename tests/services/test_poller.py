"""Polling backs off on trouble, waits for Sentry's reset after 429, and stops on bad tokens."""

from __future__ import annotations

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import AuthError, NetworkError, RateLimited, ServerError
from dexter_tui.services.issues import IssueFeed, IssueQuery
from dexter_tui.services.poller import PROBE_INTERVAL, LiveState, PollStatus
from tests.services.conftest import CountingTransport


def test_success_keeps_the_interval_and_marks_live() -> None:
    status = PollStatus(interval=30)
    assert status.state is LiveState.LOADING
    assert status.succeeded(now=100.0) == 30
    assert status.state is LiveState.LIVE
    assert status.age(now=112.0) == 12.0


def test_server_errors_back_off_to_at_most_twice_the_interval_and_keep_data_stale() -> None:
    status = PollStatus(interval=30)
    status.succeeded(now=0.0)
    assert status.cadence() == "every 30s"
    delays = [status.failed(ServerError("boom"), now=1.0) for _ in range(8)]
    assert delays[:3] == [30, 60, 60]
    assert max(delays) == 60 == status.max_backoff
    assert status.retry_in == 60
    assert status.cadence() == "retrying every 60s"  # what the header can show
    assert status.state is LiveState.STALE
    assert status.last_success == 0.0
    assert status.succeeded(now=2.0) == 30
    assert status.failures == 0


def test_rate_limit_waits_for_the_reset() -> None:
    status = PollStatus(interval=30)
    assert status.failed(RateLimited("slow down", reset_at=1000.0), now=900.0) == pytest.approx(101)
    assert status.failed(RateLimited("slow down", reset_at=901.0), now=900.0) == 30
    assert status.failed(NetworkError("down"), now=900.0) == PROBE_INTERVAL


def test_no_answer_at_all_probes_every_few_seconds() -> None:
    status = PollStatus(interval=30)
    status.succeeded(now=0.0)
    for _ in range(20):
        assert status.failed(NetworkError("connection refused"), now=1.0) == PROBE_INTERVAL
    assert status.offline
    assert status.cadence() == "offline · probing every 5s"
    gateway = ServerError("bad gateway", status=502)
    assert status.failed(gateway, now=2.0) == PROBE_INTERVAL
    assert status.succeeded(now=3.0) == 30
    assert not status.offline
    assert status.cadence() == "every 30s"
    assert PollStatus(interval=2).failed(NetworkError("down"), now=0.0) == 2


def test_auth_errors_stop_polling() -> None:
    status = PollStatus(interval=30)
    assert status.failed(AuthError("token expired"), now=5.0) is None
    assert status.state is LiveState.ERROR
    assert "token expired" in status.last_error


def test_pause_and_resume() -> None:
    status = PollStatus(interval=30)
    status.succeeded(now=0.0)
    assert status.toggle_pause() is True
    assert status.state is LiveState.PAUSED
    assert status.toggle_pause() is False
    assert status.state is LiveState.LIVE


# -- against the demo server: offline, probing, recovery (issue 18 item 9) -------------------------


async def test_offline_feed_probes_cheaply_and_recovers_on_the_first_answer(
    seeded_server, seeded_world, seeded_app
) -> None:
    transport = CountingTransport()

    async def no_sleep(_: float) -> None:
        return None

    async with SentryClient(
        seeded_server.url, seeded_world.token, transport=transport, sleep=no_sleep
    ) as client:
        feed = IssueFeed(client, seeded_world.org_slug, IssueQuery())
        status = PollStatus(interval=30)
        await feed.load_first()
        status.succeeded(now=0.0)

        seeded_app.state.faults.drop_connection = 10_000  # the server stops answering
        with pytest.raises(NetworkError) as error:
            await feed.poll()
        assert status.failed(error.value, now=1.0) == PROBE_INTERVAL
        transport.paths.clear()
        for tick in range(3):
            with pytest.raises(NetworkError) as error:
                await feed.poll()
            assert status.failed(error.value, now=2.0 + tick) == PROBE_INTERVAL
        assert transport.paths == ["/api/0/"] * 3  # one cheap probe per tick, no issue list

        seeded_app.state.faults.drop_connection = 0  # back: the next tick recovers
        await feed.poll()
        assert status.succeeded(now=10.0) == 30
        assert status.state is LiveState.LIVE
        issues = f"/api/0/organizations/{seeded_world.org_slug}/issues/"
        assert transport.paths[3:] == ["/api/0/", issues]
        await feed.poll()
        assert transport.paths[5:] == [issues]  # online again: no probe
