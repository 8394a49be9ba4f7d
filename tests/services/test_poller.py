"""Polling backs off on trouble, waits for Sentry's reset after 429, and stops on bad tokens."""

from __future__ import annotations

import pytest

from dexter_tui.sentry.errors import AuthError, NetworkError, RateLimited, ServerError
from dexter_tui.services.poller import MAX_BACKOFF, LiveState, PollStatus


def test_success_keeps_the_interval_and_marks_live() -> None:
    status = PollStatus(interval=30)
    assert status.state is LiveState.LOADING
    assert status.succeeded(now=100.0) == 30
    assert status.state is LiveState.LIVE
    assert status.age(now=112.0) == 12.0


def test_server_errors_double_the_delay_up_to_a_cap_and_keep_data_stale() -> None:
    status = PollStatus(interval=30)
    status.succeeded(now=0.0)
    delays = [status.failed(ServerError("boom"), now=1.0) for _ in range(8)]
    assert delays[:3] == [60, 120, 240]
    assert max(delays) == MAX_BACKOFF
    assert status.state is LiveState.STALE
    assert status.last_success == 0.0
    assert status.succeeded(now=2.0) == 30
    assert status.failures == 0


def test_rate_limit_waits_for_the_reset() -> None:
    status = PollStatus(interval=30)
    assert status.failed(RateLimited("slow down", reset_at=1000.0), now=900.0) == pytest.approx(101)
    assert status.failed(RateLimited("slow down", reset_at=901.0), now=900.0) == 30
    assert status.failed(NetworkError("down"), now=900.0) == 30 * 2**3


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
